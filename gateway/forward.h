/*
 * forward.h — the gateway's delivery side: one forwarder per configured destination leases
 * post-policy events from the spool, batches them to the destination's limits, sends them with
 * libcurl multi, and records each outcome (ack / retry with backoff / dead letter) in the spool
 * and the audit log. Runs on its own thread(s); the ingest side never waits for it.
 */
#ifndef PHIWALL_GW_FORWARD_H
#define PHIWALL_GW_FORWARD_H

#include "audit.h"
#include "phiwall/error.h"
#include "spool.h"

typedef enum pw_dest_kind {
    PW_DEST_META_CAPI = 0, /* POST {base}/{api_version}/{pixel_id}/events */
    PW_DEST_GA4_MP,        /* POST {base}/mp/collect?measurement_id=…&api_secret=… */
    PW_DEST_WEBHOOK        /* POST {url}, JSON array of events */
} pw_dest_kind;

/* HTTP/2 towards a destination (the policy's `http2:`). With HTTP/2 the requests of a cycle share
 * one connection as concurrent streams instead of one connection each. */
typedef enum pw_dest_http2 {
    PW_HTTP2_AUTO = 0,        /* https: offered by ALPN, HTTP/1.1 if the server declines it;
                                 http: HTTP/1.1 */
    PW_HTTP2_PRIOR_KNOWLEDGE, /* http: HTTP/2 at once (h2c, no Upgrade): the server must speak it;
                                 https: as auto */
    PW_HTTP2_OFF              /* HTTP/1.1 always */
} pw_dest_http2;

/* How the gateway answers an egress proxy's 407 (the policy's `proxy_auth_scheme:`). */
typedef enum pw_proxy_auth {
    PW_PROXY_AUTH_BASIC = 0, /* default: Proxy-Authorization sent with the first request */
    PW_PROXY_AUTH_DIGEST,    /* after the proxy's 407 challenge */
    PW_PROXY_AUTH_NTLM,      /* after the challenge; the connection stays authenticated */
    PW_PROXY_AUTH_ANY        /* the safest scheme the proxy's 407 offers (libcurl's CURLAUTH_ANY) */
} pw_proxy_auth;

/* One destination as the policy file configures it (the policy loader fills these). */
typedef struct pw_destination {
    const char *name; /* unique, e.g. "meta", "ga4", "crm-hook" */
    pw_dest_kind kind;
    const char *base_url;        /* "https://graph.facebook.com", or a loopback mock in tests */
    const char *api_version;     /* Meta: "v21.0" */
    const char *pixel_id;        /* Meta */
    const char *access_token;    /* Meta: read from a file or the environment, never logged */
    const char *test_event_code; /* Meta: tests only, NULL in production */
    const char *measurement_id;  /* GA4 */
    const char *api_secret;      /* GA4 */
    const char *url;             /* webhook */
    const char *bearer_token;    /* webhook, optional */
    unsigned timeout_ms;         /* per request, default 1500 */
    unsigned max_batch;          /* 0 = the destination's own maximum (Meta 1000, GA4 25) */
    pw_dest_http2 http2;         /* default auto */
    /* The policy's `proxy:`: NULL for none (libcurl's environment proxies ignored), "env" for
     * libcurl's https_proxy / http_proxy / all_proxy / no_proxy, else the proxy's URL. */
    const char *proxy;
    /* The proxy's "user:password" (policy proxy_auth_file / proxy_auth_env, read like the
     * tokens; never logged, scrubbed from upstream text), NULL for none, and its scheme. */
    const char *proxy_userpwd;
    pw_proxy_auth proxy_auth;
    /* Delivery hold (policy `hold: true`): events are accepted, spooled and audited "queued" as
     * usual, but the forwarder leases and sends nothing until a reload lifts the hold. */
    int hold;
    /* The policy in force, which the forwarder re-applies to every spooled payload before it is
     * sent (gw_policy_narrow.h): a reload that tightens the policy reaches the backlog spooled
     * under the old one. NULL: payloads go as spooled. Not copied: must outlive the forwarders. */
    const struct pw_gw_policy *policy;
    size_t policy_dest; /* this destination's index in policy->dests */
    /* The PHI engine, with which the forwarder re-decides the PHI verdicts of the policy in
     * force on the strings of a payload spooled before it (pw_gw_policy_narrow_phi): the rows
     * at or below pw_forward_opts.rescan_upto. NULL: not re-decided. Must outlive the
     * forwarders. */
    const struct pw_gw_phi_source *phi;
} pw_destination;

/* How old an event's own time may be, per destination kind: ingest refuses an older event for
 * that destination (it is never re-dated), and the forwarders dead-letter what has grown older
 * by the time it is sent. Meta rejects events older than 7 days; 6 leaves a day to deliver. */
#define PW_FORWARD_META_MAX_EVENT_AGE_MS    (6LL * 24 * 3600 * 1000)
#define PW_FORWARD_GA4_MAX_EVENT_AGE_MS     (72LL * 3600 * 1000)
#define PW_FORWARD_WEBHOOK_MAX_EVENT_AGE_MS (7LL * 24 * 3600 * 1000)
/* An event time this far ahead of the receiving clock is clock skew. */
#define PW_FORWARD_FUTURE_SKEW_MS 60000

typedef struct pw_forwarders pw_forwarders;

/* Start delivering for every destination. spool and audit must outlive the forwarders.
 * Default options, except that the environment variable PHIWALL_FORWARD_NICE=N (1–19) sets
 * opts.nice. */
pw_status pw_forwarders_start(const pw_destination *dests, size_t n_dests, pw_spool *spool,
                              pw_audit *audit, pw_forwarders **out, pw_err *err);
/* Stop: finish in-flight requests (bounded by their timeouts), then join the threads. */
void pw_forwarders_stop(pw_forwarders *f);

/* Counters for /metrics, per destination. */
/* pw_forward_stats.paused: why delivery to a destination is paused (0: it is not). */
enum {
    PW_FORWARD_PAUSED_AUDIT = 1,  /* the audit log cannot be written */
    PW_FORWARD_PAUSED_SPOOL = 2,  /* the spool refuses delivery outcomes */
    PW_FORWARD_PAUSED_AUTH = 3,   /* HTTP 401/403 or a Graph token/permission code: the events
                                     stay queued, one small batch probes with backoff */
    PW_FORWARD_PAUSED_FAILING = 4 /* every request of a cycle failed and is to be retried (5xx,
                                     429, timeouts, refused connections): one small batch probes
                                     with the retry backoff until one is delivered */
};

typedef struct pw_forward_stats {
    unsigned long long sent, failed, retried, dead, batches;
    double latency_sum_s;
    unsigned long long latency_buckets[12]; /* cumulative-ready counts, le = 5ms … 10s, +Inf */
    /* The thread's priority (pw_forward_opts.nice, boost_lag_ms): its nice value now, how often
     * it regained the process's priority because delivery lagged, and whether the kernel refused
     * to lower it (nice_refused) or to raise it back (boost_refused: no CAP_SYS_NICE and an
     * RLIMIT_NICE below the process's priority). */
    int nice;
    unsigned long long boosts;
    int nice_refused, boost_refused;
    /* Durability (gw-durable): outcome records the audit log refused (each retried until
     * written; nothing is acknowledged before), spool outcome writes (ack, retry, dead) that
     * failed (each retried), whether delivery is paused now (PW_FORWARD_PAUSED_*: 1 the audit
     * log cannot be written, 2 the spool refuses outcomes, 3 the destination refused the
     * credentials; 0 running), and Meta answers that took fewer events than
     * were sent (requests; their events are recorded "sent" with detail "partial: …"). */
    unsigned long long audit_failures, spool_failures;
    int paused;
    /* While paused 1 or 2: what the audit log or the spool said when it last refused (the
     * audit file's path and the OS's reason, e.g. "/var/lib/phiwall/audit.log: appending 20
     * record(s): No space left on device"), for /healthz; "" otherwise. */
    char paused_detail[256];
    unsigned long long partial;
    /* The policy in force re-applied to spooled payloads (gw_policy_narrow.h): events delivered
     * with members removed or reduced by it (counted when delivered, once), and events it no
     * longer sends at all (dead-lettered, also counted in `dead`). */
    unsigned long long narrowed, narrowed_dead;
} pw_forward_stats;

pw_status pw_forwarders_stats(pw_forwarders *f, const char *dest, pw_forward_stats *out);

/* pw_forwarders_stop, handing each destination's final stats to fn once its thread has ended
 * (gw-review: /metrics carries the counters of the forwarders a reload replaces, so that they
 * do not restart from 0). */
typedef void (*pw_forward_stats_fn)(void *ctx, const char *dest, const pw_forward_stats *st);
void pw_forwarders_stop_stats(pw_forwarders *f, pw_forward_stats_fn fn, void *ctx);
/* a += b for the counters (not the gauges nice, paused, *_refused). */
void pw_forward_stats_add(pw_forward_stats *a, const pw_forward_stats *b);

/* ---- additions (gwout) -------------------------------------------------------------------- */

/* Tuning; zero fields take the defaults shown. */
typedef struct pw_forward_opts {
    unsigned retry_base_ms; /* first retry delay before jitter (1000); doubles per attempt */
    unsigned retry_max_ms;  /* cap of the backoff (300000) */
    unsigned poll_ms;       /* idle wait between spool polls (200) */
    unsigned lease_ms;      /* how long a leased item is reserved for a cycle (60000) */
    unsigned linger_ms;     /* after a cycle short of a full lease, wait until this long after
                               its start before the next (min(poll_ms, 50)) */
    int nice; /* 1..19: added to the forwarder threads' nice value, so that ingest gets the
                 cores first under a burst; 0 (default): the process's own priority */
    unsigned boost_lag_ms;      /* with nice: while the oldest new item a cycle leases is older than
                                   this, the thread asks for the process's priority back (until it is
                                   below half of it again); 0 (default): never */
    unsigned auth_probe_ms;     /* auth-paused: wait before the first probe (5000), doubling */
    unsigned auth_probe_max_ms; /* … up to this (300000) */
    int gated;                  /* start with every forwarder waiting (no lease, no send) until
                                   pw_forwarders_open: a reload starts the new ones before it commits */
    /* Spool rows (pw_spool_high_water) at or below it may have been spooled under another policy
     * or engine than the one in force: their strings are re-checked (pw_destination.phi). Rows
     * above it were spooled under this policy and engine and go as they are (no second scan of
     * what ingest scanned). 0: none; INT64_MAX: every row. pw_forwarders_rescan_upto sets it
     * later (a reload, once the requests of the old policy are in). */
    int64_t rescan_upto;
} pw_forward_opts;

/* Set pw_forward_opts.rescan_upto of the forwarder of dest (NULL: of each). */
void pw_forwarders_rescan_upto(pw_forwarders *f, const char *dest, int64_t row);

pw_status pw_forwarders_start_opts(const pw_destination *dests, size_t n_dests, pw_spool *spool,
                                   pw_audit *audit, const pw_forward_opts *opts,
                                   pw_forwarders **out, pw_err *err);

/* New events were spooled: wake the idle forwarders now instead of at their next poll. */
void pw_forwarders_notify(pw_forwarders *f);

/* Upper bounds in seconds of latency_buckets[0..n-1] (n = 11); bucket 11 is +Inf. Buckets are
 * per range (not cumulative): sum buckets 0..i for Prometheus' le=bound[i]. */
const double *pw_forward_latency_bounds(size_t *n);

/* ---- reload hand-over (gw-forward) -------------------------------------------------------- */

/* Outcomes of deliveries (and retries, dead letters) that the forwarders had not written when
 * they stopped, because the audit log or the spool refused them until then. Their rows stay
 * leased; written by the next forwarders (pw_forwarders_adopt), they are neither lost nor sent
 * again once the lease runs out (GA4 and webhooks do not deduplicate). */
typedef struct pw_forward_unsettled pw_forward_unsettled;

/* pw_forwarders_stop_stats, handing what is left unwritten to *left (NULL when nothing is). */
void pw_forwarders_stop_keep(pw_forwarders *f, pw_forward_stats_fn fn, void *ctx,
                             pw_forward_unsettled **left);
/* Take over u (NULL: nothing): the forwarders write these outcomes before they lease anything,
 * retrying (paused, like their own) while the audit log or the spool refuses them. */
void pw_forwarders_adopt(pw_forwarders *f, pw_forward_unsettled *u);
/* Outcome records adopted or left over and not written yet. */
size_t pw_forwarders_unsettled(pw_forwarders *f);
size_t pw_forward_unsettled_records(const pw_forward_unsettled *u);
void pw_forward_unsettled_free(pw_forward_unsettled *u);

/* Let forwarders started with opts.gated, or gated since, run: the one of destination dest, or
 * all (NULL). */
void pw_forwarders_open(pw_forwarders *f, const char *dest);
/* Gate running forwarders (the one of dest, or all): once this returns, they lease nothing until
 * pw_forwarders_open or their stop; a cycle already leased is still sent and settled. A reload
 * gates the old forwarder of a destination whose endpoint changes before ingest switches, so
 * that it cannot take an event accepted for the new endpoint to the old one. */
void pw_forwarders_gate(pw_forwarders *f, const char *dest);

#endif
