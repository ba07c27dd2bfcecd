/*
 * test_gw_spool_full.c — the spool on a full disk (a small tmpfs of the test's own): puts stop
 * with PW_ERR_LIMIT while the disk reserve is still free, so that a forwarder's acks commit;
 * after the upstream is back the spool drains to depth 0 with every event sent exactly once, and
 * new events are taken again. Also: an ack that cannot commit is retried, counted and the
 * forwarder paused (stats.spool_failures, paused = 2) instead of being dropped while the rows are
 * sent again. Skipped (passes, saying so) where mounting a tmpfs is not permitted.
 */
#include "gw_test_tmpfs.h" /* first: unshare before any thread */

#include "../mock/mock_upstream.c"

#include "audit.h"
#include "forward.h"
#include "gw_time.h"
#include "pw_test.h"
#include "spool.h"
#include "gw_test_fwenv.h"

#include <sqlite3.h>

static gw_tmpfs fs;

static char *meta_event(const char *id)
{
    char *s = malloc(1024);
    snprintf(
        s, 1024,
        "{\"event_name\":\"Schedule\",\"event_time\":%lld,\"event_id\":\"%s\",\"action_source\":"
        "\"website\",\"event_source_url\":\"https://hospital.example/\",\"user_data\":{\"em\":"
        "[\"a665a45920422f9d417e4867efdc4fb8a04a1f3fff1fa07e998e86f7f7a27ae3\"]},"
        "\"custom_data\":{\"page_category\":\"scheduling\",\"pad\":\"%0300d\"}}",
        (long long)(pw_gw_now_ms() / 1000), id, 0);
    return s;
}

/* Put one event per commit until the spool refuses; how many were taken. */
static int fill_spool(env *e, const char *prefix, pw_err *err)
{
    for (int i = 0; i < 5000; i++) {
        char id[32];
        snprintf(id, sizeof id, "%s-%04d", prefix, i);
        char *p = meta_event(id);
        pw_spool_put_item it = {id, "meta", p, strlen(p), 0, 0};
        pw_status st = pw_spool_put(e->spool, &it, 1, err);
        free(p);
        if (st != PW_OK)
            return st == PW_ERR_LIMIT ? i : -1;
    }
    return -2;
}

static size_t sent_times(env *e, const char *id)
{
    size_t n = 0;
    for (size_t i = 0; i < mock_upstream_count(e->mock); i++)
        for (const char *p = mock_upstream_request(e->mock, i)->body; (p = strstr(p, id)); p++)
            n++;
    return n;
}

/* The env with its spool on the tmpfs; reserve 0: the default (an eighth of the disk). */
static void open_on_tmpfs(env *e, const char *tag, uint64_t reserve)
{
    env_open(e, "gw_spool_full", tag);
    pw_spool_close(e->spool);
    gw_test_db_remove(e->spool_path);
    snprintf(e->spool_path, sizeof e->spool_path, "%s/%s.db", fs.dir, tag);
    pw_spool_opts o = {.path = e->spool_path, .commit_interval_ms = 0, .reserve_bytes = reserve};
    CHECK_INT(pw_spool_open(&o, &e->spool, NULL), PW_OK);
}

static void test_full_spool_drains(void)
{
    env e;
    open_on_tmpfs(&e, "drain", 0);
    pw_err err = {0};
    int n = fill_spool(&e, "ev", &err);
    CHECK(n > 20);
    CHECK_INT(err.code, PW_ERR_LIMIT);
    CHECK(gw_tmpfs_free(&fs) >= 32 * 1024); /* the reserve: left for the acks */
    pw_spool_stats st;
    CHECK_INT(pw_spool_stats_get(e.spool, "meta", &st, NULL), PW_OK);
    CHECK_INT(st.depth, n);
    CHECK(pw_spool_full(e.spool) != 0);

    pw_destination d = env_meta_dest(&e, "123456", "tok-SPOOL-FULL", GW_TEST_REQ_TIMEOUT_MS);
    pw_forward_opts o = {.retry_base_ms = 20, .retry_max_ms = 100, .poll_ms = 10};
    CHECK_INT(pw_forwarders_start_opts(&d, 1, e.spool, e.audit, &o, &e.fw, NULL), PW_OK);
    CHECK(drained(&e, "meta", GW_TEST_WAIT_MS));
    pw_forward_stats fs_;
    CHECK_INT(pw_forwarders_stats(e.fw, "meta", &fs_), PW_OK);
    CHECK_INT(fs_.sent, n);
    CHECK_INT(fs_.paused, 0);
    usleep(300000); /* nothing is sent again after the acks */
    char id[32];
    int twice = 0;
    for (int i = 0; i < n; i++) {
        snprintf(id, sizeof id, "\"ev-%04d\"", i);
        twice += sent_times(&e, id) != 1;
    }
    CHECK_INT(twice, 0);
    CHECK(pw_spool_full(e.spool) == 0 || gw_tmpfs_free(&fs) < 160 * 1024);
    /* New events are taken again (the drained rows' pages are reused). */
    char *p = meta_event("after-1");
    pw_spool_put_item it = {"after-1", "meta", p, strlen(p), 0, 0};
    pw_err perr = {0};
    pw_status pst = PW_ERR_LIMIT;
    int64_t until = pw_gw_mono_ms() + GW_TEST_WAIT_MS; /* as the tag does: again after a 503 */
    while ((pst = pw_spool_put(e.spool, &it, 1, &perr)) == PW_ERR_LIMIT && pw_gw_mono_ms() < until)
        usleep(200000);
    CHECK_INT(pst, PW_OK);
    if (pst != PW_OK)
        fprintf(stderr, "put after drain: %s (%llu bytes free)\n", perr.msg, gw_tmpfs_free(&fs));
    free(p);
    CHECK(drained(&e, "meta", GW_TEST_WAIT_MS));
    CHECK(mock_upstream_wait(e.mock, 2, GW_TEST_WAIT_MS));
    CHECK_INT(sent_times(&e, "\"after-1\""), 1);
    pw_buf m;
    pw_buf_init(&m);
    pw_spool_metrics(e.spool, &m);
    pw_buf_putc(&m, '\0');
    CHECK(strstr(m.data, "phiwall_gateway_spool_reserve_refusals_total ") != NULL);
    CHECK(strstr(m.data, "phiwall_gateway_spool_reserve_refusals_total 0\n") == NULL);
    pw_buf_free(&m);
    env_close(&e);
}

/* Without a reserve the disk can fill completely: an ack that cannot commit is retried until
 * it can, never dropped. The disk fills while the upstream holds the request: the forwarder's
 * mark of the send (pw_spool_mark_sending) is written before it, as on a disk that fills up
 * between a send and its answer (on a disk full before the send, nothing is sent until the
 * mark fits). */
static void test_ack_failure_retried(void)
{
    env e;
    open_on_tmpfs(&e, "ack", PW_SPOOL_NO_RESERVE);
    for (int i = 0; i < 40; i++) {
        char id[32];
        snprintf(id, sizeof id, "ack-%04d", i);
        char *p = meta_event(id);
        put_raw(&e, "meta", id, p, 0);
        free(p);
    }
    mock_reply held = {.status = 200,
                       .body = "{\"events_received\":40,\"messages\":[],\"fbtrace_id\":\"F\"}",
                       .delay_ms = 500};
    mock_upstream_script(e.mock, &held);
    pw_destination d = env_meta_dest(&e, "123456", "tok-SPOOL-FULL", GW_TEST_REQ_TIMEOUT_MS);
    pw_forward_opts o = {.retry_base_ms = 20, .retry_max_ms = 100, .poll_ms = 10};
    CHECK_INT(pw_forwarders_start_opts(&d, 1, e.spool, e.audit, &o, &e.fw, NULL), PW_OK);
    CHECK(mock_upstream_wait(e.mock, 1, GW_TEST_WAIT_MS));
    gw_tmpfs_fill(&fs, 0);
    pw_forward_stats s;
    int64_t until = pw_gw_mono_ms() + GW_TEST_WAIT_MS;
    do {
        usleep(20000);
        pw_forwarders_stats(e.fw, "meta", &s);
    } while (s.spool_failures == 0 && s.sent == 0 && pw_gw_mono_ms() < until);
    if (s.spool_failures) /* the ack did not fit: retried, the rows not sent again */
        CHECK_INT(mock_upstream_count(e.mock), 1);
    gw_tmpfs_free_filler(&fs);
    CHECK(drained(&e, "meta", GW_TEST_WAIT_MS));
    until =
        pw_gw_mono_ms() + GW_TEST_WAIT_MS; /* the ack's caller learns of its commit just after */
    do
        pw_forwarders_stats(e.fw, "meta", &s);
    while (s.paused && pw_gw_mono_ms() < until && usleep(5000) == 0);
    CHECK_INT(s.paused, 0);
    CHECK_INT(s.sent, 40);
    CHECK_INT(mock_upstream_count(e.mock), 1);
    env_close(&e);
}

/* What a second connection reads of the spool file: free pages × page size. */
static unsigned long long free_page_bytes(const char *path)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *q = NULL;
    unsigned long long pages = 0, size = 0;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(db, "PRAGMA freelist_count", -1, &q, NULL) == SQLITE_OK &&
        sqlite3_step(q) == SQLITE_ROW)
        pages = (unsigned long long)sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    q = NULL;
    if (sqlite3_prepare_v2(db, "PRAGMA page_size", -1, &q, NULL) == SQLITE_OK &&
        sqlite3_step(q) == SQLITE_ROW)
        size = (unsigned long long)sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    sqlite3_close(db);
    return pages * size;
}

#define REUSE_RESERVE (64 * 1024)
#define REUSE_PAD     1500
#define NEW_PAD       8000

/* A second connection's TRUNCATE checkpoint: the WAL's disk given back before the disk is
 * filled, so that only what the puts write next grows it. */
static void truncate_wal(const char *path)
{
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK)
        sqlite3_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
    sqlite3_close(db);
}

static pw_status put_new(env *e, const char *id, pw_err *err)
{
    static char p[NEW_PAD + 128];
    snprintf(p, sizeof p, "{\"event_name\":\"Lead\",\"event_id\":\"%s\",\"pad\":\"%0*d\"}", id,
             NEW_PAD, 7);
    pw_spool_put_item it = {id, "meta", p, strlen(p), 0, 0};
    return pw_spool_put(e->spool, &it, 1, err);
}

static void lease_ack_all(env *e, size_t expect)
{
    pw_spool_item *items = NULL;
    size_t n = 0;
    CHECK_INT(pw_spool_lease(e->spool, "meta", 1000, 60000, &items, &n, NULL), PW_OK);
    CHECK_INT(n, expect);
    int64_t *ids = calloc(n ? n : 1, sizeof *ids);
    for (size_t i = 0; i < n; i++)
        ids[i] = items[i].id;
    pw_spool_items_free(items, n);
    pw_err err = {0};
    CHECK_INT(pw_spool_ack(e->spool, ids, n, &err), PW_OK);
    if (err.code)
        fprintf(stderr, "ack: %s\n", err.msg);
    free(ids);
}

/* The disk bound counts the spool file's free pages: on a disk filled to 28 KiB beyond the
 * reserve, the pages of delivered (acked) rows take a new row that the disk alone could not
 * (2 × its bytes + 16 KiB), and the refusal (503) comes before the reserve is touched, since the
 * new row's WAL frames need the disk itself (its bytes + 16 KiB): the acks of the new rows still
 * commit. Counting free pages for the WAL frames let puts run the disk full (COMMIT: database or
 * disk is full) and the acks fail. */
static void test_free_pages_reused(void)
{
    env e;
    gw_tmpfs_free_filler(&fs);
    open_on_tmpfs(&e, "reuse", REUSE_RESERVE);
    /* 80 rows in 4 commits (a commit per row would fill the small disk with WAL frames). */
    static char pads[20][REUSE_PAD + 128], ids20[20][32];
    pw_spool_put_item batch[20];
    for (int c = 0; c < 4; c++) {
        for (int i = 0; i < 20; i++) {
            snprintf(ids20[i], sizeof ids20[i], "old-%02d-%02d", c, i);
            snprintf(pads[i], sizeof pads[i], "{\"event_name\":\"Lead\",\"pad\":\"%0*d\"}",
                     REUSE_PAD, i);
            batch[i] = (pw_spool_put_item){ids20[i], "meta", pads[i], strlen(pads[i]), 0, 0};
        }
        CHECK_INT(pw_spool_put(e.spool, batch, 20, NULL), PW_OK);
    }
    lease_ack_all(&e, 80);
    truncate_wal(e.spool_path);
    unsigned long long freed = free_page_bytes(e.spool_path);
    CHECK(freed >= 60 * REUSE_PAD); /* the acked payloads' pages are free in the file */

    /* The disk: 24–28 KiB beyond the reserve, under what a new row needs by itself. */
    gw_tmpfs_fill(&fs, REUSE_RESERVE + 28 * 1024);
    CHECK(gw_tmpfs_free(&fs) < REUSE_RESERVE + 2 * NEW_PAD + 16384);
    pw_err err = {0};
    char id[32];
    int again = 0;
    for (; again < 50; again++) {
        snprintf(id, sizeof id, "new-%04d", again);
        if (put_new(&e, id, &err) != PW_OK)
            break;
    }
    CHECK(again >= 1); /* the free pages took it */
    CHECK(again < 50);
    CHECK_INT(err.code, PW_ERR_LIMIT);
    if (!strstr(err.msg, "disk nearly full"))
        fprintf(stderr, "after %d puts: %s\n", again, err.msg);
    CHECK(strstr(err.msg, "disk nearly full") != NULL); /* not "COMMIT: … disk is full" */
    /* Refused when the disk beyond the reserve, as this test reads it, no longer holds a row's
     * WAL frames; the free pages are those the test reads too. */
    unsigned long long disk = 0, reserve = 0, pages = 0;
    CHECK(sscanf(err.msg,
                 "spool: disk nearly full (%llu bytes free beyond the %llu kept for delivery "
                 "outcomes, %llu in free pages",
                 &disk, &reserve, &pages) == 3);
    CHECK_INT(reserve, REUSE_RESERVE);
    CHECK(disk + REUSE_RESERVE == gw_tmpfs_free(&fs));
    CHECK(pages == free_page_bytes(e.spool_path));
    CHECK(disk < NEW_PAD + 64 + 16384);
    /* The reserve did its job: the new rows' acks commit. */
    lease_ack_all(&e, (size_t)again);
    gw_tmpfs_free_filler(&fs);
    pw_spool_close(e.spool);
    e.spool = NULL;
    gw_test_db_remove(e.spool_path);
    env_close(&e);
}

GW_TMPFS_MAIN(fs, 768, PW_TEST(test_full_spool_drains), PW_TEST(test_ack_failure_retried),
              PW_TEST(test_free_pages_reused))
