/*
 * report_text.c — the terminal summary: counts by severity, one table row per finding (severity,
 * rule, vendor, account, page, occurrences; findings whose pages differ only in their query share
 * a row; columns fitted to their content, text_table.c), then
 * the detail of every finding above info with its evidence (PHI highlighted when colour is on), the
 * legal reasoning and the fix.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "phiwall/url.h"
#include "report/report_gaps.h"
#include "report/report_internal.h"
#include "report/text_table.h"

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

/* Strings from the scanned site or the capture (URLs, accounts, event names, values, and the
 * legal text and fixes that quote them) reach the terminal only through these. */
static void safe(pw_buf *b, const char *s)
{
    pw_report_text_safe(b, s ? s : "", s ? strlen(s) : 0);
}

/* A table cell's safe text in dst (cap bytes), cut at a code point if it must be. */
static const char *safe_cell(char *dst, size_t cap, const char *s)
{
    pw_buf t;
    pw_buf_init(&t);
    safe(&t, s);
    size_t n = t.len < cap ? t.len : cap - 1;
    while (n > 0 && n < t.len && (t.data[n] & 0xC0) == 0x80)
        n--;
    if (n)
        memcpy(dst, t.data, n);
    dst[n] = '\0';
    pw_buf_free(&t);
    return dst;
}

/* A tracker's name (pw_report_finding_tracker, pw_report_use_tracker) as a safe cell; frees
 * label. */
static const char *label_cell(char *dst, size_t cap, pw_buf *label)
{
    pw_buf_putc(label, '\0');
    const char *s = safe_cell(dst, cap, label->data ? label->data : "");
    pw_buf_free(label);
    return s;
}

/* "Trackers recognised with: catalog …; EasyPrivacy <file> (…)" on a line of its own; a path
 * is printed terminal-safe like every other string. */
static void lists_line(pw_buf *b, const pw_scan_result *r)
{
    pw_buf lists;
    pw_buf_init(&lists);
    pw_report_lists_text(&lists, r);
    pw_buf_puts(b, "\nTrackers recognised with: ");
    pw_report_text_safe(b, lists.data ? lists.data : "", lists.len);
    pw_buf_free(&lists);
}

static void summary(pw_buf *b, const pw_scan_result *r, int color)
{
    size_t counts[PW_SEV__COUNT];
    pw_report_counts(r, counts);
    pw_buf_printf(b, "%sphiwall scan%s  ", color ? BOLD : "", color ? RESET : "");
    safe(b, r->target);
    char period[96];
    if (*pw_report_capture_period(r, period, sizeof period))
        pw_buf_printf(b, "  captured %s", period);
    pw_buf_putc(b, '\n');
    int inferred = r->source == PW_SOURCE_STATIC;
    /* "tracker beacons" are the inventory's (its rows add up to them); beacons to third
     * parties on no list (a font CDN) are counted apart */
    size_t pages = pw_report_page_keys(r);
    pw_buf_printf(b, "%zu page%s", pages, pages == 1 ? "" : "s");
    if (pages != r->n_pages) /* the tables' "(2 URLs)": a page is its address without the query */
        pw_buf_printf(b, " (%zu URLs with their queries)", r->n_pages);
    pw_buf_printf(b, ", %zu request%s%s (%zu third-party), %zu tracker beacon%s%s", r->n_requests,
                  r->n_requests == 1 ? "" : "s", inferred ? " inferred" : "", r->n_third_party,
                  r->n_tracker_beacons, r->n_tracker_beacons == 1 ? "" : "s",
                  inferred ? " inferred" : "");
    if (r->n_beacons > r->n_tracker_beacons)
        pw_buf_printf(b, " (+%zu to other third parties)", r->n_beacons - r->n_tracker_beacons);
    if (r->n_decode_errors)
        pw_buf_printf(b, ", %zu undecodable", r->n_decode_errors);
    if (inferred)
        pw_buf_puts(b, "\nStatic triage: inferred from the tags in each page's HTML, not observed"
                       " traffic; confirm with a browser scan or a HAR.");
    pw_report_incomplete_text(b, r, color);
    for (size_t i = 0; i < r->n_baa_declared; i++) {
        const pw_tracker *t = r->baa_declared[i];
        pw_buf_puts(b, i ? ", "
                         : "\nBAA declared (--baa; findings of these trackers capped at "
                           "low): ");
        safe(b, t->product);
        pw_buf_puts(b, " (");
        safe(b, t->id);
        pw_buf_putc(b, ')');
    }
    lists_line(b, r); /* after the warnings: what the inventory rests on */
    pw_buf_puts(b, "\n\nFindings: ");
    for (int s = PW_SEV_CRITICAL; s >= PW_SEV_INFO; s--) {
        char item[64];
        snprintf(item, sizeof item, "%zu %s", counts[s], pw_severity_name((pw_severity)s));
        colored(b, color && counts[s], sev_color((pw_severity)s), item);
        pw_buf_puts(b, s > PW_SEV_INFO ? "  " : "\n");
    }
    if (r->n_findings) /* the HTML report's "How to read this report", for the terminal */
        pw_buf_puts(b,
                    "How to read: critical and high findings are disclosures of PHI under the "
                    "HHS OCR\ntracking guidance, except two kinds of high: PW-CONSENT and values "
                    "typed on a general page.\nMedium is elevated risk only (AHA v. Becerra "
                    "vacated the guidance for public condition pages);\ninfo is inventory. "
                    "Each finding below shows what was sent (the PHI [[marked]]), why, and the "
                    "fix.\n");
}

/* "Since the baseline old.json (captured …): 3 new, 12 unchanged, 2 gone". */
static void baseline_summary(pw_buf *b, const pw_baseline_diff *d)
{
    if (!d)
        return;
    pw_buf_puts(b, "Since the baseline ");
    safe(b, pw_baseline_name(d->baseline));
    const char *when = pw_baseline_captured(d->baseline);
    if (when) {
        pw_buf_puts(b, " (captured ");
        safe(b, when);
        pw_buf_putc(b, ')');
    }
    pw_buf_printf(b, ": %zu new, %zu unchanged, %zu gone", d->n_new, d->n_unchanged, d->n_gone);
    if (d->n_unchecked)
        pw_buf_printf(b, ", %zu not rechecked", d->n_unchecked);
    pw_buf_putc(b, '\n');
}

/* The findings table's columns: as wide as their content, up to a cap, the whole table at most
 * TEXT_WIDTH wide; tracker names wrap at word boundaries and pages after a path's slashes (the
 * whole path is what a reader needs), accounts are cut with "…" (docs/report-formats.md). */
#define TEXT_WIDTH 120
static const tt_col finding_cols[] = {
    {"SEVERITY", 0, 0, 0, 0, 0},  {"RULE", 0, 0, 0, 0, 0},   {"TRACKER", 36, 1, 0, 24, 0},
    {"ACCOUNT", 24, 0, 0, 16, 0}, {"PAGE", 48, 1, 0, 32, 1}, {"N", 0, 0, 1, 0, 0},
};

typedef struct finding_cells {
    char n[24], page[512], acct[256], product[512], sev[48];
    const char *cell[6];
} finding_cells;

/* The host all findings' pages are on (host[:port]), NUL-terminated in out; "" when they are on
 * several hosts. The table then shows paths only and says the host once. */
static void common_host(const pw_scan_result *r, char *out, size_t cap)
{
    out[0] = '\0';
    for (size_t i = 0; i < r->n_findings; i++) {
        char key[512];
        pw_finding tmp;
        pw_url_page_key(pw_report_brief(r, i, &tmp)->page_url, key, sizeof key);
        size_t h = strcspn(key, "/");
        if (!key[h] || h == 0 || h >= cap) {
            out[0] = '\0';
            return;
        }
        if (i == 0)
            snprintf(out, cap, "%.*s", (int)h, key);
        else if (strlen(out) != h || memcmp(out, key, h) != 0) {
            out[0] = '\0';
            return;
        }
    }
}

/* f's row: the page reads "host/path (N URLs)" when the finding stands for N page URLs that
 * differ in their query (pw_url_page_key), without the host when every page is on `host`; a
 * path wider than the column wraps, the count after it. */
/* The severity cell: "high", and with a baseline "high (new)" or "high (was medium)". */
static const char *severity_cell(const pw_finding *f, const pw_baseline_diff *d, size_t i,
                                 finding_cells *fc)
{
    const char *name = pw_severity_name(f->severity);
    if (!d)
        return name;
    if (d->state[i] == PW_BASELINE_NEW)
        snprintf(fc->sev, sizeof fc->sev, "%s (new)", name);
    else if (d->was[i] != (int)f->severity)
        snprintf(fc->sev, sizeof fc->sev, "%s (was %s)", name,
                 pw_severity_name((pw_severity)d->was[i]));
    else
        return name;
    return fc->sev;
}

static void finding_row(const pw_finding *f, const char *host, finding_cells *fc)
{
    char key[512];
    pw_url_page_key(f->page_url, key, sizeof key);
    safe_cell(fc->page, sizeof fc->page, key + (host[0] ? strlen(host) : 0));
    if (f->page_variants > 1) {
        size_t len = strlen(fc->page);
        snprintf(fc->page + len, sizeof fc->page - len, " (%zu URLs)", f->page_variants);
    }
    snprintf(fc->n, sizeof fc->n, "%zu", f->occurrences);
    fc->cell[0] = pw_severity_name(f->severity);
    fc->cell[1] = f->rule_id;
    pw_buf label;
    pw_buf_init(&label);
    pw_report_finding_tracker(f, &label);
    fc->cell[2] = label_cell(fc->product, sizeof fc->product, &label);
    fc->cell[3] = f->account_id ? safe_cell(fc->acct, sizeof fc->acct, f->account_id) : "-";
    fc->cell[4] = fc->page;
    fc->cell[5] = fc->n;
}

/* A finding as its table row needs it: a filter-list finding names its company by its request's
 * host (pw_report_finding_tracker), read back when spilled. */
static const pw_finding *row_finding(pw_report_loader *ld, size_t i, pw_finding *tmp)
{
    const pw_finding *f = pw_report_brief(ld->r, i, tmp);
    return pw_tracker_is_filter_list(f->tracker) ? pw_report_load(ld, i) : f;
}

static void table(pw_buf *b, const pw_scan_result *r, const pw_baseline_diff *d, int color,
                  pw_report_loader *ld)
{
    if (!r->n_findings) {
        pw_buf_puts(b, pw_report_incomplete_count(r)
                           ? "\nNo tracker findings in what was observed; the scan is "
                             "INCOMPLETE (above), so this is not a clean result.\n"
                           : "\nNo tracker findings.\n");
        return;
    }
    char host[256];
    common_host(r, host, sizeof host);
    tt_table t;
    tt_init(&t, finding_cols, sizeof finding_cols / sizeof finding_cols[0]);
    finding_cells fc;
    pw_finding tmp;
    for (int pass = 0; pass == 0 || (pass == 1 && tt_fit(&t, TEXT_WIDTH)); pass++)
        for (size_t i = 0; i < r->n_findings; i++) {
            const pw_finding *f = row_finding(ld, i, &tmp);
            finding_row(f, host, &fc);
            fc.cell[0] = severity_cell(f, d, i, &fc);
            for (size_t c = 0; c < t.n; c++)
                tt_measure(&t, c, fc.cell[c]);
        }
    pw_buf_putc(b, '\n');
    if (host[0])
        pw_buf_printf(b, "Pages on %s\n", host);
    tt_header(&t, b, "", color ? BOLD : NULL, color ? RESET : NULL);
    for (size_t i = 0; i < r->n_findings; i++) {
        const pw_finding *f = row_finding(ld, i, &tmp);
        finding_row(f, host, &fc);
        fc.cell[0] = severity_cell(f, d, i, &fc);
        const char *colors[6] = {color ? sev_color(f->severity) : NULL};
        tt_row(&t, b, "", fc.cell, colors, RESET);
        pw_buf_spill(b, PW_BUF_SPILL_AT); /* a row is never revisited */
    }
}

/* A table of absent findings: the gone ones, or the not-rechecked ones for one reason, read one
 * at a time (pw_baseline_reader: a long list is not held). */
typedef struct absent_list {
    pw_baseline_reader *rd;
    int unchecked; /* 0: gone; 1: not rechecked because of `why` */
    int why;
} absent_list;

static size_t absent_count(const absent_list *l)
{
    return l->unchecked ? l->rd->d->n_unchecked : l->rd->d->n_gone;
}

/* Finding i of the diff's list, NULL when it is not in this table (another reason). */
static const pw_baseline_finding *absent_at(const absent_list *l, size_t i)
{
    if (l->unchecked && (int)l->rd->d->unchecked_why[i] != l->why)
        return NULL;
    return pw_baseline_reader_at(l->rd, l->unchecked, i);
}

/* The host all of list's pages are on (host[:port] of their page keys), "" when several. */
static void absent_host(const absent_list *l, char *out, size_t cap)
{
    out[0] = '\0';
    int first = 1;
    for (size_t i = 0; i < absent_count(l); i++) {
        const pw_baseline_finding *g = absent_at(l, i);
        if (!g)
            continue;
        char key[512];
        pw_url_page_key(g->page_url ? g->page_url : "", key, sizeof key);
        size_t h = strcspn(key, "/");
        if (!key[h] || h == 0 || h >= cap ||
            (!first && (strlen(out) != h || memcmp(out, key, h)))) {
            out[0] = '\0';
            return;
        }
        snprintf(out, cap, "%.*s", (int)h, key);
        first = 0;
    }
}

/* One absent finding's cells; its page as the earlier report had it, query values masked, its
 * scheme and host left out when the table says them once (`host`). */
static void gone_row(const pw_baseline_finding *g, const char *host, finding_cells *fc)
{
    pw_buf page;
    pw_buf_init(&page);
    pw_report_url_masked(&page, g->page_url ? g->page_url : "(unknown page)");
    pw_buf_putc(&page, '\0');
    const char *shown = page.data ? page.data : "";
    const char *rest = strstr(shown, "://");
    size_t hl = strlen(host);
    if (hl && rest && strncasecmp(rest + 3, host, hl) == 0 && rest[3 + hl] == '/')
        shown = rest + 3 + hl;
    safe_cell(fc->page, sizeof fc->page, shown);
    pw_buf_free(&page);
    snprintf(fc->n, sizeof fc->n, "%zu", g->occurrences);
    fc->cell[0] = pw_severity_name(g->severity);
    fc->cell[1] = g->rule_id;
    fc->cell[2] = safe_cell(fc->product, sizeof fc->product, g->tracker ? g->tracker : "-");
    fc->cell[3] = g->account_id ? safe_cell(fc->acct, sizeof fc->acct, g->account_id) : "-";
    fc->cell[4] = fc->page;
    fc->cell[5] = fc->n;
}

/* Findings of the baseline this scan did not report, under a heading; pages on one host read as
 * paths, the host said once (as in the findings table). */
static void absent_table(pw_buf *b, const absent_list *l, int color)
{
    char host[256];
    absent_host(l, host, sizeof host);
    size_t n = absent_count(l);
    tt_table t;
    tt_init(&t, finding_cols, sizeof finding_cols / sizeof finding_cols[0]);
    finding_cells fc;
    for (int pass = 0; pass == 0 || (pass == 1 && tt_fit(&t, TEXT_WIDTH)); pass++)
        for (size_t i = 0; i < n; i++) {
            const pw_baseline_finding *g = absent_at(l, i);
            if (!g)
                continue;
            gone_row(g, host, &fc);
            for (size_t c = 0; c < t.n; c++)
                tt_measure(&t, c, fc.cell[c]);
        }
    if (host[0])
        pw_buf_printf(b, "Pages on %s\n", host);
    tt_header(&t, b, "", color ? BOLD : NULL, color ? RESET : NULL);
    for (size_t i = 0; i < n; i++) {
        const pw_baseline_finding *g = absent_at(l, i);
        if (!g)
            continue;
        gone_row(g, host, &fc);
        tt_row(&t, b, "", fc.cell, NULL, RESET);
        pw_buf_spill(b, PW_BUF_SPILL_AT); /* a row is never revisited */
    }
}

/* What the baseline reported and this scan looked for and did not see: fixed. */
static void gone_table(pw_buf *b, const pw_baseline_diff *d, pw_baseline_reader *rd, int color)
{
    if (!d || !d->n_gone)
        return;
    pw_buf_printf(b,
                  "\nGone since the baseline (%zu): their pages loaded, and they did not "
                  "recur\n",
                  d->n_gone);
    absent_table(b, &(absent_list){rd, 0, 0}, color);
}

/* What the baseline reported and this scan could not have seen, one table per reason: not
 * evidence of a fix. */
static void unchecked_tables(pw_buf *b, const pw_baseline_diff *d, pw_baseline_reader *rd,
                             int color)
{
    if (!d || !d->n_unchecked)
        return;
    pw_buf_printf(b,
                  "\nNot rechecked (%zu): absent from this scan, which could not have seen "
                  "them\n",
                  d->n_unchecked);
    for (int why = PW_UNCHECKED_PAGE_NOT_VISITED; why < PW_UNCHECKED__END; why++) {
        size_t n = 0;
        for (size_t i = 0; i < d->n_unchecked; i++)
            n += (int)d->unchecked_why[i] == why;
        if (!n)
            continue;
        pw_buf_printf(b, "- %s (%zu)\n", pw_baseline_unchecked_text((pw_baseline_unchecked)why), n);
        absent_table(b, &(absent_list){rd, 1, why}, color);
    }
}

/* "What left": per tracker and account, the worst severity of its findings above info, their
 * number, the HHS contexts of their pages and the PHI by the kind of field it was in — what a
 * privacy officer asks first, before any finding (report_leaks.c). Findings are read once, in
 * order, and stop at the first info finding (they are sorted worst first). */
static const tt_col leak_cols[] = {
    {"TRACKER", 30, 1, 0, 18, 0}, {"ACCOUNT", 22, 1, 0, 12, 0},
    {"WORST", 0, 0, 0, 0, 0},     {"FINDINGS", 0, 0, 1, 0, 0},
    {"ON PAGES", 14, 1, 0, 0, 0}, {"WHAT LEFT, BY FIELD", 60, 1, 0, 40, 0},
};

typedef struct leak_cells {
    char n[24], acct[256], label[512];
    pw_buf ctx, raw, what, accts;
    const char *cell[6];
} leak_cells;

/* A tracker's accounts named in its row: a site with six Google Ads accounts gets one row,
 * "644728173, 792381940, 800828946 and 3 more" (the JSON report lists each). */
#define LEAK_ACCOUNTS    3
#define LEAK_ACCOUNT_LEN 20 /* bytes: a Snap pixel's UUID reads by its start */

static void leak_row(const pw_leak_row *w, leak_cells *lc);

/* Group g's row: merged, its accounts listed (at most LEAK_ACCOUNTS). */
static void leak_group_row(const pw_leaks *l, const size_t *idx, const pw_leak_group *g,
                           pw_leak_row *merged, leak_cells *lc)
{
    pw_leaks_merged(l, idx, g, merged);
    leak_row(merged, lc);
    pw_buf raw;
    pw_buf_init(&raw);
    pw_leaks_accounts(l, idx, g, LEAK_ACCOUNTS, LEAK_ACCOUNT_LEN, "-", &raw);
    pw_buf_clear(&lc->accts);
    pw_report_text_safe(&lc->accts, raw.data ? raw.data : "", raw.len);
    pw_buf_putc(&lc->accts, '\0');
    if (raw.failed)
        lc->accts.failed = 1;
    pw_buf_free(&raw);
    lc->cell[1] = lc->accts.failed ? "" : lc->accts.data;
}

static void leak_row(const pw_leak_row *w, leak_cells *lc)
{
    snprintf(lc->n, sizeof lc->n, "%zu", w->n_findings);
    pw_buf_clear(&lc->ctx);
    pw_leaks_contexts(w, &lc->ctx);
    pw_buf_putc(&lc->ctx, '\0');
    pw_buf_clear(&lc->raw);
    pw_leaks_what(w, &lc->raw, "; "); /* a canary's label is the --canary file's */
    pw_buf_clear(&lc->what);
    pw_report_text_safe(&lc->what, lc->raw.data ? lc->raw.data : "", lc->raw.len);
    pw_buf_putc(&lc->what, '\0');
    if (lc->raw.failed)
        lc->what.failed = 1;
    lc->cell[0] = safe_cell(lc->label, sizeof lc->label, w->label);
    lc->cell[1] = w->account ? safe_cell(lc->acct, sizeof lc->acct, w->account) : "-";
    lc->cell[2] = pw_severity_name(w->worst);
    lc->cell[3] = lc->n;
    lc->cell[4] = lc->ctx.failed ? "" : lc->ctx.data;
    lc->cell[5] = lc->what.failed ? "" : lc->what.data;
}

static void leaks_table(pw_buf *b, const pw_scan_result *r, int color, pw_report_loader *ld)
{
    pw_leaks l = {0};
    for (size_t i = 0; i < r->n_findings && pw_scan_result_severity(r, i) > PW_SEV_INFO; i++)
        pw_leaks_add(&l, pw_report_load(ld, i));
    if (l.failed)
        b->failed = 1;
    if (!l.n) {
        pw_leaks_free(&l);
        return;
    }
    pw_buf_printf(b,
                  "\n%sWhat each tracker received%s (its findings above info: the worst, how "
                  "many,\nthe HHS context of their pages, and the PHI found in each kind of "
                  "field it was sent in)\n",
                  color ? BOLD : "", color ? RESET : "");
    size_t *idx = malloc(l.n * sizeof *idx);
    pw_leak_group *groups = malloc(l.n * sizeof *groups);
    size_t n_groups = idx && groups ? pw_leaks_group(&l, idx, groups) : 0;
    if (!n_groups)
        b->failed = 1;
    tt_table t;
    tt_init(&t, leak_cols, sizeof leak_cols / sizeof leak_cols[0]);
    leak_cells lc;
    pw_leak_row merged;
    pw_buf_init(&lc.ctx);
    pw_buf_init(&lc.raw);
    pw_buf_init(&lc.what);
    pw_buf_init(&lc.accts);
    for (int pass = 0; pass == 0 || (pass == 1 && tt_fit(&t, TEXT_WIDTH)); pass++)
        for (size_t i = 0; i < n_groups; i++) {
            leak_group_row(&l, idx, &groups[i], &merged, &lc);
            for (size_t c = 0; c < t.n; c++)
                tt_measure(&t, c, lc.cell[c]);
        }
    tt_header(&t, b, "", color ? BOLD : NULL, color ? RESET : NULL);
    for (size_t i = 0; i < n_groups; i++) {
        leak_group_row(&l, idx, &groups[i], &merged, &lc);
        const char *colors[6] = {NULL, NULL, color ? sev_color(merged.worst) : NULL};
        tt_row(&t, b, "", lc.cell, colors, RESET);
    }
    if (lc.ctx.failed || lc.what.failed || lc.accts.failed)
        b->failed = 1;
    pw_buf_free(&lc.ctx);
    pw_buf_free(&lc.raw);
    pw_buf_free(&lc.what);
    pw_buf_free(&lc.accts);
    free(idx);
    free(groups);
    pw_leaks_free(&l);
}

/* Inventory rows: tracker, account, beacons, pages, events (never cut). */
static const tt_col use_cols[] = {
    {NULL, 36, 1, 0, 0, 0}, {NULL, 24, 0, 0, 0, 0}, {NULL, 0, 0, 1, 0, 0},
    {NULL, 0, 0, 0, 0, 0},  {NULL, 0, 1, 0, 0, 0},
};

typedef struct use_cells {
    char beacons[40], pages[40], acct[256], product[1024];
    pw_buf events;
    const char *cell[5];
} use_cells;

/* urls: the scan's pages have query variants; the inventory counts distinct URLs, so it says
 * "on 13 URLs" beside the summary's "12 pages (14 URLs with their queries)", never "13 pages". */
static void use_row(const pw_tracker_use *u, use_cells *uc, int urls)
{
    snprintf(uc->beacons, sizeof uc->beacons, "%zu beacon%s", u->n_requests,
             u->n_requests == 1 ? "" : "s");
    snprintf(uc->pages, sizeof uc->pages, "on %zu %s%s", u->n_pages, urls ? "URL" : "page",
             u->n_pages == 1 ? "" : "s");
    uc->events.len = 0;
    for (size_t j = 0; j < u->n_events; j++) {
        pw_buf_puts(&uc->events, j ? ", " : "events: ");
        safe(&uc->events, u->events[j]);
    }
    pw_buf label;
    pw_buf_init(&label);
    pw_report_use_tracker(u, &label);
    uc->cell[0] = label_cell(uc->product, sizeof uc->product, &label);
    uc->cell[1] = safe_cell(uc->acct, sizeof uc->acct, pw_report_use_account(u));
    uc->cell[2] = uc->beacons;
    uc->cell[3] = uc->pages;
    uc->cell[4] = uc->events.len ? uc->events.data : NULL;
}

static void inventory(pw_buf *b, const pw_scan_result *r, int color)
{
    if (!r->n_trackers)
        return;
    pw_buf_printf(b, "\n%sTrackers seen%s\n", color ? BOLD : "", color ? RESET : "");
    tt_table t;
    tt_init(&t, use_cols, sizeof use_cols / sizeof use_cols[0]);
    use_cells uc;
    pw_buf_init(&uc.events);
    int urls = pw_report_page_keys(r) != r->n_pages;
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < r->n_trackers; i++) {
            use_row(&r->trackers[i], &uc, urls);
            for (size_t c = 0; pass == 0 && c < t.n; c++)
                tt_measure(&t, c, uc.cell[c]);
            if (pass == 1)
                tt_row(&t, b, "  ", uc.cell, NULL, NULL);
        }
    }
    pw_buf_free(&uc.events);
}

/* A field's kind in a reader's words, for a tracker's terse parameter names; NULL for none. */
static const char *kind_words(pw_field_kind k)
{
    static const char *const words[PW_FIELD__COUNT] = {
        [PW_FIELD_PAGE_URL] = "page URL",     [PW_FIELD_REFERRER] = "referrer",
        [PW_FIELD_PAGE_TITLE] = "page title", [PW_FIELD_BUTTON_TEXT] = "button text",
        [PW_FIELD_FORM_META] = "form field",  [PW_FIELD_FORM_VALUE] = "typed value",
        [PW_FIELD_USER_DATA] = "user data",   [PW_FIELD_CUSTOM_DATA] = "event data",
        [PW_FIELD_DEVICE_ID] = "device ID",   [PW_FIELD_SEARCH_TERM] = "search term",
        [PW_FIELD_EVENT] = "event name",      [PW_FIELD_ACCOUNT] = "account"};
    return (unsigned)k < PW_FIELD__COUNT ? words[k] : NULL;
}

/* An evidence field as a reader knows it: the tracker's parameter and what kind of field it is
 * ("dl (page URL)", "cid (device ID)"); the Referer header and a cookie by their names
 * ("Referer header", "cookie fr (device ID)"), not the scan's "header:referer" and "cookie:". */
static void evidence_key(pw_buf *b, const pw_evidence *ev)
{
    const char *key = ev->key ? ev->key : "?";
    if (strcmp(key, "header:referer") == 0) {
        pw_buf_puts(b, "Referer header");
        return;
    }
    if (strncmp(key, "cookie:", 7) == 0) {
        pw_buf_puts(b, "cookie ");
        key += 7;
    }
    safe(b, key);
    const char *kind = kind_words(ev->kind);
    if (kind)
        pw_buf_printf(b, " (%s)", kind);
}

static void text_span(pw_buf *out, const char *s, size_t n, const pw_hit *h, void *ctx)
{
    int color = *(const int *)ctx;
    if (n > 160 && !h) { /* keep long plain runs readable: 70 bytes each side, whole characters */
        size_t head = 70, tail = n - 70;
        while (head > 0 && (s[head] & 0xC0) == 0x80)
            head--;
        while (tail < n && (s[tail] & 0xC0) == 0x80)
            tail++;
        pw_report_text_safe(out, s, head);
        pw_buf_puts(out, " … ");
        pw_report_text_safe(out, s + tail, n - tail);
        return;
    }
    if (h && color)
        pw_buf_puts(out, HILITE);
    else if (h)
        pw_buf_puts(out, "[[");
    pw_report_text_safe(out, s, n);
    if (h)
        pw_buf_puts(out, color ? RESET : "]]");
}

/* A paragraph (the legal reasoning, the fix) after its 12-column label, terminal-safe, wrapped
 * at spaces so no line passes PARA_WIDTH: a terminal or a ticket wraps a 500-character line
 * at its own edge, under the labels. A word wider than the line (a URL, a code snippet) gets a
 * line of its own, whole: nothing is cut. */
#define PARA_WIDTH  100
#define PARA_INDENT "            "
static void paragraph(pw_buf *b, const char *s)
{
    pw_buf t;
    pw_buf_init(&t);
    safe(&t, s);
    pw_buf_putc(&t, '\0');
    if (t.failed) {
        b->failed = 1;
        pw_buf_free(&t);
        return;
    }
    int room = PARA_WIDTH - (int)strlen(PARA_INDENT), col = 0;
    for (const char *p = t.data; *p;) {
        size_t gap = strspn(p, " ");
        const char *w = p + gap;
        size_t n = strcspn(w, " ");
        if (!n)
            break; /* trailing blanks */
        char word[1024];
        int ww =
            n < sizeof word ? (memcpy(word, w, n), word[n] = '\0', tt_text_width(word)) : (int)n;
        if (col && col + (int)gap + ww > room) {
            pw_buf_puts(b, "\n" PARA_INDENT);
            col = 0;
        } else if (col) { /* the gap as written: a quoted path keeps its blanks */
            pw_buf_append(b, p, gap);
            col += (int)gap;
        }
        pw_buf_append(b, w, n);
        col += ww;
        p = w + n;
    }
    pw_buf_free(&t);
}

static void details(pw_buf *b, const pw_finding *f, const char *since, int color, pw_why_seen *ws)
{
    char head[64];
    snprintf(head, sizeof head, "[%s%s]", pw_severity_name(f->severity), since);
    pw_buf_putc(b, '\n');
    colored(b, color, sev_color(f->severity), head);
    pw_buf_printf(b, " %s%s%s  %s\n", color ? BOLD : "", f->rule_id, color ? RESET : "", f->title);
    /* the query's values are masked: the evidence below shows, marked, what a tracker got */
    pw_buf_puts(b, "  page:     ");
    pw_buf page;
    pw_buf_init(&page);
    pw_report_url_masked(&page, f->page_url);
    pw_report_text_safe(b, page.data ? page.data : "", page.len);
    if (page.failed)
        b->failed = 1;
    pw_buf_free(&page);
    pw_buf_printf(b, " (%s)\n", pw_hhs_context_name(f->context));
    if (f->page_variants > 1)
        pw_buf_printf(b, "            and %zu more URL%s of this page with other query strings\n",
                      f->page_variants - 1, f->page_variants == 2 ? "" : "s");
    pw_buf_puts(b, "  tracker:  ");
    pw_buf name;
    pw_buf_init(&name);
    pw_report_finding_tracker(f, &name);
    pw_report_text_safe(b, name.data ? name.data : "", name.len);
    if (name.failed)
        b->failed = 1;
    pw_buf_free(&name);
    if (f->account_id) {
        pw_buf_puts(b, ", account ");
        safe(b, f->account_id);
    }
    if (f->event_name) {
        pw_buf_puts(b, ", event ");
        safe(b, f->event_name);
    }
    pw_buf_printf(b, ", %zu request%s", f->occurrences, f->occurrences == 1 ? "" : "s");
    /* PW-CONSENT's title covers both cases; the line says which one this finding is */
    if (f->before_consent)
        pw_buf_puts(b, ", before consent");
    if (f->after_reject)
        pw_buf_puts(b, ", after the visitor rejected tracking");
    pw_buf_putc(b, '\n');
    /* the transmission the evidence comes from (its query is in the evidence, field by field);
     * for a presence rule (a session-replay or tag script load) it is all the evidence there is */
    if (f->request && f->request->url) {
        pw_buf_puts(b, "  request:  ");
        safe(b, f->request->method ? f->request->method : "GET");
        pw_buf_putc(b, ' ');
        pw_report_text_safe(b, f->request->url, strcspn(f->request->url, "?#"));
        pw_buf_putc(b, '\n');
    }
    pw_buf label;
    pw_buf_init(&label);
    for (size_t i = 0; i < f->n_evidence; i++) {
        const pw_evidence *ev = &f->evidence[i];
        pw_buf_puts(b, "  evidence: ");
        evidence_key(b, ev);
        pw_buf_puts(b, " = ");
        pw_report_spans(ev, b, text_span, &color);
        pw_buf_clear(&label);
        pw_report_hit_labels(&label, ev, ", ");
        if (label.len) {
            pw_buf_puts(b, "  ← ");
            pw_report_text_safe(b, label.data, label.len);
        }
        pw_buf_putc(b, '\n');
    }
    if (label.failed)
        b->failed = 1;
    pw_buf_free(&label);
    pw_buf_puts(b, "  why:      ");
    if (pw_why_again(ws, f->rule_id, f->legal, b)) {
        pw_buf_puts(b, "as for the first ");
        safe(b, f->rule_id);
        pw_buf_puts(b, " finding above");
    } else
        paragraph(b, f->legal);
    pw_buf_puts(b, "\n  fix:      ");
    paragraph(b, f->remediation);
    pw_buf_putc(b, '\n');
}

pw_status pw_report_text(const pw_scan_result *r, const pw_report_opts *o, pw_buf *out, pw_err *err)
{
    int color = o->color;
    const pw_baseline_diff *d = o->baseline;
    summary(out, r, color);
    baseline_summary(out, d);
    pw_report_loader ld;
    pw_report_loader_init(&ld, r);
    leaks_table(out, r, color, &ld);
    table(out, r, d, color, &ld);
    pw_baseline_reader rd;
    pw_baseline_reader_init(&rd, d);
    gone_table(out, d, &rd, color);
    unchecked_tables(out, d, &rd, color);
    inventory(out, r, color);
    size_t n_info = 0;
    pw_why_seen ws = {0};
    for (size_t i = 0; i < r->n_findings; i++) {
        char since[64] = "";
        if (d && d->state[i] == PW_BASELINE_NEW)
            snprintf(since, sizeof since, ", new since the baseline");
        else if (d && d->was[i] != (int)pw_scan_result_severity(r, i))
            snprintf(since, sizeof since, ", %s in the baseline",
                     pw_severity_name((pw_severity)d->was[i]));
        else if (d)
            snprintf(since, sizeof since, ", in the baseline");
        if (pw_scan_result_severity(r, i) == PW_SEV_INFO)
            n_info++;
        else
            details(out, pw_report_load(&ld, i), since, color, &ws);
        pw_buf_spill(out, PW_BUF_SPILL_AT); /* a sink's error fails the buffer */
    }
    pw_why_free(&ws);
    if (n_info)
        pw_buf_printf(out,
                      "\n%zu informational finding%s (trackers on general pages) %s listed "
                      "in the table only.\n",
                      n_info, n_info == 1 ? "" : "s", n_info == 1 ? "is" : "are");
    return pw_baseline_reader_done(&rd, pw_report_loader_status(&ld, out, err), err);
}
