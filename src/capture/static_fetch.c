/*
 * static_fetch.c — one page of static triage over libcurl, fetched as a browser navigates to it:
 * redirects followed up to the caller's budget (Chromium's is 20 per navigation), the URL it
 * landed on kept (what its relative links resolve against, and the page's name in reports), and
 * an answer that is not HTML left unread once its headers say so (a 50 MB PDF or installer is
 * no page: a browser downloads it, it has no tags, and it is no gap).
 */
#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "capture/static_int.h"
#include "phiwall/buf.h"
#include "phiwall/text.h"

typedef struct sink {
    CURL *h;
    pw_buf body;
    size_t max;
    int over;     /* the HTML passed max */
    int checked;  /* the final answer's headers were looked at (or need not be: any type) */
    int not_html; /* ... and said it is not HTML: the transfer was stopped there */
} sink;

int pw_sx_is_html(const char *content_type)
{
    /* no type: a browser sniffs, and a page is what a site's link usually is */
    if (!content_type || !content_type[0])
        return 1;
    size_t n = strcspn(content_type, ";");
    return pw_strcasestr_n(content_type, n, "html") != NULL;
}

static size_t on_data(char *p, size_t size, size_t n, void *ctx)
{
    sink *s = ctx;
    size_t len = size * n;
    if (!s->checked) { /* the first bytes of the answer the redirects ended on */
        s->checked = 1;
        char *ct = NULL;
        curl_easy_getinfo(s->h, CURLINFO_CONTENT_TYPE, &ct);
        if (!pw_sx_is_html(ct)) {
            s->not_html = 1;
            return 0; /* stops the transfer: CURLE_WRITE_ERROR */
        }
    }
    if (s->body.len + len > s->max) {
        s->over = 1;
        return 0;
    }
    return pw_buf_append(&s->body, p, len) == PW_OK ? len : 0;
}

void pw_sx_fetch_free(pw_sx_fetch *f)
{
    free(f->url);
    free(f->content_type);
    free(f->body);
    memset(f, 0, sizeof *f);
}

/* 1 if url is on auth's origin: the origin followed by the end, a path, a query or a fragment. */
static int on_origin(const pw_sx_auth *auth, const char *url)
{
    if (!auth || !auth->origin)
        return 0;
    size_t n = strlen(auth->origin);
    return strncasecmp(url, auth->origin, n) == 0 && strchr("/?#", url[n]) != NULL;
}

static pw_status fetch(const char *url, const pw_sx_auth *auth, long timeout_ms, size_t max_bytes,
                       long max_redirs, int any_type, pw_sx_fetch *out, pw_err *err)
{
    memset(out, 0, sizeof *out);
    CURL *h = curl_easy_init();
    if (!h)
        return pw_err_set(err, PW_ERR_NOMEM, "%s: curl init failed", url);
    sink s = {0};
    s.h = h;
    s.checked = any_type;
    pw_buf_init(&s.body);
    s.max = max_bytes;
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(h, CURLOPT_MAXREDIRS, max_redirs < 0 ? 0L : max_redirs);
#if LIBCURL_VERSION_NUM >= 0x075500
    curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
#endif
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(h, CURLOPT_USERAGENT, "phiwall (privacy audit)");
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &s);
    if (on_origin(auth, url)) { /* basic or digest, as the site asks; never to another host */
        curl_easy_setopt(h, CURLOPT_USERNAME, auth->user);
        curl_easy_setopt(h, CURLOPT_PASSWORD, auth->password);
        curl_easy_setopt(h, CURLOPT_HTTPAUTH, CURLAUTH_BASIC | CURLAUTH_DIGEST);
    }
    CURLcode rc = curl_easy_perform(h);
    if (rc != CURLE_OK && !(rc == CURLE_WRITE_ERROR && s.not_html)) {
        pw_buf_free(&s.body);
        curl_easy_cleanup(h);
        if (s.over)
            return pw_err_set(err, PW_ERR_LIMIT, "%s: larger than %zu bytes", url, max_bytes);
        if (rc == CURLE_TOO_MANY_REDIRECTS)
            return pw_err_set(err, PW_ERR_IO, "%s: more than %ld redirects", url, max_redirs);
        return pw_err_set(err, PW_ERR_IO, "%s: %s", url, curl_easy_strerror(rc));
    }
    char *ct = NULL, *eff = NULL;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &out->status);
    curl_easy_getinfo(h, CURLINFO_CONTENT_TYPE, &ct);
    curl_easy_getinfo(h, CURLINFO_EFFECTIVE_URL, &eff);
    curl_easy_getinfo(h, CURLINFO_REDIRECT_COUNT, &out->redirects);
    out->html = !any_type && !s.not_html && pw_sx_is_html(ct);
    out->content_type = ct ? strdup(ct) : NULL;
    out->url = strdup(eff ? eff : url);
    pw_buf_putc(&s.body, '\0'); /* make sure there is a buffer and a terminator */
    out->len = s.body.len - 1;
    out->body = pw_buf_steal(&s.body, NULL);
    curl_easy_cleanup(h);
    if (!out->body || !out->url || (ct && !out->content_type)) {
        pw_sx_fetch_free(out);
        return pw_err_set(err, PW_ERR_NOMEM, "%s: out of memory", url);
    }
    return PW_OK;
}

pw_status pw_sx_fetch_page(const char *url, const pw_sx_auth *auth, long timeout_ms,
                           size_t max_bytes, long max_redirs, pw_sx_fetch *out, pw_err *err)
{
    return fetch(url, auth, timeout_ms, max_bytes, max_redirs, 0, out, err);
}

pw_status pw_sx_fetch_any(const char *url, long timeout_ms, size_t max_bytes, long max_redirs,
                          pw_sx_fetch *out, pw_err *err)
{
    return fetch(url, NULL, timeout_ms, max_bytes, max_redirs, 1, out, err);
}
