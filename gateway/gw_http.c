/*
 * gw_http.c — routes and limits of the gateway's HTTP front on libmicrohttpd (see gw_http.h).
 * Every error is a JSON body with a 4xx/5xx status; nothing the client sends can crash it.
 */
#include "gw_http.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdarg.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "gw_http_reply.h"
#include "gw_json_writer.h"
#include "gw_log.h"
#include "phiwall/text.h"

typedef struct req req;
typedef struct http_thread http_thread;

#define CONN_SLOTS 1024 /* open connections per client address, by hash (conn_slot) */

/* One HTTP thread: a libmicrohttpd daemon with one internal epoll thread and no listening
 * socket of its own, fed by the acceptor (MHD_add_connection). One daemon per thread rather than
 * one daemon with a thread pool: libmicrohttpd documents MHD_USE_NO_LISTEN_SOCKET as
 * incompatible with a pool. */
struct http_thread {
    pw_gw_http *h;
    struct MHD_Daemon *d;
    atomic_int open; /* connections handed to it and not yet closed */
};

struct pw_gw_http {
    http_thread *threads;
    unsigned n_threads;
    pw_gw_http_config cfg;
    pw_gw_ratelimit *rl;
    pw_gw_reply_cache *replies;
    pw_gw_counters counters;
    pw_gw_latency latency;
    atomic_ullong requests[6];   /* by status class: 2xx, 400, 403/404/405/415, 413, 429, 5xx */
    atomic_int inflight;         /* requests suspended for their commit, not yet answered */
    atomic_int resuming;         /* committer threads inside MHD_resume_connection (on_committed) */
    atomic_int closing;          /* pw_gw_http_stop: no new request is submitted for commit */
    atomic_ullong conns_refused; /* connections closed by the per-address cap */
    atomic_ullong origins_refused; /* POST /e and preflights from an origin not in site.origins */
    atomic_llong origin_logged_s;  /* when a refused origin was last logged (monotonic seconds) */
    atomic_ullong origin_unlogged; /* refusals since then, not logged one by one */
    char tag_etag[24];             /* "\"<16 hex of SipHash(0, tag)>\"": /phiwall.js's ETag */
    atomic_int conns[CONN_SLOTS];  /* open connections by hash of the client address */
    uint64_t conn_key[2]; /* that hash's random key: no client picks whose slot it shares */
    atomic_int proxied[CONN_SLOTS]; /* behind the proxy: requests in progress, by client */
    pthread_mutex_t pool_mu;        /* finished requests kept for reuse, with their arena's block */
    req *pool;
    size_t pool_n;
    /* The per-request deadline (request_timeout_ms): every open connection, swept by a thread
     * of its own (deadline_sweeper). */
    pthread_mutex_t conn_mu;
    struct conn_rec *conns_open;
    pthread_t sweeper;
    int sweeper_running;
    int sweeper_stop; /* under conn_mu; sweeper_cv wakes it */
    pthread_cond_t sweeper_cv;
    atomic_ullong timed_out; /* connections closed at the deadline */
    /* The listening socket is ours, not libmicrohttpd's: one thread (acceptor) accepts and
     * hands each connection to the daemon (MHD_add_connection). libmicrohttpd 0.9.75's own way
     * to stop listening, MHD_quiesce_daemon, races its epoll threads for the removal of the
     * listening socket and aborts the process when it loses (MHD_PANIC "Failed to remove
     * listen FD from epoll set"), so a graceful stop could end in an abort. */
    int listen_fd;         /* -1 once pw_gw_http_quiesce closed it */
    unsigned port;         /* the bound port (the configured one, or the kernel's pick for 0) */
    unsigned max_conns;    /* open connections in all; the acceptor waits at it */
    atomic_int open_total; /* connections handed over and not yet closed */
    pthread_t acceptor;
    int acceptor_running;
    atomic_int quiescing; /* the acceptor ends at its next failed accept */
    /* At max_conns the acceptor sleeps on accept_cv until a connection closes or the quiesce
     * (it polled every 1 ms: a thousand wake-ups a second for as long as the limit held). */
    pthread_mutex_t accept_mu;
    pthread_cond_t accept_cv;
    atomic_int accept_waiting; /* the acceptor is (about to be) asleep on accept_cv */
    long long accept_logged_s; /* when an accept failure was last logged (monotonic s; acceptor) */
};

/* One open connection, for the deadline: since when its current request (or the wait for one)
 * runs, and whether that request has arrived whole (then the deadline no longer applies: the
 * gateway is answering it, a commit may take a while). */
typedef struct conn_rec {
    struct conn_rec *prev, *next; /* in h->conns_open, under conn_mu */
    int fd;
    atomic_llong since_ms; /* CLOCK_MONOTONIC ms */
    atomic_int received;   /* the current request arrived whole */
    int cut;               /* shut down by the sweeper (under conn_mu) */
} conn_rec;

/* Requests kept for reuse: each holds one arena block (REQ_ARENA_BLOCK bytes). */
#define REQ_POOL_MAX    256
#define REQ_ARENA_BLOCK (32u * 1024u)

/* libmicrohttpd's memory per connection (request line, headers, read and write buffers). It
 * zeroes the whole of it before every request of a keep-alive connection, so its size is paid
 * per request: the default 16 KiB (PW_GW_CONN_KIB_DEFAULT, half the library's default) holds about
 * 7 KB of request headers (431 beyond; test_gw_ingest); bodies stream through it in pieces
 * (append_body). Sites with heavy cookies and no proxy in front raise it (--header-kib). */

enum { ROUTE_NONE = 0, ROUTE_EVENTS, ROUTE_PREFLIGHT, ROUTE_TAG, ROUTE_HEALTH, ROUTE_METRICS };

struct req {
    int route;
    pw_gw_policy_ref *pref;
    char *body; /* in the arena */
    size_t len, cap;
    size_t want; /* Content-Length when sent (and within ingest.max_body): the body's size */
    int too_large;
    int answered;
    struct timespec t0;
    char ip[INET6_ADDRSTRLEN]; /* the client's address: the rate-limit bucket */
    int ip_unknown; /* behind the proxy, no client address given: ip is the proxy's, not sent */
    atomic_int *proxied_slot; /* the h->proxied count this request holds, or NULL */
    const char *origin;       /* allowed origin for CORS headers, points into the policy */
    /* Asynchronous commit: the request's arena and prepared rows live until the reply. */
    struct MHD_Connection *conn;
    pw_gw_http *h;  /* for on_committed, on the committer's thread */
    pw_arena arena; /* everything of the request: body, parsed events, payloads, records */
    pw_gw_prepared pr;
    atomic_int committed;
    int in_flight; /* counted in h->inflight (suspended for its commit, not yet answered) */
    pw_status spool_st, audit_st;
    req *next_free; /* in the pool */
};

/* A cleared request, from the pool when one is there (its arena keeps its first block). */
static req *req_new(pw_gw_http *h)
{
    pthread_mutex_lock(&h->pool_mu);
    req *r = h->pool;
    if (r) {
        h->pool = r->next_free;
        h->pool_n--;
    }
    pthread_mutex_unlock(&h->pool_mu);
    if (!r) {
        r = malloc(sizeof *r);
        if (!r)
            return NULL;
        pw_arena_init(&r->arena, REQ_ARENA_BLOCK);
    }
    pw_arena arena = r->arena;
    memset(r, 0, sizeof *r);
    r->arena = arena;
    return r;
}

/* Back to the pool (arena reset), or freed when the pool is full. */
static void req_done(pw_gw_http *h, req *r)
{
    pw_arena_reset(&r->arena);
    pthread_mutex_lock(&h->pool_mu);
    int keep = h->pool_n < REQ_POOL_MAX;
    if (keep) {
        r->next_free = h->pool;
        h->pool = r;
        h->pool_n++;
    }
    pthread_mutex_unlock(&h->pool_mu);
    if (!keep) {
        pw_arena_free(&r->arena);
        free(r);
    }
}

static void pool_free(pw_gw_http *h)
{
    while (h->pool) {
        req *r = h->pool;
        h->pool = r->next_free;
        pw_arena_free(&r->arena);
        free(r);
    }
    h->pool_n = 0;
}

static double since(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

static void count_status(pw_gw_http *h, int status)
{
    int i = status < 400    ? 0 /* 304 (the tag revalidated) counts with 2xx */
            : status == 400 ? 1
            : status == 413 ? 3
            : status == 429 ? 4
            : status >= 500 ? 5
                            : 2;
    atomic_fetch_add(&h->requests[i], 1);
}

/* Answer the request. `cached`: the answer repeats (POST /e successes, the tag, /healthz), so
 * its response may come from, and stay in, the reply cache. */
static enum MHD_Result send_any(pw_gw_http *h, struct MHD_Connection *c, req *r, int status,
                                const char *type, const char *body, size_t len, int retry_after,
                                int cached)
{
    const char *origin = r ? r->origin : NULL;
    int owned = 1;
    struct MHD_Response *resp =
        cached && retry_after <= 0
            ? pw_gw_reply_cache_get(h->replies, (unsigned)status, type, body, len, origin, &owned)
            : pw_gw_response_new(type, body, len, origin, retry_after);
    if (!resp)
        return MHD_NO;
    enum MHD_Result ok = MHD_queue_response(c, (unsigned)status, resp);
    if (owned)
        MHD_destroy_response(resp);
    if (r)
        r->answered = 1;
    count_status(h, status);
    return ok;
}

static enum MHD_Result send_buf(pw_gw_http *h, struct MHD_Connection *c, req *r, int status,
                                const char *type, const char *body, size_t len, int retry_after)
{
    return send_any(h, c, r, status, type, body, len, retry_after, 0);
}

/* {"error":msg} into b (initialised here; the caller frees it). */
static void error_body(pw_buf *b, const char *msg)
{
    pw_gw_jw w;
    pw_buf_init(b);
    pw_gw_jw_init(&w, b);
    pw_gw_jw_obj(&w, NULL);
    pw_gw_jw_str(&w, "error", msg);
    pw_gw_jw_end_obj(&w);
}

static enum MHD_Result send_error(pw_gw_http *h, struct MHD_Connection *c, req *r, int status,
                                  const char *msg, int retry_after)
{
    pw_buf b;
    error_body(&b, msg);
    enum MHD_Result ok = send_buf(h, c, r, status, "application/json", b.data ? b.data : "{}",
                                  b.data ? b.len : 2, retry_after);
    pw_buf_free(&b);
    return ok;
}

/* A 400 after which the connection is closed: where the request's body ends is not known, so
 * nothing after it on the connection may be read as a request. */
static enum MHD_Result send_closing_error(pw_gw_http *h, struct MHD_Connection *c, req *r,
                                          const char *msg)
{
    pw_buf b;
    error_body(&b, msg);
    struct MHD_Response *resp =
        pw_gw_response_new("application/json", b.data ? b.data : "{}", b.data ? b.len : 2, NULL, 0);
    pw_buf_free(&b);
    if (!resp)
        return MHD_NO;
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
    enum MHD_Result ok = MHD_queue_response(c, 400, resp);
    MHD_destroy_response(resp);
    r->answered = 1;
    count_status(h, 400);
    return ok;
}

/* How the request says its body is framed. */
typedef struct framing {
    int content_lengths;   /* Content-Length lines */
    int transfer_encoding; /* Transfer-Encoding lines */
    int chunked_only;      /* each of them is exactly "chunked" */
    int bad_name;          /* a field name that is not a token (whitespace before the colon…) */
    int folded;            /* a framing header continued on the next line (obs-fold) */
} framing;

/* RFC 9110 §5.1: a field name is a token. */
static int token_name(const char *k)
{
    if (!*k)
        return 0;
    for (; *k; k++) {
        unsigned char ch = (unsigned char)*k;
        if (!((ch >= '0' && ch <= '9') || ((ch | 0x20) >= 'a' && (ch | 0x20) <= 'z') ||
              (ch && strchr("!#$%&'*+-.^_`|~", ch))))
            return 0;
    }
    return 1;
}

static int is_chunked(const char *v)
{
    while (*v == ' ' || *v == '\t')
        v++;
    if (strncasecmp(v, "chunked", 7) != 0)
        return 0;
    for (v += 7; *v == ' ' || *v == '\t';)
        v++;
    return *v == '\0';
}

static enum MHD_Result count_framing(void *cls, enum MHD_ValueKind kind, const char *key,
                                     const char *value)
{
    (void)kind;
    framing *f = cls;
    if (!key)
        return MHD_YES;
    /* libmicrohttpd 0.9.75 keeps "Transfer-Encoding : chunked" as a header of its own name
     * ("Transfer-Encoding ") and appends a folded line to the name ("Content-Length:\r\n 4" is
     * "Content-Length4"): it then frames the body by the other header, or by none, where a
     * proxy in front may read these as framing (request smuggling). */
    if (!token_name(key))
        f->bad_name = 1;
    else if ((strncasecmp(key, "Content-Length", 14) == 0 && key[14]) ||
             (strncasecmp(key, "Transfer-Encoding", 17) == 0 && key[17]))
        f->folded = 1;
    if (strcasecmp(key, "Content-Length") == 0)
        f->content_lengths++;
    else if (strcasecmp(key, "Transfer-Encoding") == 0) {
        f->transfer_encoding++;
        f->chunked_only &= value && is_chunked(value);
    }
    return MHD_YES;
}

/* Framing that a proxy in front may read otherwise than libmicrohttpd (request smuggling), or
 * that libmicrohttpd cannot read: NULL when the framing is plain, else the error. With several
 * Content-Length lines libmicrohttpd reads the first and a proxy may take the last: the rest of
 * the body became a request of its own on the proxy's connection. With a transfer coding other
 * than chunked libmicrohttpd waited for the connection to close, answering nothing. */
static const char *framing_error(struct MHD_Connection *c)
{
    framing f = {.chunked_only = 1};
    MHD_get_connection_values(c, MHD_HEADER_KIND, count_framing, &f);
    if (f.bad_name) /* RFC 9112 §5.1: whitespace before the colon must be refused */
        return "header: a field name with whitespace or a separator";
    if (f.folded)
        return "header: a framing header continued on the next line (obsolete line folding)";
    if (f.content_lengths > 1)
        return "content-length: sent more than once";
    if (f.transfer_encoding && f.content_lengths)
        return "transfer-encoding: not with content-length";
    if (f.transfer_encoding > 1 || !f.chunked_only)
        return "transfer-encoding: only chunked is supported";
    return NULL;
}

/* ---- open connections per client address ------------------------------------------------ */
/*
 * One client holding every connection the server takes (1020, libmicrohttpd's default, split
 * among the HTTP threads: idle keep-alives, or request heads and bodies sent a byte at a time
 * within the 30 s idle timeout)
 * made the gateway unreachable for everyone else. Without a trusted proxy in front, a client
 * address (an IPv6 client's /64: it owns all of it) may hold conns_per_ip connections at once;
 * counts are kept by a keyed hash of the address (two addresses sharing a slot share its cap;
 * the key is random, so no client can pick addresses that share a victim's slot). The
 * acceptor counts a connection before it hands it over (undone when libmicrohttpd refuses it) and
 * checks the count before that, on its one thread, so the cap is exact even against a burst of
 * connects; the connection's CLOSED notification takes it off. (libmicrohttpd gives no CLOSED
 * for a connection it took and then failed to set up — out of memory —: that one stays counted.)
 */
static size_t conn_slot(const pw_gw_http *h, const struct sockaddr *sa)
{
    static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    const unsigned char *b = mapped; /* no address: n 0, one slot */
    size_t n = 0;
    if (sa && sa->sa_family == AF_INET) {
        b = (const unsigned char *)&((const struct sockaddr_in *)(const void *)sa)->sin_addr;
        n = 4;
    } else if (sa && sa->sa_family == AF_INET6) {
        b = ((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr.s6_addr;
        n = memcmp(b, mapped, sizeof mapped) == 0 ? (b += 12, 4) : 8;
    }
    return (size_t)(pw_siphash(h->conn_key, b, n) % CONN_SLOTS);
}

static int conn_cap(const pw_gw_http *h)
{
    return h->cfg.conns_per_ip == 0 ? PW_GW_CONNS_PER_IP_DEFAULT : h->cfg.conns_per_ip;
}

/* 1 when a connection from slot's address may open (under the cap, or no cap applies). */
static int cap_allows(pw_gw_http *h, size_t slot)
{
    int cap = conn_cap(h);
    if (cap < 0 || !h->cfg.policies || atomic_load(&h->conns[slot]) < cap)
        return 1;
    pw_gw_policy_ref *ref = pw_gw_holder_acquire(h->cfg.policies);
    int proxied = ref->policy->trust_proxy;
    pw_gw_policy_release(ref);
    if (proxied)
        return 1;
    atomic_fetch_add(&h->conns_refused, 1);
    return 0;
}

/* Behind the proxy every connection is the proxy's, so the cap above cannot tell clients apart;
 * it is applied per proxy-reported client instead, to its requests in progress (headers read,
 * not yet answered): a proxy that streams request bodies through (nginx with
 * proxy_request_buffering off, HAProxy without http-buffer-request) otherwise let one client
 * hold every gateway connection with slow bodies. 0 when the client is over the cap. */
static int proxied_take(pw_gw_http *h, req *r)
{
    int cap = conn_cap(h);
    struct sockaddr_in6 s6 = {.sin6_family = AF_INET6};
    struct sockaddr_in s4 = {.sin_family = AF_INET};
    const struct sockaddr *sa = NULL;
    if (cap < 0)
        return 1;
    if (inet_pton(AF_INET, r->ip, &s4.sin_addr) == 1)
        sa = (const struct sockaddr *)(const void *)&s4;
    else if (inet_pton(AF_INET6, r->ip, &s6.sin6_addr) == 1)
        sa = (const struct sockaddr *)(const void *)&s6;
    atomic_int *n = &h->proxied[conn_slot(h, sa)];
    if (atomic_fetch_add(n, 1) >= cap) {
        atomic_fetch_sub(n, 1);
        atomic_fetch_add(&h->conns_refused, 1);
        return 0;
    }
    r->proxied_slot = n;
    return 1;
}

/* ---- the per-request deadline ------------------------------------------------------------ */
/*
 * libmicrohttpd's connection timeout is an idle one: every byte received starts it again, so a
 * client trickling its headers or body (a byte every 29 s) kept a connection for as long as it
 * liked (the per-address cap bounds how many one address holds, not for how long). Each
 * connection's current request has a deadline instead:
 * request_timeout_ms from the moment its request line was read (before it, from the opening of
 * the connection or the previous answer: a client that trickles the request line itself), until
 * the request has arrived whole. A sweeper thread shuts down the socket of a connection past it
 * (shutdown, not close: libmicrohttpd owns the descriptor, sees the end of the stream and closes
 * the connection on its own thread, running the usual callbacks). The record of a connection
 * leaves the list in its CLOSED notification, which libmicrohttpd sends before it closes the
 * descriptor, under the lock the sweeper holds while it shuts one down: the sweeper never
 * touches a descriptor already closed or reused.
 */
static int64_t mono_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static unsigned request_timeout_ms(const pw_gw_http *h)
{
    return h->cfg.request_timeout_ms ? h->cfg.request_timeout_ms : PW_GW_REQUEST_TIMEOUT_MS_DEFAULT;
}

static conn_rec *conn_rec_of(struct MHD_Connection *c)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return ci ? ci->socket_context : NULL;
}

/* A new request (or the wait for one) starts on the connection. */
static void conn_rec_restart(conn_rec *cr)
{
    if (cr) {
        atomic_store(&cr->since_ms, mono_ms());
        atomic_store(&cr->received, 0);
    }
}

/* MHD_OPTION_URI_LOG_CALLBACK: the request line is read; its deadline starts now. Returns no
 * request context (on_request makes it). */
static void *on_request_line(void *cls, const char *uri, struct MHD_Connection *c)
{
    (void)cls;
    (void)uri;
    conn_rec_restart(conn_rec_of(c));
    return NULL;
}

static void *deadline_sweeper(void *arg)
{
    pw_gw_http *h = arg;
    unsigned limit = request_timeout_ms(h);
    unsigned tick = limit / 10 < 50 ? 50 : limit / 10 > 1000 ? 1000 : limit / 10;
    pthread_mutex_lock(&h->conn_mu);
    while (!h->sweeper_stop) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += (long)tick * 1000000L;
        until.tv_sec += until.tv_nsec / 1000000000L;
        until.tv_nsec %= 1000000000L;
        pthread_cond_timedwait(&h->sweeper_cv, &h->conn_mu, &until);
        int64_t now = mono_ms();
        for (conn_rec *cr = h->conns_open; cr && !h->sweeper_stop; cr = cr->next) {
            if (cr->cut || atomic_load(&cr->received) ||
                now - atomic_load(&cr->since_ms) <= (int64_t)limit)
                continue;
            cr->cut = 1;
            shutdown(cr->fd, SHUT_RDWR);
            atomic_fetch_add(&h->timed_out, 1);
        }
    }
    pthread_mutex_unlock(&h->conn_mu);
    return NULL;
}

/* A place under max_conns may have opened (a connection closed) or the quiesce began: wake the
 * acceptor if it sleeps at the limit. The flag is set under accept_mu before the acceptor looks
 * at the count, so either it sees this close's count or this sees the flag. */
static void acceptor_wake(pw_gw_http *h)
{
    if (!atomic_load(&h->accept_waiting))
        return;
    pthread_mutex_lock(&h->accept_mu);
    pthread_cond_signal(&h->accept_cv);
    pthread_mutex_unlock(&h->accept_mu);
}

/* At max_conns open connections: sleep until one closes or the quiesce begins. */
static void acceptor_wait(pw_gw_http *h)
{
    pthread_mutex_lock(&h->accept_mu);
    atomic_store(&h->accept_waiting, 1);
    while ((unsigned)atomic_load(&h->open_total) >= h->max_conns && !atomic_load(&h->quiescing))
        pthread_cond_wait(&h->accept_cv, &h->accept_mu);
    atomic_store(&h->accept_waiting, 0);
    pthread_mutex_unlock(&h->accept_mu);
}

/* STARTED: the connection's deadline record; CLOSED: off the counts the acceptor raised
 * (hand_over) and off the deadline list. */
static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
                          enum MHD_ConnectionNotificationCode toe)
{
    http_thread *t = cls;
    pw_gw_http *h = t->h;
    if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *fi =
            MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
        conn_rec *cr = fi ? calloc(1, sizeof *cr) : NULL;
        if (!cr) /* out of memory: no deadline for it (the idle timeout still applies) */
            return;
        cr->fd = fi->connect_fd;
        atomic_init(&cr->since_ms, mono_ms());
        pthread_mutex_lock(&h->conn_mu);
        cr->next = h->conns_open;
        if (cr->next)
            cr->next->prev = cr;
        h->conns_open = cr;
        pthread_mutex_unlock(&h->conn_mu);
        *socket_context = cr;
    } else if (toe == MHD_CONNECTION_NOTIFY_CLOSED) {
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
        atomic_fetch_sub(&h->conns[conn_slot(h, ci ? ci->client_addr : NULL)], 1);
        atomic_fetch_sub(&t->open, 1);
        atomic_fetch_sub(&h->open_total, 1);
        acceptor_wake(h);
        conn_rec *cr = *socket_context;
        if (!cr)
            return;
        pthread_mutex_lock(&h->conn_mu);
        if (cr->prev)
            cr->prev->next = cr->next;
        else
            h->conns_open = cr->next;
        if (cr->next)
            cr->next->prev = cr->prev;
        pthread_mutex_unlock(&h->conn_mu);
        free(cr);
        *socket_context = NULL;
    }
}

/* Dotted decimal, as inet_ntop writes it (which formats through sprintf: slower per request). */
static void ipv4_text(const unsigned char *a, char *out)
{
    for (int i = 0; i < 4; i++) {
        unsigned v = a[i];
        if (v >= 100)
            *out++ = (char)('0' + v / 100);
        if (v >= 10)
            *out++ = (char)('0' + v / 10 % 10);
        *out++ = (char)('0' + v % 10);
        *out++ = i < 3 ? '.' : '\0';
    }
}

static void client_ip(struct MHD_Connection *c, char *out, size_t n)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    out[0] = '\0';
    if (!ci || !ci->client_addr)
        return;
    const struct sockaddr *sa = ci->client_addr;
    if (sa->sa_family == AF_INET && n >= INET_ADDRSTRLEN)
        ipv4_text((const unsigned char *)&((const struct sockaddr_in *)(const void *)sa)->sin_addr,
                  out);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, out,
                  (socklen_t)n);
}

/* Keeps the value of the last X-Forwarded-For header line (MHD_get_connection_values). */
static enum MHD_Result last_xff(void *cls, enum MHD_ValueKind kind, const char *key,
                                const char *value)
{
    (void)kind;
    if (key && value && strcasecmp(key, "X-Forwarded-For") == 0)
        *(const char **)cls = value;
    return MHD_YES;
}

/* Behind the site's reverse proxy the TCP peer is the proxy: the client is the last
 * X-Forwarded-For entry (the one the trusted proxy appended). Several header lines are one
 * list in order (RFC 9110 5.3), and a proxy such as HAProxy (option forwardfor) adds its own
 * line after the ones the client sent: the last entry of the last line, never of the first
 * (which the client wrote, so it could pick its own rate-limit bucket and client_ip).
 * 0 when the header's last entry is no address (RFC 7239's "unknown", an obfuscated "_hidden"
 * node, garbage): out then keeps the proxy's address. Without the header the peer is taken as
 * the client (a request that did not come through the proxy): 1, out unchanged. */
static int forwarded_ip(struct MHD_Connection *c, char *out, size_t n)
{
    const char *xff = NULL;
    MHD_get_connection_values(c, MHD_HEADER_KIND, last_xff, (void *)&xff);
    return !xff || pw_gw_xff_client(xff, out, n);
}

int pw_gw_xff_client(const char *xff, char *out, size_t n)
{
    const char *last = strrchr(xff, ',');
    last = last ? last + 1 : xff;
    while (*last == ' ' || *last == '\t')
        last++;
    size_t len = strcspn(last, " \t");
    unsigned char buf[16];
    char tmp[INET6_ADDRSTRLEN + 8];
    if (len == 0 || len >= sizeof tmp)
        return 0;
    memcpy(tmp, last, len);
    tmp[len] = '\0';
    /* Some proxies write the client's port too (Azure Application Gateway: 203.0.113.7:4711,
     * [2001:db8::7]:4711): the address is what precedes it. Without this every such client fell
     * back to the proxy's address, so all of them shared one rate-limit bucket. */
    char *addr = tmp;
    if (tmp[0] == '[') {
        char *close = strchr(tmp, ']');
        if (!close || (close[1] != '\0' && close[1] != ':'))
            return 0;
        *close = '\0';
        addr = tmp + 1;
    } else {
        char *colon = strchr(tmp, ':');
        if (colon && !strchr(colon + 1, ':')) /* one colon: IPv4:port (IPv6 has two or more) */
            *colon = '\0';
    }
    size_t alen = strlen(addr);
    if (alen >= n || (inet_pton(AF_INET, addr, buf) != 1 && inet_pton(AF_INET6, addr, buf) != 1))
        return 0;
    memcpy(out, addr, alen + 1);
    return 1;
}

/* A refused Origin as it may be logged and echoed: scheme://host[:port] in the characters an
 * origin has (no path, no query, at most 200 bytes); anything else is "(not an origin)". */
static const char *origin_shown(const char *o)
{
    if (!o || strlen(o) > 200 || (strncmp(o, "http://", 7) != 0 && strncmp(o, "https://", 8) != 0))
        return NULL;
    for (const char *q = strchr(o, ':') + 3; *q; q++)
        if (!isalnum((unsigned char)*q) && !strchr(".-:[]", *q))
            return NULL;
    return o;
}

/* 403 for an Origin not in site.origins. A POST's carries Access-Control-Allow-Origin for that
 * origin (a well-formed one) so that the tag sees a final 403 instead of a CORS failure it would
 * retry (a preflight's need not: any non-2xx fails it);
 * the body says no more than the refusal, and no credentials are allowed, so the refused origin
 * reads nothing else. Counted in /metrics; logged with the origin (never a path, an IP or an
 * event), at most once a minute with the number of refusals not logged meanwhile. */
static enum MHD_Result refuse_origin(pw_gw_http *h, struct MHD_Connection *c, req *r, int readable)
{
    const char *o = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Origin");
    const char *shown = origin_shown(o);
    atomic_fetch_add(&h->origins_refused, 1);
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    long long last = atomic_load(&h->origin_logged_s);
    if ((last == 0 || now.tv_sec - last >= 60) &&
        atomic_compare_exchange_strong(&h->origin_logged_s, &last, (long long)now.tv_sec)) {
        char more[32];
        snprintf(more, sizeof more, "%llu",
                 (unsigned long long)atomic_exchange(&h->origin_unlogged, 0));
        pw_gw_log("warn", "origin refused (not one of site.origins): its pages' events are lost",
                  "origin", shown ? shown : "(not an origin)", "refused_since_last_log", more,
                  NULL);
    } else {
        atomic_fetch_add(&h->origin_unlogged, 1);
    }
    static const char body[] = "{\"error\":\"origin: not one of site.origins\"}";
    struct MHD_Response *resp =
        pw_gw_response_new("application/json", body, sizeof body - 1, readable ? shown : NULL, 0);
    if (!resp)
        return MHD_NO;
    enum MHD_Result ok = MHD_queue_response(c, 403, resp);
    MHD_destroy_response(resp);
    if (r)
        r->answered = 1;
    count_status(h, 403);
    return ok;
}

/* The request's Origin if it is one of the site's; *present says whether one was sent. */
static const char *allowed_origin(const pw_gw_policy *p, struct MHD_Connection *c, int *present)
{
    const char *o = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Origin");
    *present = o != NULL;
    for (size_t i = 0; o && i < p->n_origins; i++)
        if (strcasecmp(p->origins[i], o) == 0)
            return p->origins[i];
    return NULL;
}

static int content_type_ok(struct MHD_Connection *c)
{
    const char *t = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
    if (!t)
        return 1;
    return strncasecmp(t, "application/json", 16) == 0 || strncasecmp(t, "text/plain", 10) == 0;
}

/* First call for POST /e: everything decidable from the headers. */
static enum MHD_Result events_headers(pw_gw_http *h, struct MHD_Connection *c, req *r)
{
    const pw_gw_policy *p = r->pref->policy;
    int present = 0;
    r->origin = allowed_origin(p, c, &present);
    if (present && !r->origin)
        return refuse_origin(h, c, r, 1);
    if (!content_type_ok(c))
        return send_error(h, c, r, 415, "content-type: expected application/json or text/plain", 0);
    const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
    unsigned long long want = cl ? strtoull(cl, NULL, 10) : 0;
    if (want > p->max_body)
        return send_error(h, c, r, 413, "body: larger than ingest.max_body", 0);
    r->want = (size_t)want;
    if (!pw_gw_ratelimit_take(h->rl, r->ip, p->rate_per_sec, p->rate_burst))
        return send_error(h, c, r, 429, "rate limit: too many requests from this address", 1);
    return MHD_YES;
}

static void append_body(req *r, size_t max, const char *data, size_t n)
{
    if (r->too_large || r->len + n > max) {
        r->too_large = 1;
        return;
    }
    if (r->len + n > r->cap) { /* once when Content-Length was sent: the body's own size */
        size_t cap = r->cap ? r->cap * 2 : r->want > n ? r->want : 1024;
        while (cap < r->len + n)
            cap *= 2;
        char *nb = pw_arena_alloc(&r->arena, cap);
        if (!nb) {
            r->too_large = 1;
            return;
        }
        if (r->len)
            memcpy(nb, r->body, r->len);
        r->body = nb;
        r->cap = cap;
    }
    memcpy(r->body + r->len, data, n);
    r->len += n;
}

static enum MHD_Result send_reply(pw_gw_http *h, struct MHD_Connection *c, req *r,
                                  const pw_gw_reply *reply)
{
    /* Only answers that repeat are cached: not those listing a batch's rejected events. */
    int repeats = reply->status == 200 && !strstr(reply->body, "\"rejected\"");
    return send_any(h, c, r, reply->status, "application/json", reply->body, strlen(reply->body),
                    reply->retry_after, repeats);
}

/* On the committer's thread: the request is durable (or refused); wake its connection. */
static void on_committed(void *ctx, pw_status spool_st, pw_status audit_st, pw_gw_commit_dups dups)
{
    req *r = ctx;
    pw_gw_http *h = r->h;
    struct MHD_Connection *c = r->conn;
    /* Counted before the request can be answered: MHD_resume_connection still uses the daemon
     * (its ITC, its log) after the HTTP thread may have seen the resume, answered and let
     * pw_gw_http_stop free the daemon; the stop waits for this to end. */
    atomic_fetch_add(&h->resuming, 1);
    r->spool_st = spool_st;
    r->audit_st = audit_st;
    r->pr.dup_items = dups.items;
    r->pr.dup_events = dups.events;
    atomic_store(&r->committed, 1);
    MHD_resume_connection(c);
    atomic_fetch_sub(&h->resuming, 1);
}

/* r no longer counts as in flight: answered after its commit, or its connection ended. */
static void inflight_done(pw_gw_http *h, req *r)
{
    if (r->in_flight) {
        r->in_flight = 0;
        atomic_fetch_sub(&h->inflight, 1);
    }
}

static enum MHD_Result events_body_done(pw_gw_http *h, struct MHD_Connection *c, req *r)
{
    const pw_gw_policy *p = r->pref->policy;
    if (r->too_large)
        return send_error(h, c, r, 413, "body: larger than ingest.max_body", 0);
    pw_gw_phi phi;
    void *token = NULL;
    pw_err err = {0};
    if (h->cfg.phi.borrow(h->cfg.phi.ctx, &phi, &token, &err) != PW_OK)
        return send_error(h, c, r, 503, "phi engine: unavailable", 5);
    const char *ua = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "User-Agent");
    pw_gw_reply reply;
    int commit = pw_gw_ingest_prepare(p, &phi, &h->counters, &r->arena, r->body ? r->body : "",
                                      r->len, r->ip[0] && !r->ip_unknown ? r->ip : NULL, ua,
                                      pw_gw_now_ms(), &r->pr, &reply);
    h->cfg.phi.give_back(h->cfg.phi.ctx, token);
    if (!commit)
        return send_reply(h, c, r, &reply);
    if (!h->cfg.committer) { /* synchronous: this thread waits for the commit */
        const pw_gw_sink *s = &h->cfg.sink;
        pw_status sst = r->pr.n_items ? s->put(s->ctx, r->pr.items, r->pr.n_items, &err) : PW_OK;
        pw_status ast =
            sst == PW_OK && s->audit ? s->audit(s->ctx, r->pr.recs, r->pr.n_recs, &err) : PW_OK;
        pw_gw_ingest_finish(&h->counters, &r->pr, sst, ast, &reply);
        return send_reply(h, c, r, &reply);
    }
    r->conn = c;
    r->h = h;
    atomic_fetch_add(&h->inflight, 1);
    r->in_flight = 1;
    /* Stopping (pw_gw_http_stop): nothing new is submitted, so that no commit completes after the
     * daemon is gone; the connection is closed unanswered, as the daemon's stop closes every
     * request it has not answered. Checked after counting it in flight: the stop sees one or the
     * other. */
    if (atomic_load(&h->closing)) {
        inflight_done(h, r);
        return MHD_NO;
    }
    MHD_suspend_connection(c);
    if (pw_gw_commit_submit(h->cfg.committer, &r->pr, on_committed, r, &err) != PW_OK) {
        MHD_resume_connection(c);
        inflight_done(h, r);
        pw_gw_ingest_finish(&h->counters, &r->pr, err.code ? err.code : PW_ERR_IO, PW_OK, &reply);
        return send_reply(h, c, r, &reply);
    }
    return MHD_YES;
}

static enum MHD_Result preflight(pw_gw_http *h, struct MHD_Connection *c, req *r)
{
    int present = 0;
    r->origin = allowed_origin(r->pref->policy, c, &present);
    if (!r->origin)
        return refuse_origin(h, c, NULL, 0); /* a preflight fails on any non-2xx anyway */
    struct MHD_Response *resp = MHD_create_response_from_buffer(0, "", MHD_RESPMEM_PERSISTENT);
    if (!resp)
        return MHD_NO;
    MHD_add_response_header(resp, "Access-Control-Allow-Origin", r->origin);
    MHD_add_response_header(resp, "Access-Control-Allow-Methods", "POST, OPTIONS");
    MHD_add_response_header(resp, "Access-Control-Allow-Headers", "Content-Type");
    MHD_add_response_header(resp, "Access-Control-Max-Age", "86400");
    MHD_add_response_header(resp, "Vary", "Origin");
    enum MHD_Result ok = MHD_queue_response(c, 204, resp);
    MHD_destroy_response(resp);
    r->answered = 1;
    count_status(h, 204);
    return ok;
}

static void metrics_text(pw_gw_http *h, pw_buf *o)
{
    pw_gw_counters *m = &h->counters;
    struct {
        const char *name;
        atomic_ullong *v;
    } ev[] = {{"in", &m->events_in},       {"accepted", &m->accepted}, {"rejected", &m->rejected},
              {"dropped", &m->dropped},    {"redacted", &m->redacted}, {"queued", &m->queued},
              {"duplicate", &m->duplicate}};
    pw_buf_puts(o,
                "# HELP phiwall_gateway_events_total Events by outcome (dropped: per "
                "destination; redacted: strings)\n# TYPE phiwall_gateway_events_total counter\n");
    for (size_t i = 0; i < sizeof ev / sizeof ev[0]; i++)
        pw_buf_printf(o, "phiwall_gateway_events_total{outcome=\"%s\"} %llu\n", ev[i].name,
                      (unsigned long long)atomic_load(ev[i].v));
    static const char *const cls[] = {"2xx", "400", "4xx", "413", "429", "5xx"};
    pw_buf_puts(o, "# TYPE phiwall_gateway_requests_total counter\n");
    for (int i = 0; i < 6; i++)
        pw_buf_printf(o, "phiwall_gateway_requests_total{status=\"%s\"} %llu\n", cls[i],
                      (unsigned long long)atomic_load(&h->requests[i]));
    pw_gw_latency_print(&h->latency, "phiwall_gateway_request_duration_seconds", o);
    pw_buf_printf(o,
                  "# HELP phiwall_gateway_connections_refused_total Connections closed at once: "
                  "their client address held the per-address maximum (--conns-per-ip)\n"
                  "# TYPE phiwall_gateway_connections_refused_total counter\n"
                  "phiwall_gateway_connections_refused_total %llu\n"
                  "# HELP phiwall_gateway_requests_timed_out_total Connections closed because "
                  "their request had not arrived whole within the request deadline (a client "
                  "trickling its request line, headers or body)\n"
                  "# TYPE phiwall_gateway_requests_timed_out_total counter\n"
                  "phiwall_gateway_requests_timed_out_total %llu\n",
                  (unsigned long long)atomic_load(&h->conns_refused),
                  (unsigned long long)atomic_load(&h->timed_out));
    pw_buf_printf(o,
                  "# HELP phiwall_gateway_origin_refused_total Requests refused with 403: their "
                  "Origin is not one of site.origins (www/apex, http/https or port mismatch?)\n"
                  "# TYPE phiwall_gateway_origin_refused_total counter\n"
                  "phiwall_gateway_origin_refused_total %llu\n",
                  (unsigned long long)atomic_load(&h->origins_refused));
    if (h->cfg.metrics_extra)
        h->cfg.metrics_extra(h->cfg.metrics_ctx, o);
}

/* /healthz: 200 {"status":"ok"}, or 503 with the reasons (spool full, audit log failing,
 * delivery lagging) so that a load balancer or monitor takes the gateway out of rotation. */
static enum MHD_Result health(pw_gw_http *h, struct MHD_Connection *c, req *r)
{
    pw_buf reasons;
    pw_buf_init(&reasons);
    if (!h->cfg.health || !h->cfg.health(h->cfg.metrics_ctx, &reasons) || reasons.failed) {
        pw_buf_free(&reasons);
        return send_any(h, c, r, 200, "application/json", "{\"status\":\"ok\"}", 15, 0, 1);
    }
    pw_buf b;
    pw_buf_init(&b);
    pw_buf_puts(&b, "{\"status\":\"unhealthy\",\"reasons\":");
    pw_buf_append(&b, reasons.data, reasons.len);
    pw_buf_puts(&b, "}");
    enum MHD_Result ok = b.failed ? send_error(h, c, r, 503, "unhealthy", 0)
                                  : send_buf(h, c, r, 503, "application/json", b.data, b.len, 0);
    pw_buf_free(&b);
    pw_buf_free(&reasons);
    return ok;
}

/* /phiwall.js: cached by browsers for 5 minutes, then revalidated by its ETag (304 while the
 * gateway serves the same tag), so a page view does not fetch the tag again; a new tag reaches
 * every page within 5 minutes of the gateway's upgrade (docs/gateway.md, "The tag"). */
#define TAG_CACHE_CONTROL "public, max-age=300"
static enum MHD_Result send_tag(pw_gw_http *h, struct MHD_Connection *c, req *r)
{
    const char *inm = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "If-None-Match");
    int fresh = inm && strstr(inm, h->tag_etag) != NULL;
    struct MHD_Response *resp = MHD_create_response_from_buffer(
        fresh ? 0 : pw_gw_tag_js_len, fresh ? (void *)"" : (void *)pw_gw_tag_js,
        MHD_RESPMEM_PERSISTENT);
    if (!resp)
        return MHD_NO;
    if (!fresh)
        MHD_add_response_header(resp, "Content-Type", "application/javascript; charset=utf-8");
    MHD_add_response_header(resp, "Cache-Control", TAG_CACHE_CONTROL);
    MHD_add_response_header(resp, "ETag", h->tag_etag);
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    int status = fresh ? 304 : 200;
    enum MHD_Result ok = MHD_queue_response(c, (unsigned)status, resp);
    MHD_destroy_response(resp);
    r->answered = 1;
    count_status(h, status);
    return ok;
}

static enum MHD_Result simple_get(pw_gw_http *h, struct MHD_Connection *c, req *r)
{
    if (r->route == ROUTE_TAG)
        return send_tag(h, c, r);
    if (r->route == ROUTE_HEALTH)
        return health(h, c, r);
    pw_buf b;
    pw_buf_init(&b);
    metrics_text(h, &b);
    enum MHD_Result ok =
        b.failed ? send_error(h, c, r, 500, "out of memory", 0)
                 : send_buf(h, c, r, 200, "text/plain; version=0.0.4", b.data, b.len, 0);
    pw_buf_free(&b);
    return ok;
}

static int route_of(const char *method, const char *url, int *bad_method)
{
    struct {
        const char *path, *method;
        int route;
    } routes[] = {{"/e", "POST", ROUTE_EVENTS},
                  {"/e", "OPTIONS", ROUTE_PREFLIGHT},
                  {"/phiwall.js", "GET", ROUTE_TAG},
                  {"/healthz", "GET", ROUTE_HEALTH},
                  {"/metrics", "GET", ROUTE_METRICS}};
    *bad_method = 0;
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
        if (strcmp(url, routes[i].path) != 0)
            continue;
        if (strcmp(method, routes[i].method) == 0 ||
            (routes[i].route >= ROUTE_TAG && strcmp(method, "HEAD") == 0))
            return routes[i].route;
        *bad_method = 1;
    }
    return ROUTE_NONE;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls)
{
    pw_gw_http *h = cls;
    req *r = *con_cls;
    if (!r) {
        r = req_new(h);
        if (!r)
            return MHD_NO;
        *con_cls = r;
        clock_gettime(CLOCK_MONOTONIC, &r->t0);
        const char *bad_framing = framing_error(c);
        if (bad_framing)
            return send_closing_error(h, c, r, bad_framing);
        int bad_method = 0;
        r->route = route_of(method, url, &bad_method);
        if (r->route == ROUTE_NONE)
            return send_error(h, c, r, bad_method ? 405 : 404,
                              bad_method ? "method: not allowed" : "path: not found", 0);
        if (r->route != ROUTE_EVENTS && r->route != ROUTE_PREFLIGHT)
            return MHD_YES;
        r->pref = pw_gw_holder_acquire(h->cfg.policies);
        client_ip(c, r->ip, sizeof r->ip);
        /* Without a client address the proxy's must not stand in for it: it would be sent as
         * every such visitor's client_ip. The rate-limit bucket stays the proxy's (shared by
         * these visitors only; gateway.md "Behind a reverse proxy"). */
        if (r->pref->policy->trust_proxy) {
            r->ip_unknown = !forwarded_ip(c, r->ip, sizeof r->ip);
            if (r->route == ROUTE_EVENTS && !proxied_take(h, r))
                return send_error(h, c, r, 429,
                                  "connections: too many requests in progress from this address",
                                  1);
        }
        return r->route == ROUTE_EVENTS ? events_headers(h, c, r) : MHD_YES;
    }
    if (!*upload_size) { /* arrived whole: answering it is the gateway's time, not the client's */
        conn_rec *cr = conn_rec_of(c);
        if (cr)
            atomic_store(&cr->received, 1);
    }
    if (r->answered) { /* an early answer (413, 429…): discard whatever body follows */
        *upload_size = 0;
        return MHD_YES;
    }
    if (r->route == ROUTE_EVENTS && *upload_size) {
        append_body(r, r->pref->policy->max_body, upload, *upload_size);
        *upload_size = 0;
        return MHD_YES;
    }
    if (r->route == ROUTE_EVENTS && atomic_load(&r->committed)) { /* resumed after commit */
        pw_gw_reply reply;
        pw_gw_ingest_finish(&h->counters, &r->pr, r->spool_st, r->audit_st, &reply);
        enum MHD_Result ok = send_reply(h, c, r, &reply);
        inflight_done(h, r); /* queued: this thread sends it before it can end (stop) */
        return ok;
    }
    if (r->route == ROUTE_EVENTS && r->conn)
        return MHD_YES; /* still committing */
    if (r->route == ROUTE_EVENTS)
        return events_body_done(h, c, r);
    if (r->route == ROUTE_PREFLIGHT)
        return preflight(h, c, r);
    return simple_get(h, c, r);
}

/* libmicrohttpd answers some requests itself, before on_request sees them: a malformed request
 * line or header (400), headers beyond the connection's memory (431), a bad chunk… It tells no
 * callback of them, but logs each ("Error processing request (HTTP response code is %u (…)).
 * Closing connection.", the same text since 0.9.x): the status is read from that message and
 * counted with the gateway's own answers in requests_total. Other messages are not printed:
 * the library does not print (the gateway logs through gw_log). */
static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
    static const char needle[] = "HTTP response code is %u";
    if (!fmt || !strstr(fmt, needle) || strchr(fmt, '%') != strstr(fmt, needle) + 22)
        return; /* only a message whose first conversion is the status */
    count_status(cls, (int)va_arg(ap, unsigned));
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    pw_gw_http *h = cls;
    req *r = *con_cls;
    if (!r)
        return;
    if (r->route == ROUTE_EVENTS)
        pw_gw_latency_observe(&h->latency, since(&r->t0));
    if (r->proxied_slot)
        atomic_fetch_sub(r->proxied_slot, 1);
    inflight_done(h, r);
    pw_gw_policy_release(r->pref);
    req_done(h, r);
    *con_cls = NULL;
    conn_rec_restart(conn_rec_of(c)); /* the wait for the next request of the connection */
}

static pw_status bind_addr(const pw_gw_http_config *cfg, struct sockaddr_storage *ss, pw_err *err)
{
    memset(ss, 0, sizeof *ss);
    const char *host = cfg->host ? cfg->host : "127.0.0.1";
    struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
    if (inet_pton(AF_INET, host, &s4->sin_addr) == 1) {
        s4->sin_family = AF_INET;
        s4->sin_port = htons((uint16_t)cfg->port);
        return PW_OK;
    }
    if (inet_pton(AF_INET6, host, &s6->sin6_addr) == 1) {
        s6->sin6_family = AF_INET6;
        s6->sin6_port = htons((uint16_t)cfg->port);
        return PW_OK;
    }
    return pw_err_set(err, PW_ERR_INVALID, "listen: '%s' is not an IP address", host);
}

/* Free what pw_gw_http_start made (the daemon stopped or never started, the acceptor ended). */
static void http_free(pw_gw_http *h)
{
    if (h->listen_fd >= 0)
        close(h->listen_fd);
    free(h->threads);
    pw_gw_ratelimit_free(h->rl);
    pw_gw_reply_cache_free(h->replies);
    pool_free(h);
    pthread_mutex_destroy(&h->pool_mu);
    pthread_mutex_destroy(&h->conn_mu);
    pthread_cond_destroy(&h->sweeper_cv);
    pthread_mutex_destroy(&h->accept_mu);
    pthread_cond_destroy(&h->accept_cv);
    free(h);
}

static void sweeper_stop(pw_gw_http *h)
{
    if (!h->sweeper_running)
        return;
    pthread_mutex_lock(&h->conn_mu);
    h->sweeper_stop = 1;
    pthread_cond_signal(&h->sweeper_cv);
    pthread_mutex_unlock(&h->conn_mu);
    pthread_join(h->sweeper, NULL);
    h->sweeper_running = 0;
}

/* The listening socket, bound as libmicrohttpd would bind it (SO_REUSEADDR: a port in TIME_WAIT
 * is no refusal; an IPv6 address listens on IPv6 only), its port in h->port. The error names the
 * address and why ("Address already in use", "Permission denied"). */
static pw_status listen_open(pw_gw_http *h, const pw_gw_http_config *cfg, pw_err *err)
{
    struct sockaddr_storage ss;
    pw_status st = bind_addr(cfg, &ss, err);
    if (st != PW_OK)
        return st;
    int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    socklen_t len =
        ss.ss_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        (ss.ss_family == AF_INET6 &&
         setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one) != 0) ||
        bind(fd, (const struct sockaddr *)&ss, len) != 0 || listen(fd, 1024) != 0 ||
        getsockname(fd, (struct sockaddr *)&ss, &len) != 0) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        return pw_err_set(err, PW_ERR_IO, "listen %s:%u: cannot start the HTTP server: %s",
                          cfg->host ? cfg->host : "127.0.0.1", cfg->port, strerror(e));
    }
    h->listen_fd = fd;
    h->port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
                                             : ((struct sockaddr_in *)&ss)->sin_port);
    return PW_OK;
}

/* An accept that failed for a reason other than the quiesce. The client's own failures (it left
 * before the accept, its network went away: accept(2) says to retry as for EAGAIN) are retried
 * at once; anything else — out of descriptors or memory above all — is logged at most once a
 * second and the acceptor pauses 10 ms (the listening socket stays readable: retrying at once
 * would spin), connections waiting in the backlog meanwhile. */
static void accept_failed(pw_gw_http *h, int e)
{
    switch (e) {
    case EINTR:
    case EAGAIN:
    case ECONNABORTED:
    case EPROTO:
    case ENETDOWN:
    case ENOPROTOOPT:
    case EHOSTDOWN:
    case ENONET:
    case EHOSTUNREACH:
    case EOPNOTSUPP:
    case ENETUNREACH:
    case EPERM: return;
    default: break;
    }
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (now.tv_sec != h->accept_logged_s) { /* the acceptor's own field */
        h->accept_logged_s = now.tv_sec;
        pw_gw_log("warn", "accepting a connection failed; retrying", "error", strerror(e), NULL);
    }
    usleep(10000);
}

/* The HTTP thread with the fewest open connections. */
static http_thread *least_busy(pw_gw_http *h)
{
    http_thread *best = &h->threads[0];
    for (unsigned i = 1; i < h->n_threads; i++)
        if (atomic_load(&h->threads[i].open) < atomic_load(&best->open))
            best = &h->threads[i];
    return best;
}

/* One accepted connection to an HTTP thread, under the per-address cap. Counted before the hand
 * over (its CLOSED may come before MHD_add_connection returns), undone when libmicrohttpd
 * refuses it (it closes the socket then). */
static void hand_over(pw_gw_http *h, int fd, const struct sockaddr *sa, socklen_t len)
{
    size_t slot = conn_slot(h, sa);
    if (!cap_allows(h, slot)) {
        close(fd);
        return;
    }
    http_thread *t = least_busy(h);
    atomic_fetch_add(&h->conns[slot], 1);
    atomic_fetch_add(&t->open, 1);
    atomic_fetch_add(&h->open_total, 1);
    if (MHD_add_connection(t->d, fd, sa, len) == MHD_YES)
        return;
    atomic_fetch_sub(&h->conns[slot], 1);
    atomic_fetch_sub(&t->open, 1);
    atomic_fetch_sub(&h->open_total, 1);
}

/* The acceptor: every connection, until the quiesce shuts the socket down (a blocked accept then
 * fails with EINVAL). At max_conns open it takes none (they wait in the backlog) until one
 * closes. libmicrohttpd's own limit is set above ours and never reached: in 0.9.75 a connection
 * handed over past it was refused by the HTTP thread in a way that left that thread's lock held
 * (the thread hung, and the stop with it). */
static void *acceptor_run(void *arg)
{
    pw_gw_http *h = arg;
    pthread_setname_np(pthread_self(), "pw-accept");
    while (!atomic_load(&h->quiescing)) {
        if ((unsigned)atomic_load(&h->open_total) >= h->max_conns) {
            acceptor_wait(h);
            continue;
        }
        struct sockaddr_storage ss;
        socklen_t len = sizeof ss;
        int fd = accept4(h->listen_fd, (struct sockaddr *)&ss, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd >= 0)
            hand_over(h, fd, (const struct sockaddr *)&ss, len);
        else if (!atomic_load(&h->quiescing))
            accept_failed(h, errno);
    }
    return NULL;
}

/* Stop listening at once: later connects are refused, connections waiting in the backlog are
 * reset, and the acceptor has ended when this returns (no connection is handed over after this
 * returns; one accepted just before the shutdown may be handed over while it runs). */
static void acceptor_stop(pw_gw_http *h)
{
    if (h->listen_fd < 0)
        return;
    atomic_store(&h->quiescing, 1);
    shutdown(h->listen_fd, SHUT_RDWR); /* a blocked accept4 fails with EINVAL */
    pthread_mutex_lock(&h->accept_mu); /* an acceptor asleep at max_conns wakes */
    pthread_cond_signal(&h->accept_cv);
    pthread_mutex_unlock(&h->accept_mu);
    if (h->acceptor_running)
        pthread_join(h->acceptor, NULL);
    h->acceptor_running = 0;
    close(h->listen_fd);
    h->listen_fd = -1;
}

/* One HTTP thread's daemon. MHD_USE_ITC: a connection handed over wakes its thread at once. Its
 * connection limit is above max_conns, which the acceptor keeps (acceptor_run). */
static int thread_start(pw_gw_http *h, http_thread *t)
{
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC | MHD_USE_TURBO |
                     MHD_USE_NO_LISTEN_SOCKET |
                     MHD_USE_ERROR_LOG | /* on_mhd_log: its own answers counted */
                     MHD_ALLOW_SUSPEND_RESUME;
    size_t conn_kib = h->cfg.conn_kib ? h->cfg.conn_kib : PW_GW_CONN_KIB_DEFAULT;
    if (conn_kib > PW_GW_CONN_KIB_MAX)
        conn_kib = PW_GW_CONN_KIB_MAX;
    t->h = h;
    t->d = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, h, MHD_OPTION_NOTIFY_CONNECTION, on_connection, t,
        MHD_OPTION_CONNECTION_LIMIT, h->max_conns + 64, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, h, MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, h,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, conn_kib * 1024, MHD_OPTION_URI_LOG_CALLBACK,
        on_request_line, h, MHD_OPTION_END);
    return t->d != NULL;
}

static void threads_stop(pw_gw_http *h)
{
    for (unsigned i = 0; i < h->n_threads; i++)
        MHD_stop_daemon(h->threads[i].d);
    h->n_threads = 0;
}

pw_status pw_gw_http_start(const pw_gw_http_config *cfg, pw_gw_http **out, pw_err *err)
{
    *out = NULL;
    pw_gw_http *h = calloc(1, sizeof *h);
    if (!h)
        return pw_err_set(err, PW_ERR_NOMEM, "out of memory");
    h->listen_fd = -1;
    pthread_mutex_init(&h->pool_mu, NULL);
    pthread_mutex_init(&h->conn_mu, NULL);
    pthread_cond_init(&h->sweeper_cv, NULL);
    pthread_mutex_init(&h->accept_mu, NULL);
    pthread_cond_init(&h->accept_cv, NULL);
    h->rl = pw_gw_ratelimit_new_clock(cfg->clock_s, cfg->clock_ctx);
    h->replies = pw_gw_reply_cache_new();
    if (!h->rl || !h->replies ||
        getrandom(h->conn_key, sizeof h->conn_key, 0) != (ssize_t)sizeof h->conn_key) {
        http_free(h);
        return pw_err_set(err, PW_ERR_NOMEM,
                          "out of memory (or no random key for the rate limiter: getrandom)");
    }
    h->cfg = *cfg;
    static const uint64_t tag_key[2] = {0, 0}; /* a content hash, not a secret */
    snprintf(h->tag_etag, sizeof h->tag_etag, "\"%016llx\"",
             (unsigned long long)pw_siphash(tag_key, pw_gw_tag_js, pw_gw_tag_js_len));
    unsigned threads = cfg->threads;
    if (!threads) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        threads = n > 0 ? (unsigned)n : 2;
    }
    pw_status st = listen_open(h, cfg, err);
    if (st != PW_OK) {
        http_free(h);
        return st;
    }
    h->max_conns = cfg->max_conns ? cfg->max_conns : PW_GW_MAX_CONNS_DEFAULT;
    h->threads = calloc(threads, sizeof *h->threads);
    if (!h->threads) {
        http_free(h);
        return pw_err_set(err, PW_ERR_NOMEM, "out of memory");
    }
    for (; h->n_threads < threads; h->n_threads++)
        if (!thread_start(h, &h->threads[h->n_threads]))
            break;
    if (h->n_threads == threads && pthread_create(&h->sweeper, NULL, deadline_sweeper, h) == 0)
        h->sweeper_running = 1;
    if (h->sweeper_running && pthread_create(&h->acceptor, NULL, acceptor_run, h) == 0)
        h->acceptor_running = 1;
    if (!h->acceptor_running) {
        sweeper_stop(h);
        threads_stop(h);
        http_free(h);
        return pw_err_set(err, PW_ERR_IO,
                          "listen %s:%u: cannot start the HTTP server (its threads: out of memory "
                          "or of threads)",
                          cfg->host ? cfg->host : "127.0.0.1", cfg->port);
    }
    *out = h;
    return PW_OK;
}

unsigned pw_gw_http_port(const pw_gw_http *h)
{
    return h->port;
}

pw_gw_counters *pw_gw_http_counters(pw_gw_http *h)
{
    return &h->counters;
}

void pw_gw_http_quiesce(pw_gw_http *h)
{
    if (h)
        acceptor_stop(h);
}

void pw_gw_http_stop(pw_gw_http *h)
{
    if (!h)
        return;
    /* Let suspended requests finish their commit and be answered: a request counts until its
     * answer is queued, which its HTTP thread sends before it can end. New requests of open
     * connections are taken for 30 s at most; then nothing new is submitted (closing), and what
     * was submitted finishes: no commit completes after the daemon is gone. That wait has no
     * bound (the spool completes every put it took; a stalled disk holds the stop at the
     * spool's close anyway): stopping the daemon with a request still suspended is a fatal
     * error in libmicrohttpd (abort), and the commit would then complete into the freed
     * request. */
    int ms = 0;
    for (; ms < 30000 && atomic_load(&h->inflight) > 0; ms++)
        usleep(1000);
    atomic_store(&h->closing, 1);
    for (ms = 0; atomic_load(&h->inflight) > 0; ms++) {
        if (ms == 5000) {
            char n[24];
            snprintf(n, sizeof n, "%d", atomic_load(&h->inflight));
            pw_gw_log("warn", "stopping: waiting for the spool to commit requests in flight",
                      "requests", n, NULL);
        }
        usleep(1000);
    }
    /* A committer may still be inside MHD_resume_connection for a request already answered
     * (on_committed): the daemon must outlive that call. Its increment came before the answer
     * that ended the wait above, so it is seen here. */
    while (atomic_load(&h->resuming) > 0)
        usleep(100);
    acceptor_stop(h); /* before the daemons go: no connection handed to a stopped one */
    threads_stop(h);
    sweeper_stop(h);
    http_free(h);
}
