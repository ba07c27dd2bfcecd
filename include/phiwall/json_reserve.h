/*
 * json_reserve.h — allocators that make yajl's allocations never fail.
 *
 * yajl 2.1 checks none of its own allocations: yajl_alloc writes through the handle it has just
 * asked for, its lexer and buffers are used unchecked (Debian's libyajl2 segfaults when one of
 * its first allocations fails). So nothing yajl asks for may fail. Two ways:
 *
 *   - a whole text in memory (pw_json_reserve): everything yajl asks for comes from one reserve
 *     taken before it runs, sized for the most it can ask for on that text; a failure to take the
 *     reserve is PW_ERR_NOMEM like any other, before yajl runs.
 *   - a stream fed in runs (pw_json_spare): yajl allocates from malloc as usual, and before each
 *     run a spare block is set aside that holds the most yajl can ask for during that run; a
 *     malloc that fails is served from the spare and the run is then reported as out of memory.
 *     Untouched, the spare costs address space, not resident memory.
 *
 * Both take a pw_json_probe: tests make any allocation fail through it.
 */
#ifndef PHIWALL_JSON_RESERVE_H
#define PHIWALL_JSON_RESERVE_H

#include <stddef.h>
#include <yajl/yajl_parse.h>

#include "phiwall/arena.h"
#include "phiwall/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* yajl's state stack grows with the nesting, and a reserve must hold it: a parser that uses one
 * refuses containers nested deeper than this (its callbacks cancel the parse). */
#define PW_JSON_MAX_DEPTH 1024

/* Allocation failure injection and accounting (tests). fail(ctx) is asked before every
 * allocation that can fail and makes it fail when it returns nonzero. Filled in by the reserve:
 * the bytes reserved for yajl, the most it used, and whether it ever asked for more (overflow:
 * the bound is wrong, and a failing allocation would then crash yajl). */
typedef struct pw_json_probe {
    int (*fail)(void *ctx);
    void *ctx;
    size_t reserve, peak;
    int overflow;
} pw_json_probe;

/* 1 when the probe (may be NULL) refuses the allocation about to be made. */
static inline __attribute__((always_inline)) int pw_json_probe_refuses(const pw_json_probe *p)
{
    return __builtin_expect(p != NULL, 0) && p->fail && p->fail(p->ctx);
}

/* malloc, or NULL when the probe refuses. */
void *pw_json_probe_malloc(pw_json_probe *p, size_t n);

/* ---- a whole text ---- */

/* Reserves up to this size can live on the caller's stack (PW_JSON_RESERVE_STACK bytes, aligned
 * as _Alignas(16)). */
#define PW_JSON_RESERVE_STACK 16384

typedef struct pw_json_reserve {
    unsigned char *base;
    size_t cap, used, last; /* last: offset of the newest block's head */
    pw_arena *a;            /* the reserve when it does not fit `small`; overflow (never) */
    int overflow;
    pw_json_probe *probe;
} pw_json_reserve;

/* The most yajl can ask for while it parses the n bytes of s, nesting at most PW_JSON_MAX_DEPTH
 * deep; 0 when n is too large to reckon. */
size_t pw_json_reserve_bound(const char *s, size_t n);

/* Take the reserve for s: from small (small_cap bytes, may be NULL) when it fits, else from a.
 * PW_ERR_NOMEM when it cannot be had (nothing else to undo: the arena owns it). */
pw_status pw_json_reserve_take(pw_json_reserve *r, pw_arena *a, const char *s, size_t n,
                               void *small, size_t small_cap, pw_json_probe *probe);

/* The allocation functions to give yajl_alloc. */
yajl_alloc_funcs pw_json_reserve_funcs(pw_json_reserve *r);

/* The reserve taken (as pw_json_reserve_take) and a yajl handle allocated from it; NULL when the
 * reserve cannot be had (out of memory). Free the handle with yajl_free before the reserve goes. */
yajl_handle pw_json_reserve_yajl(pw_json_reserve *r, pw_arena *a, const char *s, size_t n,
                                 void *small, size_t small_cap, const yajl_callbacks *cb, void *ctx,
                                 pw_json_probe *probe);

/* The first line of yajl's verbose message for its last error (the rest quotes the input), into
 * errbuf; "parse error" when there is none. */
void pw_json_error_line(yajl_handle h, const char *s, size_t n, char *errbuf, size_t errcap);

/* After the parse: the probe learns the peak and whether the reserve overflowed. */
void pw_json_reserve_done(pw_json_reserve *r);

/* ---- a stream ---- */

typedef struct pw_json_spare {
    unsigned char *spare; /* malloc'd; what a failing malloc is served from */
    size_t cap, used;
    size_t largest; /* the largest block yajl holds from malloc */
    int nomem;      /* a malloc failed and the spare served it: stop the parse */
    pw_json_probe *probe;
} pw_json_spare;

void pw_json_spare_init(pw_json_spare *s, pw_json_probe *probe);

/* Before yajl_alloc (run 0) and before each yajl_parse of run bytes (and yajl_complete_parse,
 * run 0): make sure the spare holds the most yajl can ask for until the next call.
 * PW_ERR_NOMEM when it cannot; yajl must not run then. */
pw_status pw_json_spare_refill(pw_json_spare *s, size_t run);

yajl_alloc_funcs pw_json_spare_funcs(pw_json_spare *s);

/* After yajl_free. */
void pw_json_spare_free(pw_json_spare *s);

#ifdef __cplusplus
}
#endif
#endif
