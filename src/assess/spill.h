/*
 * spill.h — (internal to assess) the finding store's file: a long scan's findings keep their
 * bulky parts (evidence values and hits, the scrubbed request copy, the legal reasoning and the
 * fix, which name the page) in an unlinked temporary file instead of memory, so a HAR of
 * thousands of pages is assessed in bounded memory. Records are appended (length-prefixed) and
 * read back by position; nothing is ever rewritten.
 */
#ifndef PHIWALL_ASSESS_SPILL_H
#define PHIWALL_ASSESS_SPILL_H

#include <stdint.h>

#include "phiwall/assess.h"
#include "phiwall/buf.h"

/* The file is created in dir (NULL: $TMPDIR, else /tmp) and unlinked at once: it goes away with
 * the process whatever happens. An error names the directory. */
pw_status pw_spill_open(const char *dir, pw_spill **out, pw_err *err);
void pw_spill_free(pw_spill *s);

/* Append a record; *at gets its position + 1 (0 is "none"). A failed write (disk full, a file
 * size limit) is an error naming the file's directory: a finding is never silently lost. */
pw_status pw_spill_put(pw_spill *s, const void *p, size_t n, uint64_t *at, pw_err *err);
/* Make every record readable by pread (before the result is handed to reports). */
pw_status pw_spill_flush(pw_spill *s, pw_err *err);
/* Read record at (a position + 1 from pw_spill_put) into the arena. */
pw_status pw_spill_get(const pw_spill *s, uint64_t at, pw_arena *a, const unsigned char **p,
                       size_t *n, pw_err *err);

/* Read n bytes at byte pos (records written with pw_spill_put sit at their position - 1,
 * after a 4-byte length: fixed-size records can be read as a block). */
pw_status pw_spill_read(const pw_spill *s, uint64_t pos, void *p, size_t n, pw_err *err);
/* Bytes appended so far (written and buffered): the position the next record will have. */
uint64_t pw_spill_size(const pw_spill *s);

/* Reads the records from one position on, in order, through a buffer of its own (one pread
 * for many small records): the finding runs are read back this way. */
typedef struct pw_spill_cursor {
    const pw_spill *s;
    uint64_t pos; /* the next record's position (0-based) */
    unsigned char *buf;
    size_t cap, len, off; /* buf holds the file's bytes from pos - off on */
} pw_spill_cursor;

void pw_spill_cursor_init(pw_spill_cursor *c, const pw_spill *s, uint64_t pos);
void pw_spill_cursor_free(pw_spill_cursor *c);
/* The next record (valid until the next call). */
pw_status pw_spill_next(pw_spill_cursor *c, const unsigned char **p, size_t *n, pw_err *err);

/* The records the assessor writes: a request copy (already scrubbed) and a finding's detail
 * (legal reasoning, evidence, the position of its request), and a bare string (a fix). */
void pw_spill_enc_request(pw_buf *b, const pw_request *r);
void pw_spill_enc_detail(pw_buf *b, const char *legal, const pw_evidence *ev, size_t n_ev,
                         uint64_t request_at);
void pw_spill_enc_str(pw_buf *b, const char *s);

/* Decoders (into the arena); NULL or -1 when the record is damaged. */
pw_request *pw_spill_dec_request(pw_arena *a, const unsigned char *p, size_t n);
int pw_spill_dec_detail(pw_arena *a, const unsigned char *p, size_t n, const char **legal,
                        const pw_evidence **ev, size_t *n_ev, uint64_t *request_at);
const char *pw_spill_dec_str(pw_arena *a, const unsigned char *p, size_t n);

/* A spilled fix (a string record) and a spilled detail (legal reasoning, evidence and the request
 * it names), read back into the arena. */
pw_status pw_spill_read_str(const pw_spill *s, uint64_t at, pw_arena *a, const char **out,
                            pw_err *err);
pw_status pw_spill_read_detail(const pw_spill *s, uint64_t detail_at, pw_arena *a,
                               const char **legal, const pw_evidence **ev, size_t *n_ev,
                               const pw_request **req, pw_err *err);

/* The request URL of a spilled finding (for the sort's last tie-breakers), in the arena. */
const char *pw_spill_request_url(const pw_spill *s, uint64_t detail_at, pw_arena *a);

#endif
