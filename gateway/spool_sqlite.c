/*
 * spool_sqlite.c — the gateway's embedded durable queue (pw_spool, see spool.h) on SQLite:
 * opening, statements, destinations and group commit. Rows are written by spool_sqlite_put.c,
 * leased and settled by spool_sqlite_lease.c; the layout is in spool_sqlite_schema.c.
 *
 * What is stored: ONLY post-policy payloads. The policy side (ingest) reduces and scrubs each
 * event per destination before calling pw_spool_put; raw IPs, raw URLs and raw user fields never
 * reach this file, the dead-letter table or any log written from here. A row holds, per
 * destination, the exact JSON object that destination's forwarder will send.
 *
 * Durability: WAL journal with synchronous=FULL, so a COMMIT returns only after the WAL has been
 * fsync'd: an acknowledged put survives kill -9 and power loss. The cost of that fsync is shared
 * by group commit: requests queue up, and one leader (the first synchronous caller to find
 * nobody committing, or the committer thread "pw-spool" for asynchronous puts) takes every
 * queued request into one transaction; each caller returns only once the COMMIT holding its
 * rows has returned. While a leader commits, the next batch accumulates, and the next leader
 * commits it at once; only a lone request waits (up to commit_interval_ms, until GATHER_ENOUGH
 * have come) for companions; under load (the previous batch took PW_SPOOL_LOAD_BATCH requests or
 * more, while puts arrive at PW_SPOOL_LOAD_PER_MS or faster) the leader waits load_gather_us
 * before taking its batch, so that more share its fsync.
 * Every commit that changes the spool is synced (puts, acks,
 * retries, dead letters); leases are not written at all (they live in memory and end with the
 * process, so a crash mid-delivery re-sends, deduplicated upstream by event_id). WAL
 * checkpoints run on their own connection and thread (spool_sqlite_ckpt.c).
 *
 * Idempotency: event_id. A repeated (event_id, destination) is ignored, found through an
 * in-memory index of every row (rebuilt from the rows on open). Delivered and dead items stay as
 * payload-less tombstones for PW_SPOOL_TOMBSTONE_MS after acceptance (15 min: the tag drops a
 * stored event first sent more than 10 min ago instead of sending it again — its MAX_AGE, checked
 * below this window by tests/integration/gateway_tag.sh) so that a retry after delivery is still
 * recognised; older
 * tombstones are purged in rowid ranges as acks arrive. Upstreams deduplicate by event_id
 * beyond that.
 *
 * Bounded size: `bytes` counts payload + key bytes (+ a fixed per-item overhead) of queued items
 * and dead letters, and key bytes (+ a smaller overhead) of tombstones. A put that would go beyond
 * max_bytes fails with PW_ERR_LIMIT and nothing of it is stored (ingest answers 503): events are
 * refused at the door, never silently dropped.
 *
 * Concurrency: one SQLite connection guarded by `db_mu`; the committing leader and the forwarders
 * (lease/ack/retry/dead) take turns on it.
 */
#include "spool.h"

#include <errno.h>
#include <stddef.h>
#include <pthread.h>
#include <sched.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "gw_lock.h"
#include "gw_time.h"
#include "spool_sqlite_internal.h"

/* The operating system's reason behind an I/O error of SQLite (" (Read-only file system)"),
 * or "": SQLite's own message says "disk I/O error" whatever the cause, and a read-only or failing
 * file system is not a corrupt file — /healthz and the log must tell them apart (the advice for
 * one, moving the file aside, is wrong for the other). `e`: errno as the failed call left it
 * (SQLite's sqlite3_system_errno is 0 after a failed write of a COMMIT); only the reasons a file
 * system gives for refusing a write are named, so a stale errno of something else is not. */
static const char *os_reason(pw_spool *s, int e, char *buf, size_t cap)
{
    int rc = sqlite3_errcode(s->db) & 0xff, sys = sqlite3_system_errno(s->db);
    buf[0] = '\0';
    if (sys > 0)
        e = sys;
    if ((rc == SQLITE_IOERR || rc == SQLITE_FULL || rc == SQLITE_READONLY ||
         rc == SQLITE_CANTOPEN) &&
        (e == EROFS || e == EIO || e == ENOSPC || e == EDQUOT || e == EFBIG || e == EACCES ||
         e == EPERM))
        snprintf(buf, cap, " (%s)", strerror(e));
    return buf;
}

pw_status pw_spool_db_fail(pw_spool *s, pw_err *err, const char *what)
{
    int e = errno; /* first: what the failed call left */
    /* A full disk is the bounded-size case too: ingest answers 503, not 500. */
    pw_status code = sqlite3_errcode(s->db) == SQLITE_FULL ? PW_ERR_LIMIT : PW_ERR_IO;
    char why[64];
    return pw_err_set(err, code, "spool: %s: %s%s", what, sqlite3_errmsg(s->db),
                      os_reason(s, e, why, sizeof why));
}

pw_status pw_spool_exec(pw_spool *s, const char *sql, pw_err *err)
{
    char *msg = NULL;
    errno = 0;
    if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) == SQLITE_OK)
        return PW_OK;
    int e = errno;
    char why[64];
    pw_status st =
        pw_err_set(err, sqlite3_errcode(s->db) == SQLITE_FULL ? PW_ERR_LIMIT : PW_ERR_IO,
                   "spool: %.80s: %s%s", sql, msg ? msg : "?", os_reason(s, e, why, sizeof why));
    sqlite3_free(msg);
    return st;
}

static int64_t clock_ns(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t pw_spool_clock_ms(const pw_spool *s)
{
    /* in nanoseconds, rounded once: without a step it reads what the wall clock reads */
    return (clock_ns(CLOCK_MONOTONIC) + s->clock_offset_ns) / 1000000;
}

int64_t pw_spool_clock_to_wall(const pw_spool *s, int64_t t)
{
    /* The two clocks are read one after the other: without a step they differ by a millisecond
     * of rounding at most, which must not move a time past the moment it was taken. */
    int64_t step = pw_gw_now_ms() - pw_spool_clock_ms(s);
    return step > 1000 || step < -1000 ? t + step : t;
}

static const char *const stmt_sql[SQL_COUNT] = {
    [SQL_BEGIN] = "BEGIN IMMEDIATE",
    [SQL_COMMIT] = "COMMIT",
    [SQL_ROLLBACK] = "ROLLBACK",
    /* The ev rows themselves are written by multi-row INSERTs (spool_sqlite_put.c). */
    [SQL_MAX_ID] = "SELECT coalesce(max(id), 0) FROM ev",
    [SQL_INSERT_BODY] = "INSERT INTO body(id, payloads) VALUES(?1, ?2)",
    [SQL_ROW_DESTS] = "SELECT dests FROM ev WHERE id = ?1 AND event_id = ?2",
    [SQL_BODY] = "SELECT payloads FROM body WHERE id = ?1",
    [SQL_ROW] = "SELECT id, created_ms, pending, dests, event_id, coalesce(grp, id),"
                " coalesce(off, 0), coalesce(consent, 0) FROM ev WHERE id = ?1",
    [SQL_SCAN_FROM] = "SELECT id, created_ms, pending, dests, event_id, coalesce(grp, id),"
                      " coalesce(off, 0), coalesce(consent, 0) FROM ev WHERE id >= ?1 ORDER BY id",
    [SQL_SCAN_STATE] = "SELECT id, created_ms, pending, dests FROM ev WHERE id >= ?1 ORDER BY id",
    [SQL_ACK] = "UPDATE ev SET pending = pending & ~?1 WHERE id BETWEEN ?2 AND ?3"
                " AND pending & ?1 <> 0",
    [SQL_FINISHING] = "SELECT coalesce(grp, id) FROM ev WHERE id BETWEEN ?2 AND ?3"
                      " AND pending = ?1",
    [SQL_CLEAR_BIT] = "UPDATE ev SET pending = pending & ~?1 WHERE id = ?2 AND pending & ?1 <> 0",
    [SQL_DROP_BODY] = "DELETE FROM body WHERE id = ?1",
    [SQL_RETRY_DUE] = "SELECT item, attempts, first_ms FROM retry WHERE dest = ?1"
                      " AND next_attempt_ms <= ?2 ORDER BY next_attempt_ms",
    [SQL_RETRY_OLDEST] =
        "SELECT item, attempts, first_ms FROM retry WHERE dest = ?1 AND next_attempt_ms <= ?2"
        " ORDER BY item",
    [SQL_RETRY_HAS] = "SELECT attempts, first_ms, next_attempt_ms, seq FROM retry WHERE item = ?1",
    [SQL_MARK_PUT] =
        "INSERT OR REPLACE INTO sending(dest, at_ms, items, seq) VALUES(?1, ?2, ?3, ?4)",
    /* first_ms: set once, by the first attempt that may have reached the upstream. */
    [SQL_RETRY_PUT] = "INSERT INTO retry(item, dest, next_attempt_ms, attempts, first_ms, seq)"
                      " VALUES(?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(item) DO UPDATE SET"
                      " next_attempt_ms = excluded.next_attempt_ms, seq = excluded.seq,"
                      " attempts = max(attempts, excluded.attempts),"
                      " first_ms = CASE WHEN first_ms > 0 THEN first_ms ELSE excluded.first_ms END",
    [SQL_RETRY_DEL] = "DELETE FROM retry WHERE item IN (SELECT value FROM json_each(?1))",
    [SQL_RETRY_COUNT] = "SELECT count(*) FROM retry WHERE dest = ?1",
    /* Plain pragmas, not pragma_freelist_count / pragma_page_size: a table-valued pragma
     * prepares its PRAGMA statement again at every step (once per group commit here). */
    [SQL_FREE_PAGES] = "PRAGMA freelist_count",
    [SQL_PAGE_SIZE] = "PRAGMA page_size",
    [SQL_DEAD_PUT] = "INSERT INTO dead(spool_id, event_id, destination, payload, created_ms,"
                     " attempts, dead_ms, reason) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    [SQL_PURGE] = "DELETE FROM ev WHERE id >= ?1 AND id < ?2 AND created_ms < ?3"
                  " AND pending = " PW_SPOOL_PENDING_BASE_SQL " RETURNING id, dests, event_id",
    [SQL_PURGE_STOP] =
        "SELECT id, created_ms FROM ev WHERE id >= ?1 AND id < ?2 AND created_ms >= ?3"
        " ORDER BY id LIMIT 1",
    [SQL_DELETE_ROWS] =
        "DELETE FROM ev WHERE id BETWEEN ?1 AND ?2 AND created_ms < ?3"
        " AND pending = " PW_SPOOL_PENDING_BASE_SQL " RETURNING id, dests, event_id",
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

pw_status pw_spool_begin(pw_spool *s, pw_err *err)
{
    return pw_spool_run(s, SQL_BEGIN, err);
}

pw_status pw_spool_in_txn(pw_spool *s, pw_spool_txn_fn fn, void *ctx, pw_err *err)
{
    pthread_mutex_lock(&s->db_mu);
    pw_status status = pw_spool_begin(s, err);
    if (status == PW_OK)
        status = fn(s, ctx, err);
    if (status == PW_OK)
        status = pw_spool_run(s, SQL_COMMIT, err);
    else if (!sqlite3_get_autocommit(s->db))
        pw_spool_run(s, SQL_ROLLBACK, NULL);
    pthread_mutex_unlock(&s->db_mu);
    return status;
}

int pw_spool_has_table(pw_spool *s, const char *name)
{
    sqlite3_stmt *st = NULL;
    int found = 0;
    if (sqlite3_prepare_v2(s->db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1",
                           -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
        found = sqlite3_step(st) == SQLITE_ROW;
    }
    sqlite3_finalize(st);
    return found;
}

pw_status pw_spool_run(pw_spool *s, enum pw_spool_sql which, pw_err *err)
{
    sqlite3_stmt *st = pw_spool_stmt(s, which);
    if (!st)
        return pw_spool_db_fail(s, err, stmt_sql[which]);
    errno = 0; /* what a failure leaves is then its own (pw_spool_db_fail names it) */
    int rc = sqlite3_step(st);
    while (rc == SQLITE_ROW)
        rc = sqlite3_step(st);
    pw_status status = rc == SQLITE_DONE ? PW_OK : pw_spool_db_fail(s, err, stmt_sql[which]);
    sqlite3_reset(st);
    return status;
}

uint64_t pw_spool_item_bytes(size_t eid_len, size_t dest_len, size_t payload_len, int queued)
{
    return eid_len + dest_len + (queued ? payload_len + ROW_OVERHEAD : TOMB_OVERHEAD);
}

char *pw_spool_scratch(pw_spool *s, size_t n)
{
    if (n <= s->scratch_cap)
        return s->scratch;
    size_t cap = s->scratch_cap ? s->scratch_cap : 4096;
    while (cap < n)
        cap *= 2;
    char *p = realloc(s->scratch, cap);
    if (!p)
        return NULL;
    s->scratch = p;
    s->scratch_cap = cap;
    return p;
}

/* Decimal digits of v at p (no terminator); returns the end. */
static char *put_int(char *p, int64_t v)
{
    char tmp[24];
    int n = 0;
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    if (v < 0)
        *p++ = '-';
    do {
        tmp[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    while (n)
        *p++ = tmp[--n];
    return p;
}

const char *pw_spool_json_ids(pw_spool *s, const int64_t *v, size_t n)
{
    char *out = pw_spool_scratch(s, n * 21 + 3);
    if (!out)
        return NULL;
    char *p = out;
    *p++ = '[';
    for (size_t i = 0; i < n; i++) {
        if (i)
            *p++ = ',';
        p = put_int(p, v[i]);
    }
    *p++ = ']';
    *p = '\0';
    return out;
}

/* ---- destinations ------------------------------------------------------------------------- */

pw_spool_dest *pw_spool_dest_by_name(pw_spool *s, const char *name)
{
    for (size_t i = 0; i < s->n_dests; i++)
        if (strcmp(s->dests[i].name, name) == 0)
            return &s->dests[i];
    return NULL;
}

pw_spool_dest *pw_spool_dest_by_id(pw_spool *s, int64_t id)
{
    for (size_t i = 0; i < s->n_dests; i++)
        if (s->dests[i].id == id)
            return &s->dests[i];
    return NULL;
}

static pw_spool_dest *dest_push(pw_spool *s, int64_t id, const char *name)
{
    pw_spool_dest *grown = realloc(s->dests, (s->n_dests + 1) * sizeof *grown);
    if (!grown)
        return NULL;
    s->dests = grown;
    pw_spool_dest *d = &s->dests[s->n_dests];
    memset(d, 0, sizeof *d);
    if (!(d->name = strdup(name)))
        return NULL;
    d->id = id;
    d->name_len = strlen(name);
    d->cursor = d->low = s->last_row + 1; /* no row names it yet */
    s->n_dests++;
    return d;
}

static pw_status insert_dest(pw_spool *s, const char *name, int64_t *id, pw_err *err)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db, "INSERT INTO dest(name) VALUES(?1)", -1, &st, NULL) != SQLITE_OK)
        return pw_spool_db_fail(s, err, "preparing a destination");
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return pw_spool_db_fail(s, err, "adding a destination");
    *id = sqlite3_last_insert_rowid(s->db);
    return PW_OK;
}

/* Inside an open transaction the new name joins it; otherwise it commits on its own. */
pw_status pw_spool_dest_add(pw_spool *s, const char *name, pw_spool_dest **out, pw_err *err)
{
    if ((*out = pw_spool_dest_by_name(s, name)))
        return PW_OK;
    int own = sqlite3_get_autocommit(s->db);
    int64_t id = 0;
    pw_status st = own ? pw_spool_begin(s, err) : PW_OK;
    if (st == PW_OK)
        st = insert_dest(s, name, &id, err);
    if (st == PW_OK && id > 0xffff)
        st = pw_err_set(err, PW_ERR_LIMIT, "spool: more than 65535 destination names");
    if (own)
        st = st == PW_OK ? pw_spool_run(s, SQL_COMMIT, err)
                         : (pw_spool_run(s, SQL_ROLLBACK, NULL), st);
    if (st != PW_OK)
        return st;
    if (!(*out = dest_push(s, id, name)))
        return pw_err_set(err, PW_ERR_NOMEM, "spool: out of memory");
    return PW_OK;
}

static pw_status load_dest_names(pw_spool *s, pw_err *err)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db, "SELECT id, name FROM dest ORDER BY id", -1, &st, NULL) !=
        SQLITE_OK)
        return pw_spool_db_fail(s, err, "reading destinations");
    pw_status status = PW_OK;
    while (status == PW_OK && sqlite3_step(st) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(st, 1);
        if (!pw_spool_dest_by_name(s, name ? name : "") &&
            !dest_push(s, sqlite3_column_int64(st, 0), name ? name : ""))
            status = pw_err_set(err, PW_ERR_NOMEM, "spool: out of memory");
    }
    sqlite3_finalize(st);
    return status;
}

/* ---- opening ---------------------------------------------------------------------------- */

static pw_status configure_db(pw_spool *s, pw_err *err)
{
    static const char *const pragmas[] = {
        "PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL", "PRAGMA foreign_keys=OFF",
        "PRAGMA journal_size_limit=67108864", "PRAGMA cache_size=-16384",
        "PRAGMA wal_autocheckpoint=4000",
        /* Deleted content is zeroed where that costs no write: inside the B-tree pages a
         * delete rewrites anyway (the ev rows, a body's first bytes). Not the pages a deleted
         * body frees (its overflow chain): SQLite built with SQLITE_SECURE_DELETE (Debian's is)
         * wrote each of them again, zeroed, through the WAL and then the checkpoint, as many
         * bytes as the put had written; they go on the free list as they are, and the next
         * puts reuse them (test_gw_spool_io). */
        "PRAGMA secure_delete=FAST",
        /* The acks' savepoint journal (the pages they change, to roll back only them) stays in
         * memory instead of spilling to a temporary file created, written and deleted on every
         * group commit with acks. Only the rollback of a savepoint reads it; crash recovery is
         * the WAL's. */
        "PRAGMA temp_store=MEMORY"};
    sqlite3_busy_timeout(s->db, 5000);
    for (size_t i = 0; i < sizeof pragmas / sizeof pragmas[0]; i++) {
        pw_status st = pw_spool_exec(s, pragmas[i], err);
        if (st != PW_OK)
            return st;
    }
    pw_status st = pw_spool_schema_ready(s, err);
    if (st == PW_OK)
        st = load_dest_names(s, err);
    if (st == PW_OK)
        st = pw_spool_load(s, err);
    return st == PW_OK ? pw_spool_marks_recover(s, err) : st;
}

static void random_key(uint64_t key[2])
{
    if (getrandom(key, 2 * sizeof key[0], 0) == (ssize_t)(2 * sizeof key[0]))
        return;
    struct timespec ts; /* no entropy source: still a key nobody outside can read */
    clock_gettime(CLOCK_REALTIME, &ts);
    key[0] = (uint64_t)ts.tv_nsec * 0x9E3779B97F4A7C15ull ^ (uint64_t)(uintptr_t)key;
    key[1] = (uint64_t)ts.tv_sec ^ (uint64_t)getpid() << 32;
}

static void *committer_main(void *arg);

static void spool_destroy(pw_spool *s)
{
    for (size_t i = 0; i < SQL_COUNT; i++)
        sqlite3_finalize(s->stmts[i]);
    pw_spool_rows_free(s);
    if (s->db)
        sqlite3_close(s->db);
    if (s->lock_fd >= 0) /* only after SQLite's own descriptors are closed (gw_lock.h) */
        close(s->lock_fd);
    for (size_t i = 0; i < s->n_dests; i++) {
        free(s->dests[i].name);
        pw_spool_map_free(&s->dests[i].leases);
        pw_spool_map_free(&s->dests[i].expired);
    }
    free(s->dests);
    pw_spool_map_free(&s->keys);
    free(s->scratch);
    free(s->undo.pairs);
    free(s->planned);
    free(s->planned_dup);
    free(s->planned_dest);
    pw_spool_map_free(&s->groups);
    free(s->new_groups.pairs);
    free(s->gbody);
    free(s->path);
    pthread_mutex_destroy(&s->db_mu);
    pthread_mutex_destroy(&s->q_mu);
    sem_destroy(&s->q_wake);
    pthread_cond_destroy(&s->done_cond);
    sem_destroy(&s->gather_wake);
    free(s);
}

/* The process's file-size limit (RLIMIT_FSIZE: `ulimit -f`, systemd's LimitFSIZE=), or
 * UINT64_MAX. Read at each use: it can be raised while the gateway runs (prlimit). */
static uint64_t fsize_limit(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_FSIZE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY)
        return UINT64_MAX;
    return (uint64_t)rl.rlim_cur;
}

/* What the file-size limit still lets the spool's files grow by: a write past it fails with
 * EFBIG (SQLite: a disk I/O error) as a full disk's fails with ENOSPC, for the database file
 * (checkpoints) and its WAL (every commit) alike, so the larger of the two counts. */
static uint64_t fsize_room(const pw_spool *s)
{
    uint64_t limit = fsize_limit();
    if (limit == UINT64_MAX)
        return UINT64_MAX;
    struct stat st;
    uint64_t biggest = 0;
    if (stat(s->path, &st) == 0)
        biggest = (uint64_t)st.st_size;
    char wal[4096];
    if (snprintf(wal, sizeof wal, "%s-wal", s->path) < (int)sizeof wal && stat(wal, &st) == 0 &&
        (uint64_t)st.st_size > biggest)
        biggest = (uint64_t)st.st_size;
    return limit > biggest ? limit - biggest : 0;
}

uint64_t pw_spool_disk_free(const pw_spool *s)
{
    /* A file-size limit is a disk as small as it leaves: the reserve and the 503s that keep it
     * free for delivery outcomes work the same (before, the first write past the limit killed
     * the gateway with SIGXFSZ, and once that was ignored, puts filled the room to the last byte
     * and the acks of the spooled events could not commit either). */
    uint64_t room = fsize_room(s);
    struct statvfs vs;
    if (statvfs(s->path, &vs) != 0)
        return room;
    uint64_t disk = (uint64_t)vs.f_bavail * vs.f_frsize;
    return disk < room ? disk : room;
}

/* The disk reserve (spool.h): given, or an eighth of the disk between 64 KiB and 64 MiB. */
static uint64_t reserve_for(const pw_spool_opts *o)
{
    if (o->reserve_bytes == PW_SPOOL_NO_RESERVE)
        return 0;
    if (o->reserve_bytes)
        return o->reserve_bytes;
    char *dir = strdup(o->path);
    if (!dir)
        return 0;
    char *slash = strrchr(dir, '/');
    if (slash)
        slash == dir ? (void)(slash[1] = '\0') : (void)(*slash = '\0');
    struct statvfs vs;
    uint64_t r = 0;
    if (statvfs(slash ? dir : ".", &vs) == 0) {
        /* of the disk, or of what a file-size limit lets a file hold when that is less */
        uint64_t size = (uint64_t)vs.f_blocks * vs.f_frsize, limit = fsize_limit();
        r = (size < limit ? size : limit) / 8;
        r = r < (64u << 10) ? (64u << 10) : r > (64u << 20) ? (64u << 20) : r;
    }
    free(dir);
    return r;
}

/* The errno of the spool file's directory when it is what stops the open (missing, not a
 * directory, not writable), else 0. path is modified temporarily, so it is a private copy. */
static int spool_dir_errno(char *path)
{
    char *slash = strrchr(path, '/');
    const char *dir = ".";
    if (slash == path)
        dir = "/";
    else if (slash) {
        *slash = '\0';
        dir = path;
    }
    struct stat sb;
    int e = 0;
    if (stat(dir, &sb) != 0)
        e = errno;
    else if (!S_ISDIR(sb.st_mode))
        e = ENOTDIR;
    else if (access(dir, W_OK | X_OK) != 0)
        e = errno;
    if (slash && slash != path)
        *slash = '/';
    return e;
}

/* The latest wall-clock time an earlier run recorded in the file: its newest event's acceptance,
 * its last send mark, the first attempt of a retry (0: none). */
static int64_t last_recorded_ms(pw_spool *s)
{
    static const char sql[] =
        "SELECT max(coalesce((SELECT created_ms FROM ev ORDER BY id DESC LIMIT 1), 0),"
        " coalesce((SELECT max(at_ms) FROM sending), 0),"
        " coalesce((SELECT max(first_ms) FROM retry), 0))";
    sqlite3_stmt *st = NULL;
    int64_t v = 0;
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

/* The schedule clock's reading the previous run last wrote down (pw_spool_heartbeat: at its
 * close, and every few seconds while retries wait), 0: none. Table clock_mark, one row, created
 * when first used (an older phiwall ignores it). */
static int64_t last_heartbeat_ms(pw_spool *s)
{
    if (!pw_spool_has_table(s, "clock_mark"))
        return 0;
    sqlite3_stmt *st = NULL;
    int64_t v = 0;
    if (sqlite3_prepare_v2(s->db, "SELECT at_ms FROM clock_mark WHERE id = 1", -1, &st, NULL) ==
            SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

/* The wall clock went back while the gateway was stopped (an NTP step at boot, a VM restored
 * from a snapshot, `date -s`): the retry times in the file, on the previous run's schedule clock,
 * would lie as far ahead as the clock went back (a retry due in a minute held back for hours).
 * The schedule clock then goes on from the latest time the file records instead of the wall
 * clock's reading: the retries keep their distance, as if the stop had taken no time. That time
 * is the previous run's last heartbeat of its schedule clock (its stop, or a few seconds before
 * a crash), or the latest wall-clock time of its rows. Before the heartbeat, only the rows: a
 * retry was late by as long as the previous run went on after its last row (an hour-long backoff
 * scheduled, then a quiet hour, then the stop: due an hour after the restart instead of at once).
 * A clock gone forward needs nothing: the retries are due, as they would be after such a stop. */
static void resume_schedule_clock(pw_spool *s)
{
    int64_t last = last_recorded_ms(s), beat = last_heartbeat_ms(s), now = pw_spool_clock_ms(s);
    if (beat > last)
        last = beat;
    if (last > now + 1000)
        s->clock_offset_ns += (last - now) * 1000000;
}

/* Does the file hold a retry time (on the schedule clock) for the next run to keep? */
static int retries_wait(pw_spool *s)
{
    sqlite3_stmt *st = NULL;
    int any =
        sqlite3_prepare_v2(s->db, "SELECT 1 FROM retry LIMIT 1", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    return any;
}

/* Write `at` (the schedule clock) as the mark (db_mu held; inside a transaction or on its own).
 * The table is created when first used; heartbeat_table is set by the caller once that is
 * committed. */
static pw_status put_mark(pw_spool *s, int64_t at, pw_err *err)
{
    pw_status st = s->heartbeat_table ? PW_OK
                                      : pw_spool_exec(s,
                                                      "CREATE TABLE IF NOT EXISTS clock_mark(id "
                                                      "INTEGER PRIMARY KEY CHECK (id = 1), at_ms "
                                                      "INTEGER NOT NULL)",
                                                      err);
    char sql[96];
    snprintf(sql, sizeof sql, "INSERT OR REPLACE INTO clock_mark(id, at_ms) VALUES (1, %lld)",
             (long long)at);
    return st == PW_OK ? pw_spool_exec(s, sql, err) : st;
}

static pw_status write_heartbeat(pw_spool *s, int64_t at, pw_err *err)
{
    if (!retries_wait(s))
        return PW_OK; /* nothing waits on the schedule clock: no write (an idle spool stays idle) */
    pw_status st = put_mark(s, at, err);
    if (st == PW_OK) {
        s->heartbeat_table = 1;
        s->mark_ms = at;
    }
    return st;
}

pw_status pw_spool_heartbeat(pw_spool *s, pw_err *err)
{
    pthread_mutex_lock(&s->db_mu);
    /* never below a retry's due time written as the mark (pw_spool_mark_due): a crash before
     * that retry is due would make it late again */
    int64_t now = pw_spool_clock_ms(s);
    pw_status st = write_heartbeat(s, s->mark_ms > now ? s->mark_ms : now, err);
    pthread_mutex_unlock(&s->db_mu);
    return st;
}

int64_t pw_spool_mark_due(pw_spool *s, int64_t due, pw_err *err, pw_status *st)
{
    *st = PW_OK;
    if (due <= s->mark_ms || due > pw_spool_clock_ms(s) + PW_SPOOL_HEARTBEAT_MS)
        return 0; /* covered already, or later than the next heartbeat: it keeps the mark */
    *st = put_mark(s, due, err);
    return *st == PW_OK ? due : 0;
}

void pw_spool_mark_committed(pw_spool *s, int64_t due)
{
    if (!due)
        return;
    s->heartbeat_table = 1;
    if (due > s->mark_ms)
        s->mark_ms = due;
}

pw_status pw_spool_open(const pw_spool_opts *opts, pw_spool **out, pw_err *err)
{
    *out = NULL;
    if (!opts || !opts->path)
        return pw_err_set(err, PW_ERR_INVALID, "spool: no path given");
    pw_spool *s = calloc(1, sizeof *s);
    if (!s)
        return pw_err_set(err, PW_ERR_NOMEM, "spool: out of memory");
    s->lock_fd = -1;
    pthread_mutex_init(&s->db_mu, NULL);
    pthread_mutex_init(&s->q_mu, NULL);
    sem_init(&s->q_wake, 0, 0);
    pw_gw_cond_init(&s->done_cond);
    sem_init(&s->gather_wake, 0, 0);
    s->max_bytes = opts->max_bytes;
    s->commit_interval_ms = opts->commit_interval_ms;
    s->clock_offset_ns = clock_ns(CLOCK_REALTIME) - clock_ns(CLOCK_MONOTONIC);
    s->load_gather_us = opts->load_gather_us;
    s->path = strdup(opts->path);
    s->reserve = s->path ? reserve_for(opts) : 0;
    random_key(s->hash_key);
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    if (!s->path || sqlite3_open_v2(opts->path, &s->db, flags, NULL) != SQLITE_OK) {
        /* SQLite says "unable to open database file" whatever the cause: name the usual one */
        const char *why = s->db ? sqlite3_errmsg(s->db) : "cannot open";
        int dir_errno = s->path ? spool_dir_errno(s->path) : 0;
        if (dir_errno)
            pw_err_set(err, PW_ERR_IO, "spool: %s: its directory: %s", opts->path,
                       strerror(dir_errno));
        else
            pw_err_set(err, PW_ERR_IO, "spool: %s: %s", opts->path, why);
        spool_destroy(s);
        return PW_ERR_IO;
    }
    chmod(opts->path, S_IRUSR | S_IWUSR); /* post-policy events still are nobody else's business */
    /* Leases live in this process's memory: a second gateway on the file would lease the same
     * rows and deliver them twice. */
    pw_status st = pw_gw_lock_path(opts->path, &s->lock_fd, err);
    if (st != PW_OK) {
        spool_destroy(s);
        return st;
    }
    st = configure_db(s, err);
    if (st != PW_OK) {
        pw_err_prefix(err, "%s: ", opts->path);
        spool_destroy(s);
        return st;
    }
    resume_schedule_clock(s);
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

/* Move the asynchronous puts of the inbox to the end of the pending list, oldest first
 * (q_mu held). */
static void inbox_take(pw_spool *s)
{
    put_req *r = atomic_exchange(&s->inbox, NULL);
    if (!r)
        return;
    put_req *first = NULL;
    size_t n = 0;
    while (r) { /* newest first: reverse */
        put_req *next = r->next;
        r->next = first;
        first = r;
        r = next;
        n++;
    }
    if (s->tail)
        s->tail->next = first;
    else
        s->head = first;
    while (first->next)
        first = first->next;
    s->tail = first;
    s->pending += n;
    atomic_fetch_sub(&s->inbox_n, (int)n);
}

/* Wait on q_wake (q_mu held, released meanwhile) unless the inbox brings work; see pw_spool's
 * inbox. */
static void wait_for_work(pw_spool *s)
{
    atomic_store(&s->idle_waiting, 1);
    inbox_take(s);
    if (s->committing || (!s->head && !s->stop)) {
        pthread_mutex_unlock(&s->q_mu);
        while (sem_wait(&s->q_wake) != 0 && errno == EINTR) {}
        pthread_mutex_lock(&s->q_mu);
    }
    atomic_store(&s->idle_waiting, 0);
    inbox_take(s);
}

/* Wait on gather_wake until `until` (q_mu held, released meanwhile) unless the batch is full;
 * ETIMEDOUT once the time is up. */
static int wait_for_companions(pw_spool *s, const struct timespec *until)
{
    int rc = 0;
    if (s->pending < GATHER_ENOUGH) {
        size_t before;
        do { /* the need as of a look that found the inbox empty: puts compare inbox_n with it */
            atomic_store(&s->gather_need, (int)(GATHER_ENOUGH - s->pending));
            before = s->pending;
            inbox_take(s);
        } while (s->pending != before && s->pending < GATHER_ENOUGH);
        if (!s->stop && s->pending < GATHER_ENOUGH) {
            pthread_mutex_unlock(&s->q_mu);
            while ((rc = sem_clockwait(&s->gather_wake, CLOCK_MONOTONIC, until) != 0 ? errno : 0) ==
                   EINTR) {}
            pthread_mutex_lock(&s->q_mu);
        }
        atomic_store(&s->gather_need, 0);
        inbox_take(s);
    }
    return rc;
}

/* After the committer has stopped: the puts that reached the inbox too late are refused. */
static void inbox_refuse(pw_spool *s)
{
    while (atomic_load(&s->pushing))
        sched_yield();
    put_req *r = atomic_exchange(&s->inbox, NULL);
    while (r) {
        put_req *next = r->next;
        r->status = pw_err_set(&r->err, PW_ERR_STATE, "spool: closing");
        r->done_fn(r->done_ctx, r->status, &r->err);
        free(r);
        r = next;
    }
}

void pw_spool_close(pw_spool *s)
{
    if (!s)
        return;
    atomic_store(&s->closing, 1);
    pthread_mutex_lock(&s->q_mu);
    s->stop = 1;
    sem_post(&s->q_wake);
    sem_post(&s->gather_wake);
    pthread_mutex_unlock(&s->q_mu);
    if (s->committer_running)
        pthread_join(s->committer, NULL);
    inbox_refuse(s);
    pw_spool_ckpt_stop(s);
    /* the schedule clock at the stop, for the next open (resume_schedule_clock); a failure (a
     * read-only disk) leaves the last heartbeat, a few seconds older */
    pthread_mutex_lock(&s->db_mu);
    write_heartbeat(s, pw_spool_clock_ms(s), NULL); /* the stop's time: exact, even below a due
                                                     * time written as the mark */
    pthread_mutex_unlock(&s->db_mu);
    /* Checkpoint so the WAL does not keep growing across restarts; failures are harmless. */
    sqlite3_exec(s->db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
    spool_destroy(s);
}

/* ---- group commit: a leader commits for everyone queued ------------------------------------ */

void pw_spool_lock_for_commit(pw_spool *s)
{
    atomic_fetch_add(&s->commit_waiting, 1);
    pthread_mutex_lock(&s->db_mu);
    atomic_fetch_sub(&s->commit_waiting, 1);
}

void pw_spool_let_commit_in(pw_spool *s)
{
    int64_t until = pw_histo_now_ns() + 2000000;
    while (atomic_load(&s->commit_waiting) && pw_histo_now_ns() < until)
        sched_yield();
}

/* Call and free the asynchronous requests of a committed list, unlinking them from it. */
static void complete_async(pw_spool *s, put_req *list)
{
    put_req **link = &list->next;
    for (put_req *r = *link; r; r = *link) {
        if (!r->done_fn) {
            link = &r->next;
            continue;
        }
        *link = r->next;
        r->done_fn(r->done_ctx, r->status, r->status == PW_OK ? NULL : &r->err);
        pw_histo_since(&s->timing.put_total, r->t_enq);
        free(r);
    }
}

/* After a commit (q_mu held): mark its requests done, except the acks that still have items
 * to settle, which go back to the front of the queue for the next commit. */
static void requeue_or_finish(pw_spool *s, put_req *list)
{
    put_req *again = NULL, **tail = &again;
    size_t n_again = 0;
    while (list) {
        put_req *next = list->next; /* r lives on its caller's stack: read before waking it */
        if (list->ack_ids && list->status == PW_OK && list->ack_off < list->n_ack) {
            *tail = list;
            tail = &list->next;
            n_again++;
        } else {
            list->done = 1;
        }
        list = next;
    }
    if (!again)
        return;
    *tail = s->head;
    if (!s->head)
        s->tail = (put_req *)((char *)tail - offsetof(put_req, next));
    s->head = again;
    s->pending += n_again;
}

/* Is the spool under load (q_mu held)? The last batch took PW_SPOOL_LOAD_BATCH put requests or
 * more, and puts have been coming at PW_SPOOL_LOAD_PER_MS or faster. A large batch at a moderate
 * rate followed a slow commit (an fsync or a checkpoint's pause) or a burst: the requests queued
 * behind it are the latency tail, and waiting before their commit would only lengthen it. */
static int under_load(const pw_spool *s)
{
    return s->last_batch >= PW_SPOOL_LOAD_BATCH && s->load_fast;
}

/* Count a taken batch of puts towards the arrival rate (q_mu held): once a window of
 * PW_SPOOL_LOAD_WINDOW_NS or more has passed, its rate decides load_fast until the next one. */
static void count_load(pw_spool *s, size_t puts, int64_t now)
{
    if (!s->load_win_ns)
        s->load_win_ns = now;
    s->load_win_puts += puts;
    int64_t span = now - s->load_win_ns;
    if (span < PW_SPOOL_LOAD_WINDOW_NS)
        return;
    s->load_fast = s->load_win_puts * 1000000 >= (uint64_t)span * PW_SPOOL_LOAD_PER_MS;
    s->load_win_ns = now;
    s->load_win_puts = 0;
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
    inbox_take(s);
    if (s->commit_interval_ms && !s->stop && s->pending < 2) {
        struct timespec until = pw_gw_deadline(s->commit_interval_ms);
        while (!s->stop && s->pending < GATHER_ENOUGH &&
               wait_for_companions(s, &until) != ETIMEDOUT) {}
    }
    /* Under load (the last batch had many puts, and they came fast), let the next one grow for
     * load_gather_us: one fsync for more requests. q_mu is released meanwhile, so they can
     * queue; `committing` stays set, so nobody else leads and no enqueue signals. */
    if (s->load_gather_us && under_load(s) && !s->stop) {
        atomic_fetch_add_explicit(&s->timing.gathers, 1, memory_order_relaxed);
        pthread_mutex_unlock(&s->q_mu);
        struct timespec ts = {.tv_sec = s->load_gather_us / 1000000,
                              .tv_nsec = (long)(s->load_gather_us % 1000000) * 1000};
        nanosleep(&ts, NULL);
        pthread_mutex_lock(&s->q_mu);
    }
    inbox_take(s);
    s->last_batch = 0; /* puts only: the forwarders' acks joining a commit are not ingest load */
    for (put_req *r = s->head; r; r = r->next)
        s->last_batch += put_req_is_put(r);
    int64_t taken = pw_histo_now_ns();
    count_load(s, s->last_batch, taken);
    put_req head = {.next = s->head}; /* a dummy head lets complete_async unlink the first too */
    s->head = s->tail = NULL;
    s->pending = 0;
    pthread_mutex_unlock(&s->q_mu);
    for (put_req *r = head.next; r; r = r->next)
        if (put_req_is_put(r))
            pw_histo_observe_ns(&s->timing.put_queue, taken - r->t_enq);
    pw_spool_commit_requests(s, head.next);
    complete_async(s, &head);
    pthread_mutex_lock(&s->q_mu);
    requeue_or_finish(s, head.next);
    inbox_take(s);
    s->committing = 0;
    pthread_cond_broadcast(&s->done_cond);
    if (s->head || s->stop)
        sem_post(&s->q_wake); /* the committer thread may lead what is left */
}

static void *committer_main(void *arg)
{
    pw_spool *s = arg;
    pthread_setname_np(pthread_self(), "pw-spool"); /* per-thread CPU in bench/gateway.sh */
    pthread_mutex_lock(&s->q_mu);
    for (;;) {
        inbox_take(s);
        while (s->committing || (!s->head && !s->stop))
            wait_for_work(s);
        if (!s->head)
            break; /* stopping, and everything queued is committed */
        lead_one_commit(s);
    }
    pthread_mutex_unlock(&s->q_mu);
    return NULL;
}

/* Queue r (q_mu held). Asynchronous requests and acks wake the committer thread to lead them. */
static pw_status enqueue(pw_spool *s, put_req *r, pw_err *err)
{
    if (s->stop)
        return pw_err_set(err, PW_ERR_STATE, "spool: closing");
    r->t_enq = pw_histo_now_ns();
    if (s->tail)
        s->tail->next = r;
    else
        s->head = r;
    s->tail = r;
    s->pending++;
    if ((r->done_fn || !put_req_is_put(r)) && !s->committing)
        sem_post(&s->q_wake);
    if (s->pending >= GATHER_ENOUGH && atomic_load(&s->gather_need))
        sem_post(&s->gather_wake); /* enough companions: commit now */
    return PW_OK;
}

/* A synchronous request: queue it, then lead commits or wait for them until it is done. An ack
 * never leads: the committer thread does (a forwarder thread, possibly of a lower priority,
 * must not be the one writing the puts that HTTP answers wait for). */
static pw_status commit_and_wait(pw_spool *s, put_req *r, pw_histo *total, pw_err *err)
{
    pthread_mutex_lock(&s->q_mu);
    pw_status st = enqueue(s, r, err);
    if (st != PW_OK) {
        pthread_mutex_unlock(&s->q_mu);
        return st;
    }
    while (!r->done) {
        if (!s->committing && put_req_is_put(r))
            lead_one_commit(s);
        else
            pthread_cond_wait(&s->done_cond, &s->q_mu);
    }
    pthread_mutex_unlock(&s->q_mu);
    pw_histo_since(total, r->t_enq);
    if (r->status != PW_OK && err)
        *err = r->err;
    return r->status;
}

pw_status pw_spool_put(pw_spool *s, const pw_spool_put_item *items, size_t n, pw_err *err)
{
    if (n == 0)
        return PW_OK;
    put_req r = {.items = items, .n = n, .status = PW_OK};
    return commit_and_wait(s, &r, &s->timing.put_total, err);
}

pw_status pw_spool_ack_grouped(pw_spool *s, const int64_t *ids, size_t n, pw_err *err)
{
    if (n == 0)
        return PW_OK;
    put_req r = {.ack_ids = ids, .n_ack = n, .status = PW_OK};
    return commit_and_wait(s, &r, &s->timing.ack_total, err);
}

pw_status pw_spool_mark_sending(pw_spool *s, const char *destination, const int64_t *ids, size_t n,
                                int64_t at_ms, pw_err *err)
{
    if (n == 0)
        return PW_OK;
    put_req r = {
        .mark_ids = ids, .n_mark = n, .mark_dest = destination, .mark_ms = at_ms, .status = PW_OK};
    return commit_and_wait(s, &r, &s->timing.mark_total, err);
}

pw_status pw_spool_put_unbatched(pw_spool *s, const pw_spool_put_item *items, size_t n, pw_err *err)
{
    put_req r = {.items = items, .n = n, .status = PW_OK};
    pw_spool_commit_requests(s, &r);
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
    return pw_spool_put_async_dups(s, items, n, NULL, done, ctx, err);
}

/* Queue an asynchronous request r (freed by complete_async once done has run). */
static pw_status queue_async(pw_spool *s, put_req *r, unsigned char *dups, pw_spool_done_fn done,
                             void *ctx, pw_err *err)
{
    r->done_fn = done;
    r->done_ctx = ctx;
    r->dups = dups;
    if (dups)
        memset(dups, 0, r->n);
    atomic_fetch_add(&s->pushing, 1);
    if (atomic_load(&s->closing)) {
        atomic_fetch_sub(&s->pushing, 1);
        free(r);
        return pw_err_set(err, PW_ERR_STATE, "spool: closing");
    }
    r->t_enq = pw_histo_now_ns();
    put_req *top = atomic_load(&s->inbox);
    do
        r->next = top;
    while (!atomic_compare_exchange_weak(&s->inbox, &top, r));
    int n = atomic_fetch_add(&s->inbox_n, 1) + 1;
    /* Wake a waiting committer or leader: a post, never q_mu. */
    int need = atomic_load(&s->gather_need);
    if (atomic_load(&s->idle_waiting))
        sem_post(&s->q_wake);
    if (need && n == need)
        sem_post(&s->gather_wake);
    atomic_fetch_sub(&s->pushing, 1);
    return PW_OK;
}

pw_status pw_spool_put_async_dups(pw_spool *s, const pw_spool_put_item *items, size_t n,
                                  unsigned char *dups, pw_spool_done_fn done, void *ctx,
                                  pw_err *err)
{
    if (!done)
        return pw_err_set(err, PW_ERR_INVALID, "spool: put_async needs a completion callback");
    put_req *r = copy_request(items, n);
    if (!r)
        return pw_err_set(err, PW_ERR_NOMEM, "spool: out of memory queueing %zu items", n);
    return queue_async(s, r, dups, done, ctx, err);
}

pw_status pw_spool_put_async_borrow(pw_spool *s, const pw_spool_put_item *items, size_t n,
                                    unsigned char *dups, pw_spool_done_fn done, void *ctx,
                                    pw_err *err)
{
    if (!done)
        return pw_err_set(err, PW_ERR_INVALID, "spool: put_async needs a completion callback");
    put_req *r = calloc(1, sizeof *r);
    if (!r)
        return pw_err_set(err, PW_ERR_NOMEM, "spool: out of memory queueing %zu items", n);
    r->items = items;
    r->n = n;
    return queue_async(s, r, dups, done, ctx, err);
}
