/*
 * bench_gw_json.c — the request path's JSON tree (gateway/gw_json_tree.c) on the body
 * bench/gateway_event.lua posts: the direct parser for plain JSON against yajl's event parser
 * (the path every body took before, and still takes when it is not plain), same run, same arena
 * handling. Rates are per second of this thread's CPU time.
 *   ./build/bench/bench_gw_json [SECONDS]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gw_json_tree.h"

static const char *const body =
    "{\"event_id\":\"00000001-0001-4001-8001-000000000001\",\"name\":\"appointment_request\","
    "\"time\":1700000000000,\"page_url\":\"https://www.example-hospital.org/find-a-doctor/"
    "cardiology?doctor=jane-smith&utm_source=x\",\"page_title\":\"Request an appointment | "
    "Example Hospital\",\"referrer\":\"https://www.google.com/\",\"consent\":{\"ads\":true,"
    "\"analytics\":true},\"user\":{\"email\":\"Visitor.1@example.com\",\"phone\":\"(555) "
    "010-0001\"},\"fpid\":\"c0ffee00-1111-4222-8333-000000000001\",\"params\":{\"value\":150,"
    "\"currency\":\"USD\",\"note\":\"follow-up for chest pain\",\"doctor\":\"jane-smith\"}}";

typedef pw_status (*parse_fn)(pw_arena *, const char *, size_t, pw_gw_jt **, char *, size_t);

static double cpu_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Parses per CPU second. */
static double rate(parse_fn parse, double secs)
{
    pw_arena a;
    pw_arena_init(&a, 32 * 1024);
    size_t n = strlen(body), done = 0;
    char eb[128];
    double t0 = cpu_s(), t = t0;
    while (t - t0 < secs) {
        for (int i = 0; i < 1000; i++) {
            pw_gw_jt *root = NULL;
            if (parse(&a, body, n, &root, eb, sizeof eb) != PW_OK || !root) {
                fprintf(stderr, "bench_gw_json: parse failed: %s\n", eb);
                exit(1);
            }
            pw_arena_reset(&a);
        }
        done += 1000;
        t = cpu_s();
    }
    pw_arena_free(&a);
    return (double)done / (t - t0);
}

int main(int argc, char **argv)
{
    double secs = argc > 1 ? atof(argv[1]) : 1.0;
    double yajl = rate(pw_gw_jt_parse_yajl, secs / 2);
    double fast = rate(pw_gw_jt_parse, secs / 2);
    printf("yajl event parser (baseline): %10.0f bodies/s per CPU second (%.2f us)\n", yajl,
           1e6 / yajl);
    printf("pw_gw_jt_parse (direct):      %10.0f bodies/s per CPU second (%.2f us)\n", fast,
           1e6 / fast);
    printf("speed-up: %.2fx (%zu-byte body)\n", fast / yajl, strlen(body));
    printf("reproduce: ./build/bench/bench_gw_json %g\n", secs);
    return 0;
}
