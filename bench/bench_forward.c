/* bench_forward.c — CPU per delivered event of the forwarders (gateway/forward*.c + audit), by
 * destination thread: a spool is filled with N post-policy events for Meta and for GA4 (each event
 * its own visitor, so GA4 sends one request per event, as bench/gateway.sh's traffic does), the
 * forwarders drain it into an upstream, and the CPU time of each pw-fwd-* thread is divided by
 * the events it delivered. The baseline, measured in the same run, is the cheapest way to make
 * the same requests: a bare libcurl loop POSTing the same GA4 bodies one by one on one keep-alive
 * connection, with no spool, audit or JSON work (the ratio shows what the forwarder adds).
 *
 *   bench_forward [DIR] [EVENTS] [UPSTREAM_BASE_URL]
 * Without an upstream URL a loopback mock (tests/mock) answers in-process; bench/gateway.sh's
 * nginx is a steadier upstream: e.g. `bench_forward /tmp 20000 http://127.0.0.1:PORT`.
 * PW_BENCH_HTTP2=prior-knowledge delivers over h2c (the upstream must speak it, e.g. nginx with
 * `listen … http2` and echo_read_request_body; see bench/gateway.sh).
 * PW_BENCH_KEEP_AUDIT=1 keeps the audit log (its path is printed), e.g. to compare the records
 * two builds write, without their times and hashes.
 */
#include "../tests/mock/mock_upstream.c"

#include <curl/curl.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "audit.h"
#include "forward.h"
#include "gw_time.h"
#include "spool.h"

/* CPU seconds of this process's threads whose name starts with prefix (summed). */
static double thread_cpu(const char *name)
{
    char path[300], buf[1024];
    double total = 0;
    long hz = sysconf(_SC_CLK_TCK);
    snprintf(path, sizeof path, "/proc/%d/task", (int)getpid());
    DIR *d = opendir(path);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "/proc/%d/task/%s/stat", (int)getpid(), e->d_name);
        FILE *f = fopen(path, "r");
        if (!f)
            continue;
        size_t n = fread(buf, 1, sizeof buf - 1, f);
        fclose(f);
        buf[n] = '\0';
        char *open = strchr(buf, '('), *close = strrchr(buf, ')');
        if (!open || !close || strncmp(open + 1, name, strlen(name)) != 0 ||
            (size_t)(close - open - 1) != strlen(name))
            continue;
        unsigned long ut = 0, st = 0;
        /* fields after ')': state(3) … utime(14) stime(15) */
        char *p = close + 2;
        for (int field = 3; field < 14 && p; field++)
            p = strchr(p, ' ') ? strchr(p, ' ') + 1 : NULL;
        if (p && sscanf(p, "%lu %lu", &ut, &st) == 2)
            total += (double)(ut + st) / (double)hz;
    }
    if (d)
        closedir(d);
    return total;
}

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void ga4_payload(char *out, size_t cap, int i, long long now_s)
{
    snprintf(out, cap,
             "{\"client_id\":\"%064x\",\"timestamp_micros\":%lld000000,\"consent\":{\"ad_user_"
             "data\":\"DENIED\",\"ad_personalization\":\"DENIED\"},\"events\":[{\"name\":"
             "\"generate_lead\",\"params\":{\"value\":150,\"currency\":\"USD\"}}]}",
             i * 2654435761u, now_s);
}

static void meta_payload(char *out, size_t cap, int i, long long now_s)
{
    snprintf(out, cap,
             "{\"event_name\":\"Schedule\",\"event_time\":%lld,\"event_id\":\"bench-%08d\","
             "\"action_source\":\"website\",\"event_source_url\":\"https://www.example-hospital."
             "org\",\"user_data\":{\"em\":[\"%064x\"],\"ph\":[\"%064x\"],\"external_id\":["
             "\"%064x\"]},\"custom_data\":{\"value\":150,\"currency\":\"USD\",\"note\":\"follow-up"
             " for [HEALTH]\",\"page_category\":\"find_doctor\"}}",
             now_s, i, i + 1, i + 2, i + 3);
}

static int fill(pw_spool *s, int n)
{
    long long now_s = pw_gw_now_ms() / 1000;
    char id[64], meta[1024], ga4[512];
    for (int i = 0; i < n; i++) {
        snprintf(id, sizeof id, "00000000-0000-4000-8000-%012d", i);
        meta_payload(meta, sizeof meta, i, now_s);
        ga4_payload(ga4, sizeof ga4, i, now_s);
        pw_spool_put_item it[2] = {{id, "meta", meta, strlen(meta), pw_gw_now_ms(), 0},
                                   {id, "ga4", ga4, strlen(ga4), pw_gw_now_ms(), 0}};
        if (pw_spool_put(s, it, 2, NULL) != PW_OK)
            return 0;
    }
    return 1;
}

static size_t sink(char *p, size_t size, size_t nmemb, void *ctx)
{
    (void)p;
    (void)ctx;
    return size * nmemb;
}

/* Baseline: the same GA4 bodies POSTed one by one with a bare reused easy handle. */
static double bare_curl_us(const char *base, int n)
{
    char url[512], body[512];
    snprintf(url, sizeof url, "%s/mp/collect?measurement_id=G-BENCH&api_secret=bench", base);
    CURL *e = curl_easy_init();
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, sink);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    long long now_s = pw_gw_now_ms() / 1000;
    double t0 = cpu_now();
    for (int i = 0; i < n; i++) {
        ga4_payload(body, sizeof body, i, now_s);
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, body);
        curl_easy_perform(e);
    }
    double us = (cpu_now() - t0) * 1e6 / n;
    curl_slist_free_all(h);
    curl_easy_cleanup(e);
    return us;
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "/tmp";
    int n = argc > 2 ? atoi(argv[2]) : 20000;
    mock_upstream *mock = NULL;
    const char *base = argc > 3 ? argv[3] : NULL;
    if (!base) {
        mock = mock_upstream_start();
        base = mock ? mock_upstream_base(mock) : NULL;
    }
    if (!base || n <= 0)
        return 1;
    char sp[512], ap[512], side[600];
    snprintf(sp, sizeof sp, "%s/bench_forward_%d.db", dir, (int)getpid());
    snprintf(ap, sizeof ap, "%s/bench_forward_%d.log", dir, (int)getpid());
    pw_spool *spool;
    pw_audit *audit;
    pw_spool_opts so = {.path = sp, .commit_interval_ms = 0};
    if (pw_spool_open(&so, &spool, NULL) != PW_OK || pw_audit_open(ap, &audit, NULL) != PW_OK ||
        !fill(spool, n))
        return 2;
    pw_destination d[2] = {{.name = "meta",
                            .kind = PW_DEST_META_CAPI,
                            .base_url = base,
                            .api_version = "v21.0",
                            .pixel_id = "1234",
                            .access_token = "bench-token"},
                           {.name = "ga4",
                            .kind = PW_DEST_GA4_MP,
                            .base_url = base,
                            .measurement_id = "G-BENCH",
                            .api_secret = "bench-token"}};
    const char *h2 = getenv("PW_BENCH_HTTP2"); /* prior-knowledge: h2c to the upstream */
    if (h2 && strcmp(h2, "prior-knowledge") == 0)
        d[0].http2 = d[1].http2 = PW_HTTP2_PRIOR_KNOWLEDGE;
    pw_forwarders *fw;
    int64_t t0 = pw_gw_mono_ms();
    if (pw_forwarders_start(d, 2, spool, audit, &fw, NULL) != PW_OK)
        return 3;
    double cpu_meta = 0, cpu_ga4 = 0;
    for (;;) {
        pw_spool_stats st;
        pw_spool_stats_get(spool, NULL, &st, NULL);
        cpu_meta = thread_cpu("pw-fwd-meta");
        cpu_ga4 = thread_cpu("pw-fwd-ga4");
        if (st.depth == 0 || pw_gw_mono_ms() - t0 > 600000)
            break;
        usleep(20000);
    }
    double wall = (double)(pw_gw_mono_ms() - t0) / 1000.0;
    pw_forward_stats ms = {0}, gs = {0};
    pw_forwarders_stats(fw, "meta", &ms);
    pw_forwarders_stats(fw, "ga4", &gs);
    pw_forwarders_stop(fw);
    double bare = bare_curl_us(base, n < 5000 ? n : 5000);
    printf("forwarders drained %d events per destination in %.2f s (%llu + %llu sent, %llu + %llu "
           "requests)\n",
           n, wall, ms.sent, gs.sent, ms.batches, gs.batches);
    printf("pw-fwd-meta  %7.2f s CPU  %6.1f us/event\n", cpu_meta, cpu_meta * 1e6 / n);
    printf("pw-fwd-ga4   %7.2f s CPU  %6.1f us/event\n", cpu_ga4, cpu_ga4 * 1e6 / n);
    printf("baseline: bare libcurl POST of the same GA4 bodies, one keep-alive connection: %.1f "
           "us/request; GA4 forwarder / baseline = %.2f\n",
           bare, cpu_ga4 * 1e6 / n / bare);
    printf("reproduce: %s %s %d%s%s\n", argv[0], dir, n, argc > 3 ? " " : "",
           argc > 3 ? argv[3] : "");
    pw_audit_close(audit);
    pw_spool_close(spool);
    mock_upstream_stop(mock);
    unlink(sp);
    if (getenv("PW_BENCH_KEEP_AUDIT")) /* to compare the records of two builds */
        printf("audit log kept: %s\n", ap);
    else
        unlink(ap);
    snprintf(side, sizeof side, "%s-wal", sp);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", sp);
    unlink(side);
    return 0;
}
