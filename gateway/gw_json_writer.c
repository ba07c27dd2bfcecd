/* gw_json_writer.c — see gw_json_writer.h. */
#include "gw_json_writer.h"

#include <string.h>

void pw_gw_jw_init(pw_gw_jw *w, pw_buf *b)
{
    memset(w, 0, sizeof *w);
    w->b = b;
}

static void member(pw_gw_jw *w, const char *key)
{
    if (w->count[w->depth]++)
        pw_buf_putc(w->b, ',');
    if (key) {
        pw_buf_json_string(w->b, key, strlen(key));
        pw_buf_putc(w->b, ':');
    }
}

static void open_container(pw_gw_jw *w, const char *key, char c)
{
    member(w, key);
    pw_buf_putc(w->b, c);
    if (w->depth < 15)
        w->count[++w->depth] = 0;
}

void pw_gw_jw_obj(pw_gw_jw *w, const char *key)
{
    open_container(w, key, '{');
}

void pw_gw_jw_arr(pw_gw_jw *w, const char *key)
{
    open_container(w, key, '[');
}

void pw_gw_jw_end_obj(pw_gw_jw *w)
{
    pw_buf_putc(w->b, '}');
    if (w->depth > 0)
        w->depth--;
}

void pw_gw_jw_end_arr(pw_gw_jw *w)
{
    pw_buf_putc(w->b, ']');
    if (w->depth > 0)
        w->depth--;
}

void pw_gw_jw_strn(pw_gw_jw *w, const char *key, const char *s, size_t n)
{
    member(w, key);
    pw_buf_json_string(w->b, s, n);
}

void pw_gw_jw_str(pw_gw_jw *w, const char *key, const char *s)
{
    pw_gw_jw_strn(w, key, s, strlen(s));
}

void pw_gw_jw_raw(pw_gw_jw *w, const char *key, const char *raw)
{
    member(w, key);
    pw_buf_puts(w->b, raw);
}

void pw_gw_jw_int(pw_gw_jw *w, const char *key, long long v)
{
    member(w, key);
    pw_buf_printf(w->b, "%lld", v);
}
