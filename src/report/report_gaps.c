/*
 * report_gaps.c — what every format says about an incomplete scan (pw_scan_result.gaps: tracker
 * scripts that failed to load, pages that did not load, a failed login, no browser): the one-line
 * headline ("3 tracker scripts failed to load (connect.facebook.net/en_US/fbevents.js:
 * net::ERR_NAME_NOT_RESOLVED)"), one line per gap, the HTML banner, the JSON fields and the
 * SARIF invocation. A result with such gaps is never presented as clean. Pages that answered an
 * HTTP error (error-page gaps) are said apart: not observed either, so a baseline's findings there
 * are not called fixed, but a broken link is no failed capture (no INCOMPLETE, no exit 4).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "phiwall/url.h"
#include "report/report_gaps.h"
#include "report/report_internal.h"

/* Pages of a gap named in a line of text (SARIF's message too); the JSON and HTML list all. */
#define GAP_PAGES_INLINE 3

/* Host and path of a URL (the whole string when it does not parse). */
static void host_path(pw_buf *b, const char *url)
{
    pw_url u;
    const char *s = url ? url : "";
    size_t n = strlen(s);
    if (pw_url_parse(s, n, &u, NULL) == PW_OK && u.host.n) {
        s = u.host.p;
        n = (size_t)(u.path.p + u.path.n - u.host.p);
    }
    pw_buf_append(b, s, n);
}

size_t pw_report_incomplete_count(const pw_scan_result *r)
{
    size_t n = 0;
    for (size_t i = 0; i < r->n_gaps; i++)
        n += pw_gap_makes_incomplete(r->gaps[i].kind) != 0;
    return n;
}

/* What a gap is in a report: it makes the result incomplete, an error page, or a note. */
enum { GAPS_INCOMPLETE, GAPS_ERROR_PAGES, GAPS_NOTES };

static int category(pw_gap_kind k)
{
    return pw_gap_makes_incomplete(k) ? GAPS_INCOMPLETE
           : pw_gap_is_note(k)        ? GAPS_NOTES
                                      : GAPS_ERROR_PAGES;
}

static size_t category_count(const pw_scan_result *r, int cat)
{
    size_t n = 0;
    for (size_t i = 0; i < r->n_gaps; i++)
        n += category(r->gaps[i].kind) == cat;
    return n;
}

/* The error-page gaps of r. */
static size_t error_page_count(const pw_scan_result *r)
{
    return category_count(r, GAPS_ERROR_PAGES);
}

static const pw_capture_gap *first_of(const pw_scan_result *r, pw_gap_kind k, size_t *count)
{
    const pw_capture_gap *first = NULL;
    *count = 0;
    for (size_t i = 0; i < r->n_gaps; i++) {
        if (r->gaps[i].kind != k)
            continue;
        if (!first)
            first = &r->gaps[i];
        (*count)++;
    }
    return first;
}

static void headline_part(pw_buf *b, const pw_scan_result *r, pw_gap_kind k, int *parts)
{
    static const char *const what[PW_GAP__COUNT][2] = {
        {"tracker script failed to load", "tracker scripts failed to load"},
        {"tracker frame failed to load", "tracker frames failed to load"},
        {"page did not load or timed out", "pages did not load or timed out"},
        {"login failed", "logins failed"},
        {"no browser ran", "no browser ran"},
        {"page answered an HTTP error", "pages answered an HTTP error"},
        {"interrupted", "interrupted"},
        {"page budget reached", "page budget reached"},
        {"no consent banner answered", "no consent banner answered"},
        {"late tags may be missed", "late tags may be missed"},
        {"the crawl stopped at the start page", "the crawl stopped at the start page"},
    };
    size_t n;
    const pw_capture_gap *g = first_of(r, k, &n);
    if (!g)
        return;
    pw_buf_puts(b, (*parts)++ ? ", " : "");
    if (k == PW_GAP_LOGIN || k == PW_GAP_BROWSER || k == PW_GAP_INTERRUPTED || k == PW_GAP_BUDGET ||
        k == PW_GAP_CONSENT || k == PW_GAP_SETTLE || k == PW_GAP_COVERAGE)
        pw_buf_printf(b, "%s (", what[k][0]);
    else
        pw_buf_printf(b, "%zu %s (", n, what[k][n != 1]);
    if (k == PW_GAP_SCRIPT || k == PW_GAP_FRAME)
        host_path(b, g->url);
    else if (g->url) /* a page's query holds what the visitor typed: as in the gap lines */
        pw_report_url_masked(b, g->url);
    else
        pw_buf_putc(b, '?');
    pw_buf_printf(b, ": %s)", g->error ? g->error : "failed");
}

void pw_report_incomplete_headline(const pw_scan_result *r, pw_buf *out)
{
    int parts = 0;
    for (int k = 0; k < PW_GAP__COUNT; k++)
        if (pw_gap_makes_incomplete((pw_gap_kind)k))
            headline_part(out, r, (pw_gap_kind)k, &parts);
}

/* The notes in one line: "page budget reached (URL: 37 same-site URLs …)". */
static void notes_headline(const pw_scan_result *r, pw_buf *out)
{
    int parts = 0;
    for (int k = 0; k < PW_GAP__COUNT; k++)
        if (pw_gap_is_note((pw_gap_kind)k))
            headline_part(out, r, (pw_gap_kind)k, &parts);
}

/* "2 pages answered an HTTP error (URL: page answered HTTP 404)". */
static void error_pages_headline(const pw_scan_result *r, pw_buf *out)
{
    int parts = 0;
    headline_part(out, r, PW_GAP_ERROR_PAGE, &parts);
}

/* The pages a gap happened on beyond those listed: "and 12 more pages", or "and more pages"
 * when how many is not known. */
static void more_pages(pw_buf *b, size_t more, const pw_capture_gap *g)
{
    more += g->n_more_pages;
    if (g->more_pages && !g->n_more_pages)
        pw_buf_puts(b, " and more pages");
    else if (more)
        pw_buf_printf(b, " and %zu more page%s", more, more == 1 ? "" : "s");
}

/* " — on PAGE, PAGE and PAGE" (nothing for a gap of no page): at most max_pages named. */
static void gap_pages(pw_buf *b, const pw_capture_gap *g, size_t max_pages)
{
    size_t n = g->n_page_urls ? g->n_page_urls : g->page_url != NULL;
    if (!n)
        return;
    size_t shown = n < max_pages ? n : max_pages;
    int all = shown == n && !g->more_pages; /* the last one named ends the list: "and" */
    pw_buf_puts(b, " — on ");
    for (size_t i = 0; i < shown; i++) {
        if (i)
            pw_buf_puts(b, all && i + 1 == shown ? " and " : ", ");
        pw_report_url_masked(b, g->n_page_urls ? g->page_urls[i] : g->page_url);
    }
    more_pages(b, n - shown, g);
}

void pw_report_gap_line(pw_buf *b, const pw_capture_gap *g, size_t max_pages)
{
    pw_buf_puts(b, pw_gap_kind_name(g->kind));
    if (g->url)
        pw_buf_putc(b, ' ');
    if (g->kind == PW_GAP_SCRIPT || g->kind == PW_GAP_FRAME)
        host_path(b, g->url);
    else if (g->url)
        pw_report_url_masked(b, g->url);
    if (g->tracker)
        pw_buf_printf(b, " (%s)", g->tracker);
    pw_buf_printf(b, ": %s", g->error ? g->error : "failed");
    size_t times = g->pages ? g->pages : 1;
    gap_pages(b, g, max_pages);
    if (times > 1)
        pw_buf_printf(b, " (%zu times)", times);
}

/* Every page a script or frame gap happened on (page_url first) as far as listed, and how many
 * more (null: more, how many unknown). */
static void incomplete_pages_json(pw_jw *w, const pw_capture_gap *g)
{
    pw_jw_key(w, "page_urls");
    pw_jw_arr(w);
    size_t n = g->n_page_urls ? g->n_page_urls : g->page_url != NULL;
    for (size_t i = 0; i < n; i++)
        pw_jw_str(w, g->n_page_urls ? g->page_urls[i] : g->page_url);
    pw_jw_end_arr(w);
    pw_jw_key(w, "more_pages");
    if (g->more_pages && !g->n_more_pages)
        pw_jw_null(w);
    else
        pw_jw_int(w, (long long)(g->more_pages ? g->n_more_pages : 0));
}

static void gap_json(pw_jw *w, const pw_capture_gap *g)
{
    pw_jw_obj(w);
    pw_jw_kstr(w, "kind", pw_gap_kind_name(g->kind));
    pw_jw_kstr(w, "url", g->url);
    pw_jw_kstr(w, "page_url", g->page_url);
    pw_jw_kstr(w, "error", g->error);
    pw_jw_kstr(w, "tracker_id", g->tracker_id);
    pw_jw_kstr(w, "tracker", g->tracker);
    pw_jw_kint(w, "occurrences", (long long)(g->pages ? g->pages : 1));
    incomplete_pages_json(w, g);
    pw_jw_end_obj(w);
}

void pw_report_incomplete_json(pw_jw *w, const pw_scan_result *r)
{
    pw_jw_key(w, "complete");
    pw_jw_bool(w, pw_report_incomplete_count(r) == 0);
    static const char *const keys[] = {"incomplete_reasons", "error_pages", "notes"};
    for (int cat = GAPS_INCOMPLETE; cat <= GAPS_NOTES; cat++) {
        /* what makes the result incomplete, the pages that answered an HTTP error, the notes */
        pw_jw_key(w, keys[cat]);
        pw_jw_arr(w);
        for (size_t i = 0; i < r->n_gaps; i++)
            if (category(r->gaps[i].kind) == cat)
                gap_json(w, &r->gaps[i]);
        pw_jw_end_arr(w);
    }
}

void pw_report_incomplete_sarif(pw_jw *w, const pw_scan_result *r)
{
    pw_buf m, url;
    pw_buf_init(&m);
    pw_buf_init(&url);
    pw_jw_key(w, "invocations");
    pw_jw_arr(w);
    pw_jw_obj(w);
    pw_jw_key(w, "executionSuccessful");
    pw_jw_bool(w, pw_report_incomplete_count(r) == 0);
    pw_jw_key(w, "toolExecutionNotifications");
    pw_jw_arr(w);
    for (size_t i = 0; i < r->n_gaps; i++) {
        const pw_capture_gap *g = &r->gaps[i];
        int cat = category(g->kind), incomplete = cat == GAPS_INCOMPLETE;
        pw_buf_clear(&m);
        pw_buf_puts(&m, incomplete          ? "Incomplete scan: "
                        : cat == GAPS_NOTES ? "Note: "
                                            : "Error page: ");
        pw_report_gap_line(&m, g, GAP_PAGES_INLINE);
        pw_buf_puts(&m, incomplete ? ". What it would have sent was not observed; this is not a "
                                     "clean result."
                        : cat == GAPS_NOTES
                            ? ". What the scan did not do: pages or answers it did "
                              "not see may hold findings."
                            : ". The page the site meant was not seen: findings of an "
                              "earlier scan there are not called fixed.");
        pw_jw_obj(w);
        pw_jw_kstr(w, "level", incomplete ? "error" : cat == GAPS_NOTES ? "note" : "warning");
        pw_jw_key(w, "message");
        pw_jw_obj(w);
        pw_jw_key(w, "text");
        pw_jw_strn(w, m.data ? m.data : "", m.len);
        pw_jw_end_obj(w);
        pw_jw_key(w, "descriptor");
        pw_jw_obj(w);
        pw_jw_kstr(w, "id",
                   incomplete          ? "PW-INCOMPLETE"
                   : cat == GAPS_NOTES ? "PW-SCAN-NOTE"
                                       : "PW-ERROR-PAGE");
        pw_jw_end_obj(w);
        pw_report_sarif_location(w, g->page_url ? g->page_url : g->url);
        pw_jw_key(w, "properties");
        pw_jw_obj(w);
        pw_jw_kstr(w, "kind", pw_gap_kind_name(g->kind));
        /* query values masked as in the message: a dashboard gets no visitor input */
        pw_buf_clear(&url);
        if (g->url)
            pw_report_url_masked(&url, g->url);
        pw_jw_key(w, "url");
        if (g->url)
            pw_jw_strn(w, url.data ? url.data : "", url.len);
        else
            pw_jw_null(w);
        pw_jw_kstr(w, "error", g->error);
        pw_jw_kstr(w, "tracker_id", g->tracker_id);
        pw_jw_kint(w, "occurrences", (long long)(g->pages ? g->pages : 1));
        pw_jw_end_obj(w);
        pw_jw_end_obj(w);
    }
    pw_jw_end_arr(w);
    /* when the traffic was captured (the invocation may be a later reading of a HAR) */
    char first[32], last[32];
    pw_jw_key(w, "properties");
    pw_jw_obj(w);
    pw_jw_kstr(w, "captured_first",
               r->captured_first > 0 ? pw_report_utc_iso(r->captured_first, first, sizeof first)
                                     : NULL);
    pw_jw_kstr(w, "captured_last",
               r->captured_last > 0 ? pw_report_utc_iso(r->captured_last, last, sizeof last)
                                    : NULL);
    pw_jw_end_obj(w);
    pw_jw_end_obj(w);
    pw_jw_end_arr(w);
    pw_buf_free(&m);
    pw_buf_free(&url);
}

/* At most this many gaps are listed one per line; the rest are counted. */
#define GAP_LINES 20

/* One line per gap of the one category (GAPS_…), GAP_LINES at most. */
static void gap_lines_text(pw_buf *b, const pw_scan_result *r, int cat, pw_buf *line)
{
    size_t shown = 0, n = 0;
    for (size_t i = 0; i < r->n_gaps; i++) {
        if (category(r->gaps[i].kind) != cat)
            continue;
        if (n++ >= GAP_LINES)
            continue;
        pw_buf_puts(b, "\n  - ");
        pw_buf_clear(line);
        pw_report_gap_line(line, &r->gaps[i], GAP_PAGES_INLINE);
        pw_report_text_safe(b, line->data, line->len);
        shown++;
    }
    if (n > shown)
        pw_buf_printf(b, "\n  … and %zu more (--format json lists all)", n - shown);
}

void pw_report_incomplete_text(pw_buf *b, const pw_scan_result *r, int color)
{
    /* URLs, titles and errors come from the scanned site: they reach the terminal as text */
    pw_buf line;
    pw_buf_init(&line);
    if (pw_report_incomplete_count(r)) {
        pw_buf_puts(b, color ? "\n\033[1;37;41mINCOMPLETE:\033[0m " : "\nINCOMPLETE: ");
        pw_report_incomplete_headline(r, &line);
        pw_report_text_safe(b, line.data, line.len);
        pw_buf_puts(b,
                    " — what they would have sent was not observed; this is not a clean result.");
        gap_lines_text(b, r, GAPS_INCOMPLETE, &line);
    }
    if (error_page_count(r)) {
        pw_buf_clear(&line);
        pw_buf_puts(b, color ? "\n\033[1;33mERROR PAGES:\033[0m " : "\nERROR PAGES: ");
        error_pages_headline(r, &line);
        pw_report_text_safe(b, line.data, line.len);
        pw_buf_puts(b, " — the pages the site meant were not seen (findings of an earlier scan "
                       "there are not called fixed); a broken link does not make the scan "
                       "incomplete.");
        gap_lines_text(b, r, GAPS_ERROR_PAGES, &line);
    }
    if (category_count(r, GAPS_NOTES)) {
        pw_buf_clear(&line);
        pw_buf_puts(b, color ? "\n\033[1;33mNOTE:\033[0m " : "\nNOTE: ");
        notes_headline(r, &line);
        pw_report_text_safe(b, line.data, line.len);
        pw_buf_puts(b, " — what the scan did not do: pages or answers it did not see may hold "
                       "findings.");
        gap_lines_text(b, r, GAPS_NOTES, &line);
    }
    pw_buf_free(&line);
}

/* a gap's URL and error are the site's (or a HAR's): the banner stays valid UTF-8 with no
 * control character in it, as the rest of the HTML report (pw_report_html_text) */
static void html_text(pw_buf *b, const char *s, size_t n)
{
    pw_report_html_text(b, s ? s : "", s ? n : 0);
}

/* One block of gaps: open (the div and its title), the headline, tail, then a list item per gap
 * of the category (GAPS_…), every page listed. */
static void gaps_html(pw_buf *b, const pw_scan_result *r, int cat, const char *open,
                      const char *tail)
{
    pw_buf line;
    pw_buf_init(&line);
    if (cat == GAPS_INCOMPLETE)
        pw_report_incomplete_headline(r, &line);
    else if (cat == GAPS_NOTES)
        notes_headline(r, &line);
    else
        error_pages_headline(r, &line);
    pw_buf_puts(b, open);
    html_text(b, line.data, line.len);
    pw_buf_puts(b, tail);
    for (size_t i = 0; i < r->n_gaps; i++) {
        if (category(r->gaps[i].kind) != cat)
            continue;
        pw_buf_clear(&line);
        pw_report_gap_line(&line, &r->gaps[i], SIZE_MAX);
        pw_buf_puts(b, "<li>");
        html_text(b, line.data, line.len);
        pw_buf_puts(b, "</li>");
    }
    pw_buf_puts(b, "</ul></div>");
    pw_buf_free(&line);
}

/* The pages that answered an HTTP error come first, as a note, not the INCOMPLETE alert. */
void pw_report_incomplete_html(pw_buf *b, const pw_scan_result *r)
{
    if (error_page_count(r))
        gaps_html(b, r, GAPS_ERROR_PAGES,
                  "<div class=\"error-pages\" style=\"background:#fff8e1;border:1px solid "
                  "#b26a00;border-radius:8px;padding:12px 16px;margin:0 0 16px\">"
                  "<b>Error pages.</b> ",
                  ". The pages the site meant were not seen, so findings of an earlier scan there "
                  "are not called fixed; a broken link does not make the scan incomplete.<ul>");
    if (category_count(r, GAPS_NOTES))
        gaps_html(b, r, GAPS_NOTES,
                  "<div class=\"scan-notes\" role=\"note\" style=\"background:#fff8e1;border:2px "
                  "solid #b26a00;border-radius:8px;padding:12px 16px;margin:0 0 16px\">"
                  "<b>Note — what the scan did not do.</b> ",
                  ". Pages or answers it did not see may hold findings.<ul>");
    if (pw_report_incomplete_count(r))
        gaps_html(b, r, GAPS_INCOMPLETE,
                  "<div class=\"incomplete\" role=\"alert\" style=\"background:#fdecea;border:2px "
                  "solid #b3261e;border-radius:8px;padding:12px 16px;margin:0 0 16px\">"
                  "<b>INCOMPLETE — this is not a clean result.</b> ",
                  ". What they would have sent was not observed, so the absence of findings "
                  "below proves nothing about them.<ul>");
}
