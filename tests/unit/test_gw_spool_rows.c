/* test_gw_spool_rows.c — the ev rows of a group commit are written by a few multi-row INSERTs
 * (16, 4 and 1 rows each) instead of one statement per row, with the ids SQLite gives them, and
 * they are the rows the one-statement-per-row spool wrote: consecutive ids, the group's first row
 * with grp and off NULL, the others naming it with their payloads' offset, consent NULL when not
 * recorded. A repeated event_id still finds its rows of the same transaction (written before the
 * look-up), and every payload comes back from a lease. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gw_test_db.h"
#include "pw_test.h"
#include "spool.h"
#include "spool_sqlite_internal.h"

static int ev_inserts; /* INSERT INTO ev statements begun */

static int on_trace(unsigned type, void *ctx, void *p, void *x)
{
    (void)ctx;
    (void)x;
    if (type == SQLITE_TRACE_STMT) {
        const char *sql = sqlite3_sql((sqlite3_stmt *)p);
        if (sql && strncmp(sql, "INSERT INTO ev(", 15) == 0)
            ev_inserts++;
    }
    return 0;
}

#define EVENTS 21 /* 16 + 4 + 1 rows */

static void event_id(char *out, size_t cap, int i)
{
    snprintf(out, cap, "5f0c1a2e-0000-4000-8000-%012d", i);
}

static void payload(char *out, size_t cap, const char *dest, int i)
{
    snprintf(out, cap, "{\"dest\":\"%s\",\"n\":%d,\"pad\":\"%0*d\"}", dest, i, 20 + i, i);
}

static void rows_in_few_statements(void)
{
    char path[256];
    pw_err err = {0};
    pw_spool *s = gw_test_spool_open(path, sizeof path, "pw_spool_rows", "few", &err);
    CHECK(s != NULL);
    if (!s)
        return;
    /* One row before, so that the commit's ids continue the table's. */
    pw_spool_put_item first = {"5f0c1a2e-0000-4000-8000-999999999999", "meta", "{}", 2, 0, 0};
    CHECK_INT(pw_spool_put(s, &first, 1, &err), PW_OK);

    static char ids[EVENTS][48], pm[EVENTS][96], pg[EVENTS][96];
    pw_spool_put_item items[2 * EVENTS];
    size_t n = 0;
    for (int i = 0; i < EVENTS; i++) {
        event_id(ids[i], sizeof ids[i], i);
        payload(pm[i], sizeof pm[i], "meta", i);
        payload(pg[i], sizeof pg[i], "ga4", i);
        unsigned consent = i % 3 == 0 ? 0 : PW_SPOOL_CONSENT_KNOWN | (unsigned)(i % 2) * 2;
        items[n++] = (pw_spool_put_item){ids[i], "meta", pm[i], strlen(pm[i]), 1000 + i, consent};
        if (i % 5 != 4) /* some events for meta only */
            items[n++] =
                (pw_spool_put_item){ids[i], "ga4", pg[i], strlen(pg[i]), 1000 + i, consent};
    }
    pthread_mutex_lock(&s->db_mu);
    sqlite3_trace_v2(s->db, SQLITE_TRACE_STMT, on_trace, NULL);
    pthread_mutex_unlock(&s->db_mu);
    ev_inserts = 0;
    CHECK_INT(pw_spool_put(s, items, n, &err), PW_OK);
    pthread_mutex_lock(&s->db_mu);
    sqlite3_trace_v2(s->db, 0, NULL, NULL);
    pthread_mutex_unlock(&s->db_mu);
    /* 21 rows: a statement of 16, one of 4, one of 1 (one per row before: 21). */
    CHECK_INT(ev_inserts, 3);

    /* The rows as written. */
    sqlite3 *db = NULL;
    CHECK_INT(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *st = NULL;
    CHECK_INT(sqlite3_prepare_v2(db,
                                 "SELECT id, created_ms, event_id, grp, off, consent, length(dests)"
                                 " FROM ev WHERE id > 1 ORDER BY id",
                                 -1, &st, NULL),
              SQLITE_OK);
    int row = 0;
    long long off = 0;
    while (st && sqlite3_step(st) == SQLITE_ROW) {
        char want[48];
        event_id(want, sizeof want, row);
        CHECK_INT((int)sqlite3_column_int64(st, 0), row + 2); /* consecutive after row 1 */
        CHECK_INT((int)sqlite3_column_int64(st, 1), 1000 + row);
        CHECK_STR((const char *)sqlite3_column_text(st, 2), want);
        if (row == 0) { /* opens the group */
            CHECK_INT(sqlite3_column_type(st, 3), SQLITE_NULL);
            CHECK_INT(sqlite3_column_type(st, 4), SQLITE_NULL);
        } else {
            CHECK_INT((int)sqlite3_column_int64(st, 3), 2);
            CHECK_INT((int)sqlite3_column_int64(st, 4), (int)off);
        }
        if (row % 3 == 0)
            CHECK_INT(sqlite3_column_type(st, 5), SQLITE_NULL);
        else
            CHECK_INT((int)sqlite3_column_int64(st, 5),
                      (int)(PW_SPOOL_CONSENT_KNOWN | (unsigned)(row % 2) * 2));
        int dests = row % 5 != 4 ? 2 : 1;
        CHECK_INT(sqlite3_column_int(st, 6), dests * PW_SPOOL_DEST_BYTES);
        off += (long long)strlen(pm[row]) + (dests == 2 ? (long long)strlen(pg[row]) : 0);
        row++;
    }
    CHECK_INT(row, EVENTS);
    sqlite3_finalize(st);
    sqlite3_close(db);

    /* Every payload comes back, from the group's body. */
    const char *dests[2] = {"meta", "ga4"};
    for (int d = 0; d < 2; d++) {
        pw_spool_item *got = NULL;
        size_t m = 0;
        CHECK_INT(pw_spool_lease(s, dests[d], 100, 60000, &got, &m, &err), PW_OK);
        size_t want_n = d == 0 ? EVENTS + 1 : EVENTS - EVENTS / 5;
        CHECK_INT((int)m, (int)want_n);
        size_t k = d == 0 ? 1 : 0; /* meta's first item is the row before */
        for (int i = 0; i < EVENTS && k < m; i++) {
            if (d == 1 && i % 5 == 4)
                continue;
            const char *p = d == 0 ? pm[i] : pg[i];
            CHECK_INT((int)got[k].payload_len, (int)strlen(p));
            CHECK(got[k].payload_len == strlen(p) &&
                  memcmp(got[k].payload, p, got[k].payload_len) == 0);
            k++;
        }
        pw_spool_items_free(got, m);
    }
    pw_spool_close(s);
    gw_test_db_remove(path);
}

typedef struct put_result {
    int done;
    pw_status st;
    pthread_mutex_t mu;
    pthread_cond_t cv;
} put_result;

static void on_done(void *ctx, pw_status st, const pw_err *err)
{
    (void)err;
    put_result *r = ctx;
    pthread_mutex_lock(&r->mu);
    r->st = st;
    r->done = 1;
    pthread_cond_signal(&r->cv);
    pthread_mutex_unlock(&r->mu);
}

/* An event_id repeated within one commit, after rows still waiting in the buffer: the look-up
 * writes them first and finds the repeat (a duplicate, no second row). */
static void repeat_after_buffered_rows(void)
{
    char path[256];
    pw_err err = {0};
    pw_spool *s = gw_test_spool_open(path, sizeof path, "pw_spool_rows", "repeat", &err);
    CHECK(s != NULL);
    if (!s)
        return;
    static char ids[6][48];
    pw_spool_put_item items[8];
    for (int i = 0; i < 6; i++) {
        event_id(ids[i], sizeof ids[i], 100 + i);
        items[i] = (pw_spool_put_item){ids[i], "meta", "{\"a\":1}", 7, 0, 0};
    }
    items[6] = (pw_spool_put_item){ids[2], "meta", "{\"a\":2}", 7, 0, 0}; /* a repeat */
    items[7] = (pw_spool_put_item){ids[2], "ga4", "{\"a\":3}", 7, 0, 0};  /* a new dest */
    unsigned char dups[8] = {0};
    put_result r = {.st = PW_ERR_INVALID};
    pthread_mutex_init(&r.mu, NULL);
    pthread_cond_init(&r.cv, NULL);
    CHECK_INT(pw_spool_put_async_dups(s, items, 8, dups, on_done, &r, &err), PW_OK);
    pthread_mutex_lock(&r.mu);
    while (!r.done)
        pthread_cond_wait(&r.cv, &r.mu);
    pthread_mutex_unlock(&r.mu);
    CHECK_INT(r.st, PW_OK);
    for (int i = 0; i < 6; i++)
        CHECK_INT(dups[i], 0);
    CHECK_INT(dups[6], 1); /* meta: the event's row of this commit has it */
    CHECK_INT(dups[7], 0); /* ga4: new, a row of its own */
    pw_spool_stats stats = {0};
    pw_spool_stats_get(s, "meta", &stats, NULL);
    CHECK_INT((int)stats.depth, 6);
    pw_spool_stats_get(s, "ga4", &stats, NULL);
    CHECK_INT((int)stats.depth, 1);
    pthread_cond_destroy(&r.cv);
    pthread_mutex_destroy(&r.mu);
    pw_spool_close(s);
    gw_test_db_remove(path);
}

/* A buffered row that cannot be written (a trigger refuses it) fails the whole put, also when
 * the write is the one a repeated event_id's look-up makes first: nothing of it is committed. */
static void failed_row_fails_the_put(void)
{
    char path[256];
    pw_err err = {0};
    pw_spool *s = gw_test_spool_open(path, sizeof path, "pw_spool_rows", "fail", &err);
    CHECK(s != NULL);
    if (!s)
        return;
    pthread_mutex_lock(&s->db_mu);
    CHECK_INT(sqlite3_exec(s->db,
                           "CREATE TRIGGER refuse BEFORE INSERT ON ev WHEN NEW.event_id = 'boom'"
                           " BEGIN SELECT RAISE(ABORT, 'refused'); END",
                           NULL, NULL, NULL),
              SQLITE_OK);
    pthread_mutex_unlock(&s->db_mu);
    pw_spool_put_item items[3] = {{"a-1", "meta", "{}", 2, 0, 0},
                                  {"boom", "meta", "{}", 2, 0, 0},
                                  {"a-1", "ga4", "{}", 2, 0, 0}}; /* looks up a-1: writes first */
    CHECK(pw_spool_put(s, items, 3, &err) != PW_OK);
    CHECK(strstr(err.msg, "refused") != NULL);
    CHECK(pw_spool_put(s, items, 2, &err) != PW_OK); /* the last row written by the final flush */
    pw_spool_stats stats = {0};
    pw_spool_stats_get(s, NULL, &stats, NULL);
    CHECK_INT((int)stats.depth, 0);
    /* The spool goes on: a put without the refused row commits, with a-1 new again. */
    CHECK_INT(pw_spool_put(s, items, 1, &err), PW_OK);
    pw_spool_stats_get(s, "meta", &stats, NULL);
    CHECK_INT((int)stats.depth, 1);
    pw_spool_close(s);
    sqlite3 *db = NULL;
    CHECK_INT(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *st = NULL;
    CHECK_INT(sqlite3_prepare_v2(db, "SELECT count(*), min(id) FROM ev", -1, &st, NULL), SQLITE_OK);
    CHECK(st && sqlite3_step(st) == SQLITE_ROW);
    CHECK_INT(sqlite3_column_int(st, 0), 1);
    CHECK_INT(sqlite3_column_int(st, 1), 1);
    sqlite3_finalize(st);
    sqlite3_close(db);
    gw_test_db_remove(path);
}

PW_TEST_MAIN(PW_TEST(rows_in_few_statements), PW_TEST(repeat_after_buffered_rows),
             PW_TEST(failed_row_fails_the_put))
