/* json_writer.c — the report stage's indented JSON writer (see json_writer.h). */
#include <math.h>
#include <string.h>

#include "report/json_writer.h"

void pw_jw_init(pw_jw *w, pw_buf *b)
{
    memset(w, 0, sizeof *w);
    w->b = b;
}

static void newline(pw_jw *w)
{
    pw_buf_putc(w->b, '\n');
    for (int i = 0; i < w->depth; i++)
        pw_buf_puts(w->b, "  ");
}

/* Separator before a value (or a key) inside the current container. */
static void before(pw_jw *w)
{
    if (w->after_key) {
        w->after_key = 0;
        return;
    }
    if (w->depth == 0)
        return;
    if (w->has_item[w->depth])
        pw_buf_putc(w->b, ',');
    w->has_item[w->depth] = 1;
    newline(w);
}

static void open_container(pw_jw *w, char c)
{
    before(w);
    pw_buf_putc(w->b, c);
    if (w->depth < PW_JW_DEPTH - 1)
        w->depth++;
    w->has_item[w->depth] = 0;
}

static void close_container(pw_jw *w, char c)
{
    int had = w->has_item[w->depth];
    if (w->depth > 0)
        w->depth--;
    if (had)
        newline(w);
    pw_buf_putc(w->b, c);
    if (w->depth == 0)
        pw_buf_putc(w->b, '\n');
}

void pw_jw_obj(pw_jw *w)
{
    open_container(w, '{');
}
void pw_jw_end_obj(pw_jw *w)
{
    close_container(w, '}');
}
void pw_jw_arr(pw_jw *w)
{
    open_container(w, '[');
}
void pw_jw_end_arr(pw_jw *w)
{
    close_container(w, ']');
}

void pw_jw_key(pw_jw *w, const char *k)
{
    before(w);
    pw_buf_json_string(w->b, k, strlen(k));
    pw_buf_puts(w->b, ": ");
    w->after_key = 1;
}

void pw_jw_strn(pw_jw *w, const char *s, size_t n)
{
    before(w);
    if (s)
        pw_buf_json_string(w->b, s, n);
    else
        pw_buf_puts(w->b, "null");
}

void pw_jw_str(pw_jw *w, const char *s)
{
    pw_jw_strn(w, s, s ? strlen(s) : 0);
}

void pw_jw_int(pw_jw *w, long long v)
{
    before(w);
    pw_buf_printf(w->b, "%lld", v);
}

void pw_jw_num(pw_jw *w, double v)
{
    before(w);
    if (isfinite(v))
        pw_buf_printf(w->b, "%.17g", v);
    else
        pw_buf_puts(w->b, "null");
}

void pw_jw_bool(pw_jw *w, int v)
{
    before(w);
    pw_buf_puts(w->b, v ? "true" : "false");
}

void pw_jw_null(pw_jw *w)
{
    before(w);
    pw_buf_puts(w->b, "null");
}

void pw_jw_kstr(pw_jw *w, const char *k, const char *s)
{
    pw_jw_key(w, k);
    pw_jw_str(w, s);
}

void pw_jw_kint(pw_jw *w, const char *k, long long v)
{
    pw_jw_key(w, k);
    pw_jw_int(w, v);
}
