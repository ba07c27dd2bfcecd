/*
 * scan_common.c — the end of every `phiwall scan`: render the result in the chosen format, write
 * it to stdout or -o FILE, and turn --fail-on into the exit code. Also opens the pipeline
 * (catalog, detector with vocabulary and canaries, assessor) from the shared options.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>

#include "cli.h"
#include "phiwall/outfile.h"
#include "phiwall/version.h"
#include "scan_common.h"

int pw_cli_scan_set_format(pw_cli_scan_out *o, const char *value)
{
    if (pw_report_format_parse(value, &o->format) != 0)
        return pw_cli_usage_error("scan", "unknown format '%s' (text, json, sarif, html)", value);
    o->format_given = 1;
    return 0;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n > m && strcasecmp(s + n - m, suffix) == 0;
}

void pw_cli_scan_format_from_output(pw_cli_scan_out *o)
{
    if (o->format_given || !o->output || strcmp(o->output, "-") == 0)
        return;
    if (ends_with(o->output, ".html") || ends_with(o->output, ".htm"))
        o->format = PW_REPORT_HTML;
    else if (ends_with(o->output, ".sarif") || ends_with(o->output, ".sarif.json"))
        o->format = PW_REPORT_SARIF;
    else if (ends_with(o->output, ".json"))
        o->format = PW_REPORT_JSON;
}

int pw_cli_scan_set_fail_on(pw_cli_scan_out *o, const char *value)
{
    pw_severity s;
    if (strcmp(value, "none") == 0) {
        o->fail_on = -1;
        return 0;
    }
    if (pw_severity_parse(value, &s) != 0)
        return pw_cli_usage_error(
            "scan", "unknown severity '%s' (critical, high, medium, low, info, none)", value);
    o->fail_on = (int)s;
    return 0;
}

/* Streamed (pw_baseline_parse_file): the baseline report of a large crawl (hundreds of MB) was
 * read whole into memory, 4x the scan's own peak at 20,000 pages. */
pw_status pw_cli_read_baseline(const char *path, pw_baseline **out, pw_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return pw_err_set(err, PW_ERR_IO, "%s: %s", path, strerror(errno));
    pw_status s = pw_baseline_parse_file(f, path, out, err);
    fclose(f);
    return s;
}

int pw_cli_scan_set_baseline(pw_cli_scan_out *o, const char *path)
{
    if (o->baseline)
        return pw_cli_usage_error("scan", "--baseline given twice");
    if (strcmp(path, "-") == 0)
        return pw_cli_usage_error("scan", "--baseline -: give the earlier report as a file");
    pw_err err;
    pw_err_clear(&err);
    return pw_cli_read_baseline(path, &o->baseline, &err) == PW_OK ? 0 : pw_cli_fail("scan", &err);
}

void pw_cli_scan_out_free(pw_cli_scan_out *o)
{
    pw_baseline_free(o->baseline);
    o->baseline = NULL;
}

/* The highest severity that counts for --fail-on: every finding's, or with a baseline only
 * those of findings that are new or whose severity rose. -1 when none counts. */
static int fail_severity(const pw_scan_result *r, const pw_baseline_diff *d)
{
    if (!d)
        return pw_scan_result_max_severity(r);
    int max = -1;
    for (size_t i = 0; i < r->n_findings; i++)
        if (pw_baseline_is_news(d, r, i) && (int)pw_scan_result_severity(r, i) > max)
            max = (int)pw_scan_result_severity(r, i);
    return max;
}

/* Where the report goes: written as it is rendered (pw_buf_spill), so its size never sits in
 * memory whole. A report file still appears whole or not at all (pw_outfile): `scan --sites`
 * takes one that exists for a finished site, and a cut one must never replace the last good
 * report. */
typedef struct report_out {
    FILE *f;
    int error; /* errno of the first failed write, 0 if none */
} report_out;

static pw_status report_sink(void *ctx, const char *p, size_t n)
{
    report_out *o = ctx;
    if (fwrite(p, 1, n, o->f) == n)
        return PW_OK;
    o->error = errno ? errno : EIO;
    return PW_ERR_IO;
}

static int write_report(const pw_scan_result *r, const pw_cli_scan_out *o, const pw_report_opts *ro)
{
    pw_err err;
    pw_err_clear(&err);
    const char *path = o->output && strcmp(o->output, "-") != 0 ? o->output : NULL;
    pw_outfile of;
    if (path && pw_outfile_open(&of, path, &err) != PW_OK)
        return pw_cli_fail("scan", &err);
    report_out out = {path ? of.f : stdout, 0};
    pw_buf b;
    pw_buf_init(&b);
    b.sink = report_sink;
    b.sink_ctx = &out;
    pw_status st = pw_report_render(r, o->format, ro, &b, &err);
    if (st == PW_OK && pw_buf_spill(&b, 0) != PW_OK)
        st = PW_ERR_IO;
    pw_buf_free(&b);
    if (out.error)
        pw_err_set(&err, PW_ERR_IO, "%s: write failed: %s", path ? path : "stdout",
                   strerror(out.error));
    if (st == PW_OK && !path && fflush(stdout) != 0) {
        st = PW_ERR_IO;
        pw_err_set(&err, PW_ERR_IO, "stdout: write failed: %s", strerror(errno));
    }
    if (st != PW_OK) {
        if (path)
            pw_outfile_discard(&of);
        return pw_cli_fail("scan", &err);
    }
    if (path && pw_outfile_commit(&of, &err) != PW_OK)
        return pw_cli_fail("scan", &err);
    return PW_EXIT_CLEAN;
}

static int exit_rank(int rc)
{
    switch (rc) {
    case PW_EXIT_CLEAN: return 0;
    case PW_EXIT_INCOMPLETE: return 1;
    case PW_EXIT_FINDINGS: return 2;
    default: return 3 + rc; /* usage, runtime */
    }
}

int pw_cli_scan_worse(int a, int b)
{
    return exit_rank(b) > exit_rank(a) ? b : a;
}

/* The report may go to a file: the log says it too. */
static void say_incomplete(const pw_scan_result *r, int rc)
{
    pw_buf line;
    pw_buf_init(&line);
    pw_report_incomplete_headline(r, &line);
    for (size_t i = 0; i < r->n_gaps; i++) /* an interrupted scan exits 128 + the signal */
        rc = r->gaps[i].kind == PW_GAP_INTERRUPTED ? -1 : rc;
    pw_cli_errorf("scan",
                  "INCOMPLETE: %s — what they would have sent was not observed; this is not a "
                  "clean result%s",
                  line.data ? line.data : "",
                  rc == PW_EXIT_INCOMPLETE ? " (exit 4; --allow-incomplete accepts it)" : "");
    pw_buf_free(&line);
}

int pw_cli_scan_finish(const pw_scan_result *r, const pw_cli_scan_out *o, pw_cli_compared *cmp)
{
    if (cmp)
        cmp->n_new = cmp->n_gone = cmp->n_unchecked = -1;
    int to_stdout = !o->output || strcmp(o->output, "-") == 0;
    pw_report_opts ro = {
        .color = o->format == PW_REPORT_TEXT && to_stdout && pw_cli_use_color(stdout),
        .tool_version = PW_VERSION,
    };
    pw_err err;
    pw_err_clear(&err);
    pw_baseline_diff diff;
    if (o->baseline) {
        unsigned char key[16] = {0}; /* a key per run; without one, a fixed key: never wrong */
        if (getrandom(key, sizeof key, 0) != (ssize_t)sizeof key)
            memset(key, 0, sizeof key);
        if (pw_baseline_compare_keyed(o->baseline, r, key, &diff, &err) != PW_OK)
            return pw_cli_fail("scan", &err);
        ro.baseline = &diff;
        if (cmp)
            *cmp = (pw_cli_compared){(long)diff.n_new, (long)diff.n_gone, (long)diff.n_unchecked};
    }
    int rc = write_report(r, o, &ro);
    int max = fail_severity(r, ro.baseline);
    if (o->baseline)
        pw_baseline_diff_free(&diff);
    if (rc != PW_EXIT_CLEAN)
        return rc;
    if (o->fail_on >= 0 && max >= o->fail_on)
        rc = PW_EXIT_FINDINGS;
    else if (pw_report_incomplete_count(r) && !o->allow_incomplete)
        rc = PW_EXIT_INCOMPLETE;
    if (pw_report_incomplete_count(r))
        say_incomplete(r, rc);
    return rc;
}

int pw_cli_scan_add_baa(pw_cli_baa *b, const char *id)
{
    if (b->n == PW_CLI_MAX_BAA)
        return pw_cli_usage_error("scan", "at most %d --baa", PW_CLI_MAX_BAA);
    b->ids[b->n++] = id;
    return 0;
}

pw_status pw_cli_pipeline_open(pw_cli_pipeline *p, const pw_catalog_options *catalog,
                               const char *vocab_file, const char *canary_file,
                               const pw_cli_baa *baa, pw_err *err)
{
    memset(p, 0, sizeof *p);
    pw_arena_init(&p->arena, 0);
    pw_cli_gaps_init(&p->gaps, NULL);
    pw_detector_opts dopts = {.vocab_file = vocab_file};
    pw_canary *canaries = NULL;
    pw_status st = PW_OK;
    if (canary_file)
        st = pw_cli_read_canaries(canary_file, &p->arena, &canaries, &dopts.n_canaries, err);
    dopts.canaries = canaries;
    if (st != PW_OK) {
        pw_cli_pipeline_close(p);
        return st;
    }
    return pw_cli_pipeline_build(p, catalog, &dopts, baa, err);
}

pw_status pw_cli_pipeline_build(pw_cli_pipeline *p, const pw_catalog_options *catalog,
                                const pw_detector_opts *dopts, const pw_cli_baa *baa, pw_err *err)
{
    pw_status st = pw_catalog_open(catalog, &p->catalog, err);
    pw_cli_gaps_init(&p->gaps, p->catalog);
    if (st == PW_OK)
        st = pw_detector_new(dopts, &p->detector, err);
    if (st == PW_OK) {
        pw_assess_opts aopts = {.catalog = p->catalog,
                                .detector = p->detector,
                                .baa_ids = baa ? baa->ids : NULL,
                                .n_baa_ids = baa ? baa->n : 0};
        st = pw_assessor_new(&aopts, &p->assessor, err);
    }
    if (st != PW_OK)
        pw_cli_pipeline_close(p);
    return st;
}

void pw_cli_pipeline_close(pw_cli_pipeline *p)
{
    pw_assessor_free(p->assessor);
    pw_detector_free(p->detector);
    pw_catalog_free(p->catalog);
    pw_arena_free(&p->arena);
    pw_cli_gaps_free(&p->gaps);
    p->assessor = NULL;
    p->detector = NULL;
    p->catalog = NULL;
}

static pw_status sink_page(void *ctx, const pw_page *page, pw_err *err)
{
    pw_cli_pipeline *p = ctx;
    return pw_assessor_add_page(p->assessor, page, err);
}

static pw_status sink_request(void *ctx, const pw_request *req, pw_err *err)
{
    pw_cli_pipeline *p = ctx;
    pw_cli_gaps_check_request(&p->gaps, req);
    return pw_assessor_add_request(p->assessor, req, err);
}

static void sink_gap(void *ctx, const pw_capture_gap *gap)
{
    pw_cli_pipeline *p = ctx;
    pw_cli_gaps_add(&p->gaps, gap);
}

pw_capture_sink pw_cli_pipeline_sink(pw_cli_pipeline *p)
{
    return (pw_capture_sink){sink_page, sink_request, p, sink_gap};
}
