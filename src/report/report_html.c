/*
 * report_html.c — `--format html`: one self-contained file (inline CSS, no script, no external
 * asset) a privacy officer can read, print and forward: summary, pages with their HHS context,
 * findings grouped by page then vendor, evidence with the PHI marked (<mark>), the legal
 * reasoning, the fix, and the raw request in a collapsible <details>. Page screenshots are
 * embedded as data: URIs.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "phiwall/text.h"
#include "phiwall/url.h"
#include "report/report_gaps.h"
#include "report/report_internal.h"

#define SCREENSHOT_MAX ((size_t)8 << 20)

static const char css[] =
    ":root{--ink:#1d2433;--muted:#5b6475;--line:#dfe3ea;--bg:#f5f7fa;--card:#fff;"
    "--critical:#a4161a;--high:#d9480f;--medium:#b7791f;--low:#1c6dd0;--info:#5b6475}"
    "*{box-sizing:border-box}body{margin:0;font:15px/1.5 system-ui,-apple-system,'Segoe UI',"
    "Roboto,sans-serif;color:var(--ink);background:var(--bg)}"
    "main{max-width:1100px;margin:0 auto;padding:0 24px 48px}"
    "header.top{background:#14213d;color:#fff;padding:28px 0 24px;margin-bottom:24px}"
    "header.top .in{max-width:1100px;margin:0 auto;padding:0 24px}"
    ".brand{font-weight:700;letter-spacing:.08em;text-transform:uppercase;font-size:12px;"
    "color:#9fb3d9}h1{margin:4px 0 6px;font-size:26px}header .meta{color:#c9d4ea;margin:0;"
    "word-break:break-all}"
    "h2{font-size:19px;margin:32px 0 12px;padding-bottom:6px;border-bottom:2px solid var(--line)}"
    "h3{font-size:16px;margin:0;word-break:break-all}h4{font-size:14px;margin:16px 0 8px;"
    "color:var(--muted);text-transform:uppercase;letter-spacing:.04em}"
    ".cards{display:grid;grid-template-columns:repeat(5,1fr);gap:12px}"
    ".card{background:var(--card);border:1px solid var(--line);border-radius:10px;"
    "padding:14px 16px;border-top:5px solid var(--c)}.card .n{font-size:30px;font-weight:700;"
    "color:var(--c)}.card .l{color:var(--muted);font-size:13px;text-transform:capitalize}"
    ".stats{color:var(--muted);margin:12px 0 0}"
    ".since{display:inline-block;border:1px solid var(--line);border-radius:999px;"
    "padding:0 8px;font-size:12px;color:var(--muted);margin-right:6px}"
    ".since.new{border-color:var(--c);color:var(--c);font-weight:700}"
    ".note{background:#fff8e6;border:1px solid #f0d79a;border-radius:8px;padding:12px 16px;"
    "margin-top:16px;font-size:14px}"
    "table{width:100%;border-collapse:collapse;background:var(--card);border:1px solid "
    "var(--line);border-radius:8px;overflow:hidden;font-size:14px}th,td{text-align:left;"
    "padding:8px 10px;border-bottom:1px solid var(--line);vertical-align:top}"
    "th{background:#eef1f6;font-size:12px;text-transform:uppercase;letter-spacing:.04em;"
    "color:var(--muted)}td.url{word-break:break-all}td.what{white-space:pre-line}"
    ".badge{display:inline-block;border-radius:999px;padding:1px 10px;font-size:12px;"
    "font-weight:600;color:#fff;background:var(--c);white-space:nowrap}"
    ".ctx{display:inline-block;border-radius:6px;padding:1px 8px;font-size:12px;"
    "border:1px solid var(--line);background:#f0f3f8;color:var(--ink);white-space:nowrap}"
    ".ctx.authenticated{background:#fde8e8;border-color:#f5b5b5}.ctx.care-intent{"
    "background:#fff1e0;border-color:#f6c58f}.ctx.condition{background:#fff9db;"
    "border-color:#eed67a}"
    ".why{color:var(--muted);font-size:12.5px}.sev-critical{--c:var(--critical)}.sev-high{--c:var(-"
    "-high)}.sev-medium{--c:var(--medium)}"
    ".sev-low{--c:var(--low)}.sev-info{--c:var(--info)}"
    "article.page{background:var(--card);border:1px solid var(--line);border-radius:10px;"
    "padding:18px 20px;margin:0 0 20px}article.page .head{display:flex;gap:10px;"
    "align-items:center;flex-wrap:wrap}.ptitle{color:var(--muted);margin:4px 0 0}"
    ".finding{border-left:4px solid var(--c);padding:10px 14px;margin:10px 0;background:#fbfcfe;"
    "border-radius:0 8px 8px 0}.finding .t{font-weight:600}.rule{font-family:ui-monospace,"
    "SFMono-Regular,Menlo,monospace;font-size:12px;color:var(--muted);margin-left:6px}"
    ".fmeta{color:var(--muted);font-size:13px;margin:2px 0 8px}"
    ".ev td{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:12.5px;"
    "word-break:break-all}.ev td.k{width:190px;color:var(--muted)}"
    "mark{background:#ffd8d8;color:#7a0010;border-radius:3px;padding:0 2px;font-weight:600}"
    ".hits{font-family:system-ui,sans-serif;color:var(--critical);font-size:12px}"
    ".legal{font-size:13.5px;margin:8px 0 4px}.legal b,.fix b{font-weight:600}"
    ".fix{background:#e9f7ef;border:1px solid #b7e1c6;border-radius:6px;padding:8px 12px;"
    "font-size:13.5px}code{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;"
    "font-size:12.5px;background:#eef1f6;padding:1px 4px;border-radius:4px}"
    "details.more>summary{color:var(--muted);margin:6px "
    "0}details{margin-top:8px}summary{cursor:pointer;color:var(--low);font-size:13px}"
    "pre{white-space:pre-wrap;word-break:break-all;background:#0f172a;color:#e2e8f0;"
    "padding:12px;border-radius:6px;font-size:12px;max-height:420px;overflow:auto}"
    "figure{margin:12px 0}figure img{max-width:100%;border:1px solid var(--line);"
    "border-radius:6px}"
    "footer{color:var(--muted);font-size:12.5px;margin-top:40px;border-top:1px solid "
    "var(--line);padding-top:12px}"
    "@media print{body{background:#fff}header.top{background:#fff;color:#000;"
    "border-bottom:2px solid #000}header .meta,.brand{color:#333}article.page,.finding{"
    "break-inside:avoid}summary{display:none}pre{max-height:none;background:#f4f4f4;"
    "color:#000}}";

/* HTML-escaped, valid UTF-8 whatever the site sent (pw_report_html_text). */
static void html_text(pw_buf *b, const char *s, size_t n)
{
    pw_report_html_text(b, s, n);
}

static void esc(pw_buf *b, const char *s)
{
    if (s)
        html_text(b, s, strlen(s));
}

/* A page URL with its query's values masked (pw_report_url_masked): the evidence shows, marked,
 * what of them a tracker received. */
static void esc_page(pw_buf *b, const char *url)
{
    pw_buf m;
    pw_buf_init(&m);
    pw_report_url_masked(&m, url);
    html_text(b, m.data ? m.data : "", m.len);
    if (m.failed)
        b->failed = 1;
    pw_buf_free(&m);
}

/* A page title with the query values it repeats masked (pw_report_title_masked). */
static void esc_title(pw_buf *b, const char *title, const char *url)
{
    pw_buf m;
    pw_buf_init(&m);
    pw_report_title_masked(&m, title, url);
    html_text(b, m.data ? m.data : "", m.len);
    if (m.failed)
        b->failed = 1;
    pw_buf_free(&m);
}

/* Remediation text: `code` spans become <code>. */
static void esc_code(pw_buf *b, const char *s)
{
    int in = 0;
    for (const char *p = s ? s : ""; *p;) {
        const char *tick = strchr(p, '`');
        size_t n = tick ? (size_t)(tick - p) : strlen(p);
        html_text(b, p, n);
        if (!tick)
            break;
        pw_buf_puts(b, in ? "</code>" : "<code>");
        in = !in;
        p = tick + 1;
    }
    if (in)
        pw_buf_puts(b, "</code>");
}

static void html_span(pw_buf *out, const char *s, size_t n, const pw_hit *h, void *ctx)
{
    if (h) {
        pw_buf_puts(out, "<mark title=\"");
        pw_buf label;
        pw_buf_init(&label);
        pw_report_hit_label(&label, h);
        if (label.data)
            html_text(out, label.data, label.len);
        pw_buf_free(&label);
        pw_buf_puts(out, "\">");
    }
    html_text(out, s, n);
    if (h)
        pw_buf_puts(out, "</mark>");
}

static void summary(pw_buf *b, const pw_scan_result *r)
{
    size_t counts[PW_SEV__COUNT];
    pw_report_counts(r, counts);
    pw_buf_puts(b, "<section>");
    pw_report_incomplete_html(b, r);
    pw_buf_puts(b, "<div class=\"cards\">");
    for (int s = PW_SEV_CRITICAL; s >= PW_SEV_INFO; s--)
        pw_buf_printf(b,
                      "<div class=\"card sev-%s\"><div class=\"n\">%zu</div>"
                      "<div class=\"l\">%s</div></div>",
                      pw_severity_name((pw_severity)s), counts[s],
                      pw_severity_name((pw_severity)s));
    int inferred = r->source == PW_SOURCE_STATIC;
    size_t pages = pw_report_page_keys(r);
    pw_buf_printf(b, "</div><p class=\"stats\">%zu page%s", pages, pages == 1 ? "" : "s");
    if (pages != r->n_pages) /* the findings' "from 2 URLs": a page is its address without query */
        pw_buf_printf(b, " (%zu URLs with their queries)", r->n_pages);
    pw_buf_printf(b,
                  " · %zu request%s%s · %zu to third "
                  "parties · %zu tracker beacon%s %s%s</p>",
                  r->n_requests, r->n_requests == 1 ? "" : "s", inferred ? " inferred" : "",
                  r->n_third_party, r->n_tracker_beacons, r->n_tracker_beacons == 1 ? "" : "s",
                  inferred ? "inferred" : "decoded",
                  r->n_decode_errors ? " · some bodies could not be decoded" : "");
    if (inferred)
        pw_buf_puts(b, "<div class=\"note\"><b>Static triage: inferred, not observed.</b> "
                       "These requests were built from the tags found in each page's HTML: "
                       "they are what the tags would send, not traffic phiwall saw. Confirm "
                       "with a browser scan or a HAR before treating a finding as a "
                       "disclosure.</div>");
    pw_buf_puts(b, "<div class=\"note\"><b>How to read this report.</b> <i>Critical</i> and "
                   "<i>high</i> findings are disclosures of protected health information under the "
                   "HHS OCR guidance on tracking technologies (Dec 2022, revised March 2024): "
                   "trackers on authenticated pages, and button text, search terms, form values or "
                   "identifiers sent from pages about the visitor's own care. Two kinds of "
                   "<i>high</i> finding are no HIPAA disclosure, as their reasoning says: a "
                   "tracker that "
                   "fired after the visitor refused tracking (PW-CONSENT, a consent failure) and "
                   "values typed on a general page such as a job application (PW-FORM-VALUES). "
                   "<i>Medium</i> "
                   "condition-page findings are elevated risk only: <i>AHA v. Becerra</i> (N.D. "
                   "Tex., June 20 2024) vacated the guidance for an IP address joined with a visit "
                   "to a public page about a condition or provider. <i>Info</i> lists trackers on "
                   "general pages for inventory.</div></section>");
}

/* The findings' page keys (pw_url_page_key) as numbers: a finding stands for every page URL with
 * its key (the same page with another query string). Grouping a page's findings is then a
 * lookup, not a string comparison per pair of findings: the report of a 20,000-page scan
 * (300,000 findings) would otherwise take hours. */
typedef struct page_keys {
    size_t n;     /* findings */
    uint32_t *id; /* per finding: its key's number (32 bits: a 100,000-page scan has 600,000) */
    /* per number: the page URL of its first finding, the result's own string (its key is made
     * again where keys are compared: a copy of each key was ~56 bytes a page with malloc's) */
    const char **url;
    size_t n_keys, cap_keys;
    /* open addressing over the keys: number + 1, 0 empty; at most half full, grown with the keys
     * (sized for the findings it held 16 MiB at 600,000 findings, most of it for nothing) */
    uint32_t *slot;
    size_t cap;
    /* per key number: its findings of every severity (the pages table's count and badge) */
    uint32_t *count;
    int *max;
    /* per key number: its findings above info, in report order: order[start[k] .. + len[k]] */
    uint32_t *start, *len, *order;
    /* per key number with findings above info: the first page whose URL is its article's (url[k]
     * then: its first finding above info), index + 1, 0 none (page_of; an index of the pages by
     * URL took 8-16 bytes a page) */
    uint32_t *page_at;
} page_keys;

static uint64_t hash_bytes(uint64_t h, const char *s)
{
    for (; s && *s; s++)
        h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
    return h;
}

static uint64_t hash_key(const char *s)
{
    return hash_bytes(0xcbf29ce484222325ULL, s);
}

/* The page key of a URL (pw_url_page_key): in small when it fits, else malloc'd (*heap set);
 * NULL on no memory. */
static const char *page_key_of(const char *url, char *small, size_t cap, char **heap)
{
    *heap = NULL;
    size_t len = pw_url_page_key(url, small, cap);
    if (len < cap)
        return small;
    if ((*heap = malloc(len + 1)))
        pw_url_page_key(url, *heap, len + 1);
    return *heap;
}

/* 1 when url's page key is k (-1 on no memory). */
static int key_is(const char *url, const char *k)
{
    char small[512], *heap;
    const char *uk = page_key_of(url, small, sizeof small, &heap);
    int same = uk ? strcmp(uk, k) == 0 : -1;
    free(heap);
    return same;
}

/* The hash of url's page key in *h; 0 on no memory. */
static int url_key_hash(const char *url, uint64_t *h)
{
    char small[512], *heap;
    const char *k = page_key_of(url, small, sizeof small, &heap);
    if (k)
        *h = hash_key(k);
    free(heap);
    return k != NULL;
}

static void page_keys_free(page_keys *pk)
{
    free(pk->url);
    free(pk->id);
    free(pk->slot);
    free(pk->count);
    free(pk->max);
    free(pk->start);
    free(pk->len);
    free(pk->order);
    free(pk->page_at);
}

/* Smallest power of two at least 2n (a table at most half full). */
static size_t table_cap(size_t n)
{
    size_t cap = 16;
    while (cap < 2 * n)
        cap *= 2;
    return cap;
}

/* Room for one more key: the slots rebuilt twice as large past half full, the keys' array
 * grown; 0 on no memory. */
static int page_keys_reserve(page_keys *pk)
{
    if (pk->n_keys == pk->cap_keys) {
        size_t cap = pk->cap_keys ? pk->cap_keys * 2 : 64;
        const char **v = realloc(pk->url, cap * sizeof *v);
        if (!v)
            return 0;
        pk->url = v;
        pk->cap_keys = cap;
    }
    if ((pk->n_keys + 1) * 2 <= pk->cap)
        return 1;
    size_t cap = table_cap(pk->n_keys + 1);
    uint32_t *slot = calloc(cap, sizeof *slot);
    if (!slot)
        return 0;
    for (size_t k = 0; k < pk->n_keys; k++) {
        uint64_t h;
        if (!url_key_hash(pk->url[k], &h)) {
            free(slot);
            return 0;
        }
        size_t i = h & (cap - 1);
        while (slot[i])
            i = (i + 1) & (cap - 1);
        slot[i] = (uint32_t)(k + 1);
    }
    free(pk->slot);
    pk->slot = slot;
    pk->cap = cap;
    return 1;
}

/* The slot of url's page key: its number + 1 there, or the empty slot it would take (*slot_at);
 * -1 on no memory. The same URL as a key's is that key without making it again. */
static int key_slot(const page_keys *pk, const char *url, size_t *slot_at)
{
    char small[512], *heap;
    const char *k = page_key_of(url, small, sizeof small, &heap);
    if (!k)
        return -1;
    size_t i = hash_key(k) & (pk->cap - 1);
    for (; pk->slot[i]; i = (i + 1) & (pk->cap - 1)) {
        const char *ku = pk->url[pk->slot[i] - 1];
        int same = ku == url || strcmp(ku, url) == 0 ? 1 : key_is(ku, k);
        if (same < 0) {
            free(heap);
            return -1;
        }
        if (same)
            break;
    }
    free(heap);
    *slot_at = i;
    return 0;
}

/* The number of url's page key (a new one when unknown), SIZE_MAX on no memory. url is the
 * result's own string, kept as the key's (valid as long as the result). */
static size_t page_key_intern(page_keys *pk, const char *url)
{
    size_t i;
    if (!page_keys_reserve(pk) || key_slot(pk, url, &i) != 0)
        return SIZE_MAX;
    if (pk->slot[i])
        return pk->slot[i] - 1;
    pk->url[pk->n_keys] = url;
    pk->slot[i] = (uint32_t)++pk->n_keys;
    return pk->n_keys - 1;
}

/* The number of the page key of url, SIZE_MAX when no finding has it (or no memory). */
static size_t page_key_find(const page_keys *pk, const char *url)
{
    size_t i;
    if (!pk->cap || key_slot(pk, url, &i) != 0 || !pk->slot[i]) /* no finding has it */
        return SIZE_MAX;
    return pk->slot[i] - 1;
}

/* The first page with each article's URL, by its index (page_of). */
static void page_index_init(page_keys *pk, const pw_scan_result *r)
{
    for (size_t p = 0; p < r->n_pages; p++) {
        const char *url = r->pages[p].url;
        size_t k = url ? page_key_find(pk, url) : SIZE_MAX;
        if (k != SIZE_MAX && pk->len[k] && !pk->page_at[k] && strcmp(pk->url[k], url) == 0)
            pk->page_at[k] = (uint32_t)(p + 1);
    }
}

static int page_keys_init(page_keys *pk, const pw_scan_result *r)
{
    size_t n = r->n_findings, one = n ? n : 1;
    if (n >= UINT32_MAX / 2 || r->n_pages >= UINT32_MAX / 2)
        return -1;
    pk->n = n;
    pk->id = calloc(one, sizeof *pk->id);
    pk->order = calloc(one, sizeof *pk->order);
    if (!pk->id || !pk->order)
        return -1;
    for (size_t i = 0; i < n; i++) {
        pw_finding tmp;
        const char *url = pw_report_brief(r, i, &tmp)->page_url;
        size_t id = page_key_intern(pk, url ? url : "");
        if (id == SIZE_MAX)
            return -1;
        pk->id[i] = (uint32_t)id;
    }
    size_t nk = pk->n_keys ? pk->n_keys : 1;
    pk->count = calloc(nk, sizeof *pk->count);
    pk->max = malloc(nk * sizeof *pk->max);
    pk->start = calloc(nk, sizeof *pk->start);
    pk->len = calloc(nk, sizeof *pk->len);
    pk->page_at = calloc(nk, sizeof *pk->page_at);
    if (!pk->count || !pk->max || !pk->start || !pk->len || !pk->page_at)
        return -1;
    for (size_t k = 0; k < pk->n_keys; k++)
        pk->max[k] = -1;
    for (size_t i = 0; i < n; i++) {
        size_t k = pk->id[i];
        int sev = (int)pw_scan_result_severity(r, i);
        pk->count[k]++;
        if (sev > pk->max[k])
            pk->max[k] = sev;
        pk->len[k] += sev != PW_SEV_INFO;
    }
    for (size_t k = 1; k < pk->n_keys; k++)
        pk->start[k] = pk->start[k - 1] + pk->len[k - 1];
    uint32_t *fill = calloc(nk, sizeof *fill);
    if (!fill)
        return -1;
    for (size_t i = 0; i < n; i++) {
        size_t k = pk->id[i];
        if (pw_scan_result_severity(r, i) == PW_SEV_INFO)
            continue;
        if (!fill[k]) { /* the key's URL becomes its article's: the same key, page_of finds it */
            pw_finding tmp;
            const char *url = pw_report_brief(r, i, &tmp)->page_url;
            pk->url[k] = url ? url : "";
        }
        pk->order[pk->start[k] + fill[k]++] = (uint32_t)i;
    }
    free(fill);
    page_index_init(pk, r);
    return 0;
}

/* The number of findings on the page of url (its key) and their highest severity, -1 if none. */
static int page_max_severity(const page_keys *pk, const char *url, size_t *n)
{
    size_t k = page_key_find(pk, url);
    *n = k == SIZE_MAX ? 0 : pk->count[k];
    return k == SIZE_MAX ? -1 : pk->max[k];
}

static int same_str(const char *x, const char *y)
{
    return x == y || (x && y && strcmp(x, y) == 0);
}

/* A page as the pages table shows it: URL and title with what the visitor typed masked. Made
 * when a page's row is looked up and again where its row is written, never kept for every page
 * (~80 bytes a page with malloc's). */
typedef struct page_mask {
    char *url, *title;
} page_mask;

static void mask_free(page_mask *m)
{
    free(m->url);
    free(m->title);
    m->url = m->title = NULL;
}

/* The buffer's text (its NUL included), or NULL when it failed. */
static char *steal_or_fail(pw_buf *m, int *failed)
{
    *failed |= m->failed;
    return pw_buf_steal(m, NULL);
}

/* Page i's URL with its query's values masked (pw_report_url_masked) and its title with the
 * values it repeats masked (pw_report_title_masked; NULL without a title); -1 on no memory. */
static int mask_of(const pw_scan_result *r, size_t i, page_mask *m)
{
    int failed = 0;
    pw_buf b;
    pw_buf_init(&b);
    pw_report_url_masked(&b, r->pages[i].url);
    pw_buf_putc(&b, '\0');
    m->url = steal_or_fail(&b, &failed);
    m->title = NULL;
    if (r->pages[i].title) {
        pw_buf_init(&b);
        pw_report_title_masked(&b, r->pages[i].title, r->pages[i].url);
        pw_buf_putc(&b, '\0');
        m->title = steal_or_fail(&b, &failed);
    }
    if (failed || !m->url || (r->pages[i].title && !m->title)) {
        mask_free(m);
        return -1;
    }
    return 0;
}

/* Two pages' rows read the same: masked URL and title, context and its reason (one form's
 * submissions, or one search's result pages, which differ only in what the visitor typed). */
static int same_row(const pw_scan_result *r, const page_mask *mi, size_t i, const page_mask *mj,
                    size_t j)
{
    const char *const *why = r->page_reasons;
    return same_str(mi->url, mj->url) && r->page_contexts[i] == r->page_contexts[j] &&
           same_str(mi->title, mj->title) && (!why || same_str(why[i], why[j]));
}

/* The rows of the pages table, numbered in the order of their first page (so a row's first page
 * comes after the previous row's), each with the number of pages it stands for. A hash of the
 * row's parts finds the rows to compare with, instead of every earlier page; what is kept grows
 * with the rows, nothing a page (a row's number and a mask a page were ~100 bytes). */
typedef struct row_groups {
    uint32_t *first; /* per row: its first page */
    uint32_t *count; /* per row: its pages */
    uint32_t *hash;  /* per row: row_hash's low bits */
    size_t n, cap_rows;
    uint32_t *slot; /* row + 1, 0 empty; at most half full */
    size_t cap;
} row_groups;

static uint32_t row_hash(const pw_scan_result *r, const page_mask *m, size_t i)
{
    /* NULL and "" differ (same_str): each part hashed with a marker of whether it is there */
    const char *why = r->page_reasons ? r->page_reasons[i] : NULL;
    uint64_t h = hash_bytes(hash_key(m->url) + !m->url, m->title);
    h = hash_bytes(h * 31 + !m->title, why);
    return (uint32_t)((h * 31 + !why) * 31 + (uint64_t)r->page_contexts[i]);
}

static void row_groups_free(row_groups *g)
{
    free(g->first);
    free(g->count);
    free(g->hash);
    free(g->slot);
}

/* Room for one more row (the slots rebuilt twice as large past half full); 0 on no memory. */
static int rows_reserve(row_groups *g)
{
    if (g->n == g->cap_rows) {
        size_t cap = g->cap_rows ? g->cap_rows * 2 : 64;
        uint32_t *first = realloc(g->first, cap * sizeof *first);
        if (first)
            g->first = first;
        uint32_t *count = first ? realloc(g->count, cap * sizeof *count) : NULL;
        if (count)
            g->count = count;
        uint32_t *hash = count ? realloc(g->hash, cap * sizeof *hash) : NULL;
        if (!hash)
            return 0;
        g->hash = hash;
        g->cap_rows = cap;
    }
    if ((g->n + 1) * 2 <= g->cap)
        return 1;
    size_t cap = table_cap(g->n + 1);
    uint32_t *slot = calloc(cap, sizeof *slot);
    if (!slot)
        return 0;
    for (size_t k = 0; k < g->n; k++) {
        size_t i = g->hash[k] & (cap - 1);
        while (slot[i])
            i = (i + 1) & (cap - 1);
        slot[i] = (uint32_t)(k + 1);
    }
    free(g->slot);
    g->slot = slot;
    g->cap = cap;
    return 1;
}

/* Page p (masked m) into its row: the row of an earlier page whose row reads the same, else a
 * new one. -1 on no memory. */
static int row_add(row_groups *g, const pw_scan_result *r, size_t p, const page_mask *m)
{
    if (!rows_reserve(g))
        return -1;
    uint32_t h = row_hash(r, m, p);
    size_t i = h & (g->cap - 1);
    for (; g->slot[i]; i = (i + 1) & (g->cap - 1)) {
        size_t row = g->slot[i] - 1, q = g->first[row];
        if (g->hash[row] != h)
            continue;
        page_mask mq;
        if (mask_of(r, q, &mq) != 0)
            return -1;
        int same = same_row(r, m, p, &mq, q);
        mask_free(&mq);
        if (same) {
            g->count[row]++;
            return 0;
        }
    }
    g->first[g->n] = (uint32_t)p;
    g->count[g->n] = 1;
    g->hash[g->n] = h;
    g->slot[i] = (uint32_t)++g->n;
    return 0;
}

static int row_groups_init(row_groups *g, const pw_scan_result *r)
{
    for (size_t p = 0; p < r->n_pages; p++) {
        page_mask m;
        if (mask_of(r, p, &m) != 0)
            return -1;
        int st = row_add(g, r, p, &m);
        mask_free(&m);
        if (st != 0)
            return -1;
    }
    return 0;
}

/* The pages with their HHS context. Rows that read the same once masked are one row with the
 * number of URLs it stands for: a form submitted ten times is one page to a reader. */
static void pages_table(pw_buf *b, const pw_scan_result *r, const page_keys *pk)
{
    row_groups rows = {0};
    if (row_groups_init(&rows, r) != 0) {
        row_groups_free(&rows);
        b->failed = 1;
        return;
    }
    pw_buf_puts(b, "<section><h2>Pages</h2><table><tr><th>Page</th><th>HHS context</th>"
                   "<th>Why</th><th>Findings</th></tr>");
    for (size_t row = 0; row < rows.n; row++) {
        size_t i = rows.first[row], same = rows.count[row];
        page_mask mask;
        if (mask_of(r, i, &mask) != 0) {
            b->failed = 1;
            break;
        }
        size_t n;
        int max = page_max_severity(pk, r->pages[i].url, &n);
        const char *ctx = pw_hhs_context_name(r->page_contexts[i]);
        pw_buf_puts(b, "<tr><td class=\"url\">");
        esc(b, mask.url);
        if (same > 1)
            pw_buf_printf(b, " (%zu URLs)", same);
        if (mask.title) {
            pw_buf_puts(b, "<div class=\"ptitle\">");
            esc(b, mask.title);
            pw_buf_puts(b, "</div>");
        }
        mask_free(&mask);
        pw_buf_printf(b, "</td><td><span class=\"ctx %s\">%s</span></td><td>", ctx, ctx);
        esc(b, r->page_reasons ? r->page_reasons[i] : NULL);
        pw_buf_puts(b, "</td><td>");
        if (max >= 0)
            pw_buf_printf(b, "%zu <span class=\"badge sev-%s\">%s</span>", n,
                          pw_severity_name((pw_severity)max), pw_severity_name((pw_severity)max));
        else
            pw_buf_puts(b, "—");
        pw_buf_puts(b, "</td></tr>");
        pw_buf_spill(b, PW_BUF_SPILL_AT); /* a row is never revisited */
    }
    pw_buf_puts(b, "</table></section>");
    row_groups_free(&rows);
}

static void evidence(pw_buf *b, const pw_finding *f)
{
    if (!f->n_evidence)
        return;
    pw_buf_puts(b,
                "<table class=\"ev\"><tr><th>Field</th><th>Value as sent (PHI marked)</th></tr>");
    for (size_t i = 0; i < f->n_evidence; i++) {
        const pw_evidence *ev = &f->evidence[i];
        pw_buf_puts(b, "<tr><td class=\"k\">");
        esc(b, ev->key);
        pw_buf_printf(b, "<br><small>%s</small></td><td>", pw_field_kind_name(ev->kind));
        pw_report_spans(ev, b, html_span, NULL);
        if (ev->n_hits) {
            pw_buf label;
            pw_buf_init(&label);
            pw_report_hit_labels(&label, ev, " · ");
            pw_buf_puts(b, "<div class=\"hits\">");
            if (label.data)
                html_text(b, label.data, label.len);
            pw_buf_puts(b, "</div>");
            if (label.failed)
                b->failed = 1;
            pw_buf_free(&label);
        }
        pw_buf_puts(b, "</td></tr>");
    }
    pw_buf_puts(b, "</table>");
}

static void raw_request(pw_buf *b, const pw_request *q)
{
    if (!q)
        return;
    int inferred = 0; /* a static scan's request, built from the HTML (static_extract.c) */
    for (size_t i = 0; i < q->n_headers; i++)
        inferred |= q->headers[i].name && strcasecmp(q->headers[i].name, "X-Phiwall-Inferred") == 0;
    pw_buf_puts(b, inferred ? "<details><summary>Inferred request (built from the page's HTML, "
                              "not observed)</summary><pre>"
                            : "<details><summary>Raw request</summary><pre>");
    esc(b, q->method);
    pw_buf_putc(b, ' ');
    esc(b, q->url);
    pw_buf_putc(b, '\n');
    for (size_t i = 0; i < q->n_headers; i++) {
        const char *name = q->headers[i].name;
        esc(b, name);
        pw_buf_puts(b, ": ");
        /* the Referer is the page's URL (or a frame's inside it): its query values (what the
         * visitor typed) are masked as wherever this report names a page; the evidence shows,
         * marked, what was sent */
        if (name && strcasecmp(name, "Referer") == 0 && q->headers[i].value)
            esc_page(b, q->headers[i].value);
        else
            esc(b, q->headers[i].value);
        pw_buf_putc(b, '\n');
    }
    if (q->body && q->body_len) {
        pw_buf_putc(b, '\n');
        html_text(b, (const char *)q->body, q->body_len);
    }
    pw_buf_puts(b, "</pre></details>");
}

/* The page URLs a finding stands for, when there are several: the evidence is from the first.
 * Masked, the URLs of one form's submissions read the same (`?first_name=…&dob=…`): each masked
 * form is listed once, with how many URLs it stands for. */
static void page_urls(pw_buf *b, const pw_finding *f)
{
    if (f->page_variants < 2)
        return;
    pw_buf_printf(b, "<details class=\"more\"><summary>Page URLs (%zu", f->page_variants);
    if (f->n_page_urls < f->page_variants)
        pw_buf_printf(b, ", the first %zu shown", f->n_page_urls);
    pw_buf_puts(b, "); the evidence below was sent from ");
    esc_page(b, f->page_url);
    pw_buf_puts(b, "</summary><ul class=\"urls\">");
    pw_buf cur, other;
    pw_buf_init(&cur);
    pw_buf_init(&other);
    for (size_t i = 0; i < f->n_page_urls; i++) {
        pw_buf_clear(&cur);
        pw_report_url_masked(&cur, f->page_urls[i]);
        size_t same = 0, earlier = 0; /* URLs whose masked form reads the same */
        for (size_t j = 0; j < f->n_page_urls; j++) {
            pw_buf_clear(&other);
            pw_report_url_masked(&other, f->page_urls[j]);
            if (other.len == cur.len && (!cur.len || memcmp(other.data, cur.data, cur.len) == 0)) {
                same++;
                earlier += j < i;
            }
        }
        if (earlier)
            continue; /* listed with the first of them */
        pw_buf_puts(b, "<li class=\"url\">");
        html_text(b, cur.data ? cur.data : "", cur.len);
        if (same > 1)
            pw_buf_printf(b, " (%zu URLs)", same);
        pw_buf_puts(b, "</li>");
    }
    if (cur.failed || other.failed)
        b->failed = 1;
    pw_buf_free(&cur);
    pw_buf_free(&other);
    pw_buf_puts(b, "</ul></details>");
}

/* With a baseline: "new", "was medium" or "in baseline" beside the severity. */
static void since_badge(pw_buf *b, const pw_finding *f, const pw_baseline_diff *d, size_t i)
{
    if (!d)
        return;
    if (d->state[i] == PW_BASELINE_NEW)
        pw_buf_puts(b, "<span class=\"since new\">new</span>");
    else if (d->was[i] != (int)f->severity)
        pw_buf_printf(b, "<span class=\"since\">was %s</span>",
                      pw_severity_name((pw_severity)d->was[i]));
    else
        pw_buf_puts(b, "<span class=\"since\">in baseline</span>");
}

/* "Why it matters" in full with a rule's first finding, "as for the first … finding above"
 * after: the reasoning is the same paragraph for every tracker and page (report_why.c). No
 * link to it: the report holds no anchor element, so none of the site's can pass for one. */
static void why_matters(pw_buf *b, const pw_finding *f, pw_why_seen *ws)
{
    pw_buf_puts(b, "<p class=\"legal\"><b>Why it matters.</b> ");
    if (pw_why_again(ws, f->rule_id, f->legal, b)) {
        pw_buf_puts(b, "As for the first ");
        esc(b, f->rule_id);
        pw_buf_puts(b, " finding above.</p>");
        return;
    }
    esc(b, f->legal);
    pw_buf_puts(b, "</p>");
}

static void finding(pw_buf *b, const pw_scan_result *r, const pw_baseline_diff *d, size_t i,
                    pw_report_loader *ld, pw_why_seen *ws)
{
    const pw_finding *f = pw_report_load(ld, i);
    const char *sev = pw_severity_name(f->severity);
    pw_buf_printf(b, "<div class=\"finding sev-%s\"><span class=\"badge\">%s</span> ", sev, sev);
    since_badge(b, f, d, i);
    pw_buf_puts(b, "<span class=\"t\">");
    esc(b, f->title);
    pw_buf_printf(b, "</span><span class=\"rule\">%s</span><div class=\"fmeta\">", f->rule_id);
    if (f->account_id) { /* a page's findings are grouped by tracker: which pixel is this */
        pw_buf_puts(b, "account <code>");
        esc(b, f->account_id);
        pw_buf_puts(b, "</code> · ");
    }
    if (f->event_name) {
        pw_buf_puts(b, "event <code>");
        esc(b, f->event_name);
        pw_buf_puts(b, "</code> · ");
    }
    pw_buf_printf(b, "%zu request%s", f->occurrences, f->occurrences == 1 ? "" : "s");
    if (f->page_variants > 1)
        pw_buf_printf(b, " from %zu URLs of this page", f->page_variants);
    if (f->before_consent)
        pw_buf_puts(b, " · before consent");
    if (f->after_reject)
        pw_buf_puts(b, " · after the visitor rejected tracking");
    if (f->baa_declared)
        pw_buf_puts(b, " · covered by the declared BAA");
    pw_buf_puts(b, "</div>");
    page_urls(b, f);
    evidence(b, f);
    why_matters(b, f, ws);
    pw_buf_puts(b, "<div class=\"fix\"><b>Fix.</b> ");
    esc_code(b, f->remediation);
    pw_buf_puts(b, "</div>");
    raw_request(b, f->request);
    pw_buf_puts(b, "</div>");
}

static void screenshot(pw_buf *b, const char *path)
{
    FILE *fp = path ? fopen(path, "rb") : NULL;
    if (!fp)
        return;
    unsigned char *data = malloc(SCREENSHOT_MAX);
    size_t n = data ? fread(data, 1, SCREENSHOT_MAX, fp) : 0;
    fclose(fp);
    if (n > 8 && n < SCREENSHOT_MAX && memcmp(data, "\x89PNG", 4) == 0) {
        pw_arena a;
        pw_arena_init(&a, 0);
        char *b64 = pw_base64_encode(&a, data, n);
        if (b64)
            pw_buf_printf(b,
                          "<figure><img alt=\"screenshot of the page\" "
                          "src=\"data:image/png;base64,%s\"></figure>",
                          b64);
        pw_arena_free(&a);
    }
    free(data);
}

/* The first page with the URL of key k's article (its first finding above info). */
static const pw_page *page_of(const pw_scan_result *r, const page_keys *pk, size_t k, size_t *idx)
{
    if (!pk->page_at[k])
        return NULL;
    *idx = pk->page_at[k] - 1;
    return &r->pages[*idx];
}

/* A tracker's name (pw_report_finding_tracker, pw_report_use_tracker), escaped; frees name. */
static void esc_label(pw_buf *b, pw_buf *name)
{
    pw_buf_putc(name, '\0');
    esc(b, name->data ? name->data : "");
    if (name->failed)
        b->failed = 1;
    pw_buf_free(name);
}

/* A filter-list finding names its company by its request's host: read back when spilled. */
static const pw_finding *named(pw_report_loader *ld, size_t i, pw_finding *tmp)
{
    const pw_finding *f = pw_report_brief(ld->r, i, tmp);
    return pw_tracker_is_filter_list(f->tracker) ? pw_report_load(ld, i) : f;
}

static void esc_tracker(pw_buf *b, size_t i, pw_report_loader *ld)
{
    pw_buf name;
    pw_buf_init(&name);
    pw_finding tmp;
    pw_report_finding_tracker(named(ld, i, &tmp), &name);
    esc_label(b, &name);
}

/* Do f and g name the same tracker: the same product and, for a filter-list entry (one entry,
 * many companies), the same company? A page's findings are grouped under it. The company is the
 * registrable domain (as SARIF's fingerprint): two findings whose evidence came from two hosts of
 * one company are one tracker; the host only stands in when no company was recorded. */
static int same_tracker(size_t fi, size_t gi, pw_report_loader *ld)
{
    pw_finding ft, gt;
    const pw_finding *f = pw_report_brief(ld->r, fi, &ft), *g = pw_report_brief(ld->r, gi, &gt);
    if (strcmp(pw_report_product(g->tracker), pw_report_product(f->tracker)) != 0)
        return 0;
    if (f->company && g->company)
        return strcmp(f->company, g->company) == 0;
    char hf[256], hg[256];
    const char *a = pw_report_list_host(named(ld, fi, &ft), hf, sizeof hf),
               *b = pw_report_list_host(named(ld, gi, &gt), hg, sizeof hg);
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* Has an earlier finding of the page (list[0 .. at), above info, in sorted order) the same
 * tracker as list[at]? */
static int tracker_seen_before(const pw_scan_result *r, const uint32_t *list, size_t at,
                               pw_report_loader *ld)
{
    (void)r;
    for (size_t j = 0; j < at; j++)
        if (same_tracker(list[at], list[j], ld))
            return 1;
    return 0;
}

/* The article of a page (key number k): its findings above info grouped by tracker, in the
 * order of each tracker's first finding. */
static void page_article(pw_buf *b, const pw_scan_result *r, const page_keys *pk,
                         const pw_baseline_diff *d, size_t k, pw_report_loader *ld, pw_why_seen *ws)
{
    const uint32_t *list = pk->order + pk->start[k];
    size_t n_list = pk->len[k];
    size_t first = list[0];
    pw_finding first_tmp;
    const pw_finding *first_f = pw_report_brief(r, first, &first_tmp);
    const char *url = first_f->page_url;
    size_t pi = 0;
    const pw_page *p = page_of(r, pk, k, &pi);
    pw_hhs_context ctx = p ? r->page_contexts[pi] : first_f->context;
    pw_buf_puts(b, "<article class=\"page\"><div class=\"head\"><h3>");
    esc_page(b, url);
    pw_buf_printf(b, "</h3><span class=\"ctx %s\">%s</span>", pw_hhs_context_name(ctx),
                  pw_hhs_context_name(ctx));
    if (p && r->page_reasons && r->page_reasons[pi]) {
        pw_buf_puts(b, "<span class=\"why\">");
        esc(b, r->page_reasons[pi]);
        pw_buf_puts(b, "</span>");
    }
    pw_buf_puts(b, "</div>");
    if (p && p->title) {
        pw_buf_puts(b, "<p class=\"ptitle\">");
        esc_title(b, p->title, p->url);
        pw_buf_puts(b, "</p>");
    }
    if (p)
        screenshot(b, p->screenshot_png);
    for (size_t a = 0; a < n_list; a++) {
        pw_severity fv_sev = pw_scan_result_severity(r, list[a]);
        if (a && tracker_seen_before(r, list, a, ld))
            continue;
        pw_buf_puts(b, "<h4>");
        esc_tracker(b, list[a], ld);
        pw_buf_puts(b, "</h4>");
        /* the tracker's most severe findings in full, the rest folded away */
        size_t n_more = 0;
        for (int pass = 0; pass < 2; pass++) {
            if (pass == 1 && n_more)
                pw_buf_printf(b,
                              "<details class=\"more\"><summary>%zu more finding%s for this "
                              "tracker at lower severity</summary>",
                              n_more, n_more == 1 ? "" : "s");
            for (size_t c = a; c < n_list; c++) {
                if (!same_tracker(list[c], list[a], ld))
                    continue;
                int top = pw_scan_result_severity(r, list[c]) == fv_sev;
                if (pass == 0 && top)
                    finding(b, r, d, list[c], ld, ws);
                else if (pass == 0)
                    n_more++;
                else if (!top)
                    finding(b, r, d, list[c], ld, ws);
            }
        }
        if (n_more)
            pw_buf_puts(b, "</details>");
    }
    pw_buf_puts(b, "</article>");
}

static void trackers_seen(pw_buf *b, const pw_scan_result *r)
{
    if (!r->n_trackers)
        return;
    /* distinct URLs: "URLs" where the scan's pages have query variants, as the summary counts */
    pw_buf_printf(b,
                  "<section><h2>Trackers seen</h2><table><tr><th>Tracker</th><th>Vendor BAA</th>"
                  "<th>Account</th><th>Events</th><th>Beacons</th><th>%s</th></tr>",
                  pw_report_page_keys(r) != r->n_pages ? "URLs" : "Pages");
    for (size_t i = 0; i < r->n_trackers; i++) {
        const pw_tracker_use *u = &r->trackers[i];
        pw_buf_puts(b, "<tr><td>");
        pw_buf name;
        pw_buf_init(&name);
        pw_report_use_tracker(u, &name);
        esc_label(b, &name);
        pw_buf_printf(b, "</td><td>%s</td><td><code>", pw_baa_name(u->tracker->baa));
        const char *acct = pw_report_use_account(u);
        esc(b, strcmp(acct, "-") ? acct : "—");
        pw_buf_puts(b, "</code></td><td>");
        for (size_t j = 0; j < u->n_events; j++) {
            if (j)
                pw_buf_puts(b, ", ");
            esc(b, u->events[j]);
        }
        pw_buf_printf(b, "</td><td>%zu</td><td>%zu</td></tr>", u->n_requests, u->n_pages);
    }
    pw_buf_puts(b, "</table></section>");
}

/* What each tracker received, before any finding: per tracker and account, the worst severity
 * of its findings above info, their number, the HHS contexts of their pages and the PHI by the
 * kind of field it was in (report_leaks.c; the text report's table of the same name). Findings
 * are read once, worst first, up to the first info one. */
static void what_left(pw_buf *b, const pw_scan_result *r, pw_report_loader *ld)
{
    pw_leaks l = {0};
    for (size_t i = 0; i < r->n_findings && pw_scan_result_severity(r, i) > PW_SEV_INFO; i++)
        pw_leaks_add(&l, pw_report_load(ld, i));
    if (l.failed)
        b->failed = 1;
    if (l.n)
        pw_buf_puts(b, "<section><h2>What each tracker received</h2><table class=\"left\"><tr>"
                       "<th>Tracker</th><th>Accounts</th><th>Worst</th><th>Findings</th>"
                       "<th>On pages</th><th>What left, by field</th></tr>");
    pw_buf t;
    pw_buf_init(&t);
    /* one row per tracker, its accounts all listed (a multi-pixel site's six Google Ads
     * accounts are one row): the text report names the first three */
    size_t *idx = malloc((l.n ? l.n : 1) * sizeof *idx);
    pw_leak_group *groups = malloc((l.n ? l.n : 1) * sizeof *groups);
    size_t n_groups = idx && groups ? pw_leaks_group(&l, idx, groups) : 0;
    if (l.n && !n_groups)
        b->failed = 1;
    pw_leak_row merged;
    for (size_t i = 0; i < n_groups; i++) {
        const pw_leak_row *w = &merged;
        pw_leaks_merged(&l, idx, &groups[i], &merged);
        const char *sev = pw_severity_name(w->worst);
        pw_buf_puts(b, "<tr><td>");
        esc(b, w->label ? w->label : "");
        pw_buf_puts(b, "</td><td><code>");
        pw_buf_clear(&t);
        pw_leaks_accounts(&l, idx, &groups[i], 0, 0, "—", &t);
        pw_buf_putc(&t, '\0');
        esc(b, t.failed ? "" : t.data);
        pw_buf_printf(b,
                      "</code></td><td><span class=\"badge sev-%s\">%s</span></td><td>%zu</td><td>",
                      sev, sev, w->n_findings);
        for (int c = PW_CTX_AUTHENTICATED; c >= PW_CTX_GENERAL; c--)
            if (w->contexts & (1u << c))
                pw_buf_printf(b, "<span class=\"ctx %s\">%s</span> ",
                              pw_hhs_context_name((pw_hhs_context)c),
                              pw_hhs_context_name((pw_hhs_context)c));
        pw_buf_puts(b, "</td><td class=\"what\">");
        pw_buf_clear(&t);
        pw_leaks_what(w, &t, "\n"); /* one kind of field a line (white-space: pre-line) */
        pw_buf_putc(&t, '\0');
        esc(b, t.failed ? "" : t.data);
        pw_buf_puts(b, "</td></tr>");
    }
    if (l.n)
        pw_buf_puts(b, "</table></section>");
    if (t.failed)
        b->failed = 1;
    pw_buf_free(&t);
    free(idx);
    free(groups);
    pw_leaks_free(&l);
}

/* The trackers the site declared a BAA with: their findings read low, and why. */
static void baa_note(pw_buf *b, const pw_scan_result *r)
{
    if (!r->n_baa_declared)
        return;
    pw_buf_puts(b, "<div class=\"note\"><b>BAA declared.</b> The site holds a business associate "
                   "agreement with the vendor of ");
    for (size_t i = 0; i < r->n_baa_declared; i++) {
        pw_buf_puts(b, i ? ", " : "");
        esc(b, r->baa_declared[i]->product);
        pw_buf_puts(b, " (<code>");
        esc(b, r->baa_declared[i]->id);
        pw_buf_puts(b, "</code>)");
    }
    pw_buf_puts(b, " (declared with <code>--baa</code>, not verified by phiwall): their findings "
                   "are listed at low severity, to check against the agreement's scope and the "
                   "minimum-necessary rule.</div>");
}

/* A table of baseline findings this scan did not report; with `why`, a reason column. */
static void absent_table(pw_buf *b, pw_baseline_reader *rd, int unchecked,
                         const pw_baseline_unchecked *why, size_t n)
{
    pw_buf_puts(b, "<table><tr><th>Severity</th><th>Rule</th><th>Tracker</th><th>Account</th>"
                   "<th>Page</th><th>Requests</th>");
    pw_buf_puts(b, why ? "<th>Why not rechecked</th></tr>" : "</tr>");
    for (size_t i = 0; i < n; i++) {
        const pw_baseline_finding *g = pw_baseline_reader_at(rd, unchecked, i); /* one at a time */
        pw_buf_printf(b, "<tr><td>%s</td><td>", pw_severity_name(g->severity));
        esc(b, g->rule_id);
        pw_buf_puts(b, "</td><td>");
        esc(b, g->tracker ? g->tracker : "—");
        pw_buf_puts(b, "</td><td><code>");
        esc(b, g->account_id ? g->account_id : "—");
        pw_buf_puts(b, "</code></td><td class=\"url\">");
        esc_page(b, g->page_url ? g->page_url : "(unknown page)");
        pw_buf_printf(b, "</td><td>%zu</td>", g->occurrences);
        if (why) {
            pw_buf_puts(b, "<td>");
            esc(b, pw_baseline_unchecked_text(why[i]));
            pw_buf_puts(b, "</td>");
        }
        pw_buf_puts(b, "</tr>");
        pw_buf_spill(b, PW_BUF_SPILL_AT);
    }
    pw_buf_puts(b, "</table>");
}

/* The comparison's counts, what the baseline reported that this scan looked for and did not see
 * (gone), and what it could not have seen (not rechecked). */
static void baseline_section(pw_buf *b, const pw_baseline_diff *d, pw_baseline_reader *rd)
{
    if (!d)
        return;
    pw_buf_puts(b, "<section><h2>Since the baseline</h2><p class=\"stats\">Compared with ");
    esc(b, pw_baseline_name(d->baseline));
    const char *when = pw_baseline_captured(d->baseline);
    if (when) {
        pw_buf_puts(b, " (captured ");
        esc(b, when);
        pw_buf_puts(b, ")");
    }
    pw_buf_printf(b, ": <b>%zu new</b>, %zu unchanged, %zu gone", d->n_new, d->n_unchanged,
                  d->n_gone);
    if (d->n_unchecked)
        pw_buf_printf(b, ", %zu not rechecked", d->n_unchecked);
    pw_buf_puts(b, ".</p>");
    if (d->n_gone) {
        pw_buf_puts(b, "<p>Gone: reported by the baseline; this scan loaded their pages and did "
                       "not see them again.</p>");
        absent_table(b, rd, 0, NULL, d->n_gone);
    }
    if (d->n_unchecked) {
        pw_buf_puts(b, "<p>Not rechecked: reported by the baseline, absent from this scan, which "
                       "could not have seen them. Not evidence of a fix.</p>");
        absent_table(b, rd, 1, d->unchecked_why, d->n_unchecked);
    }
    pw_buf_puts(b, "</section>");
}

static void inventory(pw_buf *b, const pw_scan_result *r, pw_report_loader *ld)
{
    size_t n = 0;
    for (size_t i = 0; i < r->n_findings; i++)
        n += pw_scan_result_severity(r, i) == PW_SEV_INFO;
    if (!n)
        return;
    pw_buf_puts(b, "<section><h2>Trackers on general pages (inventory)</h2><table><tr>"
                   "<th>Page</th><th>Tracker</th><th>Account</th><th>Requests</th></tr>");
    for (size_t i = 0; i < r->n_findings; i++) {
        if (pw_scan_result_severity(r, i) != PW_SEV_INFO)
            continue;
        pw_finding tmp;
        const pw_finding *f = pw_report_brief(r, i, &tmp);
        pw_buf_puts(b, "<tr><td class=\"url\">");
        esc_page(b, f->page_url);
        pw_buf_puts(b, "</td><td>");
        esc_tracker(b, i, ld);
        pw_buf_puts(b, "</td><td><code>");
        esc(b, f->account_id ? f->account_id : "—");
        pw_buf_printf(b, "</code></td><td>%zu</td></tr>", f->occurrences);
        pw_buf_spill(b, PW_BUF_SPILL_AT); /* a row is never revisited */
    }
    pw_buf_puts(b, "</table></section>");
}

pw_status pw_report_html(const pw_scan_result *r, const pw_report_opts *o, pw_buf *out, pw_err *err)
{
    /* The report quotes what a scanned site chose (titles, URLs, event values): escaping keeps
     * it text, and the policy is the second wall — no script, no request, no form, no <base>
     * runs from the file even if a string slipped through; no Referer leaves it either. */
    pw_buf_puts(out, "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                     "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src "
                     "'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
                     "form-action 'none'\"><meta name=\"referrer\" content=\"no-referrer\">"
                     "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
                     "<title>phiwall report — ");
    esc(out, r->target ? r->target : "scan");
    pw_buf_printf(out, "</title><style>%s</style></head><body>", css);
    pw_buf_puts(out, "<header class=\"top\"><div class=\"in\"><div class=\"brand\">phiwall</div>"
                     "<h1>Tracking &amp; PHI disclosure report</h1><p class=\"meta\">");
    esc(out, r->target ? r->target : "");
    pw_buf_printf(out, " · source: %s", pw_report_source_name(r->source));
    char period[96];
    if (*pw_report_capture_period(r, period, sizeof period))
        pw_buf_printf(out, " · captured %s", period);
    pw_buf lists;
    pw_buf_init(&lists);
    pw_report_lists_text(&lists, r);
    pw_buf_putc(&lists, '\0');
    pw_buf_puts(out, "</p><p class=\"meta\">Trackers recognised with: ");
    esc(out, lists.data ? lists.data : "");
    pw_buf_free(&lists);
    pw_buf_puts(out, "</p></div></header><main>");
    page_keys pk = {0};
    if (page_keys_init(&pk, r) != 0) {
        page_keys_free(&pk);
        return pw_err_set(err, PW_ERR_NOMEM, "report: out of memory");
    }
    summary(out, r);
    baa_note(out, r);
    pw_baseline_reader rd;
    pw_baseline_reader_init(&rd, o->baseline);
    baseline_section(out, o->baseline, &rd);
    pw_report_loader ld;
    pw_report_loader_init(&ld, r);
    what_left(out, r, &ld);
    pw_buf_puts(out, "<section><h2>Findings by page</h2>");
    int any = 0;
    pw_why_seen ws = {0};
    for (size_t i = 0; i < r->n_findings; i++) {
        size_t k = pk.id[i]; /* a page's article at its first finding above info */
        if (pw_scan_result_severity(r, i) == PW_SEV_INFO || pk.order[pk.start[k]] != i)
            continue;
        page_article(out, r, &pk, o->baseline, k, &ld, &ws);
        pw_buf_spill(out, PW_BUF_SPILL_AT); /* a page's article is never revisited */
        any = 1;
    }
    if (!any && pw_report_incomplete_count(r))
        pw_buf_puts(out, "<p>No PHI findings in what was observed — but the scan is "
                         "<b>incomplete</b> (see the banner above): this is not a clean "
                         "result.</p>");
    else if (!any)
        pw_buf_puts(out, "<p>No PHI findings: no tracker sent health information from a care, "
                         "condition or portal page in this capture.</p>");
    pw_buf_puts(out, "</section>");
    pw_why_free(&ws);
    inventory(out, r, &ld);
    trackers_seen(out, r);
    /* the pages table needs each key's count and badge, not the findings' arrays */
    free(pk.id);
    free(pk.order);
    free(pk.start);
    free(pk.len);
    pk.id = pk.order = pk.start = pk.len = NULL;
    pages_table(out, r, &pk);
    page_keys_free(&pk);
    pw_buf_puts(out, "<footer>Generated by phiwall");
    if (o->tool_version)
        pw_buf_printf(out, " %s", o->tool_version);
    pw_buf_puts(out, ". Findings describe what this capture observed; they are an engineering "
                     "assessment, not legal advice.</footer></main></body></html>\n");
    return pw_baseline_reader_done(&rd, pw_report_loader_status(&ld, out, err), err);
}
