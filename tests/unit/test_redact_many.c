/*
 * test_redact_many.c — pw_redact of a field with far more hits than one scan keeps (4,096): a
 * hostile field (a log line or a body of 100,000 e-mail addresses and phone numbers) is redacted
 * whole, with no hit's text left, in memory that does not grow with its hits beyond what one scan
 * of it takes, and on a stack whose depth does not depend on how many hits it holds.
 */
#include <pthread.h>
#include <stdint.h>

#include "detect_helpers.h"
#include "heap_test.h"
#include "phiwall/buf.h"
#include "pw_test.h"

static dt_ctx T;

/* n hits: an e-mail address and a phone number per entry, each entry ", "-separated. */
static char *dense_field(size_t n, size_t *len)
{
    size_t cap = n * 32 + 1, at = 0;
    char *s = malloc(cap);
    if (!s)
        return NULL;
    for (size_t i = 0; i < n / 2; i++)
        at += (size_t)snprintf(s + at, cap - at, "u%06zu@mail.example.org 617-555-%04zu, ", i,
                               i % 10000);
    *len = at;
    return s;
}

/* Occurrences of needle in hay[0..n). */
static size_t count(const char *hay, size_t n, const char *needle)
{
    size_t k = 0, m = strlen(needle);
    for (const char *p = hay; (p = memmem(p, n - (size_t)(p - hay), needle, m)) != NULL; p += m)
        k++;
    return k;
}

typedef struct run {
    size_t hits;     /* in */
    pw_status st;    /* out */
    size_t emails;   /* "[EMAIL]" tags in the output */
    size_t phones;   /* "[PHONE]" tags */
    size_t leaked;   /* '@' or digits left in the output */
    size_t heap;     /* heap in use after the call, less the field, the output and before */
    size_t arena;    /* bytes the caller's arena reserved */
    size_t in_bytes; /* the field's length */
} run;

static void redact_dense(run *r)
{
    size_t n = 0;
    char *s = dense_field(r->hits, &n);
    r->in_bytes = n;
    if (!s) {
        r->st = PW_ERR_NOMEM;
        return;
    }
    pw_arena a;
    pw_arena_init(&a, 0);
    pw_buf out;
    pw_buf_init(&out);
    size_t before = heap_in_use();
    r->st = pw_redact(T.d, T.s, &a, NULL, s, n, PW_FT_TEXT, &out, NULL);
    size_t after = heap_in_use(), kept = out.cap;
    r->heap = after > before + kept ? after - before - kept : 0;
    r->arena = a.total;
    const char *o = out.data ? out.data : "";
    r->emails = count(o, out.len, "[EMAIL]");
    r->phones = count(o, out.len, "[PHONE]");
    r->leaked = 0;
    for (size_t i = 0; i < out.len; i++)
        r->leaked += o[i] == '@' || (o[i] >= '0' && o[i] <= '9');
    pw_buf_free(&out);
    pw_arena_free(&a);
    free(s);
}

/* Every one of 100,000 hits is replaced; memory is one scan's, not one per halving level. */
static void test_hundred_thousand(void)
{
    run r = {.hits = 100000};
    redact_dense(&r);
    CHECK_INT(r.st, PW_OK);
    CHECK_INT(r.emails, 50000);
    CHECK_INT(r.phones, 50000);
    CHECK_INT(r.leaked, 0);
    fprintf(stderr, "  100,000 hits in %zu bytes: heap kept %zu, arena %zu\n", r.in_bytes, r.heap,
            r.arena);
#ifndef PW_TEST_ASAN /* ASan's allocator keeps its own books: mallinfo2 says nothing */
    /* the caller's arena holds the first scan of the field (its layers, at most 4,096 hits:
     * ≈ 2.4 bytes a byte of this field), the pieces' arena is gone; a halving recursion kept
     * every level's scans there (five levels: ≈ 12 bytes a byte) */
    CHECK(r.arena < 3 * r.in_bytes);
    CHECK(r.heap < 3 * r.in_bytes + (size_t)1024 * 1024);
#endif
}

/* ---- the stack: a thread on a painted stack of our own, its high-water mark read after */

#define STACK_BYTES ((size_t)512 * 1024)
#define PAINT       0xA5

static void *redact_thread(void *arg)
{
    redact_dense(arg);
    return NULL;
}

/* Bytes of the stack the redaction of `hits` hits touched (0 when no thread could start). */
static size_t stack_used(size_t hits, pw_status *st)
{
    unsigned char *stack = aligned_alloc(4096, STACK_BYTES);
    if (!stack)
        return 0;
    memset(stack, PAINT, STACK_BYTES);
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstack(&attr, stack, STACK_BYTES);
    run r = {.hits = hits};
    pthread_t t;
    size_t used = 0;
    if (pthread_create(&t, &attr, redact_thread, &r) == 0) {
        pthread_join(t, NULL);
        size_t low = 0; /* the stack grows down: the first byte still painted from the bottom */
        while (low < STACK_BYTES && stack[low] == PAINT)
            low++;
        used = STACK_BYTES - low;
    }
    pthread_attr_destroy(&attr);
    free(stack);
    *st = r.st;
    return used;
}

/* 5,000 hits (one cut) and 100,000 (a halving recursion went five levels deep) take the same
 * stack: redaction past the limit is a loop. */
static void test_stack_flat(void)
{
#ifdef PW_TEST_ASAN
    return; /* ASan's frames and redzones are not the program's */
#endif
    pw_status st1 = PW_ERR_STATE, st2 = PW_ERR_STATE;
    size_t few = stack_used(5000, &st1), many = stack_used(100000, &st2);
    fprintf(stderr, "  stack: 5,000 hits %zu bytes, 100,000 hits %zu bytes\n", few, many);
    CHECK_INT(st1, PW_OK);
    CHECK_INT(st2, PW_OK);
    CHECK(few > 0 && many > 0);
    CHECK(many <= few + 64);
}

/* A run of hits with no separator to cut at is still refused, and nothing of it written. */
static void test_no_separator_refused(void)
{
    size_t n = 5000 * 12;
    char *s = malloc(n + 1);
    CHECK(s != NULL);
    if (!s)
        return;
    for (size_t i = 0; i < 5000; i++)
        memcpy(s + i * 12, "a1@b.org|x|y", 12);
    s[n] = '\0';
    pw_buf out;
    pw_buf_init(&out);
    pw_buf_puts(&out, "kept ");
    pw_err err = {0};
    pw_status st = pw_redact(T.d, T.s, &T.a, NULL, s, n, PW_FT_TEXT, &out, &err);
    if (st == PW_OK) /* the engine found few enough hits: then none may be left */
        CHECK_INT(count(out.data, out.len, "@b.org"), 0);
    else {
        CHECK_INT(st, PW_ERR_LIMIT);
        CHECK_INT(out.len, 5);
        CHECK(strstr(err.msg, "without a separator") != NULL);
    }
    pw_buf_free(&out);
    free(s);
}

/* Under the limit, nothing changes: one scan, its hits replaced in place. */
static void test_under_limit_same(void)
{
    size_t n = 0;
    char *s = dense_field(4000, &n);
    CHECK(s != NULL);
    if (!s)
        return;
    pw_buf out;
    pw_buf_init(&out);
    CHECK_INT(pw_redact(T.d, T.s, &T.a, NULL, s, n, PW_FT_TEXT, &out, NULL), PW_OK);
    CHECK_INT(count(out.data, out.len, "[EMAIL], "), 0);
    CHECK_INT(count(out.data, out.len, "[EMAIL] [PHONE], "), 2000);
    CHECK_INT(out.len, 2000 * strlen("[EMAIL] [PHONE], "));
    pw_buf_free(&out);
    free(s);
}

static void setup(void)
{
    CHECK(dt_open(&T, NULL, 0));
}

static void teardown(void)
{
    dt_close(&T);
}

PW_TEST_MAIN(PW_TEST(setup), PW_TEST(test_under_limit_same), PW_TEST(test_hundred_thousand),
             PW_TEST(test_stack_flat), PW_TEST(test_no_separator_refused), PW_TEST(teardown))
