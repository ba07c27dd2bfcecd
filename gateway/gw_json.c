/* gw_json.c — bounded parsing, lookup and compact re-emission of JSON (see gw_json.h). */
#include "gw_json.h"

#include <errno.h>
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

/* yajl_tree's number: its text, the integer when yajl's rule allows, the double when strtod
 * reads the whole text. */
static void set_number(yajl_val v, const pw_gw_jt *j)
{
    v->u.number.flags = 0;
    if (j->int_ok) {
        v->u.number.i = j->i;
        v->u.number.flags |= YAJL_NUMBER_INT_VALID;
    }
    char *end = NULL;
    errno = 0;
    v->u.number.d = strtod(j->s, &end);
    if (errno == 0 && end && *end == '\0')
        v->u.number.flags |= YAJL_NUMBER_DOUBLE_VALID;
}

/* A string of the tree: its own copy when the parts are owned, else the tree's. */
static char *text_of(const pw_gw_json_alloc *al, const char *s, size_t len)
{
    if (!al->owned)
        return (char *)s;
    char *p = al->alloc(al->ctx, len + 1);
    if (p)
        memcpy(p, s, len + 1);
    return p;
}

/* The members of container j into v (zeroed arrays, len counting those done, so that a tree
 * left half-made is still one yajl_tree_free frees). */
static int members_of(yajl_val v, const pw_gw_jt *j, const pw_gw_json_alloc *al)
{
    int obj = j->type == PW_GW_JT_OBJECT;
    if (!j->n)
        return 1;
    yajl_val *values = al->alloc(al->ctx, j->n * sizeof *values);
    const char **keys = NULL;
    if (values && obj && (keys = al->alloc(al->ctx, j->n * sizeof *keys)) == NULL && al->owned)
        free(values);
    if (!values || (obj && !keys))
        return 0;
    if (obj) {
        v->u.object.keys = keys;
        v->u.object.values = values;
    } else {
        v->u.array.values = values;
    }
    size_t i = 0;
    for (const pw_gw_jt *m = j->first; m && i < j->n; m = m->next, i++) {
        char *key = obj ? text_of(al, m->key, m->key_len) : NULL;
        yajl_val mv = !obj || key ? pw_gw_json_from_tree(m, al) : NULL;
        if (!mv) {
            if (al->owned)
                free(key);
            return 0;
        }
        values[i] = mv;
        if (obj) {
            keys[i] = key;
            v->u.object.len = i + 1;
        } else {
            v->u.array.len = i + 1;
        }
    }
    return 1;
}

yajl_val pw_gw_json_from_tree(const pw_gw_jt *j, const pw_gw_json_alloc *al)
{
    static const yajl_type types[] = {
        [PW_GW_JT_NULL] = yajl_t_null,     [PW_GW_JT_FALSE] = yajl_t_false,
        [PW_GW_JT_TRUE] = yajl_t_true,     [PW_GW_JT_NUMBER] = yajl_t_number,
        [PW_GW_JT_STRING] = yajl_t_string, [PW_GW_JT_OBJECT] = yajl_t_object,
        [PW_GW_JT_ARRAY] = yajl_t_array};
    yajl_val v = al->alloc(al->ctx, sizeof *v);
    if (!v)
        return NULL;
    memset(v, 0, sizeof *v);
    v->type = types[j->type];
    int ok = 1;
    if (j->type == PW_GW_JT_STRING)
        ok = (v->u.string = text_of(al, j->s, j->len)) != NULL;
    else if (j->type == PW_GW_JT_NUMBER &&
             (ok = (v->u.number.r = text_of(al, j->s, j->len)) != NULL))
        set_number(v, j);
    else if (j->type == PW_GW_JT_OBJECT || j->type == PW_GW_JT_ARRAY)
        ok = members_of(v, j, al);
    if (ok)
        return v;
    if (al->owned)
        yajl_tree_free(v);
    return NULL;
}

yajl_val pw_gw_json_parse(const char *s, size_t n, char *errbuf, size_t errcap)
{
    return pw_gw_json_parse_probe(s, n, errbuf, errcap, NULL);
}

/* malloc, or a failure a probe asks for. */
static void *owned_alloc(void *ctx, size_t n)
{
    pw_gw_jt_probe *probe = ctx;
    if (probe && probe->fail && probe->fail(probe->ctx))
        return NULL;
    return malloc(n);
}

/* Parsed into the arena tree (its allocations checked, yajl's from a reserve: gw_json_tree.c),
 * then copied into yajl_tree's layout, malloc'd part by part as yajl_tree_free expects. Before,
 * yajl_tree_parse: its yajl handle asked malloc unchecked, and a failed allocation crashed. */
yajl_val pw_gw_json_parse_probe(const char *s, size_t n, char *errbuf, size_t errcap,
                                pw_gw_jt_probe *probe)
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
    pw_arena a;
    pw_arena_init(&a, n < 2048 ? 4096 : 0);
    pw_gw_jt *root = NULL;
    pw_status st = pw_gw_jt_parse_probe(&a, s, n, &root, errbuf, errcap, probe);
    pw_gw_json_alloc al = {owned_alloc, probe, 1};
    yajl_val v = st == PW_OK ? pw_gw_json_from_tree(root, &al) : NULL;
    pw_arena_free(&a);
    if (!v && (st == PW_OK || st == PW_ERR_NOMEM))
        snprintf(errbuf, errcap, "out of memory");
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
