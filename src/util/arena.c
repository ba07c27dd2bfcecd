/* arena.c — region allocator: a chain of blocks, bump allocation, free all at once. */
#include "phiwall/arena.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PW_ARENA_DEFAULT_BLOCK (64u * 1024u)
#define PW_ARENA_ALIGN         16u

/*
 * Under AddressSanitizer a block is one malloc'd region, so a read past an allocation, of the
 * block's unused tail, or of memory handed out before a reset would land in valid memory and go
 * unseen. In sanitizer builds the arena poisons every byte it has not handed out, unpoisons
 * exactly the n bytes of each allocation, keeps a poisoned redzone of PW_ARENA_REDZONE bytes
 * after each allocation and in front of the first one (so the rounding slack plus the redzone
 * catch overreads and underreads into a neighbour), and re-poisons on reset. The block's header
 * lies right in front of that first redzone: its size, fill mark and the padding up to data[] are
 * poisoned too and opened only while the arena itself reads or writes them, so an underread that
 * runs past the redzone lands in poison. The chain pointer (prev, the header's first 8 bytes)
 * stays unpoisoned: LeakSanitizer ignores pointers held in poisoned memory, so a poisoned prev
 * would report every older block of an arena still alive at exit as leaked. Other builds keep
 * the same layout at no cost: the redzone is 0 and the macros expand to nothing.
 */
#if defined(__SANITIZE_ADDRESS__)
#define PW_ARENA_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define PW_ARENA_ASAN 1
#endif
#endif

#ifdef PW_ARENA_ASAN
#include <sanitizer/asan_interface.h>
#define PW_ARENA_REDZONE     16u /* a multiple of PW_ARENA_ALIGN: allocations stay aligned */
#define ARENA_POISON(p, n)   ASAN_POISON_MEMORY_REGION((p), (n))
#define ARENA_UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define PW_ARENA_REDZONE     0u
#define ARENA_POISON(p, n)   ((void)(p), (void)(n))
#define ARENA_UNPOISON(p, n) ((void)(p), (void)(n))
#endif

struct pw_arena_block {
    pw_arena_block *prev;
    size_t size; /* usable bytes in data[] */
    size_t used;
    _Alignas(16) unsigned char data[];
};

/* The header after prev, padding included: poisoned whenever the arena is not inside a call. */
#define HDR_FROM     offsetof(pw_arena_block, size)
#define HDR_BYTES    (offsetof(pw_arena_block, data) - HDR_FROM)
#define HDR_OPEN(b)  ARENA_UNPOISON((char *)(b) + HDR_FROM, HDR_BYTES)
#define HDR_CLOSE(b) ARENA_POISON((char *)(b) + HDR_FROM, HDR_BYTES)

void pw_arena_init(pw_arena *a, size_t block_size)
{
    a->head = NULL;
    a->block_size = block_size ? block_size : PW_ARENA_DEFAULT_BLOCK;
    a->total = 0;
}

void pw_arena_free(pw_arena *a)
{
    pw_arena_block *b = a->head;
    while (b) {
        HDR_OPEN(b);
        pw_arena_block *prev = b->prev;
        free(b);
        b = prev;
    }
    a->head = NULL;
    a->total = 0;
}

void pw_arena_reset(pw_arena *a)
{
    if (!a->head)
        return;
    /* Keep the oldest block: it has the default size and is the one worth reusing. */
    pw_arena_block *b = a->head;
    HDR_OPEN(b);
    while (b->prev) {
        pw_arena_block *prev = b->prev;
        a->total -= b->size;
        free(b);
        b = prev;
        HDR_OPEN(b);
    }
    ARENA_POISON(b->data, b->used); /* what was handed out is gone; the tail still is poisoned */
    b->used = PW_ARENA_REDZONE;
    HDR_CLOSE(b);
    a->head = b;
}

/* A new head block with room for need bytes after its leading redzone (need is checked by the
 * caller to leave room for that redzone). */
static pw_arena_block *arena_grow(pw_arena *a, size_t need)
{
    size_t size = a->block_size;
    need += PW_ARENA_REDZONE;
    if (need > size)
        size = need;
    if (size > SIZE_MAX - sizeof(pw_arena_block))
        return NULL;
    pw_arena_block *b = malloc(sizeof(pw_arena_block) + size);
    if (!b)
        return NULL;
    b->prev = a->head;
    b->size = size;
    b->used = PW_ARENA_REDZONE;
    ARENA_POISON(b->data, size); /* nothing handed out yet */
    HDR_CLOSE(b);
    a->head = b;
    a->total += size;
    return b;
}

void *pw_arena_alloc(pw_arena *a, size_t n)
{
    if (n == 0)
        n = 1;
    if (n > SIZE_MAX - PW_ARENA_ALIGN - 2 * PW_ARENA_REDZONE)
        return NULL;
    size_t rounded = ((n + PW_ARENA_ALIGN - 1) & ~(size_t)(PW_ARENA_ALIGN - 1)) + PW_ARENA_REDZONE;
    pw_arena_block *b = a->head;
    if (b)
        HDR_OPEN(b);
    if (!b || b->size - b->used < rounded) {
        if (b)
            HDR_CLOSE(b);
        b = arena_grow(a, rounded);
        if (!b)
            return NULL;
        HDR_OPEN(b);
    }
    void *p = b->data + b->used;
    b->used += rounded;
    HDR_CLOSE(b);
    ARENA_UNPOISON(p, n); /* exactly n: the slack and the redzone after it stay poisoned */
    return p;
}

void *pw_arena_calloc(pw_arena *a, size_t count, size_t size)
{
    if (size && count > SIZE_MAX / size)
        return NULL;
    void *p = pw_arena_alloc(a, count * size);
    if (p)
        memset(p, 0, count * size);
    return p;
}

char *pw_arena_strndup(pw_arena *a, const char *s, size_t n)
{
    const char *nul = memchr(s, '\0', n);
    size_t len = nul ? (size_t)(nul - s) : n;
    char *p = pw_arena_alloc(a, len + 1);
    if (!p)
        return NULL;
    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

char *pw_arena_strdup(pw_arena *a, const char *s)
{
    if (!s)
        return NULL;
    return pw_arena_strndup(a, s, strlen(s));
}

void *pw_arena_memdup(pw_arena *a, const void *p, size_t n)
{
    unsigned char *q = pw_arena_alloc(a, n + 1);
    if (!q)
        return NULL;
    if (n)
        memcpy(q, p, n);
    q[n] = '\0'; /* bodies copied this way can be read as strings safely */
    return q;
}

char *pw_arena_sprintf(pw_arena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return NULL;
    char *p = pw_arena_alloc(a, (size_t)n + 1);
    if (!p)
        return NULL;
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}
