/*
 * forward.c — the forwarder engine (see forward.h): one thread per destination, each with its
 * own libcurl multi handle. A thread per destination keeps one slow or failing upstream from
 * delaying another, keeps each destination's state (backoff, stats, connection cache) private
 * to one thread, and costs little: a gateway has a handful of destinations. Within a
 * destination, the requests of one cycle (e.g. 1001 Meta events → 2 requests, GA4 events of
 * several visitors) run concurrently on the multi handle.
 *
 * A cycle: lease due items → triage each (parse, the driver's validation, age limits; failures
 * are dead-lettered with an audit record) → pack the rest into requests within the driver's
 * event and byte limits → one synced "sending" record per item (the intent: a crash during the
 * request leaves a trace of the disclosure) → send → per request, deliver, retry (exponential
 * backoff with jitter, or Retry-After; dead instead once the destination's retry window would be
 * passed) or dead-letter; a refusal of the credentials (401/403, a Graph token code) instead
 * puts the items back (no attempt counted: the retry window is only for events the upstream
 * may have) and pauses the destination, probing with one small batch of the oldest items until
 * it is accepted (put_back, auth_probe_wait). The deliveries of the whole cycle are settled
 * together: one synced audit append of their SENT records, then one spool ack (the disclosure is
 * recorded before the spool forgets it). A cycle that did not fill its lease is followed by a short
 * linger, so that under load requests carry many events and the fixed costs (sync, commit, request)
 * are shared. The thread is named "pw-fwd-<destination>" (bench/gateway.sh reports CPU per thread
 * name).
 */
#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "forward_internal.h"
#include "forward_plan.h"
#include "gw_prio.h"
#include "gw_json.h"
#include "gw_digest.h"
#include "gw_log.h"
#include "gw_http.h"
#include "gw_policy_narrow.h"
#include "gw_time.h"
#include "phiwall/text.h"

/* How long a forwarder waits for the ingest records of what it leased before writing its
 * outcomes anyway (they are never held back for good: the audit thread may be stuck). */
#define INGEST_WAIT_MS 10000

static const double latency_bounds[11] = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                          0.5,   1.0,  2.5,   5.0,  10.0};

typedef struct runner {
    pw_forwarders *f;
    pw_destination d; /* deep copy: the caller's config may go away after start */
    char *owned[13];
    const fw_driver *drv;
    CURLM *multi;
    fw_easy_pool pool; /* this runner's thread only */
    pw_arena arena;    /* the parsed payloads of one cycle */
    pthread_t thread;
    int started;
    pthread_mutex_t mu; /* stats */
    pw_forward_stats stats;
    unsigned seed;
    /* Wake-ups: notify sets `pending`, and writes to the multi handle's wake-up pipe only when
     * the thread sleeps in its idle poll (`sleeping`), once per sleep. A busy or lingering
     * forwarder costs a notifier two atomic operations, and the forwarder no wake-up at all. */
    atomic_int pending, sleeping;
    pw_gw_prio prio;      /* this thread's nice value: lowered, boosted while delivery lags */
    int boost_refused;    /* the kernel refused a boost once: not asked again */
    uint64_t ingest_mark; /* pw_audit_ingest_mark after this cycle's lease */
    int partial_logged;   /* a partial Meta answer was logged once */
    unsigned audit_wait;  /* the next pause while the audit log fails */
    /* Pauses: durable (1 audit, 2 spool: set_paused) and auth (the destination refused the
     * credentials: set_auth_paused); stats.paused shows the durable one first. */
    int durable_pause, auth_pause;
    unsigned auth_wait;       /* while auth-paused: the wait before the next probe */
    char auth_detail[384];    /* the answer that paused it (scrubbed), for the log */
    char durable_detail[256]; /* why the audit log or spool refused (durable_pause): path, errno */
    int auth_seen;            /* this cycle had a request refused for its credentials */
    /* Failing (set_failing): every request of a cycle failed and was to be retried (5xx, 429, a
     * timeout, a refused connection) and none was delivered. Until one is, a cycle leases one
     * probe's worth instead of its full lease: each attempt writes a "sending" and a "retry"
     * record per item, so a long outage with thousands of queued events would otherwise grow the
     * audit log by two records per event per backoff step, until the disk is full. */
    int failing;
    unsigned fail_wait;     /* while failing: the wait before the next probe */
    size_t cycle_delivered; /* this cycle: requests delivered, requests to be retried */
    size_t cycle_retried;
    char fail_detail[384]; /* the last retried request's answer (scrubbed), for the log */
    int unreached;         /* requests in a row that never reached the upstream (not_reached) */
    size_t cycle_reqs;     /* requests this cycle planned (sent unless auth_seen) */
    /* Gated (pw_forward_opts.gated, or pw_forwarders_gate once running): leases nothing until
     * pw_forwarders_open. A lease happens under lease_mu after a look at `gated`, so that
     * pw_forwarders_gate, which sets it under the same lock, returns only once no lease of this
     * runner is under way or can start. */
    atomic_int gated;
    pthread_mutex_t lease_mu;
    unsigned left_wait; /* the next pause while adopted outcomes cannot be written */
    int64_t cycle_ms;   /* when this cycle's items were triaged, then marked (before their send) */
    int64_t send_ms;    /* when this cycle's first request went out (0: none yet) */
    _Atomic int64_t rescan_upto; /* pw_forward_opts.rescan_upto, as set now */
} runner;

struct pw_forwarders {
    pw_spool *spool;
    pw_audit *audit;
    pw_forward_opts opts;
    atomic_int stop;
    size_t n;
    runner *runners;
    /* Outcomes not written yet: adopted from the forwarders before (written first, before any
     * lease), and those the runners could not write before their stop (handed on). */
    pthread_mutex_t left_mu;
    pw_forward_unsettled left;
    atomic_size_t n_left; /* records in `left` */
};

const double *pw_forward_latency_bounds(size_t *n)
{
    *n = sizeof latency_bounds / sizeof latency_bounds[0];
    return latency_bounds;
}

/* ---- outcomes -------------------------------------------------------------------------- */

/* Upstream text may echo a secret, encoded or cut short: see forward_scrub.c. */
static void scrub_secrets(const pw_destination *d, char *s, size_t cap)
{
    const char *pw = d->proxy_userpwd ? strchr(d->proxy_userpwd, ':') : NULL;
    const char *secrets[5] = {d->access_token, d->api_secret, d->bearer_token, d->proxy_userpwd,
                              pw ? pw + 1 : NULL}; /* the proxy password, apart from its user */
    for (int i = 0; i < 5; i++)
        pw_fw_scrub_secret(s, cap, secrets[i]);
}

static const char *event_name_of(yajl_val p)
{
    const char *n = pw_gw_json_str(p, "event_name");
    if (n)
        return n;
    yajl_val evs = pw_gw_json_get(p, "events");
    if (YAJL_IS_ARRAY(evs) && evs->u.array.len)
        return pw_gw_json_str(evs->u.array.values[0], "name");
    return pw_gw_json_str(p, "name");
}

static pw_audit_record base_record(runner *r, const fw_item *it, pw_audit_action action,
                                   int http_status, const char *detail)
{
    pw_audit_record rec = {.time_ms = pw_gw_now_ms(),
                           .event_id = it->spool->event_id,
                           .event_name = it->event_name,
                           .destination = r->d.name,
                           .action = action,
                           .rule = it->narrowed ? it->narrowed : r->drv->kind_name,
                           .http_status = http_status,
                           .detail = detail};
    return rec;
}

static void count(runner *r, unsigned long long *field, unsigned long long n)
{
    pthread_mutex_lock(&r->mu);
    *field += n;
    pthread_mutex_unlock(&r->mu);
}

/* Outcomes of one kind gathered over a request or a cycle, written with one audit sync and one
 * spool transaction. */
typedef struct outcome_batch {
    pw_audit_record *recs;
    int64_t *ids;
    char **details; /* the items' own detail buffers (fw_item.detail) */
    size_t n, cap;
} outcome_batch;

static int batch_init(outcome_batch *b, size_t cap)
{
    memset(b, 0, sizeof *b);
    b->recs = calloc(cap ? cap : 1, sizeof *b->recs);
    b->ids = calloc(cap ? cap : 1, sizeof *b->ids);
    b->details = calloc(cap ? cap : 1, sizeof *b->details);
    b->cap = cap;
    return b->recs && b->ids && b->details;
}

static void batch_reset(outcome_batch *b)
{
    b->n = 0;
}

static void batch_free(outcome_batch *b)
{
    batch_reset(b);
    free(b->recs);
    free(b->ids);
    free(b->details);
}

static void batch_add(outcome_batch *b, runner *r, fw_item *it, pw_audit_action action,
                      int http_status, const char *detail)
{
    if (b->n == b->cap)
        return; /* cannot happen: sized for the whole lease; the lease expiry is the fallback */
    if (detail != it->detail)
        snprintf(it->detail, FW_DETAIL_MAX, "%s", detail);
    b->details[b->n] = it->detail; /* no allocation: see fw_item.detail */
    b->recs[b->n] = base_record(r, it, action, http_status, b->details[b->n]);
    b->ids[b->n] = it->spool->id;
    b->n++;
}

/* ---- durable settlement: audit record first, then the spool; both retried until done ---- */

#define PAUSE_MIN_MS 100
#define PAUSE_MAX_MS 5000

/* Wait ms, or less when stopping; 1 when stopping. */
static int pause_for(runner *r, unsigned ms)
{
    int64_t until = pw_gw_mono_ms() + ms;
    for (;;) {
        if (atomic_load(&r->f->stop))
            return 1;
        int64_t left = until - pw_gw_mono_ms();
        if (left <= 0)
            return 0;
        curl_multi_poll(r->multi, NULL, 0, (int)left, NULL);
    }
}

static unsigned next_pause(unsigned ms)
{
    return ms * 2 > PAUSE_MAX_MS ? PAUSE_MAX_MS : ms * 2;
}

/* The pause /metrics and /healthz show (PW_FORWARD_PAUSED_*), logged once per change. */
static void publish_paused(runner *r, const char *error)
{
    int why = r->durable_pause ? r->durable_pause
              : r->auth_pause  ? PW_FORWARD_PAUSED_AUTH
              : r->failing     ? PW_FORWARD_PAUSED_FAILING
                               : 0;
    pthread_mutex_lock(&r->mu);
    int was = r->stats.paused;
    r->stats.paused = why;
    /* the latest refusal (a full disk may turn into an I/O error while paused) */
    snprintf(r->stats.paused_detail, sizeof r->stats.paused_detail, "%s",
             r->durable_pause && why == r->durable_pause ? r->durable_detail : "");
    pthread_mutex_unlock(&r->mu);
    if (was == why)
        return;
    if (why == PW_FORWARD_PAUSED_AUTH)
        pw_gw_log("warn",
                  "delivery paused: the destination refused the credentials; its events stay "
                  "queued and one small batch probes with backoff (a reload with a new token "
                  "retries at once)",
                  "destination", r->d.name, "detail", r->auth_detail, NULL);
    else if (why == PW_FORWARD_PAUSED_FAILING)
        pw_gw_log("warn",
                  "delivery failing: every request of a cycle failed; its events stay queued and "
                  "one small batch probes with backoff until the destination takes it",
                  "destination", r->d.name, "detail", r->fail_detail, NULL);
    else if (why == 1)
        pw_gw_log("error",
                  "delivery paused: the audit log cannot be written; delivery to this "
                  "destination is held (nothing is sent or acknowledged) until the audit log can "
                  "be written (retried with backoff)",
                  "destination", r->d.name, "audit_log", pw_audit_path(r->f->audit), "error",
                  error ? error : "", NULL);
    else if (why == 2)
        pw_gw_log("error",
                  "delivery paused: the spool refuses delivery outcomes (ack, retry, dead); "
                  "retried",
                  "destination", r->d.name, "error", error ? error : "", NULL);
    else
        pw_gw_log("info", "delivery resumed", "destination", r->d.name, NULL);
}

/* Durable pause (why: 1 audit, 2 spool) or its end (0). */
static void set_paused(runner *r, int why, const char *error)
{
    r->durable_pause = why;
    snprintf(r->durable_detail, sizeof r->durable_detail, "%.255s", why && error ? error : "");
    publish_paused(r, error);
}

/* Failing (set by a cycle whose every request failed retryably, cleared by a delivered one). */
static void set_failing(runner *r, int failing)
{
    if (r->failing == failing)
        return;
    r->failing = failing;
    if (!failing)
        r->fail_wait = 0;
    publish_paused(r, NULL);
}

/* Auth pause (detail: the scrubbed answer) or its end (NULL). */
static void set_auth_paused(runner *r, const char *detail)
{
    r->auth_pause = detail != NULL;
    if (detail)
        snprintf(r->auth_detail, sizeof r->auth_detail, "%s", detail);
    else
        r->auth_wait = 0;
    publish_paused(r, NULL);
}

/* Outcomes of the leased items, after their ingest records (accepted, queued): those are
 * written by the ingest audit thread after the spool commit, possibly later than the lease.
 * Nothing reaches the spool before its record is in the log: a refused append (a full disk) is
 * retried with backoff, the forwarder paused meanwhile. 1 once written, 0 when stopping first
 * (outcomes: kept for the next forwarders, see keep; "sending" intents: nothing was sent). */
static int audit_outcomes(runner *r, const pw_audit_record *recs, size_t n)
{
    pw_audit_ingest_wait(r->f->audit, r->ingest_mark, INGEST_WAIT_MS);
    for (unsigned wait = PAUSE_MIN_MS;; wait = next_pause(wait)) {
        pw_err e = {0};
        if (pw_audit_append_batch(r->f->audit, recs, n, &e) == PW_OK) {
            set_paused(r, 0, NULL);
            return 1;
        }
        count(r, &r->stats.audit_failures, 1);
        set_paused(r, 1, e.msg);
        if (pause_for(r, wait))
            return 0;
    }
}

/* sent_ms: for retries, when their request went out (0: not known, the spool takes the lease's
 * start, earlier). */
static pw_status settle_once(runner *r, fw_settle_kind k, const int64_t *ids, const size_t *lens,
                             char *const *reasons, size_t n, int64_t next, int64_t sent_ms,
                             pw_err *e)
{
    switch (k) {
    case FW_SETTLE_ACK: return pw_spool_ack_sized(r->f->spool, ids, lens, n, e);
    case FW_SETTLE_RETRY:
    case FW_SETTLE_PUT_BACK: {
        pw_status st = k == FW_SETTLE_RETRY
                           ? pw_spool_retry_batch_sent(r->f->spool, ids, n, next, sent_ms, e)
                           : pw_spool_put_back_batch(r->f->spool, ids, n, next, e);
        return st == PW_ERR_NOTFOUND ? PW_OK : st; /* rows settled meanwhile: nothing to do */
    }
    case FW_SETTLE_DEAD:
        return pw_spool_dead_batch(r->f->spool, ids, (const char *const *)reasons, n, e);
    }
    return PW_OK;
}

/* The spool's side of outcomes already recorded in the audit log: retried with backoff until
 * it is written (a full disk: the spool's reserve lets these commit once ingest stops adding),
 * counted and logged. A failed ack left alone would have the rows sent again and again. */
static int spool_outcomes(runner *r, fw_settle_kind k, const int64_t *ids, const size_t *lens,
                          char *const *reasons, size_t n, int64_t next)
{
    for (unsigned wait = PAUSE_MIN_MS;; wait = next_pause(wait)) {
        pw_err e = {0};
        /* the retries of this runner's cycle: sent at send_ms or after */
        int64_t sent_ms = k == FW_SETTLE_RETRY ? r->send_ms : 0;
        if (settle_once(r, k, ids, lens, reasons, n, next, sent_ms, &e) == PW_OK) {
            set_paused(r, 0, NULL);
            return 1;
        }
        count(r, &r->stats.spool_failures, 1);
        set_paused(r, 2, e.msg);
        if (pause_for(r, wait))
            return 0; /* stopping: kept for the next forwarders (keep) */
    }
}

/* Outcomes this runner stops before writing (the audit log or the spool refused them until the
 * stop): kept for the forwarders that follow (pw_forwarders_stop_keep), so that a delivery
 * made before a reload is recorded, not sent again when its lease runs out. */
static void keep(runner *r, fw_settle_kind k, int audited, const pw_audit_record *recs,
                 const int64_t *ids, const size_t *lens, size_t n, int64_t next)
{
    fw_kept *kept = pw_fw_kept_new(k, audited, next, r->ingest_mark, recs, ids, lens, n);
    if (!kept) {
        char num[24];
        snprintf(num, sizeof num, "%zu", n);
        pw_gw_log("error",
                  "out of memory keeping delivery outcomes not yet written at a stop; their "
                  "events are sent again when their lease runs out",
                  "destination", r->d.name, "events", num, NULL);
        return;
    }
    kept->sent_ms = k == FW_SETTLE_RETRY ? r->send_ms : 0;
    pthread_mutex_lock(&r->f->left_mu);
    pw_fw_kept_append(&r->f->left, kept);
    atomic_store(&r->f->n_left, r->f->left.records);
    pthread_mutex_unlock(&r->f->left_mu);
}

/* One kind of outcomes: the audit records, counted (in *counter), then the spool; whatever a
 * stop interrupts is kept. */
static void settle(runner *r, fw_settle_kind k, const pw_audit_record *recs, const int64_t *ids,
                   const size_t *lens, char *const *reasons, size_t n, int64_t next,
                   unsigned long long *counter)
{
    if (!audit_outcomes(r, recs, n)) {
        keep(r, k, 0, recs, ids, lens, n, next);
        return;
    }
    count(r, counter, n); /* before the spool changes: drained ⇒ counted */
    if (!spool_outcomes(r, k, ids, lens, reasons, n, next))
        keep(r, k, 1, recs, ids, lens, n, next);
}

/* Dead letters: audit first (the accounting), count, then the spool. */
static void flush_dead(runner *r, outcome_batch *b)
{
    if (!b->n)
        return;
    settle(r, FW_SETTLE_DEAD, b->recs, b->ids, NULL, b->details, b->n, 0, &r->stats.dead);
    batch_reset(b);
}

/* Rescheduled items (kind FW_SETTLE_RETRY, or FW_SETTLE_PUT_BACK: not an attempt). */
static void flush_resched(runner *r, outcome_batch *b, fw_settle_kind kind, int64_t next)
{
    if (!b->n)
        return;
    settle(r, kind, b->recs, b->ids, NULL, NULL, b->n, next, &r->stats.retried);
    batch_reset(b);
}

static void flush_retry(runner *r, outcome_batch *b, int64_t next)
{
    flush_resched(r, b, FW_SETTLE_RETRY, next);
}

static int64_t backoff_ms(runner *r, int attempts)
{
    const pw_forward_opts *o = &r->f->opts;
    int64_t delay = o->retry_base_ms;
    for (int i = 1; i < attempts && delay < o->retry_max_ms; i++)
        delay *= 2;
    if (delay > o->retry_max_ms)
        delay = o->retry_max_ms;
    int64_t half = delay / 2;
    return half + (int64_t)(rand_r(&r->seed) % (unsigned)(half + 1)); /* jitter: [d/2, d] */
}

/* Where an item's retry window starts: its first attempt that may have reached the upstream,
 * this one if it is the first (a retried answer counts, conservatively: a timeout or a 5xx may
 * have been processed): when the cycle's first request went out, which no request of it went
 * out before, so the window never runs past the upstream's from its first receipt. */
static int64_t window_start(const runner *r, const fw_item *it)
{
    return it->spool->sent_ms > 0 ? it->spool->sent_ms : r->send_ms ? r->send_ms : r->cycle_ms;
}

/* Schedule one item at `next` (`wait` ms from now), or dead-letter it when that passes its retry
 * window. */
static void retry_item(runner *r, fw_item *it, const fw_outcome *out, int http_status, int64_t wait,
                       int64_t next, outcome_batch *retry, outcome_batch *dead)
{
    char detail[512];
    if (next > window_start(r, it) + r->drv->retry_window_ms) {
        snprintf(detail, sizeof detail, "retry window closed after attempt %d: %s",
                 it->spool->attempts, out->detail);
        batch_add(dead, r, it, PW_AUDIT_DEAD, http_status, detail);
        return;
    }
    snprintf(detail, sizeof detail, "attempt %d failed, next in %lld ms%s: %s", it->spool->attempts,
             (long long)wait, out->retry_after_ms > 0 ? " (Retry-After)" : "", out->detail);
    batch_add(retry, r, it, PW_AUDIT_RETRY, http_status, detail);
}

/* One delay for the whole request (its items stay together in the next batch): Retry-After
 * when the upstream gave one, else the jittered backoff of the most-tried item. */
static int64_t retry_wait(runner *r, const fw_request *q, const fw_outcome *out)
{
    if (out->retry_after_ms > 0)
        return out->retry_after_ms;
    int attempts = 1;
    for (size_t i = 0; i < q->n_items; i++)
        if (q->items[i]->spool->attempts > attempts)
            attempts = q->items[i]->spool->attempts;
    return backoff_ms(r, attempts);
}

/* Deliveries of a whole cycle, written with one audit append (one sync) and one spool ack (one
 * commit) however many requests they came in. */
typedef struct sent_batch {
    pw_audit_record *recs;
    int64_t *ids;
    size_t *lens; /* payload lengths as leased, for the spool's size accounting */
    char (*sha)[65];
    pw_buf *fields; /* the lists of fields, made before the send (list_fields) */
    size_t n, n_fields, cap;
    yajl_val shape;           /* the last payload whose fields were listed (NULL: none yet) */
    const char *shape_fields; /* its list, owned by fields[] */
} sent_batch;

static int sent_init(sent_batch *b, size_t cap)
{
    memset(b, 0, sizeof *b);
    size_t c = cap ? cap : 1;
    b->recs = calloc(c, sizeof *b->recs);
    b->ids = calloc(c, sizeof *b->ids);
    b->lens = calloc(c, sizeof *b->lens);
    b->sha = calloc(c, sizeof *b->sha);
    b->fields = calloc(c, sizeof *b->fields);
    b->cap = cap;
    return b->recs && b->ids && b->lens && b->sha && b->fields;
}

/* The records are written: forget them (the lists of fields stay until sent_free). */
static void sent_reset(sent_batch *b)
{
    b->n = 0;
}

static void sent_free(sent_batch *b)
{
    for (size_t i = 0; b->fields && i < b->n_fields; i++)
        pw_buf_free(&b->fields[i]);
    free(b->recs);
    free(b->ids);
    free(b->lens);
    free(b->sha);
    free(b->fields);
}

/* The fields item k discloses: the list of the last payload listed when both have the same
 * shape (most of a cycle's payloads do), else a list of its own. NULL when out of memory. */
static const char *fields_of(sent_batch *sent, size_t k, yajl_val json)
{
    pw_buf_init(&sent->fields[k]);
    sent->n_fields = k + 1;
    if (sent->shape && sent->shape_fields && pw_fw_same_fields(json, sent->shape))
        return sent->shape_fields;
    pw_fw_fields_disclosed(json, &sent->fields[k]);
    if (sent->fields[k].failed)
        return NULL;
    sent->shape = json;
    sent->shape_fields = sent->fields[k].data;
    return sent->shape_fields;
}

/* Before anything is sent, what the "sent" records of the items will list (an allocation: a
 * failure here sends nothing, the leases run out and the items come back). 0 when out of
 * memory. */
static int list_fields(fw_item **ok, size_t n, sent_batch *sent)
{
    for (size_t k = 0; k < n && k < sent->cap; k++)
        if (!(ok[k]->fields_json = fields_of(sent, k, ok[k]->json)))
            return 0;
    return 1;
}

/* Delivered: the items' "sent" records, into room reserved before the send (no allocation). */
static void deliver(runner *r, fw_request *q, const fw_outcome *out, sent_batch *sent)
{
    if (sent->n + q->n_items > sent->cap)
        return; /* cannot happen: sized for the whole lease */
    snprintf(q->detail, sizeof q->detail, "%s", out->detail);
    size_t narrowed = 0;
    for (size_t i = 0; i < q->n_items; i++)
        narrowed += q->items[i]->was_narrowed;
    if (narrowed)
        count(r, &r->stats.narrowed, narrowed);
    for (size_t i = 0; i < q->n_items; i++) {
        fw_item *it = q->items[i];
        size_t k = sent->n++;
        memcpy(sent->sha[k], it->sha, sizeof it->sha); /* hashed for its "sending" record */
        sent->recs[k] = base_record(r, it, PW_AUDIT_SENT, (int)q->http_status, q->detail);
        sent->recs[k].payload_sha256 = sent->sha[k];
        sent->recs[k].fields_json = it->fields_json;
        sent->ids[k] = it->spool->id;
        sent->lens[k] = it->spool->payload_len;
    }
}

/* The disclosures are recorded before the spool forgets the rows. */
static void flush_sent(runner *r, sent_batch *b)
{
    if (!b->n)
        return;
    settle(r, FW_SETTLE_ACK, b->recs, b->ids, b->lens, NULL, b->n, 0, &r->stats.sent);
    sent_reset(b);
}

static void record_latency(runner *r, double s)
{
    size_t b = 0;
    while (b < 11 && s > latency_bounds[b])
        b++;
    pthread_mutex_lock(&r->mu);
    r->stats.batches++;
    r->stats.latency_sum_s += s;
    r->stats.latency_buckets[b]++;
    pthread_mutex_unlock(&r->mu);
}

/* A delivery the upstream took only in part: counted, logged once per forwarder (the audit
 * records of its events say "partial: …"). */
static void note_partial(runner *r, const fw_outcome *out)
{
    count(r, &r->stats.partial, 1);
    if (r->partial_logged)
        return;
    r->partial_logged = 1;
    pw_gw_log("warn",
              "upstream took fewer events than were sent (recorded as sent with detail "
              "\"partial\"; further ones only counted in /metrics)",
              "destination", r->d.name, "detail", out->detail, NULL);
}

/* The destination refused the credentials: the events are fine, so they go back to the queue,
 * due at once (the forwarder waits before it probes), with a "retry" record each saying why
 * (the same as a retried attempt; no window check: the age rules apply at the next lease), and
 * the forwarder pauses. The upstream did not take them (a refused request, or one not sent), so
 * the lease is no attempt (pw_spool_put_back_batch): the retry window, which is about re-sending
 * an event Meta may already have, does not run for an event that only ever met refusals. */
static void put_back(runner *r, fw_request *q, const fw_outcome *out, outcome_batch *retry)
{
    char detail[512];
    for (size_t i = 0; i < q->n_items; i++) {
        snprintf(detail, sizeof detail, "attempt %d: destination paused, event kept queued: %s",
                 q->items[i]->spool->attempts, out->detail);
        batch_add(retry, r, q->items[i], PW_AUDIT_RETRY, (int)q->http_status, detail);
    }
    flush_resched(r, retry, FW_SETTLE_PUT_BACK, pw_spool_clock_ms(r->f->spool));
    if (!r->auth_pause)
        set_auth_paused(r, out->detail);
    r->auth_seen = 1;
}

/* A request that never left: the upstream's host (or the proxy's) was not resolved, or it
 * refused the connection (curl 5, 6, 7). Nothing of it reached the upstream, so its items are no
 * attempt (pw_spool_put_back_batch): the retry window, which keeps an event the upstream may
 * already hold from being sent again after its deduplication window, does not start. Otherwise
 * two days of a DNS or firewall outage would dead-letter events Meta never saw. */
static int never_left(const fw_request *q)
{
    return q->curl_code == CURLE_COULDNT_RESOLVE_PROXY ||
           q->curl_code == CURLE_COULDNT_RESOLVE_HOST || q->curl_code == CURLE_COULDNT_CONNECT;
}

/* Reschedule a request that never left. The items' attempt counts do not grow, so the backoff is
 * the destination's: it doubles with each such request in a row (up to retry_max_ms) and starts
 * over once a request reaches the upstream. */
static void not_reached(runner *r, fw_request *q, const fw_outcome *out, outcome_batch *retry)
{
    int64_t wait = backoff_ms(r, ++r->unreached);
    char detail[512];
    for (size_t i = 0; i < q->n_items; i++) {
        snprintf(detail, sizeof detail,
                 "attempt %d not sent (the upstream was not reached), next in %lld ms: %s",
                 q->items[i]->spool->attempts, (long long)wait, out->detail);
        batch_add(retry, r, q->items[i], PW_AUDIT_RETRY, 0, detail);
    }
    flush_resched(r, retry, FW_SETTLE_PUT_BACK, pw_spool_clock_ms(r->f->spool) + wait);
}

static void apply_outcome(runner *r, fw_request *q, sent_batch *sent, outcome_batch *retry,
                          outcome_batch *dead)
{
    fw_outcome out;
    memset(&out, 0, sizeof out);
    r->drv->classify(&r->d, q, &out);
    scrub_secrets(&r->d, out.detail, sizeof out.detail);
    if (q->curl_code == 0 || q->timed_out)
        record_latency(r, q->latency_s);
    if (!never_left(q))
        r->unreached = 0;
    if (out.verdict == FW_DELIVERED)
        r->cycle_delivered++;
    if (out.verdict == FW_RETRY) {
        r->cycle_retried++;
        snprintf(r->fail_detail, sizeof r->fail_detail, "%s", out.detail);
    }
    if (out.verdict == FW_DELIVERED) {
        if (out.partial)
            note_partial(r, &out);
        deliver(r, q, &out, sent);
        return;
    }
    count(r, &r->stats.failed, q->n_items);
    if (out.verdict == FW_AUTH) {
        put_back(r, q, &out, retry);
        return;
    }
    if (out.verdict == FW_RETRY && never_left(q)) {
        not_reached(r, q, &out, retry);
        return;
    }
    int64_t wait = out.verdict == FW_RETRY ? retry_wait(r, q, &out) : 0;
    /* The retry window is a wall-clock fact (the upstream's deduplication window); when the
     * next attempt is due is not: it is on the spool's schedule clock, which a step of the wall
     * clock does not move (pw_spool_clock_ms). */
    int64_t next_wall = pw_gw_now_ms() + wait;
    for (size_t i = 0; i < q->n_items; i++) {
        if (out.verdict == FW_RETRY)
            retry_item(r, q->items[i], &out, (int)q->http_status, wait, next_wall, retry, dead);
        else
            batch_add(dead, r, q->items[i], PW_AUDIT_DEAD, (int)q->http_status, out.detail);
    }
    flush_retry(r, retry, pw_spool_clock_ms(r->f->spool) + wait);
}

/* ---- one cycle ------------------------------------------------------------------------- */

/* Spooled before the policy and engine in force (pw_forward_opts.rescan_upto)? Item ids are
 * the event's row times 64 plus its place in the row. */
static int rescans(const runner *r, const fw_item *it)
{
    return r->d.phi && it->spool->id / 64 <= atomic_load(&r->rescan_upto);
}

/* The PHI verdicts of the policy in force, re-decided on the payload (pw_gw_policy_narrow_phi).
 * 1 when they cannot be (the engine unavailable, out of memory): the event is dead-lettered
 * with why, rather than sent with strings no engine of this policy has read. */
static int rescrub(runner *r, fw_item *it, pw_gw_narrowed *nw, char *why, size_t cap)
{
    const struct pw_gw_phi_source *src = r->d.phi;
    pw_gw_phi phi;
    void *token = NULL;
    pw_err e = {0};
    pw_status st = src->borrow(src->ctx, &phi, &token, &e);
    if (st == PW_OK) {
        st = pw_gw_policy_narrow_phi(r->d.policy, r->d.policy_dest, it->json, &phi, &r->arena, nw,
                                     &e);
        src->give_back(src->ctx, token);
    }
    if (st == PW_OK)
        return 0;
    snprintf(why, cap,
             "policy reload: not sent: the PHI engine could not re-check it under the policy in "
             "force (sha256 %.12s): %.200s",
             r->d.policy->sha256, e.msg);
    return 1;
}

/* The policy in force, re-applied to a spooled payload (gw_policy_narrow.h): the payload was
 * reduced by the policy of its acceptance, and a reload since may have tightened it. 1 when the
 * policy in force no longer sends the event (dead-lettered: the rule "policy reload", the policy
 * version and why); else its members are removed in it->json, which is then sent re-emitted
 * (not as spooled) and whose records name what was removed and by which policy. */
static int narrow(runner *r, fw_item *it, char *why, size_t cap)
{
    pw_gw_narrowed nw;
    const pw_gw_policy *p = r->d.policy;
    pw_gw_policy_narrow(p, r->d.policy_dest, it->json, it->spool->event_id, &nw);
    if (!nw.dead && rescans(r, it) && rescrub(r, it, &nw, why, cap)) {
        count(r, &r->stats.narrowed_dead, 1);
        return 1;
    }
    if (nw.dead) {
        snprintf(why, cap, "policy reload: not sent under the policy in force (sha256 %.12s): %s",
                 p->sha256, nw.note);
        count(r, &r->stats.narrowed_dead, 1);
        return 1;
    }
    if (!nw.removed)
        return 0;
    it->compact = 0; /* the tree changed: emit it */
    char rule[PW_GW_NARROW_NOTE_MAX + 96];
    snprintf(rule, sizeof rule,
             "%s; policy reload: narrowed to the policy in force (sha256 %.12s): %s",
             r->drv->kind_name, p->sha256, nw.note);
    it->narrowed = pw_arena_strdup(&r->arena, rule); /* NULL (out of memory): the kind's name */
    it->was_narrowed = 1; /* counted once delivered (deliver): a retried send narrows again */
    return 0;
}

/* The destination's requires_consent in the policy in force, against the consent the event
 * arrived with (kept in the spool): a reload that made the destination require a consent the
 * visitor had not given reaches the backlog spooled before it. NULL when it may go, or when the
 * row has no consent recorded (spooled by a phiwall before it was kept: sent as before). */
static const char *consent_refused(const runner *r, const pw_spool_item *it)
{
    if (!(it->consent & PW_SPOOL_CONSENT_KNOWN))
        return NULL;
    const pw_gw_dest_policy *d = &r->d.policy->dests[r->d.policy_dest];
    if (d->requires_consent == PW_GW_CONSENT_ADS && !(it->consent & PW_SPOOL_CONSENT_ADS))
        return "requires_consent: ads (the visitor had not consented to ads when the event was "
               "accepted)";
    if (d->requires_consent == PW_GW_CONSENT_ANALYTICS &&
        !(it->consent & PW_SPOOL_CONSENT_ANALYTICS))
        return "requires_consent: analytics (the visitor had not consented to analytics when the "
               "event was accepted)";
    return NULL;
}

/* Parse and check one leased item; 0 if it may be sent. */
static int triage(runner *r, fw_item *it, int64_t now, outcome_batch *dead)
{
    char why[FW_DETAIL_MAX];
    it->narrowed = NULL;
    it->was_narrowed = 0;
    it->json = pw_fw_parse(&r->arena, it->spool->payload, it->spool->payload_len);
    if (!it->json) {
        batch_add(dead, r, it, PW_AUDIT_DEAD, 0, "invalid: payload is not JSON");
        return 1;
    }
    it->event_name = event_name_of(it->json);
    it->compact = pw_fw_compact(it->spool->payload, it->spool->payload_len);
    const char *refusal = r->d.policy ? consent_refused(r, it->spool) : NULL;
    if (refusal) {
        snprintf(why, sizeof why,
                 "policy reload: not sent under the policy in force (sha256 %.12s): %s",
                 r->d.policy->sha256, refusal);
        count(r, &r->stats.narrowed_dead, 1);
        batch_add(dead, r, it, PW_AUDIT_DEAD, 0, why);
        return 1;
    }
    if (r->d.policy && narrow(r, it, why, sizeof why)) {
        batch_add(dead, r, it, PW_AUDIT_DEAD, 0, why);
        return 1;
    }
    if (r->drv->validate(it->json, now, &it->n_events, why, sizeof why)) {
        batch_add(dead, r, it, PW_AUDIT_DEAD, 0, why);
        return 1;
    }
    int64_t age = now - it->spool->created_ms;
    if (age > r->drv->max_age_ms) {
        snprintf(why, sizeof why, "stale: accepted %lld h ago, %s accepts %lld h",
                 (long long)(age / 3600000), r->drv->kind_name,
                 (long long)(r->drv->max_age_ms / 3600000));
        batch_add(dead, r, it, PW_AUDIT_DEAD, 0, why);
        return 1;
    }
    /* sent_ms: an earlier delivery may have reached the upstream (a timeout, a 5xx, a lease
     * that ran out mid-send; refusals of the credentials do not count: put_back), and re-sending
     * it past the upstream's deduplication window, which runs from when the upstream first got
     * it, could count it twice. */
    int64_t since = it->spool->sent_ms > 0 ? now - it->spool->sent_ms : 0;
    if (since > r->drv->retry_window_ms) {
        snprintf(why, sizeof why,
                 "retry window closed: first attempt %lld h ago (accepted %lld h ago)",
                 (long long)(since / 3600000), (long long)(age / 3600000));
        batch_add(dead, r, it, PW_AUDIT_DEAD, 0, why);
        return 1;
    }
    return 0;
}

/* ---- priority ------------------------------------------------------------------------ */

/* Delivery is asynchronous (the spool absorbs bursts), so the forwarder threads may run at a
 * lower priority than ingest: under a burst the HTTP threads get the cores first and answer
 * sooner, and the forwarders catch up in larger batches right after. */
static void lower_priority(runner *r)
{
    int refused = pw_gw_prio_init(&r->prio, r->f->opts.nice) != 0;
    pthread_mutex_lock(&r->mu);
    r->stats.nice = r->prio.now;
    r->stats.nice_refused = refused;
    pthread_mutex_unlock(&r->mu);
}

/* Age of the oldest first-time item of a lease: how far delivery is behind ingest. Items leased
 * again (retries, expired leases) are old by design and do not count. */
static int64_t lease_lag_ms(const pw_spool_item *it, size_t n, int64_t now)
{
    int64_t oldest = 0;
    for (size_t i = 0; i < n; i++)
        if (it[i].attempts <= 1 && it[i].created_ms > 0 && (!oldest || it[i].created_ms < oldest))
            oldest = it[i].created_ms;
    return oldest && now > oldest ? now - oldest : 0;
}

/* While the oldest new item a cycle leases is older than boost_lag_ms, the thread asks for the
 * process's own priority back, so a long overload ends in a drained spool rather than in 503s
 * while delivery idles; below half of it, it lowers itself again. */
static void adapt_priority(runner *r, int64_t lag_ms)
{
    unsigned limit = r->f->opts.boost_lag_ms;
    if (!limit || r->boost_refused || r->prio.lowered == r->prio.base)
        return;
    int want = r->prio.boosted ? lag_ms >= (int64_t)limit / 2 : lag_ms >= (int64_t)limit;
    if (want == r->prio.boosted)
        return;
    int ok = pw_gw_prio_boost(&r->prio, want) == 0;
    r->boost_refused = !ok;
    pthread_mutex_lock(&r->mu);
    r->stats.nice = r->prio.now;
    r->stats.boosts += ok && want;
    r->stats.boost_refused = !ok;
    pthread_mutex_unlock(&r->mu);
}

#define LEASE_MIN 400 /* items leased per cycle at least: GA4 sends one request per visitor */

static size_t lease_size(const runner *r)
{
    size_t per =
        r->d.max_batch && r->d.max_batch < r->drv->max_events ? r->d.max_batch : r->drv->max_events;
    return per * 4 < LEASE_MIN ? LEASE_MIN : per * 4;
}

/* The intent, before a byte leaves: one synced "sending" record per planned item (its
 * destination and the SHA-256 of its exact bytes in the request), after its ingest records. A
 * crash between the upstream receiving a request and the "sent" append then still leaves a
 * durable trace of the disclosure; a full audit disk stops delivery here, before the send. 0
 * when stopping first: nothing is sent (the leases expire; sent after a restart). */
static int record_intent(runner *r, const fw_plan *plan, outcome_batch *intent)
{
    for (size_t i = 0; i < plan->n_reqs; i++) {
        fw_request *q = plan->reqs[i];
        for (size_t k = 0; k < q->n_items && intent->n < intent->cap; k++) {
            fw_item *it = q->items[k], *prev = k ? q->items[k - 1] : NULL;
            if (prev && prev->body_start == it->body_start && prev->body_end == it->body_end)
                memcpy(it->sha, prev->sha, sizeof it->sha); /* GA4: one hash per request */
            else
                pw_gw_sha256_hex2(q->body.data + it->body_start, it->body_end - it->body_start,
                                  NULL, 0, it->sha);
            intent->recs[intent->n] = base_record(r, it, PW_AUDIT_SENDING, 0, NULL);
            intent->recs[intent->n].payload_sha256 = it->sha;
            intent->n++;
        }
    }
    int ok = !intent->n || audit_outcomes(r, intent->recs, intent->n);
    intent->n = 0; /* no details were allocated */
    return ok;
}

/* The spool's durable trace that the planned items may reach the upstream from now on (one row
 * per cycle, written by the group commit): after a crash mid-send they count as attempted, their
 * retry window running from this moment. Retried with backoff while the spool refuses it (the
 * forwarder paused, as for outcomes); 0 when stopping first or out of memory: nothing is sent
 * (the leases run out and the items come back). */
static int mark_sending(runner *r, const fw_plan *plan)
{
    size_t n = 0;
    for (size_t i = 0; i < plan->n_reqs; i++)
        n += plan->reqs[i]->n_items;
    int64_t *ids = malloc((n ? n : 1) * sizeof *ids);
    if (!ids)
        return 0;
    n = 0;
    for (size_t i = 0; i < plan->n_reqs; i++)
        for (size_t k = 0; k < plan->reqs[i]->n_items; k++)
            ids[n++] = plan->reqs[i]->items[k]->spool->id;
    int ok = 0;
    for (unsigned wait = PAUSE_MIN_MS;; wait = next_pause(wait)) {
        pw_err e = {0};
        r->cycle_ms = pw_gw_now_ms();
        if (pw_spool_mark_sending(r->f->spool, r->d.name, ids, n, r->cycle_ms, &e) == PW_OK) {
            set_paused(r, 0, NULL);
            ok = 1;
            break;
        }
        count(r, &r->stats.spool_failures, 1);
        set_paused(r, 2, e.msg);
        if (pause_for(r, wait))
            break;
    }
    free(ids);
    return ok;
}

/* Triage, plan, send and settle the leased items. */
static void deliver_leased(runner *r, pw_spool_item *leased, size_t n, fw_item *items, fw_item **ok,
                           sent_batch *sent, outcome_batch *retry, outcome_batch *dead)
{
    size_t n_ok = 0;
    int64_t now = pw_gw_now_ms();
    r->cycle_ms = now;
    r->send_ms = 0;
    for (size_t i = 0; i < n; i++) {
        items[i].spool = &leased[i];
        if (triage(r, &items[i], now, dead) == 0)
            ok[n_ok++] = &items[i];
    }
    flush_dead(r, dead);
    fw_plan plan = {0};
    if (n_ok && pw_fw_plan(r->drv, &r->d, ok, n_ok, &plan) == PW_OK) {
        for (size_t i = 0; i < plan.n_dead; i++)
            batch_add(dead, r, plan.dead[i], PW_AUDIT_DEAD, 0,
                      "invalid: event too large for one request");
        flush_dead(r, dead);
        if (!list_fields(ok, n_ok, sent) ||
            !record_intent(r, &plan, retry) || /* retry: an empty batch sized for the lease */
            !mark_sending(r, &plan)) {
            pw_fw_plan_free(&plan);
            return;
        }
        r->cycle_reqs = plan.n_reqs;
        for (size_t i = 0; i < plan.n_reqs; i += FW_WAVE) {
            size_t m = plan.n_reqs - i < FW_WAVE ? plan.n_reqs - i : FW_WAVE;
            if (r->auth_seen) { /* a wave was refused its credentials: the rest is not sent */
                fw_outcome unsent = {.verdict = FW_AUTH};
                snprintf(unsent.detail, sizeof unsent.detail,
                         "not sent: credentials refused for an earlier request");
                for (size_t k = 0; k < m; k++)
                    put_back(r, plan.reqs[i + k], &unsent, retry);
                continue;
            }
            if (!r->send_ms) /* before the first byte leaves: never after the upstream has it */
                r->send_ms = pw_gw_now_ms();
            pw_fw_send_all(r->multi, &r->pool, &r->d, plan.reqs + i, m);
            for (size_t k = 0; k < m; k++)
                apply_outcome(r, plan.reqs[i + k], sent, retry, dead);
        }
        flush_sent(r, sent);
        flush_dead(r, dead);
    }
    pw_fw_plan_free(&plan);
}

/* Items a probe (auth-paused or failing) leases: one small request's worth, so that a refused
 * token or a down upstream costs one request and a few records per probe, not a lease of them. */
#define PROBE_MAX 10

static size_t run_cycle(runner *r)
{
    pw_spool_item *leased = NULL;
    size_t n = 0;
    pw_status st = PW_OK;
    pthread_mutex_lock(&r->lease_mu);
    /* A probe takes the oldest due items: the nearest their age limit go out first, and are the
     * first delivered once the upstream takes them again. */
    int probe = r->auth_pause || r->failing;
    if (atomic_load(&r->gated)) /* gated since the loop looked: lease nothing */
        n = 0;
    else if (probe)
        st = pw_spool_lease_oldest(r->f->spool, r->d.name, PROBE_MAX, r->f->opts.lease_ms, &leased,
                                   &n, NULL);
    else
        st = pw_spool_lease(r->f->spool, r->d.name, lease_size(r), r->f->opts.lease_ms, &leased, &n,
                            NULL);
    pthread_mutex_unlock(&r->lease_mu);
    if (st != PW_OK || n == 0)
        return 0;
    r->ingest_mark = pw_audit_ingest_mark(r->f->audit); /* every leased row was put before it */
    if (!probe) /* a probe's items are old by design: no lag to catch up on yet */
        adapt_priority(r, lease_lag_ms(leased, n, pw_gw_now_ms()));
    fw_item *items = calloc(n, sizeof *items);
    /* The items' detail buffers apart (malloc: only the pages of those written are touched). */
    char *details = malloc(n * FW_DETAIL_MAX);
    for (size_t i = 0; items && details && i < n; i++)
        items[i].detail = details + i * FW_DETAIL_MAX;
    fw_item **ok = calloc(n, sizeof *ok);
    outcome_batch retry, dead;
    sent_batch sent;
    int ready = batch_init(&retry, n) & batch_init(&dead, n) & sent_init(&sent, n);
    if (items && details && ok && ready) /* else the leases expire and the items come back */
        deliver_leased(r, leased, n, items, ok, &sent, &retry, &dead);
    sent_free(&sent);
    batch_free(&retry);
    batch_free(&dead);
    pw_arena_reset(&r->arena); /* the items' trees */
    free(items);
    free(details);
    free(ok);
    pw_spool_items_free(leased, n);
    return n;
}

/* After a cycle that did not fill its lease, let events gather until linger_ms after its start:
 * a few large requests (and one audit sync, one ack commit each) cost far less per event than
 * many small ones. Notifications are not waited for here; only a stop ends the wait early. */
static void linger(runner *r, int64_t start)
{
    for (;;) {
        int64_t left = start + r->f->opts.linger_ms - pw_gw_mono_ms();
        if (left <= 0 || atomic_load(&r->f->stop))
            return;
        curl_multi_poll(r->multi, NULL, 0, (int)left, NULL);
    }
}

/* Nothing was due: sleep until notified, stopped, or poll_ms passes. `sleeping` is published
 * before `pending` is read, and a notifier publishes `pending` before it reads `sleeping`, so
 * either the forwarder sees the notification or the notifier sees it asleep and wakes it. */
static void idle_wait(runner *r)
{
    atomic_store(&r->sleeping, 1);
    if (!atomic_load(&r->pending) && !atomic_load(&r->f->stop))
        curl_multi_poll(r->multi, NULL, 0, (int)r->f->opts.poll_ms, NULL);
    atomic_store(&r->sleeping, 0);
}

/* Nothing is sent while the audit log cannot be written (no disclosure without its record):
 * the forwarder pauses and probes the log with backoff. 1 when it paused. */
static int audit_blocks_delivery(runner *r)
{
    pw_err e = {0};
    if (!pw_audit_failing(r->f->audit) || pw_audit_probe(r->f->audit, &e) == PW_OK) {
        if (r->audit_wait) {
            r->audit_wait = 0;
            set_paused(r, 0, NULL);
        }
        return 0;
    }
    set_paused(r, 1, e.msg);
    unsigned wait = r->audit_wait ? r->audit_wait : PAUSE_MIN_MS;
    r->audit_wait = next_pause(wait);
    pause_for(r, wait);
    return 1;
}

/* Count written outcomes adopted from stopped forwarders in their destination's counters. */
static void count_adopted(pw_forwarders *f, const fw_kept *k)
{
    for (size_t i = 0; k->n && i < f->n; i++) {
        runner *d = &f->runners[i];
        if (strcmp(d->d.name, k->recs[0].destination ? k->recs[0].destination : "") != 0)
            continue;
        unsigned long long *field = k->kind == FW_SETTLE_ACK    ? &d->stats.sent
                                    : k->kind == FW_SETTLE_DEAD ? &d->stats.dead
                                                                : &d->stats.retried;
        count(d, field, k->n);
        return;
    }
}

/* Write the adopted outcomes (one attempt each: audit records, then the spool); 0 once none is
 * left, else 1 with *why (1 audit, 2 spool) and e set. left_mu held. */
static int write_left(runner *r, int *why, pw_err *e)
{
    pw_forwarders *f = r->f;
    for (fw_kept *k; (k = f->left.head);) {
        if (!k->audited) {
            pw_audit_ingest_wait(f->audit, k->ingest_mark, INGEST_WAIT_MS);
            if (pw_audit_append_batch(f->audit, k->recs, k->n, e) != PW_OK) {
                *why = PW_FORWARD_PAUSED_AUDIT;
                return 1;
            }
            k->audited = 1;
            count_adopted(f, k);
        }
        /* another runner's cycle: the retries' first attempt is when its request went out */
        if (settle_once(r, k->kind, k->ids, k->lens, k->reasons, k->n, k->next_ms, k->sent_ms, e) !=
            PW_OK) {
            *why = PW_FORWARD_PAUSED_SPOOL;
            return 1;
        }
        free(pw_fw_kept_pop(&f->left));
        atomic_store(&f->n_left, f->left.records);
    }
    return 0;
}

/* Outcomes adopted from the forwarders a reload replaced are written before anything is leased:
 * their rows are still leased, and a lease that ran out meanwhile must not have them sent again.
 * While they cannot be written the forwarder pauses (as for its own) and retries. 1 when it
 * paused. */
static int left_blocks_delivery(runner *r)
{
    pw_forwarders *f = r->f;
    if (!atomic_load(&f->n_left))
        return 0;
    if (pthread_mutex_trylock(&f->left_mu) != 0) { /* another runner writes them */
        pause_for(r, PAUSE_MIN_MS);
        return 1;
    }
    int why = 0;
    pw_err e = {0};
    int blocked = write_left(r, &why, &e);
    pthread_mutex_unlock(&f->left_mu);
    if (!blocked) {
        r->left_wait = 0;
        set_paused(r, 0, NULL);
        return 0;
    }
    count(r, why == PW_FORWARD_PAUSED_AUDIT ? &r->stats.audit_failures : &r->stats.spool_failures,
          1);
    set_paused(r, why, e.msg);
    unsigned wait = r->left_wait ? r->left_wait : PAUSE_MIN_MS;
    r->left_wait = next_pause(wait);
    pause_for(r, wait);
    return 1;
}

/* Started gated (a reload not yet committed, or a changed endpoint's old queue not dead-lettered
 * yet): wait for pw_forwarders_open or the stop, leasing nothing; adopted outcomes are written
 * meanwhile (they hold up the dead-lettering: gw_server.c). */
static void gate_wait(runner *r)
{
    while (atomic_load(&r->gated) && !atomic_load(&r->f->stop))
        if (!left_blocks_delivery(r))
            curl_multi_poll(r->multi, NULL, 0, 1000, NULL);
}

/* A held destination (pw_destination.hold): lease nothing, send nothing; its queue waits in the
 * spool until a reload starts a forwarder without the hold. Only a stop ends the wait. */
static void hold_wait(runner *r)
{
    while (!atomic_load(&r->f->stop))
        curl_multi_poll(r->multi, NULL, 0, 1000, NULL);
}

/* Wait before the next probe: first first_ms, doubling to max_ms (*wait: the next one). 1 when
 * stopping. Auth-paused: auth_probe_ms to auth_probe_max_ms; failing: the retry backoff's
 * retry_base_ms to retry_max_ms (the wait an item's own retry would have had). */
static int probe_wait(runner *r, unsigned *wait, unsigned first_ms, unsigned max_ms)
{
    unsigned now = *wait ? *wait : first_ms;
    *wait = now > max_ms / 2 ? max_ms : now * 2;
    return pause_for(r, now);
}

static void *runner_main(void *arg)
{
    runner *r = arg;
    char name[16]; /* "pw-fwd-meta": per-thread CPU in bench/gateway.sh (15 chars at most) */
    snprintf(name, sizeof name, "pw-fwd-%s", r->d.name);
    pthread_setname_np(pthread_self(), name);
    if (r->d.hold) {
        hold_wait(r);
        return NULL;
    }
    gate_wait(r);
    lower_priority(r);
    while (!atomic_load(&r->f->stop)) {
        if (atomic_load(&r->gated)) { /* pw_forwarders_gate: until opened, or the stop */
            gate_wait(r);
            continue;
        }
        if (left_blocks_delivery(r) || audit_blocks_delivery(r))
            continue;
        const pw_forward_opts *o = &r->f->opts;
        if (r->auth_pause && probe_wait(r, &r->auth_wait, o->auth_probe_ms, o->auth_probe_max_ms))
            break;
        if (!r->auth_pause && r->failing &&
            probe_wait(r, &r->fail_wait, o->retry_base_ms, o->retry_max_ms))
            break;
        int64_t start = pw_gw_mono_ms();
        atomic_store(&r->pending, 0); /* the lease below sees everything spooled before now */
        r->auth_seen = 0;
        r->cycle_reqs = 0;
        r->cycle_delivered = r->cycle_retried = 0;
        size_t n = run_cycle(r);
        if (r->cycle_delivered || r->cycle_retried)
            set_failing(r, r->cycle_delivered == 0);
        if (r->auth_pause) { /* refused again, or nothing was sent to tell: wait, probe again */
            if (r->auth_seen || !r->cycle_reqs)
                continue;
            set_auth_paused(r, NULL); /* the probe went through: deliver normally */
            continue;
        }
        if (n == 0) {
            adapt_priority(r, 0); /* caught up */
            idle_wait(r);
        } else if (n < lease_size(r))
            linger(r, start);
    }
    return NULL;
}

/* ---- lifecycle ------------------------------------------------------------------------- */

static const fw_driver *driver_for(pw_dest_kind k)
{
    switch (k) {
    case PW_DEST_META_CAPI: return &pw_fw_meta_driver;
    case PW_DEST_GA4_MP: return &pw_fw_ga4_driver;
    case PW_DEST_WEBHOOK: return &pw_fw_webhook_driver;
    }
    return NULL;
}

static int copy_destination(runner *r, const pw_destination *src)
{
    r->d = *src;
    const char **fields[] = {&r->d.name,           &r->d.base_url,     &r->d.api_version,
                             &r->d.pixel_id,       &r->d.access_token, &r->d.test_event_code,
                             &r->d.measurement_id, &r->d.api_secret,   &r->d.url,
                             &r->d.bearer_token,   &r->d.proxy,        &r->d.proxy_userpwd};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        if (!*fields[i])
            continue;
        r->owned[i] = strdup(*fields[i]);
        if (!r->owned[i])
            return 0;
        *fields[i] = r->owned[i];
    }
    return 1;
}

static pw_status check_destination(const pw_destination *d, size_t i, pw_err *err)
{
    if (!d->name || !d->name[0])
        return pw_err_set(err, PW_ERR_INVALID, "forward: destination %zu has no name", i);
    if (!driver_for(d->kind))
        return pw_err_set(err, PW_ERR_INVALID, "forward: %s: unknown kind %d", d->name, d->kind);
    if (d->kind == PW_DEST_META_CAPI && (!d->pixel_id || !d->access_token))
        return pw_err_set(err, PW_ERR_INVALID, "forward: %s: Meta needs pixel_id and access_token",
                          d->name);
    if (d->kind == PW_DEST_GA4_MP && (!d->measurement_id || !d->api_secret))
        return pw_err_set(err, PW_ERR_INVALID,
                          "forward: %s: GA4 needs measurement_id and api_secret", d->name);
    if (d->kind == PW_DEST_WEBHOOK && (!d->url || !d->url[0]))
        return pw_err_set(err, PW_ERR_INVALID, "forward: %s: webhook needs url", d->name);
    return PW_OK;
}

static void free_forwarders(pw_forwarders *f)
{
    for (size_t i = 0; i < f->n; i++) {
        runner *r = &f->runners[i];
        if (r->multi)
            curl_multi_cleanup(r->multi);
        pw_fw_pool_free(&r->pool);
        pw_arena_free(&r->arena);
        for (size_t k = 0; k < sizeof r->owned / sizeof r->owned[0]; k++) {
            if (r->owned[k])
                memset(r->owned[k], 0, strlen(r->owned[k])); /* tokens among them */
            free(r->owned[k]);
        }
        pthread_mutex_destroy(&r->mu);
        pthread_mutex_destroy(&r->lease_mu);
    }
    fw_kept *k;
    while ((k = pw_fw_kept_pop(&f->left)))
        free(k);
    pthread_mutex_destroy(&f->left_mu);
    free(f->runners);
    free(f);
}

static void fill_defaults(pw_forward_opts *o)
{
    if (!o->retry_base_ms)
        o->retry_base_ms = 1000;
    if (!o->retry_max_ms)
        o->retry_max_ms = 300000;
    if (!o->poll_ms)
        o->poll_ms = 200;
    if (!o->lease_ms)
        o->lease_ms = 60000;
    if (!o->linger_ms)
        o->linger_ms = o->poll_ms < 50 ? o->poll_ms : 50;
    if (!o->auth_probe_ms)
        o->auth_probe_ms = 5000;
    if (!o->auth_probe_max_ms)
        o->auth_probe_max_ms = 300000;
    if (o->auth_probe_max_ms < o->auth_probe_ms)
        o->auth_probe_max_ms = o->auth_probe_ms;
}

/* PHIWALL_FORWARD_NICE=N (1–19; 0 or unset: the process's priority), for pw_forwarders_start. */
static pw_forward_opts opts_from_env(void)
{
    pw_forward_opts o = {0};
    const char *v = getenv("PHIWALL_FORWARD_NICE");
    if (v && *v) {
        char *end;
        long n = strtol(v, &end, 10);
        if (*end == '\0' && n >= 0 && n <= 19)
            o.nice = (int)n;
    }
    return o;
}

pw_status pw_forwarders_start_opts(const pw_destination *dests, size_t n_dests, pw_spool *spool,
                                   pw_audit *audit, const pw_forward_opts *opts,
                                   pw_forwarders **out, pw_err *err)
{
    *out = NULL;
    for (size_t i = 0; i < n_dests; i++) {
        pw_status st = check_destination(&dests[i], i, err);
        if (st != PW_OK)
            return st;
    }
    pw_forwarders *f = calloc(1, sizeof *f);
    if (!f || !(f->runners = calloc(n_dests ? n_dests : 1, sizeof *f->runners))) {
        free(f);
        return pw_err_set(err, PW_ERR_NOMEM, "forward: out of memory");
    }
    f->spool = spool;
    f->audit = audit;
    pthread_mutex_init(&f->left_mu, NULL);
    if (opts)
        f->opts = *opts;
    fill_defaults(&f->opts);
    f->n = n_dests;
    curl_global_init(CURL_GLOBAL_DEFAULT); /* reference-counted; idempotent */
    for (size_t i = 0; i < n_dests; i++) {
        runner *r = &f->runners[i];
        pthread_mutex_init(&r->mu, NULL);
        pthread_mutex_init(&r->lease_mu, NULL);
        pw_arena_init(&r->arena, 1 << 22); /* a GA4 cycle's trees fit the first block */
        r->f = f;
        r->drv = driver_for(dests[i].kind);
        r->seed = (unsigned)(pw_gw_mono_ms() ^ (int64_t)(i * 7919));
        atomic_init(&r->gated, f->opts.gated != 0);
        atomic_init(&r->rescan_upto, f->opts.rescan_upto);
        if (!copy_destination(r, &dests[i]) || !(r->multi = curl_multi_init())) {
            free_forwarders(f);
            return pw_err_set(err, PW_ERR_NOMEM, "forward: out of memory");
        }
        pw_fw_multi_setup(r->multi, &r->d); /* keep-alive, HTTP/2 streams and connections */
    }
    for (size_t i = 0; i < n_dests; i++) {
        runner *r = &f->runners[i];
        if (pthread_create(&r->thread, NULL, runner_main, r) != 0) {
            pw_forwarders_stop(f);
            return pw_err_set(err, PW_ERR_IO, "forward: cannot start a thread");
        }
        r->started = 1;
    }
    *out = f;
    return PW_OK;
}

pw_status pw_forwarders_start(const pw_destination *dests, size_t n_dests, pw_spool *spool,
                              pw_audit *audit, pw_forwarders **out, pw_err *err)
{
    pw_forward_opts o = opts_from_env();
    return pw_forwarders_start_opts(dests, n_dests, spool, audit, &o, out, err);
}

void pw_forwarders_notify(pw_forwarders *f)
{
    for (size_t i = 0; f && i < f->n; i++) {
        runner *r = &f->runners[i];
        if (r->d.hold) /* nothing to wake for */
            continue;
        atomic_store(&r->pending, 1);
        if (atomic_exchange(&r->sleeping, 0))
            curl_multi_wakeup(r->multi);
    }
}

void pw_forwarders_stop_keep(pw_forwarders *f, pw_forward_stats_fn fn, void *ctx,
                             pw_forward_unsettled **left)
{
    if (left)
        *left = NULL;
    if (!f)
        return;
    atomic_store(&f->stop, 1);
    for (size_t i = 0; i < f->n; i++)
        curl_multi_wakeup(f->runners[i].multi);
    for (size_t i = 0; i < f->n; i++)
        if (f->runners[i].started)
            pthread_join(f->runners[i].thread, NULL);
    for (size_t i = 0; fn && i < f->n; i++)
        fn(ctx, f->runners[i].d.name, &f->runners[i].stats);
    if (left && f->left.records && (*left = calloc(1, sizeof **left)))
        pw_fw_kept_move(*left, &f->left);
    if (f->left.records) {
        char num[24];
        snprintf(num, sizeof num, "%zu", f->left.records);
        pw_gw_log("warn",
                  "delivery outcomes not written at the stop (the audit log or the spool "
                  "refused them): their events are sent again after a restart",
                  "records", num, NULL);
    }
    free_forwarders(f);
}

void pw_forwarders_stop_stats(pw_forwarders *f, pw_forward_stats_fn fn, void *ctx)
{
    pw_forwarders_stop_keep(f, fn, ctx, NULL);
}

void pw_forwarders_adopt(pw_forwarders *f, pw_forward_unsettled *u)
{
    if (!f || !u) {
        pw_forward_unsettled_free(u);
        return;
    }
    pthread_mutex_lock(&f->left_mu);
    pw_fw_kept_move(&f->left, u);
    atomic_store(&f->n_left, f->left.records);
    pthread_mutex_unlock(&f->left_mu);
    free(u);
    for (size_t i = 0; i < f->n; i++)
        curl_multi_wakeup(f->runners[i].multi);
}

size_t pw_forwarders_unsettled(pw_forwarders *f)
{
    return f ? atomic_load(&f->n_left) : 0;
}

void pw_forwarders_rescan_upto(pw_forwarders *f, const char *dest, int64_t row)
{
    for (size_t i = 0; f && i < f->n; i++)
        if (!dest || strcmp(f->runners[i].d.name, dest) == 0)
            atomic_store(&f->runners[i].rescan_upto, row);
}

void pw_forwarders_open(pw_forwarders *f, const char *dest)
{
    for (size_t i = 0; f && i < f->n; i++) {
        runner *r = &f->runners[i];
        if (dest && strcmp(r->d.name, dest) != 0)
            continue;
        if (atomic_exchange(&r->gated, 0))
            curl_multi_wakeup(r->multi);
    }
}

void pw_forwarders_gate(pw_forwarders *f, const char *dest)
{
    for (size_t i = 0; f && i < f->n; i++) {
        runner *r = &f->runners[i];
        if (dest && strcmp(r->d.name, dest) != 0)
            continue;
        pthread_mutex_lock(&r->lease_mu); /* a lease under way ends first */
        atomic_store(&r->gated, 1);
        pthread_mutex_unlock(&r->lease_mu);
    }
}

void pw_forwarders_stop(pw_forwarders *f)
{
    pw_forwarders_stop_stats(f, NULL, NULL);
}

void pw_forward_stats_add(pw_forward_stats *a, const pw_forward_stats *b)
{
    a->sent += b->sent;
    a->failed += b->failed;
    a->retried += b->retried;
    a->dead += b->dead;
    a->batches += b->batches;
    a->latency_sum_s += b->latency_sum_s;
    for (size_t i = 0; i < sizeof a->latency_buckets / sizeof a->latency_buckets[0]; i++)
        a->latency_buckets[i] += b->latency_buckets[i];
    a->boosts += b->boosts;
    a->audit_failures += b->audit_failures;
    a->spool_failures += b->spool_failures;
    a->partial += b->partial;
    a->narrowed += b->narrowed;
    a->narrowed_dead += b->narrowed_dead;
}

pw_status pw_forwarders_stats(pw_forwarders *f, const char *dest, pw_forward_stats *out)
{
    for (size_t i = 0; i < f->n; i++) {
        runner *r = &f->runners[i];
        if (strcmp(r->d.name, dest) != 0)
            continue;
        pthread_mutex_lock(&r->mu);
        *out = r->stats;
        pthread_mutex_unlock(&r->mu);
        return PW_OK;
    }
    return PW_ERR_NOTFOUND;
}
