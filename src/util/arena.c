/* arena.c — region allocator: a chain of blocks, bump allocation, free all at once. */
#include "phiwall/arena.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PW_ARENA_DEFAULT_BLOCK (64u * 1024u)
#define PW_ARENA_ALIGN         16u

struct pw_arena_block {
    pw_arena_block *prev;
    size_t size; /* usable bytes in data[] */
    size_t used;
    _Alignas(16) unsigned char data[];
};

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
    while (b->prev) {
        pw_arena_block *prev = b->prev;
        a->total -= b->size;
        free(b);
        b = prev;
    }
    b->used = 0;
    a->head = b;
}

static pw_arena_block *arena_grow(pw_arena *a, size_t need)
{
    size_t size = a->block_size;
    if (need > size)
        size = need;
    if (size > SIZE_MAX - sizeof(pw_arena_block))
        return NULL;
    pw_arena_block *b = malloc(sizeof(pw_arena_block) + size);
    if (!b)
        return NULL;
    b->prev = a->head;
    b->size = size;
    b->used = 0;
    a->head = b;
    a->total += size;
    return b;
}

void *pw_arena_alloc(pw_arena *a, size_t n)
{
    if (n == 0)
        n = 1;
    if (n > SIZE_MAX - PW_ARENA_ALIGN)
        return NULL;
    size_t rounded = (n + PW_ARENA_ALIGN - 1) & ~(size_t)(PW_ARENA_ALIGN - 1);
    pw_arena_block *b = a->head;
    if (!b || b->size - b->used < rounded) {
        b = arena_grow(a, rounded);
        if (!b)
            return NULL;
    }
    void *p = b->data + b->used;
    b->used += rounded;
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
