/*
 * scan_sites.c — `phiwall scan --sites FILE --out DIR`: scans each site of a list (one URL a line,
 * '#' comments) into DIR/<site>.<ext> plus a one-line DIR/<site>.summary, then writes
 * DIR/summary.csv and DIR/summary.html across all sites. Resumable: a site whose report exists
 * and whose .summary line is whole, names it and says it finished is skipped. Every file appears
 * whole or not at all (pw_outfile_write), the report before its .summary: a run killed at any
 * moment leaves no file that a resumed run would take for a finished site. With --baseline-dir
 * each site is compared with its JSON report of an earlier run (read and checked before the first
 * scan), and the .summary line and tables add the new and gone counts.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "phiwall/buf.h"
#include "phiwall/report.h"
#include "scan_live.h"
#include "sites_list.h"

/* DIR without its trailing slashes ("/" keeps one): `--out reports/` writes and names
 * reports/x.html, not reports//x.html. */
static int dir_len(const char *dir)
{
    size_t n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/')
        n--;
    return (int)n;
}

static const char *const sev_names[5] = {"info", "low", "medium", "high", "critical"};

/* A site's URL is at most PW_CLI_SITE_URL_MAX bytes (the list parser says so for a longer one),
 * and its .summary line is that URL plus eleven short fields (the status at most 600 bytes), so
 * a .summary longer than SUMMARY_MAX is no phiwall summary. */
enum { SUMMARY_MAX = PW_CLI_SITE_URL_MAX + 4096 };

static const char *ext_of(pw_report_format f)
{
    switch (f) {
    case PW_REPORT_JSON: return "json";
    case PW_REPORT_SARIF: return "sarif";
    case PW_REPORT_HTML: return "html";
    default: return "txt";
    }
}

static int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* The .summary line: url, source, pages, requests, findings, five severity counts, max, status
 * (tabs or newlines in the status become spaces), and — since --baseline-dir — new, gone and
 * not rechecked against the site's baseline ("-" without one). Lines of 12 fields (before
 * --baseline-dir) and of 14 (before "not rechecked") still read. */
static int write_summary_line(const char *path, const char *url, const pw_live_summary *s,
                              const char *status)
{
    pw_buf b;
    pw_buf_init(&b);
    pw_buf_printf(&b, "%s\t%s\t%zu\t%zu\t%zu\t%zu\t%zu\t%zu\t%zu\t%zu\t%s\t", url,
                  s->source ? s->source : "-", s->pages, s->requests, s->findings, s->by_sev[4],
                  s->by_sev[3], s->by_sev[2], s->by_sev[1], s->by_sev[0],
                  s->max_sev >= 0 && s->max_sev < 5 ? sev_names[s->max_sev] : "none");
    for (const char *c = status; *c; c++)
        pw_buf_putc(&b, *c == '\t' || *c == '\n' || *c == '\r' ? ' ' : *c);
    if (s->n_new >= 0)
        pw_buf_printf(&b, "\t%ld\t%ld\t%ld\n", s->n_new, s->n_gone, s->n_unchecked);
    else
        pw_buf_puts(&b, "\t-\t-\t-\n");
    pw_err err;
    pw_err_clear(&err);
    pw_status st = b.failed ? pw_err_set(&err, PW_ERR_NOMEM, "%s: out of memory", path)
                            : pw_outfile_write(path, b.data, b.len, &err);
    pw_buf_free(&b);
    return st == PW_OK ? PW_EXIT_CLEAN : pw_cli_fail("scan", &err);
}

/* 12 before --baseline-dir, 14 before "not rechecked": the missing ones read "-" */
enum { SUMMARY_FIELDS = 15 };

/* Split a .summary line (its newline included) into its 15 fields in place: 1 when it is whole,
 * 0 for a cut or foreign line. */
static int summary_fields(char *line, char *fields[SUMMARY_FIELDS])
{
    size_t len = strlen(line);
    if (len == 0 || line[len - 1] != '\n')
        return 0;
    line[len - 1] = '\0';
    int nf = 0;
    char *p = line;
    for (; p && nf < SUMMARY_FIELDS; nf++) {
        fields[nf] = p;
        p = strchr(p, '\t');
        if (p)
            *p++ = '\0';
        else if (nf < 11)
            return 0;
    }
    if (p) /* a 16th field: a line of a later layout, or no .summary of ours */
        return 0;
    if (nf != 12 && nf != 14 && nf != SUMMARY_FIELDS)
        return 0;
    for (int k = nf; k < SUMMARY_FIELDS; k++)
        fields[k] = "-";
    return 1;
}

/* The one line of a .summary file, whatever its length (malloc'd; NULL when the file is absent,
 * unreadable, holds more than one line or more than SUMMARY_MAX bytes — said on stderr, as the
 * site is then scanned again — or is cut before its newline). Split by summary_fields. */
static char *read_summary(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return NULL;
    if (st.st_size > SUMMARY_MAX) {
        fprintf(stderr,
                "phiwall: scan: %s: %lld bytes, longer than a .summary line can be (%d): not "
                "taken for a finished site\n",
                path, (long long)st.st_size, SUMMARY_MAX);
        return NULL;
    }
    char *data = NULL;
    size_t len = 0;
    pw_err err;
    pw_err_clear(&err);
    if (pw_cli_read_file(path, &data, &len, &err) != PW_OK)
        return NULL;
    /* one line: its only newline is the last byte (no NUL inside either) */
    if (len == 0 || len > SUMMARY_MAX || strlen(data) != len ||
        strchr(data, '\n') != data + len - 1) {
        free(data);
        return NULL;
    }
    return data;
}

enum { SITE_TODO, SITE_DONE, SITE_DONE_INCOMPLETE };

/* Whether a resumed run may skip url: its report exists and its .summary line is whole, names
 * url (not another URL with the same file name) and says the scan finished. */
static int site_state(const char *url, const char *report, const char *summary)
{
    char *fields[SUMMARY_FIELDS];
    if (!exists(report))
        return SITE_TODO;
    char *line = read_summary(summary);
    int state = SITE_TODO;
    if (!line || !summary_fields(line, fields) || strcmp(fields[0], url) != 0)
        state = SITE_TODO;
    else if (strcmp(fields[11], "ok") == 0)
        state = SITE_DONE;
    /* a resumed run keeps reporting an incomplete site (exit 4), as the first run did */
    else if (strncmp(fields[11], "incomplete: ", 12) == 0)
        state = SITE_DONE_INCOMPLETE;
    free(line);
    return state;
}

static int scan_one(pw_live_args *a, const char *url, const char *dir, pw_baseline *baseline)
{
    char slug[128], report[4096], summary[4200];
    pw_cli_site_slug(url, slug, sizeof slug);
    pw_cli_scan_out out = a->out;
    if (!a->format_set)
        out.format = PW_REPORT_HTML;
    snprintf(report, sizeof report, "%.*s/%s.%s", dir_len(dir), dir, slug, ext_of(out.format));
    snprintf(summary, sizeof summary, "%.*s/%s.summary", dir_len(dir), dir, slug);
    int state = site_state(url, report, summary);
    if (state != SITE_TODO) {
        fprintf(stderr, "phiwall: scan: %s: report exists, skipped\n", url);
        return state == SITE_DONE_INCOMPLETE ? PW_EXIT_INCOMPLETE : PW_EXIT_CLEAN;
    }
    /* the .summary is what marks a site done: an old one goes first, so that a run killed
     * between the new report and the new .summary scans the site again */
    remove(summary);
    out.output = report;
    out.baseline = baseline;
    pw_live_summary s;
    memset(&s, 0, sizeof s);
    s.max_sev = -1;
    s.n_new = s.n_gone = s.n_unchecked = -1;
    int rc = pw_live_scan_site(a, url, &out, &s);
    if (rc == PW_EXIT_RUNTIME) {
        remove(report); /* a failed site has no report, not an older one */
        char status[600];
        snprintf(status, sizeof status, "error: %s", s.error[0] ? s.error : "no report written");
        int wrc = write_summary_line(summary, url, &s, status);
        return pw_cli_scan_worse(rc, wrc);
    }
    fprintf(stderr, "phiwall: scan: %s → %s\n", url, report); /* only once it exists */
    char status[600] = "ok";
    if (s.gaps) /* not a clean result: say why in the summary too */
        snprintf(status, sizeof status, "incomplete: %s", s.incomplete);
    return pw_cli_scan_worse(rc, write_summary_line(summary, url, &s, status));
}

/* A CSV field, quoted (with doubled quotes) when it holds a comma or a quote (RFC 4180). A
 * status quotes what the site said (a gap's error): it is shown as on a terminal
 * (pw_report_text_safe), so no control byte, line separator or bidi override reaches the sheet. */
static void csv_field(pw_buf *csv, const char *v)
{
    pw_buf safe;
    pw_buf_init(&safe);
    pw_report_text_safe(&safe, v, strlen(v));
    if (safe.failed) {
        csv->failed = 1;
        pw_buf_free(&safe);
        return;
    }
    const char *t = safe.data ? safe.data : "";
    size_t n = safe.len;
    if (!memchr(t, ',', n) && !memchr(t, '"', n)) {
        pw_buf_append(csv, t, n);
        pw_buf_free(&safe);
        return;
    }
    pw_buf_putc(csv, '"');
    for (size_t i = 0; i < n; i++) {
        if (t[i] == '"')
            pw_buf_putc(csv, '"');
        pw_buf_putc(csv, t[i]);
    }
    pw_buf_putc(csv, '"');
    pw_buf_free(&safe);
}

/* summary.csv and summary.html from every site's .summary line, in list order. */
static int write_tables(const char *dir, char **urls, size_t n)
{
    pw_buf csv, html;
    pw_buf_init(&csv);
    pw_buf_init(&html);
    pw_buf_puts(&csv, "site,source,pages,requests,findings,critical,high,medium,low,info,"
                      "max_severity,status,new,gone,not_rechecked\n");
    pw_buf_puts(&html, "<!doctype html><html><head><meta charset=\"utf-8\"><title>phiwall: "
                       "sites</title><style>body{font:14px system-ui,sans-serif;margin:2em}"
                       "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:"
                       "4px 8px;text-align:right}td:first-child{text-align:left}"
                       ".critical{background:#fdd}.high{background:#fed}</style></head><body>"
                       "<h1>phiwall scan across sites</h1><table><tr><th>site</th><th>source"
                       "</th><th>pages</th><th>requests</th><th>findings</th><th>critical</th>"
                       "<th>high</th><th>medium</th><th>low</th><th>info</th><th>max</th>"
                       "<th>status</th><th>new</th><th>gone</th><th>not rechecked</th></tr>\n");
    for (size_t i = 0; i < n; i++) {
        char slug[128], path[4200];
        pw_cli_site_slug(urls[i], slug, sizeof slug);
        snprintf(path, sizeof path, "%.*s/%s.summary", dir_len(dir), dir, slug);
        char *line = read_summary(path), *fields[SUMMARY_FIELDS];
        if (!line || !summary_fields(line, fields)) {
            free(line);
            continue;
        }
        pw_buf_printf(&html, "<tr class=\"%s\">", fields[10]);
        for (int k = 0; k < SUMMARY_FIELDS; k++) {
            if (k)
                pw_buf_putc(&csv, ',');
            csv_field(&csv, fields[k]);
            pw_buf_puts(&html, "<td>");
            pw_report_html_text(&html, fields[k], strlen(fields[k]));
            pw_buf_puts(&html, "</td>");
        }
        pw_buf_putc(&csv, '\n');
        pw_buf_puts(&html, "</tr>\n");
        free(line);
    }
    pw_buf_puts(&html, "</table></body></html>\n");
    int rc = PW_EXIT_CLEAN;
    const struct {
        const char *name;
        pw_buf *b;
    } out[] = {{"summary.csv", &csv}, {"summary.html", &html}};
    for (size_t i = 0; i < 2; i++) {
        char path[4200];
        snprintf(path, sizeof path, "%.*s/%s", dir_len(dir), dir, out[i].name);
        pw_err err;
        pw_err_clear(&err);
        if (out[i].b->failed)
            pw_err_set(&err, PW_ERR_NOMEM, "%s: out of memory", path);
        else
            pw_outfile_write(path, out[i].b->data, out[i].b->len, &err);
        if (err.code != PW_OK)
            rc = pw_cli_fail("scan", &err);
    }
    pw_buf_free(&csv);
    pw_buf_free(&html);
    return rc;
}

/* Each site's baseline, DIR/<site>.json of an earlier --sites run (NULL for a site it does not
 * have: that site is scanned without comparison), all read and checked before the first scan. */
static pw_status load_baselines(const char *dir, char **urls, size_t n, pw_baseline **out,
                                pw_err *err)
{
    struct stat st;
    int bad = stat(dir, &st) != 0 ? errno : !S_ISDIR(st.st_mode) ? ENOTDIR : 0;
    if (bad)
        return pw_err_set(err, PW_ERR_IO, "--baseline-dir %s: %s", dir, strerror(bad));
    for (size_t i = 0; i < n; i++) {
        char slug[128], path[4200];
        pw_cli_site_slug(urls[i], slug, sizeof slug);
        snprintf(path, sizeof path, "%.*s/%s.json", dir_len(dir), dir, slug);
        if (!exists(path))
            continue;
        pw_status s = pw_cli_read_baseline(path, &out[i], err);
        if (s != PW_OK)
            return s;
    }
    return PW_OK;
}

/* The --baa ids against the catalog, once, rather than failing every site's scan. */
static pw_status check_baas(const pw_live_args *a, pw_err *err)
{
    if (!a->baa.n)
        return PW_OK;
    pw_catalog *c = NULL;
    pw_status st = pw_catalog_open(&a->catalog, &c, err);
    for (size_t i = 0; st == PW_OK && i < a->baa.n; i++)
        st = pw_assess_check_baa(c, a->baa.ids[i], err);
    pw_catalog_free(c);
    return st;
}

static void free_baselines(pw_baseline **b, size_t n)
{
    for (size_t i = 0; b && i < n; i++)
        pw_baseline_free(b[i]);
    free(b);
}

int pw_live_scan_sites(pw_live_args *a)
{
    char *data = NULL, **urls = NULL;
    size_t len = 0, n = 0;
    pw_err err;
    pw_err_clear(&err);
    pw_status st = pw_cli_read_file(a->sites_file, &data, &len, &err);
    if (st == PW_OK)
        st = pw_cli_sites_parse(a->sites_file, data, &urls, &n, &err);
    /* before --out DIR is made: a bad baseline or --baa leaves nothing behind */
    if (st == PW_OK)
        st = check_baas(a, &err);
    pw_baseline **baselines = NULL;
    if (st == PW_OK && a->baseline_dir) {
        baselines = calloc(n, sizeof *baselines);
        st = baselines ? load_baselines(a->baseline_dir, urls, n, baselines, &err)
                       : pw_err_set(&err, PW_ERR_NOMEM, "out of memory");
    }
    if (st == PW_OK && mkdir(a->out_dir, 0755) != 0 && errno != EEXIST)
        st = pw_err_set(&err, PW_ERR_IO, "%s: %s", a->out_dir, strerror(errno));
    /* said now, not after each site's scan has run and its report could not be written */
    struct stat dir;
    if (st == PW_OK && (stat(a->out_dir, &dir) != 0 || !S_ISDIR(dir.st_mode)))
        st = pw_err_set(&err, PW_ERR_IO, "%s: %s", a->out_dir, strerror(ENOTDIR));
    else if (st == PW_OK && access(a->out_dir, W_OK | X_OK) != 0)
        st = pw_err_set(&err, PW_ERR_IO, "%s: %s", a->out_dir, strerror(errno));
    if (st != PW_OK) {
        free_baselines(baselines, n);
        free(urls);
        free(data);
        return pw_cli_fail("scan", &err);
    }
    int worst = PW_EXIT_CLEAN;
    for (size_t i = 0; i < n && !a->interrupted_by; i++) { /* Ctrl-C: no more sites */
        int rc = scan_one(a, urls[i], a->out_dir, baselines ? baselines[i] : NULL);
        worst = pw_cli_scan_worse(worst, rc);
    }
    int rc = write_tables(a->out_dir, urls, n);
    free_baselines(baselines, n);
    free(urls);
    free(data);
    return pw_cli_scan_worse(worst, rc);
}
