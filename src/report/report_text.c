/*
 * report_text.c — the terminal summary: counts by severity, one table row per finding (severity,
 * rule, vendor, account, page, occurrences), then the detail of every finding above info with its
 * evidence (PHI highlighted when colour is on), the legal reasoning and the fix.
 */
#include <stdio.h>
#include <string.h>

#include "phiwall/url.h"
#include "report/report_internal.h"

#define RESET  "\033[0m"
#define BOLD   "\033[1m"
#define DIM    "\033[2m"
#define HILITE "\033[1;4;31m"

static const char *sev_color(pw_severity s)
{
    static const char *const c[PW_SEV__COUNT] = {"\033[36m", "\033[34m", "\033[33m", "\033[1;31m",
                                                 "\033[1;37;41m"};
    return (unsigned)s < PW_SEV__COUNT ? c[s] : "";
}

static void colored(pw_buf *b, int color, const char *code, const char *fmt_s)
{
    if (color)
        pw_buf_printf(b, "%s%s%s", code, fmt_s, RESET);
    else
        pw_buf_puts(b, fmt_s);
}

/* Host + path of a page URL, cut to width with a trailing ellipsis. */
static void short_url(pw_buf *b, const char *url, int width)
{
    pw_url u;
    const char *s = url ? url : "";
    size_t n = strlen(s);
    if (pw_url_parse(s, n, &u, NULL) == PW_OK) {
        s = u.host.p;
        n = (size_t)(u.path.p + u.path.n - u.host.p);
    }
    if ((int)n > width)
        pw_buf_printf(b, "%.*s…", width - 1, s);
    else
        pw_buf_printf(b, "%-*.*s", width, (int)n, s);
}

static void summary(pw_buf *b, const pw_scan_result *r, int color)
{
    size_t counts[PW_SEV__COUNT];
    pw_report_counts(r, counts);
    pw_buf_printf(b, "%sphiwall scan%s  %s\n", color ? BOLD : "", color ? RESET : "",
                  r->target ? r->target : "");
    pw_buf_printf(b, "%zu pages, %zu requests (%zu third-party), %zu tracker beacons", r->n_pages,
                  r->n_requests, r->n_third_party, r->n_beacons);
    if (r->n_decode_errors)
        pw_buf_printf(b, ", %zu undecodable", r->n_decode_errors);
    pw_buf_puts(b, "\n\nFindings: ");
    for (int s = PW_SEV_CRITICAL; s >= PW_SEV_INFO; s--) {
        char item[64];
        snprintf(item, sizeof item, "%zu %s", counts[s], pw_severity_name((pw_severity)s));
        colored(b, color && counts[s], sev_color((pw_severity)s), item);
        pw_buf_puts(b, s > PW_SEV_INFO ? "  " : "\n");
    }
}

static void table(pw_buf *b, const pw_scan_result *r, int color)
{
    if (!r->n_findings) {
        pw_buf_puts(b, "\nNo tracker findings.\n");
        return;
    }
    pw_buf_printf(b, "\n%s%-9s %-21s %-20s %-17s %-36s %5s%s\n", color ? BOLD : "", "SEVERITY",
                  "RULE", "TRACKER", "ACCOUNT", "PAGE", "N", color ? RESET : "");
    for (size_t i = 0; i < r->n_findings; i++) {
        const pw_finding *f = &r->findings[i];
        char sev[16];
        snprintf(sev, sizeof sev, "%-9s", pw_severity_name(f->severity));
        colored(b, color, sev_color(f->severity), sev);
        char host[256];
        const char *acct = pw_report_finding_account(f, host, sizeof host);
        pw_buf_printf(b, " %-21s %-20.20s %-17.17s ", f->rule_id, pw_report_product(f->tracker),
                      acct ? acct : "-");
        short_url(b, f->page_url, 36);
        pw_buf_printf(b, " %5zu\n", f->occurrences);
    }
}

static void inventory(pw_buf *b, const pw_scan_result *r, int color)
{
    if (!r->n_trackers)
        return;
    pw_buf_printf(b, "\n%sTrackers seen%s\n", color ? BOLD : "", color ? RESET : "");
    for (size_t i = 0; i < r->n_trackers; i++) {
        const pw_tracker_use *u = &r->trackers[i];
        pw_buf_printf(b, "  %-24.24s %-18s %5zu beacon%s on %zu page%s",
                      pw_report_product(u->tracker), pw_report_use_account(u), u->n_requests,
                      u->n_requests == 1 ? " " : "s", u->n_pages, u->n_pages == 1 ? "" : "s");
        for (size_t j = 0; j < u->n_events; j++)
            pw_buf_printf(b, "%s%s", j ? ", " : "  events: ", u->events[j]);
        pw_buf_putc(b, '\n');
    }
}

static void text_span(pw_buf *out, const char *s, size_t n, const pw_hit *h, void *ctx)
{
    int color = *(const int *)ctx;
    if (n > 160 && !h) { /* keep long plain runs readable */
        pw_buf_append(out, s, 70);
        pw_buf_puts(out, " … ");
        pw_buf_append(out, s + n - 70, 70);
        return;
    }
    if (h && color)
        pw_buf_puts(out, HILITE);
    else if (h)
        pw_buf_puts(out, "[[");
    pw_buf_append(out, s, n);
    if (h)
        pw_buf_puts(out, color ? RESET : "]]");
}

static void details(pw_buf *b, const pw_finding *f, int color)
{
    char head[64];
    snprintf(head, sizeof head, "[%s]", pw_severity_name(f->severity));
    pw_buf_putc(b, '\n');
    colored(b, color, sev_color(f->severity), head);
    pw_buf_printf(b, " %s%s%s  %s\n", color ? BOLD : "", f->rule_id, color ? RESET : "", f->title);
    pw_buf_printf(b, "  page:     %s (%s)\n", f->page_url, pw_hhs_context_name(f->context));
    char host[256];
    const char *acct = pw_report_finding_account(f, host, sizeof host);
    pw_buf_printf(b, "  tracker:  %s", pw_report_product(f->tracker));
    if (acct)
        pw_buf_printf(b, " %s", acct);
    if (f->event_name)
        pw_buf_printf(b, ", event %s", f->event_name);
    pw_buf_printf(b, ", %zu request%s\n", f->occurrences, f->occurrences == 1 ? "" : "s");
    for (size_t i = 0; i < f->n_evidence; i++) {
        const pw_evidence *ev = &f->evidence[i];
        pw_buf_printf(b, "  evidence: %s = ", ev->key ? ev->key : "?");
        pw_report_spans(ev, b, text_span, &color);
        for (size_t j = 0; j < ev->n_hits; j++) {
            pw_buf_puts(b, j ? ", " : "  ← ");
            pw_report_hit_label(b, &ev->hits[j]);
        }
        pw_buf_putc(b, '\n');
    }
    pw_buf_printf(b, "  why:      %s\n", f->legal);
    pw_buf_printf(b, "  fix:      %s\n", f->remediation);
}

pw_status pw_report_text(const pw_scan_result *r, const pw_report_opts *o, pw_buf *out, pw_err *err)
{
    int color = o->color;
    summary(out, r, color);
    table(out, r, color);
    inventory(out, r, color);
    size_t n_info = 0;
    for (size_t i = 0; i < r->n_findings; i++) {
        if (r->findings[i].severity == PW_SEV_INFO)
            n_info++;
        else
            details(out, &r->findings[i], color);
    }
    if (n_info)
        pw_buf_printf(out,
                      "\n%zu informational finding%s (trackers on general pages) are listed "
                      "in the table only.\n",
                      n_info, n_info == 1 ? "" : "s");
    return pw_report_buf_status(out, err);
}
