/*
 * browser_http.c — one HTTP GET with libcurl for the browser capture source: robots.txt and
 * sitemap.xml of the audited site, and the local copies served for --map-host. Bounded in time
 * and size; redirects followed (at most 5).
 */
#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>

#include "capture/browser_int.h"

typedef struct sink {
    pw_buf body;
    size_t max;
    int over;
} sink;

static size_t on_data(char *p, size_t size, size_t n, void *ctx)
{
    sink *s = ctx;
    size_t len = size * n;
    if (s->body.len + len > s->max) {
        s->over = 1;
        return 0;
    }
    return pw_buf_append(&s->body, p, len) == PW_OK ? len : 0;
}

void bx_http_result_free(bx_http_result *r)
{
    free(r->content_type);
    free(r->body);
    memset(r, 0, sizeof *r);
}

pw_status bx_http_get(const char *url, long timeout_ms, size_t max_bytes, bx_http_result *out,
                      pw_err *err)
{
    memset(out, 0, sizeof *out);
    CURL *h = curl_easy_init();
    if (!h)
        return pw_err_set(err, PW_ERR_NOMEM, "%s: curl init failed", url);
    sink s;
    pw_buf_init(&s.body);
    s.max = max_bytes;
    s.over = 0;
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(h, CURLOPT_MAXREDIRS, 5L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(h, CURLOPT_USERAGENT, "phiwall (privacy audit)");
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &s);
    CURLcode rc = curl_easy_perform(h);
    if (rc != CURLE_OK) {
        pw_buf_free(&s.body);
        curl_easy_cleanup(h);
        if (s.over)
            return pw_err_set(err, PW_ERR_LIMIT, "%s: larger than %zu bytes", url, max_bytes);
        return pw_err_set(err, PW_ERR_IO, "%s: %s", url, curl_easy_strerror(rc));
    }
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &out->status);
    char *ct = NULL;
    curl_easy_getinfo(h, CURLINFO_CONTENT_TYPE, &ct);
    out->content_type = ct ? strdup(ct) : NULL;
    pw_buf_putc(&s.body, '\0'); /* make sure there is a buffer and a terminator */
    out->len = s.body.len - 1;
    out->body = pw_buf_steal(&s.body, NULL);
    curl_easy_cleanup(h);
    if (!out->body) {
        bx_http_result_free(out);
        return pw_err_set(err, PW_ERR_NOMEM, "%s: out of memory", url);
    }
    return PW_OK;
}
