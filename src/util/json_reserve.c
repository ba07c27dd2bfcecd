/* json_reserve.c — allocators that make yajl's allocations never fail (see json_reserve.h). */
#include "phiwall/json_reserve.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * What yajl 2.1 asks for (yajl_alloc.c, yajl_lex.c, yajl_buf.c, yajl_bytestack.h):
 *   - its handle, lexer, two buffer heads and an error message: FIXED;
 *   - two growing buffers (the lexer's, for a token cut by the end of a run, and the decoded
 *     string): each holds at most the token and a NUL, starts at 2048 bytes and doubles;
 *   - its state stack: 128 more entries each time it is full, one entry per open container and
 *     one more.
 */
#define ALIGN      16
#define HEAD       sizeof(alloc_head)
#define FIXED      2048
#define BUF_FIRST  2048
#define STACK_STEP 128

typedef struct { /* keeps what follows aligned as the arena aligns */
    _Alignas(ALIGN) size_t size;
    size_t spare; /* pw_json_spare: served from the spare (not from malloc) */
} alloc_head;

static size_t block(size_t n)
{
    return HEAD + ((n + ALIGN - 1) & ~(size_t)(ALIGN - 1));
}

void *pw_json_probe_malloc(pw_json_probe *p, size_t n)
{
    return pw_json_probe_refuses(p) ? NULL : malloc(n);
}

/* ---- a whole text: one reserve, bump allocation ---- */

/* A buffer grown to hold `most` bytes: every size it took a new block in the worst case. */
static size_t buf_bound(size_t most)
{
    size_t len = BUF_FIRST, sum = block(len);
    while (len <= most) {
        len *= 2;
        sum += block(len);
    }
    return sum;
}

/* Occurrences of c in s[0..n), counted up to max (memchr: few brackets, few steps). */
static size_t count_upto(const char *s, size_t n, char c, size_t max)
{
    size_t k = 0;
    const char *end = s + n;
    for (const char *p = s; k < max && (p = memchr(p, c, (size_t)(end - p))) != NULL; p++)
        k++;
    return k;
}

/* At most PW_JSON_MAX_DEPTH containers open, and no more than the text has brackets. */
static size_t stack_bound(const char *s, size_t n)
{
    size_t brackets = count_upto(s, n, '[', PW_JSON_MAX_DEPTH);
    brackets += count_upto(s, n, '{', PW_JSON_MAX_DEPTH - brackets);
    size_t entries = brackets + 2;
    size_t sum = 0;
    for (size_t size = STACK_STEP; size < entries + STACK_STEP; size += STACK_STEP)
        sum += block(size);
    return sum;
}

size_t pw_json_reserve_bound(const char *s, size_t n)
{
    if (n > SIZE_MAX / 8)
        return 0;
    return FIXED + 2 * buf_bound(n + 2) + stack_bound(s, n);
}

pw_status pw_json_reserve_take(pw_json_reserve *r, pw_arena *a, const char *s, size_t n,
                               void *small, size_t small_cap, pw_json_probe *probe)
{
    *r = (pw_json_reserve){.cap = pw_json_reserve_bound(s, n), .a = a, .probe = probe};
    if (small && r->cap && r->cap <= small_cap)
        r->base = small;
    else if (r->cap && !pw_json_probe_refuses(probe))
        r->base = pw_arena_alloc(a, r->cap);
    if (probe)
        probe->reserve = r->cap;
    return r->base ? PW_OK : PW_ERR_NOMEM;
}

static void *reserve_malloc(void *ctx, size_t n)
{
    pw_json_reserve *r = ctx;
    if (n > r->cap || block(n) > r->cap - r->used) {
        r->overflow = 1;
        alloc_head *h = pw_arena_alloc(r->a, HEAD + n);
        if (!h)
            return NULL; /* a crash in yajl: only if the bound above is wrong and memory is out */
        h->size = n;
        return h + 1;
    }
    alloc_head *h = (alloc_head *)(r->base + r->used);
    h->size = n;
    r->last = r->used;
    r->used += block(n);
    return h + 1;
}

static void *reserve_realloc(void *ctx, void *ptr, size_t n)
{
    pw_json_reserve *r = ctx;
    if (!ptr)
        return reserve_malloc(ctx, n);
    alloc_head *h = (alloc_head *)ptr - 1;
    if (n <= h->size)
        return ptr;
    if ((unsigned char *)h == r->base + r->last && n <= r->cap &&
        block(n) <= r->cap - r->last) { /* the newest block: grows in place */
        h->size = n;
        r->used = r->last + block(n);
        return ptr;
    }
    void *q = reserve_malloc(ctx, n);
    if (q)
        memcpy(q, ptr, h->size);
    return q;
}

static void reserve_free(void *ctx, void *ptr)
{
    (void)ctx;
    (void)ptr;
}

yajl_alloc_funcs pw_json_reserve_funcs(pw_json_reserve *r)
{
    return (yajl_alloc_funcs){reserve_malloc, reserve_realloc, reserve_free, r};
}

yajl_handle pw_json_reserve_yajl(pw_json_reserve *r, pw_arena *a, const char *s, size_t n,
                                 void *small, size_t small_cap, const yajl_callbacks *cb, void *ctx,
                                 pw_json_probe *probe)
{
    if (pw_json_reserve_take(r, a, s, n, small, small_cap, probe) != PW_OK)
        return NULL;
    yajl_alloc_funcs af = pw_json_reserve_funcs(r); /* yajl_alloc keeps a copy */
    return yajl_alloc(cb, &af, ctx);
}

void pw_json_error_line(yajl_handle h, const char *s, size_t n, char *errbuf, size_t errcap)
{
    if (!errcap)
        return;
    unsigned char *msg = yajl_get_error(h, 1, (const unsigned char *)s, n);
    snprintf(errbuf, errcap, "%s", msg ? (const char *)msg : "parse error");
    errbuf[strcspn(errbuf, "\n")] = '\0';
    if (msg)
        yajl_free_error(h, msg);
}

void pw_json_reserve_done(pw_json_reserve *r)
{
    if (!r->probe)
        return;
    r->probe->peak = r->used;
    r->probe->overflow = r->overflow;
}

/* ---- a stream: malloc, and a spare for the allocations that fail ---- */
/*
 * Once a malloc fails, the parser's callbacks cancel at the next event, so the spare need hold
 * only what yajl asks for between the failure and that event, or the end of the run: the rest of
 * one token — the lexer's buffer and the decoded string, each growing once, to at most the
 * smallest doubling of 2 KiB above what it held (at most `largest`, the largest block yajl has)
 * and the run — one push on its state stack (128 entries more than it had) and an error message.
 * Untouched, the spare is address space, not resident memory.
 */

static size_t grown(size_t most)
{
    size_t len = BUF_FIRST;
    while (len <= most && len <= SIZE_MAX / 4)
        len *= 2;
    return len;
}

static size_t spare_bound(const pw_json_spare *s, size_t run)
{
    return 2 * FIXED + 2 * block(grown(s->largest + run + 2)) + block(s->largest + STACK_STEP);
}

void pw_json_spare_init(pw_json_spare *s, pw_json_probe *probe)
{
    *s = (pw_json_spare){.probe = probe};
}

pw_status pw_json_spare_refill(pw_json_spare *s, size_t run)
{
    if (s->nomem)
        return PW_ERR_NOMEM;
    if (run > SIZE_MAX / 8 || s->largest > SIZE_MAX / 8)
        return PW_ERR_NOMEM;
    size_t need = spare_bound(s, run);
    if (s->probe)
        s->probe->reserve = need;
    if (need <= s->cap)
        return PW_OK;
    free(s->spare);
    s->spare = pw_json_probe_malloc(s->probe, need);
    s->cap = s->spare ? need : 0;
    return s->spare ? PW_OK : PW_ERR_NOMEM;
}

static void *spare_take(pw_json_spare *s, size_t n)
{
    s->nomem = 1;
    if (n > s->cap || block(n) > s->cap - s->used) {
        if (s->probe)
            s->probe->overflow = 1;
        return NULL; /* a crash in yajl: only if the bound above is wrong */
    }
    alloc_head *h = (alloc_head *)(s->spare + s->used);
    h->size = n;
    h->spare = 1;
    s->used += block(n);
    if (s->probe && s->used > s->probe->peak)
        s->probe->peak = s->used;
    return h + 1;
}

static void *spare_malloc(void *ctx, size_t n)
{
    pw_json_spare *s = ctx;
    alloc_head *h = n <= SIZE_MAX - HEAD ? pw_json_probe_malloc(s->probe, HEAD + n) : NULL;
    if (!h)
        return spare_take(s, n);
    h->size = n;
    h->spare = 0;
    if (n > s->largest)
        s->largest = n;
    return h + 1;
}

static void spare_free(void *ctx, void *ptr)
{
    (void)ctx;
    alloc_head *h = ptr ? (alloc_head *)ptr - 1 : NULL;
    if (h && !h->spare)
        free(h);
}

static void *spare_realloc(void *ctx, void *ptr, size_t n)
{
    pw_json_spare *s = ctx;
    if (!ptr)
        return spare_malloc(ctx, n);
    alloc_head *h = (alloc_head *)ptr - 1;
    if (!h->spare && n <= SIZE_MAX - HEAD && !pw_json_probe_refuses(s->probe)) {
        alloc_head *g = realloc(h, HEAD + n);
        if (g) {
            g->size = n;
            if (n > s->largest)
                s->largest = n;
            return g + 1;
        }
    }
    void *q = spare_take(s, n);
    if (q)
        memcpy(q, ptr, h->size < n ? h->size : n);
    if (q)
        spare_free(ctx, ptr);
    return q;
}

yajl_alloc_funcs pw_json_spare_funcs(pw_json_spare *s)
{
    return (yajl_alloc_funcs){spare_malloc, spare_realloc, spare_free, s};
}

void pw_json_spare_free(pw_json_spare *s)
{
    free(s->spare);
    s->spare = NULL;
    s->cap = s->used = 0;
}
