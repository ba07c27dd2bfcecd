/*
 * report.c — the report stage's entry point: the table of formats (one renderer per file) and the
 * helpers they share. Renderers only present what assess computed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "phiwall/arena.h"
#include "phiwall/url.h"
#include "report/report_internal.h"

static const struct {
    const char *name;
    pw_report_format fmt;
    pw_report_fn fn;
} formats[] = {
    {"text", PW_REPORT_TEXT, pw_report_text},
    {"json", PW_REPORT_JSON, pw_report_json},
    {"sarif", PW_REPORT_SARIF, pw_report_sarif},
    {"html", PW_REPORT_HTML, pw_report_html},
};
#define N_FORMATS (sizeof formats / sizeof formats[0])

int pw_report_format_parse(const char *s, pw_report_format *out)
{
    for (size_t i = 0; s && i < N_FORMATS; i++) {
        if (strcasecmp(s, formats[i].name) == 0) {
            *out = formats[i].fmt;
            return 0;
        }
    }
    return -1;
}

pw_status pw_report_render(const pw_scan_result *r, pw_report_format fmt,
                           const pw_report_opts *opts, pw_buf *out, pw_err *err)
{
    static const pw_report_opts defaults = {0};
    if (!r)
        return pw_err_set(err, PW_ERR_INVALID, "report: no scan result");
    for (size_t i = 0; i < N_FORMATS; i++)
        if (formats[i].fmt == fmt)
            return formats[i].fn(r, opts ? opts : &defaults, out, err);
    return pw_err_set(err, PW_ERR_INVALID, "report: unknown format %d", (int)fmt);
}

void pw_report_counts(const pw_scan_result *r, size_t counts[PW_SEV__COUNT])
{
    memset(counts, 0, sizeof(size_t) * PW_SEV__COUNT);
    for (size_t i = 0; i < r->n_findings; i++)
        if ((unsigned)pw_scan_result_severity(r, i) < PW_SEV__COUNT)
            counts[pw_scan_result_severity(r, i)]++;
}

const char *pw_report_vendor(const pw_tracker *t)
{
    if (!t)
        return "unknown";
    return t->vendor ? t->vendor : t->id ? t->id : "unknown";
}

const char *pw_report_product(const pw_tracker *t)
{
    if (!t)
        return "unknown";
    return t->product ? t->product : pw_report_vendor(t);
}

const char *pw_report_use_account(const pw_tracker_use *u)
{
    return u->account_id ? u->account_id : "-";
}

const char *pw_report_list_host(const pw_finding *f, char *buf, size_t cap)
{
    pw_url u;
    const char *url = f->request ? f->request->url : NULL;
    if (!pw_tracker_is_filter_list(f->tracker) || !url ||
        pw_url_parse(url, strlen(url), &u, NULL) != PW_OK || !u.host.n || u.host.n >= cap)
        return NULL;
    memcpy(buf, u.host.p, u.host.n);
    buf[u.host.n] = '\0';
    return buf;
}

#define USE_HOSTS_SHOWN 3 /* hosts named in an inventory row; the JSON has them all */

/* What a tag manager's script loaded, by its ID (the account column): gtag.js?id=DC-… is
 * Floodlight's tag. Its row stands alone only where the collector never reported that ID (the
 * assessor folds it into the collector's otherwise), and "Google Tag Manager and gtag.js" beside
 * "DC-8453338" does not say what it loaded. NULL for a container (GTM-…) or anything else. */
static const char *loaded_by(const pw_tracker *t, const char *account)
{
    static const struct {
        const char *prefix, *product;
    } ids[] = {{"G-", "Google Analytics 4"},
               {"UA-", "Universal Analytics"},
               {"AW-", "Google Ads"},
               {"DC-", "Floodlight"}};
    if (!t || t->category != PW_CATEGORY_TAG_MANAGER || !account)
        return NULL;
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++)
        if (strncmp(account, ids[i].prefix, strlen(ids[i].prefix)) == 0)
            return ids[i].product;
    return NULL;
}

void pw_report_finding_tracker(const pw_finding *f, pw_buf *out)
{
    char host[256];
    const char *h = pw_report_list_host(f, host, sizeof host);
    const char *loads = loaded_by(f->tracker, f->account_id);
    pw_buf_puts(out, pw_report_product(f->tracker));
    if (loads)
        pw_buf_printf(out, " (loading %s)", loads);
    if (h)
        pw_buf_printf(out, " at %s", h);
}

void pw_report_use_tracker(const pw_tracker_use *u, pw_buf *out)
{
    const char *loads = loaded_by(u->tracker, u->account_id);
    pw_buf_puts(out, pw_report_product(u->tracker));
    if (loads)
        pw_buf_printf(out, " (loading %s)", loads);
    if (!pw_tracker_is_filter_list(u->tracker))
        return;
    for (size_t i = 0; i < u->n_hosts && i < USE_HOSTS_SHOWN; i++)
        pw_buf_printf(out, "%s%s", i ? ", " : " at ", u->hosts[i]);
    if (u->n_hosts > USE_HOSTS_SHOWN)
        pw_buf_printf(out, " and %zu more host%s", u->n_hosts - USE_HOSTS_SHOWN,
                      u->n_hosts - USE_HOSTS_SHOWN == 1 ? "" : "s");
}

void pw_report_url_without_query(const char *url, char *out, size_t cap)
{
    size_t scheme = strcspn(url, ":");
    int n = snprintf(out, cap, "%.*s://", (int)scheme, url);
    if (n < 0 || (size_t)n >= cap)
        return;
    pw_url_page_key(url, out + n, cap - (size_t)n);
}

/* Each query value as "…", names kept: "first_name=…&doctor=&…". A bare token ("?ann") is a
 * value. */
static void query_masked(pw_buf *out, const char *q, size_t n)
{
    size_t i = 0;
    while (i <= n) {
        size_t end = i;
        while (end < n && q[end] != '&')
            end++;
        const char *eq = memchr(q + i, '=', end - i);
        if (eq) {
            pw_buf_append(out, q + i, (size_t)(eq - (q + i)) + 1);
            if (q + end > eq + 1)
                pw_buf_puts(out, "…");
        } else if (end > i) {
            pw_buf_puts(out, "…");
        }
        if (end < n)
            pw_buf_putc(out, '&');
        i = end + 1;
    }
}

void pw_report_url_masked(pw_buf *out, const char *url)
{
    pw_url u;
    if (!url || !strstr(url, "://") || pw_url_parse(url, strlen(url), &u, NULL) != PW_OK) {
        size_t n = url ? strcspn(url, "?") : 0;
        pw_buf_append(out, url ? url : "", n);
        if (url && url[n])
            pw_buf_puts(out, "?…");
        return;
    }
    char page[2048];
    pw_report_url_without_query(url, page, sizeof page);
    pw_buf_puts(out, page);
    if (!u.query.n)
        return;
    pw_buf_putc(out, '?');
    query_masked(out, u.query.p, u.query.n);
}

/* Marks in hide[] every place the title repeats v (ASCII case-insensitively). */
static void mark_repeats(const char *title, size_t tn, const char *v, size_t vn,
                         unsigned char *hide)
{
    for (size_t i = 0; i + vn <= tn; i++)
        if (strncasecmp(title + i, v, vn) == 0)
            memset(hide + i, 1, vn);
}

static int worth_masking(const char *v, size_t n)
{
    if (n < 3)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (((unsigned char)v[i] | 0x20) >= 'a' && ((unsigned char)v[i] | 0x20) <= 'z')
            return 1;
    return 0;
}

void pw_report_title_masked(pw_buf *out, const char *title, const char *page_url)
{
    if (!title)
        return;
    size_t tn = strlen(title);
    pw_url u;
    if (!page_url || !strstr(page_url, "://") ||
        pw_url_parse(page_url, strlen(page_url), &u, NULL) != PW_OK || !u.query.n || !tn) {
        pw_buf_append(out, title, tn);
        return;
    }
    pw_arena a;
    pw_arena_init(&a, 0);
    pw_kv *kv = NULL;
    size_t n = 0;
    unsigned char *hide = calloc(tn, 1);
    if (!hide) {
        out->failed = 1;
        return;
    }
    /* no pair limit beyond the query's own length: every value the title repeats is masked */
    if (pw_form_parse(&a, u.query.p, u.query.n, u.query.n + 1, &kv, &n, NULL) != PW_OK)
        n = 0;
    for (size_t i = 0; i < n; i++)
        if (worth_masking(kv[i].value, kv[i].value_len))
            mark_repeats(title, tn, kv[i].value, kv[i].value_len, hide);
    for (size_t i = 0; i < tn;) {
        size_t j = i;
        while (j < tn && hide[j] == hide[i])
            j++;
        if (hide[i])
            pw_buf_puts(out, "…");
        else
            pw_buf_append(out, title + i, j - i);
        i = j;
    }
    free(hide);
    pw_arena_free(&a);
}

static int utc_tm(double t, struct tm *tm)
{
    if (!(t > 0))
        return 0;
    time_t secs = (time_t)t;
    return gmtime_r(&secs, tm) != NULL;
}

const char *pw_report_utc_iso(double t, char *buf, size_t cap)
{
    struct tm tm;
    if (!cap)
        return buf;
    buf[0] = '\0';
    if (utc_tm(t, &tm))
        strftime(buf, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

const char *pw_report_capture_period(const pw_scan_result *r, char *buf, size_t cap)
{
    struct tm a, b;
    if (!cap)
        return buf;
    buf[0] = '\0';
    if (!utc_tm(r->captured_first, &a) || !utc_tm(r->captured_last, &b))
        return buf;
    char first[32], last[32];
    strftime(first, sizeof first, "%Y-%m-%d %H:%M:%S", &a);
    int same_day = a.tm_year == b.tm_year && a.tm_yday == b.tm_yday;
    strftime(last, sizeof last, same_day ? "%H:%M:%S" : "%Y-%m-%d %H:%M:%S", &b);
    snprintf(buf, cap, "%s – %s UTC", first, last);
    return buf;
}

const char *pw_report_source_name(pw_source s)
{
    switch (s) {
    case PW_SOURCE_HAR: return "har";
    case PW_SOURCE_BROWSER: return "browser";
    case PW_SOURCE_STATIC: return "static";
    case PW_SOURCE_GATEWAY: return "gateway";
    }
    return "unknown";
}

void pw_report_spans(const pw_evidence *ev, pw_buf *out, pw_span_fn span, void *ctx)
{
    size_t at = 0, n = ev->value ? ev->value_len : 0;
    for (size_t i = 0; i < ev->n_hits; i++) {
        const pw_hit *h = &ev->hits[i];
        if (h->start < at || h->end > n || h->end <= h->start)
            continue;
        if (h->start > at)
            span(out, ev->value + at, h->start - at, NULL, ctx);
        span(out, ev->value + h->start, h->end - h->start, h, ctx);
        at = h->end;
    }
    if (at < n)
        span(out, ev->value + at, n - at, NULL, ctx);
}

#define LABEL_MAX 80 /* characters of a hit's value in a label */

/* s[0..n) cut to at most max bytes at a space (else a UTF-8 boundary), with "…" when cut. */
static void put_cut(pw_buf *out, const char *s, size_t n, size_t max)
{
    if (n <= max) {
        pw_buf_append(out, s, n);
        return;
    }
    size_t cut = max;
    while (cut > 0 && s[cut] != ' ')
        cut--;
    if (cut == 0)
        for (cut = max; cut > 0 && ((unsigned char)s[cut] & 0xc0) == 0x80; cut--)
            ;
    pw_buf_append(out, s, cut);
    pw_buf_puts(out, "…");
}

/* A hit's normalised value: a list ("keywords=a,b,c", UET's kw) as its terms, ", " between
 * them, as many whole terms as fit in LABEL_MAX and how many more; one value cut at a word. */
static void put_value(pw_buf *out, const char *s)
{
    size_t total = 0, shown = 0, used = 0;
    for (const char *p = s; *p;) {
        size_t len = strcspn(p, ",");
        const char *t = p;
        size_t tl = len;
        for (; tl && *t == ' '; t++, tl--)
            ;
        while (tl && t[tl - 1] == ' ')
            tl--;
        p += len + (p[len] == ',');
        if (!tl)
            continue;
        total++;
        if (shown + 1 != total || (shown && used + 2 + tl > LABEL_MAX))
            continue; /* in order: once one does not fit, the rest are counted */
        if (shown)
            pw_buf_puts(out, ", ");
        put_cut(out, t, tl, LABEL_MAX);
        used += tl + (shown ? 2 : 0);
        shown++;
    }
    if (total > shown)
        pw_buf_printf(out, ", … (%zu more)", total - shown);
}

static int is_sha256_hex(const char *s)
{
    size_t n = strspn(s, "0123456789abcdefABCDEF");
    return n == 64 && s[n] == '\0';
}

/* The health vocabulary files the words of a page of health information ("patient education",
 * "health library", "conditions a z") under care intent's "search" subtype, the marker the engine
 * also puts on a search parameter's value: the context classifier reads both as informational
 * (the page is a condition page, not a care-intent one, assess/context.c) and the rules count
 * neither as a health term. A reader told "care-intent (search)" is told the visitor searched:
 * such a word, found by the vocabulary in a page's address or title, is a health information
 * page's. */
int pw_report_hit_is_info_page(const pw_hit *h)
{
    return h->category == PW_PHI_CARE_INTENT && h->subtype && strcmp(h->subtype, "search") == 0 &&
           h->reason == PW_REASON_VOCABULARY;
}

void pw_report_hit_label(pw_buf *out, const pw_hit *h)
{
    if (pw_report_hit_is_info_page(h)) { /* "health (information page): patient education" */
        pw_buf_puts(out, "health (information page)");
        if (h->normalized && h->normalized[0]) {
            pw_buf_puts(out, ": ");
            put_value(out, h->normalized);
        }
        return;
    }
    const char *cat = pw_phi_category_name(h->category);
    pw_buf_puts(out, cat);
    if (h->category == PW_PHI_CANARY && h->reason_detail && h->reason_detail[0])
        pw_buf_printf(out, " '%s'", h->reason_detail);
    if (h->subtype && h->subtype[0] && strcmp(h->subtype, cat) != 0)
        pw_buf_printf(out, " (%s)", h->subtype);
    if (h->normalized && h->category != PW_PHI_CANARY && is_sha256_hex(h->normalized)) {
        /* a hashed identifier (advanced matching, automatic form hashing): the value beside the
         * label is the digest already, and what a reader needs is that it is one */
        pw_buf_puts(out, ", SHA-256 hashed");
        return;
    }
    if (h->normalized && h->normalized[0] && h->category != PW_PHI_CANARY) {
        pw_buf_puts(out, ": ");
        put_value(out, h->normalized);
    }
}

/* 1 when seen (labels each ended by a NUL) holds exactly this label. */
static int label_seen(const pw_buf *seen, const char *label, size_t n)
{
    for (size_t at = 0; at < seen->len;) {
        size_t len = strlen(seen->data + at);
        if (len == n && memcmp(seen->data + at, label, n) == 0)
            return 1;
        at += len + 1;
    }
    return 0;
}

void pw_report_hit_labels(pw_buf *out, const pw_evidence *ev, const char *sep)
{
    pw_buf seen, label;
    pw_buf_init(&seen);
    pw_buf_init(&label);
    for (size_t j = 0; j < ev->n_hits; j++) {
        pw_buf_clear(&label);
        pw_report_hit_label(&label, &ev->hits[j]);
        if (!label.data || label_seen(&seen, label.data, label.len))
            continue;
        if (seen.len)
            pw_buf_puts(out, sep);
        pw_buf_append(out, label.data, label.len);
        pw_buf_append(&seen, label.data, label.len);
        pw_buf_putc(&seen, '\0');
    }
    if (seen.failed || label.failed)
        out->failed = 1;
    pw_buf_free(&seen);
    pw_buf_free(&label);
}

int pw_report_hit_is_search_text(const pw_hit *h)
{
    return h->category == PW_PHI_CARE_INTENT && h->subtype && strcmp(h->subtype, "search") == 0 &&
           !pw_report_hit_is_info_page(h);
}

size_t pw_report_utf8_seq(const unsigned char *s, size_t n, unsigned *cp)
{
    size_t len = s[0] >= 0xF0 ? 4 : s[0] >= 0xE0 ? 3 : s[0] >= 0xC0 ? 2 : 0;
    static const unsigned min[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (len == 0 || s[0] > 0xF4 || len > n)
        return 0;
    unsigned c = s[0] & (0x7F >> len);
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        c = (c << 6) | (s[i] & 0x3F);
    }
    if (c < min[len] || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
        return 0;
    *cp = c;
    return len;
}

/* C1 controls (U+009B is a CSI to some terminals) and the bidirectional embeddings, overrides
 * and isolates (U+202A-E, U+2066-9) that make displayed text read otherwise than it is. */
static int unsafe_code_point(unsigned c)
{
    return (c >= 0x80 && c <= 0x9F) || (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069);
}

/* On a terminal or in a log also the line and paragraph separators (U+2028/9: a new line to some
 * terminals, editors and log viewers, so a forged line) and the invisible direction marks
 * (U+200E/F, U+061C) that reorder the text after them. The HTML report keeps these: there they are
 * text. */
static int unsafe_on_terminal(unsigned c)
{
    return unsafe_code_point(c) || c == 0x2028 || c == 0x2029 || c == 0x200E || c == 0x200F ||
           c == 0x061C;
}

void pw_report_text_safe(pw_buf *out, const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        size_t run = i; /* printable ASCII goes in runs */
        while (run < n && u[run] >= 0x20 && u[run] < 0x7F)
            run++;
        if (run > i) {
            pw_buf_append(out, s + i, run - i);
            i = run;
            continue;
        }
        unsigned cp = 0;
        size_t len = u[i] >= 0x80 ? pw_report_utf8_seq(u + i, n - i, &cp) : 0;
        if (len && !unsafe_on_terminal(cp))
            pw_buf_append(out, s + i, len);
        else if (len)
            pw_buf_printf(out, "\\u%04x", cp);
        else if (u[i] == '\n')
            pw_buf_puts(out, "\\n");
        else if (u[i] == '\r')
            pw_buf_puts(out, "\\r");
        else if (u[i] == '\t')
            pw_buf_puts(out, "\\t");
        else
            pw_buf_printf(out, "\\x%02x", u[i]);
        i += len ? len : 1;
    }
}

void pw_report_html_text(pw_buf *b, const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t run = 0, i = 0;
    while (i < n) {
        unsigned cp = 0;
        size_t len = u[i] < 0x80 ? 1 : pw_report_utf8_seq(u + i, n - i, &cp);
        int ctl = (u[i] < 0x20 && u[i] != '\t' && u[i] != '\n' && u[i] != '\r') || u[i] == 0x7F;
        if (len && !ctl && !unsafe_code_point(cp)) {
            i += len;
            continue;
        }
        pw_buf_html_text(b, s + run, i - run);
        pw_buf_puts(b, "\xEF\xBF\xBD");
        i += len ? len : 1;
        run = i;
    }
    pw_buf_html_text(b, s + run, n - run);
}

pw_status pw_report_buf_status(const pw_buf *out, pw_err *err)
{
    return out->failed ? pw_err_set(err, PW_ERR_NOMEM, "report: out of memory") : PW_OK;
}

void pw_report_loader_init(pw_report_loader *l, const pw_scan_result *r)
{
    memset(l, 0, sizeof *l);
    l->r = r;
    pw_arena_init(&l->a, 0);
}

void pw_report_loader_free(pw_report_loader *l)
{
    pw_arena_free(&l->a);
}

const pw_finding *pw_report_load(pw_report_loader *l, size_t i)
{
    pw_arena_reset(&l->a);
    pw_err e;
    const pw_finding *whole = pw_scan_result_finding(l->r, i, &l->tmp, &l->a, &e);
    if (whole)
        return whole;
    if (!l->failed)
        l->err = e;
    l->failed = 1;
    return pw_report_brief(l->r, i, &l->tmp);
}

const pw_finding *pw_report_brief(const pw_scan_result *r, size_t i, pw_finding *tmp)
{
    return pw_scan_result_finding(r, i, tmp, NULL, NULL);
}

pw_status pw_report_loader_status(pw_report_loader *l, const pw_buf *out, pw_err *err)
{
    int failed = l->failed;
    if (failed && err)
        *err = l->err;
    pw_status st = failed ? l->err.code : pw_report_buf_status(out, err);
    pw_report_loader_free(l);
    return st;
}

/* Identifiers in a page's path (/patients/jane.doe@example.org/results, /mrn/4482913) would
 * reach the dashboard through the location and the fingerprint, query or not: each identifier
 * the finding's evidence found is replaced in s by its kind ("[email]"), wherever it appears. */
void pw_report_mask_identifiers(const pw_finding *f, pw_buf *s)
{
    pw_buf t;
    pw_buf_init(&t);
    for (size_t i = 0; i < f->n_evidence; i++) {
        const pw_evidence *ev = &f->evidence[i];
        for (size_t j = 0; j < ev->n_hits; j++) {
            const pw_hit *h = &ev->hits[j];
            size_t n = h->end - h->start;
            /* a doctor's name on their profile page is the page, not a patient's identifier */
            int provider = h->subtype && strcmp(h->subtype, "provider") == 0;
            if (!pw_phi_is_identifier(h->category) || provider || h->end > ev->value_len || n < 4)
                continue;
            const char *needle = ev->value + h->start;
            pw_buf_clear(&t);
            for (size_t at = 0; at < s->len;) {
                const char *hit =
                    s->len - at >= n ? memmem(s->data + at, s->len - at, needle, n) : NULL;
                size_t upto = hit ? (size_t)(hit - s->data) : s->len;
                pw_buf_append(&t, s->data + at, upto - at);
                if (hit)
                    pw_buf_printf(&t, "[%s]", pw_phi_category_name(h->category));
                at = hit ? upto + n : s->len;
            }
            pw_buf_clear(s);
            pw_buf_append(s, t.data ? t.data : "", t.len);
        }
    }
    if (t.failed)
        s->failed = 1;
    pw_buf_free(&t);
}

/* rule|tracker|account|page: the identity a finding keeps from one scan to the next. */
void pw_report_fingerprint(const pw_finding *f, pw_buf *out)
{
    /* A filter-list finding is one per company: its registrable domain stands for the account.
     * Not the evidence's host, which is whichever of the company's hosts the scan met first. */
    char host[256];
    const char *acct = f->account_id ? f->account_id
                       : f->company  ? f->company
                                     : pw_report_list_host(f, host, sizeof host);
    pw_buf_printf(out, "%s|%s|%s|", f->rule_id, f->tracker ? f->tracker->id : "", acct ? acct : "");
    /* the finding's own identity (pw_url_page_key): a new click ID, campaign tag or form
     * submission on the same page does not reopen an alert */
    char key[1024];
    pw_url_page_key(f->page_url, key, sizeof key);
    pw_buf masked;
    pw_buf_init(&masked);
    pw_buf_puts(&masked, key);
    pw_report_mask_identifiers(f, &masked);
    pw_buf_append(out, masked.data ? masked.data : "", masked.len);
    if (masked.failed)
        out->failed = 1;
    pw_buf_free(&masked);
}
