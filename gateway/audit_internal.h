/*
 * audit_internal.h — what the audit writer (audit.c) and reader (audit_read.c) share: the chain
 * hash, the split of a line into its canonical bytes and hash, and time formatting.
 */
#ifndef PHIWALL_GW_AUDIT_INTERNAL_H
#define PHIWALL_GW_AUDIT_INTERNAL_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "audit.h"
#include "phiwall/buf.h"

/* The prev_hash of a chain's first record: 64 zeros. */
void pw_audit_hash_zero(char out[65]);
/* 1 when no byte of s[0..n) needs escaping as a JSON string (the audit record's fast path). */
int pw_audit_json_plain(const char *s, size_t n);

/* SHA-256(prev_hash (64 hex chars) || body) as hex. */
void pw_audit_chain_hash(const char prev_hash[65], const char *body, size_t n, char out[65]);

/* "2026-11-28T17:53:00.123Z" */
void pw_audit_format_time(int64_t ms, char out[32]);

/* A line (without its newline) ends in `,"hash":"<64 hex>"}`: the canonical body is everything
 * before that suffix. Returns 0 when the line does not have that shape. */
int pw_audit_split_line(const char *line, size_t n, size_t *body_len, char hash[65]);

/* Close a record whose canonical bytes start at b->data + start: appends its prev_hash, then
 * its hash and the line's end; prev_hash becomes the record's hash. */
void pw_audit_end_line(pw_buf *b, size_t start, char prev_hash[65]);

/* Whether a fields map (n bytes) is JSON that parsing and emitting it again would give back byte
 * for byte (audit_fields.c): then it is written as it is, with no parse (and no allocation). */
int pw_audit_fields_compact(const char *json, size_t n);

/* The records the log writes again itself after a failed sync cut them (audit_kept.c; the
 * log's, under its mutex), each as its middle (pw_audit_line_middle: what it says wherever it
 * stands in the chain; seq, prev_hash and hash are made anew when it is written back) and a
 * newline. pieces: one per write, where its kept records end in the file and in `middles`; a
 * sync that made the file durable up to some end drops the pieces up to it. */
typedef struct pw_audit_kept_piece {
    off_t file_end;
    size_t buf_end;
} pw_audit_kept_piece;

typedef struct pw_audit_kept {
    pw_buf middles; /* oldest first */
    pw_audit_kept_piece *pieces;
    size_t n_pieces, cap_pieces;
    int cut; /* a failed sync cut them from the file: the next write puts them back first */
} pw_audit_kept;

/* Capacity of the kept middles reused up to this: the ingest records written between two syncs
 * (100 ms of them in the gateway). Freeing it once empty above 4 MiB (like the batch buffer)
 * cost a third more CPU per record in bench_audit's ingest pattern (fresh pages every cycle). */
#define PW_AUDIT_KEPT_KEEP (64u << 20)

void pw_audit_kept_free(pw_audit_kept *k);
/* The write that holds the middles appended to k->middles since its last piece (after the ones a
 * cut took, which it wrote back first) ended at file_end in the file. 0 when out of memory (an
 * append to the middles failed too): nothing is kept, the caller syncs at once. */
int pw_audit_kept_written(pw_audit_kept *k, off_t file_end);
/* The write of the middles appended after the first len failed: they are dropped. */
void pw_audit_kept_unwritten(pw_audit_kept *k, size_t len);
/* The file is durable up to synced_end. */
void pw_audit_kept_synced(pw_audit_kept *k, off_t synced_end);
/* A failed sync cut the file back to its last durable end, with every kept line. */
void pw_audit_kept_cut(pw_audit_kept *k);

/* The bytes of a record line (without its newline) between its seq and its prev_hash: what is
 * the same wherever in the chain the record is. 0 when the line is not of the log's shape. */
int pw_audit_line_middle(const char *line, size_t n, const char **mid, size_t *mid_len);
/* Append lines (each ending in a newline) to b chained anew: seqs from *seq + 1, the first onto
 * hash; *seq and hash end as the last one's. 0 when a line is not of the log's shape or out of
 * memory. pw_audit_rechain_middles: the same from the middles of lines (pw_audit_kept). */
int pw_audit_rechain(pw_buf *b, const char *lines, size_t n, uint64_t *seq, char hash[65]);
int pw_audit_rechain_middles(pw_buf *b, const char *middles, size_t n, uint64_t *seq,
                             char hash[65]);

/* The prev_hash of a record line of the log's shape (pw_audit_line_middle said so). */
void pw_audit_line_prev_hash(const char *line, size_t n, char out[65]);

/* For the restore of held records (audit_hold.c). pw_audit_append_lines: append lines the log
 * wrote (each ending in a newline) chained anew at its end, synced. pw_audit_format_line: rec as
 * a line (seq 0, prev_hash zeros: only its middle counts). pw_audit_head: the last record's seq
 * and hash and the file's size after it. pw_audit_read_at: append up to `want` bytes of the log
 * from `off` (no further than its last whole record) to out. */
pw_status pw_audit_append_lines(pw_audit *a, const pw_buf *lines, pw_err *err);
pw_status pw_audit_format_line(pw_audit *a, const pw_audit_record *rec, pw_buf *out);
/* pw_audit_format_line with the log's mutex held (in a pw_audit_keep_fn). */
pw_status pw_audit_format_line_locked(pw_audit *a, const pw_audit_record *rec, pw_buf *out);
void pw_audit_head(pw_audit *a, uint64_t *seq, char hash[65], long long *end);
pw_status pw_audit_read_at(pw_audit *a, long long off, size_t want, pw_buf *out, pw_err *err);

/* Records a failed sync cut and the log could not write back yet (at a stop): handed to keep (the
 * lines, each ending in a newline; called under the log's mutex) and forgotten when it returns
 * PW_OK. *n: how many were handed over. */
typedef pw_status (*pw_audit_keep_fn)(void *ctx, const char *lines, size_t len, pw_err *err);
pw_status pw_audit_hand_over_cut(pw_audit *a, pw_audit_keep_fn keep, void *ctx, size_t *n,
                                 pw_err *err);

/* seq and hash of a record line (shape and seq checked, hash not recomputed). */
pw_status pw_audit_parse_chain_link(const char *line, size_t n, uint64_t *seq, char hash[65],
                                    pw_err *err);

/* The two halves of a synced append (pw_audit_append_batch), apart so that a test can put
 * other appenders' syncs between them. pw_audit_write writes recs (none: only fills *t) and
 * says in *t what to wait for; pw_audit_wait_durable returns once they are durable, or fails
 * if a failed sync cut them (the caller appends them again). */
typedef struct pw_audit_ticket {
    uint64_t seq;  /* of the last record written */
    uint64_t cuts; /* cuts made before they were written */
} pw_audit_ticket;

pw_status pw_audit_write(pw_audit *a, const pw_audit_record *recs, size_t n, pw_audit_ticket *t,
                         pw_err *err);
pw_status pw_audit_wait_durable(pw_audit *a, const pw_audit_ticket *t, pw_err *err);

/* Ingest before outcomes (audit_gate.c): tickets 1..issued handed out, every one <= low
 * returned; done[t % cap] flags the returned ones above low. */
typedef struct pw_audit_gate {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    uint64_t issued, low;
    unsigned char *done;
    size_t cap;
} pw_audit_gate;

void pw_audit_gate_init(pw_audit_gate *g);
void pw_audit_gate_destroy(pw_audit_gate *g);
uint64_t pw_audit_gate_begin(pw_audit_gate *g);
void pw_audit_gate_end(pw_audit_gate *g, const uint64_t *tickets, size_t n);
uint64_t pw_audit_gate_mark(pw_audit_gate *g);
int pw_audit_gate_wait(pw_audit_gate *g, uint64_t mark, unsigned timeout_ms);

#endif
