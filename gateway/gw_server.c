/*
 * gw_server.c — wire the gateway's parts together and run them (see gw_server.h).
 * Signals are blocked in every thread and taken synchronously by the main thread (sigwait),
 * so reload and drain run as ordinary code, not in a signal handler.
 */
#include "gw_server.h"

#include "audit_hold.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>

#include "forward.h"
#include "gw_http.h"
#include "gw_log.h"
#include "gw_phi_detect.h"
#include "gw_time.h"

typedef struct pw_gw_server server;
struct pw_gw_server {
    pw_gw_server_opts o;
    pw_gw_policy_holder holder;
    int holder_ok;
    pw_detector *det;
    pw_gw_phi_pool *pool;
    pw_gw_phi_source phi; /* the pool's, for the forwarders' re-checks (pw_destination.phi) */
    int64_t start_rows;   /* spool rows of earlier runs (another engine: --vocab), re-checked */
    pw_spool *spool;
    pw_audit *audit;
    pw_gw_policy *fwd_policy; /* the forwarders' own copy: they outlive a policy swap */
    pw_gw_policy *fwd_next;   /* at start: the forwarders' copy, parsed from the bytes of the
                                 ingest policy (pw_gw_policy_load2) */
    pw_forwarders *fwd;
    pw_forwarders *retiring; /* the ones a reload replaced, while they stop: still counted */
    pthread_mutex_t fwd_mu;  /* /metrics reads the forwarders while SIGHUP replaces them */
    pw_gw_committer *committer;
    pw_gw_http *http;
    atomic_ullong reloads_ok, reloads_failed;
    atomic_llong policy_loaded_ms; /* when the policy in force was loaded */
    unsigned health_max_age_s;
    atomic_int audit_gap;    /* the audit log did not end with the head the spool remembered */
    char audit_gap_why[240]; /* for /healthz (written before serving) */
    /* The gap's remembered head: the gap closes once a file next to the log, named after it,
     * ends with it (recheck_audit_gap) — the moved log put back, or the original of a truncated
     * or replaced one. gap_new_file: the chain went on from the head in a new file (moved or
     * deleted), so that file and the log verify as one chain; else the log has a chain of its
     * own past the cut and each file verifies alone. */
    uint64_t gap_seq;
    char gap_hash[65];
    int gap_new_file;
    char *audit_abs;            /* the audit log's absolute path (the head's key) */
    pthread_mutex_t removed_mu; /* the dead letters of removed destinations, for /metrics */
    struct {
        char name[64];
        unsigned long long dead;
    } removed[16];
    size_t n_removed;
    struct { /* counters of the forwarders reloads replaced (under fwd_mu) */
        char name[64];
        pw_forward_stats st;
    } carried[16];
    size_t n_carried;
    /* Destinations whose endpoint a reload changed: their forwarders stay gated until their
     * queue (accepted for the old recipient) is dead-lettered (changed by the main thread under
     * fwd_mu; /healthz and /metrics read them under fwd_mu). */
    char changed[16][64];
    /* The highest spool row of each one's old queue (pw_spool_high_water once the requests
     * admitted under the old policy were committed): later rows were accepted for the new
     * endpoint, and wait behind the gate for it. */
    int64_t changed_upto[16];
    size_t n_changed;
};

/* ---- sink: the SQLite spool and the hash-chained audit -------------------------------- */

static pw_status sink_put(void *ctx, const pw_spool_put_item *items, size_t n, pw_err *err)
{
    server *s = ctx;
    pw_status st = pw_spool_put(s->spool, items, n, err);
    if (st == PW_OK) {
        pthread_mutex_lock(&s->fwd_mu);
        if (s->fwd)
            pw_forwarders_notify(s->fwd); /* deliver now rather than at the next poll */
        pthread_mutex_unlock(&s->fwd_mu);
    }
    return st;
}

static pw_status sink_audit(void *ctx, const pw_audit_record *recs, size_t n, pw_err *err)
{
    return pw_audit_append_batch(((server *)ctx)->audit, recs, n, err);
}

static void notify_forwarders(void *ctx)
{
    server *s = ctx;
    pthread_mutex_lock(&s->fwd_mu);
    if (s->fwd)
        pw_forwarders_notify(s->fwd);
    pthread_mutex_unlock(&s->fwd_mu);
}

/* ---- /metrics: spool and forwarders per destination ----------------------------------- */

/* The audit log's state, policy reloads, and the dead letters of removed destinations. */
static void metrics_durability(server *s, pw_buf *o)
{
    pw_buf_printf(o,
                  "# HELP phiwall_gateway_audit_failing 1 while the audit log cannot be written "
                  "(new events are refused with 503)\n"
                  "# TYPE phiwall_gateway_audit_failing gauge\n"
                  "phiwall_gateway_audit_failing %d\n"
                  "# TYPE phiwall_gateway_audit_write_failures_total counter\n"
                  "phiwall_gateway_audit_write_failures_total %llu\n"
                  "# HELP phiwall_gateway_audit_chain_gap 1 when, at start, the audit log did not "
                  "end with the head the spool remembered (moved, deleted or cut: records gone)\n"
                  "# TYPE phiwall_gateway_audit_chain_gap gauge\n"
                  "phiwall_gateway_audit_chain_gap %d\n"
                  "# HELP phiwall_gateway_spool_write_failing 1 while puts to the spool fail for "
                  "another reason than room (an I/O error, a read-only or size-limited file: new "
                  "events are refused with 503)\n"
                  "# TYPE phiwall_gateway_spool_write_failing gauge\n"
                  "phiwall_gateway_spool_write_failing %d\n"
                  "# TYPE phiwall_gateway_policy_reloads_total counter\n"
                  "phiwall_gateway_policy_reloads_total{result=\"ok\"} %llu\n"
                  "phiwall_gateway_policy_reloads_total{result=\"failed\"} %llu\n"
                  "# TYPE phiwall_gateway_policy_loaded_timestamp_seconds gauge\n"
                  "phiwall_gateway_policy_loaded_timestamp_seconds %.3f\n",
                  pw_gw_committer_audit_down(s->committer) || pw_audit_failing(s->audit),
                  pw_audit_failures(s->audit), atomic_load(&s->audit_gap),
                  pw_gw_committer_spool_down(s->committer, NULL, 0),
                  (unsigned long long)atomic_load(&s->reloads_ok),
                  (unsigned long long)atomic_load(&s->reloads_failed),
                  (double)atomic_load(&s->policy_loaded_ms) / 1000.0);
    pw_buf_puts(o, "# HELP phiwall_gateway_removed_destination_dead_total Queued events of a "
                   "destination the policy no longer has, dead-lettered\n"
                   "# TYPE phiwall_gateway_removed_destination_dead_total counter\n");
    pthread_mutex_lock(&s->removed_mu);
    for (size_t i = 0; i < s->n_removed; i++)
        pw_buf_printf(o,
                      "phiwall_gateway_removed_destination_dead_total{destination=\"%s\"} %llu\n",
                      s->removed[i].name, s->removed[i].dead);
    pthread_mutex_unlock(&s->removed_mu);
}

/* Is destination `name` gated after its endpoint changed (main thread, or fwd_mu held)? */
static int is_changed(const server *s, const char *name)
{
    for (size_t i = 0; i < s->n_changed; i++)
        if (strcmp(s->changed[i], name) == 0)
            return 1;
    return 0;
}

/* ---- /healthz ---------------------------------------------------------------------------- */

static void add_reason(pw_buf *o, int *n, const char *reason)
{
    if ((*n)++)
        pw_buf_putc(o, ',');
    pw_buf_json_string(o, reason, strlen(reason));
}

/* created_ms of the oldest queued event that delivery should be working on (0: none): a held
 * destination's queue waits on purpose and does not count (fwd_mu held). */
static int64_t oldest_delivered_ms(server *s)
{
    pw_spool_stats st;
    const pw_gw_policy *p = s->fwd_policy;
    size_t held = 0;
    for (size_t i = 0; p && i < p->n_dests; i++)
        held += p->dests[i].dest.hold != 0;
    if (!held)
        return pw_spool_stats_get(s->spool, NULL, &st, NULL) == PW_OK ? st.oldest_ms : 0;
    int64_t oldest = 0;
    for (size_t i = 0; i < p->n_dests; i++)
        if (!p->dests[i].dest.hold &&
            pw_spool_stats_get(s->spool, p->dests[i].dest.name, &st, NULL) == PW_OK &&
            st.oldest_ms && (!oldest || st.oldest_ms < oldest))
            oldest = st.oldest_ms;
    return oldest;
}

/* Unhealthy while events would be refused (audit log failing, spool full) or delivery lags or
 * stops (the oldest queued event older than health_max_age_s, a forwarder paused, a destination
 * gated after its endpoint changed: docs/gateway-delivery.md, "/healthz"). */
static int health(void *ctx, pw_buf *o)
{
    server *s = ctx;
    int n = 0;
    char why[192];
    pw_buf_putc(o, '[');
    char err[160];
    if (pw_gw_committer_audit_down_why(s->committer, err, sizeof err) && err[0]) {
        /* why, as the OS said it: a full disk, a read-only file system, an I/O error */
        snprintf(why, sizeof why,
                 "audit: the audit log cannot be written (%.120s); events are "
                 "refused",
                 err);
        add_reason(o, &n, why);
    } else if (pw_gw_committer_audit_down(s->committer) || pw_audit_failing(s->audit))
        add_reason(o, &n, "audit: the audit log cannot be written; events are refused");
    if (atomic_load(&s->audit_gap))
        add_reason(o, &n, s->audit_gap_why);
    if (pw_gw_committer_spool_down(s->committer, err, sizeof err)) {
        snprintf(why, sizeof why, "spool: cannot be written (%.120s); events are refused", err);
        add_reason(o, &n, why);
    }
    int full = pw_spool_full(s->spool);
    if (full) {
        /* The room is the put's own rule: puts up to it are still taken (pw_spool_put_room). */
        snprintf(why, sizeof why, "%s; events are refused (a put of more than %llu bytes)",
                 full == 1 ? "spool: full (max_bytes reached)"
                           : "spool: disk nearly full (at the reserve kept for delivery outcomes; "
                             "or at the process's file-size limit)",
                 (unsigned long long)pw_spool_put_room(s->spool));
        add_reason(o, &n, why);
    }
    int64_t now = pw_gw_now_ms();
    pthread_mutex_lock(&s->fwd_mu);
    int64_t oldest = oldest_delivered_ms(s);
    if (oldest && now - oldest > (int64_t)s->health_max_age_s * 1000) {
        snprintf(why, sizeof why, "delivery: the oldest queued event is %lld s old (limit %u s)",
                 (long long)((now - oldest) / 1000), s->health_max_age_s);
        add_reason(o, &n, why);
    }
    for (size_t i = 0; i < s->n_changed; i++) {
        snprintf(why, sizeof why,
                 "delivery: %.64s gated (its endpoint changed; nothing is sent until the queue "
                 "accepted for the old one is dead-lettered)",
                 s->changed[i]);
        add_reason(o, &n, why);
    }
    for (size_t i = 0; s->fwd && s->fwd_policy && i < s->fwd_policy->n_dests; i++) {
        pw_forward_stats fs;
        const char *d = s->fwd_policy->dests[i].dest.name;
        /* Failing (an upstream outage) is not the gateway's ill health: a load balancer taking
         * it out would lose the events it still spools. /metrics and the log show it. */
        if (pw_forwarders_stats(s->fwd, d, &fs) != PW_OK || !fs.paused ||
            fs.paused == PW_FORWARD_PAUSED_FAILING)
            continue;
        /* The audit file and the OS's reason: "not writable" alone sent the operator looking
         * for which file and why (a full disk, a read-only file system, an I/O error). */
        char held[1024];
        if (fs.paused == PW_FORWARD_PAUSED_AUDIT)
            snprintf(held, sizeof held,
                     "delivery: %.64s paused (audit log not writable): delivery to %.64s is held "
                     "until the audit log %.200s can be written; nothing is sent to it or "
                     "acknowledged meanwhile (%.250s)",
                     d, d, pw_audit_path(s->audit),
                     fs.paused_detail[0] ? fs.paused_detail : "reason not known");
        else if (fs.paused == PW_FORWARD_PAUSED_SPOOL)
            snprintf(held, sizeof held,
                     "delivery: %.64s paused (spool refuses outcomes): retried (%.250s)", d,
                     fs.paused_detail[0] ? fs.paused_detail : "reason not known");
        else
            snprintf(held, sizeof held,
                     "delivery: %.64s paused (auth: credentials refused, events kept queued)", d);
        add_reason(o, &n, held);
    }
    pthread_mutex_unlock(&s->fwd_mu);
    pw_buf_putc(o, ']');
    return n;
}

/* ---- removed destinations: dead letters with their audit records ----------------------- */

static void count_removed(server *s, const char *dest, size_t n)
{
    pthread_mutex_lock(&s->removed_mu);
    size_t i = 0;
    while (i < s->n_removed && strcmp(s->removed[i].name, dest) != 0)
        i++;
    if (i == s->n_removed && i < sizeof s->removed / sizeof s->removed[0]) {
        snprintf(s->removed[i].name, sizeof s->removed[i].name, "%s", dest);
        s->n_removed++;
    }
    if (i < s->n_removed)
        s->removed[i].dead += n;
    pthread_mutex_unlock(&s->removed_mu);
}

#define REMOVED_REASON "destination removed from the policy: not delivered"

/* One leased batch: audit records first (the accounting), then the dead letters. 0 when either
 * failed (the rows stay queued; the next sweep tries again). */
static int dead_letter_batch(server *s, const char *dest, const pw_spool_item *it, size_t n,
                             const char *reason)
{
    pw_audit_record *recs = calloc(n, sizeof *recs);
    int64_t *ids = calloc(n, sizeof *ids);
    const char **reasons = calloc(n, sizeof *reasons);
    int ok = recs && ids && reasons;
    int64_t now = pw_gw_now_ms();
    for (size_t i = 0; ok && i < n; i++) {
        recs[i] = (pw_audit_record){.time_ms = now,
                                    .event_id = it[i].event_id,
                                    .destination = dest,
                                    .action = PW_AUDIT_DEAD,
                                    .rule = "policy reload",
                                    .detail = reason};
        ids[i] = it[i].id;
        reasons[i] = reason;
    }
    pw_err e = {0};
    if (ok && pw_audit_append_batch(s->audit, recs, n, &e) != PW_OK)
        ok = 0;
    else if (ok && pw_spool_dead_batch(s->spool, ids, reasons, n, &e) != PW_OK)
        ok = 0;
    if (!ok)
        pw_gw_log("error", "dead-lettering the rows of a removed destination failed (retried)",
                  "destination", dest, "error", e.msg[0] ? e.msg : "out of memory", NULL);
    free(recs);
    free(ids);
    free(reasons);
    return ok;
}

/* Every queued row of dest up to row `upto` dead-lettered; how many, and in *done whether the queue
 * is empty now (0: a write failed, the rest stays for the next sweep). */
static size_t dead_letter_destination(server *s, const char *dest, int64_t upto, const char *reason,
                                      int *done)
{
    size_t total = 0;
    *done = 0;
    for (;;) {
        pw_spool_item *items = NULL;
        size_t n = 0;
        if (pw_spool_lease_all_upto(s->spool, dest, upto, 1000, &items, &n, NULL) != PW_OK)
            break;
        if (n == 0) {
            *done = 1;
            break;
        }
        int ok = dead_letter_batch(s, dest, items, n, reason);
        pw_spool_items_free(items, n);
        if (!ok)
            break;
        total += n;
    }
    if (total) {
        char num[24];
        snprintf(num, sizeof num, "%zu", total);
        pw_gw_log("warn",
                  strcmp(reason, REMOVED_REASON) == 0
                      ? "queued events of a destination the policy no longer has were "
                        "dead-lettered"
                      : "queued events of a destination whose endpoint a reload changed were "
                        "dead-lettered (never sent to the new endpoint)",
                  "destination", dest, "events", num, NULL);
        count_removed(s, dest, total);
    }
    return total;
}

static int in_policy(const pw_gw_policy *p, const char *name)
{
    for (size_t i = 0; p && i < p->n_dests; i++)
        if (strcmp(p->dests[i].dest.name, name) == 0)
            return 1;
    return 0;
}

#define CHANGED_REASON                                                                   \
    "destination endpoint changed by a policy reload (type, url, base_url, pixel_id or " \
    "measurement_id): not delivered to the new one"

/* The queues of destinations whose endpoint a reload changed, dead-lettered; each one's new
 * forwarder runs once its queue is empty. */
static size_t settle_changed(server *s)
{
    size_t total = 0, kept = 0;
    for (size_t i = 0; i < s->n_changed; i++) {
        int done = 0;
        total +=
            dead_letter_destination(s, s->changed[i], s->changed_upto[i], CHANGED_REASON, &done);
        pw_err e = {0};
        if (done && pw_spool_gate_clear(s->spool, s->changed[i], &e) != PW_OK) {
            pw_gw_log("error",
                      "clearing the spool's record of a gated destination failed (retried)",
                      "destination", s->changed[i], "error", e.msg, NULL);
            done = 0; /* its forwarder waits: the record is cleared first */
        }
        if (done) {
            pthread_mutex_lock(&s->fwd_mu);
            pw_forwarders_open(s->fwd, s->changed[i]);
            pthread_mutex_unlock(&s->fwd_mu);
        } else if (kept != i) {
            pthread_mutex_lock(&s->fwd_mu);
            memcpy(s->changed[kept], s->changed[i], sizeof s->changed[i]);
            s->changed_upto[kept++] = s->changed_upto[i];
            pthread_mutex_unlock(&s->fwd_mu);
        } else {
            kept++;
        }
    }
    pthread_mutex_lock(&s->fwd_mu);
    s->n_changed = kept;
    pthread_mutex_unlock(&s->fwd_mu);
    return total;
}

size_t pw_gw_server_settle_removed(server *s)
{
    char **names = NULL;
    size_t n = 0, total = 0;
    /* Outcomes the forwarders a reload replaced could not write come first: their rows (still
     * leased) may have been delivered, and must not be dead-lettered as "not delivered". */
    if (!s->spool || !s->fwd_policy || pw_forwarders_unsettled(s->fwd))
        return 0;
    total += settle_changed(s);
    if (pw_spool_destinations(s->spool, &names, &n, NULL) != PW_OK)
        return total;
    for (size_t i = 0; i < n; i++) {
        pw_spool_stats st;
        if (in_policy(s->fwd_policy, names[i]) ||
            pw_spool_stats_get(s->spool, names[i], &st, NULL) != PW_OK || st.depth == 0)
            continue;
        int done;
        total += dead_letter_destination(s, names[i], INT64_MAX, REMOVED_REASON, &done);
    }
    pw_spool_names_free(names, n);
    return total;
}

static pw_status fwd_stats(server *s, const char *dest, pw_forward_stats *out);

static void metrics_extra(void *ctx, pw_buf *o)
{
    server *s = ctx;
    pw_gw_policy_ref *ref = pw_gw_holder_acquire(&s->holder);
    const pw_gw_policy *p = ref->policy;
    int64_t now = pw_gw_now_ms();
    pw_buf_puts(o, "# TYPE phiwall_gateway_spool_depth gauge\n"
                   "# TYPE phiwall_gateway_spool_oldest_age_seconds gauge\n"
                   "# TYPE phiwall_gateway_spool_dead gauge\n"
                   "# TYPE phiwall_gateway_delivery_held gauge\n"
                   "# HELP phiwall_gateway_delivery_gated 1 while nothing is sent because the "
                   "destination's endpoint changed and the queue accepted for the old one is not "
                   "dead-lettered yet\n"
                   "# TYPE phiwall_gateway_delivery_gated gauge\n");
    for (size_t i = 0; i < p->n_dests; i++) {
        pw_spool_stats st;
        const char *d = p->dests[i].dest.name;
        if (pw_spool_stats_get(s->spool, d, &st, NULL) != PW_OK)
            continue;
        double age = st.oldest_ms ? (double)(now - st.oldest_ms) / 1000.0 : 0;
        pw_buf_printf(o, "phiwall_gateway_spool_depth{destination=\"%s\"} %" PRIu64 "\n", d,
                      st.depth);
        pw_buf_printf(o, "phiwall_gateway_spool_oldest_age_seconds{destination=\"%s\"} %.3f\n", d,
                      age < 0 ? 0 : age);
        pw_buf_printf(o, "phiwall_gateway_spool_dead{destination=\"%s\"} %" PRIu64 "\n", d,
                      st.dead);
        pw_buf_printf(o, "phiwall_gateway_delivery_held{destination=\"%s\"} %d\n", d,
                      p->dests[i].dest.hold != 0);
        pthread_mutex_lock(&s->fwd_mu);
        int gated = is_changed(s, d);
        pthread_mutex_unlock(&s->fwd_mu);
        pw_buf_printf(o, "phiwall_gateway_delivery_gated{destination=\"%s\"} %d\n", d, gated);
    }
    pw_buf_printf(o,
                  "# TYPE phiwall_gateway_audit_failures_total counter\n"
                  "phiwall_gateway_audit_failures_total %llu\n",
                  pw_gw_committer_audit_failures(s->committer));
    metrics_durability(s, o);
    pw_gw_committer_metrics(s->committer, o);
    pw_buf_puts(o, "# TYPE phiwall_gateway_deliveries_total counter\n"
                   "# TYPE phiwall_gateway_delivery_seconds histogram\n"
                   "# TYPE phiwall_gateway_delivery_nice gauge\n"
                   "# TYPE phiwall_gateway_delivery_boosts_total counter\n"
                   "# TYPE phiwall_gateway_delivery_priority_refused gauge\n"
                   "# TYPE phiwall_gateway_delivery_narrowed_total counter\n");
    pthread_mutex_lock(&s->fwd_mu);
    for (size_t i = 0; s->fwd && i < p->n_dests; i++) {
        pw_forward_stats fs;
        const char *d = p->dests[i].dest.name;
        if (fwd_stats(s, d, &fs) != PW_OK)
            continue;
        pw_buf_printf(
            o,
            "phiwall_gateway_deliveries_total{destination=\"%s\",outcome=\"sent\"} %llu\n"
            "phiwall_gateway_deliveries_total{destination=\"%s\",outcome=\"failed\"} %llu\n"
            "phiwall_gateway_deliveries_total{destination=\"%s\",outcome=\"retried\"} %llu\n"
            "phiwall_gateway_deliveries_total{destination=\"%s\",outcome=\"dead\"} %llu\n"
            "phiwall_gateway_delivery_batches_total{destination=\"%s\"} %llu\n"
            "phiwall_gateway_delivery_seconds_sum{destination=\"%s\"} %.6f\n"
            "phiwall_gateway_delivery_nice{destination=\"%s\"} %d\n"
            "phiwall_gateway_delivery_boosts_total{destination=\"%s\"} %llu\n"
            "phiwall_gateway_delivery_priority_refused{destination=\"%s\"} %d\n",
            d, fs.sent, d, fs.failed, d, fs.retried, d, fs.dead, d, fs.batches, d, fs.latency_sum_s,
            d, fs.nice, d, fs.boosts, d, fs.nice_refused | fs.boost_refused);
        pw_buf_printf(
            o,
            "phiwall_gateway_deliveries_partial_total{destination=\"%s\"} %llu\n"
            "phiwall_gateway_delivery_audit_failures_total{destination=\"%s\"} %llu\n"
            "phiwall_gateway_delivery_spool_failures_total{destination=\"%s\"} %llu\n"
            "phiwall_gateway_delivery_paused{destination=\"%s\"} %d\n"
            "phiwall_gateway_delivery_narrowed_total{destination=\"%s\",outcome=\"sent\"} "
            "%llu\n"
            "phiwall_gateway_delivery_narrowed_total{destination=\"%s\",outcome=\"dead\"} "
            "%llu\n",
            d, fs.partial, d, fs.audit_failures, d, fs.spool_failures, d, fs.paused, d, fs.narrowed,
            d, fs.narrowed_dead);
    }
    pthread_mutex_unlock(&s->fwd_mu);
    pw_gw_policy_release(ref);
}

/* ---- forwarders ------------------------------------------------------------------------ */

/* Add a stopped forwarder's counters to those carried for dest (fwd_mu held). */
static void carry_locked(server *s, const char *dest, const pw_forward_stats *st)
{
    size_t i = 0;
    while (i < s->n_carried && strcmp(s->carried[i].name, dest) != 0)
        i++;
    if (i == s->n_carried && i < sizeof s->carried / sizeof s->carried[0]) {
        snprintf(s->carried[i].name, sizeof s->carried[i].name, "%s", dest);
        memset(&s->carried[i].st, 0, sizeof s->carried[i].st);
        s->n_carried++;
    }
    if (i < s->n_carried)
        pw_forward_stats_add(&s->carried[i].st, st);
}

/* The counters of the forwarders a reload stops, gathered runner by runner (stop_stats calls
 * back once per runner, after all have ended, before freeing them) and carried over in one step
 * with the end of s->retiring, so that /metrics never counts them twice nor not at all. */
typedef struct retired {
    server *s;
    size_t n, got;
    struct {
        char name[64];
        pw_forward_stats st;
    } * runner;
} retired;

static void carry_stats(void *ctx, const char *dest, const pw_forward_stats *st)
{
    retired *r = ctx;
    if (r->got < r->n) {
        snprintf(r->runner[r->got].name, sizeof r->runner[r->got].name, "%s", dest);
        r->runner[r->got].st = *st;
        r->got++;
    }
    if (r->got < r->n)
        return;
    pthread_mutex_lock(&r->s->fwd_mu);
    for (size_t i = 0; i < r->n; i++)
        carry_locked(r->s, r->runner[i].name, &r->runner[i].st);
    r->s->retiring = NULL;
    pthread_mutex_unlock(&r->s->fwd_mu);
}

/* Out of memory for the gathering: each runner's counters carried as it comes (a moment in
 * which /metrics misses them, as before). */
static void carry_each(void *ctx, const char *dest, const pw_forward_stats *st)
{
    server *s = ctx;
    pthread_mutex_lock(&s->fwd_mu);
    carry_locked(s, dest, st);
    pthread_mutex_unlock(&s->fwd_mu);
}

/* Stop old, replaced under fwd_mu by the caller and left in s->retiring: its counters stay in
 * /metrics while it stops (a request in flight can take its timeout), then go on in the carried
 * ones. (Before, /metrics showed the new forwarders' zeros meanwhile: a counter reset.)
 * n_runners: the destinations old was started with (a runner each). */
static void stop_retiring(server *s, pw_forwarders *old, size_t n_runners,
                          pw_forward_unsettled **left)
{
    retired r = {.s = s, .n = n_runners, .runner = calloc(n_runners + 1, sizeof *r.runner)};
    if (r.runner && n_runners) {
        pw_forwarders_stop_keep(old, carry_stats, &r, left);
        free(r.runner);
        return;
    }
    free(r.runner);
    pthread_mutex_lock(&s->fwd_mu); /* no callback would end it: before old is freed */
    s->retiring = NULL;
    pthread_mutex_unlock(&s->fwd_mu);
    pw_forwarders_stop_keep(old, carry_each, s, left);
}

/* A destination's counters since start: its forwarder's now plus those of the ones before it,
 * stopping or stopped (fwd_mu held). */
static pw_status fwd_stats(server *s, const char *dest, pw_forward_stats *out)
{
    pw_status st = pw_forwarders_stats(s->fwd, dest, out);
    pw_forward_stats old;
    if (st == PW_OK && s->retiring && pw_forwarders_stats(s->retiring, dest, &old) == PW_OK)
        pw_forward_stats_add(out, &old);
    for (size_t i = 0; st == PW_OK && i < s->n_carried; i++)
        if (strcmp(s->carried[i].name, dest) == 0)
            pw_forward_stats_add(out, &s->carried[i].st);
    return st;
}

/* Forwarders for p (the forwarders' copy of a policy: the same file contents as the ingest
 * policy, pw_gw_policy_load2), gated while a reload has not committed yet. */
static pw_status new_forwarders(server *s, const pw_gw_policy *p, int gated, int64_t rescan_upto,
                                pw_forwarders **out, pw_err *err)
{
    *out = NULL;
    pw_destination *dests = calloc(p->n_dests ? p->n_dests : 1, sizeof *dests);
    if (!dests)
        return pw_err_set(err, PW_ERR_NOMEM, "forwarders: out of memory");
    for (size_t i = 0; i < p->n_dests; i++) {
        dests[i] = p->dests[i].dest;
        dests[i].policy = p; /* the forwarders' copy: freed only after they stop */
        dests[i].policy_dest = i;
        dests[i].phi = &s->phi;
    }
    pw_forward_opts fo = {.nice = p->delivery_nice,
                          .boost_lag_ms = p->delivery_boost_lag_ms,
                          .gated = gated,
                          .rescan_upto = rescan_upto};
    pw_status st = pw_forwarders_start_opts(dests, p->n_dests, s->spool, s->audit, &fo, out, err);
    free(dests);
    return st;
}

static void stop_forwarders(server *s)
{
    pthread_mutex_lock(&s->fwd_mu);
    pw_forwarders *f = s->fwd;
    s->fwd = NULL;
    pthread_mutex_unlock(&s->fwd_mu);
    if (f)
        pw_forwarders_stop(f);
    pw_gw_policy_free(s->fwd_policy);
    s->fwd_policy = NULL;
}

/* ---- life cycle ------------------------------------------------------------------------ */

/* Do once what depends on the policy alone (see pw_gw_policy_prepare); frees p on failure. */
static pw_status prepare_policy(server *s, pw_gw_policy *p, pw_err *err)
{
    pw_gw_phi_source src = pw_gw_phi_pool_source(s->pool);
    pw_gw_phi phi;
    void *token = NULL;
    pw_status st = src.borrow(src.ctx, &phi, &token, err);
    if (st == PW_OK) {
        st = pw_gw_policy_prepare(p, &phi, err);
        src.give_back(src.ctx, token);
    }
    if (st != PW_OK)
        pw_gw_policy_free(p);
    return st;
}

/* An existing audit log keeps its mode: a group an operator chose (0640 for a log reader) is
 * theirs to choose, so it is not changed. Others able to read it (0644, the default of many
 * tools that create the file first) learn which events went where, when and with which fields;
 * able to write it, they could append to it. Said once at start, naming the file and its mode. */
static void warn_audit_mode(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0 || !(st.st_mode & (S_IROTH | S_IWOTH)))
        return;
    char mode[8];
    snprintf(mode, sizeof mode, "%04o", (unsigned)(st.st_mode & 07777));
    pw_gw_log("warn",
              "audit log: other users can read or write it (it records which events went to "
              "which destination, with their fields); the gateway does not change an existing "
              "file's mode: chmod o-rwx it",
              "path", path, "mode", mode, NULL);
}

/* Ingest records the audit log refused when the gateway last stopped were kept in the spool:
 * appended now, before any forwarder writes an outcome. If the log still refuses them they stay
 * kept for the next start (and ingest answers 503 until the log takes writes again). */
/* path made absolute against the current directory (the head's key: the gateway may be started
 * from another directory with the same relative path); NULL when out of memory. */
static char *absolute_path(const char *path)
{
    char cwd[4096];
    if (path[0] == '/' || !getcwd(cwd, sizeof cwd))
        return strdup(path);
    size_t n = strlen(cwd) + strlen(path) + 2;
    char *out = malloc(n);
    if (out)
        snprintf(out, n, "%s/%s", cwd, path);
    return out;
}

/* The audit log's durable head, remembered in the spool (pw_audit_set_head_sink). */
static void store_audit_head(void *ctx, uint64_t seq, const char hash[65])
{
    server *s = ctx;
    pw_err err = {0};
    if (pw_spool_audit_head_put(s->spool, s->audit_abs, seq, hash, &err) != PW_OK)
        pw_gw_log("warn", "audit log: remembering its head in the spool failed", "error", err.msg,
                  NULL);
}

/* The prev_hash of record `seq` of the log at path (the hash of record seq - 1), read from the
 * file's end backwards, a window at a time up to 64 MiB (the head the spool remembers is at most
 * a second of records behind the log's end after a crash): 1 when found. */
static int audit_prev_hash_of(const char *path, uint64_t seq, char hash[65])
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    int found = 0;
    char want[40];
    int wn = snprintf(want, sizeof want, "{\"seq\":%llu,", (unsigned long long)seq);
    long size = fseek(f, 0, SEEK_END) == 0 ? ftell(f) : -1;
    for (long win = 1 << 20; !found && size > 0; win *= 4) {
        long take = win < size ? win : size;
        char *b = malloc((size_t)take + 1);
        if (!b || fseek(f, size - take, SEEK_SET) != 0 ||
            fread(b, 1, (size_t)take, f) != (size_t)take) {
            free(b);
            break;
        }
        b[take] = '\0';
        unsigned long long first = 0; /* the window's first whole line's seq */
        char *line = take < size ? strchr(b, '\n') : b;
        for (; line && *line && !found; line = strchr(line, '\n')) {
            line += *line == '\n';
            if (!first)
                sscanf(line, "{\"seq\":%llu,", &first);
            if (strncmp(line, want, (size_t)wn) != 0)
                continue;
            char *end = strchr(line, '\n'), *ph = strstr(line, ",\"prev_hash\":\"");
            if (ph && (!end || ph < end) && strlen(ph + 14) >= 64) {
                memcpy(hash, ph + 14, 64);
                hash[64] = '\0';
                found = 1;
            }
        }
        free(b);
        if (take == size || win >= (64L << 20) || (first && first <= seq))
            break; /* all of it read, far enough, or the record is not in the file */
    }
    fclose(f);
    return found;
}

/* Does the log end with the head the spool remembers? A log that does not (missing, emptied,
 * shorter, another last record) lost records of disclosures while the gateway was stopped:
 * said loudly (error log, /metrics, /healthz) and recorded in the chain by a chain_continued
 * record that links to the remembered head when the file is new (docs/gateway.md, "audit").
 * A log longer than the head is a crash before the head was stored again: let pass. */
static void check_audit_head(server *s, const char *audit_path)
{
    pw_err err = {0};
    int found = 0;
    uint64_t want_seq = 0, have_seq = 0;
    char want[65] = "", have[65], *was = NULL;
    if (!(s->audit_abs = absolute_path(audit_path)))
        return;
    if (pw_spool_audit_head_get(s->spool, &found, &was, &want_seq, want, &err) != PW_OK)
        pw_gw_log("warn", "audit log: reading its remembered head from the spool failed", "error",
                  err.msg, NULL);
    if (found && strcmp(was, s->audit_abs) != 0) {
        /* The operator pointed the gateway at another log: that file's chain is its own; the
         * old one keeps the records up to the head. Said, not treated as lost records. */
        char ws[24];
        snprintf(ws, sizeof ws, "%llu", (unsigned long long)want_seq);
        pw_gw_log("warn",
                  "audit log: another path than at the last run; the records up to the last run's "
                  "head are in the old file",
                  "path", s->audit_abs, "previous_path", was, "previous_seq", ws, "previous_hash",
                  want, NULL);
        found = 0;
    }
    free(was);
    pw_audit_durable_head(s->audit, &have_seq, have);
    int gap = found && want_seq > 0 &&
              (have_seq < want_seq || (have_seq == want_seq && strcmp(have, want) != 0));
    /* A longer log: records written after the head was stored (a crash), or another, longer log
     * put in its place. The record after the head must link to it. Before, any longer log
     * passed. */
    char linked[65];
    int replaced = found && want_seq > 0 && have_seq > want_seq &&
                   audit_prev_hash_of(s->audit_abs, want_seq + 1, linked) &&
                   strcmp(linked, want) != 0;
    gap |= replaced;
    if (gap) {
        const char *what = have_seq == 0 ? "the log is missing or empty (moved or deleted?)"
                           : have_seq < want_seq
                               ? "the log is shorter (truncated, or another file?)"
                           : replaced ? "its record after the remembered head does not link to it "
                                        "(another, longer log in its place?)"
                                      : "its last record is another one (replaced?)";
        char ws[24], hs[24], detail[400];
        snprintf(ws, sizeof ws, "%llu", (unsigned long long)want_seq);
        snprintf(hs, sizeof hs, "%llu", (unsigned long long)have_seq);
        pw_gw_log("error",
                  "audit log: it does not end with the head the spool remembers; records of "
                  "disclosures are gone from it. Continuing the chain with a chain_continued "
                  "record",
                  "path", audit_path, "expected_seq", ws, "expected_hash", want, "found_seq", hs,
                  "found_hash", have_seq ? have : "none", "problem", what, NULL);
        snprintf(detail, sizeof detail, "expected head seq %s hash %s; found seq %s hash %s: %s",
                 ws, want, hs, have_seq ? have : "none", what);
        pw_audit_record rec = {.time_ms = pw_gw_now_ms(),
                               .action = PW_AUDIT_CHAIN_CONTINUED,
                               .rule = "audit-head",
                               .detail = detail};
        if (pw_audit_continue_chain(s->audit, want_seq, want, &rec, &err) != PW_OK)
            pw_gw_log("error", "audit log: writing the chain_continued record failed", "error",
                      err.msg, NULL);
        /* Whatever the kind, the gap closes once the records up to the head are back next to
         * the log (recheck_audit_gap). Before, a truncated or replaced log kept the reason (and
         * a 503 /healthz) until the next start, whatever the operator restored. */
        s->gap_seq = want_seq;
        memcpy(s->gap_hash, want, sizeof s->gap_hash);
        s->gap_new_file = have_seq == 0;
        snprintf(s->audit_gap_why, sizeof s->audit_gap_why,
                 "audit: the log did not end with the remembered head (seq %s); found seq %s%s", ws,
                 hs,
                 have_seq == 0 ? " (until a file next to it, named after it, ends with that head: "
                                 "the moved log put back)"
                               : " (until a file next to it, named after it, ends with that head: "
                                 "the original log put back)");
        atomic_store(&s->audit_gap, 1);
    }
    uint64_t seq;
    char hash[65];
    pw_audit_durable_head(s->audit, &seq, hash);
    if (seq > 0 && (!found || seq != want_seq || strcmp(hash, want) != 0))
        store_audit_head(s, seq, hash);
    pw_audit_set_head_sink(s->audit, store_audit_head, s, 1000);
}

/* The last line of the file at path ends with the record seq whose hash is hash? Reads its last
 * 4 KiB only (a record is one line, far shorter than that). */
static int ends_with_head(const char *path, uint64_t seq, const char *hash)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    char b[4097];
    long size = fseek(f, 0, SEEK_END) == 0 ? ftell(f) : -1;
    long take = size > 4096 ? 4096 : size;
    size_t got =
        take > 0 && fseek(f, size - take, SEEK_SET) == 0 ? fread(b, 1, (size_t)take, f) : 0;
    fclose(f);
    while (got && (b[got - 1] == '\n' || b[got - 1] == '\r'))
        got--;
    b[got] = '\0';
    char *line = strrchr(b, '\n');
    line = line ? line + 1 : b;
    unsigned long long have = 0;
    char want_end[80];
    snprintf(want_end, sizeof want_end, "\"hash\":\"%s\"}", hash);
    size_t n = strlen(line), m = strlen(want_end);
    return sscanf(line, "{\"seq\":%llu,", &have) == 1 && have == seq && n >= m &&
           strcmp(line + n - m, want_end) == 0;
}

/* A chain gap closes once the records up to the remembered head are back next to the log: a
 * regular file in the log's directory, named after it (`audit.log.1`, `audit.log-20261201`),
 * whose last record is that head. For a moved or deleted log that is where `phiwall audit verify
 * OLD NEW` finds them as one chain; for a truncated or replaced one it is the original put back
 * (the log at the path has records of its own past the cut: each file verifies alone). Cheap
 * (one directory read, the last 4 KiB of each such file): run at each SIGHUP and every sweep
 * while the gap lasts. */
static void recheck_audit_gap(server *s)
{
    if (!atomic_load(&s->audit_gap) || !s->gap_seq || !s->audit_abs)
        return;
    const char *slash = strrchr(s->audit_abs, '/');
    if (!slash)
        return;
    size_t dir_len = (size_t)(slash - s->audit_abs), base_len = strlen(slash + 1);
    char *dirpath = strndup(s->audit_abs, dir_len ? dir_len : 1);
    DIR *d = dirpath ? opendir(dirpath) : NULL;
    char found[4096] = "";
    for (struct dirent *e; d && !found[0] && (e = readdir(d)) != NULL;) {
        const char *nm = e->d_name;
        if (strncmp(nm, slash + 1, base_len) != 0 || (nm[base_len] != '.' && nm[base_len] != '-'))
            continue;
        char path[4096];
        struct stat st;
        if (snprintf(path, sizeof path, "%s/%s", dirpath, nm) >= (int)sizeof path ||
            stat(path, &st) != 0 || !S_ISREG(st.st_mode))
            continue;
        if (ends_with_head(path, s->gap_seq, s->gap_hash))
            snprintf(found, sizeof found, "%s", path);
    }
    if (d)
        closedir(d);
    free(dirpath);
    if (!found[0])
        return;
    char ws[24];
    snprintf(ws, sizeof ws, "%llu", (unsigned long long)s->gap_seq);
    atomic_store(&s->audit_gap, 0);
    pw_gw_log("info",
              s->gap_new_file
                  ? "audit log: the records up to the head remembered at start are back next to "
                    "the log (a file ending with that head); the chain gap is closed: verify the "
                    "files together, oldest first"
                  : "audit log: the records up to the head remembered at start are back next to "
                    "the log (a file ending with that head); the chain gap is closed: the log "
                    "went on from the cut, so verify each file on its own",
              "file", found, "seq", ws, "hash", s->gap_hash, "path", s->audit_abs, NULL);
}

/* SIGHUP: an audit log rotated away (logrotate `create`) is continued in the new file at its
 * path, linked to the old file's last record. */
static void reopen_audit(server *s)
{
    pw_err err = {0};
    int reopened = 0;
    if (pw_audit_reopen(s->audit, &reopened, &err) != PW_OK)
        pw_gw_log("error", "audit log: reopening it at its path failed; it stays in the open file",
                  "error", err.msg, NULL);
    else if (reopened) {
        uint64_t seq;
        char hash[65], ss[24];
        pw_audit_durable_head(s->audit, &seq, hash);
        snprintf(ss, sizeof ss, "%llu", (unsigned long long)seq);
        pw_gw_log("info", "audit log: reopened at its path; the chain goes on from the old file",
                  "path", s->audit_abs ? s->audit_abs : "", "previous_seq", ss, "previous_hash",
                  hash, NULL);
    }
}

static void restore_held_records(server *s, const char *audit_path)
{
    size_t n = 0;
    pw_err e = {0};
    pw_status st = pw_audit_restore_from_spool(s->spool, s->audit, &n, &e);
    char num[24];
    snprintf(num, sizeof num, "%zu", n);
    if (st != PW_OK && n) /* appended; the spool's delete failed (e.msg says so) */
        pw_gw_log("error",
                  "audit log: ingest records kept in the spool at the last stop were appended, "
                  "but the spool still holds them; the next start does not append them again",
                  "path", audit_path, "records", num, "error", e.msg, NULL);
    else if (st != PW_OK)
        pw_gw_log("error",
                  "audit log: ingest records kept in the spool at the last stop could not be "
                  "appended; kept for the next start",
                  "path", audit_path, "error", e.msg, NULL);
    else if (n)
        pw_gw_log("info",
                  "audit log: ingest records kept in the spool at the last stop were appended",
                  "path", audit_path, "records", num, NULL);
}

/* Sweeps a reload left pending when the gateway stopped (or crashed) while destinations were
 * gated: they stay gated at this start until their old queue is dead-lettered (the start's
 * settle, before which no forwarder of theirs leases anything). A gate of a destination p no
 * longer has is dropped: its whole queue is dead-lettered as removed. */
static pw_status restore_gates(server *s, const pw_gw_policy *p, pw_err *err)
{
    pw_spool_gate *g = NULL;
    size_t n = 0;
    if (pw_spool_gates(s->spool, &g, &n, err) != PW_OK) /* not knowing them could misdeliver */
        return pw_err_prefix(err, "reading the spool's gated destinations: ");
    for (size_t i = 0; i < n; i++) {
        if (!in_policy(p, g[i].dest)) {
            pw_spool_gate_clear(s->spool, g[i].dest, NULL); /* if not: again at the next start */
            continue;
        }
        /* A reload records at most 16, with names under 64 bytes (note_changed_endpoints). */
        if (strlen(g[i].dest) >= sizeof s->changed[0] ||
            s->n_changed == sizeof s->changed / sizeof s->changed[0])
            continue;
        s->changed_upto[s->n_changed] = g[i].upto;
        snprintf(s->changed[s->n_changed++], sizeof s->changed[0], "%s", g[i].dest);
        pw_gw_log("warn",
                  "a destination whose endpoint a reload changed was still gated at the last "
                  "stop: its old queue is dead-lettered before it delivers",
                  "destination", g[i].dest, NULL);
    }
    pw_spool_gates_free(g, n);
    return PW_OK;
}

/* The one rule for the per-request deadline, whichever way it is given: a whole number of seconds
 * from 1 to 3600; anything else is refused with an error naming where it came from (`name`:
 * "--request-timeout" or "PHIWALL_REQUEST_TIMEOUT_S") and the value, so a typo never leaves slow
 * clients the default unnoticed. */
pw_status pw_gw_request_timeout_parse(const char *name, const char *v, unsigned *ms, pw_err *err)
{
    char *end = NULL;
    unsigned long n = v && *v >= '0' && *v <= '9' ? strtoul(v, &end, 10) : 0;
    if (n < 1 || n > PW_GW_REQUEST_TIMEOUT_S_MAX || !end || *end)
        return pw_err_set(err, PW_ERR_INVALID, "%s=%s: not a whole number of seconds from 1 to %u",
                          name, v ? v : "", PW_GW_REQUEST_TIMEOUT_S_MAX);
    *ms = (unsigned)n * 1000u;
    return PW_OK;
}

pw_status pw_gw_request_timeout_resolve(const char *flag, unsigned *ms, const char **source,
                                        pw_err *err)
{
    *ms = PW_GW_REQUEST_TIMEOUT_MS_DEFAULT;
    *source = "default";
    if (flag) { /* the command line wins over the environment */
        *source = "--request-timeout";
        return pw_gw_request_timeout_parse(*source, flag, ms, err);
    }
    const char *v = getenv("PHIWALL_REQUEST_TIMEOUT_S");
    if (!v || !*v)
        return PW_OK;
    *source = "PHIWALL_REQUEST_TIMEOUT_S";
    return pw_gw_request_timeout_parse(*source, v, ms, err);
}

static pw_status open_parts(server *s, pw_err *err)
{
    const pw_gw_server_opts *o = &s->o;
    pw_gw_policy *p = NULL;
    unsigned request_timeout_ms = 0;
    const char *timeout_source = NULL;
    pw_status st = pw_gw_request_timeout_resolve(o->request_timeout, &request_timeout_ms,
                                                 &timeout_source, err);
    if (st != PW_OK)
        return st;
    st = pw_gw_policy_load2(o->config, &p, &s->fwd_next, err); /* before the engine */
    if (st != PW_OK)
        return st;
    pw_detector_opts dopts = {.vocab_file = o->vocab_file};
    if ((st = pw_detector_new(&dopts, &s->det, err)) != PW_OK ||
        (st = pw_gw_phi_pool_new(s->det, &s->pool, err)) != PW_OK) {
        pw_gw_policy_free(p);
        return pw_err_prefix(err, "phi engine: ");
    }
    s->phi = pw_gw_phi_pool_source(s->pool);
    if ((st = prepare_policy(s, p, err)) != PW_OK ||
        (st = pw_gw_holder_init(&s->holder, p, err)) != PW_OK)
        return st;
    s->holder_ok = 1;
    pw_spool_opts so = {.path = o->spool_path ? o->spool_path : "phiwall-spool.db",
                        .max_bytes = o->spool_max_bytes ? o->spool_max_bytes : (1ULL << 30),
                        .commit_interval_ms = 2,
                        .load_gather_us = 400, /* bench/gateway.sh: ~20 -> ~35 per commit */
                        .reserve_bytes = o->spool_reserve_bytes};
    if ((st = pw_spool_open(&so, &s->spool, err)) != PW_OK)
        return st;
    const char *audit_path = o->audit_path ? o->audit_path : PW_AUDIT_DEFAULT_PATH;
    if ((st = pw_audit_open(audit_path, &s->audit, err)) != PW_OK)
        return st;
    warn_audit_mode(audit_path);
    if (pw_audit_torn_bytes_cut(s->audit) > 0) {
        char bytes[24];
        snprintf(bytes, sizeof bytes, "%lld", pw_audit_torn_bytes_cut(s->audit));
        pw_gw_log("warn",
                  "audit log: an unterminated last record was cut off (a write interrupted by a "
                  "crash or a full disk; never acknowledged)",
                  "path", audit_path, "bytes", bytes, NULL);
    }
    check_audit_head(s, audit_path);               /* before anything new is appended */
    s->start_rows = pw_spool_high_water(s->spool); /* before ingest: another run's rows */
    restore_held_records(s, audit_path);
    atomic_store(&s->policy_loaded_ms, pw_gw_now_ms());
    if ((st = restore_gates(s, s->fwd_next, err)) != PW_OK ||
        (st = new_forwarders(s, s->fwd_next, s->n_changed > 0, s->start_rows, &s->fwd, err)) !=
            PW_OK)
        return st;
    for (size_t i = 0; s->n_changed && i < s->fwd_next->n_dests; i++)
        if (!is_changed(s, s->fwd_next->dests[i].dest.name))
            pw_forwarders_open(s->fwd, s->fwd_next->dests[i].dest.name);
    s->fwd_policy = s->fwd_next;
    s->fwd_next = NULL;
    if ((st = pw_gw_committer_new_nice(s->spool, s->audit, notify_forwarders, s,
                                       s->fwd_policy->delivery_nice, &s->committer, err)) != PW_OK)
        return st;
    pw_gw_http_config hc = {.host = o->host ? o->host : "127.0.0.1",
                            .port = o->port,
                            .threads = o->threads,
                            .conn_kib = o->conn_kib,
                            .conns_per_ip = o->conns_per_ip,
                            .request_timeout_ms = request_timeout_ms,
                            .policies = &s->holder,
                            .phi = pw_gw_phi_pool_source(s->pool),
                            .sink = {sink_put, sink_audit, s},
                            .committer = s->committer,
                            .metrics_extra = metrics_extra,
                            .metrics_ctx = s,
                            .health = health};
    pw_gw_server_settle_removed(s); /* rows of destinations removed while stopped */
    return pw_gw_http_start(&hc, &s->http, err);
}

static void close_parts(server *s)
{
    if (s->http) {
        pw_gw_http_quiesce(s->http); /* no new connections */
        pw_gw_http_stop(s->http);    /* requests in flight finish: their spool puts commit */
    }
    pw_gw_committer_free(s->committer);
    stop_forwarders(s);
    pw_gw_policy_free(s->fwd_next);
    s->fwd_next = NULL;
    if (s->audit && s->spool) { /* the last head, while the spool is open */
        pw_audit_sync(s->audit, NULL);
        pw_audit_set_head_sink(s->audit, NULL, NULL, 0);
    }
    pw_spool_close(s->spool);
    pw_audit_close(s->audit);
    free(s->audit_abs);
    s->audit_abs = NULL;
    pw_gw_phi_pool_free(s->pool);
    pw_detector_free(s->det);
    if (s->holder_ok)
        pw_gw_holder_destroy(&s->holder);
}

static int same_str(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* The same recipient: its kind and every field that names where events go. */
static int same_endpoint(const pw_destination *a, const pw_destination *b)
{
    return a->kind == b->kind && same_str(a->base_url, b->base_url) && same_str(a->url, b->url) &&
           same_str(a->pixel_id, b->pixel_id) && same_str(a->measurement_id, b->measurement_id);
}

/* Add to s->changed the destinations of the forwarders' policy that p keeps under the same name
 * but another endpoint: their backlog was accepted for the old recipient and must not go to the
 * new one. With commit 0 only checks that they fit (PW_ERR_LIMIT when not). */
static pw_status note_changed_endpoints(server *s, const pw_gw_policy *p, int commit, pw_err *err)
{
    const pw_gw_policy *old = s->fwd_policy;
    size_t n = s->n_changed;
    for (size_t i = 0; old && i < old->n_dests; i++)
        for (size_t k = 0; k < p->n_dests; k++) {
            const char *name = p->dests[k].dest.name;
            if (strcmp(old->dests[i].dest.name, name) != 0 ||
                same_endpoint(&old->dests[i].dest, &p->dests[k].dest) || is_changed(s, name))
                continue;
            if (n == sizeof s->changed / sizeof s->changed[0] ||
                strlen(name) >= sizeof s->changed[0])
                return pw_err_set(err, PW_ERR_LIMIT,
                                  "destination %s: its endpoint changed, and either its name is "
                                  "over 63 bytes or 16 such destinations still wait for their "
                                  "old queue to be dead-lettered",
                                  name);
            if (commit) {
                s->changed_upto[s->n_changed] = -1; /* nothing, until commit_reload bounds it */
                snprintf(s->changed[s->n_changed++], sizeof s->changed[0], "%s", name);
            }
            n++;
        }
    return PW_OK;
}

#define OLD_INGEST_WAIT_MS 5000 /* a request admitted under the old policy (a slow upload) */

/* Once the requests admitted under the policy of prev have ended (their spool rows committed, or
 * refused), and prev is no longer the holder's: the highest spool row, the bound of the queue
 * accepted under it. Rows committed later were accepted under the new policy. Releases prev. */
static int64_t old_ingest_bound(server *s, pw_gw_policy_ref *prev)
{
    int64_t until = pw_gw_mono_ms() + OLD_INGEST_WAIT_MS;
    while (atomic_load(&prev->refs) > 1 && pw_gw_mono_ms() < until) {
        struct timespec ms = {0, 1000000};
        nanosleep(&ms, NULL);
    }
    if (atomic_load(&prev->refs) > 1)
        pw_gw_log("warn",
                  "requests admitted under the replaced policy are still open after 5 s; events "
                  "they queue later for a destination whose endpoint changed go to the new one",
                  NULL);
    int64_t bound = pw_spool_high_water(s->spool);
    pw_gw_policy_release(prev);
    return bound;
}

/* The destinations whose endpoint changes from old to p (at most 16: note_changed_endpoints
 * checked), those already gated too: what was accepted for the endpoint in between is not the new
 * one's either. */
static size_t moved_dests(const pw_gw_policy *old, const pw_gw_policy *p, const char *names[16])
{
    size_t n = 0;
    for (size_t i = 0; old && i < old->n_dests; i++)
        for (size_t k = 0; k < p->n_dests && n < 16; k++)
            if (strcmp(old->dests[i].dest.name, p->dests[k].dest.name) == 0 &&
                !same_endpoint(&old->dests[i].dest, &p->dests[k].dest))
                names[n++] = p->dests[k].dest.name;
    return n;
}

/* Bound the old queue of every destination whose endpoint changed from old to p, in memory and
 * in the spool (where the reload recorded it unbounded before ingest switched). */
static void bound_changed(server *s, const pw_gw_policy *old, const pw_gw_policy *p, int64_t bound)
{
    const char *names[16];
    size_t n = moved_dests(old, p, names);
    pthread_mutex_lock(&s->fwd_mu);
    for (size_t i = 0; i < n; i++)
        for (size_t c = 0; c < s->n_changed; c++)
            if (strcmp(s->changed[c], names[i]) == 0)
                s->changed_upto[c] = bound;
    pthread_mutex_unlock(&s->fwd_mu);
    pw_err e = {0};
    if (pw_spool_gate_put(s->spool, names, n, bound, &e) != PW_OK)
        pw_gw_log("error",
                  "recording the bound of a changed endpoint's old queue failed: should the "
                  "gateway stop before that queue is dead-lettered, the next start dead-letters "
                  "every event then queued for it",
                  "error", e.msg, NULL);
}

/* Can destination d of the new policy decide a string otherwise than the old policy's
 * destination of that name did? The engine is the process's (a reload keeps it); the other
 * rules that remove members are re-applied from the payload (gw_policy_narrow.h). */
static int phi_verdicts_changed(const pw_gw_policy *old, const pw_gw_dest_policy *d)
{
    for (size_t i = 0; old && i < old->n_dests; i++) {
        const pw_gw_dest_policy *o = &old->dests[i];
        if (strcmp(o->dest.name, d->dest.name) == 0)
            return o->phi_strings != d->phi_strings || o->text_scripts != d->text_scripts;
    }
    return 0; /* a new destination: no row of the old policy is its */
}

/* Everything that can fail is done: install the new policy and forwarders (gated until now),
 * stop the old ones and hand their unwritten outcomes on, dead-letter the queues of changed
 * endpoints, let the forwarders run. */
static void commit_reload(server *s, pw_gw_policy_ref *ref, pw_forwarders *f, pw_gw_policy *fp)
{
    pthread_mutex_lock(&s->fwd_mu);
    note_changed_endpoints(s, fp, 1, NULL);
    pw_forwarders *old = s->fwd;
    pw_gw_policy *old_p = s->fwd_policy;
    /* Before ingest switches: the old forwarder of a destination whose endpoint changes leases
     * nothing more (its request in flight goes on), so an event accepted under the new policy
     * cannot reach the old endpoint while the old forwarders wait for their stop below. */
    const char *moved[16];
    size_t n_moved = moved_dests(old_p, fp, moved);
    for (size_t i = 0; i < n_moved; i++)
        pw_forwarders_gate(old, moved[i]);
    s->fwd = f;
    s->fwd_policy = fp;
    s->retiring = old;
    pthread_mutex_unlock(&s->fwd_mu);
    pw_gw_policy_ref *prev = pw_gw_holder_acquire(&s->holder);
    pw_gw_holder_install(&s->holder, ref);
    atomic_store(&s->policy_loaded_ms, pw_gw_now_ms());
    pw_gw_committer_set_nice(s->committer, fp->delivery_nice);
    /* Before the old forwarders stop (their request in flight can take its timeout, while new
     * events are accepted for the new endpoint): the requests admitted under the old policy
     * commit within milliseconds, and bound the old queue. */
    int64_t old_rows = old_ingest_bound(s, prev);
    bound_changed(s, old_p, fp, old_rows);
    /* The strings of rows up to there, spooled under the old policy, are re-checked under this
     * one where its PHI verdicts can differ (until now every row was: the forwarders were gated);
     * the rows of earlier runs in any case (another engine). */
    for (size_t i = 0; i < fp->n_dests; i++)
        pw_forwarders_rescan_upto(f, fp->dests[i].dest.name,
                                  phi_verdicts_changed(old_p, &fp->dests[i]) ? old_rows
                                                                             : s->start_rows);
    pw_forward_unsettled *left = NULL;
    if (old) /* /metrics counters go on; its unwritten outcomes come along */
        stop_retiring(s, old, old_p ? old_p->n_dests : 0, &left);
    pw_gw_policy_free(old_p);
    size_t unsettled = pw_forward_unsettled_records(left);
    pw_forwarders_adopt(f, left);
    pthread_mutex_lock(&s->fwd_mu);
    for (size_t i = 0; i < fp->n_dests; i++)
        if (!is_changed(s, fp->dests[i].dest.name))
            pw_forwarders_open(f, fp->dests[i].dest.name);
    pthread_mutex_unlock(&s->fwd_mu);
    if (unsettled) {
        char num[24];
        snprintf(num, sizeof num, "%zu", unsettled);
        pw_gw_log("warn",
                  "delivery outcomes the replaced forwarders could not write were handed to the "
                  "new ones (written before they lease anything)",
                  "records", num, NULL);
    }
    pw_gw_server_settle_removed(s); /* changed endpoints, removed destinations */
    for (size_t i = 0; i < s->n_changed; i++)
        pw_gw_log("warn",
                  "delivery to a destination whose endpoint changed waits until its queue is "
                  "dead-lettered (retried every few seconds)",
                  "destination", s->changed[i], NULL);
}

/* The last step of a reload that can fail: the destinations whose endpoint p changes, recorded in
 * the spool as gated (unbounded until commit_reload knows the bound) before ingest switches, so
 * that a restart or a crash before their old queue is dead-lettered finishes that at the next
 * start instead of sending the queue to the new endpoint. */
static pw_status record_moved(server *s, const pw_gw_policy *p, pw_err *err)
{
    const char *names[16];
    size_t n = moved_dests(s->fwd_policy, p, names);
    pw_status st = pw_spool_gate_put(s->spool, names, n, INT64_MAX, err);
    return st == PW_OK ? PW_OK : pw_err_prefix(err, "recording the gated destinations: ");
}

/* All or nothing: the policy file is read once (the ingest policy and the forwarders' copy from
 * the same bytes), prepared, and the new forwarders started (gated) before anything changes; on
 * any failure the policy and the forwarders in force stay, and err says why. */
static pw_status reload(server *s, pw_err *err)
{
    pw_gw_policy *p = NULL, *fp = NULL;
    pw_gw_policy_ref *ref = NULL;
    pw_forwarders *f = NULL;
    pw_status st = pw_gw_policy_load2(s->o.config, &p, &fp, err);
    if (st == PW_OK && (st = prepare_policy(s, p, err)) != PW_OK)
        p = NULL; /* freed */
    if (st == PW_OK)
        st = note_changed_endpoints(s, fp, 0, err);
    if (st == PW_OK && !(ref = pw_gw_policy_ref_new(p)))
        st = pw_err_set(err, PW_ERR_NOMEM, "out of memory");
    if (st == PW_OK && (st = new_forwarders(s, fp, 1, INT64_MAX, &f, err)) != PW_OK)
        pw_err_prefix(err, "starting the new forwarders: ");
    if (st == PW_OK && (st = record_moved(s, fp, err)) != PW_OK) {
        pw_forwarders_stop(f);
        f = NULL;
    }
    if (st != PW_OK) {
        if (ref)
            pw_gw_policy_release(ref); /* and p */
        else
            pw_gw_policy_free(p);
        pw_gw_policy_free(fp);
        return st;
    }
    commit_reload(s, ref, f, fp);
    return PW_OK;
}

pw_status pw_gw_server_reload(server *s, pw_err *err)
{
    pw_status st = reload(s, err);
    atomic_fetch_add(st == PW_OK ? &s->reloads_ok : &s->reloads_failed, 1);
    return st;
}

/* PHIWALL_HEALTHZ_MAX_AGE_S, else an hour. */
static unsigned env_max_age(void)
{
    const char *v = getenv("PHIWALL_HEALTHZ_MAX_AGE_S");
    char *end = NULL;
    unsigned long n = v && *v ? strtoul(v, &end, 10) : 0;
    return n > 0 && n < 100000000 && end && !*end ? (unsigned)n : 3600;
}

pw_status pw_gw_server_start(const pw_gw_server_opts *o, server **out, pw_err *err)
{
    *out = NULL;
    server *s = calloc(1, sizeof *s);
    if (!s)
        return pw_err_set(err, PW_ERR_NOMEM, "out of memory");
    s->o = *o;
    pthread_mutex_init(&s->fwd_mu, NULL);
    pthread_mutex_init(&s->removed_mu, NULL);
    s->health_max_age_s = o->health_max_age_s ? o->health_max_age_s : env_max_age();
    pw_status st = open_parts(s, err);
    if (st != PW_OK) {
        pw_gw_server_stop(s);
        return st;
    }
    *out = s;
    return PW_OK;
}

unsigned pw_gw_server_port(const server *s)
{
    return pw_gw_http_port(s->http);
}

void pw_gw_server_stop(server *s)
{
    if (!s)
        return;
    close_parts(s);
    pthread_mutex_destroy(&s->fwd_mu);
    pthread_mutex_destroy(&s->removed_mu);
    free(s);
}

/* seconds between sweeps (rows of removed destinations, the clock mark) */
#define SWEEP_S (PW_SPOOL_HEARTBEAT_MS / 1000)

pw_status pw_gw_serve(const pw_gw_server_opts *o, pw_err *err)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGHUP);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &set, NULL); /* inherited by every thread started below */
    /* A file-size limit (RLIMIT_FSIZE: `ulimit -f`, systemd's LimitFSIZE=) reached by the spool or
     * the audit log: the write fails with EFBIG, which both handle like a full disk (new events
     * 503, /healthz and /metrics say so, delivery goes on). Before, SIGXFSZ's default action
     * killed the gateway (with a core dump) at the first write past the limit. */
    signal(SIGXFSZ, SIG_IGN);
    server *s = NULL;
    pw_status st = pw_gw_server_start(o, &s, err);
    if (st != PW_OK)
        return st;
    char port[16];
    snprintf(port, sizeof port, "%u", pw_gw_server_port(s));
    pw_gw_log("info", "listening", "host", o->host ? o->host : "127.0.0.1", "port", port, "config",
              o->config, NULL);
    for (;;) {
        struct timespec tick = {SWEEP_S, 0};
        int sig = sigtimedwait(&set, NULL, &tick);
        if (sig < 0) { /* a quiet moment: rows of removed destinations added since a reload */
            pw_gw_server_settle_removed(s);
            recheck_audit_gap(s);
            pw_spool_heartbeat(s->spool, NULL); /* retries keep their distance after a crash */
            continue;
        }
        if (sig == SIGHUP) {
            reopen_audit(s);
            recheck_audit_gap(s);
            pw_err e = {0};
            if (pw_gw_server_reload(s, &e) != PW_OK)
                pw_gw_log("error", "policy reload failed; the current policy stays", "error", e.msg,
                          NULL);
            else
                pw_gw_log("info", "policy reloaded", "config", o->config, NULL);
        } else if (sig == SIGTERM || sig == SIGINT) {
            break;
        }
    }
    pw_gw_log("info", "draining", NULL);
    pw_gw_server_stop(s);
    pw_gw_log("info", "stopped", NULL);
    return PW_OK;
}
