/*
 * gw_http.h — the gateway's HTTP/1.1 front (libmicrohttpd, epoll, one daemon per HTTP thread,
 * keep-alive): POST /e (events, sendBeacon bodies), OPTIONS /e (CORS preflight for the site's
 * own origins), GET /phiwall.js (the first-party tag), /healthz and /metrics.
 *
 * Raw IPs and user agents are read from the connection into the request's memory and handed
 * to the policy; they are never logged or stored.
 */
#ifndef PHIWALL_GW_HTTP_H
#define PHIWALL_GW_HTTP_H

#include "gw_commit.h"
#include "gw_ingest.h"
#include "gw_runtime.h"

/* A per-thread PHI engine: borrow for one request, give back after. */
typedef struct pw_gw_phi_source {
    pw_status (*borrow)(void *ctx, pw_gw_phi *out, void **token, pw_err *err);
    void (*give_back)(void *ctx, void *token);
    void *ctx;
} pw_gw_phi_source;

#define PW_GW_CONN_KIB_DEFAULT     16
#define PW_GW_CONNS_PER_IP_DEFAULT 256
#define PW_GW_MAX_CONNS_DEFAULT    1020 /* libmicrohttpd's default limit, which it was */
#define PW_GW_CONN_KIB_MAX         1024

#define PW_GW_REQUEST_TIMEOUT_MS_DEFAULT 30000u

typedef struct pw_gw_http_config {
    const char *host; /* "127.0.0.1", "::1" or "0.0.0.0" */
    unsigned port;    /* 0: any free port (tests) */
    unsigned threads; /* 0: number of CPUs */
    /* libmicrohttpd's memory per connection in KiB, which bounds the request headers (about
     * half of it; 431 beyond); 0: PW_GW_CONN_KIB_DEFAULT. */
    unsigned conn_kib;
    /* Open connections one client address (an IPv6 client: its /64) may hold while the policy
     * does not trust a proxy; beyond, a new connection is closed at once. Behind a trusted
     * proxy (every connection is the proxy's): POST /e requests in progress per X-Forwarded-For
     * client, 429 beyond. 0: PW_GW_CONNS_PER_IP_DEFAULT; -1: no cap. */
    int conns_per_ip;
    /* Open connections in all; at the limit new ones wait in the listening socket's backlog
     * until one closes. 0: PW_GW_MAX_CONNS_DEFAULT. */
    unsigned max_conns;
    /* The most time one request may take to arrive whole, in ms: from its request line (from
     * the connection's opening or the previous answer until that line is read), to its last
     * body byte. A connection still sending its request then is closed
     * (phiwall_gateway_requests_timed_out_total). libmicrohttpd's own timeout (30 s) is an idle
     * one, reset by every byte: a client sending a byte every few seconds held its connection
     * for as long as it liked. 0: PW_GW_REQUEST_TIMEOUT_MS_DEFAULT. */
    unsigned request_timeout_ms;
    pw_gw_policy_holder *policies;
    pw_gw_phi_source phi;
    pw_gw_sink sink;            /* synchronous commit (tests), used when committer is NULL */
    pw_gw_committer *committer; /* asynchronous commit: requests wait suspended, not blocking */
    /* Extra /metrics text (spool depth, forwarder counters), or NULL. */
    void (*metrics_extra)(void *ctx, pw_buf *out);
    void *metrics_ctx;
    /* /healthz (gw-durable): 0 when healthy; else non-zero with a JSON array of reasons
     * written to `reasons`, answered 503 {"status":"unhealthy","reasons":[…]}. NULL: always
     * {"status":"ok"}. Called with metrics_ctx. */
    int (*health)(void *ctx, pw_buf *reasons);
    /* The rate limiter's clock (seconds, monotonic), called with clock_ctx; NULL: the system's.
     * Tests step it, so that a token bucket's refill does not depend on how fast they run. */
    double (*clock_s)(void *ctx);
    void *clock_ctx;
} pw_gw_http_config;

typedef struct pw_gw_http pw_gw_http;

/* The client address of an X-Forwarded-For value: its last entry, without a port
 * ("203.0.113.7:4711", "[2001:db8::7]:4711"), copied to out (n bytes) when it is an IPv4 or IPv6
 * address: 1. 0 otherwise ("unknown", "_hidden", garbage, too long), out left as it was. */
int pw_gw_xff_client(const char *xff, char *out, size_t n);

pw_status pw_gw_http_start(const pw_gw_http_config *cfg, pw_gw_http **out, pw_err *err);
unsigned pw_gw_http_port(const pw_gw_http *h);
pw_gw_counters *pw_gw_http_counters(pw_gw_http *h);
/* Stop accepting new connections (SIGTERM drain); requests in flight finish. */
void pw_gw_http_quiesce(pw_gw_http *h);
/* Stop the daemon (waits for its threads) and free. */
void pw_gw_http_stop(pw_gw_http *h);

/* The embedded first-party tag (gateway/tag/phiwall.js). */
extern const unsigned char pw_gw_tag_js[];
extern const size_t pw_gw_tag_js_len;

#endif
