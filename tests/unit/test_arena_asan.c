/*
 * test_arena_asan.c — AddressSanitizer sees inside arenas: a read one byte past an allocation,
 * before the first one of a block, of the block's unused tail, or of memory handed out before a
 * reset aborts with ASan's use-after-poison report, while every byte an allocation returns stays
 * usable. Each bad read runs in a forked child (a death test): the child must die and its stderr
 * must hold ASan's report. Without the arena's poisoning every such read lands inside the block's
 * one malloc'd region and the child exits 0, so each death case fails (the gateway guard's NUL cut
 * of 32f2377 read past a strndup copy exactly like this, and ASan did not see it).
 *
 * Needs AddressSanitizer: other builds skip it (exit 77); the ASan CI stage runs it.
 */
#include "phiwall/arena.h"

#include "pw_test.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#ifdef PW_TEST_ASAN

/* One byte read the compiler cannot drop or prove out of bounds. */
__attribute__((noinline)) static int peek(const char *p, ptrdiff_t i)
{
    const volatile char *v = p;
    return v[i];
}

/* Run fn in a child; true when the child died with ASan's use-after-poison report. */
static int dies_poisoned(void (*fn)(void))
{
    int fds[2];
    if (pipe(fds) != 0)
        return 0;
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        struct rlimit no_core = {0, 0};
        setrlimit(RLIMIT_CORE, &no_core);
        close(fds[0]);
        dup2(fds[1], STDERR_FILENO);
        fn();
        _exit(0);
    }
    close(fds[1]);
    char out[8192];
    size_t len = 0;
    ssize_t r;
    while ((r = read(fds[0], out + len, sizeof out - 1 - len)) > 0)
        len += (size_t)r;
    out[len] = '\0';
    close(fds[0]);
    int ws = 0;
    if (pid < 0 || waitpid(pid, &ws, 0) != pid)
        return 0;
    int died = !(WIFEXITED(ws) && WEXITSTATUS(ws) == 0);
    int report = strstr(out, "AddressSanitizer: use-after-poison") != NULL;
    if (!died || !report)
        fprintf(stderr, "child %s; its stderr:\n%s\n", died ? "died" : "exited 0", out);
    return died && report;
}

static void read_slack(void) /* inside the 16-byte rounding of a 5-byte allocation */
{
    pw_arena a;
    pw_arena_init(&a, 0);
    char *p = pw_arena_alloc(&a, 5);
    memset(p, 'x', 5);
    peek(p, 5);
}

static void read_past_aligned(void) /* a 16-byte allocation: the byte after is the redzone */
{
    pw_arena a;
    pw_arena_init(&a, 0);
    char *p = pw_arena_alloc(&a, 16);
    pw_arena_alloc(&a, 16); /* a neighbour right behind it */
    peek(p, 16);
}

static void read_before_first(void)
{
    pw_arena a;
    pw_arena_init(&a, 0);
    char *p = pw_arena_alloc(&a, 8);
    peek(p, -1);
}

/* Past the 16-byte redzone in front of a block's first allocation lies the block's header (its
 * chain pointer, size and fill mark, and the padding up to the data): a valid part of the block's
 * malloc'd region, so an underread there went unseen. All but the chain pointer is poisoned now:
 * LeakSanitizer must still see that pointer (live_chain_not_leaked). */
static void read_header_padding(void) /* the header's last byte, right before the redzone */
{
    pw_arena a;
    pw_arena_init(&a, 0);
    char *p = pw_arena_alloc(&a, 8);
    peek(p, -17);
}

static void read_header_size(void) /* a second block's size field, right after its chain pointer */
{
    pw_arena a;
    pw_arena_init(&a, 128);
    pw_arena_alloc(&a, 8);
    char *p = pw_arena_alloc(&a, 1000); /* its own block, with a chain pointer to the first */
    size_t header = (3 * sizeof(void *) + 15) & ~(size_t)15; /* three words, data 16-aligned */
    peek(p, -(ptrdiff_t)(16 + header - sizeof(void *)));
}

static void read_unused_tail(void)
{
    pw_arena a;
    pw_arena_init(&a, 0);
    char *p = pw_arena_alloc(&a, 64);
    peek(p, 1000); /* well inside the 64 KiB block, never handed out */
}

static void read_after_reset(void)
{
    pw_arena a;
    pw_arena_init(&a, 0);
    char *p = pw_arena_strdup(&a, "patient");
    pw_arena_reset(&a);
    peek(p, 0);
}

static void read_past_reused(void) /* after a reset the same bytes are handed out again: exactly */
{
    pw_arena a;
    pw_arena_init(&a, 0);
    pw_arena_alloc(&a, 4096);
    pw_arena_reset(&a);
    char *q = pw_arena_alloc(&a, 3);
    memset(q, 'y', 3);
    peek(q, 3);
}

static void read_past_strndup_cut(void) /* the guard_scan pattern: a copy cut at a NUL, read at n */
{
    pw_arena a;
    pw_arena_init(&a, 0);
    static const char view[] = {'%', '0', '0', '\0', 'c', 'a', 'n', 'c', 'e', 'r'};
    char *p = pw_arena_strndup(&a, view, sizeof view);
    pw_arena_alloc(&a, 64); /* later allocations keep the bytes after the copy valid memory */
    peek(p, (ptrdiff_t)sizeof view - 1);
}

static void read_past_large(void) /* an allocation bigger than a block gets its own block */
{
    pw_arena a;
    pw_arena_init(&a, 128);
    char *p = pw_arena_alloc(&a, 1000);
    memset(p, 'z', 1000);
    peek(p, 1000);
}

static void read_past_memdup_nul(void) /* memdup's NUL is the last byte handed out */
{
    pw_arena a;
    pw_arena_init(&a, 0);
    char *p = pw_arena_memdup(&a, "abcdefghijklmno", 15); /* 15 + NUL: one aligned unit */
    peek(p, 16);
}

/* An arena alive at exit (a test's static arena) with two blocks: the older block is reachable
 * only through the newer block's chain pointer, which LeakSanitizer ignores if it is poisoned. */
static pw_arena live_arena;

static void exit_with_live_chain(void)
{
    pw_arena_init(&live_arena, 128);
    pw_arena_alloc(&live_arena, 8);
    pw_arena_alloc(&live_arena, 1000);
    exit(0); /* LeakSanitizer's check runs at exit */
}

static void live_chain_not_leaked(void)
{
    int fds[2];
    CHECK(pipe(fds) == 0);
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        dup2(fds[1], STDERR_FILENO);
        exit_with_live_chain();
    }
    close(fds[1]);
    char out[8192];
    size_t len = 0;
    ssize_t r;
    while ((r = read(fds[0], out + len, sizeof out - 1 - len)) > 0)
        len += (size_t)r;
    out[len] = '\0';
    close(fds[0]);
    int ws = 0;
    CHECK(pid > 0 && waitpid(pid, &ws, 0) == pid);
    CHECK(WIFEXITED(ws) && WEXITSTATUS(ws) == 0);
    CHECK(strstr(out, "LeakSanitizer") == NULL);
    if (len)
        fprintf(stderr, "child's stderr:\n%s\n", out);
}

static void overreads_die(void)
{
    CHECK(dies_poisoned(read_slack));
    CHECK(dies_poisoned(read_past_aligned));
    CHECK(dies_poisoned(read_before_first));
    CHECK(dies_poisoned(read_header_padding));
    CHECK(dies_poisoned(read_header_size));
    CHECK(dies_poisoned(read_unused_tail));
    CHECK(dies_poisoned(read_past_strndup_cut));
    CHECK(dies_poisoned(read_past_large));
    CHECK(dies_poisoned(read_past_memdup_nul));
}

static void use_after_reset_dies(void)
{
    CHECK(dies_poisoned(read_after_reset));
    CHECK(dies_poisoned(read_past_reused));
}

/* No false alarms: every byte handed out is readable and writable, across blocks and resets,
 * and allocations stay 16-byte aligned with the redzones between them. */
static void handed_out_bytes_usable(void)
{
    pw_arena a;
    pw_arena_init(&a, 256); /* small blocks: many block boundaries */
    for (int round = 0; round < 3; round++) {
        for (size_t n = 0; n < 300; n++) {
            unsigned char *p = pw_arena_alloc(&a, n);
            CHECK(p != NULL);
            CHECK(((uintptr_t)p & 15) == 0);
            memset(p, (int)n, n ? n : 1);
            for (size_t i = 0; i < n; i++)
                if (p[i] != (unsigned char)n) {
                    CHECK(p[i] == (unsigned char)n);
                    break;
                }
        }
        unsigned char *z = pw_arena_calloc(&a, 7, 9);
        for (size_t i = 0; i < 63; i++)
            CHECK(z[i] == 0);
        char *s = pw_arena_sprintf(&a, "%s-%d", "event", round);
        CHECK_STR(s, round == 0 ? "event-0" : round == 1 ? "event-1" : "event-2");
        char *d = pw_arena_memdup(&a, "abc", 3);
        CHECK_STR(d, "abc");
        char *c = pw_arena_strndup(&a, "ab\0cd", 5);
        CHECK_STR(c, "ab");
        pw_arena_reset(&a);
    }
    pw_arena_free(&a);
}

PW_TEST_MAIN(PW_TEST(overreads_die), PW_TEST(use_after_reset_dies), PW_TEST(live_chain_not_leaked),
             PW_TEST(handed_out_bytes_usable))

#else

int main(void)
{
    puts("skipped: the arena's poisoning exists only under AddressSanitizer");
    return 77;
}

#endif
