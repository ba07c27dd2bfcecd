/*
 * pw_test.h — the unit-test harness: a test is a function, CHECK records a failure with its
 * location and keeps going, PW_TEST_MAIN runs the listed tests and prints
 * "N passed, N failed" (the summary CTest's output ends with per test).
 */
#ifndef PW_TEST_H
#define PW_TEST_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Defined when built with AddressSanitizer (gcc or clang): a test whose fault injection the
 * sanitizer's runtime defeats skips itself. */
#if defined(__SANITIZE_ADDRESS__)
#define PW_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define PW_TEST_ASAN 1
#endif
#endif

static int pw_test_failures;

#define CHECK(cond)                                                                  \
    do {                                                                             \
        if (!(cond)) {                                                               \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
            pw_test_failures++;                                                      \
        }                                                                            \
    } while (0)

#define CHECK_STR(a, b)                                                                           \
    do {                                                                                          \
        const char *pw_a_ = (a), *pw_b_ = (b);                                                    \
        if (!pw_a_ || !pw_b_ || strcmp(pw_a_, pw_b_) != 0) {                                      \
            fprintf(stderr, "%s:%d: CHECK_STR failed: %s == \"%s\", expected \"%s\"\n", __FILE__, \
                    __LINE__, #a, pw_a_ ? pw_a_ : "(null)", pw_b_ ? pw_b_ : "(null)");            \
            pw_test_failures++;                                                                   \
        }                                                                                         \
    } while (0)

#define CHECK_INT(a, b)                                                                       \
    do {                                                                                      \
        long long pw_a_ = (long long)(a), pw_b_ = (long long)(b);                             \
        if (pw_a_ != pw_b_) {                                                                 \
            fprintf(stderr, "%s:%d: CHECK_INT failed: %s == %lld, expected %lld\n", __FILE__, \
                    __LINE__, #a, pw_a_, pw_b_);                                              \
            pw_test_failures++;                                                               \
        }                                                                                     \
    } while (0)

typedef struct pw_test_case {
    const char *name;
    void (*fn)(void);
} pw_test_case;

#define PW_TEST(name) \
    {                 \
#name, name   \
    }

/* Seeded xorshift64 for generated test inputs: the same sequence on every run and machine. */
static inline uint32_t pw_test_rnd(uint64_t *state, uint32_t n)
{
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    return (uint32_t)(*state % n);
}

/* Run the cases, print the tally; the exit status of a test program. PW_TEST_ONLY=NAME runs
 * only the case of that name (to repeat one case, e.g. under valgrind or a loaded machine). */
static inline int pw_test_run(const pw_test_case *cases, size_t n)
{
    int passed = 0, failed = 0;
    const char *only = getenv("PW_TEST_ONLY");
    for (size_t i = 0; i < n; i++) {
        if (only && *only && strcmp(only, cases[i].name) != 0)
            continue;
        int before = pw_test_failures;
        cases[i].fn();
        if (pw_test_failures == before) {
            passed++;
        } else {
            failed++;
            fprintf(stderr, "FAIL %s\n", cases[i].name);
        }
    }
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}

#define PW_TEST_MAIN(...)                                          \
    int main(void)                                                 \
    {                                                              \
        static const pw_test_case cases[] = {__VA_ARGS__};         \
        return pw_test_run(cases, sizeof cases / sizeof cases[0]); \
    }

#endif
