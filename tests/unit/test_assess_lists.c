/* test_assess_lists.c — filter-list trackers in the assess stage and the reports: a beacon of
 * EasyList's entry counts as a known tracker (presence rules such as PW-CONDITION-URL fire, as
 * for EasyPrivacy's entry) while an unlisted third party does not; the inventory lists each
 * list-matched company on its own row with its host, and the text report names that host after
 * the tracker (never as an account); tracker beacons add up to the inventory. */
#include <string.h>

#include "phiwall/assess.h"
#include "phiwall/buf.h"
#include "phiwall/report.h"
#include "pw_test.h"
#include "pw_test_finding.h"

#define LISTS PW_SRC_DIR "/tests/data/decode/"
#define PAGE  "https://www.example-hospital.org/conditions/hiv"

typedef struct scan {
    pw_catalog *cat;
    pw_detector *det;
    pw_assessor *as;
    const pw_scan_result *r;
} scan;

static void get(pw_assessor *as, const char *url)
{
    static const pw_header referer = {"Referer", PAGE};
    pw_request q = {.method = "GET", .url = url, .page_url = PAGE};
    q.headers = &referer;
    q.n_headers = 1;
    CHECK_INT(pw_assessor_add_request(as, &q, NULL), PW_OK);
}

static const char *const default_urls[] = {
    "https://sync.adserver.example/match?uid=9f2c",
    "https://px.adserver.example/p.gif?u=1",
    "https://x.databroker.example/sync?uid=9f2c",
    "https://metrics-collector.example/p.gif?cid=77",
    "https://cdn.someone.test/lib.js?v=3", /* on no list: unknown third party */
    NULL};

static int run_urls(scan *s, const char *const *urls)
{
    pw_catalog_options co = {.easyprivacy_file = LISTS "mini_easyprivacy.txt",
                             .easylist_file = LISTS "mini_easylist.txt"};
    pw_detector_opts dopts = {0};
    pw_err err;
    memset(s, 0, sizeof *s);
    if (pw_catalog_open(&co, &s->cat, &err) != PW_OK ||
        pw_detector_new(&dopts, &s->det, &err) != PW_OK)
        return fprintf(stderr, "%s\n", err.msg), -1;
    pw_assess_opts ao = {.catalog = s->cat, .detector = s->det};
    if (pw_assessor_new(&ao, &s->as, &err) != PW_OK)
        return -1;
    pw_page page = {.url = PAGE, .title = "Living with HIV"};
    CHECK_INT(pw_assessor_add_page(s->as, &page, NULL), PW_OK);
    for (const char *const *u = urls; *u; u++)
        get(s->as, *u);
    return pw_assessor_finish(s->as, &s->r, &err) == PW_OK ? 0 : -1;
}

static int run(scan *s)
{
    return run_urls(s, default_urls);
}

static void done(scan *s)
{
    pw_assessor_free(s->as);
    pw_detector_free(s->det);
    pw_catalog_free(s->cat);
}

/* How many findings of this rule and tracker entry (one per company for filter lists). */
static int fired(const pw_scan_result *r, const char *rule, const char *tracker_id)
{
    int n = 0;
    for (size_t i = 0; i < r->n_findings; i++)
        n += strcmp(pw_test_finding(r, i)->rule_id, rule) == 0 &&
             strcmp(pw_test_finding(r, i)->tracker->id, tracker_id) == 0;
    return n;
}

static const pw_finding *finding_for(const pw_scan_result *r, const char *rule, const char *host)
{
    for (size_t i = 0; i < r->n_findings; i++)
        if (strcmp(pw_test_finding(r, i)->rule_id, rule) == 0 && pw_test_finding(r, i)->request &&
            strstr(pw_test_finding(r, i)->request->url, host))
            return pw_test_finding(r, i);
    return NULL;
}

static void presence_rules(void)
{
    scan s;
    CHECK_INT(run(&s), 0);
    if (s.r) {
        /* one finding per company: adserver.example (2 requests) and databroker.example */
        CHECK_INT(fired(s.r, "PW-CONDITION-URL", "easylist"), 2);
        CHECK_INT(fired(s.r, "PW-CONDITION-URL", "easyprivacy"), 1);
        CHECK_INT(fired(s.r, "PW-CONDITION-URL", "unknown-third-party"), 0);
        const pw_finding *f = finding_for(s.r, "PW-CONDITION-URL", "adserver.example");
        CHECK(f != NULL);
        if (f) {
            CHECK_INT(f->occurrences, 2);
            CHECK(strstr(f->remediation,
                         "ad server or data broker (EasyList) at sync.adserver.example") != NULL);
        }
    }
    done(&s);
}

static void inventory_rows(void)
{
    scan s;
    CHECK_INT(run(&s), 0);
    size_t easylist_rows = 0, adserver_requests = 0, inventory_total = 0;
    for (size_t i = 0; s.r && i < s.r->n_trackers; i++) {
        const pw_tracker_use *u = &s.r->trackers[i];
        inventory_total += u->n_requests;
        CHECK(strcmp(u->tracker->id, "unknown-third-party") != 0);
        if (strcmp(u->tracker->id, "easylist") != 0)
            continue;
        easylist_rows++;
        CHECK(u->n_hosts >= 1);
        if (u->n_hosts && strstr(u->hosts[0], "adserver.example"))
            adserver_requests = u->n_requests;
    }
    CHECK_INT(easylist_rows, 2);     /* adserver.example and databroker.example */
    CHECK_INT(adserver_requests, 2); /* both of its hosts on one row */
    /* the summary's tracker beacons are the inventory's: the font CDN's beacon is counted
     * apart, not as a tracker beacon the inventory does not list */
    CHECK(s.r && s.r->n_tracker_beacons == inventory_total && inventory_total == 4);
    CHECK(s.r && s.r->n_beacons == 5);
    pw_buf out;
    pw_buf_init(&out);
    pw_report_opts ro = {.tool_version = "test"};
    CHECK_INT(pw_report_render(s.r, PW_REPORT_TEXT, &ro, &out, NULL), PW_OK);
    pw_buf_putc(&out, '\0');
    const char *row = out.data ? strstr(out.data, "ad server or data bro") : NULL;
    CHECK(row != NULL);
    CHECK(row && strstr(row, "x.databroker.example") != NULL);
    CHECK(out.data &&
          strstr(out.data, ", 4 tracker beacons (+1 to other third parties)\n") != NULL);
    /* a filter-list row names its company's hosts after the tracker, not as an account */
    CHECK(out.data &&
          strstr(out.data, "at sync.adserver.example,\n  px.adserver.example\n") != NULL);
    pw_buf_free(&out);
    done(&s);
}

/* Filter-list findings name no account: one entry's findings on a page are ordered by their
 * company's host, EasyList's apart from EasyPrivacy's, whatever order the capture listed the
 * requests in (they used to tie and keep it, interleaving the two lists in the table). */
static void findings_in_host_order(void)
{
    static const char *const urls[] = {"https://x.databroker.example/sync?uid=9f2c",
                                       "https://metrics-collector.example/p.gif?cid=77",
                                       "https://sync.adserver.example/match?uid=9f2c", NULL};
    static const char *const want[] = {"sync.adserver.example", "x.databroker.example",
                                       "metrics-collector.example"};
    scan s;
    CHECK_INT(run_urls(&s, urls), 0);
    size_t n = 0;
    for (size_t i = 0; s.r && i < s.r->n_findings; i++) {
        const pw_finding *f = pw_test_finding(s.r, i);
        if (strcmp(f->rule_id, "PW-CONDITION-URL") != 0)
            continue;
        CHECK(n < 3 && f->request && strstr(f->request->url, want[n]) != NULL);
        n++;
    }
    CHECK_INT(n, 3);
    done(&s);
}

PW_TEST_MAIN(PW_TEST(presence_rules), PW_TEST(inventory_rows), PW_TEST(findings_in_host_order))
