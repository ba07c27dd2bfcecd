/*
 * test_detect_url_memo.c — engine-url7's memos for URL fields never change a result: the
 * parameter-name table in front of the key memo (key_memo.c, pw_ctx_param_key) answers what the
 * classification answers for every name, whatever shared its slot before; and with one
 * long-lived scratch, URLs whose hosts share the host memo's slots (page_context.c), whose path
 * runs share the run memo (path_phrase.c, seg_memo.c) and whose page URL in dl= has slugs with
 * hits at other offsets (the hit memo for decoded parts, seg_memo.c) get exactly the hits of a
 * scan with a fresh scratch, every field of them compared.
 *
 * engine-url8: the memos' sets spread segments, parameter names and hosts that differ in their
 * last bytes only, and keep two of a set; the 16-byte paths of percent-decoding and of the
 * bookkeeping values' escape check give what a byte-at-a-time reference gives.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect/internal.h"
#include "detect/seg_memo_impl.h"
#include "detect_helpers.h"
#include "phiwall/text.h"
#include "pw_test.h"

/* What the classification of a URL parameter name is, without any memo: a name with '%' or '+'
 * is classified decoded (key_memo.c's classify_param). */
static pw_ctx ref_ctx(pw_arena *a, const char *k, size_t n)
{
    if (memchr(k, '%', n) || memchr(k, '+', n)) {
        size_t dn = 0;
        char *dec = pw_pct_decode(a, k, n, 1, &dn);
        CHECK(dec != NULL);
        if (dec)
            return pw_ctx_from_key(dec, dn);
    }
    return pw_ctx_from_key(k, n);
}

/* Names of 1..24 bytes: tracker names, names that differ from each other only in their last
 * bytes (same length, same first eight: one slot's head), or only in length, escaped names;
 * thousands of them, so that every slot of the 256-slot table is taken over many times. */
static size_t make_names(char (*out)[32], size_t max)
{
    static const char *const heads[] = {"patient_", "customer", "utm_data", "cd[form_", "ud[",
                                        "x",        "first",    "q",        "a%5F",     "my+"};
    static const char *const tails[] = {"id",  "name", "email", "dob",  "phone", "zip",   "mrn",
                                        "ts",  "v",    "xx",    "nam",  "namf",  "e",     "]",
                                        "id]", "fn",   "ln",    "city", "term",  "search"};
    static const char *const plain[] = {
        "v",  "tid", "cid", "dl", "dt", "ev", "en", "_s",         "sr",  "id",  "ts",  "fn", "ln",
        "em", "ph",  "q",   "s",  "k",  "dr", "ul", "utm_source", "dob", "zip", "mrn", "rx", "ssn"};
    size_t n = 0;
    for (size_t i = 0; i < sizeof plain / sizeof plain[0] && n < max; i++)
        snprintf(out[n++], sizeof out[0], "%s", plain[i]);
    for (size_t h = 0; h < sizeof heads / sizeof heads[0]; h++)
        for (size_t t = 0; t < sizeof tails / sizeof tails[0] && n < max; t++)
            snprintf(out[n++], sizeof out[0], "%s%s", heads[h], tails[t]);
    /* names with the head, length and table slot of "customername" (a name's key) and
     * "patient_id" (a record's): only their last bytes tell them apart */
    static const char *const shared[] = {"customername", "patient_id"};
    for (size_t w = 0; w < 2; w++) {
        size_t len = strlen(shared[w]);
        uint64_t head, tail;
        pw_param_key_words(shared[w], len, &head, &tail);
        size_t slot = pw_param_memo_slot(head, tail, len), found = 0;
        char b[32];
        for (unsigned k = 0; k < (w ? 100u : 10000u) && found < 4 && n < max; k++) {
            if (w == 0)
                snprintf(b, sizeof b, "customer%04u", k);
            else
                snprintf(b, sizeof b, "patient_%02u", k);
            pw_param_key_words(b, len, &head, &tail);
            if (strcmp(b, shared[w]) != 0 && pw_param_memo_slot(head, tail, len) == slot) {
                snprintf(out[n++], sizeof out[0], "%s", b);
                snprintf(out[n++], sizeof out[0], "%s", shared[w]); /* then the name again */
                found++;
            }
        }
        CHECK(w == 1 || found > 0);
    }
    for (unsigned k = 0; n < max; k++) /* fillers: other names through every slot */
        snprintf(out[n++], sizeof out[0], "%c%u_%s", 'a' + (int)(k % 26), k,
                 tails[k % (sizeof tails / sizeof tails[0])]);
    return n;
}

static void test_param_names_as_classified(void)
{
    enum { NAMES = 3000 };
    static char names[NAMES][32];
    size_t nn = make_names(names, NAMES);
    pw_detector *d = NULL;
    pw_detect_scratch *s = NULL;
    pw_detector_opts o = {0};
    CHECK(pw_detector_new(&o, &d, NULL) == PW_OK);
    CHECK(d && pw_detect_scratch_new(d, &s, NULL) == PW_OK);
    if (!s)
        return;
    pw_arena a;
    pw_arena_init(&a, 0);
    size_t wrong = 0;
    for (int round = 0; round < 3; round++)
        for (size_t i = 0; i < nn; i++) {
            size_t n = strlen(names[i]);
            pw_ctx want = ref_ctx(&a, names[i], n);
            pw_ctx got = pw_ctx_param_key(s, &a, names[i], n);
            pw_ctx again = pw_ctx_param_key(s, &a, names[i], n); /* from the table */
            pw_ctx direct = pw_ctx_from_param_key(s, &a, names[i], n);
            if (got != want || again != want || direct != want) {
                if (wrong++ < 5)
                    fprintf(stderr, "  round %d: %s gave %d/%d/%d, classified %d\n", round,
                            names[i], (int)got, (int)again, (int)direct, (int)want);
            }
            pw_arena_reset(&a);
        }
    CHECK_INT((int)wrong, 0);
    CHECK(pw_ctx_param_key(s, &a, "", 0) == PW_CTX_NONE);
    pw_arena_free(&a);
    pw_detect_scratch_free(s);
    pw_detector_free(d);
}

/* The URLs: page URLs in dl= whose slugs give hits, behind prefixes of every length (their
 * decoded parts come back at other offsets of other fields), a '+' decoded to a space inside
 * and outside a nested URL, general-page hosts beside hosts of the same length that are none
 * (through every slot of the host memo), path runs a phrase crosses beside runs none does. */
static size_t make_urls(char (*out)[256], size_t max)
{
    static const char *const pages[] = {
        "%2Fconditions%2Fbreast-cancer%2Ftreatment",
        "%2Fconditions%2Fhepatitis-c%3Femail%3Djane.doe%2540example.com",
        "%2Fservices%2Fhiv-testing%3Fq%3Dhiv%2Btest",
        "%2Fpatients%2F48213907%2Fresults",
        "%2Fcareers%2Foncology-nurse",
        "%2Fpharmacy%2Frefill",
    };
    static const char *const heads[] = {
        "https://t.example/tr?id=1&ev=PageView&dl=https%3A%2F%2Fh.org",
        "https://www.google-analytics.com/g/collect?v=2&dl=https%3A%2F%2Fh.org",
        "https://x.io/p?dl=https%3A%2F%2Fh.org",
        "https://t2.example/c?aa=1&bbb=22&dl=https%3A%2F%2Fh.org"};
    static const char *const fixed[] = {
        "https://h.org/search?q=breast+cancer",
        "https://h.org/s?x=1&q=breast+cancer",
        "https://h.org/pharmacy/refill",
        "https://h.org/pharmacy/refills",
        "https://h.org/portal/login",
        "https://h.org/portal/logic",
        "https://h.org/conditions/breast-cancer",
        "https://h.org/conditions/breast-cancer#/pharmacy/refill",
        "https://careers.h.org/oncology",
        "https://carpool.h.org/oncology",
        "https://jobs.icims.com/oncology",
        "https://jobs.icimx.com/oncology",
    };
    size_t n = 0;
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0] && n < max; i++)
        snprintf(out[n++], sizeof out[0], "%s", fixed[i]);
    for (size_t h = 0; h < sizeof heads / sizeof heads[0]; h++)
        for (size_t p = 0; p < sizeof pages / sizeof pages[0] && n < max; p++)
            snprintf(out[n++], sizeof out[0], "%s%s%%26n%%3D%zu&ts=1700000000123", heads[h],
                     pages[p], h); /* a dl= value of its own: its decoded parts are compared */
    for (unsigned k = 0; n + 2 <= max; k++) { /* hosts through every slot of the host memo */
        snprintf(out[n++], sizeof out[0], "https://careers.h%u.org/oncology/nurse", k);
        snprintf(out[n++], sizeof out[0], "https://carpool.h%u.org/oncology/nurse", k);
    }
    return n;
}

/* What a fresh scratch finds in value (under key, as type): the answer a kept scratch must give.
 * The hits live in t->a. */
static void fresh_scan(dt_ctx *t, const char *key, const char *value, pw_field_type type,
                       pw_hit **ref, size_t *nref)
{
    pw_detect_scratch *s = NULL;
    *ref = NULL;
    *nref = 0;
    CHECK(pw_detect_scratch_new(t->d, &s, NULL) == PW_OK);
    CHECK(pw_detect_scan(t->d, s, &t->a, key, value, strlen(value), type, ref, nref, NULL) ==
          PW_OK);
    pw_detect_scratch_free(s);
}

static void test_urls_same_as_fresh(void)
{
    enum { URLS = 200 };
    static char urls[URLS][256];
    size_t nu = make_urls(urls, URLS);
    dt_ctx t;
    CHECK(dt_open(&t, NULL, 0));
    size_t wrong = 0, with_hits = 0;
    for (int round = 0; round < 3; round++)
        for (size_t i = 0; i < nu; i++) {
            pw_hit *ref;
            size_t nref;
            fresh_scan(&t, NULL, urls[i], PW_FT_URL, &ref, &nref);
            dt_scan(&t, NULL, urls[i], PW_FT_URL);
            with_hits += round == 0 && nref > 0;
            if (!dt_same_hits(t.h, t.n, ref, nref) && wrong++ < 5)
                fprintf(stderr, "  round %d: hits differ for %s\n", round, urls[i]);
        }
    CHECK_INT((int)wrong, 0);
    CHECK(with_hits >= 20); /* the cases do have hits to get wrong */
    /* and the phrase across two slugs is still found once its run was seen */
    dt_scan(&t, NULL, "https://h.org/pharmacy/refill", PW_FT_URL);
    const pw_hit *h = dt_find(&t, PW_PHI_CARE_INTENT);
    CHECK(h != NULL && h->start == 14 && h->end == 29);
    dt_close(&t);
}

/* The slug of a page URL in dl= that gave a health hit in one field is given from the memo in
 * the next, at its own offset there. */
static void test_decoded_slug_hit_at_its_offset(void)
{
    dt_ctx t;
    CHECK(dt_open(&t, NULL, 0));
    /* two page URLs: the dl= values differ (not given whole from the memo), the slug does not */
    const char *a = "https://t.example/tr?dl=https%3A%2F%2Fh.org%2Fconditions%2Fbreast-cancer"
                    "%3Fx%3D1";
    const char *b = "https://t.example/tr?id=12&ev=PageView&dl=https%3A%2F%2Fh.org%2Fconditions%2F"
                    "breast-cancer%3Fx%3D2";
    for (int i = 0; i < 2; i++) /* remembered the second time it comes */
        dt_scan(&t, NULL, a, PW_FT_URL);
    dt_scan(&t, NULL, b, PW_FT_URL);
    const pw_hit *h = dt_find(&t, PW_PHI_HEALTH);
    CHECK(h != NULL);
    if (h) {
        const char *at = strstr(b, "breast-cancer");
        CHECK_INT((int)h->start, (int)(at - b));
        CHECK_INT((int)h->end, (int)(at - b) + 13);
    }
    dt_close(&t);
}

/* The same bytes under another key: the segment and hit memos key a segment by its key's text
 * too, which detectors read ("cita" reads 03/04 day-first, ident_date.c; a bare "provider"
 * key's value is a service, "provider_name"'s a name, ident_name.c). Keyed by the key's context
 * alone, a reused scratch answered as for the first key (found in review, 2 December 2026). */
static void test_same_bytes_other_key(void)
{
    static const struct {
        const char *key, *value;
        pw_field_type type;
    } seq[] = {
        {"cita", "03/04/2025", PW_FT_JSON_VALUE},
        {"cita", "03/04/2025", PW_FT_JSON_VALUE},
        {"appointment", "03/04/2025", PW_FT_JSON_VALUE},
        {NULL,
         "https://www.facebook.com/tr?id=1&dl=https://www.example.org/book%3Fcita%3D03/04/2025",
         PW_FT_URL},
        {NULL,
         "https://www.facebook.com/tr?id=2&dl=https://www.example.org/book%3Fcita%3D03/04/2025",
         PW_FT_URL},
        {NULL,
         "https://www.facebook.com/tr?id=3&dl=https://www.example.org/book%3Fappointment%3D03/04/"
         "2025",
         PW_FT_URL},
        /* engine-url9: a URL part's key and value are hashed as one span (key_of_part), at
         * depth 0 too: keys of one length ("cita" reads day-first, "nota" does not) before the
         * same value; "provider" and "provider_name" below fail when the span leaves the key out */
        {NULL, "https://www.example.org/book?cita=03/04/2025", PW_FT_URL},
        {NULL, "https://www.example.org/book?cita=03/04/2025", PW_FT_URL},
        {NULL, "https://www.example.org/book?nota=03/04/2025", PW_FT_URL},
        {NULL, "https://www.example.org/book?nota=03/04/2025", PW_FT_URL},
        {NULL, "https://www.example.org/book?cita=03/04/2025", PW_FT_URL},
        {NULL, "https://www.example.org/?provider=Google", PW_FT_URL},
        {NULL, "https://www.example.org/?provider_name=Google", PW_FT_URL},
    };
    dt_ctx t;
    CHECK(dt_open(&t, NULL, 0));
    size_t wrong = 0, with_hits = 0;
    for (size_t i = 0; i < sizeof seq / sizeof seq[0]; i++) {
        pw_hit *ref;
        size_t nref;
        fresh_scan(&t, seq[i].key, seq[i].value, seq[i].type, &ref, &nref);
        dt_scan(&t, seq[i].key, seq[i].value, seq[i].type);
        with_hits += nref > 0;
        if (!dt_same_hits(t.h, t.n, ref, nref) && ++wrong)
            fprintf(stderr, "  hits differ for %s %s\n", seq[i].key ? seq[i].key : "-",
                    seq[i].value);
    }
    CHECK_INT((int)wrong, 0);
    CHECK(with_hits >= 11);
    dt_close(&t);
}

/* engine-url9: where a URL's quiet part starts is remembered by its bytes up to the end of its
 * last path slug (page_context.c quiet_from_memo), and with it that the phrases across its slugs
 * gave none (url_mode.c). URLs of one length whose page word sits in another slug, or is one
 * letter off, or whose host is the page's, URLs whose last slug ends at the same byte with a
 * query or fragment after it, and slugs one letter off a phrase, get the hits of a fresh
 * scratch, three rounds over. */
static void test_quiet_memo_by_path(void)
{
    static const char *const urls[] = {
        "https://h.org/oncology/careers/breast-cancer",
        "https://h.org/oncology/careerz/breast-cancer",
        "https://h.org/careers/oncology/breast-cancer",
        "https://h.org/xyzwvut/oncology/breast-cancer",
        "https://careers.h.org/oncology/breast-cancer",
        "https://careerz.h.org/oncology/breast-cancer",
        "https://h.org/news/breast-cancer",
        "https://h.org/nexs/breast-cancer",
        "https://h.org/news",
        "https://h.org/news?q=breast+cancer",
        "https://h.org/nexs?q=breast+cancer",
        "https://h.org/news#/breast-cancer",
        "https://h.org/a?x=1#/careers/breast-cancer",
        "https://h.org/a?x=1#/careerz/breast-cancer",
        /* the phrases across slugs, remembered to give none by the same entry */
        "https://h.org/pharmacx/refill",
        "https://h.org/pharmacy/refill",
        "https://careers.h.org/x?dl=https%3A%2F%2Fh.org%2Fpharmacx%2Frefill",
        "https://careers.h.org/x?dl=https%3A%2F%2Fh.org%2Fpharmacy%2Frefill",
        "https://www.h.org/x?dl=https%3A%2F%2Fh.org%2Fpharmacy%2Frefill",
    };
    dt_ctx t;
    CHECK(dt_open(&t, NULL, 0));
    size_t wrong = 0, with_hits = 0, quiet = 0, refills = 0;
    for (int round = 0; round < 3; round++)
        for (size_t i = 0; i < sizeof urls / sizeof urls[0]; i++) {
            pw_hit *ref;
            size_t nref;
            fresh_scan(&t, NULL, urls[i], PW_FT_URL, &ref, &nref);
            dt_scan(&t, NULL, urls[i], PW_FT_URL);
            if (round == 0) {
                int breast = 0;
                for (size_t k = 0; k < nref; k++)
                    breast |= ref[k].category == PW_PHI_HEALTH &&
                              strstr(urls[i] + ref[k].start, "breast") == urls[i] + ref[k].start;
                with_hits += breast;
                quiet += !breast && strstr(urls[i], "breast") != NULL;
                for (size_t k = 0; k < nref; k++)
                    refills += ref[k].category == PW_PHI_CARE_INTENT && ref[k].normalized &&
                               strcmp(ref[k].normalized, "pharmacy refill") == 0;
            }
            if (!dt_same_hits(t.h, t.n, ref, nref) && wrong++ < 5)
                fprintf(stderr, "  round %d: hits differ for %s\n", round, urls[i]);
        }
    CHECK_INT((int)wrong, 0);
    CHECK(with_hits >= 4 && quiet >= 4); /* both answers occur */
    CHECK(refills == 3);                 /* the phrase across two slugs, in three URLs */
    dt_close(&t);
}

/* engine-url8: segments that differ in their last byte only ("utm_campaign=spring2020" …
 * "spring2025") are all remembered: the set is taken from the hash's top bits. Taken from bits
 * 40..48, the six shared one set of two ways, and only the last two were found. */
static void test_memo_sets_spread(void)
{
    dt_ctx t;
    CHECK(dt_open(&t, NULL, 0));
    pw_scan sc = {.d = t.d, .s = t.s, .a = &t.a, .st = PW_OK, .memo = t.s->seg_memo};
    static const char *const keys[] = {"utm_campaign", "v", "cd[buttonText]"};
    for (size_t kk = 0; kk < sizeof keys / sizeof keys[0]; kk++) {
        char v[8][24];
        pw_seg g[8];
        pw_seg_memo_key k;
        for (int i = 0; i < 8; i++) {
            snprintf(v[i], sizeof v[i], kk == 1 ? "2.9.4%d" : "spring202%d", i);
            g[i] = (pw_seg){.s = v[i],
                            .n = strlen(v[i]),
                            .type = PW_FT_URL,
                            .key = keys[kk],
                            .key_n = strlen(keys[kk]),
                            .in_url = 1,
                            .in_query = 1};
            CHECK(!pw_seg_memo_lookup(&sc, &g[i], 0, &k));
            pw_seg_memo_put(&sc, &g[i], &k);
        }
        int found = 0;
        for (int i = 0; i < 8; i++)
            found += pw_seg_memo_lookup(&sc, &g[i], 0, &k);
        CHECK_INT(found, 8);
    }
    dt_close(&t);
}

/* 1 if the parameter-name table holds name (in its set). */
static int param_in_table(const pw_detect_scratch *s, const char *name)
{
    size_t n = strlen(name);
    uint64_t head, tail;
    pw_param_key_words(name, n, &head, &tail);
    size_t set = pw_param_memo_slot(head, tail, n) & ~(size_t)(PW_PARAM_MEMO_WAYS - 1);
    for (size_t w = 0; w < PW_PARAM_MEMO_WAYS; w++) {
        const pw_param_memo *e = &s->param_memo[set + w];
        if (e->len == n && e->head == head && e->tail == tail)
            return 1;
    }
    return 0;
}

/* engine-url8: "ts" and "dl" (every Facebook pixel request) share a slot of the parameter-name
 * table; direct-mapped, each pushed the other out. Two ways keep both, and the answers stay
 * the classification's. */
static void test_param_table_keeps_two(void)
{
    dt_ctx t;
    CHECK(dt_open(&t, NULL, 0));
    uint64_t h1, t1, h2, t2;
    pw_param_key_words("ts", 2, &h1, &t1);
    pw_param_key_words("dl", 2, &h2, &t2);
    CHECK_INT((int)pw_param_memo_slot(h1, t1, 2), (int)pw_param_memo_slot(h2, t2, 2));
    for (int round = 0; round < 3; round++) {
        CHECK_INT((int)pw_ctx_param_key(t.s, &t.a, "ts", 2), (int)ref_ctx(&t.a, "ts", 2));
        CHECK_INT((int)pw_ctx_param_key(t.s, &t.a, "dl", 2), (int)ref_ctx(&t.a, "dl", 2));
        CHECK(param_in_table(t.s, "ts"));
        CHECK(param_in_table(t.s, "dl"));
    }
    dt_close(&t);
}

/* engine-url8: two hosts that share a set of the host memo (and a slot of the direct-mapped
 * table it was, by the hash's bits 40..48) both stay in it, with their answers. */
static void test_host_memo_keeps_two(void)
{
    char a[64] = "", b[64] = "";
    uint64_t ha = 0;
    for (unsigned i = 0; i < 100000 && !b[0]; i++) {
        char c[64];
        snprintf(c, sizeof c, "https://careers.h%06u.org", i);
        size_t n = strlen(c);
        uint64_t h = pw_memo_hash_bytes(0x9e3779b97f4a7c15ull ^ n, c, n);
        if (!a[0]) {
            snprintf(a, sizeof a, "%s", c);
            ha = h;
        } else if (strlen(a) == n &&
                   memo_slot(h, PW_HOST_MEMO_SLOTS / 2) == memo_slot(ha, PW_HOST_MEMO_SLOTS / 2) &&
                   ((h >> 40) & (PW_HOST_MEMO_SLOTS - 1)) ==
                       ((ha >> 40) & (PW_HOST_MEMO_SLOTS - 1))) {
            snprintf(b, sizeof b, "%s", c);
        }
    }
    CHECK(b[0] != 0);
    dt_ctx t;
    CHECK(dt_open(&t, NULL, 0));
    char ua[128], ub[128];
    snprintf(ua, sizeof ua, "%s/oncology?x=1", a);
    snprintf(ub, sizeof ub, "%s/oncology?x=1", b);
    dt_scan(&t, NULL, ua, PW_FT_URL);
    dt_scan(&t, NULL, ub, PW_FT_URL);
    size_t la = strlen(a), lb = strlen(b);
    int found_a = 0, found_b = 0;
    for (size_t i = 0; i < PW_HOST_MEMO_SLOTS; i++) {
        const pw_host_memo *e = &t.s->host_memo[i];
        found_a |= e->n == la && memcmp(e->bytes, a, la) == 0 && e->general;
        found_b |= e->n == lb && memcmp(e->bytes, b, lb) == 0 && e->general;
    }
    CHECK(found_a);
    CHECK(found_b);
    dt_close(&t);
}

/* The reference: g's bytes decoded one at a time ('%XX', '+' as a space when plus), with
 * each output byte's original span. */
static size_t ref_decode(const pw_seg *g, int plus, char *out, uint32_t *os, uint32_t *oe,
                         int *changed)
{
    size_t o = 0;
    *changed = 0;
    for (size_t i = 0; i < g->n;) {
        size_t last = i;
        char c = g->s[i];
        if (c == '%' && i + 2 < g->n && pw_hex_value(g->s[i + 1]) >= 0 &&
            pw_hex_value(g->s[i + 2]) >= 0) {
            c = (char)(pw_hex_value(g->s[i + 1]) * 16 + pw_hex_value(g->s[i + 2]));
            last = i + 2;
            *changed = 1;
        } else if (c == '+' && plus) {
            c = ' ';
            *changed = 1;
        }
        out[o] = c;
        os[o] = g->ostart ? g->ostart[i] : (uint32_t)(g->base + i);
        oe[o++] = g->oend ? g->oend[last] : (uint32_t)(g->base + last + 1);
        i = last + 1;
    }
    return o;
}

/* engine-url8: pw_seg_pct_decode (sixteen bytes stored and searched at a time) against the
 * reference, on slices and on decoded layers, escapes and '+' at every offset of 0..80 bytes;
 * and the bookkeeping values' escape check (may_decode, sixteen bytes at a time from 16 on)
 * against a byte-by-byte look. */
static void test_decode_paths_as_reference(void)
{
    pw_arena a;
    pw_arena_init(&a, 0);
    static const char *const pieces[] = {"%41", "+", "%2", "%zz", "%252F", "%", "%e2%80%93"};
    size_t wrong = 0, cases = 0;
    unsigned seed = 7;
    for (size_t len = 0; len <= 80; len++)
        for (size_t at = 0; at <= len; at++)
            for (size_t p = 0; p < sizeof pieces / sizeof pieces[0]; p++) {
                char s[160];
                size_t n = 0;
                for (; n < at; n++) {
                    seed = seed * 1103515245u + 12345u;
                    s[n] = "abcdefghij0123456789-._~/"[(seed >> 16) % 25];
                }
                size_t pl = strlen(pieces[p]);
                memcpy(s + n, pieces[p], pl);
                n += pl;
                for (; n < len + pl; n++)
                    s[n] = "xyz%+"[(n * 7 + p) % 5 == 3 && len % 3 == 0 ? 3 : (n + p) % 3];
                s[n] = '\0';
                int have = 0;
                for (size_t i = 0; i < n; i++)
                    have |= s[i] == '%' || s[i] == '+';
                if (may_decode(s, n) != have && wrong++ < 5)
                    fprintf(stderr, "  may_decode wrong for %s\n", s);
                if (!memchr(s, '+', n)) { /* engine-url10: decoded_first passes plus without a
                                             look for '+': without one, plus changes nothing */
                    pw_seg g = {.s = s, .n = n, .base = 5}, d0, d1;
                    int c0 = pw_seg_pct_decode(&a, &g, 0, &d0),
                        c1 = pw_seg_pct_decode(&a, &g, 1, &d1);
                    cases++;
                    if ((c0 != c1 || (c0 && (d0.n != d1.n || memcmp(d0.s, d1.s, d0.n) != 0 ||
                                             memcmp(d0.ostart, d1.ostart, d0.n * 4) != 0 ||
                                             memcmp(d0.oend, d1.oend, d0.n * 4) != 0))) &&
                        wrong++ < 5)
                        fprintf(stderr, "  plus changes the decode of %s\n", s);
                }
                for (int plus = 0; plus < 2; plus++) {
                    pw_seg g = {.s = s, .n = n, .base = 5};
                    for (int layer = 0; layer < 2; layer++) {
                        char rb[160];
                        uint32_t ros[160], roe[160];
                        int rchanged;
                        size_t rn = ref_decode(&g, plus, rb, ros, roe, &rchanged);
                        pw_seg d;
                        int changed = pw_seg_pct_decode(&a, &g, plus, &d);
                        cases++;
                        if (changed != rchanged ||
                            (changed && (d.n != rn || memcmp(d.s, rb, rn) != 0 ||
                                         memcmp(d.ostart, ros, rn * 4) != 0 ||
                                         memcmp(d.oend, roe, rn * 4) != 0 || d.s[rn] != '\0'))) {
                            if (wrong++ < 5)
                                fprintf(stderr, "  decode differs for %s (plus %d, layer %d)\n", s,
                                        plus, layer);
                            break;
                        }
                        if (!changed)
                            break;
                        g = d; /* the next layer decodes this one */
                    }
                }
            }
    CHECK_INT((int)wrong, 0);
    CHECK(cases > 10000);
    pw_arena_free(&a);
}

/* engine-real10: the split memo (health.c's split_run) keeps a run-together word's split by its
 * bytes, so the same run in other values gets it from there. Runs of two to four pieces (terms,
 * generic words, letters that split into nothing) inside values that differ around them (no
 * segment memo answers for them), more distinct runs than the memo has slots, each scanned in
 * three values with one scratch: the hits are a fresh scratch's. Fails with the memo's bytes
 * compare or its copy of the word ends left out (checked by breaking each). */
static void test_split_memo_as_fresh(void)
{
    static const char *const pieces[] = {
        "hiv",        "cancer", "clinic", "testing", "care", "breast", "prenatal", "diabetes",
        "awareness",  "center", "city",   "of",      "hope", "home",   "page",     "planned",
        "parenthood", "std",    "mental", "health",  "xq",   "zzv",    "qwk"};
    enum { RUNS = 700 };
    static char runs[RUNS][64];
    uint64_t st = 0x5bd1e995u;
    for (size_t r = 0; r < RUNS; r++) {
        size_t np = 2 + pw_test_rnd(&st, 3), o = 0;
        for (size_t k = 0; k < np; k++) {
            const char *w = pieces[pw_test_rnd(&st, sizeof pieces / sizeof pieces[0])];
            size_t l = strlen(w);
            memcpy(runs[r] + o, w, l);
            o += l;
        }
        runs[r][o] = '\0';
    }
    dt_ctx t;
    CHECK(dt_open(&t, NULL, 0));
    size_t wrong = 0, with_hits = 0;
    for (int round = 0; round < 3; round++)
        for (size_t r = 0; r < RUNS; r++) {
            char url[160];
            snprintf(url, sizeof url, "https://h.org/a%zu-%s-%d?cat=b%zu-%s-%d", r, runs[r], round,
                     r, runs[r], round);
            pw_hit *ref;
            size_t nref;
            fresh_scan(&t, NULL, url, PW_FT_URL, &ref, &nref);
            dt_scan(&t, NULL, url, PW_FT_URL);
            with_hits += round == 0 && nref > 0;
            if (!dt_same_hits(t.h, t.n, ref, nref) && wrong++ < 5)
                fprintf(stderr, "  round %d: hits differ for %s\n", round, url);
        }
    CHECK_INT((int)wrong, 0);
    CHECK(with_hits >= 100); /* runs that split into a term */
    dt_close(&t);
}

PW_TEST_MAIN(PW_TEST(test_param_names_as_classified), PW_TEST(test_urls_same_as_fresh),
             PW_TEST(test_decoded_slug_hit_at_its_offset), PW_TEST(test_same_bytes_other_key),
             PW_TEST(test_memo_sets_spread), PW_TEST(test_param_table_keeps_two),
             PW_TEST(test_host_memo_keeps_two), PW_TEST(test_decode_paths_as_reference),
             PW_TEST(test_quiet_memo_by_path), PW_TEST(test_split_memo_as_fresh))
