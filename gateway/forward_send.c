/*
 * forward_send.c — the HTTP side of the forwarders: run a set of prepared requests concurrently
 * on a destination's libcurl multi handle (connections are reused across cycles through the
 * multi handle's cache), collect status, Retry-After, latency and a bounded copy of each answer,
 * and read an answer by HTTP status. Secrets are set as headers or body here and never copied
 * into an outcome's detail.
 */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "forward_internal.h"

#define MAX_RESPONSE_BYTES (64 * 1024)
#define DEFAULT_TIMEOUT_MS 1500

static size_t on_body(char *p, size_t size, size_t nmemb, void *ctx)
{
    fw_request *r = ctx;
    size_t n = size * nmemb;
    if (r->response.len < MAX_RESPONSE_BYTES) {
        size_t keep = n;
        if (keep > MAX_RESPONSE_BYTES - r->response.len)
            keep = MAX_RESPONSE_BYTES - r->response.len;
        pw_buf_append(&r->response, p, keep);
    }
    return n;
}

#define POOL_MAX 256 /* handles kept; a cycle may run more, the rest are cleaned up */

void pw_fw_pool_free(fw_easy_pool *p)
{
    for (size_t i = 0; i < p->n; i++)
        curl_easy_cleanup(p->free[i]);
    free(p->free);
    curl_slist_free_all(p->headers);
    memset(p, 0, sizeof *p);
}

/* The destination's request headers, built once per pool (they hold no per-request data). */
static struct curl_slist *headers_for(const pw_destination *d)
{
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
    h = curl_slist_append(h, "Expect:"); /* no 100-continue round trip for large bodies */
    if (d->kind == PW_DEST_WEBHOOK && d->bearer_token && d->bearer_token[0]) {
        size_t n = strlen(d->bearer_token) + 32;
        char *auth = malloc(n);
        if (auth) {
            snprintf(auth, n, "Authorization: Bearer %s", d->bearer_token);
            h = curl_slist_append(h, auth);
            memset(auth, 0, n);
            free(auth);
        }
    }
    return h;
}

/* A new handle with every option that is the same for all of a destination's requests. Handles
 * go back to the pool with these options still set, so a request only sets its own (body,
 * private pointers): no curl_easy_reset and a dozen setopt calls per request. */
static CURL *new_easy(fw_easy_pool *p, const pw_destination *d)
{
    CURL *e = curl_easy_init();
    if (!e)
        return NULL;
    long timeout = d->timeout_ms ? (long)d->timeout_ms : DEFAULT_TIMEOUT_MS;
    curl_easy_setopt(e, CURLOPT_POST, 1L);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, p->headers);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, timeout);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, timeout);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_TCP_NODELAY, 1L);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(e, CURLOPT_USERAGENT, "phiwall-gateway");
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    return e;
}

static CURL *pool_take(fw_easy_pool *p, const pw_destination *d)
{
    if (p->n)
        return p->free[--p->n];
    return new_easy(p, d);
}

static void pool_give(fw_easy_pool *p, CURL *e)
{
    if (p->n == p->cap && p->cap < POOL_MAX) {
        size_t cap = p->cap ? p->cap * 2 : 16;
        CURL **grown = realloc(p->free, cap * sizeof *grown);
        if (grown) {
            p->free = grown;
            p->cap = cap;
        }
    }
    if (p->n < p->cap)
        p->free[p->n++] = e;
    else
        curl_easy_cleanup(e);
}

static CURL *easy_for(fw_easy_pool *pool, const pw_destination *d, fw_request *r)
{
    CURL *e = pool_take(pool, d);
    if (!e)
        return NULL;
    curl_easy_setopt(e, CURLOPT_URL, r->url);
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, r->body.data ? r->body.data : "");
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)r->body.len);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(e, CURLOPT_PRIVATE, r);
    return e;
}

static void finish_transfer(CURLM *multi, fw_easy_pool *pool, CURLMsg *msg)
{
    fw_request *r = NULL;
    CURL *e = msg->easy_handle;
    curl_easy_getinfo(e, CURLINFO_PRIVATE, (char **)&r);
    r->curl_code = (int)msg->data.result;
    r->timed_out = msg->data.result == CURLE_OPERATION_TIMEDOUT;
    curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &r->http_status);
    curl_off_t after = 0;
    if (curl_easy_getinfo(e, CURLINFO_RETRY_AFTER, &after) == CURLE_OK && after > 0)
        r->retry_after_ms = (int64_t)after * 1000;
    curl_easy_getinfo(e, CURLINFO_TOTAL_TIME, &r->latency_s);
    curl_multi_remove_handle(multi, e);
    pool_give(pool, e);
}

/* After a multi failure: detach the transfers still attached (their requests are about to be
 * freed) and mark them failed, to be retried. */
static void abandon_running(CURLM *multi, fw_request **reqs, CURL **easy, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (!easy[i] || reqs[i]->curl_code != -1)
            continue;
        curl_multi_remove_handle(multi, easy[i]);
        curl_easy_cleanup(easy[i]);
        reqs[i]->curl_code = CURLE_ABORTED_BY_CALLBACK;
    }
}

static void collect_done(CURLM *multi, fw_easy_pool *pool)
{
    CURLMsg *msg;
    int left;
    while ((msg = curl_multi_info_read(multi, &left)))
        if (msg->msg == CURLMSG_DONE)
            finish_transfer(multi, pool, msg);
}

void pw_fw_send_all(CURLM *multi, fw_easy_pool *pool, const pw_destination *d, fw_request **reqs,
                    size_t n)
{
    if (!pool->headers)
        pool->headers = headers_for(d);
    CURL **easy = pool->headers ? calloc(n ? n : 1, sizeof *easy) : NULL;
    size_t added = 0;
    for (size_t i = 0; i < n; i++) {
        reqs[i]->curl_code = -1; /* running */
        CURL *e = easy ? easy_for(pool, d, reqs[i]) : NULL;
        if (!e || curl_multi_add_handle(multi, e) != CURLM_OK) {
            reqs[i]->curl_code = CURLE_OUT_OF_MEMORY;
            if (e)
                curl_easy_cleanup(e);
            continue;
        }
        easy[i] = e;
        added++;
    }
    int running = (int)added;
    while (running > 0) {
        if (curl_multi_perform(multi, &running) != CURLM_OK)
            break;
        collect_done(multi, pool);
        if (running > 0)
            curl_multi_poll(multi, NULL, 0, 100, NULL);
    }
    if (easy)
        abandon_running(multi, reqs, easy, n);
    free(easy);
}

void pw_fw_classify_http(const fw_request *r, unsigned timeout_ms, fw_outcome *out)
{
    memset(out, 0, sizeof *out);
    out->retry_after_ms = r->retry_after_ms;
    if (r->curl_code != CURLE_OK) {
        out->verdict = FW_RETRY;
        if (r->timed_out)
            snprintf(out->detail, sizeof out->detail, "timeout after %u ms",
                     timeout_ms ? timeout_ms : DEFAULT_TIMEOUT_MS);
        else
            snprintf(out->detail, sizeof out->detail, "transport: %s",
                     curl_easy_strerror((CURLcode)r->curl_code));
        return;
    }
    long s = r->http_status;
    if (s >= 200 && s < 300)
        out->verdict = FW_DELIVERED;
    else if (s == 408 || s == 429 || s >= 500)
        out->verdict = FW_RETRY;
    else
        out->verdict = FW_DEAD;
    snprintf(out->detail, sizeof out->detail, "http %ld", s);
}
