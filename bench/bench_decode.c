/*
 * bench_decode.c — decode throughput (requests/s, MB/s) of pw_decode on a generated mix of
 * tracker requests (Meta GET / form POST / multipart, GA4 batches, TikTok JSON, UET, LinkedIn,
 * session replay, script loads, an EasyPrivacy-only host, unknown and first-party requests),
 * against a baseline measured in the same run: plain pw_form_parse over the same query and body
 * bytes. The ratio is the cost of matching, typing and JSON parsing on top of splitting pairs.
 *
 *   build/bench/bench_decode [requests] [rounds]     (defaults 20000 and 5)
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "phiwall/arena.h"
#include "phiwall/buf.h"
#include "phiwall/decode.h"
#include "phiwall/url.h"

typedef struct gen_req {
    pw_request r;
    char *url;
    char *body;
} gen_req;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));

static char *fmt(const char *f, ...)
{
    va_list ap;
    va_start(ap, f);
    pw_buf b;
    pw_buf_init(&b);
    pw_buf_vprintf(&b, f, ap);
    va_end(ap);
    return pw_buf_steal(&b, NULL);
}

static const char *const MULTIPART_CT = "multipart/form-data; boundary=----WebKitFormBoundaryB";

/* One request of kind (i % 10), varied by i so no two are identical. */
static void generate(gen_req *g, unsigned i)
{
    memset(g, 0, sizeof *g);
    g->r.method = "GET";
    g->r.page_url = "https://www.example-hospital.org/conditions/heart-failure";
    switch (i % 10) {
    case 0:
        g->url = fmt("https://www.facebook.com/tr/?id=1234567890&ev=PageView&dl=https%%3A%%2F%%2F"
                     "www.example-hospital.org%%2Fsearch%%3Fq%%3Dheart%%2Bfailure%%26p%%3D%u&rl="
                     "https%%3A%%2F%%2Fwww.google.com%%2F&if=false&ts=17000%u&sw=1920&sh=1080&v=2.9"
                     ".106&r=stable&ec=0&o=4126&fbp=fb.1.1700.%u&it=1700&coo=false&rqm=GET",
                     i, i, i);
        break;
    case 1:
        g->url = fmt("https://www.facebook.com/tr/");
        g->body =
            fmt("id=1234567890&ev=SubscribedButtonClick&dl=https%%3A%%2F%%2Fwww.example-"
                "hospital.org%%2Fbook%%3Fdept%%3D%u&cd[buttonText]=Book+now&cd[buttonFeatures]"
                "=%%7B%%22innerText%%22%%3A%%22Book%%20now%%22%%2C%%22destination%%22%%3A%%22"
                "https%%3A%%2F%%2Fh.org%%2Fx%%22%%7D&cd[formFeatures]=%%5B%%7B%%22name%%22%%3A"
                "%%22first_name%%22%%7D%%5D&cd[pageFeatures]=%%7B%%22title%%22%%3A%%22Book%%22"
                "%%7D&es=automatic&udff[em]=973dfe463ec85785f5f95af5ba3906eedb2d931c24e69824a8"
                "9ea65dba4e813b&fbp=fb.1.%u.%u",
                i, i, i);
        g->r.content_type = "application/x-www-form-urlencoded";
        break;
    case 2:
        g->url = fmt("https://www.facebook.com/tr/");
        g->body = fmt("------WebKitFormBoundaryB\r\nContent-Disposition: form-data; name=\"id\"\r\n"
                      "\r\n1234567890\r\n------WebKitFormBoundaryB\r\nContent-Disposition: form-"
                      "data; name=\"ev\"\r\n\r\nLead\r\n------WebKitFormBoundaryB\r\nContent-"
                      "Disposition: form-data; name=\"dl\"\r\n\r\nhttps://www.example-hospital.org/"
                      "appointments?first=Jane&id=%u\r\n------WebKitFormBoundaryB\r\nContent-"
                      "Disposition: form-data; name=\"cd[buttonText]\"\r\n\r\nSubmit %u\r\n------"
                      "WebKitFormBoundaryB\r\nContent-Disposition: form-data; name=\"fbp\"\r\n\r\n"
                      "fb.1.%u\r\n------WebKitFormBoundaryB--\r\n",
                      i, i, i);
        g->r.content_type = MULTIPART_CT;
        break;
    case 3:
        g->url = fmt("https://region1.google-analytics.com/g/collect?v=2&tid=G-ABC123&cid=%u.1700"
                     "&dl=https%%3A%%2F%%2Fwww.example-hospital.org%%2Fsearch%%3Fquery%%3Dflu%u&dt="
                     "Search&sid=%u&sct=3",
                     i, i, i);
        g->body = fmt("en=page_view&_et=12\nen=view_search_results&ep.search_term=flu%%20shot%u"
                      "\nen=scroll&epn.percent_scrolled=90&_et=%u&ep.x=%u",
                      i, i, i);
        g->r.content_type = "text/plain;charset=UTF-8";
        break;
    case 4:
        g->url = fmt("https://analytics.tiktok.com/api/v2/pixel");
        g->body = fmt("{\"event\":\"SubmitForm\",\"message_id\":\"m-%u\",\"context\":{\"pixel\":{"
                      "\"code\":\"CABC\"},\"page\":{\"url\":\"https://www.example-hospital.org/"
                      "find-a-doctor?specialty=psychiatry&n=%u\",\"referrer\":\"\"},\"user\":{"
                      "\"anonymous_id\":\"a%u\"}},\"properties\":{\"content_name\":\"Screening\"}}",
                      i, i, i);
        g->r.content_type = "application/json";
        break;
    case 5:
        g->url = fmt("https://bat.bing.com/action/0?ti=5566778&Ver=2&mid=m-%u&sid=s&vid=v-%u"
                     "&evt=pageLoad&p=https%%3A%%2F%%2Fh.org%%2Fcancer%%3Fs%%3D%u&tl=Cancer&kw=x",
                     i, i, i);
        break;
    case 6:
        g->url = fmt("https://px.ads.linkedin.com/collect?v=2&fmt=js&pid=987654&time=%u&url="
                     "https%%3A%%2F%%2Fh.org%%2Fthanks%%3Fid%%3D%u&conversionId=%u",
                     i, i, i);
        break;
    case 7:
        g->url = fmt("https://www.googletagmanager.com/gtm.js?id=GTM-AB%uCD&l=dataLayer%u&x=%u", i,
                     i, i);
        break;
    case 8:
        g->url = fmt("https://stats.some-agency.test/matomo.php?idsite=%u&rec=1&url=https%%3A%%2F"
                     "%%2Fh.org%%2Fhiv%u&_id=%u",
                     i, i, i);
        break;
    default:
        g->url = fmt("https://cdn.example-hospital.org/api/v1/slots?date=2026-12-%u&doctor=%u&x=%u",
                     i % 28 + 1, i % 28 + 1, i % 28 + 1);
        break;
    }
    g->r.url = g->url;
    if (g->body) {
        g->r.method = "POST";
        g->r.body = (const unsigned char *)g->body;
        g->r.body_len = strlen(g->body);
    }
}

static size_t request_bytes(const gen_req *g)
{
    return strlen(g->url) + g->r.body_len;
}

/* Baseline: split the query and the body into pairs, nothing else. */
static size_t baseline(pw_arena *a, const gen_req *g)
{
    pw_url u;
    pw_kv *kv;
    size_t n = 0, total = 0;
    if (pw_url_parse(g->url, strlen(g->url), &u, NULL) == PW_OK &&
        pw_form_parse(a, u.query.p, u.query.n, 10000, &kv, &n, NULL) == PW_OK)
        total += n;
    if (g->body && pw_form_parse(a, g->body, g->r.body_len, 10000, &kv, &n, NULL) == PW_OK)
        total += n;
    return total;
}

int main(int argc, char **argv)
{
    unsigned n_req = argc > 1 ? (unsigned)atoi(argv[1]) : 20000;
    int rounds = argc > 2 ? atoi(argv[2]) : 5;
    if (n_req == 0 || rounds <= 0) {
        fprintf(stderr, "usage: bench_decode [requests] [rounds]\n");
        return 2;
    }
    double t0 = now();
    pw_catalog *c;
    pw_err err;
    if (pw_catalog_load(NULL, &c, &err) != PW_OK) {
        fprintf(stderr, "bench_decode: %s\n", err.msg);
        return 1;
    }
    double load_s = now() - t0;
    gen_req *reqs = calloc(n_req, sizeof *reqs);
    size_t bytes = 0;
    for (unsigned i = 0; i < n_req; i++) {
        generate(&reqs[i], i);
        bytes += request_bytes(&reqs[i]);
    }
    pw_arena a;
    pw_arena_init(&a, 0);
    double best_dec = 1e30, best_base = 1e30;
    size_t beacons = 0, fields = 0, pairs = 0, errors = 0;
    for (int r = 0; r < rounds; r++) {
        double s = now();
        beacons = fields = errors = 0;
        for (unsigned i = 0; i < n_req; i++) {
            pw_beacon *b;
            size_t nb;
            if (pw_decode(c, &a, &reqs[i].r, &b, &nb, &err) != PW_OK)
                errors++;
            beacons += nb;
            for (size_t k = 0; k < nb; k++)
                fields += b[k].n_fields;
            pw_arena_reset(&a);
        }
        double d = now() - s;
        best_dec = d < best_dec ? d : best_dec;
        s = now();
        pairs = 0;
        for (unsigned i = 0; i < n_req; i++) {
            pairs += baseline(&a, &reqs[i]);
            pw_arena_reset(&a);
        }
        d = now() - s;
        best_base = d < best_base ? d : best_base;
    }
    double mb = (double)bytes / 1e6;
    printf("bench_decode: %u requests (%.1f MB), best of %d rounds, catalog %zu entries + %zu "
           "EasyPrivacy + %zu EasyList rules (loaded in %.1f ms)\n",
           n_req, mb, rounds, pw_catalog_count(c), pw_catalog_easyprivacy_rules(c),
           pw_catalog_easylist_rules(c), load_s * 1e3);
    printf("  pw_decode         %10.0f requests/s  %8.1f MB/s  (%zu beacons, %zu fields, %zu "
           "errors)\n",
           n_req / best_dec, mb / best_dec, beacons, fields, errors);
    printf("  baseline (pairs)  %10.0f requests/s  %8.1f MB/s  (%zu pairs)\n", n_req / best_base,
           mb / best_base, pairs);
    printf("  ratio decode/baseline: %.2fx the baseline's time (%.2f of its throughput)\n",
           best_dec / best_base, best_base / best_dec);
    printf("reproduce: %s %u %d\n", argv[0], n_req, rounds);
    for (unsigned i = 0; i < n_req; i++) {
        free(reqs[i].url);
        free(reqs[i].body);
    }
    free(reqs);
    pw_arena_free(&a);
    pw_catalog_free(c);
    return 0;
}
