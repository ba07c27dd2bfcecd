/* gw_json.c — bounded parsing, lookup and compact re-emission of JSON (see gw_json.h). */
#include "gw_json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Bytes that end a run inside a JSON string. */
static const unsigned char string_stop[256] = {['"'] = 1, ['\\'] = 1};

/* Stops early past max. Inside strings only their end and escapes matter: runs of other bytes
 * are skipped with one table look-up per byte (most of an event's bytes are in strings). */
int pw_gw_json_nesting_ok(const char *s, size_t n, int max)
{
    const unsigned char *u = (const unsigned char *)s;
    int depth = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = u[i];
        if (c == '"') {
            for (i++;; i += 2) { /* past an escape: the backslash and the byte after it */
                while (i < n && !string_stop[u[i]])
                    i++;
                if (i >= n || u[i] == '"')
                    break;
            }
            continue;
        }
        if ((c == '[' || c == '{') && ++depth > max)
            return 0;
        else if ((c == ']' || c == '}') && depth > 0)
            depth--;
    }
    return 1;
}

yajl_val pw_gw_json_parse(const char *s, size_t n, char *errbuf, size_t errcap)
{
    char dummy[8];
    if (!errbuf) {
        errbuf = dummy;
        errcap = sizeof dummy;
    }
    errbuf[0] = '\0';
    if (!pw_gw_json_nesting_ok(s, n, PW_GW_JSON_MAX_DEPTH)) {
        snprintf(errbuf, errcap, "nesting deeper than %d", PW_GW_JSON_MAX_DEPTH);
        return NULL;
    }
    if (memchr(s, '\0', n)) {
        snprintf(errbuf, errcap, "NUL byte in JSON text");
        return NULL;
    }
    char *copy = malloc(n + 1);
    if (!copy) {
        snprintf(errbuf, errcap, "out of memory");
        return NULL;
    }
    memcpy(copy, s, n);
    copy[n] = '\0';
    yajl_val v = yajl_tree_parse(copy, errbuf, errcap);
    free(copy);
    if (v && errbuf != dummy)
        errbuf[0] = '\0';
    return v;
}

yajl_val pw_gw_json_get(yajl_val obj, const char *key)
{
    if (!YAJL_IS_OBJECT(obj))
        return NULL;
    for (size_t i = 0; i < obj->u.object.len; i++)
        if (strcmp(obj->u.object.keys[i], key) == 0)
            return obj->u.object.values[i];
    return NULL;
}

const char *pw_gw_json_str(yajl_val obj, const char *key)
{
    yajl_val v = pw_gw_json_get(obj, key);
    return YAJL_IS_STRING(v) ? YAJL_GET_STRING(v) : NULL;
}

static pw_status emit_object(pw_buf *b, yajl_val v)
{
    pw_buf_putc(b, '{');
    for (size_t i = 0; i < v->u.object.len; i++) {
        if (i)
            pw_buf_putc(b, ',');
        const char *k = v->u.object.keys[i];
        pw_buf_json_string(b, k, strlen(k));
        pw_buf_putc(b, ':');
        pw_gw_json_emit(b, v->u.object.values[i]);
    }
    return pw_buf_putc(b, '}');
}

static pw_status emit_array(pw_buf *b, yajl_val v)
{
    pw_buf_putc(b, '[');
    for (size_t i = 0; i < v->u.array.len; i++) {
        if (i)
            pw_buf_putc(b, ',');
        pw_gw_json_emit(b, v->u.array.values[i]);
    }
    return pw_buf_putc(b, ']');
}

pw_status pw_gw_json_emit(pw_buf *b, yajl_val v)
{
    if (!v)
        return pw_buf_puts(b, "null");
    switch (v->type) {
    case yajl_t_string: return pw_buf_json_string(b, v->u.string, strlen(v->u.string));
    case yajl_t_number: return pw_buf_puts(b, v->u.number.r);
    case yajl_t_object: return emit_object(b, v);
    case yajl_t_array: return emit_array(b, v);
    case yajl_t_true: return pw_buf_puts(b, "true");
    case yajl_t_false: return pw_buf_puts(b, "false");
    default: return pw_buf_puts(b, "null");
    }
}

size_t pw_gw_utf8_len(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            n++;
    return n;
}
