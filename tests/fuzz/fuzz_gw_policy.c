/*
 * fuzz_gw_policy.c — the gateway's policy loader (libyaml) on arbitrary YAML, and a policy that
 * loads applied with the real PHI engine (gw_phi_detect.c) to two events: a bare page view and
 * a visitor's full event (params, user data, title, user agent, a foreign referrer, all
 * consents), the second under each destination's first event name. Properties: never a crash or
 * leak; an error always names file:line:col; a policy that loads prints and applies; prepared
 * (pw_gw_policy_prepare, as the server does before serving) it applies with the same outcome,
 * rule and payload as unprepared, or prepare refuses it naming the file; the visitor's e-mail
 * address and phone number never reach a payload as sent. The site key is set after loading
 * (secrets are not resolved: no file or environment reads from fuzzed paths), so HMACs and
 * GA4's client_id are made.
 */
#include <string.h>

#include "gw_phi_detect.h"
#include "gw_policy.h"
#include "pw_fuzz.h"

#define EMAIL     "jane.doe@example.com"
#define PHONE     "617-555-0123"
#define MAX_DESTS 8
#define STR(k, v)                          \
    {                                      \
        k, PW_GW_V_STRING, v, sizeof v - 1 \
    }
#define NUM(k, v)                          \
    {                                      \
        k, PW_GW_V_NUMBER, v, sizeof v - 1 \
    }

static pw_gw_param user[] = {
    STR("em", EMAIL),        STR("ph", PHONE),      STR("fn", "\xc3\x89lodie"),
    STR("ln", "Doe"),        STR("db", "19850314"), STR("ct", "Boston"),
    STR("st", "California"), STR("zp", "02139"),    STR("country", "United Kingdom"),
};

static pw_gw_param params[] = {
    NUM("value", "120.5"),
    STR("currency", "USD"),
    STR("name", "Knee Brace"),
    NUM("price", "34.99"),
    STR("note", "cita para depresio\xcc\x81n, call " PHONE),
    STR("content_name", "H.I.V testing"),
    STR("ref", "am9obi5kb2VAZXhhbXBsZS5jb20="),
    NUM("member", "1234567"),
    STR("page_location", "https://h.example/conditions/hiv"),
    {"opt_in", PW_GW_V_BOOL, "true", 4},
};

static const pw_gw_phi *engine(void)
{
    /* kept for the process's life, as the server keeps its engine (static: not a leak) */
    static pw_gw_phi phi;
    static pw_detector *d;
    static pw_gw_phi_pool *pool;
    static void *token;
    static int ready;
    if (!ready) {
        pw_err err = {0};
        FUZZ_ASSERT(pw_detector_new(NULL, &d, &err) == PW_OK);
        FUZZ_ASSERT(pw_gw_phi_pool_new(d, &pool, &err) == PW_OK);
        pw_gw_phi_source src = pw_gw_phi_pool_source(pool);
        FUZZ_ASSERT(src.borrow(src.ctx, &phi, &token, &err) == PW_OK);
        ready = 1;
    }
    return &phi;
}

/* Every destination's result for ev, in res (arena a). */
static void apply(const pw_gw_policy *p, pw_arena *a, const pw_gw_event *ev, pw_gw_dest_result *res)
{
    pw_err err = {0};
    FUZZ_ASSERT(pw_gw_policy_apply(p, engine(), a, ev, 1700000000000, res, &err) == PW_OK);
    for (size_t i = 0; i < p->n_dests; i++) {
        FUZZ_ASSERT(res[i].rule != NULL);
        if (!res[i].accepted)
            continue;
        FUZZ_ASSERT(res[i].payload && res[i].fields_json && res[i].out_name);
        FUZZ_ASSERT(strlen(res[i].payload) == res[i].payload_len);
        if (ev->n_user) { /* the visitor's own data: hashed, dropped or redacted, never as sent */
            FUZZ_ASSERT(!strstr(res[i].payload, EMAIL));
            FUZZ_ASSERT(!strstr(res[i].payload, PHONE));
        }
    }
}

static int same_str(const char *x, const char *y)
{
    return x == y || (x && y && strcmp(x, y) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    pw_gw_policy *p = NULL;
    pw_err err = {0};
    pw_gw_load_opts opts = {.resolve_secrets = 0};
    pw_status st = pw_gw_policy_parse("f.yaml", (const char *)data, size, &opts, &p, &err);
    if (st != PW_OK) {
        FUZZ_ASSERT(p == NULL);
        FUZZ_ASSERT(strncmp(err.msg, "f.yaml:", 7) == 0);
        return 0;
    }
    pw_buf b;
    pw_buf_init(&b);
    FUZZ_ASSERT(pw_gw_policy_print(p, &b) == PW_OK);
    pw_buf_free(&b);
    static const unsigned char key[32] = "fuzz-site-key-0123456789abcdef!";
    p->site_key = key;
    p->site_key_len = sizeof key;
    size_t nd = p->n_dests < MAX_DESTS ? p->n_dests : MAX_DESTS;
    pw_gw_event ev[1 + MAX_DESTS];
    ev[0] = (pw_gw_event){.event_id = "8a6e0804-2bd0-4672-b79d-d97027f9071a",
                          .name = p->dests[0].events[0].from,
                          .page_url = "https://h.example/a/b?q=1",
                          .referrer = "https://www.search.example/?q=1",
                          .client_ip = "203.0.113.9",
                          .fpid = "x",
                          .consent_ads = 1, /* past requires_consent: the payloads are built */
                          .consent_analytics = 1};
    for (size_t i = 0; i < nd; i++)
        ev[1 + i] =
            (pw_gw_event){.event_id = "0b8e2b59-6b1e-4c8e-9d0a-1f2e3d4c5b6a",
                          .name = p->dests[i].events[0].from,
                          .time_ms = 1700000000000 - 3600 * 1000,
                          .page_url = "https://www.h.example/find-a-doctor/jane-doe?utm_source=x",
                          .page_title = "HIV testing | Jane Doe, MD",
                          .referrer = "https://www.hivclinic.com/find",
                          .consent_ads = 1,
                          .consent_analytics = 1,
                          .user = user,
                          .n_user = sizeof user / sizeof user[0],
                          .fpid = "fpid-visitor-42",
                          .params = params,
                          .n_params = sizeof params / sizeof params[0],
                          .client_ip = "2001:db8:1234:5678::9",
                          .user_agent = "Mozilla/5.0 (jane.doe@example.com)"};
    size_t nev = 1 + nd;
    pw_arena a;
    pw_arena_init(&a, 0);
    pw_gw_dest_result *res[1 + MAX_DESTS];
    for (size_t e = 0; e < nev; e++) {
        res[e] = pw_arena_calloc(&a, p->n_dests, sizeof *res[e]);
        FUZZ_ASSERT(res[e] != NULL);
        apply(p, &a, &ev[e], res[e]);
    }
    pw_err perr = {0};
    st = pw_gw_policy_prepare(p, engine(), &perr);
    if (st != PW_OK) {
        FUZZ_ASSERT(st == PW_ERR_INVALID && strncmp(perr.msg, "f.yaml:", 7) == 0);
    } else {
        /* the same outcome prepared as unprepared */
        pw_gw_dest_result *r = pw_arena_calloc(&a, p->n_dests, sizeof *r);
        FUZZ_ASSERT(r != NULL);
        for (size_t e = 0; e < nev; e++) {
            apply(p, &a, &ev[e], r);
            for (size_t i = 0; i < p->n_dests; i++) {
                const pw_gw_dest_result *u = &res[e][i];
                if (r[i].accepted != u->accepted || !same_str(r[i].rule, u->rule))
                    fprintf(stderr,
                            "event %zu dest %zu: prepared %d \"%s\", unprepared %d \"%s\"\n", e, i,
                            r[i].accepted, r[i].rule, u->accepted, u->rule);
                FUZZ_ASSERT(r[i].accepted == u->accepted && same_str(r[i].rule, u->rule));
                FUZZ_ASSERT(same_str(r[i].out_name, u->out_name));
                FUZZ_ASSERT(r[i].payload_len == u->payload_len &&
                            same_str(r[i].payload, u->payload));
                FUZZ_ASSERT(same_str(r[i].fields_json, u->fields_json));
                FUZZ_ASSERT(r[i].redacted == u->redacted);
            }
        }
    }
    pw_arena_free(&a);
    pw_gw_policy_free(p);
    return 0;
}
