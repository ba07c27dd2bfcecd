/*
 * scan_sites.c — `phiwall scan --sites FILE --out DIR`: scans each site of a list (one URL a line,
 * '#' comments) into DIR/<site>.<ext> plus a one-line DIR/<site>.summary, then writes
 * DIR/summary.csv and DIR/summary.html across all sites. Resumable: a site whose report already
 * exists is skipped, and reports appear under their final name only once complete.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "phiwall/buf.h"
#include "scan_live.h"

static const char *const sev_names[5] = {"info", "low", "medium", "high", "critical"};

static const char *ext_of(pw_report_format f)
{
    switch (f) {
    case PW_REPORT_JSON: return "json";
    case PW_REPORT_SARIF: return "sarif";
    case PW_REPORT_HTML: return "html";
    default: return "txt";
    }
}

/* "https://www.x.org/a/b" → "www.x.org_a_b" */
static void slug_of(const char *url, char *out, size_t cap)
{
    const char *p = strstr(url, "://");
    p = p ? p + 3 : url;
    size_t n = 0;
    for (; *p && n + 1 < cap && n < 100; p++) {
        char c = *p;
        out[n++] = isalnum((unsigned char)c) || c == '.' || c == '-' ? c : '_';
    }
    while (n > 0 && out[n - 1] == '_')
        n--;
    out[n] = '\0';
    if (n == 0)
        snprintf(out, cap, "site");
}

static int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

static void write_summary_line(const char *path, const char *url, const pw_live_summary *s,
                               const char *status)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return;
    fprintf(f, "%s\t%s\t%zu\t%zu\t%zu\t%zu\t%zu\t%zu\t%zu\t%zu\t%s\t%s\n", url,
            s->source ? s->source : "-", s->pages, s->requests, s->findings, s->by_sev[4],
            s->by_sev[3], s->by_sev[2], s->by_sev[1], s->by_sev[0],
            s->max_sev >= 0 && s->max_sev < 5 ? sev_names[s->max_sev] : "none", status);
    fclose(f);
}

/* 1 if a site's .summary line (status last) says its scan was incomplete: a resumed run keeps
 * reporting it (exit 4), as the first run did. */
static int was_incomplete(const char *summary)
{
    char line[2048] = "";
    FILE *f = fopen(summary, "r");
    if (!f)
        return 0;
    if (!fgets(line, sizeof line, f))
        line[0] = '\0';
    fclose(f);
    return strstr(line, "\tincomplete: ") != NULL;
}

static int scan_one(pw_live_args *a, const char *url, const char *dir)
{
    char slug[128], report[4096], part[4200], summary[4200];
    slug_of(url, slug, sizeof slug);
    pw_cli_scan_out out = a->out;
    if (!a->format_set)
        out.format = PW_REPORT_HTML;
    snprintf(report, sizeof report, "%s/%s.%s", dir, slug, ext_of(out.format));
    snprintf(part, sizeof part, "%s.part", report);
    snprintf(summary, sizeof summary, "%s/%s.summary", dir, slug);
    if (exists(report) && exists(summary)) {
        fprintf(stderr, "phiwall: scan: %s: report exists, skipped\n", url);
        return was_incomplete(summary) ? PW_EXIT_INCOMPLETE : PW_EXIT_CLEAN;
    }
    out.output = part;
    pw_live_summary s;
    memset(&s, 0, sizeof s);
    s.max_sev = -1;
    int rc = pw_live_scan_site(a, url, &out, &s);
    if (rc == PW_EXIT_RUNTIME) {
        remove(part);
        char status[600];
        snprintf(status, sizeof status, "error: %s", s.error[0] ? s.error : "no report written");
        for (char *c = status; *c; c++) /* the .summary line is tab-separated */
            if (*c == '\t' || *c == '\n' || *c == '\r')
                *c = ' ';
        write_summary_line(summary, url, &s, status);
        return rc;
    }
    if (rename(part, report) != 0) {
        pw_cli_errorf("scan", "%s: %s", report, strerror(errno));
        return PW_EXIT_RUNTIME;
    }
    fprintf(stderr, "phiwall: scan: %s → %s\n", url, report); /* only once it exists */
    char status[600] = "ok";
    if (s.gaps) /* not a clean result: say why in the summary too */
        snprintf(status, sizeof status, "incomplete: %s", s.incomplete);
    for (char *c = status; *c; c++)
        if (*c == '\t' || *c == '\n' || *c == '\r')
            *c = ' ';
    write_summary_line(summary, url, &s, status);
    return rc;
}

/* A CSV field, quoted (with doubled quotes) when it holds a comma or a quote (RFC 4180). */
static void csv_field(pw_buf *csv, const char *v)
{
    if (!strpbrk(v, ",\"")) {
        pw_buf_puts(csv, v);
        return;
    }
    pw_buf_putc(csv, '"');
    for (; *v; v++) {
        if (*v == '"')
            pw_buf_putc(csv, '"');
        pw_buf_putc(csv, *v);
    }
    pw_buf_putc(csv, '"');
}

/* summary.csv and summary.html from every site's .summary line, in list order. */
static int write_tables(const char *dir, char **urls, size_t n)
{
    pw_buf csv, html;
    pw_buf_init(&csv);
    pw_buf_init(&html);
    pw_buf_puts(&csv, "site,source,pages,requests,findings,critical,high,medium,low,info,"
                      "max_severity,status\n");
    pw_buf_puts(&html, "<!doctype html><html><head><meta charset=\"utf-8\"><title>phiwall: "
                       "sites</title><style>body{font:14px system-ui,sans-serif;margin:2em}"
                       "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:"
                       "4px 8px;text-align:right}td:first-child{text-align:left}"
                       ".critical{background:#fdd}.high{background:#fed}</style></head><body>"
                       "<h1>phiwall scan across sites</h1><table><tr><th>site</th><th>source"
                       "</th><th>pages</th><th>requests</th><th>findings</th><th>critical</th>"
                       "<th>high</th><th>medium</th><th>low</th><th>info</th><th>max</th>"
                       "<th>status</th></tr>\n");
    for (size_t i = 0; i < n; i++) {
        char slug[128], path[4200], line[8192];
        slug_of(urls[i], slug, sizeof slug);
        snprintf(path, sizeof path, "%s/%s.summary", dir, slug);
        FILE *f = fopen(path, "r");
        if (!f || !fgets(line, sizeof line, f)) {
            if (f)
                fclose(f);
            continue;
        }
        fclose(f);
        line[strcspn(line, "\r\n")] = '\0';
        char *fields[12];
        int nf = 0;
        for (char *p = line; nf < 12; nf++) {
            fields[nf] = p;
            char *tab = strchr(p, '\t');
            if (!tab) {
                nf++;
                break;
            }
            *tab = '\0';
            p = tab + 1;
        }
        if (nf != 12)
            continue;
        pw_buf_printf(&html, "<tr class=\"%s\">", fields[10]);
        for (int k = 0; k < 12; k++) {
            if (k)
                pw_buf_putc(&csv, ',');
            csv_field(&csv, fields[k]);
            pw_buf_puts(&html, "<td>");
            pw_buf_html_text(&html, fields[k], strlen(fields[k]));
            pw_buf_puts(&html, "</td>");
        }
        pw_buf_putc(&csv, '\n');
        pw_buf_puts(&html, "</tr>\n");
    }
    pw_buf_puts(&html, "</table></body></html>\n");
    int rc = PW_EXIT_CLEAN;
    const struct {
        const char *name;
        pw_buf *b;
    } out[] = {{"summary.csv", &csv}, {"summary.html", &html}};
    for (size_t i = 0; i < 2; i++) {
        char path[4200];
        snprintf(path, sizeof path, "%s/%s", dir, out[i].name);
        FILE *f = fopen(path, "w");
        if (!f || fwrite(out[i].b->data, 1, out[i].b->len, f) != out[i].b->len) {
            pw_cli_errorf("scan", "%s: %s", path, strerror(errno));
            rc = PW_EXIT_RUNTIME;
        }
        if (f)
            fclose(f);
    }
    pw_buf_free(&csv);
    pw_buf_free(&html);
    return rc;
}

int pw_live_scan_sites(pw_live_args *a)
{
    char *data = NULL;
    size_t len = 0;
    pw_err err;
    if (pw_cli_read_file(a->sites_file, &data, &len, &err) != 0)
        return pw_cli_fail("scan", &err);
    if (mkdir(a->out_dir, 0755) != 0 && errno != EEXIST) {
        free(data);
        pw_cli_errorf("scan", "%s: %s", a->out_dir, strerror(errno));
        return PW_EXIT_RUNTIME;
    }
    char **urls = NULL;
    size_t n = 0;
    for (char *line = strtok(data, "\n"); line; line = strtok(NULL, "\n")) {
        while (isspace((unsigned char)*line))
            line++;
        line[strcspn(line, " \t\r#")] = '\0';
        if (!*line)
            continue;
        char **more = realloc(urls, (n + 1) * sizeof *urls);
        if (!more)
            break;
        urls = more;
        urls[n++] = line;
    }
    if (a->har_out)
        pw_cli_errorf("scan", "note: --har-out is ignored with --sites");
    a->har_out = NULL;
    int worst = PW_EXIT_CLEAN;
    for (size_t i = 0; i < n; i++) {
        int rc = scan_one(a, urls[i], a->out_dir);
        worst = pw_cli_scan_worse(worst, rc);
    }
    int rc = write_tables(a->out_dir, urls, n);
    free(urls);
    free(data);
    return pw_cli_scan_worse(worst, rc);
}
