/*
 * body_json.c — flatten a JSON document into dotted key/value pairs with yajl's event API:
 * {"context":{"page":{"url":"u"}},"batch":[{"event":"e"}]} gives "context.page.url" = "u" and
 * "batch.0.event" = "e". Strings arrive unescaped (one decoding layer); numbers keep their text;
 * true/false/null become "true"/"false"/"null". Depth beyond DK_MAX_DEPTH and more than
 * DK_MAX_PAIRS values stop the parse with PW_ERR_LIMIT naming the field; syntax errors give
 * PW_ERR_PARSE with the byte offset.
 *
 * The members of an object are judged together by the PHI engine: {"name":"Knee Brace",
 * "price":"34.99"} is a product's name, {"data":{"name":…,"email":…}} a person's. Each object's
 * own keys are read as they arrive (pw_detect_object_kind); when it closes, the pairs it holds
 * directly (not those of nested containers) get its kind (dk_pairs_object).
 */
#include <stdio.h>
#include <string.h>
#include <yajl/yajl_parse.h>

#include "decode_internal.h"
#include "phiwall/buf.h"
#include "phiwall/json_reserve.h"

typedef struct frame {
    int is_array;
    size_t index;
    size_t base_len;   /* path length at the container's own key */
    size_t first_pair; /* out->n when the container opened */
    int person, thing; /* an object's own keys so far: a person's member, a thing's */
} frame;

typedef struct flat {
    pw_arena *a;
    dk_pairs *out;
    pw_err *err;
    pw_status st;
    pw_buf path;
    frame stack[DK_MAX_DEPTH + 1];
    int depth;
    size_t n0;            /* out->n before the parse */
    unsigned char *level; /* per pair of this parse, the depth it was emitted at */
    size_t level_cap;
} flat;

static void set_component(flat *f, const char *k, size_t n)
{
    size_t base = f->depth ? f->stack[f->depth - 1].base_len : f->path.len;
    f->path.len = base;
    if (f->path.data)
        f->path.data[base] = '\0';
    if (base)
        pw_buf_putc(&f->path, '.');
    pw_buf_append(&f->path, k, n);
}

/* Before any value: inside an array the component is the element's index. */
static void begin_value(flat *f)
{
    if (f->depth == 0 || !f->stack[f->depth - 1].is_array)
        return;
    char num[24];
    int n = snprintf(num, sizeof num, "%zu", f->stack[f->depth - 1].index++);
    set_component(f, num, (size_t)n);
}

/* Remember the depth of the pair just pushed: its object gives it a kind when it closes. */
static int note_level(flat *f)
{
    size_t i = f->out->n - 1 - f->n0;
    if (i >= f->level_cap) {
        size_t cap = f->level_cap ? f->level_cap * 2 : 64;
        unsigned char *l = pw_arena_alloc(f->a, cap);
        if (!l) {
            f->st = pw_err_set(f->err, PW_ERR_NOMEM, "json: out of memory");
            return 0;
        }
        if (i)
            memcpy(l, f->level, i);
        f->level = l;
        f->level_cap = cap;
    }
    f->level[i] = (unsigned char)f->depth;
    return 1;
}

static int emit(flat *f, const char *v, size_t n)
{
    begin_value(f);
    if (f->path.failed) {
        f->st = pw_err_set(f->err, PW_ERR_NOMEM, "json: out of memory");
        return 0;
    }
    const char *key = f->path.data ? f->path.data : "";
    char *k = dk_dup(f->a, key, f->path.len);
    char *val = dk_dup(f->a, v, n);
    if (!k || !val) {
        f->st = pw_err_set(f->err, PW_ERR_NOMEM, "json: out of memory");
        return 0;
    }
    f->st = dk_pairs_push(f->a, f->out, k, f->path.len, val, n, f->err);
    return f->st == PW_OK && note_level(f);
}

static int on_null(void *ctx)
{
    return emit(ctx, "null", 4);
}

static int on_bool(void *ctx, int b)
{
    return emit(ctx, b ? "true" : "false", b ? 4 : 5);
}

static int on_number(void *ctx, const char *s, size_t n)
{
    return emit(ctx, s, n);
}

static int on_string(void *ctx, const unsigned char *s, size_t n)
{
    return emit(ctx, (const char *)s, n);
}

static int open_container(flat *f, int is_array)
{
    begin_value(f);
    if (f->depth >= DK_MAX_DEPTH) {
        f->st = pw_err_set(f->err, PW_ERR_LIMIT, "json: field '%.80s': nesting deeper than %d",
                           f->path.data ? f->path.data : "", DK_MAX_DEPTH);
        return 0;
    }
    f->stack[f->depth++] =
        (frame){.is_array = is_array, .base_len = f->path.len, .first_pair = f->out->n};
    return 1;
}

static int on_start_map(void *ctx)
{
    return open_container(ctx, 0);
}

static int on_start_array(void *ctx)
{
    return open_container(ctx, 1);
}

static int on_key(void *ctx, const unsigned char *k, size_t n)
{
    flat *f = ctx;
    set_component(f, (const char *)k, n);
    frame *fr = f->depth ? &f->stack[f->depth - 1] : NULL;
    if (!fr || fr->person || !f->path.data || f->path.failed)
        return 1; /* a person's member decides: the other keys cannot change the kind */
    const char *key = f->path.data + f->path.len - n; /* NUL-terminated by the buffer */
    pw_detect_object o = pw_detect_object_kind(&key, 1);
    fr->person = o == PW_OBJECT_PERSON;
    fr->thing |= o == PW_OBJECT_THING;
    return 1;
}

/* An object closes: its kind goes to the pairs it holds directly. */
static int give_kind(flat *f, const frame *fr)
{
    if (fr->is_array || (!fr->person && !fr->thing))
        return 1;
    pw_detect_object o = fr->person ? PW_OBJECT_PERSON : PW_OBJECT_THING;
    for (size_t i = fr->first_pair; i < f->out->n; i++) {
        if (f->level[i - f->n0] != f->depth)
            continue;
        if (dk_pairs_set_object(f->a, f->out, i, o) != PW_OK) {
            f->st = pw_err_set(f->err, PW_ERR_NOMEM, "json: out of memory");
            return 0;
        }
    }
    return 1;
}

static int on_end(void *ctx)
{
    flat *f = ctx;
    if (f->depth > 0 && !give_kind(f, &f->stack[f->depth - 1]))
        return 0;
    if (f->depth > 0) {
        f->path.len = f->stack[--f->depth].base_len;
        if (f->path.data)
            f->path.data[f->path.len] = '\0';
    }
    return 1;
}

static const yajl_callbacks callbacks = {
    on_null,      on_bool, NULL,   NULL,           on_number, on_string,
    on_start_map, on_key,  on_end, on_start_array, on_end,
};

static pw_status parse_error(flat *f, yajl_handle h, const char *s, size_t n)
{
    size_t off = yajl_get_bytes_consumed(h);
    unsigned char *msg = yajl_get_error(h, 0, (const unsigned char *)s, n);
    pw_status st = pw_err_set(f->err, PW_ERR_PARSE, "json: byte %zu: %s", off,
                              msg ? (const char *)msg : "malformed");
    if (msg)
        yajl_free_error(h, msg);
    return st;
}

pw_status dk_body_json(pw_arena *a, const char *prefix, const char *s, size_t n, dk_pairs *out,
                       pw_err *err)
{
    return dk_body_json_probe(a, prefix, s, n, out, err, NULL);
}

/* The parse with yajl's allocations in a reserve (phiwall/json_reserve.h): yajl checks none of
 * them, so a failed malloc inside it was a crash. The reserve lives in a scratch arena (or on the
 * stack), freed here: it is several times the body for a large one, and the scan's arena keeps
 * what it holds to the end. */
static pw_status parse(flat *f, const char *s, size_t n, pw_json_probe *probe)
{
    pw_arena scratch;
    pw_arena_init(&scratch, 0);
    _Alignas(16) unsigned char small[PW_JSON_RESERVE_STACK];
    pw_json_reserve r;
    yajl_handle h =
        pw_json_reserve_yajl(&r, &scratch, s, n, small, sizeof small, &callbacks, f, probe);
    if (!h) {
        pw_arena_free(&scratch);
        return pw_err_set(f->err, PW_ERR_NOMEM, "json: out of memory (%zu bytes of JSON)", n);
    }
    yajl_config(h, yajl_dont_validate_strings, 1);
    yajl_status ys = yajl_parse(h, (const unsigned char *)s, n);
    if (ys == yajl_status_ok)
        ys = yajl_complete_parse(h);
    pw_status st = PW_OK;
    if (ys == yajl_status_client_canceled)
        st = f->st != PW_OK ? f->st : pw_err_set(f->err, PW_ERR_PARSE, "json: stopped");
    else if (ys != yajl_status_ok)
        st = parse_error(f, h, s, n);
    yajl_free(h);
    pw_json_reserve_done(&r);
    pw_arena_free(&scratch);
    return st;
}

pw_status dk_body_json_probe(pw_arena *a, const char *prefix, const char *s, size_t n,
                             dk_pairs *out, pw_err *err, pw_json_probe *probe)
{
    flat f = {.a = a, .out = out, .err = err, .st = PW_OK, .n0 = out->n};
    pw_buf_init(&f.path);
    if (prefix && *prefix)
        pw_buf_puts(&f.path, prefix);
    pw_status st = parse(&f, s, n, probe);
    pw_buf_free(&f.path);
    return st;
}
