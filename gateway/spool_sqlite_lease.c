/*
 * spool_sqlite_lease.c — the consumer half of the SQLite spool (see spool_sqlite.c for storage,
 * durability and the "post-policy data only" rule): forwarders lease due rows of their
 * destination, then ack (delivered: row becomes a payload-less tombstone), retry (due again at
 * next_attempt_ms) or dead-letter them (moved to the `dead` table with a reason).
 *
 * `attempts` counts leases: an item handed out by pw_spool_lease carries the number of the
 * attempt it is being leased for (1 for the first delivery), which the forwarders' backoff uses.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gw_time.h"
#include "spool_sqlite_internal.h"

/* One allocation per item: event_id, destination and payload (NUL-terminated) one after the
 * other, owned through event_id. */
static int copy_row(sqlite3_stmt *st, pw_spool_item *it)
{
    const char *eid = (const char *)sqlite3_column_text(st, 1);
    size_t n_eid = eid ? (size_t)sqlite3_column_bytes(st, 1) : 0;
    const char *dest = (const char *)sqlite3_column_text(st, 2);
    size_t n_dest = dest ? (size_t)sqlite3_column_bytes(st, 2) : 0;
    const void *payload = sqlite3_column_blob(st, 3);
    size_t n_payload = (size_t)sqlite3_column_bytes(st, 3);
    char *block = malloc(n_eid + n_dest + n_payload + 3);
    if (!block)
        return 0;
    char *p = block;
    if (n_eid)
        memcpy(p, eid, n_eid);
    p[n_eid] = '\0';
    it->event_id = p;
    p += n_eid + 1;
    if (n_dest)
        memcpy(p, dest, n_dest);
    p[n_dest] = '\0';
    it->destination = p;
    p += n_dest + 1;
    if (n_payload)
        memcpy(p, payload, n_payload);
    p[n_payload] = '\0';
    it->payload = p;
    it->payload_len = n_payload;
    return 1;
}

void pw_spool_items_free(pw_spool_item *items, size_t n)
{
    if (!items)
        return;
    for (size_t i = 0; i < n; i++)
        free((char *)items[i].event_id); /* the item's block */
    free(items);
}

/* Read up to max due rows (db_mu held, inside a transaction). */
static pw_status select_due(pw_spool *s, const char *dest, size_t max, int64_t now,
                            pw_spool_item *items, size_t *n, pw_err *err)
{
    sqlite3_stmt *st = pw_spool_stmt(s, SQL_LEASE_SELECT);
    if (!st)
        return pw_spool_db_fail(s, err, "prepare lease");
    sqlite3_bind_text(st, 1, dest, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, now);
    sqlite3_bind_int64(st, 3, (sqlite3_int64)max);
    int rc;
    while (*n < max && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        pw_spool_item *it = &items[*n];
        it->id = sqlite3_column_int64(st, 0);
        it->created_ms = sqlite3_column_int64(st, 4);
        it->attempts = sqlite3_column_int(st, 5) + 1;
        if (!copy_row(st, it)) {
            sqlite3_reset(st);
            return pw_err_set(err, PW_ERR_NOMEM, "spool: out of memory leasing");
        }
        (*n)++;
    }
    sqlite3_reset(st);
    return PW_OK;
}

static pw_status mark_leased(pw_spool *s, const pw_spool_item *items, size_t n, int64_t until,
                             pw_err *err)
{
    sqlite3_stmt *st = pw_spool_stmt(s, SQL_LEASE_MARK);
    if (!st)
        return pw_spool_db_fail(s, err, "prepare lease update");
    pw_status status = PW_OK;
    for (size_t i = 0; i < n && status == PW_OK; i++) {
        sqlite3_reset(st);
        sqlite3_bind_int64(st, 1, until);
        sqlite3_bind_int64(st, 2, items[i].id);
        if (sqlite3_step(st) != SQLITE_DONE)
            status = pw_spool_db_fail(s, err, "lease update");
    }
    sqlite3_reset(st);
    return status;
}

pw_status pw_spool_lease(pw_spool *s, const char *destination, size_t max, unsigned lease_ms,
                         pw_spool_item **items, size_t *n, pw_err *err)
{
    *items = NULL;
    *n = 0;
    if (max == 0)
        return PW_OK;
    pw_spool_item *buf = calloc(max, sizeof *buf);
    if (!buf)
        return pw_err_set(err, PW_ERR_NOMEM, "spool: out of memory leasing %zu items", max);
    int64_t now = pw_gw_now_ms();
    size_t got = 0;
    pthread_mutex_lock(&s->db_mu);
    /* A lease need not reach the disk before delivery starts: leases are cleared when the spool
     * is reopened, so losing one (power loss) changes nothing but an attempt count. Its commit
     * skips the fsync; the next synchronous commit makes it durable along with its own rows. */
    pw_status st = pw_spool_set_synchronous(s, 0, err);
    if (st == PW_OK)
        st = pw_spool_run(s, SQL_BEGIN, err);
    if (st == PW_OK)
        st = select_due(s, destination, max, now, buf, &got, err);
    if (st == PW_OK && got)
        st = mark_leased(s, buf, got, now + lease_ms, err);
    if (st == PW_OK)
        st = pw_spool_run(s, SQL_COMMIT, err);
    if (st != PW_OK)
        pw_spool_run(s, SQL_ROLLBACK, NULL);
    pw_status full = pw_spool_set_synchronous(s, 1, err); /* every other commit is synced */
    if (st == PW_OK)
        st = full;
    pthread_mutex_unlock(&s->db_mu);
    if (st != PW_OK || got == 0) {
        pw_spool_items_free(buf, got);
        return st;
    }
    *items = buf;
    *n = got;
    return PW_OK;
}

static void uncount(pw_spool *s, uint64_t b)
{
    s->bytes = s->bytes > b ? s->bytes - b : 0;
}

/* A queued row becomes a tombstone: it keeps only its key's bytes (db_mu held). */
static void uncount_acked(pw_spool *s, const int64_t *ids, size_t n)
{
    sqlite3_stmt *st = pw_spool_stmt(s, SQL_ACK_LEN);
    if (!st)
        return;
    for (size_t i = 0; i < n; i++) {
        sqlite3_reset(st);
        sqlite3_bind_int64(st, 1, ids[i]);
        if (sqlite3_step(st) == SQLITE_ROW)
            uncount(s, (uint64_t)sqlite3_column_int64(st, 0) + ROW_OVERHEAD - TOMB_OVERHEAD);
    }
    sqlite3_reset(st);
}

/* Drop tombstones past their idempotency horizon, a bounded number per call (db_mu held). */
static void purge_tombstones(pw_spool *s, int64_t now)
{
    static const char pick[] = "SELECT id FROM spool WHERE state <> 0 AND done_ms < ?1"
                               " ORDER BY done_ms LIMIT 2000";
    static const char size_sql[] = "SELECT coalesce(sum(length(event_id)+length(destination)+?2),"
                                   " 0) FROM spool WHERE id IN (%s)";
    static const char del_sql[] = "DELETE FROM spool WHERE id IN (%s)";
    char sql[512];
    sqlite3_stmt *st = NULL;
    snprintf(sql, sizeof sql, size_sql, pick);
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
        return;
    sqlite3_bind_int64(st, 1, now - PW_SPOOL_TOMBSTONE_MS);
    sqlite3_bind_int(st, 2, TOMB_OVERHEAD);
    uint64_t freed = sqlite3_step(st) == SQLITE_ROW ? (uint64_t)sqlite3_column_int64(st, 0) : 0;
    sqlite3_finalize(st);
    snprintf(sql, sizeof sql, del_sql, pick);
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
        return;
    sqlite3_bind_int64(st, 1, now - PW_SPOOL_TOMBSTONE_MS);
    if (sqlite3_step(st) == SQLITE_DONE)
        uncount(s, freed);
    sqlite3_finalize(st);
}

/* lens: the rows' payload lengths as leased, or NULL to read them. */
static pw_status ack_rows(pw_spool *s, const int64_t *ids, const size_t *lens, size_t n,
                          pw_err *err)
{
    if (n == 0)
        return PW_OK;
    int64_t now = pw_gw_now_ms();
    sqlite3_stmt *st = NULL;
    pthread_mutex_lock(&s->db_mu);
    pw_status status = pw_spool_begin(s, err);
    if (status == PW_OK && !(st = pw_spool_stmt(s, SQL_ACK)))
        status = pw_spool_db_fail(s, err, "prepare ack");
    uint64_t bytes_before = s->bytes;
    if (status == PW_OK && !lens)
        uncount_acked(s, ids, n);
    for (size_t i = 0; i < n && status == PW_OK; i++) {
        sqlite3_reset(st);
        sqlite3_bind_int64(st, 1, now);
        sqlite3_bind_int64(st, 2, ids[i]);
        if (sqlite3_step(st) != SQLITE_DONE)
            status = pw_spool_db_fail(s, err, "ack");
        else if (lens && sqlite3_changes(s->db) == 1) /* was queued: now a tombstone */
            uncount(s, (uint64_t)lens[i] + ROW_OVERHEAD - TOMB_OVERHEAD);
    }
    if (st)
        sqlite3_reset(st);
    if (status == PW_OK && (s->acks_since_purge += (unsigned)n) >= 1000) {
        s->acks_since_purge = 0;
        purge_tombstones(s, now);
    }
    if (status == PW_OK)
        status = pw_spool_run(s, SQL_COMMIT, err);
    if (status != PW_OK) {
        pw_spool_run(s, SQL_ROLLBACK, NULL);
        s->bytes = bytes_before;
    }
    pthread_mutex_unlock(&s->db_mu);
    return status;
}

pw_status pw_spool_ack(pw_spool *s, const int64_t *ids, size_t n, pw_err *err)
{
    return ack_rows(s, ids, NULL, n, err);
}

pw_status pw_spool_ack_sized(pw_spool *s, const int64_t *ids, const size_t *payload_lens, size_t n,
                             pw_err *err)
{
    return ack_rows(s, ids, payload_lens, n, err);
}

pw_status pw_spool_retry_batch(pw_spool *s, const int64_t *ids, size_t n, int64_t next_attempt_ms,
                               pw_err *err)
{
    sqlite3_stmt *st = NULL;
    size_t changed = 0;
    pthread_mutex_lock(&s->db_mu);
    pw_status status = pw_spool_begin(s, err);
    if (status == PW_OK && !(st = pw_spool_stmt(s, SQL_RETRY)))
        status = pw_spool_db_fail(s, err, "prepare retry");
    for (size_t i = 0; i < n && status == PW_OK; i++) {
        sqlite3_reset(st);
        sqlite3_bind_int64(st, 1, next_attempt_ms);
        sqlite3_bind_int64(st, 2, ids[i]);
        if (sqlite3_step(st) != SQLITE_DONE)
            status = pw_spool_db_fail(s, err, "retry");
        changed += (size_t)sqlite3_changes(s->db);
    }
    if (st)
        sqlite3_reset(st);
    if (status == PW_OK)
        status = pw_spool_run(s, SQL_COMMIT, err);
    if (status != PW_OK)
        pw_spool_run(s, SQL_ROLLBACK, NULL);
    pthread_mutex_unlock(&s->db_mu);
    if (status == PW_OK && changed < n)
        return pw_err_set(err, PW_ERR_NOTFOUND, "spool: %zu of %zu rows were not queued",
                          n - changed, n);
    return status;
}

pw_status pw_spool_retry(pw_spool *s, int64_t id, int64_t next_attempt_ms, pw_err *err)
{
    return pw_spool_retry_batch(s, &id, 1, next_attempt_ms, err);
}

/* Copy the row into `dead`, then make it a tombstone (db_mu held, inside a transaction). */
static pw_status move_to_dead(pw_spool *s, int64_t id, const char *reason, int64_t now, pw_err *err)
{
    static const char copy_sql[] =
        "INSERT INTO dead(spool_id, event_id, destination, payload, created_ms, attempts,"
        " dead_ms, reason) SELECT id, event_id, destination, payload, created_ms, attempts,"
        " ?2, ?3 FROM spool WHERE id = ?1 AND state = 0";
    static const char mark_sql[] = "UPDATE spool SET state = 2, payload = NULL, done_ms = ?2,"
                                   " lease_until = 0 WHERE id = ?1 AND state = 0";
    static const char key_sql[] = "SELECT length(event_id) + length(destination) FROM spool"
                                  " WHERE id = ?1 AND state = 0";
    uint64_t key_bytes = 0;
    sqlite3_stmt *k = NULL;
    if (sqlite3_prepare_v2(s->db, key_sql, -1, &k, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(k, 1, id);
        if (sqlite3_step(k) == SQLITE_ROW)
            key_bytes = (uint64_t)sqlite3_column_int64(k, 0);
    }
    sqlite3_finalize(k);
    const char *sqls[2] = {copy_sql, mark_sql};
    for (int i = 0; i < 2; i++) {
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2(s->db, sqls[i], -1, &st, NULL) != SQLITE_OK)
            return pw_spool_db_fail(s, err, "prepare dead letter");
        sqlite3_bind_int64(st, 1, id);
        sqlite3_bind_int64(st, 2, now);
        if (i == 0)
            sqlite3_bind_text(st, 3, reason ? reason : "", -1, SQLITE_STATIC);
        int rc = sqlite3_step(st);
        int changed = sqlite3_changes(s->db);
        sqlite3_finalize(st);
        if (rc != SQLITE_DONE)
            return pw_spool_db_fail(s, err, "dead letter");
        if (i == 0 && changed == 0)
            return pw_err_set(err, PW_ERR_NOTFOUND, "spool: row %lld is not queued", (long long)id);
    }
    s->bytes += key_bytes + TOMB_OVERHEAD; /* the dead letter keeps the row's bytes + a tombstone */
    return PW_OK;
}

pw_status pw_spool_dead_batch(pw_spool *s, const int64_t *ids, const char *const *reasons, size_t n,
                              pw_err *err)
{
    int64_t now = pw_gw_now_ms();
    pthread_mutex_lock(&s->db_mu);
    uint64_t bytes_before = s->bytes;
    pw_status st = pw_spool_begin(s, err);
    for (size_t i = 0; i < n && st == PW_OK; i++)
        st = move_to_dead(s, ids[i], reasons[i], now, err);
    if (st == PW_OK)
        st = pw_spool_run(s, SQL_COMMIT, err);
    if (st != PW_OK) {
        pw_spool_run(s, SQL_ROLLBACK, NULL);
        s->bytes = bytes_before;
    }
    pthread_mutex_unlock(&s->db_mu);
    return st;
}

pw_status pw_spool_dead(pw_spool *s, int64_t id, const char *reason, pw_err *err)
{
    return pw_spool_dead_batch(s, &id, &reason, 1, err);
}

/* ---- inspection ------------------------------------------------------------------------- */

static pw_status query_i64(pw_spool *s, const char *sql, const char *dest, int64_t *out,
                           pw_err *err)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
        return pw_spool_db_fail(s, err, "prepare stats");
    if (dest)
        sqlite3_bind_text(st, 1, dest, -1, SQLITE_STATIC);
    *out = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_finalize(st);
    return PW_OK;
}

pw_status pw_spool_stats_get(pw_spool *s, const char *destination, pw_spool_stats *out, pw_err *err)
{
    /* Per destination the queries are written so that the spool_due index (destination, state,
     * …) answers them: "?1 IS NULL OR destination = ?1" would scan the whole table while holding
     * the lock every put waits for, on each /metrics scrape. */
    static const char *const depth_sql[2] = {
        "SELECT count(*) FROM spool WHERE state = 0",
        "SELECT count(*) FROM spool WHERE destination = ?1 AND state = 0"};
    static const char *const oldest_sql[2] = {
        "SELECT coalesce(min(created_ms), 0) FROM spool WHERE state = 0",
        "SELECT coalesce(min(created_ms), 0) FROM spool WHERE destination = ?1 AND state = 0"};
    static const char *const dead_sql[2] = {"SELECT count(*) FROM dead",
                                            "SELECT count(*) FROM dead WHERE destination = ?1"};
    int one = destination != NULL;
    int64_t depth = 0, oldest = 0, dead = 0;
    memset(out, 0, sizeof *out);
    pthread_mutex_lock(&s->db_mu);
    pw_status st = query_i64(s, depth_sql[one], destination, &depth, err);
    if (st == PW_OK)
        st = query_i64(s, oldest_sql[one], destination, &oldest, err);
    if (st == PW_OK)
        st = query_i64(s, dead_sql[one], destination, &dead, err);
    out->bytes = s->bytes;
    pthread_mutex_unlock(&s->db_mu);
    out->depth = (uint64_t)depth;
    out->oldest_ms = oldest;
    out->dead = (uint64_t)dead;
    return st;
}

pw_status pw_spool_dead_reason(pw_spool *s, const char *event_id, const char *destination,
                               char *reason, size_t cap, pw_err *err)
{
    static const char sql[] = "SELECT reason FROM dead WHERE event_id = ?1 AND destination = ?2"
                              " ORDER BY id DESC LIMIT 1";
    sqlite3_stmt *st = NULL;
    pw_status status = PW_OK;
    pthread_mutex_lock(&s->db_mu);
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
        status = pw_spool_db_fail(s, err, "prepare dead lookup");
    } else {
        sqlite3_bind_text(st, 1, event_id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, destination, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW) {
            const char *r = (const char *)sqlite3_column_text(st, 0);
            snprintf(reason, cap, "%s", r ? r : "");
        } else {
            status = pw_err_set(err, PW_ERR_NOTFOUND, "spool: no dead letter for %s/%s", event_id,
                                destination);
        }
    }
    sqlite3_finalize(st);
    pthread_mutex_unlock(&s->db_mu);
    return status;
}

pw_status pw_spool_state(pw_spool *s, const char *event_id, const char *destination, int *state,
                         pw_err *err)
{
    static const char sql[] = "SELECT state FROM spool WHERE event_id = ?1 AND destination = ?2";
    sqlite3_stmt *st = NULL;
    pw_status status = PW_OK;
    pthread_mutex_lock(&s->db_mu);
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
        status = pw_spool_db_fail(s, err, "prepare state lookup");
    } else {
        sqlite3_bind_text(st, 1, event_id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, destination, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW)
            *state = sqlite3_column_int(st, 0);
        else
            status =
                pw_err_set(err, PW_ERR_NOTFOUND, "spool: no row for %s/%s", event_id, destination);
    }
    sqlite3_finalize(st);
    pthread_mutex_unlock(&s->db_mu);
    return status;
}
