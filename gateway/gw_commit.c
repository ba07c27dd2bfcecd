/*
 * gw_commit.c — spool, then batched audit, off the HTTP threads (see gw_commit.h).
 *
 * Hand-off to the audit thread: the spool's committer thread completes every request of a group
 * commit one after the other, so each pushes its job onto a lock-free stack and only the push
 * that finds the audit thread asleep takes the mutex and wakes it. One wake-up per group commit
 * at most instead of a mutex round (and often a futex wake) per request on the committer thread.
 */
#include "gw_commit.h"

#include "audit_hold.h"

#include "gw_histo.h"
#include "gw_log.h"
#include "gw_prio.h"
#include "gw_time.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

typedef struct job {
    pw_gw_committer *c;
    pw_audit_record *recs; /* deep copy: the request may be answered and gone before the audit */
    size_t n_recs;
    int has_items;
    int refused; /* the audit log is failing: answered 503 without a spool put */
    pw_gw_commit_done done;
    void *ctx;
    pw_status spool_st;
    int64_t t_submit;    /* pw_histo_now_ns() */
    uint64_t ticket;     /* pw_audit_ingest_begin: returned once the records are written */
    unsigned char *dups; /* per spool item: the spool already held it (pw_spool_put_async_dups) */
    size_t n_items;
    struct job *next;
} job;

struct pw_gw_committer {
    pw_spool *spool;
    pw_audit *audit;
    void (*notify)(void *);
    void *notify_ctx;
    pthread_mutex_t mu; /* the audit thread's sleep (with cv) */
    pthread_cond_t cv;
    _Atomic(job *) inbox; /* jobs pushed, newest first */
    atomic_int sleeping;  /* the audit thread waits on cv: the next push wakes it */
    int stopping;         /* under mu */
    pthread_t thread;
    atomic_ullong audit_failures;
    job *held;             /* spooled and answered, their records not yet written (audit thread) */
    atomic_int audit_down; /* the last append of ingest records failed: new requests get 503 */
    unsigned retry_ms;     /* the next retry of the held records (audit thread) */
    int64_t last_sync_ms;
    int dirty;             /* written but not yet synced (audit thread only) */
    pw_histo answered;     /* submitted until its completion ran (the 2xx may be sent) */
    pw_histo audit_append; /* one batched audit append (+ its sync when due) */
    atomic_int want_nice;  /* pw_gw_committer_set_nice: the audit thread applies it */
    atomic_int in_spool;   /* jobs put whose on_spooled has not returned (it touches c) */
    /* The last spool put failed other than for room (a corrupt or unwritable file, an I/O
     * error): new events are refused with 503 until a put succeeds; /healthz and the log say
     * so. spool_error: the put's message (under spool_mu). */
    atomic_int spool_down;
    /* The last put was refused for room (max_bytes, the disk reserve, a file-size limit): said
     * in the log once per change, as /healthz says it while it lasts. */
    atomic_int spool_no_room;
    pthread_mutex_t spool_mu;
    char spool_error[160];
    char audit_error[160]; /* the failed append's message while audit_down (under spool_mu) */
    pw_gw_prio prio;       /* the audit thread's */
};

#define SYNC_MS      100
#define RETRY_MIN_MS 100  /* the held records of a failing audit log: first retry */
#define RETRY_MAX_MS 2000 /* … backing off to this */

static size_t str_size(const char *s)
{
    return s ? strlen(s) + 1 : 0;
}

static const char *str_copy(char **at, const char *s)
{
    if (!s)
        return NULL;
    size_t n = strlen(s) + 1;
    memcpy(*at, s, n);
    const char *out = *at;
    *at += n;
    return out;
}

/* One allocation holding the job, its records, every string they point to and the duplicate
 * flags of its n_items spool items. */
static job *job_new(const pw_audit_record *r, size_t n, size_t n_items)
{
    size_t bytes = sizeof(job) + n * sizeof *r + n_items;
    for (size_t i = 0; i < n; i++)
        bytes += str_size(r[i].event_id) + str_size(r[i].event_name) + str_size(r[i].destination) +
                 str_size(r[i].rule) + str_size(r[i].fields_json) + str_size(r[i].payload_sha256) +
                 str_size(r[i].detail);
    job *j = malloc(bytes);
    if (!j)
        return NULL;
    pw_audit_record *out = (pw_audit_record *)(void *)(j + 1);
    *j = (job){.recs = out, .n_recs = n, .n_items = n_items};
    char *at = (char *)(out + n);
    j->dups = (unsigned char *)at;
    memset(at, 0, n_items);
    at += n_items;
    for (size_t i = 0; i < n; i++) {
        out[i] = r[i];
        out[i].event_id = str_copy(&at, r[i].event_id);
        out[i].event_name = str_copy(&at, r[i].event_name);
        out[i].destination = str_copy(&at, r[i].destination);
        out[i].rule = str_copy(&at, r[i].rule);
        out[i].fields_json = str_copy(&at, r[i].fields_json);
        out[i].payload_sha256 = str_copy(&at, r[i].payload_sha256);
        out[i].detail = str_copy(&at, r[i].detail);
    }
    return j;
}

static void enqueue(pw_gw_committer *c, job *j)
{
    job *top = atomic_load(&c->inbox);
    do
        j->next = top;
    while (!atomic_compare_exchange_weak(&c->inbox, &top, j));
    if (!atomic_exchange(&c->sleeping, 0))
        return;                 /* awake: it takes the stack when it is done with what it has */
    pthread_mutex_lock(&c->mu); /* held by the sleeper until it waits: the signal is not lost */
    pthread_cond_signal(&c->cv);
    pthread_mutex_unlock(&c->mu);
}

/* Every job pushed so far, oldest first. */
static job *take_inbox(pw_gw_committer *c)
{
    job *j = atomic_exchange(&c->inbox, NULL), *fifo = NULL;
    while (j) {
        job *next = j->next;
        j->next = fifo;
        fifo = j;
        j = next;
    }
    return fifo;
}

/* A repeated event_id (the tag retrying a batch whose answer it lost) is not queued again: the
 * spool ignored its items. Its records say so: the queued record of each ignored item, and the
 * accepted record of an event whose every item was ignored, become "duplicate". The queued
 * records follow the items' order (gw_ingest.c: per event, per accepted destination). Returns
 * what was marked, for the answer and the counters. */
static pw_gw_commit_dups mark_duplicates(job *j)
{
    pw_gw_commit_dups d = {0, 0};
    size_t item = 0, accepted = SIZE_MAX, queued = 0, dup = 0;
    for (size_t i = 0; i <= j->n_recs; i++) {
        pw_audit_record *r = i < j->n_recs ? &j->recs[i] : NULL;
        if ((!r || r->action == PW_AUDIT_ACCEPTED) && accepted != SIZE_MAX && queued &&
            dup == queued) {
            j->recs[accepted].action = PW_AUDIT_DUPLICATE;
            j->recs[accepted].rule = "ingest: repeated event_id, already spooled: ignored";
            d.events++;
        }
        if (!r)
            break;
        if (r->action == PW_AUDIT_ACCEPTED) {
            accepted = i;
            queued = dup = 0;
        }
        if (r->action != PW_AUDIT_QUEUED || item >= j->n_items)
            continue;
        queued++;
        if (j->dups[item++]) {
            dup++;
            d.items++;
            r->action = PW_AUDIT_DUPLICATE;
            r->rule = "spool: event_id already spooled for this destination: ignored";
            r->fields_json = NULL;
        }
    }
    return d;
}

static int any_duplicate(const job *j)
{
    for (size_t i = 0; i < j->n_items; i++)
        if (j->dups[i])
            return 1;
    return 0;
}

/* A put that failed for another reason than room (PW_ERR_LIMIT: max_bytes or the disk reserve,
 * which /healthz reports by itself) or succeeded again: logged once per change. Before, a spool
 * whose every put failed (a corrupt page in a file that still opens, an I/O error) answered each
 * event 503 while /healthz said ok and nothing was logged. */
static void note_spool_put(pw_gw_committer *c, pw_status st, const pw_err *err)
{
    int down = st != PW_OK && st != PW_ERR_LIMIT;
    if (down) {
        pthread_mutex_lock(&c->spool_mu);
        snprintf(c->spool_error, sizeof c->spool_error, "%.159s",
                 err && err->msg[0] ? err->msg : "");
        pthread_mutex_unlock(&c->spool_mu);
    }
    int no_room = st == PW_ERR_LIMIT; /* an I/O error leaves the room as it was */
    if ((st == PW_OK || no_room) && atomic_exchange(&c->spool_no_room, no_room) != no_room) {
        if (no_room)
            pw_gw_log("warn",
                      "spool full: new events are refused (503) until there is room; delivery "
                      "goes on (max_bytes, the disk reserve, or a file-size limit: /healthz and "
                      "/metrics say which)",
                      "error", err && err->msg[0] ? err->msg : "", NULL);
        else
            pw_gw_log("info", "spool has room again: events accepted", NULL);
    }
    if (st == PW_ERR_LIMIT || atomic_exchange(&c->spool_down, down) == down)
        return;
    /* SQLite's words for a damaged file; anything else (a read-only or failing file system,
     * named by the OS's reason in the message) passes by itself once the disk takes writes, and
     * moving the file aside then would strand its queue. Before, every failure got the corrupt
     * file's advice. */
    const char *msg = err && err->msg[0] ? err->msg : "";
    int corrupt = strstr(msg, "malformed") || strstr(msg, "not a database");
    if (down)
        pw_gw_log("error",
                  corrupt ? "spool cannot be written: new events are refused (503) until a put "
                            "succeeds (a corrupt file: stop the gateway, run PRAGMA "
                            "integrity_check, move the file aside; docs/gateway-delivery.md)"
                          : "spool cannot be written: new events are refused (503) until a put "
                            "succeeds; it is retried with every event, so the gateway takes "
                            "events again by itself once its file system takes writes (do not "
                            "move the file aside: its queue is in it)",
                  "error", msg, NULL);
    else
        pw_gw_log("info", "spool written again: events accepted", NULL);
}

/* On the spool's committer thread: the rows are durable, so answer now (with what was a
 * repeat), then hand the records over to the audit thread. */
static void on_spooled(void *ctx, pw_status st, const pw_err *err)
{
    job *j = ctx;
    j->spool_st = st;
    note_spool_put(j->c, st, err);
    pw_gw_commit_dups d = {0, 0};
    if (st == PW_OK && any_duplicate(j))
        d = mark_duplicates(j);
    pw_gw_committer *c = j->c;
    j->done(j->ctx, st, PW_OK, d);
    j->done = NULL;
    pw_histo_since(&c->answered, j->t_submit);
    enqueue(c, j);
    /* Last: once the answer is sent the server may stop, and pw_gw_committer_free waits for
     * this count before it frees c (the job's records are in the inbox by then). */
    atomic_fetch_sub(&c->in_spool, 1);
}

/* The batch's records are in the chain (or failed): forwarders may write outcomes after them. */
static void release_tickets(pw_gw_committer *c, job *batch)
{
    uint64_t t[64];
    size_t n = 0;
    for (job *j = batch; j; j = j->next) {
        if (!j->ticket)
            continue;
        t[n++] = j->ticket;
        if (n == sizeof t / sizeof t[0]) {
            pw_audit_ingest_end(c->audit, t, n);
            n = 0;
        }
    }
    pw_audit_ingest_end(c->audit, t, n);
}

/* The audit log refused the ingest records (a full disk) or takes them again: logged once per
 * change; while it is down new requests are answered 503 and /healthz says so. */
static void set_audit_down(pw_gw_committer *c, int down, const char *error, size_t held)
{
    if (down) { /* for /healthz: why (a full disk, a read-only file system, an I/O error) */
        pthread_mutex_lock(&c->spool_mu);
        snprintf(c->audit_error, sizeof c->audit_error, "%.159s", error ? error : "");
        pthread_mutex_unlock(&c->spool_mu);
    }
    if (atomic_exchange(&c->audit_down, down) == down)
        return;
    char n[24];
    snprintf(n, sizeof n, "%zu", held);
    if (down)
        pw_gw_log("error",
                  "audit log cannot be written: new events are refused (503) until it can; the "
                  "records of requests already answered are kept and retried",
                  "error", error ? error : "", "records_held", n, NULL);
    else
        pw_gw_log("info", "audit log written again: events accepted", NULL);
}

static int sync_tail(pw_gw_committer *c);

/* Records of the spooled requests of batch, oldest first, in one array (NULL and *n = 0 when
 * there are none; NULL and *n > 0 when out of memory). */
static pw_audit_record *gather_records(job *batch, size_t *n)
{
    *n = 0;
    for (job *j = batch; j; j = j->next)
        if (j->spool_st == PW_OK && !j->refused)
            *n += j->n_recs;
    pw_audit_record *recs = *n ? malloc(*n * sizeof *recs) : NULL;
    size_t k = 0;
    for (job *j = batch; recs && j; j = j->next)
        if (j->spool_st == PW_OK && !j->refused) {
            memcpy(recs + k, j->recs, j->n_recs * sizeof *recs);
            k += j->n_recs;
        }
    return recs;
}

/* One audit append for every spooled request in the batch (written now, synced at most every
 * SYNC_MS: the forwarders' synced "sent" records also cover them, so a crash can lose only a
 * tail of ingest records, never leave a hole, and the disk is not asked for one more fsync per
 * batch). */
static pw_status append_batch(pw_gw_committer *c, job *batch, pw_err *err)
{
    size_t n = 0;
    pw_audit_record *recs = gather_records(batch, &n);
    if (n && !recs)
        return pw_err_set(err, PW_ERR_NOMEM, "audit: out of memory");
    if (!n) /* only refused requests (or none): is the log writable again? */
        return atomic_load(&c->audit_down) || pw_audit_failing(c->audit)
                   ? pw_audit_probe(c->audit, err)
                   : PW_OK;
    int64_t t0 = pw_histo_now_ns();
    pw_status ast = pw_audit_append_nosync(c->audit, recs, n, err);
    free(recs);
    int64_t now = pw_gw_mono_ms();
    c->dirty |= ast == PW_OK;
    if (ast == PW_OK && now - c->last_sync_ms >= SYNC_MS) {
        /* Written, so the records are the log's: a failed sync cuts them and the log keeps them
         * to write again (audit_kept.c). Holding the jobs too would append them a second time
         * at every retry (duplicate accepted/queued records for each retry of the outage). */
        c->dirty = !sync_tail(c);
        c->last_sync_ms = now;
    }
    pw_histo_since(&c->audit_append, t0);
    return ast;
}

static size_t count_records(job *batch)
{
    size_t n = 0;
    for (job *j = batch; j; j = j->next)
        n += j->refused ? 0 : j->n_recs;
    return n;
}

/* Answer the requests that waited for their records (nothing spooled), free the rest. */
static int finish_batch(pw_gw_committer *c, job *batch, pw_status ast)
{
    int spooled = 0;
    while (batch) {
        job *next = batch->next;
        spooled |= batch->spool_st == PW_OK && batch->has_items && !batch->refused;
        if (batch->done) { /* nothing was spooled: answered only once audited */
            pw_status a = batch->refused ? PW_ERR_IO : batch->spool_st == PW_OK ? ast : PW_OK;
            batch->done(batch->ctx, batch->spool_st, a, (pw_gw_commit_dups){0, 0});
            pw_histo_since(&c->answered, batch->t_submit);
        }
        free(batch);
        batch = next;
    }
    return spooled;
}

/* Append the records of the held jobs (earlier failures, oldest first) and of batch. On a
 * failure the spooled jobs are held (their tickets too: the forwarders' outcomes for those rows
 * wait, at most INGEST_WAIT_MS each time) and retried; requests that only waited for their
 * records are answered 503 (nothing of theirs was spooled; the tag retries). */
static void settle(pw_gw_committer *c, job *batch)
{
    if (c->held) { /* the older records first */
        job *tail = c->held;
        while (tail->next)
            tail = tail->next;
        tail->next = batch;
        batch = c->held;
        c->held = NULL;
    }
    pw_err err = {0};
    pw_status ast = append_batch(c, batch, &err);
    if (ast != PW_OK) {
        atomic_fetch_add(&c->audit_failures, 1);
        job *keep = NULL, **tail = &keep, *rest = NULL, **rtail = &rest;
        for (job *j = batch, *next; j; j = next) {
            next = j->next;
            j->next = NULL;
            int hold = j->spool_st == PW_OK && !j->done && !j->refused;
            *(hold ? tail : rtail) = j;
            if (hold)
                tail = &j->next;
            else
                rtail = &j->next;
        }
        c->held = keep;
        set_audit_down(c, 1, err.msg, count_records(keep));
        c->retry_ms = c->retry_ms
                          ? (c->retry_ms * 2 > RETRY_MAX_MS ? RETRY_MAX_MS : c->retry_ms * 2)
                          : RETRY_MIN_MS;
        release_tickets(c, rest);
        finish_batch(c, rest, ast);
        return;
    }
    c->retry_ms = 0;
    set_audit_down(c, 0, NULL, 0);
    release_tickets(c, batch);
    if (finish_batch(c, batch, ast) && c->notify)
        c->notify(c->notify_ctx);
}

/* Stopping with ingest records a failed sync cut from the audit log and that it could not write
 * back yet (audit.h): kept in the spool like the held jobs' records (audit_hold.h). */
static void keep_cut(pw_gw_committer *c)
{
    size_t k = 0;
    pw_err err = {0};
    pw_status st = c->spool ? pw_audit_hold_cut(c->spool, c->audit, &k, &err)
                            : pw_err_set(&err, PW_ERR_INVALID, "no spool");
    char n[24];
    snprintf(n, sizeof n, "%zu", k);
    if (st != PW_OK)
        pw_gw_log("error",
                  "stopping with ingest audit records a failed sync cut from the audit log, and "
                  "the spool refused to keep them: not written",
                  "error", err.msg, NULL);
    else if (k)
        pw_gw_log("warn",
                  "stopping with ingest audit records a failed sync cut from the audit log: kept "
                  "in the spool, appended to the audit log at the next start",
                  "records", n, NULL);
}

/* Stopping while the log still refuses the held records: they are kept in the spool's file
 * (its disk reserve is there for such writes) and appended to the audit log at the next start
 * (audit_hold.h); only if the spool refuses them too are they lost, said loudly. */
static void keep_held(pw_gw_committer *c)
{
    keep_cut(c); /* older than the held jobs' records: a write puts them back first */
    char n[24];
    snprintf(n, sizeof n, "%zu", count_records(c->held));
    size_t k = 0;
    pw_audit_record *recs = gather_records(c->held, &k);
    pw_err err = {0};
    pw_status st = !c->spool ? pw_err_set(&err, PW_ERR_INVALID, "no spool")
                   : recs    ? pw_audit_hold_in_spool(c->spool, recs, k, &err)
                             : pw_err_set(&err, PW_ERR_NOMEM, "out of memory");
    free(recs);
    if (st == PW_OK)
        pw_gw_log("warn",
                  "stopping with ingest audit records the audit log refused: kept in the spool, "
                  "appended to the audit log at the next start",
                  "records", n, NULL);
    else
        pw_gw_log("error",
                  "stopping with ingest audit records the audit log refused, and the spool "
                  "refused to keep them: not written",
                  "records", n, "error", err.msg, NULL);
    release_tickets(c, c->held);
    finish_batch(c, c->held, PW_ERR_IO);
    c->held = NULL;
}

/* Make the records written without a sync durable. A failed fdatasync cuts them from the log
 * (audit.c: after one, Linux may never write them); the log keeps them and writes them back
 * with its next write or sync (audit.h), so they are retried, not lost. */
static int sync_tail(pw_gw_committer *c)
{
    pw_err err = {0};
    if (pw_audit_sync(c->audit, &err) == PW_OK)
        return 1;
    atomic_fetch_add(&c->audit_failures, 1);
    pw_gw_log("error",
              "audit log sync failed: the ingest records written since the last sync were cut "
              "from the log; they are kept and written again with its next write",
              "error", err.msg, NULL);
    return 0;
}

/* Sleep until a job is pushed, stopping or a new nice value (mu held); syncs the written tail
 * once quiet. */
static void wait_for_jobs(pw_gw_committer *c, int nice)
{
    for (;;) {
        atomic_store(&c->sleeping, 1);
        if (atomic_load(&c->inbox) || c->stopping || atomic_load(&c->want_nice) != nice)
            break;
        if (c->held || atomic_load(&c->audit_down)) { /* retry the held records (or probe the
                                                          log) after a pause, or with new jobs */
            struct timespec dl = pw_gw_deadline(c->retry_ms);
            if (pthread_cond_timedwait(&c->cv, &c->mu, &dl) != 0)
                break;
            continue;
        }
        if (!c->dirty) {
            pthread_cond_wait(&c->cv, &c->mu);
            continue;
        }
        struct timespec dl = pw_gw_deadline(SYNC_MS);
        if (pthread_cond_timedwait(&c->cv, &c->mu, &dl) != 0 && !atomic_load(&c->inbox)) {
            /* Quiet now: make the written tail durable. */
            pthread_mutex_unlock(&c->mu);
            sync_tail(c);
            c->dirty = 0;
            c->last_sync_ms = pw_gw_mono_ms();
            pthread_mutex_lock(&c->mu);
        }
    }
    atomic_store(&c->sleeping, 0);
}

static void *audit_thread(void *arg)
{
    pw_gw_committer *c = arg;
    pthread_setname_np(pthread_self(), "pw-audit"); /* per-thread CPU in bench/gateway.sh */
    int nice = atomic_load(&c->want_nice);
    pw_gw_prio_init(&c->prio, nice);
    for (;;) {
        if (atomic_load(&c->want_nice) != nice) { /* a reload changed delivery.nice */
            nice = atomic_load(&c->want_nice);
            pw_gw_prio_set(&c->prio, nice);
        }
        pthread_mutex_lock(&c->mu);
        wait_for_jobs(c, nice);
        int stop = c->stopping;
        pthread_mutex_unlock(&c->mu);
        job *batch = take_inbox(c);
        if (batch || c->held || atomic_load(&c->audit_down))
            settle(c, batch);
        if (!batch && stop && c->held)
            keep_held(c);
        if (!batch && stop)
            return NULL;
    }
}

pw_status pw_gw_committer_new(pw_spool *spool, pw_audit *audit, void (*notify)(void *),
                              void *notify_ctx, pw_gw_committer **out, pw_err *err)
{
    return pw_gw_committer_new_nice(spool, audit, notify, notify_ctx, 0, out, err);
}

pw_status pw_gw_committer_new_nice(pw_spool *spool, pw_audit *audit, void (*notify)(void *),
                                   void *notify_ctx, int audit_nice, pw_gw_committer **out,
                                   pw_err *err)
{
    pw_gw_committer *c = calloc(1, sizeof *c);
    if (!c)
        return pw_err_set(err, PW_ERR_NOMEM, "out of memory");
    *c = (pw_gw_committer){
        .spool = spool, .audit = audit, .notify = notify, .notify_ctx = notify_ctx};
    atomic_init(&c->want_nice, audit_nice);
    pthread_mutex_init(&c->mu, NULL);
    pthread_mutex_init(&c->spool_mu, NULL);
    pw_gw_cond_init(&c->cv);
    if (pthread_create(&c->thread, NULL, audit_thread, c) != 0) {
        pthread_cond_destroy(&c->cv);
        pthread_mutex_destroy(&c->mu);
        pthread_mutex_destroy(&c->spool_mu);
        free(c);
        return pw_err_set(err, PW_ERR_NOMEM, "committer: cannot start its thread");
    }
    *out = c;
    return PW_OK;
}

pw_status pw_gw_commit_submit(pw_gw_committer *c, const pw_gw_prepared *pr, pw_gw_commit_done done,
                              void *ctx, pw_err *err)
{
    job *j = job_new(pr->recs, pr->n_recs, pr->n_items);
    if (!j)
        return pw_err_set(err, PW_ERR_NOMEM, "out of memory");
    j->c = c;
    j->t_submit = pw_histo_now_ns();
    j->has_items = pr->n_items > 0;
    j->done = done;
    j->ctx = ctx;
    j->spool_st = PW_OK;
    if (atomic_load(&c->audit_down) || pw_audit_failing(c->audit)) {
        /* No event is accepted while its records cannot be written: answered 503 ("audit:
         * unavailable") by the audit thread, nothing spooled. */
        j->refused = 1;
        enqueue(c, j);
        return PW_OK;
    }
    if (!pr->n_items) { /* nothing to spool (every destination dropped it): audit only */
        enqueue(c, j);
        return PW_OK;
    }
    /* Before the put: a forwarder that leases these rows waits for their records (audit.h). */
    j->ticket = pw_audit_ingest_begin(c->audit);
    atomic_fetch_add(&c->in_spool, 1);
    pw_status st =
        pw_spool_put_async_borrow(c->spool, pr->items, pr->n_items, j->dups, on_spooled, j, err);
    if (st != PW_OK) {
        note_spool_put(c, st, err);
        atomic_fetch_sub(&c->in_spool, 1);
        pw_audit_ingest_end(c->audit, &j->ticket, 1);
        free(j);
    }
    return st;
}

void pw_gw_committer_set_nice(pw_gw_committer *c, int nice)
{
    if (!c)
        return;
    pthread_mutex_lock(&c->mu);
    atomic_store(&c->want_nice, nice);
    pthread_cond_signal(&c->cv);
    pthread_mutex_unlock(&c->mu);
}

int pw_gw_committer_spool_down(pw_gw_committer *c, char *error, size_t cap)
{
    if (!c || !atomic_load(&c->spool_down))
        return 0;
    pthread_mutex_lock(&c->spool_mu);
    if (cap)
        snprintf(error, cap, "%s", c->spool_error);
    pthread_mutex_unlock(&c->spool_mu);
    return 1;
}

int pw_gw_committer_audit_down(pw_gw_committer *c)
{
    return c ? atomic_load(&c->audit_down) : 0;
}

int pw_gw_committer_audit_down_why(pw_gw_committer *c, char *error, size_t cap)
{
    if (!pw_gw_committer_audit_down(c))
        return 0;
    pthread_mutex_lock(&c->spool_mu);
    snprintf(error, cap, "%s", c->audit_error);
    pthread_mutex_unlock(&c->spool_mu);
    return 1;
}

unsigned long long pw_gw_committer_audit_failures(pw_gw_committer *c)
{
    return c ? atomic_load(&c->audit_failures) : 0;
}

void pw_gw_committer_metrics(pw_gw_committer *c, pw_buf *o)
{
    if (!c)
        return;
    static const char name[] = "phiwall_gateway_commit_seconds";
    pw_histo_type(name,
                  "Commit path: a request handed to the committer until its completion "
                  "(answered), one batched audit append (audit)",
                  o);
    pw_histo_print(&c->answered, name, "phase=\"answered\"", o);
    pw_histo_print(&c->audit_append, name, "phase=\"audit\"", o);
    pw_spool_metrics(c->spool, o);
}

void pw_gw_committer_free(pw_gw_committer *c)
{
    if (!c)
        return;
    /* A put's completion may still be running on the spool's committer thread after its request
     * was answered (the answer is what lets the server stop): wait until each has handed its job
     * to the inbox and left c. Not bounded: the spool completes every put it took, and closing
     * the spool next joins that same thread anyway. */
    while (atomic_load(&c->in_spool) > 0)
        usleep(200);
    pthread_mutex_lock(&c->mu);
    c->stopping = 1;
    atomic_store(&c->sleeping, 0);
    pthread_cond_signal(&c->cv);
    pthread_mutex_unlock(&c->mu);
    pthread_join(c->thread, NULL);
    if (!sync_tail(c))
        keep_cut(c);
    pthread_cond_destroy(&c->cv);
    pthread_mutex_destroy(&c->mu);
    pthread_mutex_destroy(&c->spool_mu);
    free(c);
}
