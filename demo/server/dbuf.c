/* dbuf.c — growable byte buffer (see dbuf.h). */
#include "dbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int reserve(dbuf *b, size_t more)
{
    if (b->oom)
        return -1;
    if (b->n + more + 1 <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 1024;
    while (cap < b->n + more + 1)
        cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p) {
        b->oom = 1;
        return -1;
    }
    b->p = p;
    b->cap = cap;
    return 0;
}

void dbuf_add(dbuf *b, const char *s, size_t n)
{
    if (reserve(b, n) != 0)
        return;
    if (n)
        memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = '\0';
}

void dbuf_adds(dbuf *b, const char *s)
{
    dbuf_add(b, s, strlen(s));
}

void dbuf_printf(dbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char tmp[1024];
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n < sizeof tmp) {
        dbuf_add(b, tmp, (size_t)n);
        return;
    }
    if (reserve(b, (size_t)n) != 0)
        return;
    va_start(ap, fmt);
    vsnprintf(b->p + b->n, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->n += (size_t)n;
}

void dbuf_add_html(dbuf *b, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        switch (s[i]) {
        case '&': dbuf_adds(b, "&amp;"); break;
        case '<': dbuf_adds(b, "&lt;"); break;
        case '>': dbuf_adds(b, "&gt;"); break;
        case '"': dbuf_adds(b, "&quot;"); break;
        case '\'': dbuf_adds(b, "&#39;"); break;
        default: dbuf_add(b, s + i, 1);
        }
    }
}

int dbuf_read_file(dbuf *b, const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > (8 << 20))
        return -1;
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    char chunk[8192];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0)
        dbuf_add(b, chunk, got);
    int err = ferror(f);
    fclose(f);
    return err || b->oom ? -1 : 0;
}

void dbuf_free(dbuf *b)
{
    free(b->p);
    b->p = NULL;
    b->n = b->cap = 0;
}
