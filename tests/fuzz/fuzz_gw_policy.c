/*
 * fuzz_gw_policy.c — the gateway's policy loader (libyaml) on arbitrary YAML. Properties: never
 * a crash or leak; an error always names file:line:col; a policy that loads prints and applies.
 * Secrets are not resolved (no file or environment reads from fuzzed paths).
 */
#include <string.h>

#include "gw_policy.h"
#include "pw_fuzz.h"

static pw_status no_phi(void *ctx, pw_arena *a, const char *key, pw_detect_object object,
                        const char *s, size_t n, pw_field_type t, pw_hit **hits, size_t *n_hits,
                        pw_err *err)
{
    *hits = NULL;
    *n_hits = 0;
    return PW_OK;
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
    pw_arena a;
    pw_arena_init(&a, 0);
    pw_gw_event ev = {.event_id = "8a6e0804-2bd0-4672-b79d-d97027f9071a",
                      .name = p->dests[0].events[0].from,
                      .page_url = "https://h.example/a/b?q=1",
                      .referrer = "https://www.search.example/?q=1",
                      .client_ip = "203.0.113.9",
                      .fpid = "x",
                      .consent_ads = 1, /* past requires_consent, so the payloads are built */
                      .consent_analytics = 1};
    pw_gw_dest_result *res = pw_arena_calloc(&a, p->n_dests, sizeof *res);
    pw_gw_phi phi = {no_phi, NULL};
    FUZZ_ASSERT(pw_gw_policy_apply(p, &phi, &a, &ev, 1700000000000, res, NULL) == PW_OK);
    pw_arena_free(&a);
    pw_gw_policy_free(p);
    return 0;
}
