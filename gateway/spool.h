/*
 * spool.h — the gateway's durable queue between policy and the forwarders (DESIGN §4).
 *
 * Only post-policy events enter the spool: an item is one event for one destination, already
 * reduced and scrubbed, as the JSON object that destination's forwarder will send. event_id is
 * the idempotency key: putting the same (event_id, destination) twice keeps the first.
 *
 * The embedded back end is SQLite in WAL mode with batched commits, one row per event holding
 * the payloads of all its destinations (spool_sqlite_schema.c); pw_spool_put returns only once
 * the items are durable (fsync'd by the commit they joined), so an event acknowledged with 2xx
 * survives kill -9. A later back end (NATS JetStream) implements the same interface.
 */
#ifndef PHIWALL_GW_SPOOL_H
#define PHIWALL_GW_SPOOL_H

#include <stddef.h>
#include <stdint.h>

#include "phiwall/buf.h"
#include "phiwall/error.h"

typedef struct pw_spool pw_spool;

typedef struct pw_spool_opts {
    const char *path;            /* SQLite file; created if absent */
    uint64_t max_bytes;          /* bounded disk: put fails with PW_ERR_LIMIT beyond (503) */
    unsigned commit_interval_ms; /* group-commit window, e.g. 2 */
    /* Under load — the previous group commit took at least PW_SPOOL_LOAD_BATCH put requests
     * (acks do not count), arriving at 16 per ms or faster (a large batch behind a slow fsync at
     * a moderate rate is not load) — the next leader waits this long before taking its batch, so
     * that more requests share one fsync (at saturation the fsync's CPU is most of the committer's
     * cost per event). Below that (an idle or paced gateway) nothing waits. 0: never. */
    unsigned load_gather_us;
    /* Disk bytes new events leave free (gw-durable): a put whose commit would bring the free
     * space of the spool's filesystem below it is refused with PW_ERR_LIMIT (503), so that
     * acks, retries and dead letters (which shrink the spool) can always commit on a full disk.
     * 0: an eighth of the filesystem, at least 64 KiB, at most 64 MiB; PW_SPOOL_NO_RESERVE:
     * none. */
    uint64_t reserve_bytes;
} pw_spool_opts;

#define PW_SPOOL_NO_RESERVE UINT64_MAX
#define PW_SPOOL_LOAD_BATCH 16 /* requests in a group commit that mean "under load" */

typedef struct pw_spool_item {
    int64_t id;              /* item id (event row * 64 + position in the row) */
    const char *event_id;    /* UUIDv4 from the tag */
    const char *destination; /* destination name from the policy ("meta", "ga4", "hook1") */
    const char *payload;     /* post-policy event JSON for that destination */
    size_t payload_len;
    int64_t created_ms; /* when accepted (ms since epoch): Meta's 7-day / 48 h windows */
    int attempts;
    /* When the first attempt that may have reached the upstream was made (ms since epoch: a
     * retried failure, a lease that ran out, a send cut short by a crash), 0 if none was: the
     * forwarders' retry window counts from it (docs/gateway-delivery.md). */
    int64_t sent_ms;
    /* The visitor's consent the event arrived with (PW_SPOOL_CONSENT_*; 0: not recorded, a row
     * spooled by a phiwall before it was kept): the forwarder refuses an event whose destination
     * has come to require a consent it did not have (a reload since it was spooled). */
    unsigned consent;
} pw_spool_item;

/* pw_spool_item.consent / pw_spool_put_item.consent: KNOWN set when recorded, then one bit per
 * consent the event carried. Not PHI: the two flags the tag sends with every event. */
enum { PW_SPOOL_CONSENT_KNOWN = 1, PW_SPOOL_CONSENT_ADS = 2, PW_SPOOL_CONSENT_ANALYTICS = 4 };

typedef struct pw_spool_put_item {
    const char *event_id;
    const char *destination;
    const char *payload;
    size_t payload_len;
    int64_t created_ms;
    unsigned consent; /* PW_SPOOL_CONSENT_*, one value per event (its first item's is kept) */
} pw_spool_put_item;

pw_status pw_spool_open(const pw_spool_opts *opts, pw_spool **out, pw_err *err);
void pw_spool_close(pw_spool *s);

/* Durably enqueue n items atomically (one ingest request may carry several events and
 * destinations; consecutive items of one event_id share a row). Thread-safe; concurrent callers
 * share one group commit. */
pw_status pw_spool_put(pw_spool *s, const pw_spool_put_item *items, size_t n, pw_err *err);

/* Lease up to max due items of one destination for delivery (not handed out again until
 * lease_ms passes or they are acked/retried). Items and their strings are malloc'd: free with
 * pw_spool_items_free. */
pw_status pw_spool_lease(pw_spool *s, const char *destination, size_t max, unsigned lease_ms,
                         pw_spool_item **items, size_t *n, pw_err *err);
void pw_spool_items_free(pw_spool_item *items, size_t n);

/* Outcomes of a delivery attempt. */
pw_status pw_spool_ack(pw_spool *s, const int64_t *ids, size_t n, pw_err *err); /* delivered */
/* next_attempt_ms: on the spool's schedule clock (pw_spool_clock_ms), as every retry time. */
pw_status pw_spool_retry(pw_spool *s, int64_t id, int64_t next_attempt_ms, pw_err *err);
pw_status pw_spool_dead(pw_spool *s, int64_t id, const char *reason, pw_err *err);

typedef struct pw_spool_stats {
    uint64_t depth;    /* queued, not yet delivered or dead */
    int64_t oldest_ms; /* created_ms of the oldest queued row, 0 if none */
    uint64_t dead;
    uint64_t bytes;
} pw_spool_stats;

pw_status pw_spool_stats_get(pw_spool *s, const char *destination, pw_spool_stats *out,
                             pw_err *err);

/* ---- additions (gwout) -------------------------------------------------------------------- */

/* Item states as pw_spool_state reports them. Delivered and dead items stay as payload-less
 * tombstones for 15 min after acceptance so that a repeated event_id is still recognised (and
 * not re-sent). */
enum { PW_SPOOL_QUEUED = 0, PW_SPOOL_DELIVERED = 1, PW_SPOOL_DEAD = 2 };

/* The state of (event_id, destination); PW_ERR_NOTFOUND if never spooled (or purged). */
pw_status pw_spool_state(pw_spool *s, const char *event_id, const char *destination, int *state,
                         pw_err *err);

/* The reason of the latest dead letter of (event_id, destination); PW_ERR_NOTFOUND if none. */
pw_status pw_spool_dead_reason(pw_spool *s, const char *event_id, const char *destination,
                               char *reason, size_t cap, pw_err *err);

/* Batch forms of retry and dead (one transaction, one fsync): a forwarder's whole request.
 * Dead is all-or-nothing; retry reports PW_ERR_NOTFOUND if some rows were not queued (the others
 * are rescheduled). */
pw_status pw_spool_retry_batch(pw_spool *s, const int64_t *ids, size_t n, int64_t next_attempt_ms,
                               pw_err *err);
/* pw_spool_retry_batch for items whose request went out at sent_ms (pw_gw_now_ms read before the
 * first byte left): the retry row's first attempt (first_ms) is that time rather than the lease's
 * start, when it lies within the lease and not after now; 0: the lease's start. */
pw_status pw_spool_retry_batch_sent(pw_spool *s, const int64_t *ids, size_t n,
                                    int64_t next_attempt_ms, int64_t sent_ms, pw_err *err);
pw_status pw_spool_dead_batch(pw_spool *s, const int64_t *ids, const char *const *reasons, size_t n,
                              pw_err *err);

/* Asynchronous put for an event-driven ingest (e.g. a suspended libmicrohttpd connection): the
 * items are copied, the call returns at once, and `done` runs on the committer thread once the
 * rows are durable (status PW_OK) or refused (PW_ERR_LIMIT → answer 503, …; err describes it).
 * `done` must be quick and must not call back into the spool. A non-OK return means `done` will
 * not be called. pw_spool_close commits every request queued before it and runs its `done`. */
typedef void (*pw_spool_done_fn)(void *ctx, pw_status status, const pw_err *err);
pw_status pw_spool_put_async(pw_spool *s, const pw_spool_put_item *items, size_t n,
                             pw_spool_done_fn done, void *ctx, pw_err *err);
/* pw_spool_put_async that also says which items the spool ignored as duplicates: before `done`
 * runs with PW_OK, dups[i] (n flags, the caller's, alive until then) is 1 when (event_id,
 * destination) of items[i] was already spooled (queued, delivered or dead within the
 * idempotency horizon) or repeated within the request, 0 when the item was written. */
pw_status pw_spool_put_async_dups(pw_spool *s, const pw_spool_put_item *items, size_t n,
                                  unsigned char *dups, pw_spool_done_fn done, void *ctx,
                                  pw_err *err);
/* pw_spool_put_async_dups without the copy: the items, their strings and payloads stay the
 * caller's and must stay valid and unchanged until `done` has run (a suspended HTTP request's
 * arena does). Saves the request path an allocation, a copy of every payload and a free on the
 * committer thread per request. */
pw_status pw_spool_put_async_borrow(pw_spool *s, const pw_spool_put_item *items, size_t n,
                                    unsigned char *dups, pw_spool_done_fn done, void *ctx,
                                    pw_err *err);

/* pw_spool_ack with the payload lengths from the lease (payload_len). Kept for its callers: the
 * spool now takes the lengths from its own lease records, so this is pw_spool_ack. */
pw_status pw_spool_ack_sized(pw_spool *s, const int64_t *ids, const size_t *payload_lens, size_t n,
                             pw_err *err);

/* The same as pw_spool_put but committing its own transaction on the caller's thread (one fsync
 * per call, no group commit): a baseline for measurements. Not for production use. */
pw_status pw_spool_put_unbatched(pw_spool *s, const pw_spool_put_item *items, size_t n,
                                 pw_err *err);

/* ---- additions (gw-ingest) ---------------------------------------------------------------- */

/* Prometheus text: histograms of where the commit path's time goes (queue wait, lock wait, SQL
 * writes, the synced COMMIT, inline checkpoints) and of the forwarders' turns on the spool's
 * lock, plus group-commit counters (commits, requests, items). */
void pw_spool_metrics(pw_spool *s, pw_buf *out);

/* ---- additions (gw-durable) --------------------------------------------------------------- */

/* The most bytes (payloads + keys + 64 per item, as max_bytes counts them) one put request may
 * add now, by the rule the put itself applies: what max_bytes leaves, and the disk beyond the
 * reserve (a commit of b bytes needs b + 16 KiB on the disk and 2b + 16 KiB with the file's free
 * pages, as counted at the last put commit). UINT64_MAX: no bound. One statvfs. */
uint64_t pw_spool_put_room(pw_spool *s);
/* The same, and what max_bytes alone leaves (UINT64_MAX: no max_bytes). */
uint64_t pw_spool_put_room_parts(pw_spool *s, uint64_t *max_left);

/* The put /healthz stands for: a 4 KiB event. */
#define PW_SPOOL_HEALTH_PUT 4096

/* Would a put of PW_SPOOL_HEALTH_PUT bytes be refused now? 0: no; 1: by max_bytes; 2: by the
 * disk reserve (opts.reserve_bytes). For /healthz, which also says the room. */
int pw_spool_full(pw_spool *s);

/* Every destination name the spool has rows for or has had (malloc'd array of malloc'd names;
 * free with pw_spool_names_free). */
pw_status pw_spool_destinations(pw_spool *s, char ***names, size_t *n, pw_err *err);
void pw_spool_names_free(char **names, size_t n);

/* Lease every queued item of a destination, whatever its lease or retry time, for good (not
 * handed out again until settled): for settling the rows of a destination the policy no longer
 * has (dead letters). Call it again until it returns none. */
pw_status pw_spool_lease_all(pw_spool *s, const char *destination, size_t max,
                             pw_spool_item **items, size_t *n, pw_err *err);

/* pw_spool_lease taking the oldest due items first (acceptance order: expired leases and due
 * retries together, then new items), for a paused destination's probe: the items nearest their
 * age limit are the ones that go out, and the first delivered once the upstream takes them. */
pw_status pw_spool_lease_oldest(pw_spool *s, const char *destination, size_t max, unsigned lease_ms,
                                pw_spool_item **items, size_t *n, pw_err *err);

/* pw_spool_retry_batch for items the upstream certainly did not take (refused for the
 * credentials, or not sent at all): their lease does not count as an attempt, so `attempts`
 * keeps counting only the deliveries that may have reached the upstream (the forwarders' retry
 * window applies only to an item with one: docs/gateway-delivery.md, "Credentials refused"). */
pw_status pw_spool_put_back_batch(pw_spool *s, const int64_t *ids, size_t n,
                                  int64_t next_attempt_ms, pw_err *err);

/* ---- additions (gw-retry) ----------------------------------------------------------------- */

/* Before a forwarder sends items of `destination` (the ids of its lease), a durable trace that
 * they may reach the upstream from at_ms on: one row per destination (replacing its previous
 * one), written by the group commit (shared with the puts' fsync) before this returns. Should
 * the process stop before their outcomes are settled (kill -9 mid-send), the next open counts
 * them as attempted: their retry window starts at at_ms (docs/gateway-delivery.md). */
pw_status pw_spool_mark_sending(pw_spool *s, const char *destination, const int64_t *ids, size_t n,
                                int64_t at_ms, pw_err *err);

/* ---- additions (gw-review) ---------------------------------------------------------------- */

/* Opaque text lines kept for the audit log (audit_hold.c: the ingest records of answered
 * requests that the audit log refused when the gateway stopped), in table `held_audit`, added
 * in one synced transaction. The spool's disk reserve is what lets them commit on a full audit
 * disk. */
pw_status pw_spool_hold_lines(pw_spool *s, const char *const *lines, size_t n, pw_err *err);
/* Every held line, oldest first (malloc'd array of malloc'd strings; pw_spool_names_free). */
pw_status pw_spool_held_lines(pw_spool *s, char ***lines, size_t *n, pw_err *err);
/* Delete the first n held lines (those pw_spool_held_lines returned). */
pw_status pw_spool_held_clear(pw_spool *s, size_t n, pw_err *err);

/* ---- additions (audit-chain) -------------------------------------------------------------- */

/* The audit log's head (its path, last durable record's seq and 64-hex hash), remembered
 * outside the log in table audit_head so that a log moved, deleted or cut while the gateway was
 * stopped is noticed at the next start. get: *found 0 when never remembered; *path malloc'd. */
pw_status pw_spool_audit_head_put(pw_spool *s, const char *path, uint64_t seq, const char *hash,
                                  pw_err *err);
pw_status pw_spool_audit_head_get(pw_spool *s, int *found, char **path, uint64_t *seq,
                                  char hash[65], pw_err *err);

/* ---- additions (gw-gate) ------------------------------------------------------------------ */

/* The highest event row committed so far (0: none). Rows only grow (rowids are never reused),
 * so every row committed later is above it: a reload takes it once the requests admitted under
 * the old policy are committed, as the bound of the queue accepted for an old endpoint. */
int64_t pw_spool_high_water(pw_spool *s);

/* The spool's schedule clock, in milliseconds: the wall clock as read when the spool was opened,
 * advanced by CLOCK_MONOTONIC since. Retry times (next_attempt_ms) and leases are on it, so a
 * step of the wall clock (NTP, a restored VM, `date -s`) neither holds retries back for as long
 * as the clock went back nor makes every one of them due, and every lease expire mid-send, when
 * it goes forward. Before, they were on the wall clock. The ages that are wall-clock facts (an
 * event's created_ms, the retry window's first attempt, the audit records' times) stay on it.
 * Without a step since the open it reads the wall clock (to the drift of the two clocks). */
int64_t pw_spool_clock_ms(const pw_spool *s);
/* Write the schedule clock's reading down in the file (table clock_mark) while a retry time
 * waits in it (none: nothing is written), as pw_spool_close does at the stop: the next open
 * goes on from it when the wall clock went back in between, so a retry keeps its distance
 * however long the run went on after its last row. Run at least every PW_SPOOL_HEARTBEAT_MS
 * (pw_gw_serve's sweep): after a crash a retry due later than that from its scheduling is late
 * by that much at most. A retry scheduled to be due sooner (pw_spool_retry*, put back) writes
 * its due time as the mark in its own transaction, unless the mark is already past it: after a
 * crash before it was due it is due at once (early by at most its delay, never late), and a
 * heartbeat never moves the mark back below it. */
pw_status pw_spool_heartbeat(pw_spool *s, pw_err *err);
#define PW_SPOOL_HEARTBEAT_MS 5000
/* A time of the schedule clock, as the wall clock reads it now (the same time when the two
 * differ by a second or less: no step). */
int64_t pw_spool_clock_to_wall(const pw_spool *s, int64_t t);
/* pw_spool_lease_all for the items of rows at or below `upto` (a pw_spool_high_water): the
 * items of later rows are neither leased nor looked past (a forwarder leases them as usual). */
pw_status pw_spool_lease_all_upto(pw_spool *s, const char *destination, int64_t upto, size_t max,
                                  pw_spool_item **items, size_t *n, pw_err *err);

/* The pending sweep of a destination whose endpoint a reload changed: its rows up to `upto` were
 * accepted for the old endpoint and must be dead-lettered before its forwarder runs, also after
 * a restart or a crash (table `gate`, one synced transaction for all n). A reload records its
 * gated destinations with upto INT64_MAX before ingest switches (the bound is not known yet: a
 * crash then sweeps every row queued at the restart, never sends one to the new endpoint), then
 * with the bound; clears each once its sweep is done. */
pw_status pw_spool_gate_put(pw_spool *s, const char *const *dests, size_t n, int64_t upto,
                            pw_err *err);
typedef struct pw_spool_gate {
    char *dest;
    int64_t upto;
} pw_spool_gate;
/* Every recorded gate (malloc'd; pw_spool_gates_free). */
pw_status pw_spool_gates(pw_spool *s, pw_spool_gate **gates, size_t *n, pw_err *err);
void pw_spool_gates_free(pw_spool_gate *gates, size_t n);
pw_status pw_spool_gate_clear(pw_spool *s, const char *dest, pw_err *err);

#endif
