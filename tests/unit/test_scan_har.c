/*
 * test_scan_har.c — end to end on the hand-made HARs of tests/data/har/ (capture → decode →
 * detect → assess → report): each case's JSON report is compared with its golden
 * <case>.expected.json member by member: every member of every object must be in both (a field
 * that appears or disappears fails), every value equal, wording too. Only the values under
 * "tool" (the data files this machine loaded: their paths, versions and rule counts) are not
 * compared; their members are. The findings' rule/severity/page/vendor/account tuples are
 * printed side by side when they differ. PW_UPDATE_GOLDEN=1 rewrites the golden files from the
 * current output (review the diff before committing).
 */
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_tree.h>

#include "phiwall/assess.h"
#include "phiwall/har.h"
#include "phiwall/report.h"
#include "pw_test.h"

#define DATA PW_SRC_DIR "/tests/data/har/"

static pw_status sink_page(void *ctx, const pw_page *p, pw_err *err)
{
    return pw_assessor_add_page(ctx, p, err);
}

static pw_status sink_request(void *ctx, const pw_request *r, pw_err *err)
{
    return pw_assessor_add_request(ctx, r, err);
}

/* Run the pipeline on one HAR and render JSON into out; 0 on success. */
static int scan_json(const char *har_name, pw_buf *out)
{
    pw_catalog *cat = NULL;
    pw_detector *det = NULL;
    pw_assessor *as = NULL;
    pw_err err;
    pw_detector_opts dopts = {0};
    int ok =
        pw_catalog_load(NULL, &cat, &err) == PW_OK && pw_detector_new(&dopts, &det, &err) == PW_OK;
    pw_assess_opts aopts = {.catalog = cat, .detector = det};
    ok = ok && pw_assessor_new(&aopts, &as, &err) == PW_OK;
    char path[512];
    snprintf(path, sizeof path, DATA "%s.har", har_name);
    pw_capture_sink sink = {sink_page, sink_request, as, NULL};
    ok = ok && pw_assessor_set_target(as, har_name, PW_SOURCE_HAR, &err) == PW_OK;
    ok = ok && pw_har_read_file(path, &sink, &err) == PW_OK;
    const pw_scan_result *r = NULL;
    ok = ok && pw_assessor_finish(as, &r, &err) == PW_OK;
    pw_report_opts ro = {.tool_version = "test"};
    ok = ok && pw_report_render(r, PW_REPORT_JSON, &ro, out, &err) == PW_OK;
    if (!ok)
        fprintf(stderr, "%s: %s\n", har_name, err.msg);
    pw_assessor_free(as);
    pw_detector_free(det);
    pw_catalog_free(cat);
    return ok ? 0 : -1;
}

static const char *str_at(yajl_val v, const char **path)
{
    yajl_val s = yajl_tree_get(v, path, yajl_t_any);
    return s && YAJL_IS_STRING(s) ? YAJL_GET_STRING(s) : "-";
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The structure that must not change: one sorted line per finding. */
static char **finding_tuples(yajl_val doc, size_t *n)
{
    static const char *findings_path[] = {"findings", NULL};
    yajl_val arr = yajl_tree_get(doc, findings_path, yajl_t_array);
    *n = arr ? YAJL_GET_ARRAY(arr)->len : 0;
    char **out = calloc(*n + 1, sizeof *out);
    for (size_t i = 0; i < *n; i++) {
        yajl_val f = YAJL_GET_ARRAY(arr)->values[i];
        static const char *rule[] = {"rule_id", NULL}, *sev[] = {"severity", NULL},
                          *page[] = {"page", "url", NULL}, *vendor[] = {"vendor", "name", NULL},
                          *acct[] = {"account_id", NULL}, *ctx[] = {"context", NULL};
        char line[1024];
        snprintf(line, sizeof line, "%s %s %s %s %s %s", str_at(f, rule), str_at(f, sev),
                 str_at(f, ctx), str_at(f, vendor), str_at(f, acct), str_at(f, page));
        out[i] = strdup(line);
    }
    qsort(out, *n, sizeof *out, cmp_str);
    return out;
}

static void free_tuples(char **t, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(t[i]);
    free(t);
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    size_t got = fread(s, 1, (size_t)n, f);
    s[got] = '\0';
    fclose(f);
    return s;
}

/* A string's or a number's text as the JSON has it ("0.80" stays "0.80"); "" for the rest. */
static const char *scalar_text(yajl_val v)
{
    const char *s = YAJL_IS_STRING(v) ? YAJL_GET_STRING(v) : YAJL_IS_NUMBER(v) ? v->u.number.r : "";
    return s ? s : "";
}

/* Where the two trees differ, as a path ("findings[3].remediation"), into why; 1 if they are
 * equal. Object members are compared by name in both directions; under "tool" only the names. */
static int same_tree(yajl_val got, yajl_val want, char *path, size_t len, size_t cap,
                     int names_only, char *why, size_t why_cap)
{
    if (!got || !want || got->type != want->type) {
        snprintf(why, why_cap, "%s: %s", len ? path : "(root)",
                 !got    ? "missing in the report"
                 : !want ? "not in the golden"
                         : "type differs");
        return 0;
    }
    if (YAJL_IS_OBJECT(got)) {
        for (int pass = 0; pass < 2; pass++) { /* members of got in want, then of want in got */
            yajl_val a = pass ? want : got, b = pass ? got : want;
            for (size_t i = 0; i < YAJL_GET_OBJECT(a)->len; i++) {
                const char *k = YAJL_GET_OBJECT(a)->keys[i];
                yajl_val other = NULL;
                for (size_t j = 0; j < YAJL_GET_OBJECT(b)->len && !other; j++)
                    if (strcmp(YAJL_GET_OBJECT(b)->keys[j], k) == 0)
                        other = YAJL_GET_OBJECT(b)->values[j];
                int n = snprintf(path + len, cap - len, "%s%s", len ? "." : "", k);
                size_t sub = len + (n > 0 && (size_t)n < cap - len ? (size_t)n : 0);
                int tool = names_only || (len == 0 && strcmp(k, "tool") == 0);
                yajl_val v = YAJL_GET_OBJECT(a)->values[i];
                if (!other) {
                    snprintf(why, why_cap, "%s: %s", path,
                             pass ? "in the golden, not in the report"
                                  : "in the report, not in the golden");
                    return 0;
                }
                if (!pass && !same_tree(v, other, path, sub, cap, tool, why, why_cap))
                    return 0;
                path[len] = '\0';
            }
        }
        return 1;
    }
    if (YAJL_IS_ARRAY(got)) {
        size_t n = YAJL_GET_ARRAY(got)->len;
        if (n != YAJL_GET_ARRAY(want)->len && !names_only) {
            snprintf(why, why_cap, "%s: %zu items, the golden has %zu", path, n,
                     YAJL_GET_ARRAY(want)->len);
            return 0;
        }
        for (size_t i = 0; i < n && i < YAJL_GET_ARRAY(want)->len; i++) {
            int k = snprintf(path + len, cap - len, "[%zu]", i);
            size_t sub = len + (k > 0 && (size_t)k < cap - len ? (size_t)k : 0);
            if (!same_tree(YAJL_GET_ARRAY(got)->values[i], YAJL_GET_ARRAY(want)->values[i], path,
                           sub, cap, names_only, why, why_cap))
                return 0;
            path[len] = '\0';
        }
        return 1;
    }
    if (names_only)
        return 1;
    const char *g = scalar_text(got), *w = scalar_text(want);
    if (strcmp(g, w) == 0)
        return 1;
    snprintf(why, why_cap, "%s: \"%.300s\", the golden has \"%.300s\"", path, g, w);
    return 0;
}

/* Compare the case's report with its golden file; every member and
 * value (same_tree); print where they differ and the findings' tuples side by side. */
static void golden(const char *name)
{
    pw_buf out;
    pw_buf_init(&out);
    CHECK_INT(scan_json(name, &out), 0);
    char path[512];
    snprintf(path, sizeof path, DATA "%s.expected.json", name);
    if (getenv("PW_UPDATE_GOLDEN")) {
        FILE *f = fopen(path, "wb");
        fwrite(out.data, 1, out.len, f);
        fclose(f);
    }
    char *want_text = slurp(path), errbuf[256];
    CHECK(want_text != NULL);
    yajl_val got = yajl_tree_parse(out.data ? out.data : "", errbuf, sizeof errbuf);
    yajl_val want = want_text ? yajl_tree_parse(want_text, errbuf, sizeof errbuf) : NULL;
    CHECK(got != NULL);
    CHECK(want != NULL);
    if (got && want) {
        static const char *ver[] = {"schema_version", NULL};
        CHECK_STR(str_at(got, ver), "1");
        size_t ng, nw;
        char **g = finding_tuples(got, &ng), **w = finding_tuples(want, &nw);
        char tree_path[512] = "", why[1024] = "";
        int same = same_tree(got, want, tree_path, 0, sizeof tree_path, 0, why, sizeof why);
        if (!same) {
            fprintf(stderr, "%s: the report differs from %s at %s\n", name, path, why);
            for (size_t i = 0; i < nw; i++)
                fprintf(stderr, "  want %s\n", w[i]);
            for (size_t i = 0; i < ng; i++)
                fprintf(stderr, "  got  %s\n", g[i]);
        }
        CHECK(same);
        free_tuples(g, ng);
        free_tuples(w, nw);
    }
    yajl_tree_free(got);
    yajl_tree_free(want);
    free(want_text);
    pw_buf_free(&out);
}

/* Rules that must (or must not) appear, independent of the golden files. */
static int has_rule(const char *name, const char *rule, const char *severity)
{
    pw_buf out;
    pw_buf_init(&out);
    int found = 0;
    if (scan_json(name, &out) == 0) {
        char needle[128];
        snprintf(needle, sizeof needle, "\"rule_id\": \"%s\",", rule);
        const char *p = strstr(out.data, needle);
        found = p != NULL;
        if (p && severity) {
            snprintf(needle, sizeof needle, "\"severity\": \"%s\"", severity);
            const char *s = strstr(p, needle), *next = strstr(p + 1, "\"rule_id\"");
            found = s && (!next || s < next);
        }
    }
    pw_buf_free(&out);
    return found;
}

/* Findings of the case, of one rule (NULL: all). */
static size_t count_rule(const char *name, const char *rule)
{
    pw_buf out;
    pw_buf_init(&out);
    size_t n = 0;
    char needle[128];
    if (rule)
        snprintf(needle, sizeof needle, "\"rule_id\": \"%s\",", rule);
    else
        snprintf(needle, sizeof needle, "\"rule_id\"");
    if (scan_json(name, &out) == 0)
        for (const char *p = out.data; (p = strstr(p, needle)); p++)
            n++;
    pw_buf_free(&out);
    return n;
}

static size_t count_findings(const char *name)
{
    return count_rule(name, NULL);
}

static void goldens(void)
{
    static const char *cases[] = {
        "auth_tracker",     "auth_cookie",       "button_text",        "search_term",
        "form_values",      "advanced_matching", "condition_pageview", "session_replay",
        "careers_pixel",    "first_party_only",  "firefox_base64",     "mixed",
        "baa_declared",     "object_kind",       "ga_items",           "sgtm_path",
        "cookie_anonymous", "link_contacts",     "provider_npi",       "empty_hash",
        "form_meta",        "general_login",     "referer_form",       "referer_search",
        "health_keys",      "spa_tiktok",        "typed_contacts",     "site_contacts",
        "placeholders"};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        golden(cases[i]);
}

static void positives(void)
{
    CHECK(has_rule("auth_tracker", "PW-AUTH-TRACKER", "critical"));
    CHECK(has_rule("auth_cookie", "PW-AUTH-TRACKER", "critical"));
    CHECK(has_rule("search_term", "PW-SEARCH-TERM", "high"));
    CHECK(has_rule("form_values", "PW-FORM-VALUES", "critical"));
    CHECK(has_rule("advanced_matching", "PW-ADVANCED-MATCHING", "high"));
    CHECK(has_rule("session_replay", "PW-SESSION-REPLAY", "high"));
    /* the replay finding carries the BAA point: no separate PW-NO-BAA for the same tracker */
    CHECK(!has_rule("session_replay", "PW-NO-BAA", NULL));
    CHECK(has_rule("firefox_base64", "PW-SEARCH-TERM", NULL));
    CHECK(has_rule("button_text", "PW-BUTTON-TEXT", "high"));
    /* e-commerce items are event data: GA4's pr1=…~nm…, UA's pr1nm */
    CHECK(has_rule("ga_items", "PW-EVENT-HEALTH", "high"));
    CHECK(count_rule("ga_items", "PW-EVENT-HEALTH") == 2);
    /* GA4 under a first-party path is still Google: the search reaches it */
    CHECK(has_rule("sgtm_path", "PW-SEARCH-TERM", "high"));
}

static void negatives(void)
{
    /* a careers page with a pixel is inventory, not PHI */
    CHECK_INT(count_findings("careers_pixel"), 1);
    CHECK(has_rule("careers_pixel", "PW-TRACKER-PRESENT", "info"));
    /* a condition page PageView is only the elevated-risk finding */
    CHECK_INT(count_findings("condition_pageview"), 1);
    CHECK(has_rule("condition_pageview", "PW-CONDITION-URL", "medium"));
    /* advanced matching is not mistaken for typed form values */
    CHECK(!has_rule("advanced_matching", "PW-FORM-VALUES", NULL));
    CHECK_INT(count_findings("first_party_only"), 0);
}

/* Cookie values never reach a report; the cookie names do. */
static void scrubbed_cookies(void)
{
    pw_buf out;
    pw_buf_init(&out);
    CHECK_INT(scan_json("cookie_scrub", &out), 0);
    CHECK(out.data && strstr(out.data, "c_user=…; fr=…") != NULL);
    CHECK(out.data && strstr(out.data, "SECRETVALUE") == NULL);
    CHECK(out.data && strstr(out.data, "100001234567") == NULL);
    pw_buf_free(&out);
}

PW_TEST_MAIN(PW_TEST(goldens), PW_TEST(positives), PW_TEST(negatives), PW_TEST(scrubbed_cookies))
