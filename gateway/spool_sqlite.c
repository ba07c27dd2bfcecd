/*
 * spool_sqlite.c — the gateway's embedded durable queue (pw_spool, see spool.h) on SQLite.
 *
 * What is stored: ONLY post-policy payloads. The policy side (ingest) reduces and scrubs each
 * event per destination before calling pw_spool_put; raw IPs, raw URLs and raw user fields never
 * reach this file, the dead-letter table or any log written from here. Rows hold the exact JSON
 * object the destination's forwarder will send, keyed by (event_id, destination).
 *
 * Durability: WAL journal with synchronous=FULL, so a COMMIT returns only after the WAL has been
 * fsync'd: an acknowledged put survives kill -9 and power loss (NORMAL would survive kill -9 only,
 * since WAL frames would sit in the page cache until the next checkpoint). The cost of that fsync
 * is shared by group commit: requests queue up, and one leader (the first synchronous caller to
 * find nobody committing, or the committer thread "pw-spool" for asynchronous puts) takes every
 * queued request into one transaction (each request in its own SAVEPOINT, so one request that is
 * refused does not fail the others); each caller returns only once the COMMIT holding its rows
 * has returned. While a leader commits, the next batch accumulates, and the next leader commits
 * it at once; only a lone request waits (up to commit_interval_ms, until GATHER_ENOUGH have come)
 * for companions. Every put commit is synced; only a forwarder's lease commits without an fsync
 * (leases are cleared on reopen, see spool_sqlite_lease.c), and the next synced commit covers
 * it. WAL checkpoints run on their own connection and thread (spool_sqlite_ckpt.c), not inside a
 * put's commit. Statements are prepared once per connection (pw_spool_stmt).
 *
 * Idempotency: UNIQUE(event_id, destination) with INSERT OR IGNORE. Delivered and dead rows stay as
 * payload-less tombstones (state 1 / 2) for PW_SPOOL_TOMBSTONE_MS (15 min: the tag's retries of
 * one event come within seconds) so that a retry after delivery is still recognised; older
 * tombstones are purged as acks arrive. Upstreams deduplicate by event_id beyond that.
 *
 * Bounded size: `bytes` counts payload + key bytes (+ a fixed per-row overhead) of queued rows
 * and dead letters, and key bytes (+ a smaller overhead) of tombstones. A put that would go beyond
 * max_bytes fails with PW_ERR_LIMIT and nothing of it is stored (ingest answers 503): events are
 * refused at the door, never silently dropped.
 *
 * Concurrency: one SQLite connection guarded by `db_mu`; the committing leader and the forwarders
 * (lease/ack/retry/dead) take turns on it.
 */
#include "spool.h"

#include <errno.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "gw_time.h"
#include "spool_sqlite_internal.h"

static const char SCHEMA[] =
    "CREATE TABLE IF NOT EXISTS spool("
    " id INTEGER PRIMARY KEY,"
    " event_id TEXT NOT NULL,"
    " destination TEXT NOT NULL,"
    " payload BLOB,"
    " created_ms INTEGER NOT NULL,"
    " state INTEGER NOT NULL DEFAULT 0," /* 0 queued, 1 delivered, 2 dead */
    " attempts INTEGER NOT NULL DEFAULT 0,"
    " next_attempt_ms INTEGER NOT NULL DEFAULT 0,"
    " lease_until INTEGER NOT NULL DEFAULT 0,"
    " done_ms INTEGER NOT NULL DEFAULT 0,"
    " UNIQUE(event_id, destination));"
    "CREATE INDEX IF NOT EXISTS spool_due ON spool(destination, state, next_attempt_ms);"
    "CREATE INDEX IF NOT EXISTS spool_done ON spool(done_ms) WHERE state <> 0;"
    "CREATE TABLE IF NOT EXISTS dead("
    " id INTEGER PRIMARY KEY,"
    " spool_id INTEGER NOT NULL,"
    " event_id TEXT NOT NULL,"
    " destination TEXT NOT NULL,"
    " payload BLOB,"
    " created_ms INTEGER NOT NULL,"
    " attempts INTEGER NOT NULL,"
    " dead_ms INTEGER NOT NULL,"
    " reason TEXT NOT NULL);"
    "CREATE INDEX IF NOT EXISTS dead_key ON dead(event_id, destination);";

pw_status pw_spool_db_fail(pw_spool *s, pw_err *err, const char *what)
{
    /* A full disk is the bounded-size case too: ingest answers 503, not 500. */
    pw_status code = sqlite3_errcode(s->db) == SQLITE_FULL ? PW_ERR_LIMIT : PW_ERR_IO;
    return pw_err_set(err, code, "spool: %s: %s", what, sqlite3_errmsg(s->db));
}

pw_status pw_spool_exec(pw_spool *s, const char *sql, pw_err *err)
{
    char *msg = NULL;
    if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) == SQLITE_OK)
        return PW_OK;
    pw_status st = pw_err_set(err, PW_ERR_IO, "spool: %s: %s", sql, msg ? msg : "?");
    sqlite3_free(msg);
    return st;
}

static const char *const stmt_sql[SQL_COUNT] = {
    [SQL_BEGIN] = "BEGIN IMMEDIATE",
    [SQL_COMMIT] = "COMMIT",
    [SQL_ROLLBACK] = "ROLLBACK",
    [SQL_SAVEPOINT] = "SAVEPOINT req",
    [SQL_RELEASE] = "RELEASE req",
    [SQL_ROLLBACK_TO] = "ROLLBACK TO req",
    [SQL_INSERT] = "INSERT OR IGNORE INTO spool(event_id, destination, payload, created_ms)"
                   " VALUES(?1, ?2, ?3, ?4)",
    [SQL_LEASE_SELECT] =
        "SELECT id, event_id, destination, payload, created_ms, attempts FROM spool"
        " WHERE destination = ?1 AND state = 0 AND next_attempt_ms <= ?2 AND lease_until <= ?2"
        " ORDER BY next_attempt_ms, id LIMIT ?3",
    [SQL_LEASE_MARK] = "UPDATE spool SET lease_until = ?1, attempts = attempts + 1 WHERE id = ?2",
    [SQL_ACK_LEN] = "SELECT length(payload) FROM spool WHERE id = ?1 AND state = 0",
    [SQL_ACK] = "UPDATE spool SET state = 1, payload = NULL, done_ms = ?1, lease_until = 0"
                " WHERE id = ?2 AND state = 0",
    [SQL_RETRY] = "UPDATE spool SET next_attempt_ms = ?1, lease_until = 0"
                  " WHERE id = ?2 AND state = 0",
};

sqlite3_stmt *pw_spool_stmt(pw_spool *s, enum pw_spool_sql which)
{
    sqlite3_stmt *st = s->stmts[which];
    if (st) {
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
        return st;
    }
    if (sqlite3_prepare_v3(s->db, stmt_sql[which], -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) !=
        SQLITE_OK) {
        sqlite3_finalize(st);
        return NULL;
    }
    s->stmts[which] = st;
    return st;
}

/* PRAGMA synchronous takes effect when the statement is compiled, not when it runs: no caching.
 * The flag remembers a NORMAL that could not be undone, so that no put ever commits under it. */
pw_status pw_spool_set_synchronous(pw_spool *s, int full, pw_err *err)
{
    pw_status st =
        pw_spool_exec(s, full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL", err);
    if (full && st == PW_OK)
        s->sync_normal = 0;
    if (!full)
        s->sync_normal = 1;
    return st;
}

pw_status pw_spool_begin(pw_spool *s, pw_err *err)
{
    pw_status st = s->sync_normal ? pw_spool_set_synchronous(s, 1, err) : PW_OK;
    return st == PW_OK ? pw_spool_run(s, SQL_BEGIN, err) : st;
}

pw_status pw_spool_run(pw_spool *s, enum pw_spool_sql which, pw_err *err)
{
    sqlite3_stmt *st = pw_spool_stmt(s, which);
    if (!st)
        return pw_spool_db_fail(s, err, stmt_sql[which]);
    int rc = sqlite3_step(st);
    while (rc == SQLITE_ROW) /* a PRAGMA may answer a row */
        rc = sqlite3_step(st);
    pw_status status = rc == SQLITE_DONE ? PW_OK : pw_spool_db_fail(s, err, stmt_sql[which]);
    sqlite3_reset(st);
    return status;
}

uint64_t pw_spool_row_bytes(const char *event_id, const char *dest, size_t payload_len)
{
    return strlen(event_id) + strlen(dest) + payload_len + ROW_OVERHEAD;
}

/* ---- opening ---------------------------------------------------------------------------- */

static pw_status load_bytes(pw_spool *s, pw_err *err)
{
    static const char sql[] =
        "SELECT (SELECT coalesce(sum(length(event_id)+length(destination)+length(payload)+?1),0)"
        "        FROM spool WHERE state = 0)"
        "     + (SELECT coalesce(sum(length(event_id)+length(destination)+length(payload)+?1),0)"
        "        FROM dead)"
        "     + (SELECT coalesce(sum(length(event_id)+length(destination)+?2),0)"
        "        FROM spool WHERE state <> 0)";
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
        return pw_spool_db_fail(s, err, "counting bytes");
    sqlite3_bind_int(st, 1, ROW_OVERHEAD);
    sqlite3_bind_int(st, 2, TOMB_OVERHEAD);
    if (sqlite3_step(st) == SQLITE_ROW)
        s->bytes = (uint64_t)sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return PW_OK;
}

static pw_status configure_db(pw_spool *s, pw_err *err)
{
    static const char *const pragmas[] = {
        "PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL", "PRAGMA foreign_keys=OFF",
        "PRAGMA journal_size_limit=67108864", "PRAGMA wal_autocheckpoint=4000"};
    sqlite3_busy_timeout(s->db, 5000);
    for (size_t i = 0; i < sizeof pragmas / sizeof pragmas[0]; i++) {
        pw_status st = pw_spool_exec(s, pragmas[i], err);
        if (st != PW_OK)
            return st;
    }
    pw_status st = pw_spool_exec(s, SCHEMA, err);
    if (st != PW_OK)
        return st;
    /* A crash leaves leases behind: rows leased by the previous process are due again now. */
    st = pw_spool_exec(s, "UPDATE spool SET lease_until = 0 WHERE state = 0 AND lease_until <> 0",
                       err);
    if (st != PW_OK)
        return st;
    return load_bytes(s, err);
}

static void *committer_main(void *arg);

static void spool_destroy(pw_spool *s)
{
    for (size_t i = 0; i < SQL_COUNT; i++)
        sqlite3_finalize(s->stmts[i]);
    if (s->db)
        sqlite3_close(s->db);
    pthread_mutex_destroy(&s->db_mu);
    pthread_mutex_destroy(&s->q_mu);
    pthread_cond_destroy(&s->q_cond);
    pthread_cond_destroy(&s->done_cond);
    pthread_cond_destroy(&s->interval_cond);
    free(s);
}

pw_status pw_spool_open(const pw_spool_opts *opts, pw_spool **out, pw_err *err)
{
    *out = NULL;
    if (!opts || !opts->path)
        return pw_err_set(err, PW_ERR_INVALID, "spool: no path given");
    pw_spool *s = calloc(1, sizeof *s);
    if (!s)
        return pw_err_set(err, PW_ERR_NOMEM, "spool: out of memory");
    pthread_mutex_init(&s->db_mu, NULL);
    pthread_mutex_init(&s->q_mu, NULL);
    pthread_cond_init(&s->q_cond, NULL);
    pthread_cond_init(&s->done_cond, NULL);
    pthread_cond_init(&s->interval_cond, NULL);
    s->max_bytes = opts->max_bytes;
    s->commit_interval_ms = opts->commit_interval_ms;
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    if (sqlite3_open_v2(opts->path, &s->db, flags, NULL) != SQLITE_OK) {
        pw_err_set(err, PW_ERR_IO, "spool: %s: %s", opts->path,
                   s->db ? sqlite3_errmsg(s->db) : "cannot open");
        spool_destroy(s);
        return PW_ERR_IO;
    }
    chmod(opts->path, S_IRUSR | S_IWUSR); /* post-policy events still are nobody else's business */
    pw_status st = configure_db(s, err);
    if (st != PW_OK) {
        pw_err_prefix(err, "%s: ", opts->path);
        spool_destroy(s);
        return st;
    }
    pw_spool_ckpt_start(s, opts->path);
    if (pthread_create(&s->committer, NULL, committer_main, s) != 0) {
        pw_spool_ckpt_stop(s);
        spool_destroy(s);
        return pw_err_set(err, PW_ERR_IO, "spool: cannot start the committer thread");
    }
    s->committer_running = 1;
    *out = s;
    return PW_OK;
}

void pw_spool_close(pw_spool *s)
{
    if (!s)
        return;
    pthread_mutex_lock(&s->q_mu);
    s->stop = 1;
    pthread_cond_broadcast(&s->q_cond);
    pthread_mutex_unlock(&s->q_mu);
    if (s->committer_running)
        pthread_join(s->committer, NULL);
    pw_spool_ckpt_stop(s);
    /* Checkpoint so the WAL does not keep growing across restarts; failures are harmless. */
    sqlite3_exec(s->db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
    spool_destroy(s);
}

/* ---- writing a batch of put requests ---------------------------------------------------- */

static pw_status insert_item(pw_spool *s, sqlite3_stmt *ins, const pw_spool_put_item *it,
                             int *inserted, pw_err *err)
{
    sqlite3_reset(ins);
    sqlite3_bind_text(ins, 1, it->event_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(ins, 2, it->destination, -1, SQLITE_STATIC);
    sqlite3_bind_blob(ins, 3, it->payload ? it->payload : "", (int)it->payload_len, SQLITE_STATIC);
    sqlite3_bind_int64(ins, 4, it->created_ms ? it->created_ms : pw_gw_now_ms());
    if (sqlite3_step(ins) != SQLITE_DONE)
        return pw_spool_db_fail(s, err, "insert");
    *inserted = sqlite3_changes(s->db) == 1;
    return PW_OK;
}

static pw_status validate_items(const pw_spool_put_item *items, size_t n, pw_err *err)
{
    for (size_t i = 0; i < n; i++) {
        if (!items[i].event_id || !items[i].event_id[0])
            return pw_err_set(err, PW_ERR_INVALID, "spool: item %zu: empty event_id", i);
        if (!items[i].destination || !items[i].destination[0])
            return pw_err_set(err, PW_ERR_INVALID, "spool: item %zu: empty destination", i);
        if (items[i].payload_len > 0x7fffffff)
            return pw_err_set(err, PW_ERR_LIMIT, "spool: item %zu: payload too large", i);
    }
    return PW_OK;
}

/* One request inside the open transaction, in its own savepoint. Adds to *added the bytes of the
 * rows it really inserted; duplicates add nothing, so repeating a stored event succeeds even when
 * the spool is full. */
static pw_status write_request(pw_spool *s, sqlite3_stmt *ins, put_req *r, uint64_t *added,
                               pw_err *err)
{
    pw_status st = validate_items(r->items, r->n, err);
    if (st != PW_OK)
        return st;
    if ((st = pw_spool_run(s, SQL_SAVEPOINT, err)) != PW_OK)
        return st;
    uint64_t mine = 0;
    for (size_t i = 0; i < r->n && st == PW_OK; i++) {
        int inserted = 0;
        st = insert_item(s, ins, &r->items[i], &inserted, err);
        if (inserted)
            mine += pw_spool_row_bytes(r->items[i].event_id, r->items[i].destination,
                                       r->items[i].payload_len);
    }
    if (st == PW_OK && s->max_bytes && s->bytes + *added + mine > s->max_bytes)
        st = pw_err_set(err, PW_ERR_LIMIT,
                        "spool: full (%llu of %llu bytes used, %llu more asked): retry later",
                        (unsigned long long)(s->bytes + *added), (unsigned long long)s->max_bytes,
                        (unsigned long long)mine);
    sqlite3_reset(ins);
    if (st != PW_OK) {
        pw_spool_run(s, SQL_ROLLBACK_TO, NULL);
        pw_spool_run(s, SQL_RELEASE, NULL);
        return st;
    }
    *added += mine;
    return pw_spool_run(s, SQL_RELEASE, err);
}

/* Write every request of the list in one transaction; sets each request's status. */
static void commit_requests(pw_spool *s, put_req *list)
{
    pw_err err = {0};
    sqlite3_stmt *ins = NULL;
    uint64_t added = 0;
    pthread_mutex_lock(&s->db_mu);
    pw_status st = pw_spool_begin(s, &err);
    if (st == PW_OK && !(ins = pw_spool_stmt(s, SQL_INSERT)))
        st = pw_spool_db_fail(s, &err, "prepare insert");
    for (put_req *r = list; r && st == PW_OK; r = r->next)
        r->status = write_request(s, ins, r, &added, &r->err);
    if (st == PW_OK)
        st = pw_spool_run(s, SQL_COMMIT, &err);
    if (st == PW_OK) {
        s->bytes += added;
    } else {
        pw_spool_run(s, SQL_ROLLBACK, NULL);
        for (put_req *r = list; r; r = r->next) {
            r->status = st;
            r->err = err;
        }
    }
    pthread_mutex_unlock(&s->db_mu);
}

/* ---- group commit: a leader commits for everyone queued ------------------------------------ */

/* Call and free the asynchronous requests of a committed list, unlinking them from it. */
static void complete_async(put_req *list)
{
    put_req **link = &list->next;
    for (put_req *r = *link; r; r = *link) {
        if (!r->done_fn) {
            link = &r->next;
            continue;
        }
        *link = r->next;
        r->done_fn(r->done_ctx, r->status, r->status == PW_OK ? NULL : &r->err);
        free(r);
    }
}

/*
 * Called with q_mu held, when requests are queued and nobody is committing. The caller becomes
 * the leader: it waits up to commit_interval_ms for companions, takes every queued request,
 * commits them in one transaction (q_mu released meanwhile, so more requests queue up for the
 * next leader), then marks them done and wakes the waiters. A synchronous caller leads itself,
 * so a lone put costs no thread hand-off; the committer thread leads for asynchronous puts.
 */
static void lead_one_commit(pw_spool *s)
{
    s->committing = 1;
    /* Requests that queued up while the previous commit ran are a batch already: commit them
     * now (waiting would only add to their latency). A lone request waits up to
     * commit_interval_ms for companions, until a few have come. */
    if (s->commit_interval_ms && !s->stop && s->pending < 2) {
        struct timespec until = pw_gw_deadline(s->commit_interval_ms);
        while (!s->stop && s->pending < GATHER_ENOUGH &&
               pthread_cond_timedwait(&s->interval_cond, &s->q_mu, &until) != ETIMEDOUT) {}
    }
    put_req head = {.next = s->head}; /* a dummy head lets complete_async unlink the first too */
    s->head = s->tail = NULL;
    s->pending = 0;
    pthread_mutex_unlock(&s->q_mu);
    commit_requests(s, head.next);
    complete_async(&head);
    pthread_mutex_lock(&s->q_mu);
    for (put_req *r = head.next; r;) {
        put_req *next = r->next; /* r lives on its caller's stack: read before waking it */
        r->done = 1;
        r = next;
    }
    s->committing = 0;
    pthread_cond_broadcast(&s->done_cond);
    if (s->head || s->stop)
        pthread_cond_signal(&s->q_cond); /* the committer thread may lead what is left */
}

static void *committer_main(void *arg)
{
    pw_spool *s = arg;
    pthread_setname_np(pthread_self(), "pw-spool"); /* per-thread CPU in bench/gateway.sh */
    pthread_mutex_lock(&s->q_mu);
    for (;;) {
        while (s->committing || (!s->head && !s->stop))
            pthread_cond_wait(&s->q_cond, &s->q_mu);
        if (!s->head)
            break; /* stopping, and everything queued is committed */
        lead_one_commit(s);
    }
    pthread_mutex_unlock(&s->q_mu);
    return NULL;
}

/* Queue r (q_mu held). Asynchronous requests wake the committer thread to lead them. */
static pw_status enqueue(pw_spool *s, put_req *r, pw_err *err)
{
    if (s->stop)
        return pw_err_set(err, PW_ERR_STATE, "spool: closing");
    if (s->tail)
        s->tail->next = r;
    else
        s->head = r;
    s->tail = r;
    s->pending++;
    if (r->done_fn && !s->committing)
        pthread_cond_signal(&s->q_cond);
    if (s->pending >= GATHER_ENOUGH)
        pthread_cond_signal(&s->interval_cond); /* enough companions: commit now */
    return PW_OK;
}

pw_status pw_spool_put(pw_spool *s, const pw_spool_put_item *items, size_t n, pw_err *err)
{
    if (n == 0)
        return PW_OK;
    put_req r = {.items = items, .n = n, .status = PW_OK};
    pthread_mutex_lock(&s->q_mu);
    pw_status st = enqueue(s, &r, err);
    if (st != PW_OK) {
        pthread_mutex_unlock(&s->q_mu);
        return st;
    }
    while (!r.done) {
        if (!s->committing)
            lead_one_commit(s);
        else
            pthread_cond_wait(&s->done_cond, &s->q_mu);
    }
    pthread_mutex_unlock(&s->q_mu);
    if (r.status != PW_OK && err)
        *err = r.err;
    return r.status;
}

pw_status pw_spool_put_unbatched(pw_spool *s, const pw_spool_put_item *items, size_t n, pw_err *err)
{
    put_req r = {.items = items, .n = n, .status = PW_OK};
    commit_requests(s, &r);
    if (r.status != PW_OK && err)
        *err = r.err;
    return r.status;
}

/* One heap block: the request, the item array, then every string of every item. */
static put_req *copy_request(const pw_spool_put_item *items, size_t n)
{
    size_t bytes = sizeof(put_req) + n * sizeof(pw_spool_put_item);
    for (size_t i = 0; i < n; i++)
        bytes += strlen(items[i].event_id ? items[i].event_id : "") + 1 +
                 strlen(items[i].destination ? items[i].destination : "") + 1 +
                 items[i].payload_len + 1;
    put_req *r = calloc(1, bytes);
    if (!r)
        return NULL;
    pw_spool_put_item *copy = (pw_spool_put_item *)(r + 1);
    char *p = (char *)(copy + n);
    for (size_t i = 0; i < n; i++) {
        const char *strs[2] = {items[i].event_id ? items[i].event_id : "",
                               items[i].destination ? items[i].destination : ""};
        copy[i] = items[i];
        for (int k = 0; k < 2; k++) {
            size_t len = strlen(strs[k]) + 1;
            memcpy(p, strs[k], len);
            if (k == 0)
                copy[i].event_id = p;
            else
                copy[i].destination = p;
            p += len;
        }
        if (items[i].payload_len)
            memcpy(p, items[i].payload, items[i].payload_len);
        p[items[i].payload_len] = '\0';
        copy[i].payload = p;
        p += items[i].payload_len + 1;
    }
    r->items = copy;
    r->n = n;
    return r;
}

pw_status pw_spool_put_async(pw_spool *s, const pw_spool_put_item *items, size_t n,
                             pw_spool_done_fn done, void *ctx, pw_err *err)
{
    if (!done)
        return pw_err_set(err, PW_ERR_INVALID, "spool: put_async needs a completion callback");
    put_req *r = copy_request(items, n);
    if (!r)
        return pw_err_set(err, PW_ERR_NOMEM, "spool: out of memory queueing %zu items", n);
    r->done_fn = done;
    r->done_ctx = ctx;
    pthread_mutex_lock(&s->q_mu);
    pw_status st = enqueue(s, r, err);
    pthread_mutex_unlock(&s->q_mu);
    if (st != PW_OK)
        free(r);
    return st;
}
