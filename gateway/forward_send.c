/*
 * forward_send.c — the HTTP side of the forwarders: run a set of prepared requests concurrently
 * on a destination's libcurl multi handle (connections are reused across cycles through the
 * multi handle's cache), collect status, Retry-After, latency and a bounded copy of each answer,
 * and read an answer by HTTP status. Secrets are set as headers or body here and never copied
 * into an outcome's detail.
 */
#include <curl/curl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "forward_internal.h"
#include "gw_log.h"
#include "gw_time.h"

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

/* The longest Retry-After taken as given: longer than any retry window (so the items are
 * dead-lettered, as the upstream asked for more than the window), short enough that neither
 * the milliseconds nor now + wait overflow (Retry-After: 18446744073709552 wrapped to a retry
 * 384 ms later, and larger values to a schedule in the past: the upstream hammered). */
#define RETRY_AFTER_MAX_S ((curl_off_t)30 * 86400)

#define POOL_MAX 256 /* handles kept; a cycle may run more, the rest are cleaned up */

/* HTTP/2: connections per host when the destination speaks h2c for sure (streams share them;
 * a second one only when the server's stream limit is reached), and how long an h2c connection
 * opened by the work-around below is trusted to be still open after its last use. */
#define FW_H2_CONNS    4L
#define FW_H2C_IDLE_MS 20000

void pw_fw_pool_free(fw_easy_pool *p)
{
    for (size_t i = 0; i < p->n; i++)
        curl_easy_cleanup(p->free[i]);
    free(p->free);
    curl_slist_free_all(p->headers);
    curl_url_cleanup(p->cu);
    free(p->cu_url);
    memset(p, 0, sizeof *p);
}

/* ---- HTTP version and connections ---------------------------------------------------- */

static int dest_is_https(const pw_destination *d)
{
    const char *u = d->kind == PW_DEST_WEBHOOK ? d->url : d->base_url;
    return !u || strncasecmp(u, "https://", 8) == 0; /* Meta and GA4 default to https */
}

/* h2c prior knowledge towards a plain-http upstream. */
static int dest_h2c(const pw_destination *d)
{
    return d->http2 == PW_HTTP2_PRIOR_KNOWLEDGE && !dest_is_https(d);
}

/* libcurl 7.87/7.88 (curl#10634, fixed in 8.0.0) fails a transfer that asks for h2c prior
 * knowledge on a connection it reuses ("Error in the HTTP2 framing layer"); asking for "2.0"
 * reuses it fine. Debian 12 ships 7.88.1. */
static int h2c_reuse_broken(void)
{
    const curl_version_info_data *v = curl_version_info(CURLVERSION_NOW);
    return v->version_num >= 0x075700 && v->version_num < 0x080000;
}

/* ---- egress proxy (the policy's proxy:) ------------------------------------------------ */

/* The proxy's credentials (proxy_auth_file / proxy_auth_env: "user:password", split at the
 * first ':' so that the password may hold one; libcurl copies both). Basic is sent with the
 * first request; the other schemes answer the proxy's 407 challenge. */
static void set_proxy_credentials(CURL *e, const pw_destination *d)
{
    static const unsigned long schemes[] = {CURLAUTH_BASIC, CURLAUTH_DIGEST, CURLAUTH_NTLM,
                                            CURLAUTH_ANY};
    if (!d->proxy_userpwd)
        return;
    const char *colon = strchr(d->proxy_userpwd, ':');
    size_t ulen = colon ? (size_t)(colon - d->proxy_userpwd) : strlen(d->proxy_userpwd);
    char user[256];
    snprintf(user, sizeof user, "%.*s", (int)ulen, d->proxy_userpwd);
    curl_easy_setopt(e, CURLOPT_PROXYUSERNAME, user);
    curl_easy_setopt(e, CURLOPT_PROXYPASSWORD, colon ? colon + 1 : "");
    curl_easy_setopt(e, CURLOPT_PROXYAUTH, schemes[d->proxy_auth]);
}

/* The egress path is the policy's, never the environment's by accident: libcurl reads
 * https_proxy / http_proxy / all_proxy / no_proxy unless told otherwise, so a variable left in a
 * service's environment would silently route every disclosure through another host. "" turns
 * proxies off (environment included); an explicit proxy also ignores no_proxy. */
static void set_proxy(CURL *e, const pw_destination *d)
{
    set_proxy_credentials(e, d);
    if (d->proxy && strcmp(d->proxy, "env") == 0)
        return;
    curl_easy_setopt(e, CURLOPT_PROXY, d->proxy ? d->proxy : "");
    if (d->proxy)
        curl_easy_setopt(e, CURLOPT_NOPROXY, "");
}

/* The environment's proxy variables that libcurl would read (lower case first, as it does; no
 * HTTP_PROXY: libcurl ignores it, CGI-style), each set one named in *names. */
static size_t proxy_env_set(const char **names, size_t cap)
{
    static const char *const vars[] = {"https_proxy", "HTTPS_PROXY", "http_proxy", "all_proxy",
                                       "ALL_PROXY"};
    size_t k = 0;
    for (size_t i = 0; i < sizeof vars / sizeof vars[0] && k < cap; i++) {
        const char *v = getenv(vars[i]);
        if (v && *v)
            names[k++] = vars[i];
    }
    return k;
}

/* Said once per destination at start: environment proxy variables that the policy's
 * proxy: none (the default) ignores, so that an operator who set them learns they are not used. */
static void warn_ignored_proxy_env(const pw_destination *d)
{
    const char *names[5];
    size_t k = d->proxy && strcmp(d->proxy, "env") == 0 ? 0 : proxy_env_set(names, 5);
    if (!k)
        return;
    char list[96] = "";
    for (size_t i = 0; i < k; i++)
        snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i ? "," : "", names[i]);
    pw_gw_log("warn",
              d->proxy ? "proxy variables in the environment ignored: the destination's proxy: "
                         "URL is used"
                       : "proxy variables in the environment ignored: the destination connects "
                         "directly (proxy: none; set proxy: env to use them)",
              "destination", d->name, "variables", list, NULL);
}

/* Said once per destination at start: proxy: env with credentials but no proxy variable set
 * connects directly, so the credentials go unused — most likely a service unit that lost its
 * Environment= line, which the operator should hear about before the firewall does. */
static void warn_unused_proxy_credentials(const pw_destination *d)
{
    const char *names[5];
    if (!d->proxy_userpwd || !d->proxy || strcmp(d->proxy, "env") != 0 || proxy_env_set(names, 5))
        return;
    pw_gw_log("warn",
              "proxy credentials unused: proxy: env and no https_proxy, http_proxy or all_proxy "
              "variable in the environment, so the destination connects directly",
              "destination", d->name, NULL);
}

void pw_fw_multi_setup(CURLM *multi, const pw_destination *d)
{
    warn_ignored_proxy_env(d);
    warn_unused_proxy_credentials(d);
    /* Keep-alive connections for every request a wave runs at once over HTTP/1.1 (GA4: one
     * request per visitor), so the next wave does not reconnect. */
    curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, (long)FW_WAVE);
    curl_multi_setopt(multi, CURLMOPT_PIPELINING, (long)CURLPIPE_MULTIPLEX);
    curl_multi_setopt(multi, CURLMOPT_MAX_CONCURRENT_STREAMS, (long)FW_WAVE);
    /* auto over https may end up on HTTP/1.1 (no ALPN h2): it needs a connection per request in
     * flight. Known h2c needs few; one with the work-around, so every stream waits for it. */
    long conns = !dest_h2c(d) ? (long)FW_WAVE : h2c_reuse_broken() ? 1L : FW_H2_CONNS;
    curl_multi_setopt(multi, CURLMOPT_MAX_HOST_CONNECTIONS, conns);
}

static void pool_setup(fw_easy_pool *p, const pw_destination *d)
{
    int h2 = (curl_version_info(CURLVERSION_NOW)->features & CURL_VERSION_HTTP2) != 0;
    p->http_version = CURL_HTTP_VERSION_1_1;
    if (d->http2 != PW_HTTP2_OFF && dest_is_https(d) && h2) {
        p->http_version = CURL_HTTP_VERSION_2TLS; /* ALPN; HTTP/1.1 if the server declines */
        p->multiplex = 1;
    } else if (dest_h2c(d)) {
        p->http_version = CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE;
        p->multiplex = 1;
        p->h2c_opener = h2c_reuse_broken();
    }
    p->ready = 1;
}

/* Sockets of the destination's connections, to cork them during a multi_perform: libcurl 7.88
 * writes each HTTP/2 frame with its own send(), so the HEADERS and DATA of a wave's 100 streams
 * would be ~200 segments, each processed by the receiver on its own; corked, they leave in a
 * few full segments when the perform ends. */
static int on_socket_open(void *ctx, curl_socket_t fd, curlsocktype purpose)
{
    fw_easy_pool *p = ctx;
    if (purpose != CURLSOCKTYPE_IPCXN)
        return CURL_SOCKOPT_OK;
    if (p->n_socks < FW_CORK_MAX)
        p->socks[p->n_socks++] = fd;
    else
        p->n_untracked++;
    return CURL_SOCKOPT_OK;
}

static int on_socket_close(void *ctx, curl_socket_t fd)
{
    fw_easy_pool *p = ctx;
    size_t i = 0;
    while (i < p->n_socks && p->socks[i] != fd)
        i++;
    if (i < p->n_socks)
        p->socks[i] = p->socks[--p->n_socks];
    else if (p->n_untracked)
        p->n_untracked--;
    return close(fd);
}

static void cork(fw_easy_pool *p, int on)
{
    if (!p->multiplex || p->n_untracked)
        return;
    for (size_t i = 0; i < p->n_socks; i++)
        setsockopt(p->socks[i], IPPROTO_TCP, TCP_CORK, &on, sizeof on);
}

/* With the h2c work-around, a transfer that is not the opener must not open a connection (it
 * would speak HTTP/1.1 with an Upgrade an h2c-only server refuses): it is refused here, before
 * anything is sent, and goes again on a new connection. */
static curl_socket_t on_open_socket(void *ctx, curlsocktype purpose, struct curl_sockaddr *a)
{
    fw_request *r = ctx;
    if (purpose == CURLSOCKTYPE_IPCXN && !r->may_connect) {
        r->refused_connect = 1;
        return CURL_SOCKET_BAD;
    }
    return socket(a->family, a->socktype, a->protocol);
}

/* ---- easy handles -------------------------------------------------------------------- */

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
    curl_easy_setopt(e, CURLOPT_HTTP_VERSION, p->http_version);
    curl_easy_setopt(e, CURLOPT_PIPEWAIT, (long)p->multiplex); /* one connection, many streams */
    curl_easy_setopt(e, CURLOPT_SOCKOPTFUNCTION, on_socket_open);
    curl_easy_setopt(e, CURLOPT_SOCKOPTDATA, p);
    curl_easy_setopt(e, CURLOPT_CLOSESOCKETFUNCTION, on_socket_close);
    curl_easy_setopt(e, CURLOPT_CLOSESOCKETDATA, p);
    if (p->h2c_opener)
        curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, on_open_socket);
    set_proxy(e, d);
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
    if (!pool->cu_url || strcmp(pool->cu_url, r->url) != 0) {
        curl_url_cleanup(pool->cu);
        free(pool->cu_url);
        pool->cu_url = strdup(r->url);
        pool->cu = curl_url();
        if (pool->cu && curl_url_set(pool->cu, CURLUPART_URL, r->url, 0) != CURLUE_OK) {
            curl_url_cleanup(pool->cu);
            pool->cu = NULL;
        }
    }
    curl_easy_setopt(e, CURLOPT_URL, r->url);
    curl_easy_setopt(e, CURLOPT_CURLU, pool->cu);
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, r->body.data ? r->body.data : "");
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)r->body.len);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(e, CURLOPT_PRIVATE, r);
    if (pool->h2c_opener) { /* the opener asks for h2c on a new connection, the others reuse it */
        curl_easy_setopt(e, CURLOPT_HTTP_VERSION,
                         r->may_connect ? CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE
                                        : CURL_HTTP_VERSION_2_0);
        curl_easy_setopt(e, CURLOPT_FRESH_CONNECT, (long)r->may_connect);
        curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, r);
    }
    return e;
}

/* ---- running transfers --------------------------------------------------------------- */

static void finish_transfer(CURLM *multi, fw_easy_pool *pool, CURLMsg *msg)
{
    fw_request *r = NULL;
    CURL *e = msg->easy_handle;
    curl_easy_getinfo(e, CURLINFO_PRIVATE, (char **)&r);
    r->curl_code = (int)msg->data.result;
    r->timed_out = msg->data.result == CURLE_OPERATION_TIMEDOUT;
    curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &r->http_status);
    curl_easy_getinfo(e, CURLINFO_HTTP_CONNECTCODE, &r->connect_status);
    curl_easy_getinfo(e, CURLINFO_HTTP_VERSION, &r->http_version);
    curl_off_t after = 0;
    if (curl_easy_getinfo(e, CURLINFO_RETRY_AFTER, &after) == CURLE_OK && after > 0)
        r->retry_after_ms = (int64_t)(after < RETRY_AFTER_MAX_S ? after : RETRY_AFTER_MAX_S) * 1000;
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

/* Run the requests concurrently until each has finished or failed. */
static void run_transfers(CURLM *multi, fw_easy_pool *pool, const pw_destination *d,
                          fw_request **reqs, size_t n)
{
    CURL **easy = pool->headers ? calloc(n ? n : 1, sizeof *easy) : NULL;
    size_t added = 0;
    for (size_t i = 0; i < n; i++) {
        reqs[i]->curl_code = -1; /* running */
        reqs[i]->refused_connect = 0;
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
        cork(pool, 1);
        CURLMcode mc = curl_multi_perform(multi, &running);
        cork(pool, 0);
        if (mc != CURLM_OK)
            break;
        collect_done(multi, pool);
        if (running > 0)
            curl_multi_poll(multi, NULL, 0, 100, NULL);
    }
    if (easy)
        abandon_running(multi, reqs, easy, n);
    free(easy);
}

/* The h2c work-around: open a connection with reqs[0] alone when none is believed open (0 if it
 * could not be opened: the other requests are failed with its error, unsent), then run the rest
 * on it; requests refused a connection of their own (it had closed) go again behind a new
 * opener, a few times at most. */
static void send_h2c_rounds(CURLM *multi, fw_easy_pool *pool, const pw_destination *d,
                            fw_request **reqs, size_t n)
{
    for (int round = 0; n > 0 && round < 3; round++) {
        if (!pool->h2c_live || pw_gw_mono_ms() - pool->h2c_used_ms > FW_H2C_IDLE_MS) {
            reqs[0]->may_connect = 1;
            run_transfers(multi, pool, d, reqs, 1);
            reqs[0]->may_connect = 0;
            pool->h2c_live = reqs[0]->curl_code == CURLE_OK;
            pool->h2c_used_ms = pw_gw_mono_ms();
            if (!pool->h2c_live) {
                for (size_t i = 1; i < n; i++) {
                    reqs[i]->curl_code = reqs[0]->curl_code;
                    reqs[i]->timed_out = reqs[0]->timed_out;
                }
                return;
            }
            reqs++, n--;
        }
        run_transfers(multi, pool, d, reqs, n);
        pool->h2c_used_ms = pw_gw_mono_ms();
        size_t again = 0;
        for (size_t i = 0; i < n; i++) {
            if (reqs[i]->refused_connect)
                reqs[again++] = reqs[i];
            else if (reqs[i]->curl_code != CURLE_OK)
                pool->h2c_live = 0; /* the connection may be broken: a fresh one next time */
        }
        if (again)
            pool->h2c_live = 0;
        n = again;
    }
}

static void send_h2c(CURLM *multi, fw_easy_pool *pool, const pw_destination *d, fw_request **reqs,
                     size_t n)
{
    fw_request **todo = malloc((n ? n : 1) * sizeof *todo); /* the caller's order stays */
    if (!todo) {
        for (size_t i = 0; i < n; i++)
            reqs[i]->curl_code = CURLE_OUT_OF_MEMORY;
        return;
    }
    memcpy(todo, reqs, n * sizeof *todo);
    send_h2c_rounds(multi, pool, d, todo, n);
    free(todo);
}

void pw_fw_send_all(CURLM *multi, fw_easy_pool *pool, const pw_destination *d, fw_request **reqs,
                    size_t n)
{
    if (!pool->ready)
        pool_setup(pool, d);
    if (!pool->headers)
        pool->headers = headers_for(d);
    if (pool->h2c_opener && pool->headers)
        send_h2c(multi, pool, d, reqs, n);
    else
        run_transfers(multi, pool, d, reqs, n);
}

void pw_fw_classify_http(const fw_request *r, unsigned timeout_ms, fw_outcome *out)
{
    memset(out, 0, sizeof *out);
    out->retry_after_ms = r->retry_after_ms;
    if (r->connect_status == 407 || (r->curl_code == CURLE_OK && r->http_status == 407)) {
        /* The egress proxy refused its credentials (none, wrong, or another scheme): a
         * configuration error like a refused token, so the destination pauses (forward.c) instead
         * of retrying each event until its window ends or dead-lettering it. */
        out->verdict = FW_AUTH;
        snprintf(out->detail, sizeof out->detail,
                 "proxy http 407: the egress proxy refused the credentials (check "
                 "proxy_auth_file / proxy_auth_env and proxy_auth_scheme)");
        return;
    }
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
    else if (s >= 300 && s < 400) {
        /* An upstream moving (a planned migration, a proxy in front of a webhook) answers a
         * redirect: 301/308 for good, 302/307 for now, 303 "see other". Never followed (the
         * token would go to another host), but retried at the same URL within the normal backoff
         * and windows, so that its events wait for the operator's new base_url instead of all
         * going to the dead letters at once. Which code a server picks says nothing about the
         * events (301 and 308 differ only in whether a client may turn the POST into a GET, which
         * does not apply here): all are treated alike. */
        out->verdict = FW_RETRY;
        snprintf(out->detail, sizeof out->detail, "http %ld: redirect not followed", s);
        return;
    } else if (s == 401 || s == 403) {
        /* The credentials, not the events: the destination pauses (forward.c). */
        out->verdict = FW_AUTH;
        snprintf(out->detail, sizeof out->detail, "http %ld: credentials refused", s);
        return;
    } else
        out->verdict = FW_DEAD;
    snprintf(out->detail, sizeof out->detail, "http %ld", s);
}
