/*
 * cmd_scan.c — `phiwall scan`: with --har FILE… it streams each HAR through the pipeline
 * (capture → decode → detect → assess) into one report; with URLs it hands over to the browser
 * scan (pw_cli_scan_live in scan_live.c). `--help` shows both.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "catalog_opts.h"
#include "cli.h"
#include "phiwall/decode.h"
#include "phiwall/har.h"
#include "scan_common.h"
#include "scan_live.h"

#define MAX_HARS 256

typedef struct scan_args {
    const char *hars[MAX_HARS];
    size_t n_hars;
    pw_catalog_options catalog; /* --trackers, --easyprivacy, --easylist … */
    const char *vocab, *canary;
    pw_cli_baa baa;
    pw_cli_scan_out out;
} scan_args;

static void usage(FILE *f)
{
    fprintf(f,
            "Usage: phiwall scan --har FILE [--har FILE…] [options]\n"
            "       phiwall scan URL… [options]          (browser scan)\n\n"
            "Find protected health information sent to trackers, ranked under HHS guidance.\n\n"
            "  --har FILE           a HAR 1.2 file recorded in a browser (Chrome, Firefox,\n"
            "                       Safari); repeat to merge several into one report; '-' = stdin\n"
            "  --format FMT         text (default), json, sarif or html\n"
            "  -o, --output FILE    write the report to FILE instead of stdout; without\n"
            "                       --format, FILE's extension picks it: .html, .json, .sarif\n"
            "  --fail-on SEVERITY   exit 1 when a finding is at or above SEVERITY\n"
            "                       (critical, high, medium, low, info; default "
            "none)\n" PW_CLI_BASELINE_USAGE PW_CLI_BAA_USAGE
            "  --allow-incomplete   exit 0, not 4, when the capture shows tracker scripts or\n"
            "                       pages that failed to load (the report still says INCOMPLETE)\n"
            "  --vocab FILE         extra health vocabulary (TSV)\n"
            "  --canary FILE        values typed during the capture, found in any encoding:\n"
            "                       label<TAB>kind<TAB>value per line\n"
            "  -h, --help           this help\n"
            "Trackers (HAR and browser scans alike; see docs/trackers.md):\n");
    pw_cli_catalog_usage(f, 23);
    fprintf(f, "\nExit codes: 0 ran, no finding at or above --fail-on (without it, findings\n"
               "exit 0 too), 1 findings at or above --fail-on, 2 usage, 3 runtime error,\n"
               "4 incomplete (tracker scripts or pages failed to load: not a clean result;\n"
               "a page that answered an HTTP error is listed as an error page, not incomplete).\n"
               "See docs/scan-har.md, docs/rules.md and docs/report-formats.md.\n\n");
    pw_cli_scan_live_usage(f);
}

/* 0 to go on, or an exit code. */
static int parse_args(int argc, char **argv, scan_args *a)
{
    static const struct option opts[] = {{"har", required_argument, NULL, 'H'},
                                         {"format", required_argument, NULL, 'f'},
                                         {"output", required_argument, NULL, 'o'},
                                         {"fail-on", required_argument, NULL, 'F'},
                                         {"allow-incomplete", no_argument, NULL, 'I'},
                                         {"baseline", required_argument, NULL, 'B'},
                                         {"baa", required_argument, NULL, 'A'},
                                         PW_CLI_CATALOG_LONG_OPTIONS,
                                         {"vocab", required_argument, NULL, 'V'},
                                         {"canary", required_argument, NULL, 'C'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    int c, rc;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
        if (c != '?' && (rc = pw_cli_value_error("scan", argv)))
            return rc;
        if (pw_cli_catalog_option(c, optarg, &a->catalog))
            continue;
        switch (c) {
        case 'H':
            if (a->n_hars == MAX_HARS)
                return pw_cli_usage_error("scan", "at most %d --har files", MAX_HARS);
            a->hars[a->n_hars++] = optarg;
            break;
        case 'f':
            if ((rc = pw_cli_scan_set_format(&a->out, optarg)))
                return rc;
            break;
        case 'o': a->out.output = optarg; break;
        case 'F':
            if ((rc = pw_cli_scan_set_fail_on(&a->out, optarg)))
                return rc;
            break;
        case 'I': a->out.allow_incomplete = 1; break;
        case 'B':
            if ((rc = pw_cli_scan_set_baseline(&a->out, optarg)))
                return rc;
            break;
        case 'A':
            if ((rc = pw_cli_scan_add_baa(&a->baa, optarg)))
                return rc;
            break;
        case 'V': a->vocab = optarg; break;
        case 'C': a->canary = optarg; break;
        case 'h': usage(stdout); return -1;
        default:
            if (optopt == 0 && pw_cli_scan_live_has_option(argv[optind - 1]))
                return pw_cli_usage_error("scan",
                                          "'%s' is an option of the live-site scan (a URL); "
                                          "it does not apply to --har",
                                          argv[optind - 1]);
            return pw_cli_option_error("scan", argv, opts);
        }
    }
    return 0;
}

static void join_targets(const scan_args *a, char *out, size_t cap)
{
    size_t len = 0;
    out[0] = '\0';
    for (size_t i = 0; i < a->n_hars && len < cap; i++) {
        int w = snprintf(out + len, cap - len, "%s%s", i ? ", " : "", a->hars[i]);
        if (w < 0)
            break;
        len += (size_t)w;
    }
}

/* The HAR reader tells a site's navigations from vendors' iframe documents by registrable
 * domain. */
static char *har_site_of(void *ctx, pw_arena *a, const char *host)
{
    (void)ctx;
    return pw_registrable_domain(a, host);
}

static int read_one(pw_cli_pipeline *p, const char *path, pw_err *err)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!f) {
        pw_err_set(err, PW_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
        return 0;
    }
    pw_capture_sink sink = pw_cli_pipeline_sink(p);
    pw_har_stats st;
    pw_har_opts opts = {.site_of = har_site_of};
    pw_status s = pw_har_read_ex(f, path, &sink, &opts, &st, err);
    if (f != stdin)
        fclose(f);
    /* a HAR saved before anything loaded (or with a filter on) observed nothing: that is no
     * clean site, so it is said rather than reported as "No tracker findings", exit 0 */
    if (s == PW_OK && st.n_entries == 0) {
        pw_err_set(err, PW_ERR_INVALID,
                   "%s: the HAR holds no requests (log.entries is empty): nothing was observed to "
                   "assess",
                   path);
        return 0;
    }
    if (s == PW_OK && st.n_truncated)
        fprintf(stderr,
                "phiwall: scan: note: %s: %zu string(s) longer than %zu MiB were truncated "
                "(first at byte %zu)\n",
                path, st.n_truncated, PW_HAR_MAX_STRING >> 20, st.first_truncation);
    return s == PW_OK;
}

static int scan_hars(const scan_args *a)
{
    pw_cli_pipeline p;
    pw_err err;
    pw_err_clear(&err);
    if (pw_cli_pipeline_open(&p, &a->catalog, a->vocab, a->canary, &a->baa, &err) != PW_OK)
        return pw_cli_fail("scan", &err);
    char target[4096];
    join_targets(a, target, sizeof target);
    int ok = pw_assessor_set_target(p.assessor, target, PW_SOURCE_HAR, &err) == PW_OK;
    for (size_t i = 0; ok && i < a->n_hars; i++)
        ok = read_one(&p, a->hars[i], &err);
    const pw_scan_result *r = NULL;
    if (ok)
        ok = pw_assessor_finish(p.assessor, &r, &err) == PW_OK;
    pw_scan_result full;
    if (ok)
        full = pw_cli_gaps_attach(r, &p.gaps);
    int rc = ok ? pw_cli_scan_finish(&full, &a->out, NULL) : pw_cli_fail("scan", &err);
    pw_cli_pipeline_close(&p);
    return rc;
}

/* URL scans have options of their own: anything without --har goes to the browser scan.
 * `phiwall scan --help` alone shows both usages; --help after a browser scan's options goes to
 * that parser, which reads them first, so appending it to a command line checks that line
 * rather than calling its options foreign to --har. */
static int wants_har(int argc, char **argv)
{
    if (argc == 1 || (argc == 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)))
        return 1;
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--har") == 0 || strncmp(argv[i], "--har=", 6) == 0)
            return 1;
    return 0;
}

static int check_args(const scan_args *a, int argc, char **argv);

int pw_cmd_scan(int argc, char **argv)
{
    scan_args a = {.out = PW_CLI_SCAN_OUT_INIT};
    if (!wants_har(argc, argv))
        return pw_cli_scan_live(argc, argv);
    /* A file size limit (ulimit -f) refuses a write of the findings' temporary file or the
     * report with EFBIG, said as an i/o error naming the file; its signal would kill the scan
     * without a word (exit 153). Only here: --sites relies on the kill to leave no cut report
     * under its final name (its writes are not yet all checked). */
    signal(SIGXFSZ, SIG_IGN);
    int rc = parse_args(argc, argv, &a);
    if (rc == 0)
        rc = check_args(&a, argc, argv);
    if (rc == 0)
        pw_cli_scan_format_from_output(&a.out);
    if (rc == 0)
        rc = scan_hars(&a);
    pw_cli_scan_out_free(&a.out);
    return rc < 0 ? PW_EXIT_CLEAN : rc;
}

/* 0 when the arguments make a scan, else the usage error's exit code. */
static int check_args(const scan_args *a, int argc, char **argv)
{
    if (a->n_hars == 0)
        return pw_cli_usage_error("scan", "nothing to scan: give --har FILE or a URL");
    if (optind < argc)
        return pw_cli_usage_error("scan", "give either --har files or URLs, not both ('%s')",
                                  argv[optind]);
    /* the same recording twice counts every request twice */
    for (size_t i = 0; i < a->n_hars; i++)
        for (size_t j = i + 1; j < a->n_hars; j++)
            if (pw_cli_same_file(a->hars[i], a->hars[j]) ||
                (strcmp(a->hars[i], "-") == 0 && strcmp(a->hars[j], "-") == 0))
                return pw_cli_usage_error("scan",
                                          "--har %s and --har %s are the same file: its "
                                          "requests would count twice",
                                          a->hars[i], a->hars[j]);
    /* the report is written after the inputs are read: -o naming one would replace it */
    const char *inputs[MAX_HARS + 2];
    size_t n_inputs = 0;
    for (size_t i = 0; i < a->n_hars; i++)
        inputs[n_inputs++] = a->hars[i];
    inputs[n_inputs++] = a->canary;
    inputs[n_inputs++] = a->vocab;
    for (size_t i = 0; i < n_inputs; i++)
        if (pw_cli_same_file(a->out.output, inputs[i]))
            return pw_cli_usage_error("scan",
                                      "-o %s is also an input ('%s'): the report would "
                                      "overwrite it",
                                      a->out.output, inputs[i]);
    return 0;
}
