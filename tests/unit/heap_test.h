/*
 * heap_test.h — bytes the heap holds now (glibc's mallinfo2: in use from the arenas plus mmap'd
 * blocks), for tests that check memory grows with what they add and no more. Meaningless under
 * ASan, whose allocator keeps its own books: such tests return early when PW_TEST_ASAN is set.
 */
#ifndef PW_TESTS_HEAP_TEST_H
#define PW_TESTS_HEAP_TEST_H

#include <malloc.h>
#include <stddef.h>

static inline size_t heap_in_use(void)
{
    struct mallinfo2 mi = mallinfo2();
    return mi.uordblks + mi.hblkhd;
}

#endif
