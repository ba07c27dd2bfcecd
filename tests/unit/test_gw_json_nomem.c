/*
 * test_gw_json_nomem.c — the gateway's JSON parsers under memory exhaustion: yajl 2.1 checks none
 * of its own allocations (yajl_alloc writes through the handle it just asked for, its buffers
 * grow unchecked), so a failed one was a crash. Every allocation that can fail is made to fail in
 * turn — the k-th, for each k up to the number a successful parse makes — and the parse must end
 * in an error (out of memory, or the input's own parse error), never a crash; with no failure
 * the same input parses as before. Also: what yajl asked for stays within the reserve set aside
 * for it, on inputs that make its buffers grow (long escaped strings, a token cut at the end).
 */
#include <stdlib.h>
#include <string.h>

#include "gw_json.h"
#include "gw_json_tree.h"
#include "nomem_test.h"
#include "pw_test.h"

/* Inputs that take the yajl path (comments, escapes, control bytes, errors) and make its
 * buffers grow. */
static char *inputs[16];
static size_t n_inputs;

static void make_inputs(void)
{
    if (n_inputs)
        return;
    static const char *const fixed[] = {
        "{\"a\": 1 /* comment */, \"b\": [true, false, null, \"x\\u00e9\"]}",
        "[1, 2, {\"k\": \"v\\n\"}, -3.5e2] // trailing comment",
        "12345",               /* a number at the end is buffered by yajl's lexer */
        "{\"a\": [1, 2,, 3]}", /* a parse error after some allocations */
        "{\"a\" 1}",
    };
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        inputs[n_inputs++] = strdup(fixed[i]);
    /* a 12 KiB string of escapes: yajl's decode buffer doubles past 2 KiB several times */
    inputs[n_inputs++] = repeat("{\"s\": \"", "\\n\\u0041", 1024, "\"}");
    /* an unterminated 9 KiB string at the end: yajl's lexer buffers all of it */
    inputs[n_inputs++] = repeat("[\"", "abcdefgh\\t", 900, "");
    /* nesting: yajl's state stack grows past its first 128 entries */
    inputs[n_inputs++] = repeat("", "[", 300, "/**/");
}

static void free_inputs(void)
{
    for (size_t i = 0; i < n_inputs; i++)
        free(inputs[i]);
    n_inputs = 0;
}

/* The parse of s with the fail_at-th allocation refused (0: none); its status. */
static pw_status parse_failing(const char *s, long fail_at, long *calls, pw_gw_jt_probe *probe)
{
    countdown c = {0, fail_at};
    *probe = (pw_gw_jt_probe){.fail = fail_kth, .ctx = &c};
    pw_arena a;
    pw_arena_init(&a, 0);
    pw_gw_jt *root = NULL;
    char err[256];
    pw_status st = pw_gw_jt_parse_yajl_probe(&a, s, strlen(s), &root, err, sizeof err, probe);
    CHECK(st != PW_OK || root != NULL);
    pw_arena_free(&a);
    *calls = c.calls;
    return st;
}

static void test_yajl_path_each_allocation_fails(void)
{
    make_inputs();
    for (size_t i = 0; i < n_inputs; i++) {
        CHECK(inputs[i] != NULL);
        if (!inputs[i])
            continue;
        long total = 0;
        pw_gw_jt_probe probe;
        pw_status whole = parse_failing(inputs[i], 0, &total, &probe);
        CHECK(total > 0);
        CHECK(!probe.overflow);
        CHECK(probe.peak <= probe.reserve);
        for (long k = 1; k <= total; k++) {
            long calls = 0;
            pw_status st = parse_failing(inputs[i], k, &calls, &probe);
            /* out of memory; or, for a malformed input, its own error if that came first */
            CHECK(st == PW_ERR_NOMEM || (whole == PW_ERR_PARSE && st == PW_ERR_PARSE));
            CHECK(!probe.overflow);
        }
    }
    CHECK(n_inputs == 8);
}

static void test_reserve_holds_what_yajl_asks(void)
{
    make_inputs();
    /* the buffers' growth checked up to 256 KiB: strings of escapes, cut or not */
    for (size_t times = 1; times <= 32768; times *= 2) {
        for (int cut = 0; cut < 2; cut++) {
            char *s = repeat("\"", "\\u00e9ab", times, cut ? "" : "\"");
            CHECK(s != NULL);
            if (!s)
                continue;
            long calls = 0;
            pw_gw_jt_probe probe;
            pw_status st = parse_failing(s, 0, &calls, &probe);
            CHECK(st == (cut ? PW_ERR_PARSE : PW_OK));
            CHECK(!probe.overflow);
            CHECK(probe.peak <= probe.reserve);
            CHECK(probe.peak > 0);
            free(s);
        }
    }
    free_inputs();
}

/* The delivery side's parser (audit fields maps, upstream answers): yajl_tree_parse before, a
 * malloc per node unchecked inside yajl. Plain JSON (the fast path) and yajl's path, each
 * allocation refused in turn: NULL with "out of memory", nothing leaked (ASan), never a crash. */
static void test_tree_parse_each_allocation_fails(void)
{
    make_inputs();
    const char *plain = "{\"em\":[\"ab\",\"cd\"],\"n\":-12,\"x\":1.5e3,\"t\":true,\"z\":null}";
    const char *texts[] = {plain, inputs[0], inputs[1], inputs[3], inputs[5]};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        countdown c = {0, 0};
        pw_gw_jt_probe probe = {.fail = fail_kth, .ctx = &c};
        char err[128];
        yajl_val whole =
            pw_gw_json_parse_probe(texts[i], strlen(texts[i]), err, sizeof err, &probe);
        long total = c.calls;
        CHECK(total > 0);
        for (long k = 1; k <= total; k++) {
            c = (countdown){0, k};
            yajl_val v =
                pw_gw_json_parse_probe(texts[i], strlen(texts[i]), err, sizeof err, &probe);
            CHECK(v == NULL);
            if (whole)
                CHECK_STR(err, "out of memory");
            yajl_tree_free(v);
        }
        yajl_tree_free(whole);
    }
    /* what yajl_tree_parse built: the same members, numbers and strings */
    yajl_val v = pw_gw_json_parse(plain, strlen(plain), NULL, 0);
    CHECK(v && YAJL_IS_OBJECT(v) && v->u.object.len == 5);
    if (v && YAJL_IS_OBJECT(v) && v->u.object.len == 5) {
        CHECK_STR(v->u.object.keys[0], "em");
        CHECK_STR(pw_gw_json_get(v, "em")->u.array.values[1]->u.string, "cd");
        CHECK_INT(YAJL_GET_INTEGER(pw_gw_json_get(v, "n")), -12);
        CHECK_STR(pw_gw_json_get(v, "x")->u.number.r, "1.5e3");
        CHECK(YAJL_IS_TRUE(pw_gw_json_get(v, "t")) && YAJL_IS_NULL(pw_gw_json_get(v, "z")));
    }
    yajl_tree_free(v);
    free_inputs();
}

/* yajl's state stack grows with the nesting, so the reserve bounds it: 1,024 containers deep
 * parse, one more is refused with a message (the callers refuse beyond 64 before). */
static void test_nesting_bound(void)
{
    char *ok = repeat("", "[", PW_GW_JT_MAX_DEPTH, "");
    char *deep = repeat("", "[", PW_GW_JT_MAX_DEPTH + 1, "");
    CHECK(ok && deep);
    if (ok && deep) {
        char *closed = repeat(ok, "]", PW_GW_JT_MAX_DEPTH, "");
        long calls = 0;
        pw_gw_jt_probe probe;
        CHECK_INT(parse_failing(closed ? closed : "", 0, &calls, &probe), PW_OK);
        CHECK(!probe.overflow && probe.peak <= probe.reserve);
        pw_arena a;
        pw_arena_init(&a, 0);
        pw_gw_jt *root = NULL;
        char err[128];
        CHECK_INT(pw_gw_jt_parse(&a, deep, strlen(deep), &root, err, sizeof err), PW_ERR_PARSE);
        CHECK_STR(err, "nesting deeper than 1024");
        pw_arena_free(&a);
        free(closed);
    }
    free(ok);
    free(deep);
}

PW_TEST_MAIN(PW_TEST(test_yajl_path_each_allocation_fails), PW_TEST(test_nesting_bound),
             PW_TEST(test_reserve_holds_what_yajl_asks),
             PW_TEST(test_tree_parse_each_allocation_fails))
