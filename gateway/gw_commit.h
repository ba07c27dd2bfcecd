/*
 * gw_commit.h — the asynchronous commit of accepted requests. Spool rows first (the spool's
 * group commit, pw_spool_put_async): once they are durable the request is answered (an
 * acknowledged event is delivered or still spooled after kill -9). Its audit records (accepted /
 * queued / dropped) follow on the committer's thread, gathered from every request that finished
 * meanwhile into one audit append, synced at most every 100 ms (pw_audit_append_nosync: a crash
 * loses at most a tail of them, never a hole); the forwarders write their "sent" records synced.
 * The HTTP threads never block on fsync, so many requests share each commit. A request with nothing
 * to spool is answered once its audit records are written. The forwarders write outcomes for the
 * rows only after these records (pw_audit_ingest_begin/end around each put), and items the spool
 * ignored as repeats of an event_id are recorded "duplicate", not "queued".
 */
#ifndef PHIWALL_GW_COMMIT_H
#define PHIWALL_GW_COMMIT_H

#include "gw_ingest.h"

typedef struct pw_gw_committer pw_gw_committer;

/* What a durable commit found already spooled: items the spool ignored as repeats of an event_id,
 * and events whose every item was such a repeat (recorded "duplicate", not "accepted"). */
typedef struct pw_gw_commit_dups {
    size_t items, events;
} pw_gw_commit_dups;

/* Runs on the committer's thread once the request is durable (or refused). Must be quick. dups
 * is meaningful when spool_st is PW_OK. */
typedef void (*pw_gw_commit_done)(void *ctx, pw_status spool_st, pw_status audit_st,
                                  pw_gw_commit_dups dups);

pw_status pw_gw_committer_new(pw_spool *spool, pw_audit *audit, void (*notify)(void *ctx),
                              void *notify_ctx, pw_gw_committer **out, pw_err *err);
/* The same, with the audit thread's nice value raised by audit_nice (0..19; 0: the process's
 * priority): it writes only the ingest records of requests already answered, so it is
 * delivery-side work (gw_prio.h). */
pw_status pw_gw_committer_new_nice(pw_spool *spool, pw_audit *audit, void (*notify)(void *ctx),
                                   void *notify_ctx, int audit_nice, pw_gw_committer **out,
                                   pw_err *err);
/* Change the audit thread's nice offset (a policy reload). */
void pw_gw_committer_set_nice(pw_gw_committer *c, int nice);
/* The records of pr are deep-copied; its spool items (and the strings and payloads they point
 * to) are not: they must stay valid until done has run (a suspended request's arena and policy
 * reference do). A non-OK return means done will not run. */
pw_status pw_gw_commit_submit(pw_gw_committer *c, const pw_gw_prepared *pr, pw_gw_commit_done done,
                              void *ctx, pw_err *err);
/* Audit appends that failed (logged by the server; /metrics). */
unsigned long long pw_gw_committer_audit_failures(pw_gw_committer *c);
/* 1 while the audit log refuses the ingest records (gw-durable): new requests are answered 503
 * "audit: unavailable" without being spooled, the records of requests already answered are
 * held in memory and retried (100 ms … 5 s) until written, and /healthz reports it. */
int pw_gw_committer_audit_down(pw_gw_committer *c);
/* The same, with the failed append's message in error (cap bytes) while it is down. */
int pw_gw_committer_audit_down_why(pw_gw_committer *c, char *error, size_t cap);
/* 1 while the last spool put failed other than for room (max_bytes, the disk reserve): a corrupt
 * or unwritable file, an I/O error. New events are answered 503 "spool: unavailable"; the put's
 * message is copied to error (cap bytes). Logged once per change. */
int pw_gw_committer_spool_down(pw_gw_committer *c, char *error, size_t cap);
/* Prometheus text: the commit path's latency histograms (submitted → completion, audit
 * appends) and the spool's own (pw_spool_metrics). */
void pw_gw_committer_metrics(pw_gw_committer *c, pw_buf *out);
/* Completes every submitted request (its spool puts must be able to finish), then frees.
 * Ingest records the audit log still refuses are kept in the spool (audit_hold.h) for the next
 * start; the spool must still be open. */
void pw_gw_committer_free(pw_gw_committer *c);

#endif
