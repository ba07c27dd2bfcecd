/*
 * spool_sqlite_gate.c — the pending sweeps of destinations whose endpoint a reload changed
 * (spool.h, pw_spool_gate_put): table gate(dest, upto), created when first used, so that a
 * restart or a crash while a destination is gated finishes its sweep before any forwarder runs
 * instead of sending the old endpoint's queue to the new one.
 */
#include <stdlib.h>
#include <string.h>

#include "spool_sqlite_internal.h"

typedef struct gates_in {
    const char *const *dests;
    size_t n;
    int64_t upto;
} gates_in;

static pw_status insert_gates(pw_spool *s, void *ctx, pw_err *err)
{
    const gates_in *g = ctx;
    pw_status status = pw_spool_exec(
        s, "CREATE TABLE IF NOT EXISTS gate(dest TEXT PRIMARY KEY, upto INTEGER NOT NULL)", err);
    sqlite3_stmt *st = NULL;
    if (status == PW_OK &&
        sqlite3_prepare_v2(s->db, "INSERT OR REPLACE INTO gate(dest, upto) VALUES (?1, ?2)", -1,
                           &st, NULL) != SQLITE_OK)
        status = pw_spool_db_fail(s, err, "prepare gate insert");
    for (size_t i = 0; status == PW_OK && i < g->n; i++) {
        sqlite3_bind_text(st, 1, g->dests[i], -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, g->upto);
        if (sqlite3_step(st) != SQLITE_DONE)
            status = pw_spool_db_fail(s, err, "recording a gated destination");
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    return status;
}

pw_status pw_spool_gate_put(pw_spool *s, const char *const *dests, size_t n, int64_t upto,
                            pw_err *err)
{
    gates_in g = {dests, n, upto};
    return n ? pw_spool_in_txn(s, insert_gates, &g, err) : PW_OK;
}

static pw_status read_gates(pw_spool *s, pw_spool_gate **out, size_t *n, pw_err *err)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db, "SELECT dest, upto FROM gate ORDER BY dest", -1, &st, NULL) !=
        SQLITE_OK)
        return pw_spool_db_fail(s, err, "prepare gate read");
    pw_status status = PW_OK;
    size_t cap = 0;
    while (status == PW_OK && sqlite3_step(st) == SQLITE_ROW) {
        const char *dest = (const char *)sqlite3_column_text(st, 0);
        if (*n == cap) {
            pw_spool_gate *grown = realloc(*out, (cap = cap ? cap * 2 : 4) * sizeof **out);
            if (!grown) {
                status = pw_err_set(err, PW_ERR_NOMEM, "spool: out of memory");
                break;
            }
            *out = grown;
        }
        (*out)[*n].upto = sqlite3_column_int64(st, 1);
        if (!((*out)[*n].dest = strdup(dest ? dest : "")))
            status = pw_err_set(err, PW_ERR_NOMEM, "spool: out of memory");
        else
            ++*n;
    }
    sqlite3_finalize(st);
    return status;
}

pw_status pw_spool_gates(pw_spool *s, pw_spool_gate **gates, size_t *n, pw_err *err)
{
    *gates = NULL;
    *n = 0;
    pthread_mutex_lock(&s->db_mu);
    pw_status status = pw_spool_has_table(s, "gate") ? read_gates(s, gates, n, err) : PW_OK;
    pthread_mutex_unlock(&s->db_mu);
    if (status != PW_OK) {
        pw_spool_gates_free(*gates, *n);
        *gates = NULL;
        *n = 0;
    }
    return status;
}

void pw_spool_gates_free(pw_spool_gate *gates, size_t n)
{
    for (size_t i = 0; gates && i < n; i++)
        free(gates[i].dest);
    free(gates);
}

pw_status pw_spool_gate_clear(pw_spool *s, const char *dest, pw_err *err)
{
    pthread_mutex_lock(&s->db_mu);
    sqlite3_stmt *st = NULL;
    pw_status status = PW_OK;
    if (!pw_spool_has_table(s, "gate"))
        status = PW_OK;
    else if (sqlite3_prepare_v2(s->db, "DELETE FROM gate WHERE dest = ?1", -1, &st, NULL) !=
             SQLITE_OK)
        status = pw_spool_db_fail(s, err, "prepare gate delete");
    else {
        sqlite3_bind_text(st, 1, dest, -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE)
            status = pw_spool_db_fail(s, err, "clearing a gated destination");
    }
    sqlite3_finalize(st);
    pthread_mutex_unlock(&s->db_mu);
    return status;
}
