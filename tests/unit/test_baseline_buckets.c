/* test_baseline_buckets.c — a comparison made in buckets (a baseline past BASELINE_KEYS
 * findings: both sides' keys in a temporary file, one bucket compared at a time) gives the same
 * diff as one made in memory: every scan finding's state and earlier severity, the absent
 * findings in the same order, and every report the same bytes. The findings repeat fingerprints
 * at several severities (the multiset pairing: equal severities first, then the rest highest
 * with highest). A temporary file that cannot be made is an error naming its directory. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "phiwall/arena.h"
#include "phiwall/baseline.h"
#include "phiwall/report.h"
#include "pw_test.h"
#include "report/report_internal.h"

#define N_OLD 4000

static pw_finding finding(pw_arena *a, size_t fp, pw_severity sev)
{
    return (pw_finding){.rule_id = fp % 2 ? "PW-CONDITION-URL" : "PW-TRACKER-PRESENT",
                        .severity = sev,
                        .account_id = pw_arena_sprintf(a, "%zu", fp % 3),
                        .page_url = pw_arena_sprintf(a, "https://h.org/conditions/c%zu", fp / 2),
                        .occurrences = 1 + fp % 3,
                        .page_variants = 1,
                        .title = "t",
                        .legal = "l",
                        .remediation = "r"};
}

static char *render(const pw_scan_result *r, pw_report_format fmt, const pw_baseline_diff *d)
{
    pw_buf b;
    pw_buf_init(&b);
    pw_report_opts o = {.tool_version = "test", .baseline = d};
    CHECK(pw_report_render(r, fmt, &o, &b, NULL) == PW_OK);
    return pw_buf_steal(&b, NULL);
}

typedef struct sides {
    pw_arena a;
    pw_scan_result old, now;
    pw_baseline *b;
} sides;

/* Old and new scans whose fingerprints repeat (i % 1000: four findings each in the baseline,
 * at severities that vary), the new one with a fifth dropped, severities moved and new ones;
 * the baseline read from the old one's JSON report. */
static void sides_init(sides *s)
{
    memset(s, 0, sizeof *s);
    pw_arena_init(&s->a, 0);
    pw_finding *old = pw_arena_calloc(&s->a, N_OLD, sizeof *old);
    pw_finding *now = pw_arena_calloc(&s->a, N_OLD + 500, sizeof *now);
    pw_page *pages = pw_arena_calloc(&s->a, N_OLD, sizeof *pages);
    pw_hhs_context *ctx = pw_arena_calloc(&s->a, N_OLD, sizeof *ctx);
    CHECK(old && now && pages && ctx);
    size_t n_now = 0, n_pages = 0;
    for (size_t i = 0; old && now && pages && ctx && i < N_OLD; i++) {
        old[i] = finding(&s->a, i % 1000, (pw_severity)(i * 7 % 5));
        if (i % 4 == 1)
            pages[n_pages++] = (pw_page){.url = old[i].page_url};
        if (i % 5 == 0)
            continue;
        now[n_now] = old[i];
        if (i % 3 == 0)
            now[n_now].severity = (pw_severity)((i + 2) % 5);
        n_now++;
    }
    for (size_t i = 0; now && i < 500; i++) /* new, and more of fingerprints the baseline has */
        now[n_now++] = finding(&s->a, i % 2 ? 5000 + i : i * 3 % 1000, (pw_severity)(i % 5));
    s->old = (pw_scan_result){.target = "https://h.org/", .findings = old, .n_findings = N_OLD};
    s->now = (pw_scan_result){.target = "https://h.org/",
                              .findings = now,
                              .n_findings = n_now,
                              .pages = pages,
                              .n_pages = n_pages,
                              .page_contexts = ctx};
    /* the reports take findings sorted as the assessor sorts them: severity, highest first */
    pw_scan_result *rs[] = {&s->old, &s->now};
    for (int k = 0; k < 2; k++) {
        pw_finding *f = (pw_finding *)rs[k]->findings;
        size_t n = rs[k]->n_findings, m = 0;
        pw_finding *sorted = pw_arena_calloc(&s->a, n ? n : 1, sizeof *sorted);
        for (int sev = PW_SEV__COUNT - 1; sorted && sev >= 0; sev--)
            for (size_t i = 0; i < n; i++)
                if ((int)f[i].severity == sev)
                    sorted[m++] = f[i];
        rs[k]->findings = sorted;
    }
    char *json = render(&s->old, PW_REPORT_JSON, NULL);
    pw_err err;
    pw_err_clear(&err);
    CHECK(json && pw_baseline_parse(json, strlen(json), "old.json", &s->b, &err) == PW_OK);
    free(json);
}

static void sides_free(sides *s)
{
    pw_baseline_free(s->b);
    pw_arena_free(&s->a);
}

/* 1 when absent finding i of list `unchecked` is the same in both (read one at a time: past
 * 64 KiB of them a diff keeps where their records are, not the findings). */
static int same_absent(pw_baseline_reader *rx, pw_baseline_reader *ry, int unchecked, size_t i)
{
    const pw_baseline_finding *a = pw_baseline_reader_at(rx, unchecked, i);
    int sev = a->severity;
    char *fp = strdup(a->fingerprint);
    const pw_baseline_finding *b = pw_baseline_reader_at(ry, unchecked, i);
    int same = fp && strcmp(fp, b->fingerprint) == 0 && sev == (int)b->severity;
    free(fp);
    return same;
}

static int same_diff(const pw_baseline_diff *x, const pw_baseline_diff *y, size_t n)
{
    if (x->n_new != y->n_new || x->n_unchanged != y->n_unchanged || x->n_gone != y->n_gone ||
        x->n_unchecked != y->n_unchecked)
        return 0;
    if (memcmp(x->state, y->state, n) != 0 || memcmp(x->was, y->was, n) != 0)
        return 0;
    pw_baseline_reader rx, ry;
    pw_baseline_reader_init(&rx, x);
    pw_baseline_reader_init(&ry, y);
    int same = 1;
    for (size_t i = 0; same && i < x->n_gone; i++)
        same = same_absent(&rx, &ry, 0, i);
    for (size_t i = 0; same && i < x->n_unchecked; i++)
        same = same_absent(&rx, &ry, 1, i) && x->unchecked_why[i] == y->unchecked_why[i];
    same &= pw_baseline_reader_done(&rx, PW_OK, NULL) == PW_OK;
    same &= pw_baseline_reader_done(&ry, PW_OK, NULL) == PW_OK;
    return same;
}

static void buckets_same_as_memory(void)
{
    sides s;
    sides_init(&s);
    if (!s.b) {
        sides_free(&s);
        return;
    }
    pw_err err;
    pw_err_clear(&err);
    pw_baseline_diff whole;
    CHECK(pw_baseline_compare_keys(s.b, &s.now, SIZE_MAX, &whole, &err) == PW_OK);
    /* the case is one: some of each outcome, severities changed on unchanged findings */
    CHECK(whole.n_unchanged > 0 && whole.n_new > 0 && whole.n_gone + whole.n_unchecked > 0);
    size_t moved = 0;
    for (size_t i = 0; i < s.now.n_findings; i++)
        moved += whole.state[i] == PW_BASELINE_UNCHANGED &&
                 whole.was[i] != (signed char)s.now.findings[i].severity;
    CHECK(moved > 0);
    char *want[PW_REPORT_HTML + 1];
    for (int fmt = 0; fmt <= PW_REPORT_HTML; fmt++)
        want[fmt] = render(&s.now, (pw_report_format)fmt, &whole);
    const size_t keys[] = {1, 7, 100, N_OLD - 1};
    for (size_t k = 0; k < sizeof keys / sizeof *keys; k++) {
        pw_baseline_diff d;
        pw_status st = pw_baseline_compare_keys(s.b, &s.now, keys[k], &d, &err);
        if (st != PW_OK)
            fprintf(stderr, "%s\n", err.msg);
        CHECK(st == PW_OK);
        if (st != PW_OK)
            continue;
        CHECK(same_diff(&whole, &d, s.now.n_findings));
        for (int fmt = 0; fmt <= PW_REPORT_HTML; fmt++) {
            char *out = render(&s.now, (pw_report_format)fmt, &d);
            CHECK(out && want[fmt] && strcmp(out, want[fmt]) == 0);
            free(out);
        }
        pw_baseline_diff_free(&d);
    }
    for (int fmt = 0; fmt <= PW_REPORT_HTML; fmt++)
        free(want[fmt]);
    pw_baseline_diff_free(&whole);
    sides_free(&s);
}

/* The buckets' file in a directory that is not there: an error naming it. */
static void temp_file_error(void)
{
    sides s;
    sides_init(&s);
    const char *was = getenv("TMPDIR");
    char *saved = was ? strdup(was) : NULL;
    setenv("TMPDIR", "/nonexistent-phiwall-dir", 1);
    pw_err err;
    pw_err_clear(&err);
    pw_baseline_diff d;
    CHECK(s.b && pw_baseline_compare_keys(s.b, &s.now, 100, &d, &err) == PW_ERR_IO);
    CHECK(strstr(err.msg, "comparing with old.json: /nonexistent-phiwall-dir: ") == err.msg);
    CHECK(strstr(err.msg, "TMPDIR") != NULL);
    CHECK(d.state == NULL && d.gone == NULL);
    if (saved)
        setenv("TMPDIR", saved, 1);
    else
        unsetenv("TMPDIR");
    free(saved);
    sides_free(&s);
}

PW_TEST_MAIN(PW_TEST(buckets_same_as_memory), PW_TEST(temp_file_error))
