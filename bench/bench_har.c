/*
 * bench_har.c — HAR analysis throughput and peak memory. Generates HARs of 10 MB, 100 MB and
 * 1 GB in /tmp (Chrome-shaped: pages, documents, scripts, images with response bodies, Meta and
 * GA4 beacons), then measures in separate child processes, so each peak RSS is its own:
 *   baseline read   fread of the file in 64 KiB chunks (what `cat FILE >/dev/null` does)
 *   baseline yajl   yajl_parse over the file with no callbacks (the parser's floor)
 *   har reader      pw_har_read_ex with an empty sink (capture stage only)
 *   full scan       HAR reader + assessor (decode, detect, rules), as `phiwall scan --har`
 * Prints MB per CPU second (steadier than wall time on a shared machine; wall time too), the
 * ratio to the yajl baseline, and peak RSS. Files are deleted afterwards.
 * Usage: build/bench/bench_har [SIZE_MB…]   (default: 10 100 1000)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <yajl/yajl_parse.h>

#include "phiwall/assess.h"
#include "phiwall/har.h"

typedef struct measure {
    double seconds; /* wall */
    double cpu;     /* user + system: steadier on a shared machine */
    double setup;   /* CPU seconds spent before reading (catalog, detector), not counted */
    long max_rss_kb;
    size_t entries, findings;
    int ok;
} measure;

static double cpu_now(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- generator ---- */

static void filler(char *out, size_t n, unsigned seed)
{
    static const char alpha[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (size_t i = 0; i < n; i++) {
        seed = seed * 1103515245u + 12345u;
        out[i] = alpha[(seed >> 16) & 63];
    }
    out[n] = '\0';
}

static const char *paths[] = {"/",
                              "/conditions/asthma",
                              "/appointments",
                              "/careers",
                              "/find-a-doctor/results?q=knee+pain",
                              "/mychart/messages",
                              "/news/parking"};

static void entry(FILE *f, int first, int page, const char *method, const char *url,
                  const char *type, const char *post, const char *body)
{
    fprintf(f,
            "%s{\"_initiator\":{\"type\":\"script\",\"stack\":{\"callFrames\":[{\"functionName\":"
            "\"\",\"url\":\"https://connect.facebook.net/en_US/fbevents.js\",\"lineNumber\":1,"
            "\"columnNumber\":2}]}},\"_priority\":\"High\",\"_resourceType\":\"%s\",\"cache\":{},"
            "\"pageref\":\"page_%d\",\"request\":{\"method\":\"%s\",\"url\":\"%s\","
            "\"httpVersion\":\"http/2.0\",\"headers\":[{\"name\":\":authority\",\"value\":"
            "\"www.demo-hospital.org\"},{\"name\":\"accept\",\"value\":\"*/*\"},{\"name\":"
            "\"accept-language\",\"value\":\"en-US,en;q=0.9\"},{\"name\":\"user-agent\",\"value\":"
            "\"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/120.0.0.0 Safari/537.36\"},{\"name\":\"referer\",\"value\":"
            "\"https://www.demo-hospital.org/\"}],\"queryString\":[],\"cookies\":[],"
            "\"headersSize\":-1,\"bodySize\":0%s%s%s},\"response\":{\"status\":200,\"statusText\":"
            "\"\",\"httpVersion\":\"http/2.0\",\"headers\":[{\"name\":\"content-type\",\"value\":"
            "\"text/html\"}],\"cookies\":[],\"content\":{\"size\":%zu,\"mimeType\":\"text/html\","
            "\"text\":\"%s\"},\"redirectURL\":\"\",\"headersSize\":-1,\"bodySize\":-1,"
            "\"_transferSize\":1234},\"serverIPAddress\":\"192.0.2.1\",\"startedDateTime\":"
            "\"2024-05-01T12:00:00.000Z\",\"time\":12.5,\"timings\":{\"blocked\":1,\"dns\":-1,"
            "\"ssl\":-1,\"connect\":-1,\"send\":0.1,\"wait\":10,\"receive\":1.4}}",
            first ? "" : ",", type, page, method, url,
            post ? ",\"postData\":{\"mimeType\":"
                   "\"application/x-www-form-"
                   "urlencoded\",\"text\":\""
                 : "",
            post ? post : "", post ? "\"}" : "", strlen(body), body);
}

static int generate(const char *path, size_t target)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    char body[4097], url[1024], post[1024];
    fputs("{\"log\":{\"version\":\"1.2\",\"creator\":{\"name\":\"WebInspector\",\"version\":"
          "\"537.36\"},\"pages\":[",
          f);
    int n_pages = (int)(target / 200000) + 1;
    for (int p = 0; p < n_pages; p++)
        fprintf(f,
                "%s{\"startedDateTime\":\"2024-05-01T12:00:00.000Z\",\"id\":\"page_%d\","
                "\"title\":\"https://www.demo-hospital.org%s\",\"pageTimings\":{}}",
                p ? "," : "", p, paths[p % 7]);
    fputs("],\"entries\":[", f);
    long pos;
    unsigned i = 0;
    while ((pos = ftell(f)) >= 0 && (size_t)pos < target) {
        int page = (int)(((size_t)pos * (size_t)n_pages) / target);
        const char *path_ = paths[page % 7];
        unsigned kind = i % 10;
        filler(body, kind < 6 ? 3000 : 200, i);
        if (kind == 0) {
            snprintf(url, sizeof url, "https://www.demo-hospital.org%s", path_);
            entry(f, i == 0, page, "GET", url, "document", NULL, body);
        } else if (kind == 7) {
            snprintf(url, sizeof url,
                     "https://www.facebook.com/tr/?id=123456789012345&ev=PageView&dl=https%%3A%%2F"
                     "%%2Fwww.demo-hospital.org%%2F%s&rl=&if=false&ts=1714564800000&v=2.9.106&"
                     "fbp=fb.1.1714564800000.1234567890",
                     path_ + 1);
            entry(f, 0, page, "GET", url, "image", NULL, "");
        } else if (kind == 8) {
            snprintf(post, sizeof post,
                     "v=2&tid=G-TEST12345&cid=123.456&en=page_view&dl=https%%3A%%2F%%2Fwww.demo-"
                     "hospital.org%%2F%s&dt=Page",
                     path_ + 1);
            entry(f, 0, page, "POST", "https://region1.google-analytics.com/g/collect", "ping",
                  post, "");
        } else {
            snprintf(url, sizeof url, "https://www.demo-hospital.org/static/asset-%u.js", i);
            entry(f, 0, page, "GET", url, "script", NULL, body);
        }
        i++;
    }
    fputs("]}}\n", f);
    return fclose(f);
}

/* ---- the measured jobs, each run in a child ---- */

static int job_read(const char *path, measure *m)
{
    FILE *f = fopen(path, "rb");
    char *buf = malloc(65536);
    size_t n;
    unsigned sum = 0;
    while ((n = fread(buf, 1, 65536, f)) > 0)
        sum += (unsigned char)buf[n - 1];
    free(buf);
    fclose(f);
    return sum == 1; /* keeps the loop; never matters */
}

static int job_yajl(const char *path, measure *m)
{
    FILE *f = fopen(path, "rb");
    unsigned char *buf = malloc(65536);
    yajl_handle h = yajl_alloc(NULL, NULL, NULL);
    yajl_config(h, yajl_dont_validate_strings, 1);
    size_t n;
    int ok = 1;
    while (ok && (n = fread(buf, 1, 65536, f)) > 0)
        ok = yajl_parse(h, buf, n) == yajl_status_ok;
    ok = ok && yajl_complete_parse(h) == yajl_status_ok;
    yajl_free(h);
    free(buf);
    fclose(f);
    return ok ? 0 : -1;
}

static pw_status count_request(void *ctx, const pw_request *r, pw_err *err)
{
    (*(size_t *)ctx)++;
    return PW_OK;
}

static int job_reader(const char *path, measure *m)
{
    pw_capture_sink sink = {NULL, count_request, &m->entries, NULL};
    FILE *f = fopen(path, "rb");
    pw_err err;
    pw_status st = pw_har_read_ex(f, path, &sink, NULL, NULL, &err);
    fclose(f);
    if (st != PW_OK)
        fprintf(stderr, "%s\n", err.msg);
    return st == PW_OK ? 0 : -1;
}

static pw_status sink_page(void *ctx, const pw_page *p, pw_err *err)
{
    return pw_assessor_add_page(ctx, p, err);
}

static pw_status sink_request(void *ctx, const pw_request *r, pw_err *err)
{
    return pw_assessor_add_request(ctx, r, err);
}

static int job_scan(const char *path, measure *m)
{
    pw_catalog *cat = NULL;
    pw_detector *det = NULL;
    pw_assessor *as = NULL;
    pw_err err;
    pw_detector_opts dopts = {0};
    if (pw_catalog_load(NULL, &cat, &err) != PW_OK || pw_detector_new(&dopts, &det, &err) != PW_OK)
        return -1;
    pw_assess_opts aopts = {.catalog = cat, .detector = det};
    if (pw_assessor_new(&aopts, &as, &err) != PW_OK)
        return -1;
    pw_capture_sink sink = {sink_page, sink_request, as, NULL};
    m->setup = cpu_now();
    FILE *f = fopen(path, "rb");
    pw_status st = pw_har_read_ex(f, path, &sink, NULL, NULL, &err);
    fclose(f);
    const pw_scan_result *r = NULL;
    if (st == PW_OK)
        st = pw_assessor_finish(as, &r, &err);
    if (r) {
        m->entries = r->n_requests;
        m->findings = r->n_findings;
    }
    if (st != PW_OK)
        fprintf(stderr, "%s\n", err.msg);
    pw_assessor_free(as);
    pw_detector_free(det);
    pw_catalog_free(cat);
    return st == PW_OK ? 0 : -1;
}

static measure run_child(int (*job)(const char *, measure *), const char *path)
{
    measure m = {0};
    int fd[2];
    if (pipe(fd) != 0)
        return m;
    pid_t pid = fork();
    if (pid == 0) {
        close(fd[0]);
        double t0 = now();
        int rc = job(path, &m);
        m.seconds = now() - t0;
        struct rusage ru;
        getrusage(RUSAGE_SELF, &ru);
        m.max_rss_kb = ru.ru_maxrss;
        m.cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
                (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
        m.ok = rc == 0;
        ssize_t w = write(fd[1], &m, sizeof m);
        _exit(w == (ssize_t)sizeof m ? 0 : 1);
    }
    close(fd[1]);
    ssize_t r = read(fd[0], &m, sizeof m);
    close(fd[0]);
    waitpid(pid, NULL, 0);
    if (r != (ssize_t)sizeof m)
        memset(&m, 0, sizeof m);
    return m;
}

static double mbs_of(const measure *m, double mb)
{
    return m->cpu - m->setup > 0 ? mb / (m->cpu - m->setup) : 0;
}

static void report(const char *name, const measure *m, double mb, double yajl_mbs)
{
    double mbs = mbs_of(m, mb);
    printf("  %-14s %8.1f MB/s cpu (%7.1f wall)  %5.2fx yajl  peak RSS %6.1f MiB", name, mbs,
           m->seconds > 0 ? mb / m->seconds : 0, yajl_mbs > 0 ? mbs / yajl_mbs : 0,
           (double)m->max_rss_kb / 1024.0);
    if (m->entries)
        printf("  %zu entries", m->entries);
    if (m->findings)
        printf(", %zu findings", m->findings);
    if (m->setup > 0)
        printf(" (+%.0f ms cpu setup: catalog, detector)", m->setup * 1000);
    printf("%s\n", m->ok ? "" : "  (FAILED)");
}

int main(int argc, char **argv)
{
    size_t sizes[8] = {10, 100, 1000};
    int n = 3;
    if (argc > 1) {
        n = 0;
        for (int i = 1; i < argc && n < 8; i++)
            sizes[n++] = (size_t)strtoul(argv[i], NULL, 10);
    }
    printf("HAR analysis: throughput per core (MB per CPU second, user+system; wall clock in "
           "brackets) and peak RSS,\nas ratios against a bare yajl parse of the same file in the "
           "same run\n");
    for (int i = 0; i < n; i++) {
        char path[256];
        snprintf(path, sizeof path, "/tmp/phiwall-bench-%zuMB-%d.har", sizes[i], (int)getpid());
        if (generate(path, sizes[i] * 1000000) != 0) {
            fprintf(stderr, "bench_har: cannot write %s\n", path);
            return 1;
        }
        FILE *f = fopen(path, "rb");
        fseek(f, 0, SEEK_END);
        double mb = (double)ftell(f) / 1e6;
        fclose(f);
        printf("\n%s (%.0f MB)\n", path, mb);
        run_child(job_read, path); /* warm the page cache */
        measure rd = run_child(job_read, path), yj = run_child(job_yajl, path);
        measure hr = run_child(job_reader, path), sc = run_child(job_scan, path);
        double yajl_mbs = mbs_of(&yj, mb);
        report("baseline read", &rd, mb, yajl_mbs);
        report("baseline yajl", &yj, mb, yajl_mbs);
        report("har reader", &hr, mb, yajl_mbs);
        report("full scan", &sc, mb, yajl_mbs);
        if (!getenv("PW_BENCH_KEEP"))
            unlink(path);
    }
    printf("\nreproduce: ./scripts/build.sh build && build/bench/bench_har");
    for (int i = 0; i < n; i++)
        printf(" %zu", sizes[i]);
    printf("\n");
    return 0;
}
