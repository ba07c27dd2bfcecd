/*
 * spool_sqlite_mark.c — the durable trace of a send in flight (pw_spool_mark_sending). Leases
 * live in memory, so without it a gateway killed while a request was out brought its items back
 * as if never tried: a new first attempt, and no retry window for an event the upstream may
 * already have. Before a forwarder sends, the group commit writes one `sending` row for its
 * destination (the items as 8-byte ids, the time), replacing the previous one: one row per
 * cycle, not per event, and no fsync of its own (it shares the puts' commit).
 *
 * Nothing clears the row when the outcomes are settled (that would be a second write per
 * cycle): at open, an item of a row counts as possibly delivered only while it is still queued
 * and no outcome was written for it after the mark. Every outcome that leaves an item queued
 * writes its retry row with next_attempt_ms at or after the moment it is settled (a retry: the
 * answer's time plus a delay; a put back: now), while the retry row of an item leased before
 * the mark was due at the lease, at or before it. So a retry row due after at_ms was written
 * after the send and says what happened; otherwise (none, or due before) the outcome was lost
 * with the process and the item gets an attempt: a retry row due at once with attempts + 1 and
 * its first attempt at at_ms unless it had one. A put back settled in the same millisecond as
 * its mark counts as an attempt: the error is on the side of closing the window early.
 */
#include <stdlib.h>
#include <string.h>

#include "spool_sqlite_internal.h"

static void put_le64(unsigned char *p, int64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)((uint64_t)v >> (8 * i));
}

static int64_t get_le64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return (int64_t)v;
}

static pw_status write_mark(pw_spool *s, const put_req *r, pw_err *err)
{
    pw_spool_dest *d = pw_spool_dest_by_name(s, r->mark_dest ? r->mark_dest : "");
    if (!d)
        return pw_err_set(err, PW_ERR_NOTFOUND, "spool: no destination %s to mark",
                          r->mark_dest ? r->mark_dest : "(null)");
    unsigned char *blob = (unsigned char *)pw_spool_scratch(s, r->n_mark * 8);
    if (!blob)
        return pw_err_set(err, PW_ERR_NOMEM, "spool: out of memory marking a send");
    for (size_t i = 0; i < r->n_mark; i++)
        put_le64(blob + 8 * i, r->mark_ids[i]);
    sqlite3_stmt *st = pw_spool_stmt(s, SQL_MARK_PUT);
    if (!st)
        return pw_spool_db_fail(s, err, "prepare send mark");
    sqlite3_bind_int64(st, 1, d->id);
    sqlite3_bind_int64(st, 2, r->mark_ms);
    sqlite3_bind_blob(st, 3, blob, (int)(r->n_mark * 8), SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, ++s->write_order);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? PW_OK : pw_spool_db_fail(s, err, "send mark");
}

pw_status pw_spool_marks_write(pw_spool *s, put_req *list, pw_err *err)
{
    int any = 0;
    for (put_req *r = list; r; r = r->next)
        any |= r->mark_ids && r->status == PW_OK;
    if (!any)
        return PW_OK;
    pw_status st = pw_spool_exec(s, "SAVEPOINT pw_mark", err);
    if (st != PW_OK)
        return st;
    pw_err e = {0};
    pw_status mst = PW_OK;
    for (put_req *r = list; r && mst == PW_OK; r = r->next)
        if (r->mark_ids && r->status == PW_OK)
            mst = write_mark(s, r, &e);
    if (mst == PW_OK)
        return pw_spool_exec(s, "RELEASE pw_mark", err);
    for (put_req *r = list; r; r = r->next)
        if (r->mark_ids && r->status == PW_OK) {
            r->status = mst;
            r->err = e;
        }
    st = pw_spool_exec(s, "ROLLBACK TO pw_mark", err);
    return st == PW_OK ? pw_spool_exec(s, "RELEASE pw_mark", err) : st;
}

/* ---- at open ------------------------------------------------------------------------------ */

/* Is item still queued for its position? */
static int item_queued(pw_spool *s, int64_t item)
{
    sqlite3_stmt *st = pw_spool_stmt(s, SQL_ROW);
    if (!st)
        return 0;
    sqlite3_bind_int64(st, 1, ITEM_ROW(item));
    int queued = sqlite3_step(st) == SQLITE_ROW &&
                 ((uint64_t)sqlite3_column_int64(st, 2) >> ITEM_POS(item)) & 1;
    sqlite3_reset(st);
    return queued;
}

/* A send mark as stored: its destination, time and place in the write order (0: written by a
 * phiwall before the order). */
typedef struct mark {
    int64_t dest, at_ms, seq;
} mark;

/* Was the retry row found by SQL_RETRY_HAS in st written after mark m? By the write order, not
 * the wall clock: a clock stepped back between the two would otherwise make an outcome written
 * after the send look older (or a row from before it newer), and an attempt be missed. A mark
 * from before the order falls back to the times. */
static int written_after(const mark *m, sqlite3_stmt *st)
{
    if (m->seq > 0)
        return sqlite3_column_int64(st, 3) > m->seq;
    return sqlite3_column_int64(st, 2) > m->at_ms;
}

/* One item of mark m: an attempt, unless settled since. */
static pw_status recover_item(pw_spool *s, const mark *m, int64_t item, pw_err *err)
{
    int64_t dest = m->dest, at_ms = m->at_ms;
    if (!item_queued(s, item))
        return PW_OK; /* delivered or dead */
    sqlite3_stmt *st = pw_spool_stmt(s, SQL_RETRY_HAS);
    if (!st)
        return pw_spool_db_fail(s, err, "prepare send recovery");
    sqlite3_bind_int64(st, 1, item);
    int64_t attempts = 0, first = 0;
    if (sqlite3_step(st) == SQLITE_ROW) {
        attempts = sqlite3_column_int64(st, 0);
        first = sqlite3_column_int64(st, 1);
        if (written_after(m, st)) {
            sqlite3_reset(st);
            return PW_OK; /* its outcome was written after the send */
        }
    }
    sqlite3_reset(st);
    if (!(st = pw_spool_stmt(s, SQL_RETRY_PUT)))
        return pw_spool_db_fail(s, err, "prepare send recovery");
    sqlite3_bind_int64(st, 1, item);
    sqlite3_bind_int64(st, 2, dest);
    sqlite3_bind_int64(st, 3, at_ms); /* due: it was due when it was sent */
    sqlite3_bind_int64(st, 4, attempts + 1);
    sqlite3_bind_int64(st, 5, first > 0 ? first : at_ms);
    sqlite3_bind_int64(st, 6, ++s->write_order);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return pw_spool_db_fail(s, err, "send recovery");
    pw_spool_dest *d = pw_spool_dest_by_id(s, dest);
    if (d)
        d->maybe_retries = 1;
    return PW_OK;
}

static pw_status recover_rows(pw_spool *s, pw_err *err)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db, "SELECT dest, at_ms, items, seq FROM sending", -1, &st, NULL) !=
        SQLITE_OK)
        return pw_spool_db_fail(s, err, "reading send marks");
    pw_status status = PW_OK;
    while (status == PW_OK && sqlite3_step(st) == SQLITE_ROW) {
        mark m = {sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
                  sqlite3_column_int64(st, 3)};
        const unsigned char *p = sqlite3_column_blob(st, 2);
        size_t n = (size_t)sqlite3_column_bytes(st, 2) / 8;
        for (size_t i = 0; p && i < n && status == PW_OK; i++)
            status = recover_item(s, &m, get_le64(p + 8 * i), err);
    }
    sqlite3_finalize(st);
    return status;
}

static int any_marks(pw_spool *s)
{
    sqlite3_stmt *st = NULL;
    int any =
        sqlite3_prepare_v2(s->db, "SELECT 1 FROM sending LIMIT 1", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    return any;
}

pw_status pw_spool_marks_recover(pw_spool *s, pw_err *err)
{
    if (!any_marks(s))
        return PW_OK; /* nothing to write: no transaction, no fsync at open */
    pw_status st = pw_spool_begin(s, err);
    if (st == PW_OK)
        st = recover_rows(s, err);
    if (st == PW_OK)
        st = pw_spool_exec(s, "DELETE FROM sending", err);
    if (st == PW_OK)
        return pw_spool_run(s, SQL_COMMIT, err);
    pw_spool_run(s, SQL_ROLLBACK, NULL);
    pw_err_prefix(err, "recovering the sends in flight at the last stop: ");
    return st;
}
