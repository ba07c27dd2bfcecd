/*
 * har_write.c — writes a capture session as HAR 1.2 (--har-out): pages are kept in memory (they
 * are few), entries are streamed to a temporary file as they arrive, and close() writes the log
 * with pages first so that any HAR reader can attribute entries. Scanner facts that HAR has no
 * field for travel in underscore fields (_resourceType, _initiator, _step, _frameUrl,
 * _beforeConsent, _afterReject, the response's _error as Chrome writes it; pages' _url,
 * _hasLoginForm, _afterLogin, _hasSessionCookie, _screenshot; the log's _phiwall.gaps: pages that
 * did not load, a failed login, no browser), which `phiwall scan --har` reads back — all but
 * _screenshot, a path on the scanning machine. Bodies that are not UTF-8 are written
 * in base64 so no byte is lost. The file appears whole or not at all (pw_outfile): until close
 * succeeds, an older file at the path stays as it was, and a failed or aborted write leaves no
 * temporary file behind.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "phiwall/browser.h"
#include "phiwall/buf.h"
#include "phiwall/outfile.h"
#include "phiwall/text.h"

struct pw_har_writer {
    pw_outfile file; /* the HAR, renamed over path at close */
    FILE *entries;   /* tmpfile() */
    char *path;
    char *version;
    pw_buf pages;
    pw_buf gaps; /* log._phiwall.gaps elements, comma-separated */
    size_t n_pages, n_entries;
    char **page_urls; /* id = "page_<index+1>" */
    /* A request can reach the writer before its page (the sink does not order them): its page
     * gets an id at once, and the page's own record fills it when it comes (or a bare one is
     * written at close). described[i]: page i's record is in `pages`; first_ts[i]: its first
     * request's time. */
    unsigned char *described;
    double *first_ts;
};

static void json_str(pw_buf *b, const char *s)
{
    if (s)
        pw_buf_json_string(b, s, strlen(s));
    else
        pw_buf_puts(b, "null");
}

/* 1 if p[0..n) is UTF-8 as pw_buf_json_string keeps it (no overlong forms, no surrogates). */
static int is_utf8(const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n;) {
        unsigned c = p[i], len = c < 0x80                 ? 1
                                 : c >= 0xc2 && c <= 0xdf ? 2
                                 : c >= 0xe0 && c <= 0xef ? 3
                                 : c >= 0xf0 && c <= 0xf4 ? 4
                                                          : 0;
        if (!len || len > n - i)
            return 0;
        unsigned cp = c & (0x7fu >> len);
        for (unsigned k = 1; k < len; k++) {
            if ((p[i + k] & 0xc0) != 0x80)
                return 0;
            cp = cp << 6 | (p[i + k] & 0x3f);
        }
        static const unsigned min[5] = {0, 0, 0x80, 0x800, 0x10000};
        if (cp < min[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return 0;
        i += len;
    }
    return 1;
}

static void write_body(pw_buf *b, const pw_request *r)
{
    pw_buf_puts(b, ",\"postData\":{\"mimeType\":");
    json_str(b, r->content_type ? r->content_type : "");
    if (is_utf8(r->body, r->body_len)) {
        pw_buf_puts(b, ",\"text\":");
        pw_buf_json_string(b, (const char *)r->body, r->body_len);
    } else {
        pw_arena a;
        pw_arena_init(&a, 0);
        char *b64 = pw_base64_encode(&a, r->body, r->body_len);
        pw_buf_puts(b, ",\"encoding\":\"base64\",\"text\":");
        if (b64)
            json_str(b, b64);
        else
            b->failed = 1;
        pw_arena_free(&a);
    }
    pw_buf_putc(b, '}');
}

/* Chrome's shape: {"type":"parser","url":…}. phiwall keeps one string, a URL or a type. */
static void write_initiator(pw_buf *b, const char *initiator)
{
    int is_url = strstr(initiator, "://") != NULL;
    pw_buf_puts(b, is_url ? ",\"_initiator\":{\"url\":" : ",\"_initiator\":{\"type\":");
    json_str(b, initiator);
    pw_buf_putc(b, '}');
}

static void iso_time(pw_buf *b, double ts)
{
    if (ts <= 0)
        ts = (double)time(NULL);
    time_t secs = (time_t)ts;
    struct tm tm;
    gmtime_r(&secs, &tm);
    char date[32];
    strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &tm);
    pw_buf_printf(b, "\"%s.%03dZ\"", date, (int)((ts - (double)secs) * 1000) % 1000);
}

pw_status pw_har_writer_open(const char *path, const char *creator_version, pw_har_writer **out,
                             pw_err *err)
{
    pw_har_writer *w = calloc(1, sizeof *w);
    if (!w)
        return pw_err_set(err, PW_ERR_NOMEM, "%s: out of memory", path);
    pw_buf_init(&w->pages);
    pw_buf_init(&w->gaps);
    w->path = strdup(path);
    w->version = strdup(creator_version ? creator_version : "0");
    pw_status st = pw_outfile_open(&w->file, path, err);
    if (st != PW_OK) {
        pw_har_writer_abort(w);
        return st;
    }
    w->entries = tmpfile();
    if (!w->entries) {
        int e = errno;
        pw_har_writer_abort(w);
        return pw_err_set(err, PW_ERR_IO, "%s: temporary file: %s", path, strerror(e));
    }
    *out = w;
    return PW_OK;
}

/* A new page slot for url (not yet described); SIZE_MAX when out of memory. */
static size_t new_slot(pw_har_writer *w, const char *url, double ts)
{
    size_t n = w->n_pages + 1;
    char **urls = realloc(w->page_urls, n * sizeof *urls);
    if (urls)
        w->page_urls = urls;
    unsigned char *d = urls ? realloc(w->described, n) : NULL;
    if (d)
        w->described = d;
    double *t = d ? realloc(w->first_ts, n * sizeof *t) : NULL;
    if (t)
        w->first_ts = t;
    char *copy = t ? strdup(url) : NULL;
    if (!copy)
        return SIZE_MAX;
    urls[w->n_pages] = copy;
    d[w->n_pages] = 0;
    t[w->n_pages] = ts;
    return w->n_pages++;
}

static const char *page_id(pw_har_writer *w, const char *url, double ts, char *buf, size_t n)
{
    if (!url)
        return NULL;
    size_t i = w->n_pages;
    while (i-- > 0 && strcmp(w->page_urls[i], url) != 0)
        ;
    if (i == SIZE_MAX && (i = new_slot(w, url, ts)) == SIZE_MAX)
        return NULL;
    snprintf(buf, n, "page_%zu", i + 1);
    return buf;
}

static void page_head(pw_buf *b, size_t i, double ts, const char *title)
{
    pw_buf_printf(b, "%s\n    {\"id\":\"page_%zu\",\"startedDateTime\":", b->len ? "," : "", i + 1);
    iso_time(b, ts);
    pw_buf_puts(b, ",\"title\":");
    json_str(b, title);
}

pw_status pw_har_writer_add_page(pw_har_writer *w, const pw_page *page, pw_err *err)
{
    const char *url = page->url ? page->url : "";
    size_t i = w->n_pages; /* the slot its requests opened, if they came first */
    while (i-- > 0 && (w->described[i] || strcmp(w->page_urls[i], url) != 0))
        ;
    if (i == SIZE_MAX && (i = new_slot(w, url, page->timestamp)) == SIZE_MAX)
        return pw_err_set(err, PW_ERR_NOMEM, "%s: out of memory", w->path);
    w->described[i] = 1;
    pw_buf *b = &w->pages;
    page_head(b, i, page->timestamp, page->title ? page->title : page->url);
    pw_buf_puts(b, ",\"_url\":");
    json_str(b, page->url);
    if (page->screenshot_png) {
        pw_buf_puts(b, ",\"_screenshot\":");
        json_str(b, page->screenshot_png);
    }
    pw_buf_printf(b,
                  ",\"_hasLoginForm\":%s,\"_afterLogin\":%s,\"_hasSessionCookie\":%s,"
                  "\"pageTimings\":{}}",
                  page->has_login_form ? "true" : "false", page->after_login ? "true" : "false",
                  page->has_session_cookie ? "true" : "false");
    return b->failed ? pw_err_set(err, PW_ERR_NOMEM, "%s: out of memory", w->path) : PW_OK;
}

static void gap_field(pw_buf *b, const char *name, const char *value)
{
    if (!value)
        return;
    pw_buf_printf(b, ",\"%s\":", name);
    json_str(b, value);
}

pw_status pw_har_writer_add_gap(pw_har_writer *w, const pw_capture_gap *gap, pw_err *err)
{
    pw_buf *b = &w->gaps;
    pw_buf_printf(b, "%s\n      {\"kind\":\"%s\"", b->len ? "," : "", pw_gap_kind_name(gap->kind));
    gap_field(b, "url", gap->url);
    gap_field(b, "pageUrl", gap->page_url);
    gap_field(b, "error", gap->error);
    gap_field(b, "trackerId", gap->tracker_id);
    gap_field(b, "tracker", gap->tracker);
    pw_buf_printf(b, ",\"count\":%zu", gap->pages ? gap->pages : 1);
    /* every page it happened on, as the report lists them (incomplete_reasons[].page_urls) */
    for (size_t i = 0; i < gap->n_page_urls; i++) {
        pw_buf_puts(b, i ? "," : ",\"pageUrls\":[");
        json_str(b, gap->page_urls[i]);
    }
    if (gap->n_page_urls)
        pw_buf_putc(b, ']');
    if (gap->more_pages)
        pw_buf_printf(b, ",\"morePages\":true,\"morePageCount\":%zu", gap->n_more_pages);
    pw_buf_putc(b, '}');
    return b->failed ? pw_err_set(err, PW_ERR_NOMEM, "%s: out of memory", w->path) : PW_OK;
}

static void write_request(pw_buf *b, const pw_request *r)
{
    pw_buf_puts(b, "\"request\":{\"method\":");
    json_str(b, r->method ? r->method : "GET");
    pw_buf_puts(b, ",\"url\":");
    json_str(b, r->url);
    pw_buf_puts(b, ",\"httpVersion\":\"HTTP/1.1\",\"cookies\":[],\"headers\":[");
    for (size_t i = 0; i < r->n_headers; i++) {
        pw_buf_puts(b, i ? ",{\"name\":" : "{\"name\":");
        json_str(b, r->headers[i].name);
        pw_buf_puts(b, ",\"value\":");
        json_str(b, r->headers[i].value);
        pw_buf_putc(b, '}');
    }
    pw_buf_puts(b, "],\"queryString\":[]");
    if (r->body && r->body_len)
        write_body(b, r);
    pw_buf_printf(b, ",\"headersSize\":-1,\"bodySize\":%zu}", r->body_len);
}

pw_status pw_har_writer_add_request(pw_har_writer *w, const pw_request *r, pw_err *err)
{
    pw_buf b;
    pw_buf_init(&b);
    char idbuf[32];
    const char *pid = page_id(w, r->page_url, r->timestamp, idbuf, sizeof idbuf);
    pw_buf_puts(&b, w->n_entries ? ",\n    {" : "\n    {");
    if (pid)
        pw_buf_printf(&b, "\"pageref\":\"%s\",", pid);
    pw_buf_puts(&b, "\"startedDateTime\":");
    iso_time(&b, r->timestamp);
    pw_buf_puts(&b, ",\"time\":0,");
    write_request(&b, r);
    pw_buf_printf(&b,
                  ",\"response\":{\"status\":%d,\"statusText\":\"\",\"httpVersion\":\"\","
                  "\"cookies\":[],\"headers\":[],\"content\":{\"size\":0,\"mimeType\":\"\"},"
                  "\"redirectURL\":",
                  r->status);
    json_str(&b, r->redirect_url ? r->redirect_url : "");
    pw_buf_puts(&b, ",\"headersSize\":-1,\"bodySize\":-1");
    if (r->error) { /* Chrome's field for a failed request */
        pw_buf_puts(&b, ",\"_error\":");
        json_str(&b, r->error);
    }
    pw_buf_puts(&b, "},\"cache\":{},\"timings\":{\"send\":0,\"wait\":0,\"receive\":0}");
    if (r->resource_type) {
        pw_buf_puts(&b, ",\"_resourceType\":");
        json_str(&b, r->resource_type);
    }
    if (r->initiator)
        write_initiator(&b, r->initiator);
    if (r->frame_url) {
        pw_buf_puts(&b, ",\"_frameUrl\":");
        json_str(&b, r->frame_url);
    }
    if (r->visit_retried)
        pw_buf_puts(&b, ",\"_visitRetried\":true");
    pw_buf_printf(&b, ",\"_step\":\"%s\",\"_beforeConsent\":%s,\"_afterReject\":%s}",
                  pw_step_name(r->step), r->before_consent ? "true" : "false",
                  r->after_reject ? "true" : "false");
    pw_status st = PW_OK;
    if (b.failed)
        st = pw_err_set(err, PW_ERR_NOMEM, "%s: out of memory", w->path);
    else if (fwrite(b.data, 1, b.len, w->entries) != b.len)
        st = pw_err_set(err, PW_ERR_IO, "%s: temporary file: write failed", w->path);
    pw_buf_free(&b);
    if (st == PW_OK)
        w->n_entries++;
    return st;
}

static void free_writer(pw_har_writer *w)
{
    if (w->entries)
        fclose(w->entries);
    pw_outfile_discard(&w->file); /* nothing after a commit */
    for (size_t i = 0; i < w->n_pages; i++)
        free(w->page_urls[i]);
    free(w->page_urls);
    free(w->described);
    free(w->first_ts);
    pw_buf_free(&w->pages);
    pw_buf_free(&w->gaps);
    free(w->path);
    free(w->version);
    free(w);
}

pw_status pw_har_writer_close(pw_har_writer *w, pw_err *err)
{
    if (!w)
        return PW_OK;
    pw_status st = PW_OK;
    FILE *out = w->file.f;
    if (out && w->entries) {
        pw_buf head;
        pw_buf_init(&head);
        pw_buf_puts(&head, "{\"log\":{\"version\":\"1.2\",\"creator\":{\"name\":\"phiwall\","
                           "\"version\":");
        json_str(&head, w->version);
        for (size_t i = 0; i < w->n_pages; i++) /* pages whose record never came: a bare one */
            if (!w->described[i]) {
                page_head(&w->pages, i, w->first_ts[i], w->page_urls[i]);
                pw_buf_puts(&w->pages, ",\"_url\":");
                json_str(&w->pages, w->page_urls[i]);
                pw_buf_puts(&w->pages, ",\"pageTimings\":{}}");
            }
        pw_buf_putc(&head, '}');
        if (w->gaps.len) { /* before the entries: a reader knows them before the first page */
            pw_buf_puts(&head, ",\n  \"_phiwall\":{\"gaps\":[");
            pw_buf_append(&head, w->gaps.data, w->gaps.len);
            pw_buf_puts(&head, "]}");
        }
        pw_buf_puts(&head, ",\n  \"pages\":[");
        pw_buf_append(&head, w->pages.data ? w->pages.data : "", w->pages.len);
        pw_buf_puts(&head, "],\n  \"entries\":[");
        if (head.failed || fwrite(head.data, 1, head.len, out) != head.len)
            st = pw_err_set(err, PW_ERR_IO, "%s: write failed", w->path);
        pw_buf_free(&head);
        /* the entries still in the temporary file's buffer must reach it: rewind would drop a
         * failed flush (a full disk) and write a HAR without them */
        if (st == PW_OK && (fflush(w->entries) != 0 || fseek(w->entries, 0, SEEK_SET) != 0))
            st = pw_err_set(err, PW_ERR_IO, "%s: temporary file: write failed: %s", w->path,
                            strerror(errno));
        char buf[65536];
        size_t n;
        while (st == PW_OK && (n = fread(buf, 1, sizeof buf, w->entries)) > 0)
            if (fwrite(buf, 1, n, out) != n)
                st = pw_err_set(err, PW_ERR_IO, "%s: write failed", w->path);
        if (st == PW_OK && ferror(w->entries))
            st = pw_err_set(err, PW_ERR_IO, "%s: temporary file: read failed", w->path);
        if (st == PW_OK && fputs("]}}\n", out) == EOF)
            st = pw_err_set(err, PW_ERR_IO, "%s: write failed", w->path);
        if (st == PW_OK)
            st = pw_outfile_commit(&w->file, err);
    }
    free_writer(w); /* after a failure: the temporary file goes, the old HAR stays */
    return st;
}

void pw_har_writer_abort(pw_har_writer *w)
{
    if (w)
        free_writer(w);
}

static pw_status tee_page(void *ctx, const pw_page *page, pw_err *err)
{
    pw_har_tee *t = ctx;
    pw_status st = pw_har_writer_add_page(t->writer, page, err);
    if (st == PW_OK && t->next && t->next->on_page)
        st = t->next->on_page(t->next->ctx, page, err);
    return st;
}

static pw_status tee_request(void *ctx, const pw_request *req, pw_err *err)
{
    pw_har_tee *t = ctx;
    pw_status st = pw_har_writer_add_request(t->writer, req, err);
    if (st == PW_OK && t->next && t->next->on_request)
        st = t->next->on_request(t->next->ctx, req, err);
    return st;
}

/* A gap the writer cannot keep (out of memory) is still forwarded: the report must say it. */
static void tee_gap(void *ctx, const pw_capture_gap *gap)
{
    pw_har_tee *t = ctx;
    pw_har_writer_add_gap(t->writer, gap, NULL);
    if (t->next && t->next->on_gap)
        t->next->on_gap(t->next->ctx, gap);
}

pw_capture_sink pw_har_tee_sink(pw_har_tee *tee)
{
    pw_capture_sink s = {tee_page, tee_request, tee, tee_gap};
    return s;
}
