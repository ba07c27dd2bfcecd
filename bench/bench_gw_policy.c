/*
 * bench_gw_policy.c — the gateway's per-request CPU work (parse + policy + PHI engine on every
 * string + payload rendering for two destinations) on the event bench/gateway_event.lua posts,
 * against a baseline in the same run: parsing the same body with yajl alone. The policy is
 * prepared as the server prepares it (pw_gw_policy_prepare). Rates are per second of this
 * thread's CPU time, so other work on a shared machine does not skew the ratio.
 *   ./build/bench/bench_gw_policy [SECONDS]
 *   ./build/bench/bench_gw_policy --events N   exactly N ingests, no baseline: for instruction
 *       counts, e.g. valgrind --tool=callgrind --toggle-collect=pw_gw_ingest (Ir / N per event)
 *   PW_BENCH_VARY=N: rotate N bodies that differ as bench/gateway_event.lua's do (event_id, time,
 *       email, phone, fpid) instead of repeating one, so that per-thread memos of the PHI engine
 *       see what they see in the gateway (default 0: the one body above).
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <yajl/yajl_tree.h>

#include "gw_ingest.h"
#include "gw_phi_detect.h"

static const char *const yaml =
    "site: {origins: [\"https://www.example-hospital.org\"], hmac_key_env: BENCH_KEY}\n"
    "destinations:\n"
    "  meta: {type: meta, pixel_id: \"1\", access_token_env: BENCH_KEY, page_url: categories,\n"
    "         page_categories: {\"/find-a-doctor*\": find_doctor}, default_category: other,\n"
    "         user_data: [em, ph], first_party_id: hmac, allow_params: [value, currency, note],\n"
    "         events: {appointment_request: Schedule}}\n"
    "  ga4: {type: ga4, measurement_id: G-1, api_secret_env: BENCH_KEY, page_url: origin,\n"
    "        allow_params: [value, currency], first_party_id: hmac,\n"
    "        events: {appointment_request: generate_lead}}\n";

static const char *const body =
    "{\"event_id\":\"00000001-0001-4001-8001-000000000001\",\"name\":\"appointment_request\","
    "\"time\":1700000000000,\"page_url\":\"https://www.example-hospital.org/find-a-doctor/"
    "cardiology?doctor=jane-smith&utm_source=x\",\"page_title\":\"Request an appointment | "
    "Example Hospital\",\"referrer\":\"https://www.google.com/\",\"consent\":{\"ads\":true,"
    "\"analytics\":true},\"user\":{\"email\":\"Visitor.1@example.com\",\"phone\":\"(555) "
    "010-0001\"},\"fpid\":\"c0ffee00-1111-4222-8333-000000000001\",\"params\":{\"value\":150,"
    "\"currency\":\"USD\",\"note\":\"follow-up for chest pain\",\"doctor\":\"jane-smith\"}}";

/* Body i of the varied set: gateway_event.lua's format with its counter at i + 1. */
static char *vary_body(long i)
{
    long c = i + 1;
    char *b = malloc(1024);
    if (!b)
        return NULL;
    snprintf(
        b, 1024,
        "{\"event_id\":\"%08x-%04lx-4%03lx-8001-%012lx\",\"name\":\"appointment_request\","
        "\"time\":%ld,\"page_url\":\"https://www.example-hospital.org/find-a-doctor/"
        "cardiology?doctor=jane-smith&utm_source=x\",\"page_title\":\"Request an appointment | "
        "Example Hospital\",\"referrer\":\"https://www.google.com/\",\"consent\":{\"ads\":true,"
        "\"analytics\":true},\"user\":{\"email\":\"Visitor.%ld@example.com\",\"phone\":\"(555) "
        "010-%04ld\"},\"fpid\":\"c0ffee00-1111-4222-8333-%012lx\",\"params\":{\"value\":150,"
        "\"currency\":\"USD\",\"note\":\"follow-up for chest pain\",\"doctor\":\"jane-smith\"}}",
        0x1234501u, c % 65536, c % 4096, c, 1700000000000 + c, c, c % 10000, c);
    return b;
}

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static pw_status no_put(void *ctx, const pw_spool_put_item *it, size_t n, pw_err *err)
{
    return PW_OK;
}

int main(int argc, char **argv)
{
    long fixed = argc > 2 && strcmp(argv[1], "--events") == 0 ? atol(argv[2]) : 0;
    double secs = argc > 1 && !fixed ? atof(argv[1]) : 2.0;
    setenv("BENCH_KEY", "0123456789abcdef-bench", 1);
    pw_gw_policy *p = NULL;
    pw_detector *det = NULL;
    pw_gw_phi_pool *pool = NULL;
    pw_err err = {0};
    if (pw_gw_policy_parse("bench.yaml", yaml, strlen(yaml), NULL, &p, &err) != PW_OK ||
        pw_detector_new(NULL, &det, &err) != PW_OK ||
        pw_gw_phi_pool_new(det, &pool, &err) != PW_OK) {
        fprintf(stderr, "bench_gw_policy: %s\n", err.msg);
        return 1;
    }
    pw_gw_phi_source src = pw_gw_phi_pool_source(pool);
    pw_gw_phi phi;
    void *token = NULL;
    src.borrow(src.ctx, &phi, &token, &err);
    if (pw_gw_policy_prepare(p, &phi, &err) != PW_OK) {
        fprintf(stderr, "bench_gw_policy: %s\n", err.msg);
        return 1;
    }
    size_t len = strlen(body);
    char *copy = malloc(len + 1);
    long base_n = 0, gw_n = 0;
    double t0 = now_s();
    while (!fixed && now_s() - t0 < secs) {
        memcpy(copy, body, len + 1);
        char eb[64];
        yajl_val v = yajl_tree_parse(copy, eb, sizeof eb);
        yajl_tree_free(v);
        base_n++;
    }
    double base_t = now_s() - t0;
    pw_gw_sink sink = {no_put, NULL, NULL};
    pw_gw_counters m = {0};
    pw_arena a;
    pw_arena_init(&a, 0);
    long nvary = getenv("PW_BENCH_VARY") ? atol(getenv("PW_BENCH_VARY")) : 0;
    char **varied = nvary > 0 ? calloc((size_t)nvary, sizeof *varied) : NULL;
    if (nvary > 0 && !varied) {
        fprintf(stderr, "bench_gw_policy: out of memory\n");
        return 1;
    }
    for (long i = 0; i < nvary; i++)
        if (!(varied[i] = vary_body(i))) {
            fprintf(stderr, "bench_gw_policy: out of memory\n");
            return 1;
        }
    t0 = now_s();
    while (fixed ? gw_n < fixed : now_s() - t0 < secs) {
        pw_gw_reply reply;
        const char *b = nvary > 0 ? varied[gw_n % nvary] : body;
        pw_gw_ingest(p, &phi, &sink, &m, &a, b, nvary > 0 ? strlen(b) : len, "203.0.113.9",
                     "Mozilla/5.0", 1700000000000, &reply);
        pw_arena_reset(&a);
        gw_n++;
    }
    double gw_t = now_s() - t0;
    double base_rate = (double)base_n / base_t, gw_rate = (double)gw_n / gw_t;
    if (nvary > 0) /* the varied bodies must take the accepted path, as the one body does */
        printf("%ld varied bodies: %llu of %ld events accepted\n", nvary,
               (unsigned long long)atomic_load(&m.accepted), gw_n);
    char vary_env[48] = ""; /* the reproduce line names the bodies it ran on */
    if (nvary > 0)
        snprintf(vary_env, sizeof vary_env, "PW_BENCH_VARY=%ld ", nvary);
    if (fixed) {
        printf("%ld events: %.2f us CPU/event\n", gw_n, 1e6 * gw_t / (double)gw_n);
        printf("reproduce: %s./build/bench/bench_gw_policy --events %ld\n", vary_env, fixed);
    } else {
        printf("yajl parse only (baseline): %10.0f events/s per CPU second\n", base_rate);
        printf("parse + policy + PHI engine: %10.0f events/s per CPU second (%.1f us CPU/event, 2 "
               "destinations)\n",
               gw_rate, 1e6 / gw_rate);
        printf("ratio: %.3f of the bare parse\n", gw_rate / base_rate);
        printf("reproduce: %s./build/bench/bench_gw_policy %g\n", vary_env, secs);
    }
    pw_arena_free(&a);
    src.give_back(src.ctx, token);
    pw_gw_phi_pool_free(pool);
    pw_detector_free(det);
    pw_gw_policy_free(p);
    free(copy);
    for (long i = 0; i < nvary; i++)
        free(varied[i]);
    free(varied);
    return 0;
}
