/* gw_json_tree.c — yajl's event parser building an arena tree (see gw_json_tree.h). */
#include "gw_json_tree.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <yajl/yajl_parse.h>

/* ---- yajl's allocations in the arena (freed with it) --------------------------------- */

typedef struct { /* keeps what follows aligned as the arena aligns */
    _Alignas(16) size_t size;
} alloc_head;

static void *jt_malloc(void *ctx, size_t n)
{
    alloc_head *h = pw_arena_alloc(ctx, sizeof *h + n);
    if (!h)
        return NULL;
    h->size = n;
    return h + 1;
}

static void *jt_realloc(void *ctx, void *p, size_t n)
{
    if (!p)
        return jt_malloc(ctx, n);
    const alloc_head *old = (const alloc_head *)p - 1;
    if (n <= old->size)
        return p;
    void *q = jt_malloc(ctx, n);
    if (q)
        memcpy(q, p, old->size);
    return q;
}

static void jt_free(void *ctx, void *p)
{
    (void)ctx;
    (void)p;
}

/* ---- building the tree ---------------------------------------------------------------- */

typedef struct build {
    pw_arena *a;
    pw_gw_jt *root;
    pw_gw_jt **stack; /* open containers, innermost last */
    pw_gw_jt **tail;  /* last member of each open container */
    size_t depth, cap;
    const char *key; /* pending key of the innermost object */
    size_t key_len;
} build;

static char *copy_cstr(pw_arena *a, const unsigned char *s, size_t n, size_t *len)
{
    char *p = pw_arena_strndup(a, (const char *)s, n); /* a C string: ends at the first NUL */
    if (p)
        *len = strlen(p);
    return p;
}

static int add(build *b, pw_gw_jt *v)
{
    if (!b->depth) {
        b->root = v;
        return 1;
    }
    pw_gw_jt *parent = b->stack[b->depth - 1];
    if (parent->type == PW_GW_JT_OBJECT) {
        v->key = b->key;
        v->key_len = b->key_len;
        b->key = NULL;
    }
    if (b->tail[b->depth - 1])
        b->tail[b->depth - 1]->next = v;
    else
        parent->first = v;
    b->tail[b->depth - 1] = v;
    parent->n++;
    return 1;
}

static pw_gw_jt *node(build *b, pw_gw_jt_type t)
{
    pw_gw_jt *v = pw_arena_alloc(b->a, sizeof *v);
    if (v)
        *v = (pw_gw_jt){.type = t};
    return v;
}

static int add_new(build *b, pw_gw_jt_type t)
{
    pw_gw_jt *v = node(b, t);
    return v && add(b, v);
}

static int on_null(void *ctx)
{
    return add_new(ctx, PW_GW_JT_NULL);
}

static int on_bool(void *ctx, int v)
{
    return add_new(ctx, v ? PW_GW_JT_TRUE : PW_GW_JT_FALSE);
}

/* yajl's integer rule (yajl_parse_integer): optional sign, digits only, no overflow. */
static int int_of(const char *p, size_t n, long long *out)
{
    const char *end = p + n;
    long long sign = 1, v = 0;
    if (p < end && *p == '-') {
        sign = -1;
        p++;
    }
    if (p < end && *p == '+')
        p++;
    for (; p < end; p++) {
        if (*p < '0' || *p > '9')
            return 0;
        int d = *p - '0';
        if (v > (LLONG_MAX - d) / 10)
            return 0;
        v = v * 10 + d;
    }
    *out = sign * v;
    return 1;
}

static int on_number(void *ctx, const char *s, size_t n)
{
    build *b = ctx;
    pw_gw_jt *v = node(b, PW_GW_JT_NUMBER);
    if (!v || !(v->s = copy_cstr(b->a, (const unsigned char *)s, n, &v->len)))
        return 0;
    v->int_ok = int_of(v->s, v->len, &v->i);
    return add(b, v);
}

static int on_string(void *ctx, const unsigned char *s, size_t n)
{
    build *b = ctx;
    pw_gw_jt *v = node(b, PW_GW_JT_STRING);
    if (!v || !(v->s = copy_cstr(b->a, s, n, &v->len)))
        return 0;
    return add(b, v);
}

static int on_key(void *ctx, const unsigned char *s, size_t n)
{
    build *b = ctx;
    b->key = copy_cstr(b->a, s, n, &b->key_len);
    return b->key != NULL;
}

static int open_container(build *b, pw_gw_jt_type t)
{
    pw_gw_jt *v = node(b, t);
    if (!v || !add(b, v))
        return 0;
    if (b->depth == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 16;
        pw_gw_jt **s = pw_arena_alloc(b->a, cap * sizeof *s);
        pw_gw_jt **t2 = pw_arena_alloc(b->a, cap * sizeof *t2);
        if (!s || !t2)
            return 0;
        if (b->depth) {
            memcpy(s, b->stack, b->depth * sizeof *s);
            memcpy(t2, b->tail, b->depth * sizeof *t2);
        }
        b->stack = s;
        b->tail = t2;
        b->cap = cap;
    }
    b->stack[b->depth] = v;
    b->tail[b->depth] = NULL;
    b->depth++;
    return 1;
}

static int close_container(void *ctx)
{
    build *b = ctx;
    if (b->depth)
        b->depth--;
    return 1;
}

static int on_start_map(void *ctx)
{
    return open_container(ctx, PW_GW_JT_OBJECT);
}

static int on_start_array(void *ctx)
{
    return open_container(ctx, PW_GW_JT_ARRAY);
}

static const yajl_callbacks callbacks = {
    .yajl_null = on_null,
    .yajl_boolean = on_bool,
    .yajl_number = on_number,
    .yajl_string = on_string,
    .yajl_start_map = on_start_map,
    .yajl_map_key = on_key,
    .yajl_end_map = close_container,
    .yajl_start_array = on_start_array,
    .yajl_end_array = close_container,
};

/* yajl's verbose message, first line only (the rest quotes the input). */
static void error_text(yajl_handle h, const char *s, size_t n, char *errbuf, size_t errcap)
{
    unsigned char *msg = yajl_get_error(h, 1, (const unsigned char *)s, n);
    snprintf(errbuf, errcap, "%s", msg ? (const char *)msg : "parse error");
    errbuf[strcspn(errbuf, "\n")] = '\0';
}

pw_status pw_gw_jt_parse(pw_arena *a, const char *s, size_t n, pw_gw_jt **out, char *errbuf,
                         size_t errcap)
{
    build b = {.a = a};
    yajl_alloc_funcs af = {jt_malloc, jt_realloc, jt_free, a};
    *out = NULL;
    if (errcap)
        errbuf[0] = '\0';
    yajl_handle h = yajl_alloc(&callbacks, &af, &b);
    if (!h)
        return PW_ERR_NOMEM;
    yajl_config(h, yajl_allow_comments, 1);
    yajl_status st = yajl_parse(h, (const unsigned char *)s, n);
    if (st == yajl_status_ok)
        st = yajl_complete_parse(h);
    if (st == yajl_status_client_canceled)
        return PW_ERR_NOMEM; /* only an allocation stops the callbacks */
    if (st != yajl_status_ok) {
        if (errcap)
            error_text(h, s, n, errbuf, errcap);
        return PW_ERR_PARSE;
    }
    *out = b.root;
    return PW_OK;
}

const pw_gw_jt *pw_gw_jt_get(const pw_gw_jt *obj, const char *key)
{
    if (!obj || obj->type != PW_GW_JT_OBJECT)
        return NULL;
    for (const pw_gw_jt *m = obj->first; m; m = m->next)
        if (strcmp(m->key, key) == 0)
            return m;
    return NULL;
}
