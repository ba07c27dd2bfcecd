/* test_har_tok.c — the HAR reader's own tokenizer (capture/har_tok.c): the same events, values,
 * offsets and errors as yajl on valid and broken JSON in any chunking (har_tok_diff.h), and
 * numbers of any length read in bounded memory. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* fopencookie */
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "har_tok_diff.h"
#include "phiwall/har.h"
#include "pw_test.h"

static const char *const inputs[] = {
    "{\"a\":\"b\\u00e9\\ud83d\\ude00\\ud800x\\udc00\\u0000z\\/\\\"\\\\\\n\\b\\f\\r\\t\"}",
    "{\"a\":\"\\uD800\\u0041\\uDBFF\\uDFFF\\ud800\\n\\ud800\",\"b\":\"\\u007f\\u07FF\\uFFFF\"}",
    "{\"a\":[1,-2.5e+3,0,true,false,null,{},[],{\"b\":{}}],\"c\":\"d\",\"e\":-0.0E-7}",
    "{ \"log\" : { \"entries\" : [ { \"request\" : { \"url\" : \"http://a/\" } } ] }\r\n}\n",
    "{\"a\":{\"b\":[1,{\"c\":\"\\\"}\"}],\"d\":\"\\u0022\"},\"k\\u0041\":1,\"\":\"\"}",
    "{\"a\":\"\xc3\xa9\xff\xfe plain\",\"b\":\"\x7f\"}",
    /* broken: each must end with yajl's error at yajl's byte */
    "{\"a\":01}",
    "{\"a\":1.}",
    "{\"a\":-}",
    "{\"a\":1e}",
    "{\"a\":1e+}",
    "{\"a\":tru}",
    "{\"a\":nul,\"b\":1}",
    "{\"a\" 1}",
    "{\"a\":1,}",
    "[1,]",
    "[1 2]",
    "{\"a\":1 \"b\":2}",
    "{\"a\":1}x",
    "{\"a\":1}  {}",
    "{\"a\":1}5",
    "{\"a\":\"\\x\"}",
    "{\"a\":\"\\u12g4\"}",
    "{\"a\":\"ctl\x01\"}",
    "{1:2}",
    "{\"a\":[}",
    "{\"a\":]}",
    " \f{\"a\":1}",
    "{\"a\":\v1}",
    "{\"a\":/*c*/1}",
    "{\"a\":\"abc",
    "{\"a\":12",
    "{\"a\":",
    "{\"a\"",
    "",
    "   ",
    "\"str\"",
    "123",
    "-",
    "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
    "{\"a\":{\"b\":{\"c\":{\"d\":[[[{\"e\":\"f\"}]]]}}}}",
    "{\"a\":{\"b\":{\"c\":{\"d\":[[[{\"e\":\"f\"]]]}}}}",
    "{\"a\":{\"b\":\"\\",
    "{\"a\":truefalse}",
    /* escapes dense and across 16-byte blocks (har_string_end walks a block's mask) */
    "{\"k\":\"0123456789abcd\\\"\\\\\\u0041\\/"
    "x\\n\\u00e9\\ud83d\\ude00xxxxxxxxxxxxxx\\t\\\"\",\"_u\":"
    "{\"a\":\"0123456789abcdef\\\"{\\\"x\\\":\\\"y\\\"}\\u0022\"},\"url\":\"http://a/"
    "b?c=d\\u0026e\"}",
    "{\"_u\":\"0123456789abcd\\q0123456789abcdef\"}",
    "{\"_u\":\"0123456789abcd\\u00g1aaaaaaaaaaaaaaaaaa\"}",
    "{\"_u\":\"0123456789abcdefghij\x02klmnopqrstuvwxyz\"}",
};

/* Every case, in every chunking up to 20 bytes and whole, with long and short string limits. */
static void matches_yajl(void)
{
    for (size_t c = 0; c < sizeof inputs / sizeof inputs[0]; c++) {
        const unsigned char *d = (const unsigned char *)inputs[c];
        size_t n = strlen(inputs[c]);
        for (size_t chunk = 1; chunk <= 21; chunk++) {
            size_t ck = chunk == 21 ? (n ? n : 1) : chunk;
            td_log ref, tok, sk;
            td_reference(d, n, ck, &ref);
            for (size_t max = 4; max <= 1 << 20; max <<= 18) {
                td_tokenized(d, n, ck, 0, max, &tok);
                if (strcmp(ref.buf, tok.buf) != 0) {
                    fprintf(stderr, "case %zu chunk %zu max %zu:\nyajl:\n%stokenizer:\n%s", c, ck,
                            max, ref.buf, tok.buf);
                    CHECK(0);
                }
                td_tokenized(d, n, ck, 1, max, &sk);
                CHECK_STR(td_last(&sk), td_last(&ref));
                free(tok.buf);
                free(sk.buf);
            }
            free(ref.buf);
        }
    }
}

/* yajl_string_decode's answers, kept by har_unescape (the cases above check them through yajl;
 * these are the ones a reader of the code would doubt). */
static void unescape_like_yajl(void)
{
    struct {
        const char *in, *out;
        size_t out_n;
    } t[] = {
        {"a\\ud800xb\"", "a?xb", 4}, /* lone high surrogate: '?' */
        {"\\ud800\\n\"", "?\n", 2},
        {"\\udc00\"", "\xed\xb0\x80", 3}, /* lone low surrogate: encoded as it is */
        {"\\ud83d\\ude00\"", "\xf0\x9f\x98\x80", 4},
        {"x\\u0000y\"", "x\0y", 3},
        {"\\/\\\"\\\\\"", "/\"\\", 3},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        unsigned char out[64];
        size_t raw = strlen(t[i].in) - 1; /* the closing quote stays readable after it */
        size_t n = har_unescape((const unsigned char *)t[i].in, raw, out);
        CHECK_INT(n, t[i].out_n);
        CHECK(memcmp(out, t[i].out, t[i].out_n) == 0);
    }
}

/* A HAR whose response.bodySize is a number of `digits` digits, served a piece at a time. */
typedef struct numfile {
    size_t pos, digits;
} numfile;
static const char num_head[] =
    "{\"log\":{\"entries\":[{\"request\":{\"method\":\"GET\",\"url\":\"https://a.org/\"},"
    "\"response\":{\"status\":200,\"bodySize\":";
static const char num_tail[] = "}}]}}";

static ssize_t numfile_read(void *c, char *buf, size_t size)
{
    numfile *f = c;
    size_t head = sizeof num_head - 1, tail = sizeof num_tail - 1, w = 0;
    while (w < size) {
        size_t p = f->pos;
        if (p < head)
            buf[w++] = num_head[p];
        else if (p < head + f->digits)
            buf[w++] = (char)('1' + (p - head) % 9);
        else if (p < head + f->digits + tail)
            buf[w++] = num_tail[p - head - f->digits];
        else
            break;
        f->pos++;
    }
    return (ssize_t)w;
}

static pw_status count_req(void *ctx, const pw_request *r, pw_err *err)
{
    (void)err;
    *(int *)ctx += r->status == 200;
    return PW_OK;
}

/* A 400 MB number under a 192 MiB address-space limit (in a child process): yajl buffered the
 * whole token (the old reader stopped with out of memory); now its digits past the first 64
 * are never buffered and the entry is read. */
static void long_number_bounded(void)
{
#ifdef PW_TEST_ASAN
    return; /* the sanitizer's shadow memory does not fit under an address-space limit */
#endif
    pid_t pid = fork();
    if (pid == 0) {
        struct rlimit rl = {192u << 20, 192u << 20};
        setrlimit(RLIMIT_AS, &rl);
        numfile nf = {0, 400u * 1000 * 1000};
        cookie_io_functions_t io = {.read = numfile_read};
        FILE *f = fopencookie(&nf, "r", io);
        int n = 0;
        pw_capture_sink sink = {NULL, count_req, &n, NULL};
        pw_err err;
        pw_err_clear(&err);
        pw_status st = pw_har_read_ex(f, "n.har", &sink, NULL, NULL, &err);
        if (st != PW_OK)
            fprintf(stderr, "%s\n", err.msg);
        fclose(f);
        _exit(st == PW_OK && n == 1 ? 0 : 1);
    }
    int ws = 0;
    CHECK(pid > 0 && waitpid(pid, &ws, 0) == pid);
    CHECK(WIFEXITED(ws) && WEXITSTATUS(ws) == 0);
}

/* har_string_end as it was, a byte at a time: the reference its block-mask walk must match. */
static const unsigned char *ref_string_end(const unsigned char *p, const unsigned char *end,
                                           size_t max)
{
    const unsigned char *start = p;
    for (; p < end; p++) {
        if (*p < 0x20)
            return NULL;
        if (*p == '"')
            return (size_t)(p - start) <= max ? p : NULL;
        if (*p != '\\')
            continue;
        if (end - p < 2)
            return NULL;
        if (p[1] == 'u') {
            if (end - p < 6)
                return NULL;
            for (int k = 2; k < 6; k++)
                if (!strchr("0123456789abcdefABCDEF", p[k]) || !p[k])
                    return NULL;
            p += 5;
            continue;
        }
        if (!strchr("\"\\/bfnrt", p[1]) || !p[1])
            return NULL;
        p++;
    }
    return NULL;
}

/* Random strings dense in quotes, escapes (good and bad), hex digits and control bytes, every
 * length to 70 and every end: the same closing quote (or none) as the reference. Escapes that
 * straddle a 16-byte block, end a block or end the input are all among them. */
static void string_end_like_reference(void)
{
    static const char alpha[] = "aa\"\\\\u0fFn/x\x01\x7f\xc3";
    unsigned seed = 12345;
    unsigned char buf[80];
    size_t bad = 0;
    for (int round = 0; round < 40000; round++) {
        size_t len = (size_t)(round % 71);
        for (size_t i = 0; i < len; i++) {
            seed = seed * 1103515245u + 12345u;
            buf[i] = (unsigned char)alpha[(seed >> 16) % (sizeof alpha - 1)];
        }
        for (size_t max = 3; max <= 100; max += 97)
            for (size_t end = 0; end <= len; end++) {
                const unsigned char *a = har_string_end(buf, buf + end, max);
                const unsigned char *b = ref_string_end(buf, buf + end, max);
                if (a != b && bad++ < 3)
                    fprintf(stderr, "round %d end %zu max %zu: %td, reference %td\n", round, end,
                            max, a ? a - buf : -1, b ? b - buf : -1);
            }
    }
    CHECK(bad == 0);
}

/* The key lookup's perfect hash: every name the reader knows is found, each its own, and names
 * that differ by a byte, a case or a length are not. */
static void key_lookup_exact(void)
{
    const char *names[256];
    size_t n = 0;
    for (; n < 256 && har_key_name((int)n + 1); n++)
        names[n] = har_key_name((int)n + 1);
    CHECK(n >= 50); /* log, pages, entries, … morePageCount */
    int seen[256] = {0};
    for (size_t i = 0; i < n; i++) {
        const unsigned char *s = (const unsigned char *)names[i];
        size_t len = strlen(names[i]);
        int k = har_key_id(s, len);
        CHECK_INT(k, (int)i + 1);
        if (k > 0 && k < 256) {
            CHECK_INT(seen[k], 0);
            seen[k] = 1;
        }
        int prefix_known = 0; /* "pageUrl" is a name, and "pageUrls" less its last byte */
        for (size_t j = 0; j < n; j++)
            prefix_known |= strlen(names[j]) == len - 1 && memcmp(names[j], s, len - 1) == 0;
        CHECK_INT(har_key_id(s, len - 1) != 0, prefix_known);
        char v[32];
        memcpy(v, names[i], len);
        v[len] = 'x';
        CHECK_INT(har_key_id((const unsigned char *)v, len + 1), 0);
        for (size_t j = 0; j < len; j++) {
            memcpy(v, names[i], len);
            v[j] = (char)(v[j] ^ 0x20);
            CHECK_INT(har_key_id((const unsigned char *)v, len), 0);
        }
    }
    CHECK_INT(har_key_id((const unsigned char *)"", 0), 0);
    CHECK_INT(har_key_id((const unsigned char *)"cookies", 7), 0);
    CHECK_INT(har_key_id((const unsigned char *)"queryString", 11), 0);
    CHECK_INT(har_key_id((const unsigned char *)"_hasSessionCookieX", 18), 0);
}

PW_TEST_MAIN(PW_TEST(matches_yajl), PW_TEST(unescape_like_yajl), PW_TEST(long_number_bounded),
             PW_TEST(string_end_like_reference), PW_TEST(key_lookup_exact))
