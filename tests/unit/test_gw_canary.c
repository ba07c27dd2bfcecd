/*
 * test_gw_canary.c — the PHI canary property of the gateway, with the real PHI engine:
 * thousands of generated events carry PHI in every field (identifiers in free text, health
 * terms, visitor names in URLs and user fields, the visitor's own email inside params); after
 * the policy, no spooled payload and no audit record contains any canary, byte for byte,
 * URL-encoded, base64, or hashed (MD5, SHA-1, SHA-256 of each normalised form).
 *
 * The one exception is the point of the feature: user data the policy allows, with the
 * visitor's consent.ads, appears as SHA-256 of its normalised form, and only as the value of
 * that very key ("em":"<sha256>") in user_data. Those exact occurrences are cut out first;
 * anything left must be clean.
 *
 * Scope (what no detector can promise): a name or free text that has no PHI shape and is not
 * the visitor's own user data is not a canary here — the policy removes names structurally
 * (URLs reduced to origin/category, titles and params scanned, user fields hashed or dropped).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gw_phi_detect.h"
#include "gw_test_sink.h"
#include "phiwall/text.h"
#include "pw_test.h"

#define N_EVENTS  2000
#define PER_BATCH 10

static const char *const policy_yaml =
    "site:\n"
    "  origins: [https://www.example-hospital.org]\n"
    "  hmac_key_env: GW_TEST_SITE_KEY\n"
    "destinations:\n"
    "  meta:\n"
    "    type: meta\n"
    "    pixel_id: \"42\"\n"
    "    access_token_env: GW_TEST_SITE_KEY\n"
    "    events: {page_view: PageView, appointment_request: Schedule, contact: Contact,\n"
    "             diabetes_signup: Lead, hiv_test_booked: Schedule}\n"
    "    allow_params: [note, label, value, search]\n"
    "    page_url: categories\n"
    "    page_categories: {\"/find-a-doctor*\": find_doctor, \"/\": home}\n"
    "    default_category: other\n"
    "    referrer: origin\n"
    "    page_title: keep\n"
    "    client_ip: truncate\n"
    "    user_agent: keep\n"
    "    user_data: [em, ph, fn, ln, db, zp]\n"
    "    first_party_id: hmac\n"
    "    phi: redact\n"
    "  ga4:\n"
    "    type: ga4\n"
    "    measurement_id: G-TEST\n"
    "    api_secret_env: GW_TEST_SITE_KEY\n"
    "    events: {page_view: page_view, appointment_request: generate_lead}\n"
    "    allow_params: [note, label, value]\n"
    "    page_url: origin\n"
    "    referrer: origin\n"
    "    page_title: keep\n"
    "    first_party_id: hmac\n"
    "    phi: redact\n"
    "  hook:\n"
    "    type: webhook\n"
    "    url: http://127.0.0.1:9/hook\n"
    "    events: {appointment_request: Schedule, contact: Contact}\n"
    "    allow_params: [note, search]\n"
    "    page_url: origin\n"
    "    page_title: keep\n"
    "    user_agent: keep\n"
    "    user_data: [em, ph]\n"
    "    phi: drop\n";

static uint64_t rng = 0x9e3779b97f4a7c15ULL;
static unsigned rnd(unsigned n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (unsigned)(rng % n);
}

static const char *const first_names[] = {"Zorabelle", "Quennith", "Marisolde",
                                          "Thaddeus",  "Oriane",   "Bexley"};
static const char *const last_names[] = {"Vantrell", "Okonkwo-Reyes", "Pellegrinetti",
                                         "Wyndham",  "Zhaoyang",      "Castellanos"};
static const char *const health[] = {"breast cancer", "HIV",       "diabetes",      "depression",
                                     "chemotherapy",  "psoriasis", "schizophrenia", "hepatitis C"};
static const char *const names_ok[] = {"page_view", "appointment_request", "contact"};
static const char *const names_bad[] = {"diabetes_signup", "hiv_test_booked"};
static const char *const referrers[] = {"https://www.google.com", "https://www.bing.com",
                                        "https://www.example-hospital.org"};

/* One visitor's canaries: the value as typed and its normalised forms. */
typedef struct canaries {
    char first[32], last[32], email[128], phone[32], phone_digits[16], ssn[16], ssn_digits[12];
    char mrn[16], dob[16], dob_ymd[12], zip[8], term[32];
} canaries;

static void make_canaries(canaries *c, unsigned i)
{
    snprintf(c->first, sizeof c->first, "%s", first_names[rnd(6)]);
    snprintf(c->last, sizeof c->last, "%s", last_names[rnd(6)]);
    snprintf(c->email, sizeof c->email, "%.20s.%.20s%u@mail%u.example.com", c->first, c->last, i,
             rnd(100));
    unsigned a = 200 + rnd(700), b = 200 + rnd(700), d = rnd(10000);
    snprintf(c->phone, sizeof c->phone, "(%03u) %03u-%04u", a, b, d);
    snprintf(c->phone_digits, sizeof c->phone_digits, "%03u%03u%04u", a, b, d);
    unsigned s1 = 100 + rnd(600), s2 = 10 + rnd(89), s3 = 1000 + rnd(8999);
    if (s1 == 666)
        s1 = 667; /* area 666 is never issued: not an SSN */
    snprintf(c->ssn, sizeof c->ssn, "%03u-%02u-%04u", s1, s2, s3);
    snprintf(c->ssn_digits, sizeof c->ssn_digits, "%03u%02u%04u", s1, s2, s3);
    snprintf(c->mrn, sizeof c->mrn, "%08u", 10000000 + rnd(89999999));
    unsigned y = 1940 + rnd(60), m = 1 + rnd(12), dd = 1 + rnd(28);
    snprintf(c->dob, sizeof c->dob, "%02u/%02u/%04u", m, dd, y);
    snprintf(c->dob_ymd, sizeof c->dob_ymd, "%04u%02u%02u", y, m, dd);
    snprintf(c->zip, sizeof c->zip, "%05u", 10000 + rnd(89999));
    snprintf(c->term, sizeof c->term, "%s", health[rnd(8)]);
}

/* A sentence carrying identifiers and a health term, for free-text fields. */
static void phi_text(char *out, size_t n, const canaries *c)
{
    switch (rnd(6)) {
    case 0: snprintf(out, n, "contact %s about %s", c->email, c->term); break;
    case 1: snprintf(out, n, "call %s re %s", c->phone, c->term); break;
    case 2: snprintf(out, n, "SSN %s on file", c->ssn); break;
    case 3: snprintf(out, n, "MRN: %s %s follow-up", c->mrn, c->term); break;
    case 4: snprintf(out, n, "DOB %s, %s", c->dob, c->term); break;
    default: snprintf(out, n, "%s %s (%s)", c->first, c->last, c->email); break;
    }
}

static void json_str(pw_buf *b, const char *key, const char *v)
{
    pw_buf_printf(b, "\"%s\":", key);
    pw_buf_json_string(b, v, strlen(v));
}

static void make_event(pw_buf *b, const canaries *c, unsigned i, int consent)
{
    char t1[256], t2[256], t3[256], url[512];
    phi_text(t1, sizeof t1, c);
    phi_text(t2, sizeof t2, c);
    phi_text(t3, sizeof t3, c);
    const char *name = rnd(5) ? names_ok[rnd(3)] : names_bad[rnd(2)];
    snprintf(
        url, sizeof url,
        "https://www.example-hospital.org/%s/%.31s-%.31s?email=%.95s&dob=%.11s&ssn=%.15s&q=%.31s",
        rnd(2) ? "find-a-doctor" : "conditions", c->first, c->last, c->email, c->dob_ymd, c->ssn,
        c->term);
    pw_buf_printf(b, "{\"event_id\":\"%08x-0000-4000-8000-%012x\",", i, i);
    json_str(b, "name", name);
    pw_buf_printf(b, ",\"time\":%lld,", (long long)pw_gw_now_ms());
    json_str(b, "page_url", url);
    pw_buf_putc(b, ',');
    json_str(b, "page_title", t1);
    pw_buf_putc(b, ',');
    char ref[300];
    snprintf(ref, sizeof ref, "%s/search?q=%s+%s", referrers[rnd(3)], c->last, c->term);
    json_str(b, "referrer", ref);
    pw_buf_printf(b, ",\"consent\":{\"ads\":%s,\"analytics\":true},\"user\":{",
                  consent ? "true" : "false");
    json_str(b, "email", c->email);
    pw_buf_putc(b, ',');
    json_str(b, "phone", c->phone);
    pw_buf_putc(b, ',');
    json_str(b, "first_name", c->first);
    pw_buf_putc(b, ',');
    json_str(b, "last_name", c->last);
    pw_buf_putc(b, ',');
    json_str(b, "dob", c->dob);
    pw_buf_putc(b, ',');
    json_str(b, "zip", c->zip);
    pw_buf_puts(b, "},");
    json_str(b, "fpid", c->email);
    pw_buf_puts(b, ",\"params\":{");
    json_str(b, "note", t2);
    pw_buf_putc(b, ',');
    json_str(b, "label", t3);
    pw_buf_putc(b, ',');
    json_str(b, "search", c->term);
    pw_buf_putc(b, ',');
    json_str(b, "diagnosis", c->term);
    pw_buf_printf(b, ",\"value\":%s}}", rnd(4) ? "125" : c->mrn);
}

/* ---- forbidden forms ---------------------------------------------------------------------- */

typedef struct forms {
    char v[48][256];
    size_t n;
} forms;

static void add(forms *f, const char *s)
{
    if (f->n < 48 && strlen(s) >= 3)
        snprintf(f->v[f->n++], sizeof f->v[0], "%s", s);
}

static void lower(char *s)
{
    for (; *s; s++)
        if (*s >= 'A' && *s <= 'Z')
            *s = (char)(*s - 'A' + 'a');
}

/* Every value and its normalised forms, URL-encoded, base64, and hashed. */
static void all_forms(forms *f, const canaries *c, pw_arena *a)
{
    char norm[16][160];
    size_t k = 0;
    snprintf(norm[k++], 160, "%s", c->email);
    snprintf(norm[k++], 160, "%s", c->phone_digits);
    snprintf(norm[k++], 160, "1%s", c->phone_digits);
    snprintf(norm[k++], 160, "%s", c->ssn_digits);
    snprintf(norm[k++], 160, "%s", c->mrn);
    snprintf(norm[k++], 160, "%s", c->dob_ymd);
    snprintf(norm[k++], 160, "%s", c->first);
    snprintf(norm[k++], 160, "%s", c->last);
    snprintf(norm[k++], 160, "%s", c->term);
    for (size_t i = 0; i < k; i++)
        lower(norm[i]);
    add(f, c->email);
    add(f, c->phone);
    add(f, c->ssn);
    add(f, c->dob);
    add(f, c->first);
    add(f, c->last);
    add(f, c->term);
    for (size_t i = 0; i < k; i++) {
        char h[65];
        add(f, norm[i]);
        add(f, pw_pct_encode(a, norm[i], strlen(norm[i])));
        add(f, pw_base64_encode(a, norm[i], strlen(norm[i])));
        pw_md5_hex(norm[i], strlen(norm[i]), h);
        add(f, h);
        pw_sha1_hex(norm[i], strlen(norm[i]), h);
        add(f, h);
        pw_sha256_hex(norm[i], strlen(norm[i]), h);
        add(f, h);
    }
}

/* Cut out the allowed occurrences: "key":"<sha256 of the normalised value>" in user_data. */
static void cut_allowed(char *payload, const canaries *c, int consent, const char *dest)
{
    if (!consent || strcmp(dest, "ga4") == 0)
        return;
    pw_arena a;
    pw_arena_init(&a, 0);
    struct {
        const char *key, *value;
    } allowed[] = {{"em", c->email}, {"ph", c->phone}, {"fn", c->first},
                   {"ln", c->last},  {"db", c->dob},   {"zp", c->zip}};
    for (size_t i = 0; i < 6; i++) {
        if (strcmp(dest, "hook") == 0 && i >= 2)
            break; /* the webhook allows em and ph only */
        const char *h =
            pw_gw_meta_hash(&a, allowed[i].key, allowed[i].value, strlen(allowed[i].value));
        char needle[96];
        snprintf(needle, sizeof needle, "\"%s\":\"%s\"", allowed[i].key, h ? h : "?");
        char *at = strstr(payload, needle);
        if (at)
            memset(at, '_', strlen(needle));
    }
    pw_arena_free(&a);
}

static int leaks(const char *text, const forms *f, const char *where)
{
    pw_arena a;
    pw_arena_init(&a, 0);
    char *low = pw_lower_dup(&a, text, strlen(text), 0);
    int bad = 0;
    for (size_t i = 0; i < f->n && !bad; i++) {
        const char *needle = pw_lower_dup(&a, f->v[i], strlen(f->v[i]), 0);
        if (needle && strstr(low, needle)) {
            fprintf(stderr, "LEAK in %s: '%s' in %s\n", where, f->v[i], text);
            bad = 1;
        }
    }
    pw_arena_free(&a);
    return bad;
}

static void test_no_canary_reaches_the_spool(void)
{
    setenv("GW_TEST_SITE_KEY", "0123456789abcdef-site-key", 1);
    pw_gw_policy *p = NULL;
    pw_err err = {0};
    CHECK_INT(pw_gw_policy_parse("canary.yaml", policy_yaml, strlen(policy_yaml), NULL, &p, &err),
              PW_OK);
    pw_detector *det = NULL;
    pw_gw_phi_pool *pool = NULL;
    CHECK_INT(pw_detector_new(NULL, &det, &err), PW_OK);
    CHECK_INT(pw_gw_phi_pool_new(det, &pool, &err), PW_OK);
    if (!p || !pool) {
        fprintf(stderr, "%s\n", err.msg);
        return;
    }
    pw_gw_phi_source src = pw_gw_phi_pool_source(pool);
    pw_gw_phi phi;
    void *token = NULL;
    CHECK_INT(src.borrow(src.ctx, &phi, &token, &err), PW_OK);
    static gw_test_sink sink;
    gw_test_sink_init(&sink);
    pw_gw_sink bound = gw_test_sink_bind(&sink);
    pw_gw_counters m = {0};
    unsigned long long leaked = 0, rows = 0, hashed_allowed = 0;
    canaries cs[PER_BATCH];
    int consent[PER_BATCH];
    for (unsigned batch = 0; batch < N_EVENTS / PER_BATCH; batch++) {
        pw_buf body;
        pw_buf_init(&body);
        pw_buf_puts(&body, "{\"events\":[");
        for (unsigned j = 0; j < PER_BATCH; j++) {
            unsigned i = batch * PER_BATCH + j;
            make_canaries(&cs[j], i);
            consent[j] = (int)rnd(2);
            if (j)
                pw_buf_putc(&body, ',');
            make_event(&body, &cs[j], i, consent[j]);
        }
        pw_buf_puts(&body, "]}");
        pw_arena a;
        pw_arena_init(&a, 0);
        static forms fs[PER_BATCH];
        for (unsigned j = 0; j < PER_BATCH; j++) {
            fs[j].n = 0;
            all_forms(&fs[j], &cs[j], &a);
        }
        pw_gw_reply reply;
        pw_gw_ingest(p, &phi, &bound, &m, &a, body.data, body.len, "198.51.100.23",
                     "Mozilla/5.0 (X11) visitor", pw_gw_now_ms(), &reply);
        CHECK_INT(reply.status, 200);
        if (reply.status != 200)
            fprintf(stderr, "%s\n", reply.body);
        for (size_t r = 0; r < sink.n_rows; r++) {
            char *row = sink.rows[r]; /* dest \t event_id \t payload */
            char *tab1 = strchr(row, '\t'), *tab2 = tab1 ? strchr(tab1 + 1, '\t') : NULL;
            if (!tab2)
                continue;
            *tab1 = '\0';
            unsigned idx = (unsigned)strtoul(tab1 + 1, NULL, 16) % PER_BATCH;
            char *payload = tab2 + 1;
            size_t before = strlen(payload);
            cut_allowed(payload, &cs[idx], consent[idx], row);
            hashed_allowed += strlen(payload) == before && strstr(payload, "___") != NULL;
            leaked += (unsigned long long)leaks(payload, &fs[idx], row);
            if (strstr(payload, "198.51.100.23")) /* the raw client IP */
                leaked++;
            rows++;
        }
        for (size_t r = 0; r < sink.n_audits; r++) /* audit records carry no visitor data */
            for (unsigned j = 0; j < PER_BATCH; j++)
                leaked += (unsigned long long)leaks(sink.audits[r], &fs[j], "audit");
        gw_test_sink_clear(&sink);
        pw_arena_free(&a);
        pw_buf_free(&body);
    }
    src.give_back(src.ctx, token);
    CHECK_INT(leaked, 0);
    /* The property is not vacuous: events went out, PHI was met and removed, hashes were sent. */
    CHECK(rows > N_EVENTS);
    CHECK(atomic_load(&m.redacted) > N_EVENTS);
    CHECK(atomic_load(&m.dropped) > N_EVENTS / 10); /* refused names, unlisted events */
    CHECK(hashed_allowed > N_EVENTS / 10);
    fprintf(stderr,
            "canary: %u events, %llu rows, %llu strings redacted, %llu with allowed hashes\n",
            N_EVENTS, rows, (unsigned long long)atomic_load(&m.redacted), hashed_allowed);
    pw_gw_phi_pool_free(pool);
    pw_detector_free(det);
    pw_gw_policy_free(p);
}

PW_TEST_MAIN(PW_TEST(test_no_canary_reaches_the_spool))
