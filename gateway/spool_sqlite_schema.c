/*
 * spool_sqlite_schema.c — the SQLite spool's on-disk layout (PRAGMA user_version 4), the
 * upgrades of a version-3 file (no retry.first_ms) and of a version-2 file (a body row per event,
 * upgraded to 3 first), the migration of a version-1 file (one
 * `spool` row per event and destination, written by phiwall before the per-event layout) and the
 * open scan that rebuilds the in-memory state.
 *
 *   ev(id, created_ms, pending, dests, event_id, grp, off, consent)   one row per event, in id
 *                                                        order
 *       pending: bit i set while the i-th destination of the row is queued
 *       dests:   per destination 6 bytes: u16 dest id, u32 payload length (little endian)
 *       grp:     the body row holding its payloads (NULL: its own id)
 *       off:     where its payloads start in that body (NULL: 0)
 *       consent: the visitor's consent the event arrived with (PW_SPOOL_CONSENT_*; NULL: not
 *                recorded: written before the column, which is added at open like the seqs)
 *   body(id, payloads)          a group's payloads: every row written by one group commit (up to
 *                               PW_SPOOL_GROUP_MAX_BYTES), keyed by its first row, each row's in
 *                               `dests` order; deleted once no row of the group is queued
 *   dest(id, name)                                       destination names, never reused
 *   retry(item, dest, next_attempt_ms, attempts, first_ms)  items whose delivery failed,
 *                               rescheduled; first_ms: the first attempt that may have reached
 *                               the upstream (0: none), where the retry window starts
 *   dead(...)                                            dead letters, as in version 1
 *   sending(dest, at_ms, items, seq)  per destination, the items its last request(s) carried
 *                               and when they were sent (read at open after a crash mid-send)
 *   retry.seq, sending.seq      the write order of retry rows and marks (spool_sqlite_mark.c):
 *                               added at open to a layout-4 file written before them; 0: before
 *   held_audit(id, line), gate(dest, upto)  created when first needed (spool_sqlite_held.c,
 *                               spool_sqlite_gate.c); a file without them is a plain version 4
 *
 * An item (one event for one destination) is ev.id * 64 + position. `ev` has no index: event_id
 * lookups go through the in-memory key index that pw_spool_load builds from the rows, so a put
 * appends rows and touches no B-tree page but the last ones. The payloads live apart so that an
 * ack rewrites only the small `ev` rows; a commit writes one body (an overflow chain) instead of
 * one per event, and a body goes with one DELETE. A version-2 row is a version-3 row that is
 * its own group.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spool_sqlite_internal.h"

/* The items a forwarder is sending (8 bytes each, little endian), since at_ms: one row per
 * destination, replaced by its next send (spool_sqlite_mark.c). */
#define SENDING_TABLE                                                                      \
    "CREATE TABLE IF NOT EXISTS sending(dest INTEGER PRIMARY KEY, at_ms INTEGER NOT NULL," \
    " items BLOB NOT NULL, seq INTEGER NOT NULL DEFAULT 0);"

static const char SCHEMA_V4[] =
    "CREATE TABLE IF NOT EXISTS ev("
    " id INTEGER PRIMARY KEY,"
    " created_ms INTEGER NOT NULL,"
    " pending INTEGER NOT NULL,"
    " dests BLOB NOT NULL,"
    " event_id TEXT NOT NULL,"
    " grp INTEGER,"  /* the body row holding its payloads; NULL: its own id */
    " off INTEGER);" /* where its payloads start in that body; NULL: 0 */
    "CREATE TABLE IF NOT EXISTS body(id INTEGER PRIMARY KEY, payloads BLOB NOT NULL);"
    "CREATE TABLE IF NOT EXISTS dest(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);"
    "CREATE TABLE IF NOT EXISTS retry("
    " item INTEGER PRIMARY KEY,"
    " dest INTEGER NOT NULL,"
    " next_attempt_ms INTEGER NOT NULL,"
    " attempts INTEGER NOT NULL,"
    " first_ms INTEGER NOT NULL DEFAULT 0," /* the first attempt that may have reached the
                                                upstream (ms since epoch); 0: none yet */
    " seq INTEGER NOT NULL DEFAULT 0);"     /* its place in the order of marks and retry
                                               writes (spool_sqlite_mark.c); 0: before it */
    "CREATE INDEX IF NOT EXISTS retry_due ON retry(dest, next_attempt_ms);"
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
    "CREATE INDEX IF NOT EXISTS dead_key ON dead(event_id, destination);" SENDING_TABLE
    "PRAGMA user_version = 4;";

int pw_spool_parse_dests(const void *blob, int bytes, pw_spool_pos *out)
{
    const unsigned char *p = blob;
    if (!p || bytes <= 0 || bytes % PW_SPOOL_DEST_BYTES ||
        bytes / PW_SPOOL_DEST_BYTES > PW_SPOOL_MAX_POS)
        return -1;
    int n = bytes / PW_SPOOL_DEST_BYTES;
    uint32_t off = 0;
    for (int i = 0; i < n; i++, p += PW_SPOOL_DEST_BYTES) {
        out[i].dest = (int64_t)(p[0] | p[1] << 8);
        out[i].len =
            (uint32_t)p[2] | (uint32_t)p[3] << 8 | (uint32_t)p[4] << 16 | (uint32_t)p[5] << 24;
        out[i].off = off;
        off += out[i].len;
    }
    return n;
}

static int64_t scalar(pw_spool *s, const char *sql)
{
    sqlite3_stmt *st = NULL;
    int64_t v = -1;
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

/* ---- version 1 → 2 ------------------------------------------------------------------------ */

static void put_dest_bytes(unsigned char *p, int64_t dest, uint32_t len)
{
    p[0] = (unsigned char)dest;
    p[1] = (unsigned char)(dest >> 8);
    for (int i = 0; i < 4; i++)
        p[2 + i] = (unsigned char)(len >> (8 * i));
}

/* One version-1 row becomes one ev row (and a retry row if it had been tried). */
static pw_status migrate_row(pw_spool *s, sqlite3_stmt *row, sqlite3_stmt *ins, sqlite3_stmt *body,
                             sqlite3_stmt *ret, pw_err *err)
{
    const char *dest_name = (const char *)sqlite3_column_text(row, 1);
    pw_spool_dest *d = NULL;
    pw_status st = pw_spool_dest_add(s, dest_name ? dest_name : "", &d, err);
    if (st != PW_OK)
        return st;
    int queued = sqlite3_column_int(row, 4) == 0;
    int len = queued ? sqlite3_column_bytes(row, 2) : 0;
    unsigned char dests[PW_SPOOL_DEST_BYTES];
    put_dest_bytes(dests, d->id, (uint32_t)len);
    sqlite3_reset(ins);
    sqlite3_bind_int64(ins, 1, sqlite3_column_int64(row, 3));
    sqlite3_bind_int64(ins, 2, PW_SPOOL_PENDING_BASE | (queued ? 1 : 0));
    sqlite3_bind_blob(ins, 3, dests, sizeof dests, SQLITE_TRANSIENT);
    sqlite3_bind_value(ins, 4, sqlite3_column_value(row, 0));
    if (sqlite3_step(ins) != SQLITE_DONE)
        return pw_spool_db_fail(s, err, "migrating a row");
    if (queued) {
        sqlite3_reset(body);
        sqlite3_bind_int64(body, 1, sqlite3_last_insert_rowid(s->db));
        sqlite3_bind_blob(body, 2, len ? sqlite3_column_blob(row, 2) : "", len, SQLITE_TRANSIENT);
        if (sqlite3_step(body) != SQLITE_DONE)
            return pw_spool_db_fail(s, err, "migrating a payload");
    }
    int64_t attempts = sqlite3_column_int64(row, 5), next = sqlite3_column_int64(row, 6);
    if (!queued || (attempts == 0 && next == 0))
        return PW_OK;
    sqlite3_reset(ret);
    sqlite3_bind_int64(ret, 1, ITEM_ID(sqlite3_last_insert_rowid(s->db), 0));
    sqlite3_bind_int64(ret, 2, d->id);
    sqlite3_bind_int64(ret, 3, next);
    sqlite3_bind_int64(ret, 4, attempts);
    /* When the first attempt was is unknown: the acceptance stands for it, as the retry window
     * was counted before version 4 (the window closes no later than it did). */
    sqlite3_bind_int64(ret, 5, attempts > 0 ? sqlite3_column_int64(row, 3) : 0);
    return sqlite3_step(ret) == SQLITE_DONE ? PW_OK : pw_spool_db_fail(s, err, "migrating a retry");
}

static pw_status migrate_rows(pw_spool *s, pw_err *err)
{
    static const char rows_sql[] = "SELECT event_id, destination, payload, created_ms, state,"
                                   " attempts, next_attempt_ms FROM spool ORDER BY id";
    static const char ins_sql[] =
        "INSERT INTO ev(created_ms, pending, dests, event_id) VALUES(?1, ?2, ?3, ?4)";
    static const char body_sql[] = "INSERT INTO body(id, payloads) VALUES(?1, ?2)";
    static const char ret_sql[] =
        "INSERT INTO retry(item, dest, next_attempt_ms, attempts, first_ms)"
        " VALUES(?1, ?2, ?3, ?4, ?5)";
    sqlite3_stmt *row = NULL, *ins = NULL, *body = NULL, *ret = NULL;
    pw_status st = PW_OK;
    if (sqlite3_prepare_v2(s->db, rows_sql, -1, &row, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(s->db, ins_sql, -1, &ins, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(s->db, body_sql, -1, &body, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(s->db, ret_sql, -1, &ret, NULL) != SQLITE_OK)
        st = pw_spool_db_fail(s, err, "preparing the migration");
    int rc = SQLITE_ROW;
    while (st == PW_OK && (rc = sqlite3_step(row)) == SQLITE_ROW)
        st = migrate_row(s, row, ins, body, ret, err);
    if (st == PW_OK && rc != SQLITE_DONE)
        st = pw_spool_db_fail(s, err, "reading version-1 rows");
    sqlite3_finalize(row);
    sqlite3_finalize(ins);
    sqlite3_finalize(body);
    sqlite3_finalize(ret);
    return st;
}

/* In one transaction: nothing of the old rows is lost or doubled if it is interrupted. */
static pw_status migrate_v1(pw_spool *s, pw_err *err)
{
    pw_status st = pw_spool_exec(s, "BEGIN IMMEDIATE", err);
    if (st != PW_OK)
        return st;
    if ((st = pw_spool_exec(s, SCHEMA_V4, err)) == PW_OK && (st = migrate_rows(s, err)) == PW_OK &&
        (st = pw_spool_exec(s, "DROP TABLE spool", err)) == PW_OK)
        st = pw_spool_exec(s, "COMMIT", err);
    if (st != PW_OK) {
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
        pw_err_prefix(err, "migrating the version-1 spool (left unchanged; an older phiwall can "
                           "still drain it): ");
    }
    return st;
}

/* ---- version 2 → 3 ------------------------------------------------------------------------ */

/* A version-2 row is a version-3 row whose payloads have a body row of their own (grp and off
 * NULL): the two columns are added (SQLite rewrites no row for that) and the version bumped, in
 * one transaction. */
static pw_status migrate_v2(pw_spool *s, pw_err *err)
{
    pw_status st = pw_spool_exec(s,
                                 "BEGIN IMMEDIATE;"
                                 " ALTER TABLE ev ADD COLUMN grp INTEGER;"
                                 " ALTER TABLE ev ADD COLUMN off INTEGER;"
                                 " PRAGMA user_version = 3;"
                                 " COMMIT;",
                                 err);
    if (st != PW_OK) {
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
        pw_err_prefix(err, "migrating the version-2 spool (left unchanged; an older phiwall can "
                           "still drain it): ");
    }
    return st;
}

/* ---- version 3 → 4 ------------------------------------------------------------------------ */

/* Version 4 adds retry.first_ms, the time of the first attempt that may have reached the
 * upstream, from which the forwarders count the retry window (before: from acceptance). A
 * version-3 row does not say when that was: a row with an attempt (attempts > 0; leases refused
 * for the credentials were never counted) gets its event's acceptance time, so its window
 * closes exactly when it did before; a row without one (only refusals) gets 0. One transaction:
 * ADD COLUMN rewrites no row, the UPDATE only the retry rows. */
static pw_status migrate_v3(pw_spool *s, pw_err *err)
{
    pw_status st = pw_spool_exec(
        s,
        "BEGIN IMMEDIATE;"
        " CREATE TABLE IF NOT EXISTS retry(item INTEGER PRIMARY KEY, dest INTEGER NOT NULL,"
        "  next_attempt_ms INTEGER NOT NULL, attempts INTEGER NOT NULL);"
        " ALTER TABLE retry ADD COLUMN first_ms INTEGER NOT NULL DEFAULT 0;"
        " UPDATE retry SET first_ms = coalesce((SELECT created_ms FROM ev"
        "  WHERE ev.id = retry.item >> 6), 0) WHERE attempts > 0;"
        " " SENDING_TABLE " PRAGMA user_version = 4;"
        " COMMIT;",
        err);
    if (st != PW_OK) {
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
        pw_err_prefix(err, "migrating the version-3 spool (left unchanged; an older phiwall can "
                           "still drain it): ");
        return st;
    }
    return pw_spool_exec(s, SCHEMA_V4, err); /* the tables an older file may lack */
}

/* The `seq` columns of retry and sending, added to a version-4 file written before them (the
 * first layout-4 phiwalls, never released): ADD COLUMN rewrites no row; 0 means "before the
 * order", and recovery compares such a mark by its time, as they did. */
static pw_status add_seq_columns(pw_spool *s, pw_err *err)
{
    static const char *const table[2] = {"retry", "sending"};
    for (int i = 0; i < 2; i++) {
        char sql[120];
        snprintf(sql, sizeof sql, "SELECT count(*) FROM pragma_table_info('%s') WHERE name = 'seq'",
                 table[i]);
        if (scalar(s, sql) > 0)
            continue;
        snprintf(sql, sizeof sql, "ALTER TABLE %s ADD COLUMN seq INTEGER NOT NULL DEFAULT 0",
                 table[i]);
        pw_status st = pw_spool_exec(s, sql, err);
        if (st != PW_OK)
            return st;
    }
    return PW_OK;
}

/* ev.consent: the visitor's consent each event arrived with (pw_spool_item.consent), added to a
 * file written before it was kept (ADD COLUMN rewrites no row; NULL: not recorded). */
static pw_status add_consent_column(pw_spool *s, pw_err *err)
{
    if (scalar(s, "SELECT count(*) FROM pragma_table_info('ev') WHERE name = 'consent'") > 0)
        return PW_OK;
    return pw_spool_exec(s, "ALTER TABLE ev ADD COLUMN consent INTEGER", err);
}

pw_status pw_spool_schema_ready(pw_spool *s, pw_err *err)
{
    int64_t version = scalar(s, "PRAGMA user_version");
    int64_t has_v1 = scalar(s, "SELECT count(*) FROM sqlite_master WHERE type = 'table'"
                               " AND name = 'spool'");
    if (version > PW_SPOOL_SCHEMA)
        return pw_err_set(err, PW_ERR_UNSUPPORTED,
                          "spool layout version %lld is newer than this phiwall understands (%d):"
                          " run the phiwall that wrote it until the spool is drained, or move"
                          " the file aside",
                          (long long)version, PW_SPOOL_SCHEMA);
    pw_status st = PW_OK;
    if (version < PW_SPOOL_SCHEMA && has_v1 > 0)
        st = migrate_v1(s, err);
    else if (version == 2 || version == 3) {
        st = version == 2 ? migrate_v2(s, err) : PW_OK; /* 2 → 3, then 3 → 4 */
        if (st == PW_OK)
            st = migrate_v3(s, err);
    } else
        st = pw_spool_exec(s, SCHEMA_V4, err);
    if (st == PW_OK)
        st = add_seq_columns(s, err);
    if (st == PW_OK)
        st = add_consent_column(s, err);
    int64_t order = st == PW_OK ? scalar(s, "SELECT coalesce(max(seq), 0) FROM retry") : 0;
    s->write_order = order > 0 ? order : 0;
    return st;
}

/* ---- the open scan ------------------------------------------------------------------------ */

/* A queued row of group gid: one more for the group's count. */
static int count_group_row(pw_spool *s, int64_t gid)
{
    pw_spool_slot *g = pw_spool_map_find(&s->groups, (uint64_t)gid, -1);
    if (g) {
        g->val++;
        return 1;
    }
    return gid > 0 && pw_spool_map_add(&s->groups, (uint64_t)gid, 1, 0);
}

/* One row into bytes (without its payloads: those count with their body), depths, the key index
 * and its group's count. */
static pw_status load_row(pw_spool *s, sqlite3_stmt *st, int64_t *first_queued, pw_err *err)
{
    int64_t id = sqlite3_column_int64(st, 0);
    uint64_t pending = (uint64_t)(sqlite3_column_int64(st, 1) & ~PW_SPOOL_PENDING_BASE);
    pw_spool_pos pos[PW_SPOOL_MAX_POS];
    int n = pw_spool_parse_dests(sqlite3_column_blob(st, 2), sqlite3_column_bytes(st, 2), pos);
    const char *eid = (const char *)sqlite3_column_text(st, 3);
    size_t eid_len = (size_t)sqlite3_column_bytes(st, 3);
    if (n < 0 || !eid)
        return pw_err_set(err, PW_ERR_PARSE, "spool: row %lld: bad destination list",
                          (long long)id);
    for (int i = 0; i < n; i++) {
        pw_spool_dest *d = pw_spool_dest_by_id(s, pos[i].dest);
        int queued = (int)(pending >> i) & 1;
        if (!d)
            return pw_err_set(err, PW_ERR_PARSE, "spool: row %lld: unknown destination %lld",
                              (long long)id, (long long)pos[i].dest);
        s->bytes += pw_spool_item_bytes(eid_len, d->name_len, 0, queued);
        d->depth += (uint64_t)queued;
    }
    if (pending && *first_queued == 0)
        *first_queued = id;
    if (pending && !count_group_row(s, sqlite3_column_int64(st, 4)))
        return pw_err_set(err, PW_ERR_NOMEM, "spool: out of memory counting groups");
    s->last_row = id;
    if (!pw_spool_map_add(&s->keys, pw_spool_key_hash(s->hash_key, eid, eid_len), id, 0))
        return pw_err_set(err, PW_ERR_NOMEM, "spool: out of memory indexing %lld rows",
                          (long long)id);
    return PW_OK;
}

static pw_status load_dead_bytes(pw_spool *s, pw_err *err)
{
    static const char sql[] = "SELECT coalesce(sum(length(event_id) + length(destination)"
                              " + length(payload) + ?1), 0) FROM dead";
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
        return pw_spool_db_fail(s, err, "counting dead letters");
    sqlite3_bind_int(st, 1, ROW_OVERHEAD);
    if (sqlite3_step(st) == SQLITE_ROW)
        s->bytes += (uint64_t)sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return PW_OK;
}

/* Delete bodies whose rows are all settled (none should be: a body goes in the transaction that
 * settles its last row). */
static pw_status drop_orphans(pw_spool *s, const int64_t *ids, size_t n, pw_err *err)
{
    if (!n)
        return PW_OK;
    sqlite3_stmt *st = NULL;
    pw_status status = pw_spool_exec(s, "BEGIN IMMEDIATE", err);
    if (status == PW_OK &&
        sqlite3_prepare_v2(s->db, "DELETE FROM body WHERE id = ?1", -1, &st, NULL) != SQLITE_OK)
        status = pw_spool_db_fail(s, err, "dropping settled payloads");
    for (size_t i = 0; i < n && status == PW_OK; i++) {
        sqlite3_reset(st);
        sqlite3_bind_int64(st, 1, ids[i]);
        if (sqlite3_step(st) != SQLITE_DONE)
            status = pw_spool_db_fail(s, err, "dropping settled payloads");
    }
    sqlite3_finalize(st);
    if (status == PW_OK)
        return pw_spool_exec(s, "COMMIT", err);
    sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    return status;
}

/* The bodies: their bytes count while a row of theirs is queued. */
static pw_status load_bodies(pw_spool *s, pw_err *err)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db, "SELECT id, length(payloads) FROM body", -1, &st, NULL) !=
        SQLITE_OK)
        return pw_spool_db_fail(s, err, "scanning payloads");
    int64_t *orphans = NULL;
    size_t n = 0, cap = 0;
    pw_status status = PW_OK;
    while (status == PW_OK && sqlite3_step(st) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(st, 0), len = sqlite3_column_int64(st, 1);
        pw_spool_slot *g = pw_spool_map_find(&s->groups, (uint64_t)id, -1);
        if (g) {
            g->aux = len;
            s->bytes += (uint64_t)len;
            continue;
        }
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            int64_t *grown = realloc(orphans, cap * sizeof *grown);
            if (!grown)
                status = pw_err_set(err, PW_ERR_NOMEM, "spool: out of memory");
            else
                orphans = grown;
        }
        if (status == PW_OK)
            orphans[n++] = id;
    }
    sqlite3_finalize(st);
    if (status == PW_OK)
        status = drop_orphans(s, orphans, n, err);
    free(orphans);
    return status;
}

static void mark_retries(pw_spool *s)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db, "SELECT DISTINCT dest FROM retry", -1, &st, NULL) != SQLITE_OK)
        return;
    while (sqlite3_step(st) == SQLITE_ROW) {
        pw_spool_dest *d = pw_spool_dest_by_id(s, sqlite3_column_int64(st, 0));
        if (d)
            d->maybe_retries = 1;
    }
    sqlite3_finalize(st);
}

pw_status pw_spool_load(pw_spool *s, pw_err *err)
{
    pw_status status = PW_OK;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db,
                           "SELECT id, pending, dests, event_id, coalesce(grp, id) FROM ev"
                           " ORDER BY id",
                           -1, &st, NULL) != SQLITE_OK)
        return pw_spool_db_fail(s, err, "scanning the spool");
    int64_t first_queued = 0;
    int rc;
    while (status == PW_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (s->purge_lo == 0)
            s->purge_lo = sqlite3_column_int64(st, 0);
        status = load_row(s, st, &first_queued, err);
    }
    if (status == PW_OK && rc != SQLITE_DONE)
        status = pw_spool_db_fail(s, err, "scanning the spool");
    sqlite3_finalize(st);
    if (status != PW_OK)
        return status;
    int64_t start = first_queued ? first_queued : s->last_row + 1;
    for (size_t i = 0; i < s->n_dests; i++)
        s->dests[i].cursor = s->dests[i].low = start;
    mark_retries(s);
    status = load_bodies(s, err);
    return status == PW_OK ? load_dead_bytes(s, err) : status;
}
