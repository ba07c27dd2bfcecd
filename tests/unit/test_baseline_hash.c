/* test_baseline_hash.c — the visited-page lookup of a --baseline comparison hashes page keys with
 * a key (SipHash-2-4; the CLI draws one per run from getrandom), not with unkeyed FNV-1a. A site
 * chooses its page URLs: URLs crafted offline to share one FNV-1a hash put every page in one run
 * of the sorted hashes, and each absent finding's lookup made again and compared the key of
 * every page there — a comparison quadratic in the pages. Counted here as page keys compared, not
 * time. The key changes only the order of the work: test_baseline_absent checks the reports are
 * the same bytes whatever the key. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "phiwall/arena.h"
#include "phiwall/baseline.h"
#include "phiwall/report.h"
#include "phiwall/url.h"
#include "pw_test.h"
#include "report/report_internal.h"

/* SipHash-2-4's reference vectors (Aumasson and Bernstein, appendix A): key 00 01 … 0f, message
 * 00 01 … (n - 1). */
static void siphash_vectors(void)
{
    char m[16];
    for (int i = 0; i < 16; i++)
        m[i] = (char)i;
    uint64_t k0 = 0x0706050403020100ull, k1 = 0x0f0e0d0c0b0a0908ull;
    CHECK(pw_baseline_page_hash(k0, k1, m, 0) == 0x726fdb47dd0e0e31ull);
    CHECK(pw_baseline_page_hash(k0, k1, m, 15) == 0xa129ca6149be45e5ull);
    CHECK(pw_baseline_page_hash(k0, k1, m, 8) == 0x93f5f5799a932462ull);
    CHECK(pw_baseline_page_hash(k0, k1, m, 1) != pw_baseline_page_hash(k0 + 1, k1, m, 1));
}

/* FNV-1a, 64 bits: the page hash before. */
static uint64_t fnv1a(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
    return h;
}

/* Pairs of 16-hex-digit blocks that leave FNV-1a in one state after "h.org/p/" and the blocks
 * before (found offline by a distinguished-point collision search, ~5·10⁹ hashes a pair): every
 * choice of one block of each pair gives a page key of the same FNV-1a hash, and a pair more
 * doubles the keys. */
static const char *const blocks[][2] = {
    {"f00c9776eab00b92", "a37f735714b3afcb"},
    {"82301a15520c0e0a", "bceb5219bf09e273"},
    {"3739663ca67da06d", "71abe8a5fab83d5b"},
};
#define N_BLOCKS (sizeof blocks / sizeof *blocks)
#define N_KEYS   (1u << N_BLOCKS)

/* The URL of page key number k (its bits choose the blocks), with a query (the key has none). */
static char *colliding_url(pw_arena *a, size_t k)
{
    char path[16 * N_BLOCKS + 1] = "";
    for (size_t i = 0; i < N_BLOCKS; i++)
        strcat(path, blocks[i][k >> i & 1]);
    return pw_arena_sprintf(a, "https://h.org/p/%s?utm=%zu", path, k);
}

/* The comparison of a baseline of one finding on each colliding page with a scan of the first
 * `visited` of them: the page keys compared. */
static size_t compares(size_t visited, const unsigned char *key)
{
    pw_arena a;
    pw_arena_init(&a, 0);
    pw_finding *old = pw_arena_calloc(&a, N_KEYS, sizeof *old);
    pw_page *pages = pw_arena_calloc(&a, N_KEYS, sizeof *pages);
    pw_hhs_context *ctx = pw_arena_calloc(&a, N_KEYS, sizeof *ctx);
    for (size_t k = 0; k < N_KEYS; k++) {
        old[k] = (pw_finding){.rule_id = "PW-CONDITION-URL",
                              .severity = PW_SEV_MEDIUM,
                              .account_id = "1",
                              .page_url = colliding_url(&a, k),
                              .occurrences = 1,
                              .page_variants = 1,
                              .title = "t",
                              .legal = "l",
                              .remediation = "r"};
        pages[k].url = old[k].page_url;
    }
    pw_scan_result base = {.target = "h.har", .findings = old, .n_findings = N_KEYS};
    pw_buf json;
    pw_buf_init(&json);
    CHECK(pw_report_render(&base, PW_REPORT_JSON, NULL, &json, NULL) == PW_OK);
    pw_baseline *b = NULL;
    CHECK(pw_baseline_parse(json.data, json.len, "old.json", &b, NULL) == PW_OK);
    pw_buf_free(&json);
    pw_scan_result r = {
        .target = "h.har", .pages = pages, .n_pages = visited, .page_contexts = ctx};
    size_t n = 0;
    pw_baseline_diff d;
    CHECK(b && pw_baseline_compare_with(
                   b, &r, &(pw_baseline_compare_opts){.key = key, .page_compares = &n}, &d, NULL) ==
                   PW_OK);
    if (b) {
        CHECK_INT(d.n_gone, visited);
        CHECK_INT(d.n_unchecked, N_KEYS - visited);
        pw_baseline_diff_free(&d);
    }
    pw_baseline_free(b);
    pw_arena_free(&a);
    return n;
}

static void crafted_pages_compare_once(void)
{
    /* the keys do collide under FNV-1a, and are distinct page keys */
    pw_arena a;
    pw_arena_init(&a, 0);
    char first[256], key[256];
    pw_url_page_key(colliding_url(&a, 0), first, sizeof first);
    for (size_t k = 1; k < N_KEYS; k++) {
        pw_url_page_key(colliding_url(&a, k), key, sizeof key);
        CHECK(fnv1a(key) == fnv1a(first));
        CHECK(strcmp(key, first) != 0);
    }
    pw_arena_free(&a);
    static const unsigned char k1[16] = {42}, k2[16] = {7, 7, 7};
    for (int w = 0; w < 3; w++) {
        const unsigned char *key_w = w == 0 ? NULL : w == 1 ? k1 : k2;
        size_t half = compares(N_KEYS / 2, key_w), all = compares(N_KEYS, key_w);
        fprintf(stderr, "key %d: %zu page keys compared for %u lookups (%u pages), %zu (%u)\n", w,
                half, N_KEYS, N_KEYS / 2, all, N_KEYS);
        /* FNV-1a: every lookup walked every colliding page, 26 and 36 page keys compared (8
         * keys). Keyed: a lookup compares its own page's key when visited, another only on a
         * 64-bit chance: 4 and 8. */
        CHECK(half <= N_KEYS / 2 + 1);
        CHECK(all <= N_KEYS + 1);
    }
}

PW_TEST_MAIN(PW_TEST(siphash_vectors), PW_TEST(crafted_pages_compare_once))
