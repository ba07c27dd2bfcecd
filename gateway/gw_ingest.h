/*
 * gw_ingest.h — one POST /e body from bytes to spool rows: parse and validate the events,
 * apply the policy per destination, hand only post-policy payloads to the sink (the spool), and
 * record the transitions in the audit. Independent of the HTTP library so that it is tested
 * directly and shared by the server and `--explain`.
 */
#ifndef PHIWALL_GW_INGEST_H
#define PHIWALL_GW_INGEST_H

#include <stdatomic.h>
#include <stdint.h>

#include "audit.h"
#include "gw_policy.h"
#include "gw_time.h"
#include "spool.h"

/* Where post-policy rows and audit records go: the SQLite spool and the hash-chained audit in
 * the product (gw_server.c), an in-memory recorder in tests. */
typedef struct pw_gw_sink {
    pw_status (*put)(void *ctx, const pw_spool_put_item *items, size_t n, pw_err *err);
    pw_status (*audit)(void *ctx, const pw_audit_record *recs, size_t n, pw_err *err);
    void *ctx;
} pw_gw_sink;

/* Counters for /metrics (events, not requests). */
typedef struct pw_gw_counters {
    atomic_ullong events_in; /* parsed from valid bodies */
    atomic_ullong rejected;  /* in bodies refused with 4xx/5xx, and invalid events of a batch */
    atomic_ullong accepted;  /* queued for at least one destination */
    atomic_ullong dropped;   /* (event, destination) pairs refused by policy */
    atomic_ullong redacted;  /* strings redacted or dropped for PHI */
    atomic_ullong queued;    /* spool rows written */
    atomic_ullong duplicate; /* events ignored as repeats of an already spooled event_id */
} pw_gw_counters;

typedef struct pw_gw_reply {
    int status;      /* HTTP status */
    char body[4096]; /* JSON; a long "rejected" list is cut to fit (see gw_ingest.c) */
    int retry_after; /* seconds, 0 = none */
} pw_gw_reply;

/* A request after parsing and policy, before anything is written: the spool rows and the
 * audit records (all in the request's arena). */
typedef struct pw_gw_prepared {
    pw_spool_put_item *items;
    size_t n_items;
    pw_audit_record *recs;
    size_t n_recs;
    size_t n_events, n_accepted;
    unsigned long long dropped, redacted;
    /* Set by the commit: items the spool already held (a repeated event_id) and events all of
     * whose items were such repeats. They are neither accepted nor queued again. */
    size_t dup_items, dup_events;
    /* The invalid events of a batch: answered in "rejected", audited as dropped, counted as
     * rejected; the batch's valid events go on. */
    const pw_gw_event_reject *rejected;
    size_t n_rejected;
} pw_gw_prepared;

/* Parse and apply the policy. Returns 1 when `out` must be committed (spool, then audit) and
 * finished with pw_gw_ingest_finish; 0 when `reply` is already final (a 4xx/5xx). */
int pw_gw_ingest_prepare(const pw_gw_policy *p, const pw_gw_phi *phi, pw_gw_counters *m,
                         pw_arena *a, const char *body, size_t n, const char *client_ip,
                         const char *user_agent, int64_t now_ms, pw_gw_prepared *out,
                         pw_gw_reply *reply);
/* The reply once the commit is done: spool_st/audit_st are the outcomes (PW_OK = durable). */
void pw_gw_ingest_finish(pw_gw_counters *m, const pw_gw_prepared *pr, pw_status spool_st,
                         pw_status audit_st, pw_gw_reply *reply);

/* prepare + synchronous commit through `sink` + finish (tests, tools). */
void pw_gw_ingest(const pw_gw_policy *p, const pw_gw_phi *phi, const pw_gw_sink *sink,
                  pw_gw_counters *m, pw_arena *a, const char *body, size_t n, const char *client_ip,
                  const char *user_agent, int64_t now_ms, pw_gw_reply *reply);

#endif
