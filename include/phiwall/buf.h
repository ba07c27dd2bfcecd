/*
 * buf.h — a growable byte buffer (pw_buf) for output that is built incrementally: reports, JSON,
 * redacted copies, HTTP bodies. Heap-owned (not arena) because its final size is unknown and it
 * often outlives the unit of work that filled it.
 */
#ifndef PHIWALL_BUF_H
#define PHIWALL_BUF_H

#include <stdarg.h>
#include <stddef.h>

#include "phiwall/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct pw_buf {
    char *data; /* always NUL-terminated when len > 0 or after any append */
    size_t len;
    size_t cap;
    int failed; /* sticky: an append ran out of memory; later appends are no-ops */
    /* Optional (NULL: none): where pw_buf_spill hands the bytes so far, so a report of any size
     * is written in pieces rather than held whole. A non-OK return makes the buffer failed. */
    pw_status (*sink)(void *ctx, const char *p, size_t n);
    void *sink_ctx;
} pw_buf;

void pw_buf_init(pw_buf *b);
void pw_buf_free(pw_buf *b);
void pw_buf_clear(pw_buf *b); /* len = 0, keeps capacity */

/* Appends return PW_OK or PW_ERR_NOMEM (also recorded in b->failed). */
pw_status pw_buf_reserve(pw_buf *b, size_t extra);
pw_status pw_buf_append(pw_buf *b, const void *p, size_t n);
pw_status pw_buf_puts(pw_buf *b, const char *s);
pw_status pw_buf_putc(pw_buf *b, char c);
pw_status pw_buf_printf(pw_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
pw_status pw_buf_vprintf(pw_buf *b, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

/* Escapers used by every output format, so each exists once. */
pw_status pw_buf_json_string(pw_buf *b, const char *s, size_t n); /* writes "…" with escapes */
pw_status pw_buf_html_text(pw_buf *b, const char *s, size_t n);   /* &<>"' escaped */

/* With a sink and at least `at_least` bytes held: hand them to the sink and empty the buffer.
 * Writers call it only between the pieces they never revisit (a report's findings). */
pw_status pw_buf_spill(pw_buf *b, size_t at_least);
#define PW_BUF_SPILL_AT (256u * 1024u) /* what writers hold before spilling */

/* Take ownership of the bytes (caller frees with free()); the buffer is left empty. */
char *pw_buf_steal(pw_buf *b, size_t *len_out);

#ifdef __cplusplus
}
#endif
#endif
