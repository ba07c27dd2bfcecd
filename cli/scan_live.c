/*
 * scan_live.c — `phiwall scan URL…`: scans a live site in headless Chromium (crawl, interaction
 * with a canary identity, contained by default) or, with --static or when no browser is
 * installed, by reading its HTML; then the same decode → detect → assess → report pipeline as
 * `scan --har`. --sites FILE --out DIR hands over to scan_sites.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "catalog_opts.h"
#include "cli.h"
#include "phiwall/decode.h"
#include "phiwall/outfile.h"
#include "phiwall/text.h"
#include "phiwall/url.h"
#include "phiwall/version.h"
#include "scan_live.h"
#include "scan_signal.h"

int pw_cli_scan_live(int argc, char **argv);

void pw_cli_scan_live_usage(FILE *f)
{
    fprintf(
        f, "Usage: phiwall scan URL… [options]\n"
           "       phiwall scan --sites FILE --out DIR [options]\n\n"
           "Scan a live site in headless Chromium: crawl same-site pages (care pages first), fill\n"
           "forms with a canary identity, click care controls, submit, search; every request of\n"
           "every frame is decoded and checked for PHI. Tracker beacons are answered locally\n"
           "(contained), so the audit sends nothing to any vendor.\n\n"
           "Report:   --format text|json|sarif|html   -o FILE   --fail-on SEVERITY\n"
           "          (without --format, -o FILE's extension picks it: .html, .json, .sarif)\n"
           "          --allow-incomplete  exit 0, not 4, when tracker scripts or pages failed\n"
           "                       to load (the report still says INCOMPLETE)\n"
           "          --baseline FILE  an earlier JSON report of the same site: findings new,\n"
           "                       unchanged or gone; --fail-on counts new or raised ones\n"
           "          --vocab FILE  --canary FILE (extra values to find)\n"
           "          --baa ID   the site holds a BAA with this tracker's vendor (repeatable)\n"
           "Trackers: --trackers FILE  --easyprivacy FILE | --no-easyprivacy\n"
           "          --easylist FILE | --no-easylist   (as for --har, above)\n"
           "Crawl:    --max-pages N (50)  --depth N (no limit)  --jobs N (tabs, 1)  --delay MS\n"
           "          --ignore-robots  --no-sitemap  --no-interact\n"
           "Browser:  --browser PATH  --browser-arg ARG (repeatable)  --device desktop|mobile\n"
           "          --timeout SEC (page load, 20)  --verbose\n"
           "          --settle MS  wait after each step (1000), then while the page's network is\n"
           "                       busy, at most max(4 x MS, 5 s)\n"
           "Contain:  --no-contain   let beacons reach the vendors: a faithful live run, but the\n"
           "                         canary identity and page data are then sent to them\n"
           "          --map-host HOST=URLPREFIX  serve HOST's requests from a local prefix\n"
           "Consent:  --consent none|accept|reject\n"
           "Auth:     --cookie NAME=VALUE (repeatable)  --cookies FILE (cookies.txt)\n"
           "          --login URL --username U --password-file F\n"
           "Evidence: --har-out FILE (HAR 1.2 of the session)  --screenshots DIR\n"
           "          --canary-tag TAG (reproducible canary identity)\n"
           "          --canary-out FILE (the identity typed, for scan --har --canary FILE)\n"
           "Triage:   --static   read HTML only (no browser, at most 20 pages): tracker tags,\n"
           "                     pixel IDs, fbq init arguments, noscript beacons; inferred,\n"
           "                     not observed traffic\n"
           "Many:     --sites FILE --out DIR   one report per site + summary.csv/summary.html;\n"
           "                     a rerun skips the sites already done (resumable; files\n"
           "                     appear whole, a site cut by a kill is scanned again)\n"
           "          --baseline-dir DIR  an earlier --sites run's --out DIR, written with\n"
           "                     --format json: each site compared with its report there\n\n"
           "Exit codes: 0 ran, no finding at or above --fail-on, 1 findings at or above\n"
           "--fail-on, 2 usage, 3 runtime error (no browser could start, the start URL did\n"
           "not load), 4 incomplete: tracker scripts or pages failed to load (DNS, refused,\n"
           "blocked, HTTP error, timeout), so what they would have sent was not observed —\n"
           "not a clean result. 130/143: interrupted by SIGINT (Ctrl-C)/SIGTERM (browser or\n"
           "--static): the pages read were reported INCOMPLETE and --har-out written (again:\n"
           "exit at once).\n"
           "See docs/scan-browser.md.\n");
}

/* ---- options ------------------------------------------------------------------------------ */

enum {
    O_FORMAT = 256,
    O_FAIL_ON,
    O_VOCAB,
    O_CANARY,
    O_BROWSER,
    O_BROWSER_ARG,
    O_NO_CONTAIN,
    O_MAP_HOST,
    O_MAX_PAGES,
    O_DEPTH,
    O_JOBS,
    O_IGNORE_ROBOTS,
    O_DELAY,
    O_TIMEOUT,
    O_SETTLE,
    O_DEVICE,
    O_CONSENT,
    O_COOKIE,
    O_COOKIES,
    O_LOGIN,
    O_USERNAME,
    O_PASSWORD_FILE,
    O_HAR_OUT,
    O_SCREENSHOTS,
    O_STATIC,
    O_SITES,
    O_OUT,
    O_VERBOSE,
    O_NO_INTERACT,
    O_NO_SITEMAP,
    O_CANARY_TAG,
    O_CANARY_OUT,
    O_ALLOW_INCOMPLETE,
    O_BASELINE,
    O_BASELINE_DIR,
    O_BAA
};

static const struct option live_opts[] = {
    {"format", required_argument, NULL, O_FORMAT},
    {"output", required_argument, NULL, 'o'},
    {"fail-on", required_argument, NULL, O_FAIL_ON},
    PW_CLI_CATALOG_LONG_OPTIONS,
    {"vocab", required_argument, NULL, O_VOCAB},
    {"canary", required_argument, NULL, O_CANARY},
    {"browser", required_argument, NULL, O_BROWSER},
    {"browser-arg", required_argument, NULL, O_BROWSER_ARG},
    {"no-contain", no_argument, NULL, O_NO_CONTAIN},
    {"map-host", required_argument, NULL, O_MAP_HOST},
    {"max-pages", required_argument, NULL, O_MAX_PAGES},
    {"depth", required_argument, NULL, O_DEPTH},
    {"jobs", required_argument, NULL, O_JOBS},
    {"ignore-robots", no_argument, NULL, O_IGNORE_ROBOTS},
    {"delay", required_argument, NULL, O_DELAY},
    {"timeout", required_argument, NULL, O_TIMEOUT},
    {"settle", required_argument, NULL, O_SETTLE},
    {"device", required_argument, NULL, O_DEVICE},
    {"consent", required_argument, NULL, O_CONSENT},
    {"cookie", required_argument, NULL, O_COOKIE},
    {"cookies", required_argument, NULL, O_COOKIES},
    {"login", required_argument, NULL, O_LOGIN},
    {"username", required_argument, NULL, O_USERNAME},
    {"password-file", required_argument, NULL, O_PASSWORD_FILE},
    {"har-out", required_argument, NULL, O_HAR_OUT},
    {"screenshots", required_argument, NULL, O_SCREENSHOTS},
    {"static", no_argument, NULL, O_STATIC},
    {"sites", required_argument, NULL, O_SITES},
    {"out", required_argument, NULL, O_OUT},
    {"verbose", no_argument, NULL, O_VERBOSE},
    {"no-interact", no_argument, NULL, O_NO_INTERACT},
    {"no-sitemap", no_argument, NULL, O_NO_SITEMAP},
    {"canary-tag", required_argument, NULL, O_CANARY_TAG},
    {"canary-out", required_argument, NULL, O_CANARY_OUT},
    {"allow-incomplete", no_argument, NULL, O_ALLOW_INCOMPLETE},
    {"baseline", required_argument, NULL, O_BASELINE},
    {"baseline-dir", required_argument, NULL, O_BASELINE_DIR},
    {"baa", required_argument, NULL, O_BAA},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0}};

static int add_list(const char *opt, size_t *n)
{
    if (*n >= PW_LIVE_MAX_LIST)
        return pw_cli_usage_error("scan", "%s: at most %d", opt, PW_LIVE_MAX_LIST);
    return 0;
}

static int parse_cookie(pw_live_args *a, const char *v)
{
    const char *eq = strchr(v, '=');
    if (!eq || eq == v)
        return pw_cli_usage_error("scan", "--cookie: expected NAME=VALUE");
    pw_cookie *c = &a->cookies[a->bo.n_cookies++];
    memset(c, 0, sizeof *c);
    c->name = pw_arena_strndup(&a->arena, v, (size_t)(eq - v));
    c->value = pw_arena_strdup(&a->arena, eq + 1);
    return 0;
}

/* Options with a value to check; 0 or an exit code. */
static int parse_one(pw_live_args *a, int c, const char *v)
{
    long n = 0; /* set by int_arg when it returns 0 */
    int rc = 0;
    pw_err err;
    if (pw_cli_catalog_option(c, v, &a->catalog))
        return 0;
    switch (c) {
    case O_FORMAT: a->format_set = 1; return pw_cli_scan_set_format(&a->out, v);
    case 'o': a->out.output = v; return 0;
    case O_FAIL_ON: return pw_cli_scan_set_fail_on(&a->out, v);
    case O_BASELINE: return pw_cli_scan_set_baseline(&a->out, v);
    case O_BASELINE_DIR: a->baseline_dir = v; return 0;
    case O_BAA: return pw_cli_scan_add_baa(&a->baa, v);
    case O_VOCAB: a->vocab = v; return 0;
    case O_CANARY: a->canary_file = v; return 0;
    case O_BROWSER: a->bo.browser_path = v; return 0;
    case O_BROWSER_ARG:
        if ((rc = add_list("--browser-arg", &a->bo.n_browser_args)))
            return rc;
        a->browser_args[a->bo.n_browser_args++] = v;
        return 0;
    case O_NO_CONTAIN: a->bo.contain = 0; return 0;
    case O_MAP_HOST:
        if ((rc = add_list("--map-host", &a->bo.n_host_maps)))
            return rc;
        if (pw_host_map_parse(&a->arena, v, &a->maps[a->bo.n_host_maps], &err) != PW_OK)
            return pw_cli_usage_error("scan", "%s", err.msg);
        a->bo.n_host_maps++;
        return 0;
    case O_MAX_PAGES:
        if (!(rc = pw_cli_number_arg("scan", "--max-pages", v, 1, 100000, &n)))
            a->bo.max_pages = (size_t)n;
        return rc;
    case O_DEPTH:
        if (!(rc = pw_cli_number_arg("scan", "--depth", v, 0, 1000, &n)))
            a->bo.max_depth = (int)n;
        return rc;
    case O_JOBS:
        if (!(rc = pw_cli_number_arg("scan", "--jobs", v, 1, 8, &n)))
            a->bo.jobs = (int)n;
        return rc;
    case O_IGNORE_ROBOTS: a->bo.ignore_robots = 1; return 0;
    case O_DELAY:
        if (!(rc = pw_cli_number_arg("scan", "--delay", v, 0, 600000, &n)))
            a->bo.delay_ms = (int)n;
        return rc;
    case O_TIMEOUT:
        if (!(rc = pw_cli_number_arg("scan", "--timeout", v, 1, 3600, &n)))
            a->bo.timeout_ms = (int)n * 1000;
        return rc;
    case O_SETTLE:
        if (!(rc = pw_cli_number_arg("scan", "--settle", v, 1, 600000, &n)))
            a->bo.settle_ms = (int)n;
        return rc;
    case O_DEVICE:
        if (pw_device_parse(v, &a->bo.device) != 0)
            return pw_cli_usage_error("scan", "--device: expected desktop or mobile");
        return 0;
    case O_CONSENT:
        if (pw_consent_mode_parse(v, &a->bo.consent) != 0)
            return pw_cli_usage_error("scan", "--consent: expected none, accept or reject");
        return 0;
    case O_COOKIE:
        if ((rc = add_list("--cookie", &a->bo.n_cookies)))
            return rc;
        return parse_cookie(a, v);
    case O_COOKIES: a->cookies_file = v; return 0;
    case O_LOGIN: a->bo.login_url = v; return 0;
    case O_USERNAME: a->bo.username = v; return 0;
    case O_PASSWORD_FILE: a->password_file = v; return 0;
    case O_HAR_OUT: a->har_out = v; return 0;
    case O_SCREENSHOTS: a->screenshots = v; return 0;
    case O_STATIC: a->static_only = 1; return 0;
    case O_SITES: a->sites_file = v; return 0;
    case O_OUT: a->out_dir = v; return 0;
    case O_VERBOSE: a->verbose = 1; return 0;
    case O_NO_INTERACT: a->bo.interact = 0; return 0;
    case O_NO_SITEMAP: a->bo.follow_sitemap = 0; return 0;
    case O_CANARY_TAG: a->canary_tag = v; return 0;
    case O_CANARY_OUT: a->canary_out = v; return 0;
    case O_ALLOW_INCOMPLETE: a->out.allow_incomplete = 1; return 0;
    case 'h': pw_cli_scan_live_usage(stdout); return -1;
    default: return pw_cli_usage_error("scan", "unknown option");
    }
}

static int read_password(pw_live_args *a)
{
    char *data = NULL;
    size_t len = 0;
    pw_err err;
    if (pw_cli_read_file(a->password_file, &data, &len, &err) != 0)
        return pw_cli_fail("scan", &err);
    data[strcspn(data, "\r\n")] = '\0';
    a->bo.password = pw_arena_strdup(&a->arena, data);
    memset(data, 0, len); /* do not leave the secret in freed memory */
    free(data);
    return 0;
}

/* Two options that cannot go together: an option that would be ignored, or two outputs (or an
 * output and an input) that are one file, is said rather than silently lost. */
static int check_conflicts(const pw_live_args *a)
{
    if (a->sites_file && !a->out_dir)
        return pw_cli_usage_error("scan", "--sites needs --out DIR");
    if (a->out_dir && !a->sites_file)
        return pw_cli_usage_error("scan", "--out DIR goes with --sites FILE (one site: -o FILE)");
    if (a->sites_file && a->n_urls)
        return pw_cli_usage_error("scan", "give either --sites FILE or a URL, not both ('%s')",
                                  a->urls[0]);
    if (a->sites_file && a->out.output)
        return pw_cli_usage_error("scan", "-o does not apply to --sites: each site's report goes "
                                          "to --out DIR");
    if (a->out.baseline && (a->sites_file || a->n_urls > 1))
        return pw_cli_usage_error("scan", "--baseline is one site's earlier report: it applies "
                                          "to a scan of one URL (with --sites: --baseline-dir "
                                          "DIR)");
    if (a->baseline_dir && !a->sites_file)
        return pw_cli_usage_error("scan", "--baseline-dir DIR goes with --sites FILE (one site: "
                                          "--baseline FILE)");
    if (a->baseline_dir && pw_cli_same_file(a->baseline_dir, a->out_dir))
        return pw_cli_usage_error("scan", "--baseline-dir and --out are one directory: its "
                                          "finished sites would be skipped, not compared; give "
                                          "each run its own --out DIR");
    if (a->sites_file && a->har_out)
        return pw_cli_usage_error("scan", "--har-out records one site's session; it does not "
                                          "apply to --sites");
    if (a->sites_file && a->canary_out)
        return pw_cli_usage_error("scan", "--canary-out records one site's typed identity; with "
                                          "--sites each site would overwrite the last");
    if (a->sites_file && a->screenshots)
        return pw_cli_usage_error("scan", "--screenshots DIR holds one site's pages "
                                          "(page-0001.png…); with --sites each site would "
                                          "overwrite the last (the HTML reports embed theirs)");
    if (a->static_only && a->har_out)
        return pw_cli_usage_error("scan", "--har-out does not apply to --static: static triage "
                                          "reads HTML and records no traffic");
    const struct {
        const char *opt, *path;
    } outs[] = {{"-o", a->out.output}, {"--har-out", a->har_out}, {"--canary-out", a->canary_out}},
      ins[] = {{"--canary", a->canary_file},
               {"--vocab", a->vocab},
               {"--cookies", a->cookies_file},
               {"--password-file", a->password_file},
               {"--sites", a->sites_file},
               {"--trackers", a->catalog.user_file},
               {"--easyprivacy", a->catalog.easyprivacy_file},
               {"--easylist", a->catalog.easylist_file}};
    const size_t n_outs = sizeof outs / sizeof outs[0], n_ins = sizeof ins / sizeof ins[0];
    for (size_t i = 0; i < n_outs; i++) {
        for (size_t j = i + 1; j < n_outs; j++)
            if (pw_cli_same_file(outs[i].path, outs[j].path))
                return pw_cli_usage_error("scan",
                                          "%s %s and %s %s are the same file: one would "
                                          "overwrite the other",
                                          outs[i].opt, outs[i].path, outs[j].opt, outs[j].path);
        for (size_t j = 0; j < n_ins; j++)
            if (pw_cli_same_file(outs[i].path, ins[j].path))
                return pw_cli_usage_error("scan",
                                          "%s %s is also an input (%s %s): it would "
                                          "be overwritten",
                                          outs[i].opt, outs[i].path, ins[j].opt, ins[j].path);
    }
    return 0;
}

static int check_args(pw_live_args *a)
{
    int rc = check_conflicts(a);
    if (rc)
        return rc;
    pw_cli_scan_format_from_output(&a->out);
    if (!a->sites_file && a->n_urls == 0)
        return pw_cli_usage_error("scan", "nothing to scan: give a URL, --sites FILE or --har");
    if (a->bo.login_url && (!a->bo.username || !a->password_file))
        return pw_cli_usage_error("scan", "--login needs --username and --password-file");
    if (a->password_file && read_password(a))
        return PW_EXIT_RUNTIME;
    if (a->cookies_file) {
        pw_cookie *list;
        size_t n;
        pw_err err;
        if (pw_cookies_read_file(&a->arena, a->cookies_file, &list, &n, &err) != PW_OK)
            return pw_cli_fail("scan", &err);
        for (size_t i = 0; i < n && a->bo.n_cookies < PW_LIVE_MAX_LIST; i++)
            a->cookies[a->bo.n_cookies++] = list[i];
    }
    return 0;
}

int pw_cli_scan_live_has_option(const char *arg)
{
    if (strncmp(arg, "--", 2) != 0)
        return 0;
    size_t n = strcspn(arg + 2, "=");
    for (const struct option *o = live_opts; o->name; o++)
        if (strlen(o->name) == n && strncmp(o->name, arg + 2, n) == 0)
            return 1;
    return 0;
}

static int parse_live_args(int argc, char **argv, pw_live_args *a)
{
    int c, rc;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "ho:", live_opts, NULL)) != -1) {
        if (c == '?')
            return pw_cli_option_error("scan", argv, live_opts);
        if ((rc = pw_cli_value_error("scan", argv)))
            return rc;
        if ((rc = parse_one(a, c, optarg)))
            return rc;
    }
    for (int i = optind; i < argc; i++) {
        if (a->n_urls == 1)
            return pw_cli_usage_error("scan",
                                      "one site at a time ('%s'); use --sites FILE "
                                      "--out DIR for several",
                                      argv[i]);
        const char *problem = pw_cli_site_url_problem(argv[i]);
        struct stat st;
        if (problem && !pw_cli_http_url(argv[i]) && stat(argv[i], &st) == 0 && S_ISREG(st.st_mode))
            return pw_cli_usage_error("scan",
                                      "'%s' is a file, not an http(s) URL: a HAR file is "
                                      "read with --har %s",
                                      argv[i], argv[i]);
        if (problem)
            return pw_cli_usage_error("scan", "'%s' %s", argv[i], problem);
        a->urls[a->n_urls++] = argv[i];
    }
    return check_args(a);
}

/* ---- hooks: the decode stage's knowledge for the capture stage ---------------------------- */

/* What the browser's hooks reach: the catalog, and the sink its page gaps go to (through
 * --har-out's writer, which records them, to the pipeline's gaps). */
typedef struct live_hooks {
    const pw_catalog *catalog;
    const pw_capture_sink *sink;
} live_hooks;

static int is_tracker_endpoint(void *ctx, const char *page_url, const char *url,
                               const char *resource_type)
{
    (void)resource_type;
    const pw_catalog *cat = ((const live_hooks *)ctx)->catalog;
    return pw_catalog_match(cat, url) != NULL && (!page_url || pw_is_third_party(page_url, url));
}

/* A gap the CLI adds names the start URL as given: without its user:password@ (no report shows
 * them; pw_url_public), or no URL when there is no memory to remove them. */
static void add_gap(const pw_capture_sink *sink, const pw_capture_gap *gap)
{
    if (!sink->on_gap)
        return;
    pw_arena a;
    pw_arena_init(&a, 0);
    pw_capture_gap g = *gap;
    g.url = gap->url ? pw_url_public(&a, gap->url) : NULL;
    sink->on_gap(sink->ctx, &g);
    pw_arena_free(&a);
}

static void page_gap(void *ctx, const pw_capture_gap *gap)
{
    /* what the crawl did not do: the report may go to a file, the log says it too */
    if (pw_gap_is_note(gap->kind) || gap->kind == PW_GAP_COVERAGE)
        pw_cli_errorf("scan", "%s: %s", gap->kind == PW_GAP_COVERAGE ? "warning" : "note",
                      gap->error ? gap->error : pw_gap_kind_name(gap->kind));
    add_gap(((live_hooks *)ctx)->sink, gap);
}

static char *site_of(void *ctx, pw_arena *a, const char *host)
{
    (void)ctx;
    return pw_registrable_domain(a, host);
}

static void log_line(void *ctx, const char *line)
{
    (void)ctx;
    /* Cookies are credentials in an authenticated scan: never in a log. */
    if (strstr(line, "ookie")) {
        fprintf(stderr, "phiwall: scan: [message with cookies omitted]\n");
        return;
    }
    /* a browser's message quotes the page (its console, its URLs) */
    pw_cli_safe_line(stderr, "phiwall: scan: ", line);
}

static void show_progress(void *ctx, const pw_browser_progress *p)
{
    (void)ctx;
    const char *u = p->current_url ? p->current_url : "";
    size_t n = strlen(u), at = n > 50 ? n - 50 : 0;
    while (at > 0 && at < n && ((unsigned char)u[at] & 0xC0) == 0x80)
        at++; /* not inside a UTF-8 sequence */
    /* the URL is the site's: shown safe (no ESC, CR or bidi override from a link's href) */
    pw_buf url;
    pw_buf_init(&url);
    pw_report_text_safe(&url, u + at, n - at);
    fprintf(stderr, "\r\033[K%zu pages done, %zu queued, %zu requests, %zu contained%s  %s%.*s",
            p->pages_done, p->pages_queued, p->requests, p->contained,
            p->restarts ? " (browser restarted)" : "", at ? "…" : "", url.failed ? 0 : (int)url.len,
            url.data ? url.data : "");
    pw_buf_free(&url);
    fflush(stderr);
}

/* ---- the canary identity and the pipeline ------------------------------------------------- */

static void random_tag(char out[7])
{
    unsigned char r[3] = {0};
    int fd = open("/dev/urandom", O_RDONLY);
    if (fd < 0 || read(fd, r, sizeof r) != (ssize_t)sizeof r) {
        unsigned v = (unsigned)getpid() * 2654435761u;
        memcpy(r, &v, sizeof r);
    }
    if (fd >= 0)
        close(fd);
    pw_hex(r, sizeof r, out);
    out[6] = '\0';
}

static size_t identity_canaries(const pw_browser_identity *id, pw_canary *c)
{
    const struct {
        const char *label, *value;
        pw_canary_kind kind;
    } all[] = {{"first name", id->first_name, PW_CANARY_NAME},
               {"last name", id->last_name, PW_CANARY_NAME},
               {"email", id->email, PW_CANARY_EMAIL},
               {"phone", id->phone, PW_CANARY_PHONE},
               {"date of birth", id->dob, PW_CANARY_DATE},
               {"street address", id->address, PW_CANARY_ADDRESS},
               {"ZIP code", id->zip, PW_CANARY_ZIP},
               {"member ID", id->member_id, PW_CANARY_ID},
               {"reason for visit", id->reason, PW_CANARY_TEXT}};
    size_t n = 0;
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        if (all[i].value)
            c[n++] = (pw_canary){all[i].label, all[i].value, all[i].kind};
    return n;
}

static pw_status open_pipeline(pw_live_args *a, const pw_browser_identity *id, pw_cli_pipeline *p,
                               pw_err *err)
{
    memset(p, 0, sizeof *p);
    pw_arena_init(&p->arena, 0);
    pw_canary *file = NULL;
    size_t n_file = 0;
    pw_status st = PW_OK;
    if (a->canary_file)
        st = pw_cli_read_canaries(a->canary_file, &p->arena, &file, &n_file, err);
    pw_canary *all = st == PW_OK ? pw_arena_calloc(&p->arena, n_file + 16, sizeof *all) : NULL;
    if (st == PW_OK && !all)
        st = pw_err_set(err, PW_ERR_NOMEM, "canaries: out of memory");
    size_t n = 0;
    if (st == PW_OK) {
        if (n_file)
            memcpy(all, file, n_file * sizeof *all);
        n = n_file + (id ? identity_canaries(id, all + n_file) : 0);
    }
    if (st != PW_OK) {
        pw_cli_pipeline_close(p);
        return st;
    }
    pw_detector_opts dopts = {.vocab_file = a->vocab, .canaries = all, .n_canaries = n};
    return pw_cli_pipeline_build(p, &a->catalog, &dopts, &a->baa, err);
}

/* ---- one site ----------------------------------------------------------------------------- */

/* The report is written after the crawl (minutes for 50 pages): a path that cannot be written
 * must fail before it, as --har-out does. A temporary file beside the target is created and
 * removed; an existing device or FIFO (/dev/stdout, a pipe a reader waits on) is left alone:
 * opening and closing it would give the reader an early end. */
static pw_status check_output(const char *path, pw_err *err)
{
    struct stat st;
    if (!path || strcmp(path, "-") == 0 || (stat(path, &st) == 0 && !S_ISREG(st.st_mode)))
        return PW_OK;
    pw_outfile o;
    pw_status s = pw_outfile_open(&o, path, err);
    if (s == PW_OK)
        pw_outfile_discard(&o);
    return s;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    remove(path);
    return 0;
}

/* A crawl stopped by SIGINT or SIGTERM after `pages` pages: the rest of the site was not seen. */
static void interrupted_gap(const pw_live_args *a, const pw_capture_sink *sink, const char *url,
                            size_t pages)
{
    char why[160];
    snprintf(why, sizeof why, "%s after %zu page%s: the rest of the site was not scanned",
             a->interrupted_by == SIGTERM ? "SIGTERM" : "SIGINT", pages, pages == 1 ? "" : "s");
    add_gap(sink, &(pw_capture_gap){.kind = PW_GAP_INTERRUPTED, .url = url, .error = why});
}

/* Static triage's page limit ended the crawl with links left: a note (printed and in the report),
 * worded as the browser scan's, so the user knows a larger limit or a browser scan sees more. */
static void budget_note(const pw_capture_sink *sink, const char *url, size_t max_pages, size_t left)
{
    char why[256];
    snprintf(why, sizeof why,
             "page limit %zu reached (--max-pages; --static reads at most 20): %zu same-site "
             "URL%s found %s not visited (care pages first)",
             max_pages, left, left == 1 ? "" : "s", left == 1 ? "was" : "were");
    pw_cli_errorf("scan", "note: %s", why);
    add_gap(sink, &(pw_capture_gap){.kind = PW_GAP_BUDGET, .url = url, .error = why});
}

/* The scan's target as a report names it: without the user:password@ a start URL may carry (they
 * log in to the site; no report or HAR shows them). */
static pw_status set_target(pw_cli_pipeline *p, const char *url, pw_source src, pw_err *err)
{
    pw_arena a;
    pw_arena_init(&a, 0);
    const char *pub = pw_url_public(&a, url);
    pw_status st = pub ? pw_assessor_set_target(p->assessor, pub, src, err)
                       : pw_err_set(err, PW_ERR_NOMEM, "scan: out of memory");
    pw_arena_free(&a);
    return st;
}

static pw_status capture_static(pw_live_args *a, const char *url, pw_cli_pipeline *p,
                                const pw_capture_sink *sink, pw_err *err)
{
    pw_static_opts so = {0};
    so.max_pages = a->bo.max_pages ? (a->bo.max_pages < 20 ? a->bo.max_pages : 20) : 20;
    so.max_depth = a->bo.max_depth;
    so.timeout_ms = a->bo.timeout_ms;
    so.ignore_robots = a->bo.ignore_robots;
    so.site_of = site_of;
    pw_static_stats ss;
    pw_browser_stop stop; /* the signal handler's flag; no browser, no profile to remove */
    memset(&stop, 0, sizeof stop);
    so.stop = &stop.requested;
    pw_scan_signals_catch(&stop);
    pw_status st = pw_static_scan(url, &so, sink, &ss, err);
    a->interrupted_by = pw_scan_signals_release();
    if (st == PW_OK && ss.interrupted) /* the pages read are whole; the rest was not seen */
        interrupted_gap(a, sink, url, ss.pages);
    if (st == PW_OK && ss.unvisited && so.max_pages > 1) /* 1: a page check, as in a browser */
        budget_note(sink, url, so.max_pages, ss.unvisited);
    if (st == PW_OK)
        st = set_target(p, url, PW_SOURCE_STATIC, err);
    return st;
}

static pw_status capture_browser(pw_live_args *a, const char *url, pw_cli_pipeline *p,
                                 const pw_capture_sink *sink, pw_err *err)
{
    pw_browser_opts o = a->bo;
    o.browser_args = a->browser_args;
    o.host_maps = a->maps;
    o.cookies = a->cookies;
    live_hooks hooks = {p->catalog, sink};
    o.hooks.is_tracker_endpoint = is_tracker_endpoint;
    o.hooks.site_of = site_of;
    o.hooks.gap = page_gap;
    o.hooks.ctx = &hooks;
    o.hooks.log = a->verbose ? log_line : NULL;
    o.hooks.progress = a->progress ? show_progress : NULL;
    pw_browser_stats bs;
    pw_arena ua; /* the start URL as the summary line prints it: without user:password@ */
    pw_arena_init(&ua, 0);
    const char *public_url = pw_url_public(&ua, url);
    if (!public_url)
        public_url = "the start URL";
    pw_browser_stop stop;
    memset(&stop, 0, sizeof stop);
    o.stop = &stop;
    /* a browser that dies (or never starts: --browser /bin/false) closes its end of the CDP
     * pipe: the library's write then fails with EPIPE (exit 3), without SIGPIPE (cdp_conn.c) */
    pw_scan_signals_catch(&stop);
    pw_status st = pw_browser_scan(url, &o, sink, &bs, err);
    a->interrupted_by = pw_scan_signals_release();
    if (a->progress)
        fputs("\r\033[K", stderr);
    if (st == PW_OK) {
        if (bs.pages_failed || bs.browser_restarts || (o.login_url && !bs.login_ok) || a->verbose)
            fprintf(stderr,
                    "phiwall: scan: %s: %zu pages (%zu failed), %zu requests, %zu contained, "
                    "%zu browser restarts%s\n",
                    public_url, bs.pages, bs.pages_failed, bs.requests, bs.contained,
                    bs.browser_restarts,
                    o.login_url ? (bs.login_ok ? ", logged in" : ", LOGIN FAILED") : "");
        if (!o.contain)
            fprintf(stderr, "phiwall: scan: note: --no-contain: tracker beacons (with the canary "
                            "identity) were sent to the vendors\n");
        if (bs.interrupted) /* the pages read are whole; the rest of the site was not seen */
            interrupted_gap(a, sink, url, bs.pages);
        if (o.login_url && !bs.login_ok) /* the portal, the most sensitive part, was not seen */
            add_gap(sink, &(pw_capture_gap){
                              .kind = PW_GAP_LOGIN,
                              .url = o.login_url,
                              .error = bs.login_submitted
                                           ? "still a password field after submitting the login "
                                             "form: the logged-in area was not scanned"
                                           : "no login form was submitted (no password field in "
                                             "the login page itself; one inside an iframe is not "
                                             "filled): the logged-in area was not scanned",
                          });
        st = set_target(p, url, PW_SOURCE_BROWSER, err);
    }
    pw_arena_free(&ua);
    return st;
}

static void summarize(const pw_scan_result *r, pw_live_summary *sum, const char *source,
                      const pw_cli_compared *cmp)
{
    memset(sum, 0, sizeof *sum);
    sum->n_new = cmp->n_new;
    sum->n_gone = cmp->n_gone;
    sum->n_unchecked = cmp->n_unchecked;
    sum->pages = r->n_pages;
    sum->requests = r->n_requests;
    sum->findings = r->n_findings;
    for (size_t i = 0; i < r->n_findings; i++)
        if ((int)pw_scan_result_severity(r, i) >= 0 && pw_scan_result_severity(r, i) < 5)
            sum->by_sev[pw_scan_result_severity(r, i)]++;
    sum->max_sev = pw_scan_result_max_severity(r);
    sum->source = source;
    sum->gaps = pw_report_incomplete_count(r);
    pw_buf line;
    pw_buf_init(&line);
    pw_report_incomplete_headline(r, &line);
    snprintf(sum->incomplete, sizeof sum->incomplete, "%s", line.data ? line.data : "");
    pw_buf_free(&line);
}

/* The start URL's host[:port], for a hint. */
static void url_authority(const char *url, char *out, size_t cap)
{
    const char *h = strstr(url, "://");
    h = h ? h + 3 : url;
    const char *at = strpbrk(h, "@/?#");
    if (at && *at == '@') /* user:password@ is never echoed */
        h = at + 1;
    snprintf(out, cap, "%.*s", (int)strcspn(h, "/?#"), h);
}

/* Chromium's net::ERR_… and libcurl's messages name the failure but not what to do about it:
 * a web team scanning a staging site meets these first. One line on stderr, after the error. */
static void net_hint(const char *msg, const char *url, int use_static)
{
    char auth[256];
    url_authority(url, auth, sizeof auth);
    if (strstr(msg, "ERR_CERT_") || strstr(msg, "ERR_SSL_") ||
        strstr(msg, "SSL peer certificate") || strstr(msg, "SSL certificate problem"))
        pw_cli_errorf("scan",
                      "hint: %s's TLS certificate is not trusted here (self-signed or from an "
                      "internal CA, as on many staging sites). For a site you may audit: the "
                      "browser scan with --browser-arg=--ignore-certificate-errors%s, or the "
                      "site's http:// address",
                      auth, use_static ? " (--static always verifies)" : "");
    else if (strstr(msg, "ERR_UNSAFE_PORT"))
        pw_cli_errorf("scan",
                      "hint: Chromium refuses to load %s: the port is on its list of unsafe ports "
                      "(mail, IRC, X11…). Serve the site on another port, or add "
                      "--browser-arg=--explicitly-allowed-ports=%s",
                      auth, strrchr(auth, ':') ? strrchr(auth, ':') + 1 : "PORT");
    else if (strstr(msg, "ERR_CONNECTION_REFUSED") || strstr(msg, "Couldn't connect to server"))
        pw_cli_errorf("scan",
                      "hint: nothing answered at %s (connection refused): is the site running "
                      "there, on that port and scheme?",
                      auth);
    else if (strstr(msg, "ERR_NAME_NOT_RESOLVED") || strstr(msg, "Couldn't resolve host"))
        pw_cli_errorf("scan",
                      "hint: the host name in %s does not resolve from this machine: check its "
                      "spelling, or this machine's DNS for an internal name",
                      auth);
}

int pw_live_scan_site(pw_live_args *a, const char *url, const pw_cli_scan_out *out,
                      pw_live_summary *sum)
{
    pw_arena idarena;
    pw_arena_init(&idarena, 0);
    char tag[7];
    random_tag(tag);
    pw_browser_identity id;
    pw_browser_identity_make(&idarena, a->canary_tag ? a->canary_tag : tag, &id);
    a->bo.identity = &id;
    int use_static = a->static_only;
    if (!use_static && !pw_browser_available(a->bo.browser_path)) {
        /* the default is a fixed path, not a PATH lookup: say how to name another browser */
        pw_cli_errorf("scan",
                      "warning: no browser at %s; falling back to --static (tracker "
                      "tags in HTML, not observed traffic, INCOMPLETE). %s",
                      a->bo.browser_path ? a->bo.browser_path : "/usr/bin/chromium",
                      a->bo.browser_path ? "Check the --browser path"
                                         : "Install Chromium (apt-get install chromium) or give "
                                           "--browser PATH (Chromium or Chrome elsewhere)");
        use_static = 1;
    }
    pw_cli_pipeline p;
    pw_err err;
    pw_err_clear(&err);
    pw_status st = check_output(out->output, &err);
    if (st == PW_OK)
        st = open_pipeline(a, use_static ? NULL : &id, &p, &err);
    if (st == PW_OK && a->canary_out && !use_static) {
        pw_canary typed[16];
        st = pw_cli_write_canaries(a->canary_out, typed, identity_canaries(&id, typed), &err);
        if (st != PW_OK)
            pw_cli_pipeline_close(&p);
    }
    if (st != PW_OK) {
        pw_arena_free(&idarena);
        if (sum)
            snprintf(sum->error, sizeof sum->error, "%s", err.msg);
        return pw_cli_fail("scan", &err);
    }
    char shots[] = "/tmp/phiwall-shots-XXXXXX";
    int temp_shots = 0;
    if (!use_static && a->screenshots) {
        mkdir(a->screenshots, 0755);
        a->bo.screenshot_dir = a->screenshots;
    } else if (!use_static && out->format == PW_REPORT_HTML && mkdtemp(shots)) {
        a->bo.screenshot_dir = shots;
        temp_shots = 1;
    }
    pw_capture_sink sink = pw_cli_pipeline_sink(&p);
    pw_har_tee tee = {NULL, NULL};
    pw_capture_sink tee_sink;
    const pw_capture_sink *use = &sink;
    int har = a->har_out && !use_static; /* the writer puts it in place whole, at close */
    if (a->har_out && use_static) /* the fallback: inferred requests are no recorded session */
        pw_cli_errorf("scan", "warning: no HAR written to %s: static triage records no traffic",
                      a->har_out);
    if (har) {
        st = pw_har_writer_open(a->har_out, PW_VERSION, &tee.writer, &err);
        tee.next = &sink;
        tee_sink = pw_har_tee_sink(&tee);
        use = &tee_sink;
    }
    const char *browser = a->bo.browser_path ? a->bo.browser_path : "/usr/bin/chromium";
    if (st == PW_OK && use_static && !a->static_only) /* asked for traffic, got tags */
        add_gap(use, &(pw_capture_gap){
                         .kind = PW_GAP_BROWSER,
                         .url = browser,
                         .error = access(browser, F_OK) == 0
                                      ? "not executable: the pages' HTML was read instead "
                                        "(static triage), no traffic was observed"
                                      : "not found: the pages' HTML was read instead (static "
                                        "triage), no traffic was observed",
                     });
    if (st == PW_OK)
        st = use_static ? capture_static(a, url, &p, use, &err)
                        : capture_browser(a, url, &p, use, &err);
    if (tee.writer) {
        pw_err herr;
        pw_status hst = pw_har_writer_close(tee.writer, &herr);
        if (hst != PW_OK && st == PW_OK) {
            err = herr;
            st = hst;
        }
    }
    int rc;
    const pw_scan_result *r = NULL;
    if (st == PW_OK)
        st = pw_assessor_finish(p.assessor, &r, &err);
    if (st != PW_OK) {
        rc = pw_cli_fail("scan", &err);
        net_hint(err.msg, url, use_static);
        if (sum)
            snprintf(sum->error, sizeof sum->error, "%s", err.msg);
    } else {
        pw_scan_result full = pw_cli_gaps_attach(r, &p.gaps);
        pw_cli_compared cmp;
        rc = pw_cli_scan_finish(&full, out, &cmp);
        if (sum)
            summarize(&full, sum, use_static ? "static" : "browser", &cmp);
    }
    if (a->interrupted_by) /* documented: 128 + the signal, after the report was written */
        rc = 128 + a->interrupted_by;
    if (temp_shots)
        nftw(shots, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
    a->bo.screenshot_dir = NULL;
    a->bo.identity = NULL;
    pw_cli_pipeline_close(&p);
    pw_arena_free(&idarena);
    return rc;
}

int pw_cli_scan_live(int argc, char **argv)
{
    pw_live_args *a = calloc(1, sizeof *a);
    if (!a) {
        pw_cli_errorf("scan", "out of memory");
        return PW_EXIT_RUNTIME;
    }
    pw_cli_scan_out init = PW_CLI_SCAN_OUT_INIT;
    a->out = init;
    pw_browser_opts_init(&a->bo);
    pw_arena_init(&a->arena, 0);
    int rc = parse_live_args(argc, argv, a);
    if (rc == 0) {
        a->progress = !a->verbose && pw_cli_use_progress(stderr);
        if (a->sites_file) {
            rc = pw_live_scan_sites(a);
        } else {
            int worst = PW_EXIT_CLEAN;
            for (size_t i = 0; i < a->n_urls && !a->interrupted_by; i++) {
                int one = pw_live_scan_site(a, a->urls[i], &a->out, NULL);
                worst = pw_cli_scan_worse(worst, one);
            }
            rc = worst;
        }
    } else if (rc < 0) {
        rc = PW_EXIT_CLEAN;
    }
    if (a->bo.password)
        memset((char *)a->bo.password, 0, strlen(a->bo.password));
    pw_cli_scan_out_free(&a->out);
    pw_arena_free(&a->arena);
    free(a);
    return rc;
}
