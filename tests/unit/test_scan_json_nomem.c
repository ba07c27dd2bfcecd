/*
 * test_scan_json_nomem.c — the scan side's and the CLI's JSON parsers under memory exhaustion.
 * yajl 2.1 checks none of its own allocations (yajl_alloc writes through the handle it has just
 * asked for, its buffers grow unchecked), so a failed malloc inside it was a segfault. Each
 * parser is run with every allocation that can fail refused in turn — the k-th, for each k up to
 * the number a successful parse makes (phiwall/json_reserve.h's probe) — and must end in an error
 * (out of memory, or the input's own parse error), never a crash, and leak nothing (ASan); with
 * no failure it parses as before, and what yajl asked for stayed within what was set aside.
 */
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_tree.h>

#include "decode/decode_internal.h"
#include "phiwall/baseline.h"
#include "phiwall/har.h"
#include "phiwall/json_tree.h"
#include "nomem_test.h"
#include "pw_test.h"

/* ---- pw_json_tree_parse: the devtools messages, page facts, redact's lines ---- */

static pw_status tree_failing(const char *s, long fail_at, long *calls, char *err, size_t cap)
{
    countdown c = {0, fail_at};
    pw_json_probe probe = {.fail = fail_kth, .ctx = &c};
    yajl_val v = NULL;
    pw_status st = pw_json_tree_parse(s, strlen(s), &v, err, cap, &probe);
    CHECK((st == PW_OK) == (v != NULL));
    CHECK(!probe.overflow && probe.peak <= probe.reserve);
    yajl_tree_free(v);
    *calls = c.calls;
    return st;
}

static void test_tree_each_allocation_fails(void)
{
    char *big = repeat("{\"s\": \"", "\\n\\u00e9ab", 3000, "\", \"n\": [1, 2.5, -3]}");
    char *deep = repeat("", "[", 300, "1");
    const char *texts[] = {
        "{\"id\": 7, \"method\": \"Page.loadEventFired\", \"params\": {\"t\": 1.5e3}}",
        "[true, false, null, \"x\\u00e9\", {\"k\": [1, 2]}] // comment",
        "{\"a\": [1, 2,, 3]}", /* a parse error after some allocations */
        big,
        deep, /* yajl's state stack grows past its first 128 entries; then the text ends */
    };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        CHECK(texts[i] != NULL);
        if (!texts[i])
            continue;
        char err[128];
        long total = 0;
        pw_status whole = tree_failing(texts[i], 0, &total, err, sizeof err);
        CHECK(total > 1);
        for (long k = 1; k <= total; k++) {
            long calls = 0;
            pw_status st = tree_failing(texts[i], k, &calls, err, sizeof err);
            CHECK(st == PW_ERR_NOMEM || (whole == PW_ERR_PARSE && st == PW_ERR_PARSE));
            if (st == PW_ERR_NOMEM)
                CHECK_STR(err, "out of memory");
        }
    }
    free(big);
    free(deep);
}

/* The tree is yajl_tree_parse's: same members, numbers (flags included) and strings; the same
 * first line of yajl's message on malformed text. */
static void test_tree_as_yajl_tree(void)
{
    const char *s =
        "{\"em\":[\"ab\",\"c\\u00e9\"],\"n\":-12,\"x\":1.5e3,\"big\":99999999999999999999,"
        "\"t\":true,\"z\":null} /* c */";
    yajl_val v = NULL;
    CHECK_INT(pw_json_tree_parse(s, strlen(s), &v, NULL, 0, NULL), PW_OK);
    yajl_val y = yajl_tree_parse(s, NULL, 0);
    CHECK(v && y && YAJL_IS_OBJECT(v) && v->u.object.len == y->u.object.len);
    for (size_t i = 0; v && y && i < v->u.object.len && i < y->u.object.len; i++) {
        yajl_val a = v->u.object.values[i], b = y->u.object.values[i];
        CHECK_STR(v->u.object.keys[i], y->u.object.keys[i]);
        CHECK_INT(a->type, b->type);
        if (YAJL_IS_NUMBER(a)) {
            CHECK_STR(a->u.number.r, b->u.number.r);
            CHECK_INT(a->u.number.flags, b->u.number.flags);
            CHECK(!YAJL_IS_INTEGER(a) || a->u.number.i == b->u.number.i);
        }
    }
    yajl_val em = v ? v->u.object.values[0] : NULL;
    CHECK(em && YAJL_IS_ARRAY(em) && em->u.array.len == 2);
    if (em && YAJL_IS_ARRAY(em) && em->u.array.len == 2)
        CHECK_STR(em->u.array.values[1]->u.string, "c\xc3\xa9");
    yajl_tree_free(v);
    yajl_tree_free(y);

    char err[128], yerr[128];
    const char *bad = "{\"a\": tru}";
    CHECK_INT(pw_json_tree_parse(bad, strlen(bad), &v, err, sizeof err, NULL), PW_ERR_PARSE);
    CHECK(v == NULL);
    CHECK(yajl_tree_parse(bad, yerr, sizeof yerr) == NULL);
    yerr[strcspn(yerr, "\n")] = '\0';
    CHECK_STR(err, yerr);
    char *deep = repeat("", "[", PW_JSON_MAX_DEPTH + 1, "");
    CHECK_INT(pw_json_tree_parse(deep, strlen(deep), &v, err, sizeof err, NULL), PW_ERR_LIMIT);
    CHECK_STR(err, "nesting deeper than 1024");
    free(deep);
}

/* ---- dk_body_json: request bodies ---- */

static pw_status body_failing(const char *s, long fail_at, long *calls, pw_json_probe *probe,
                              pw_err *err)
{
    countdown c = {0, fail_at};
    *probe = (pw_json_probe){.fail = fail_kth, .ctx = &c};
    pw_arena a;
    pw_arena_init(&a, 0);
    dk_pairs p = {0};
    pw_status st = dk_body_json_probe(&a, "", s, strlen(s), &p, err, probe);
    pw_arena_free(&a);
    *calls = c.calls;
    return st;
}

static void test_body_json_each_allocation_fails(void)
{
    /* small (the reserve on the stack) and large (in a scratch arena) bodies */
    char *large = repeat("{\"events\": [", "{\"name\": \"view\\u00e9\", \"v\": 1},", 2000, "0]}");
    char *cut = repeat("[\"", "abcdefgh\\t", 3000, ""); /* malformed: ends inside a string */
    const char *texts[] = {"{\"event\": \"Lead\", \"user\": {\"em\": \"a@b.org\"}, \"v\": 12}",
                           large, cut};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        CHECK(texts[i] != NULL);
        if (!texts[i])
            continue;
        pw_json_probe probe;
        pw_err err;
        long total = 0;
        pw_status whole = body_failing(texts[i], 0, &total, &probe, &err);
        CHECK_INT(whole, i == 2 ? PW_ERR_PARSE : PW_OK);
        CHECK(!probe.overflow && probe.peak > 0 && probe.peak <= probe.reserve);
        /* small texts take the reserve from the stack: nothing to refuse */
        CHECK_INT(total, i == 0 ? 0 : 1);
        for (long k = 1; k <= total; k++) {
            long calls = 0;
            CHECK_INT(body_failing(texts[i], k, &calls, &probe, &err), PW_ERR_NOMEM);
            CHECK(strstr(err.msg, "json: out of memory") != NULL);
        }
    }
    free(large);
    free(cut);
}

/* ---- pw_baseline_parse: `phiwall compare`'s earlier report ---- */

static void test_baseline_each_allocation_fails(void)
{
    char *report = repeat("{\"tool\": {\"name\": \"phiwall\"}, \"findings\": [",
                          "{\"rule_id\": \"PW-X\", \"severity\": \"high\", "
                          "\"fingerprint\": \"f\\u0031\"},",
                          600,
                          "{\"rule_id\": \"PW-Y\", \"severity\": \"low\", "
                          "\"fingerprint\": \"g\"}]}");
    CHECK(report != NULL);
    if (!report)
        return;
    countdown c = {0, 0};
    pw_json_probe probe = {.fail = fail_kth, .ctx = &c};
    pw_baseline *b = NULL;
    pw_err err;
    CHECK_INT(pw_baseline_parse_probe(report, strlen(report), "old.json", &b, &err, &probe), PW_OK);
    CHECK(!probe.overflow && probe.peak <= probe.reserve);
    pw_baseline_free(b);
    long total = c.calls;
    CHECK_INT(total, 2); /* the baseline, and the reserve (in a scratch arena: a large text) */
    for (long k = 1; k <= total; k++) {
        c = (countdown){0, k};
        b = NULL;
        CHECK_INT(pw_baseline_parse_probe(report, strlen(report), "old.json", &b, &err, &probe),
                  PW_ERR_NOMEM);
        CHECK(b == NULL);
        CHECK(strncmp(err.msg, "old.json: out of memory", 23) == 0);
    }
    free(report);
    /* deeper than the reserve holds yajl's stack for: refused with a message */
    char *deep = repeat("{\"tool\": ", "[", PW_JSON_MAX_DEPTH + 1, "");
    CHECK_INT(pw_baseline_parse(deep, strlen(deep), "old.json", &b, &err), PW_ERR_LIMIT);
    CHECK_STR(err.msg, "old.json: nested deeper than 1024 levels");
    free(deep);
}

/* ---- the streaming HAR reader ---- */

static pw_status on_request(void *ctx, const pw_request *r, pw_err *err)
{
    (void)err;
    (void)r;
    ++*(int *)ctx;
    return PW_OK;
}

static pw_status har_failing(const char *s, long fail_at, long *calls, pw_json_probe *probe,
                             pw_err *err, int *requests)
{
    countdown c = {0, fail_at};
    *probe = (pw_json_probe){.fail = fail_kth, .ctx = &c};
    *requests = 0;
    pw_capture_sink sink = {.ctx = requests, .on_request = on_request};
    pw_har_opts o = {.alloc_probe = probe};
    FILE *f = fmemopen((void *)s, strlen(s), "r");
    CHECK(f != NULL);
    if (!f)
        return PW_ERR_IO;
    pw_status st = pw_har_read_ex(f, "t.har", &sink, &o, NULL, err);
    fclose(f);
    *calls = c.calls;
    return st;
}

static char *entry_har(size_t body_units, const char *tail)
{
    /* a post body of escapes longer than the reader's 64 KiB runs: yajl's lexer buffers it across
     * runs and its decode buffer doubles several times */
    char *head =
        repeat("{\"log\": {\"version\": \"1.2\", \"entries\": [{\"request\": "
               "{\"method\": \"POST\", \"url\": \"https://t.example/c?id=1\", "
               "\"headers\": [], \"postData\": {\"mimeType\": \"text/plain\", \"text\": \"",
               "ab\\ncd\\u00e9", body_units, "");
    char *s = head ? repeat(head, "", 0, tail) : NULL;
    free(head);
    return s;
}

static void test_har_each_allocation_fails(void)
{
    const char *end = "\"}}, \"response\": {\"status\": 200}}]}}";
    char *texts[] = {
        entry_har(2, end),
        entry_har(20000, end),
        entry_har(20000, "\"}}, \"response\": {\"status\": 200}}], \"x\": [1, 2,, 3]}}"),
    };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        CHECK(texts[i] != NULL);
        if (!texts[i])
            continue;
        pw_json_probe probe;
        pw_err err;
        int requests = 0;
        long total = 0;
        pw_status whole = har_failing(texts[i], 0, &total, &probe, &err, &requests);
        CHECK_INT(whole, i == 2 ? PW_ERR_PARSE : PW_OK);
        CHECK_INT(requests, 1);
        /* the small text is read by the HAR reader's tokenizer alone: its one allocation (the
         * unescaped body); the long body runs past a chunk and goes through yajl */
        CHECK(total >= (i == 0 ? 1 : 4) && !probe.overflow);
        int served = 0, mid_stream = 0; /* by the spare; named with a byte offset */
        for (long k = 1; k <= total; k++) {
            long calls = 0;
            pw_status st = har_failing(texts[i], k, &calls, &probe, &err, &requests);
            CHECK(st == PW_ERR_NOMEM || (whole == PW_ERR_PARSE && st == PW_ERR_PARSE));
            CHECK(!probe.overflow && probe.peak <= probe.reserve);
            served += probe.peak > 0;
            mid_stream += strstr(err.msg, ": out of memory parsing the HAR") != NULL;
            /* "t.har: out of memory" (yajl_alloc) or "t.har: byte N: out of memory ..." */
            if (st == PW_ERR_NOMEM)
                CHECK(strncmp(err.msg, "t.har: ", 7) == 0 &&
                      strstr(err.msg, "out of memory") != NULL);
        }
        CHECK((served > 0 || i == 0) && mid_stream > 0);
        free(texts[i]);
    }
}

PW_TEST_MAIN(PW_TEST(test_tree_each_allocation_fails), PW_TEST(test_tree_as_yajl_tree),
             PW_TEST(test_body_json_each_allocation_fails),
             PW_TEST(test_baseline_each_allocation_fails), PW_TEST(test_har_each_allocation_fails))
