/* json_tree.c — JSON text to a yajl_tree, every allocation checked (see json_tree.h). */
#include "phiwall/json_tree.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct tb {
    yajl_val root;
    yajl_val stack[PW_JSON_MAX_DEPTH]; /* open containers, innermost last */
    size_t cap[PW_JSON_MAX_DEPTH];     /* room in each one's arrays */
    size_t depth;
    char *key; /* pending key of the innermost object */
    int too_deep;
    pw_json_probe *probe;
} tb;

static void *grow(tb *t, void *p, size_t n)
{
    return pw_json_probe_refuses(t->probe) ? NULL : realloc(p, n);
}

/* Room for one more member in the innermost container. */
static int make_room(tb *t, yajl_val c, size_t *cap)
{
    int obj = YAJL_IS_OBJECT(c);
    size_t len = obj ? c->u.object.len : c->u.array.len;
    if (len < *cap)
        return 1;
    size_t n = *cap ? *cap * 2 : 8;
    if (n > SIZE_MAX / sizeof(void *))
        return 0;
    if (obj) {
        const char **k = grow(t, c->u.object.keys, n * sizeof *k);
        if (!k)
            return 0;
        c->u.object.keys = k;
    }
    yajl_val *v = grow(t, obj ? c->u.object.values : c->u.array.values, n * sizeof *v);
    if (!v)
        return 0;
    if (obj)
        c->u.object.values = v;
    else
        c->u.array.values = v;
    *cap = n;
    return 1;
}

/* v joins its parent (or becomes the root); on failure the caller still owns it. */
static int add(tb *t, yajl_val v)
{
    if (!t->depth) {
        t->root = v;
        return 1;
    }
    yajl_val c = t->stack[t->depth - 1];
    if (!make_room(t, c, &t->cap[t->depth - 1]))
        return 0;
    if (YAJL_IS_OBJECT(c)) {
        c->u.object.keys[c->u.object.len] = t->key;
        c->u.object.values[c->u.object.len++] = v;
        t->key = NULL;
    } else {
        c->u.array.values[c->u.array.len++] = v;
    }
    return 1;
}

static yajl_val node(tb *t, yajl_type type)
{
    yajl_val v = pw_json_probe_malloc(t->probe, sizeof *v);
    if (v) {
        memset(v, 0, sizeof *v);
        v->type = type;
    }
    return v;
}

static char *text(tb *t, const void *s, size_t n)
{
    char *p = pw_json_probe_malloc(t->probe, n + 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

static int attach(tb *t, yajl_val v)
{
    if (v && add(t, v))
        return 1;
    yajl_tree_free(v);
    return 0;
}

static int on_null(void *ctx)
{
    return attach(ctx, node(ctx, yajl_t_null));
}

static int on_bool(void *ctx, int b)
{
    return attach(ctx, node(ctx, b ? yajl_t_true : yajl_t_false));
}

/* yajl_tree's rules: an integer by yajl's rule (pw_json_int_of), a double when strtod takes all
 * of it. */
static int on_number(void *ctx, const char *s, size_t n)
{
    tb *t = ctx;
    yajl_val v = node(t, yajl_t_number);
    if (v && !(v->u.number.r = text(t, s, n))) {
        free(v);
        v = NULL;
    }
    if (!v)
        return 0;
    if (pw_json_int_of(v->u.number.r, n, &v->u.number.i))
        v->u.number.flags |= YAJL_NUMBER_INT_VALID;
    char *end = NULL;
    errno = 0;
    v->u.number.d = strtod(v->u.number.r, &end);
    if (errno == 0 && end && *end == '\0')
        v->u.number.flags |= YAJL_NUMBER_DOUBLE_VALID;
    return attach(t, v);
}

static int on_string(void *ctx, const unsigned char *s, size_t n)
{
    tb *t = ctx;
    yajl_val v = node(t, yajl_t_string);
    if (v && !(v->u.string = text(t, s, n))) {
        free(v);
        v = NULL;
    }
    return attach(t, v);
}

static int on_key(void *ctx, const unsigned char *s, size_t n)
{
    tb *t = ctx;
    free(t->key); /* never set here: yajl alternates keys and values */
    t->key = text(t, s, n);
    return t->key != NULL;
}

static int open_container(void *ctx, yajl_type type)
{
    tb *t = ctx;
    if (t->depth >= PW_JSON_MAX_DEPTH) {
        t->too_deep = 1;
        return 0;
    }
    yajl_val v = node(t, type);
    if (!attach(t, v))
        return 0;
    t->cap[t->depth] = 0;
    t->stack[t->depth++] = v;
    return 1;
}

static int on_start_map(void *ctx)
{
    return open_container(ctx, yajl_t_object);
}

static int on_start_array(void *ctx)
{
    return open_container(ctx, yajl_t_array);
}

static int on_end(void *ctx)
{
    tb *t = ctx;
    if (t->depth)
        t->depth--;
    return 1;
}

static const yajl_callbacks callbacks = {
    .yajl_null = on_null,
    .yajl_boolean = on_bool,
    .yajl_number = on_number,
    .yajl_string = on_string,
    .yajl_start_map = on_start_map,
    .yajl_map_key = on_key,
    .yajl_end_map = on_end,
    .yajl_start_array = on_start_array,
    .yajl_end_array = on_end,
};

static void say(char *errbuf, size_t errcap, const char *msg)
{
    if (errcap)
        snprintf(errbuf, errcap, "%s", msg);
}

/* Parsed with yajl's allocations in a reserve: the stack's for small texts, a scratch arena's
 * for the rest (freed here: nothing yajl allocates outlives the parse). */
static pw_status run(tb *t, const char *s, size_t n, char *errbuf, size_t errcap)
{
    pw_arena scratch;
    pw_arena_init(&scratch, 0);
    _Alignas(16) unsigned char small[PW_JSON_RESERVE_STACK];
    pw_json_reserve r;
    yajl_handle h =
        pw_json_reserve_yajl(&r, &scratch, s, n, small, sizeof small, &callbacks, t, t->probe);
    if (!h) {
        say(errbuf, errcap, "out of memory");
        return PW_ERR_NOMEM;
    }
    yajl_config(h, yajl_allow_comments, 1);
    yajl_status ys = yajl_parse(h, (const unsigned char *)s, n);
    if (ys == yajl_status_ok)
        ys = yajl_complete_parse(h);
    pw_status st = PW_OK;
    if (ys == yajl_status_error) {
        pw_json_error_line(h, s, n, errbuf, errcap);
        st = PW_ERR_PARSE;
    } else if (ys == yajl_status_client_canceled && t->too_deep) {
        if (errcap)
            snprintf(errbuf, errcap, "nesting deeper than %d", PW_JSON_MAX_DEPTH);
        st = PW_ERR_LIMIT;
    } else if (ys == yajl_status_client_canceled) { /* otherwise only an allocation stops it */
        say(errbuf, errcap, "out of memory");
        st = PW_ERR_NOMEM;
    }
    yajl_free(h);
    pw_json_reserve_done(&r);
    pw_arena_free(&scratch);
    return st;
}

pw_status pw_json_tree_parse(const char *s, size_t n, yajl_val *out, char *errbuf, size_t errcap,
                             pw_json_probe *probe)
{
    *out = NULL;
    if (errcap)
        errbuf[0] = '\0';
    tb *t = pw_json_probe_malloc(probe, sizeof *t);
    if (!t) {
        say(errbuf, errcap, "out of memory");
        return PW_ERR_NOMEM;
    }
    memset(t, 0, sizeof *t);
    t->probe = probe;
    pw_status st = run(t, s, n, errbuf, errcap);
    if (st == PW_OK)
        *out = t->root;
    else
        yajl_tree_free(t->root);
    free(t->key);
    free(t);
    return st;
}
