/*
 * arena.h — region allocation for one unit of work (a scan, a page, a request, an event).
 *
 * Everything a stage produces for one unit lives in that unit's arena and is freed at once with
 * it, so the pipeline passes plain pointers around without per-object ownership. An arena is
 * owned by exactly one thread at a time.
 */
#ifndef PHIWALL_ARENA_H
#define PHIWALL_ARENA_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct pw_arena_block pw_arena_block;

typedef struct pw_arena {
    pw_arena_block *head; /* current block; older blocks chain behind it */
    size_t block_size;    /* default size of new blocks */
    size_t total;         /* bytes reserved from the system, for limits and benchmarks */
} pw_arena;

/* Initialise; block_size 0 picks the default (64 KiB). Allocates nothing yet. */
void pw_arena_init(pw_arena *a, size_t block_size);

/* Release every block. The arena can be reused after pw_arena_init. */
void pw_arena_free(pw_arena *a);

/* Forget all allocations but keep the first block for reuse (hot loops: one event at a time). */
void pw_arena_reset(pw_arena *a);

/* Allocate n bytes aligned for any type; NULL only when the system is out of memory. */
void *pw_arena_alloc(pw_arena *a, size_t n);

/* Zeroed allocation of count*size bytes, checked for overflow. */
void *pw_arena_calloc(pw_arena *a, size_t count, size_t size);

/* Copies, always NUL-terminated. pw_arena_strndup copies at most n bytes of s. */
char *pw_arena_strdup(pw_arena *a, const char *s);
char *pw_arena_strndup(pw_arena *a, const char *s, size_t n);
void *pw_arena_memdup(pw_arena *a, const void *p, size_t n);

/* printf into the arena. */
char *pw_arena_sprintf(pw_arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#ifdef __cplusplus
}
#endif
#endif
