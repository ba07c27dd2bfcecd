/*
 * dbuf.h — growable byte buffer for the demo server's responses and file reads. Allocation
 * failure is sticky (oom set, further appends ignored) so callers check once at the end.
 */
#ifndef DEMO_DBUF_H
#define DEMO_DBUF_H

#include <stddef.h>

typedef struct dbuf {
    char *p;
    size_t n;
    size_t cap;
    int oom;
} dbuf;

void dbuf_add(dbuf *b, const char *s, size_t n);
void dbuf_adds(dbuf *b, const char *s);
void dbuf_printf(dbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends s[0..n) with &, <, >, ", ' escaped for HTML text and attribute values. */
void dbuf_add_html(dbuf *b, const char *s, size_t n);
/* Reads a whole regular file (at most 8 MiB). Returns 0, or -1 when missing/unreadable. */
int dbuf_read_file(dbuf *b, const char *path);
void dbuf_free(dbuf *b);

#endif
