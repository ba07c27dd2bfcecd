/*
 * spool_sqlite_held.c — lines kept for the audit log in the spool's file (spool.h,
 * pw_spool_hold_lines): table held_audit(id, line), created when first used, so a file without
 * held lines is exactly a version-3 file (an older phiwall ignores the table).
 */
#include <stdlib.h>
#include <string.h>

#include "spool_sqlite_internal.h"

typedef struct held_lines {
    const char *const *lines;
    size_t n;
} held_lines;

static pw_status insert_lines(pw_spool *s, void *ctx, pw_err *err)
{
    const char *const *lines = ((held_lines *)ctx)->lines;
    size_t n = ((held_lines *)ctx)->n;
    pw_status status = pw_spool_exec(
        s, "CREATE TABLE IF NOT EXISTS held_audit(id INTEGER PRIMARY KEY, line TEXT NOT NULL)",
        err);
    sqlite3_stmt *st = NULL;
    if (status == PW_OK && sqlite3_prepare_v2(s->db, "INSERT INTO held_audit(line) VALUES (?1)", -1,
                                              &st, NULL) != SQLITE_OK)
        status = pw_spool_db_fail(s, err, "prepare held_audit insert");
    for (size_t i = 0; status == PW_OK && i < n; i++) {
        sqlite3_bind_text(st, 1, lines[i], -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE)
            status = pw_spool_db_fail(s, err, "keeping audit records");
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    return status;
}

pw_status pw_spool_hold_lines(pw_spool *s, const char *const *lines, size_t n, pw_err *err)
{
    held_lines h = {lines, n};
    return n ? pw_spool_in_txn(s, insert_lines, &h, err) : PW_OK;
}

static pw_status read_lines(pw_spool *s, char ***lines, size_t *n, pw_err *err)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db, "SELECT line FROM held_audit ORDER BY id", -1, &st, NULL) !=
        SQLITE_OK)
        return pw_spool_db_fail(s, err, "prepare held_audit read");
    char **out = NULL;
    size_t k = 0, cap = 0;
    pw_status status = PW_OK;
    while (status == PW_OK && sqlite3_step(st) == SQLITE_ROW) {
        const char *line = (const char *)sqlite3_column_text(st, 0);
        if (k == cap) {
            char **grown = realloc(out, (cap = cap ? cap * 2 : 16) * sizeof *out);
            if (!grown) {
                status = pw_err_set(err, PW_ERR_NOMEM, "spool: out of memory");
                break;
            }
            out = grown;
        }
        if (!(out[k] = strdup(line ? line : "")))
            status = pw_err_set(err, PW_ERR_NOMEM, "spool: out of memory");
        else
            k++;
    }
    sqlite3_finalize(st);
    if (status != PW_OK) {
        pw_spool_names_free(out, k);
        return status;
    }
    *lines = out;
    *n = k;
    return PW_OK;
}

pw_status pw_spool_held_lines(pw_spool *s, char ***lines, size_t *n, pw_err *err)
{
    *lines = NULL;
    *n = 0;
    pthread_mutex_lock(&s->db_mu);
    pw_status status = pw_spool_has_table(s, "held_audit") ? read_lines(s, lines, n, err) : PW_OK;
    pthread_mutex_unlock(&s->db_mu);
    return status;
}

pw_status pw_spool_held_clear(pw_spool *s, size_t n, pw_err *err)
{
    if (!n)
        return PW_OK;
    pthread_mutex_lock(&s->db_mu);
    sqlite3_stmt *st = NULL;
    pw_status status = PW_OK;
    if (sqlite3_prepare_v2(s->db,
                           "DELETE FROM held_audit WHERE id IN"
                           " (SELECT id FROM held_audit ORDER BY id LIMIT ?1)",
                           -1, &st, NULL) != SQLITE_OK)
        status = pw_spool_db_fail(s, err, "prepare held_audit delete");
    else {
        sqlite3_bind_int64(st, 1, (sqlite3_int64)n);
        if (sqlite3_step(st) != SQLITE_DONE)
            status = pw_spool_db_fail(s, err, "deleting kept audit records");
    }
    sqlite3_finalize(st);
    pthread_mutex_unlock(&s->db_mu);
    return status;
}

/* ---- the audit chain's head ----------------------------------------------------------------- */

/* Table audit_head: one row (id 1), the last durable record of the audit log as the log last
 * reported it (pw_spool_audit_head_put). Created when first used, like held_audit: a file
 * without it is a plain version-4 file and an older phiwall ignores it. Kept here, outside the
 * log, so that a log moved, deleted or cut while the gateway was stopped is noticed at start. */
pw_status pw_spool_audit_head_put(pw_spool *s, const char *path, uint64_t seq, const char *hash,
                                  pw_err *err)
{
    pthread_mutex_lock(&s->db_mu);
    pw_status status =
        pw_spool_exec(s,
                      "CREATE TABLE IF NOT EXISTS audit_head(id INTEGER PRIMARY "
                      "KEY CHECK (id = 1), path TEXT NOT NULL, seq INTEGER NOT NULL, hash TEXT "
                      "NOT NULL)",
                      err);
    sqlite3_stmt *st = NULL;
    if (status == PW_OK &&
        sqlite3_prepare_v2(
            s->db, "INSERT OR REPLACE INTO audit_head(id, path, seq, hash) VALUES (1, ?3, ?1, ?2)",
            -1, &st, NULL) != SQLITE_OK)
        status = pw_spool_db_fail(s, err, "prepare audit_head write");
    if (status == PW_OK) {
        sqlite3_bind_int64(st, 1, (sqlite3_int64)seq);
        sqlite3_bind_text(st, 2, hash, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, path, -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE)
            status = pw_spool_db_fail(s, err, "remembering the audit log's head");
    }
    sqlite3_finalize(st);
    pthread_mutex_unlock(&s->db_mu);
    return status;
}

pw_status pw_spool_audit_head_get(pw_spool *s, int *found, char **path, uint64_t *seq,
                                  char hash[65], pw_err *err)
{
    *found = 0;
    *path = NULL;
    pthread_mutex_lock(&s->db_mu);
    pw_status status = PW_OK;
    sqlite3_stmt *st = NULL;
    if (pw_spool_has_table(s, "audit_head")) {
        if (sqlite3_prepare_v2(s->db, "SELECT seq, hash, path FROM audit_head WHERE id = 1", -1,
                               &st, NULL) != SQLITE_OK)
            status = pw_spool_db_fail(s, err, "prepare audit_head read");
        else if (sqlite3_step(st) == SQLITE_ROW) {
            const char *h = (const char *)sqlite3_column_text(st, 1);
            const char *p = (const char *)sqlite3_column_text(st, 2);
            if (h && strlen(h) == 64 && p) {
                *seq = (uint64_t)sqlite3_column_int64(st, 0);
                memcpy(hash, h, 65);
                if (!(*path = strdup(p)))
                    status = pw_err_set(err, PW_ERR_NOMEM, "spool: out of memory");
                else
                    *found = 1;
            }
        }
    }
    sqlite3_finalize(st);
    pthread_mutex_unlock(&s->db_mu);
    return status;
}
