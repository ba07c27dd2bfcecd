/* test_gw_spool.c — the SQLite spool: idempotency, leases, retry scheduling, dead letters,
 * bounded size (PW_ERR_LIMIT → 503), group commit under many threads, reopen, and WAL
 * checkpoints (run off the commit path) keeping the WAL bounded. */
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gw_time.h"
#include "gw_test_db.h"
#include "pw_test.h"
#include "spool.h"

static pw_spool *open_spool(const char *path, uint64_t max_bytes, unsigned interval)
{
    pw_spool_opts o = {.path = path, .max_bytes = max_bytes, .commit_interval_ms = interval};
    pw_spool *s = NULL;
    pw_err err = {0};
    pw_status st = pw_spool_open(&o, &s, &err);
    if (st != PW_OK)
        fprintf(stderr, "open: %s\n", err.msg);
    return s;
}

static pw_status put1(pw_spool *s, const char *id, const char *dest, const char *payload)
{
    pw_spool_put_item it = {id, dest, payload, strlen(payload), pw_gw_now_ms(), 0};
    return pw_spool_put(s, &it, 1, NULL);
}

/* n events ev0, ev1, … for dest, each "{}". */
static void put_n(pw_spool *s, const char *dest, int n)
{
    char id[32];
    for (int i = 0; i < n; i++) {
        snprintf(id, sizeof id, "ev%d", i);
        CHECK_INT(put1(s, id, dest, "{}"), PW_OK);
    }
}

static void test_idempotent_put_and_reopen(void)
{
    char path[256];
    gw_test_db_path(path, sizeof path, "pw_spool", "idem");
    pw_spool *s = open_spool(path, 0, 1);
    CHECK(s != NULL);
    CHECK_INT(put1(s, "e1", "meta", "{\"a\":1}"), PW_OK);
    CHECK_INT(put1(s, "e1", "meta", "{\"a\":2}"), PW_OK); /* same key: first kept */
    CHECK_INT(put1(s, "e1", "ga4", "{\"b\":1}"), PW_OK);  /* other destination: new row */
    pw_spool_stats stats;
    CHECK_INT(pw_spool_stats_get(s, "meta", &stats, NULL), PW_OK);
    CHECK_INT(stats.depth, 1);
    CHECK_INT(pw_spool_stats_get(s, NULL, &stats, NULL), PW_OK);
    CHECK_INT(stats.depth, 2);
    CHECK(stats.oldest_ms > 0);
    pw_spool_close(s);

    s = open_spool(path, 0, 1); /* durable across close/open */
    pw_spool_item *items = NULL;
    size_t n = 0;
    CHECK_INT(pw_spool_lease(s, "meta", 10, 60000, &items, &n, NULL), PW_OK);
    CHECK_INT(n, 1);
    if (n == 1) {
        CHECK_STR(items[0].payload, "{\"a\":1}");
        CHECK_INT(items[0].payload_len, 7);
        CHECK_STR(items[0].event_id, "e1");
        CHECK_INT(items[0].attempts, 1);
        CHECK_INT(pw_spool_ack(s, &items[0].id, 1, NULL), PW_OK);
    }
    pw_spool_items_free(items, n);
    /* Delivered: a repeat of the same event is still recognised and not queued again. */
    CHECK_INT(put1(s, "e1", "meta", "{\"a\":3}"), PW_OK);
    int state = -1;
    CHECK_INT(pw_spool_state(s, "e1", "meta", &state, NULL), PW_OK);
    CHECK_INT(state, PW_SPOOL_DELIVERED);
    CHECK_INT(pw_spool_stats_get(s, "meta", &stats, NULL), PW_OK);
    CHECK_INT(stats.depth, 0);
    pw_spool_close(s);
    gw_test_db_remove(path);
}

static void test_leases_and_retry_schedule(void)
{
    char path[256];
    gw_test_db_path(path, sizeof path, "pw_spool", "lease");
    pw_spool *s = open_spool(path, 0, 0);
    put_n(s, "hook", 5);
    pw_spool_item *a = NULL, *b = NULL;
    size_t na = 0, nb = 0;
    CHECK_INT(pw_spool_lease(s, "hook", 3, 60000, &a, &na, NULL), PW_OK);
    CHECK_INT(na, 3);
    CHECK_INT(pw_spool_lease(s, "hook", 10, 60000, &b, &nb, NULL), PW_OK);
    CHECK_INT(nb, 2); /* the first three are leased: not handed out twice */
    pw_spool_items_free(b, nb);
    CHECK_INT(pw_spool_lease(s, "hook", 10, 60000, &b, &nb, NULL), PW_OK);
    CHECK_INT(nb, 0);
    CHECK(b == NULL);
    /* Retry one in the future, one now. */
    CHECK_INT(pw_spool_retry(s, a[0].id, pw_gw_now_ms() + 60000, NULL), PW_OK);
    CHECK_INT(pw_spool_retry(s, a[1].id, pw_gw_now_ms() - 1, NULL), PW_OK);
    CHECK_INT(pw_spool_lease(s, "hook", 10, 60000, &b, &nb, NULL), PW_OK);
    CHECK_INT(nb, 1);
    if (nb == 1) {
        CHECK_INT(b[0].id, a[1].id);
        CHECK_INT(b[0].attempts, 2);
    }
    pw_spool_items_free(b, nb);
    /* A short lease expires and the row is due again. */
    pw_spool_item *c = NULL;
    size_t nc = 0;
    CHECK_INT(pw_spool_retry(s, a[2].id, 0, NULL), PW_OK);
    CHECK_INT(pw_spool_lease(s, "hook", 1, 30, &c, &nc, NULL), PW_OK);
    CHECK_INT(nc, 1);
    pw_spool_items_free(c, nc);
    usleep(60 * 1000);
    CHECK_INT(pw_spool_lease(s, "hook", 1, 30, &c, &nc, NULL), PW_OK);
    CHECK_INT(nc, 1);
    if (nc == 1)
        CHECK_INT(c[0].attempts, 3);
    pw_spool_items_free(c, nc);
    /* Leases do not survive a restart: everything not acked is due again after reopen. */
    pw_spool_items_free(a, na);
    pw_spool_close(s);
    s = open_spool(path, 0, 0);
    CHECK_INT(pw_spool_lease(s, "hook", 10, 60000, &b, &nb, NULL), PW_OK);
    CHECK_INT(nb, 4); /* all but the one scheduled 60 s ahead */
    pw_spool_items_free(b, nb);
    CHECK_INT(pw_spool_retry(s, 999999, 0, NULL), PW_ERR_NOTFOUND);
    pw_spool_close(s);
    gw_test_db_remove(path);
}

/* A put-back (the upstream refused the credentials) is no attempt: the item is leased again with
 * the count it had, also after a real retry and across a reopen; and pw_spool_lease_oldest hands
 * out due items in acceptance order whatever their retry time, younger new rows after them. */
static void test_put_back_and_lease_oldest(void)
{
    char path[256];
    gw_test_db_path(path, sizeof path, "pw_spool", "putback");
    pw_spool *s = open_spool(path, 0, 0);
    put_n(s, "meta", 6);
    pw_spool_item *a = NULL, *b = NULL;
    size_t na = 0, nb = 0;
    CHECK_INT(pw_spool_lease(s, "meta", 4, 60000, &a, &na, NULL), PW_OK);
    CHECK_INT(na, 4);
    int64_t now = pw_gw_now_ms();
    /* ev0 retried (a 500: an attempt), then put back; ev1..ev3 put back, ev3 first */
    CHECK_INT(pw_spool_retry(s, a[0].id, now - 10, NULL), PW_OK);
    CHECK_INT(pw_spool_put_back_batch(s, &a[3].id, 1, now - 5, NULL), PW_OK);
    int64_t two[2] = {a[1].id, a[2].id};
    CHECK_INT(pw_spool_put_back_batch(s, two, 2, now - 1, NULL), PW_OK);
    CHECK_INT(pw_spool_lease(s, "meta", 1, 60000, &b, &nb, NULL), PW_OK);
    CHECK_INT(nb, 1); /* ev0, attempt 2 */
    if (nb == 1) {
        CHECK_STR(b[0].event_id, "ev0");
        CHECK_INT(b[0].attempts, 2);
        CHECK_INT(pw_spool_put_back_batch(s, &b[0].id, 1, now, NULL), PW_OK);
    }
    pw_spool_items_free(b, nb);
    pw_spool_close(s);
    s = open_spool(path, 0, 0);
    /* Oldest first: ev0 (retry time now) before ev3 (now - 5), then ev1, ev2, then new ev4. */
    CHECK_INT(pw_spool_lease_oldest(s, "meta", 5, 60000, &b, &nb, NULL), PW_OK);
    CHECK_INT(nb, 5);
    const char *want[5] = {"ev0", "ev1", "ev2", "ev3", "ev4"};
    const int tries[5] = {2, 1, 1, 1, 1};
    for (size_t i = 0; i < nb && i < 5; i++) {
        CHECK_STR(b[i].event_id, want[i]);
        CHECK_INT(b[i].attempts, tries[i]);
    }
    pw_spool_items_free(b, nb);
    pw_spool_items_free(a, na);
    CHECK_INT(pw_spool_lease(s, "meta", 10, 30, &b, &nb, NULL), PW_OK);
    CHECK_INT(nb, 1); /* ev5, for 30 ms */
    pw_spool_items_free(b, nb);
    usleep(60 * 1000);
    CHECK_INT(pw_spool_lease_oldest(s, "meta", 10, 60000, &b, &nb, NULL), PW_OK);
    CHECK_INT(nb, 1); /* its lease ran out: due again, the attempt counted */
    if (nb == 1) {
        CHECK_STR(b[0].event_id, "ev5");
        CHECK_INT(b[0].attempts, 2);
    }
    pw_spool_items_free(b, nb);
    pw_spool_close(s);
    gw_test_db_remove(path);
}

/* One request naming an event_id twice, not one after the other: written once per destination
 * (the put's check and its write share what they found of each event; the second occurrence is
 * looked up again once the first is written). */
static void test_repeat_within_request(void)
{
    char path[256];
    gw_test_db_path(path, sizeof path, "pw_spool", "repeat");
    pw_spool *s = open_spool(path, 0, 0);
    int64_t now = pw_gw_now_ms();
    pw_spool_put_item items[] = {{"r1", "meta", "{\"a\":1}", 7, now, 0},
                                 {"r2", "meta", "{\"a\":2}", 7, now, 0},
                                 {"r1", "meta", "{\"a\":3}", 7, now, 0},
                                 {"r1", "ga4", "{\"g\":1}", 7, now, 0},
                                 {"r2", "meta", "{\"a\":4}", 7, now, 0}};
    CHECK_INT(pw_spool_put(s, items, 5, NULL), PW_OK);
    pw_spool_stats st;
    CHECK_INT(pw_spool_stats_get(s, "meta", &st, NULL), PW_OK);
    CHECK_INT(st.depth, 2);
    CHECK_INT(pw_spool_stats_get(s, "ga4", &st, NULL), PW_OK);
    CHECK_INT(st.depth, 1);
    pw_spool_item *got = NULL;
    size_t n = 0;
    CHECK_INT(pw_spool_lease(s, "meta", 10, 60000, &got, &n, NULL), PW_OK);
    CHECK_INT(n, 2);
    if (n == 2) { /* the first of each is kept */
        CHECK_STR(got[0].payload, "{\"a\":1}");
        CHECK_STR(got[1].payload, "{\"a\":2}");
    }
    pw_spool_items_free(got, n);
    pw_spool_close(s);
    gw_test_db_remove(path);
}

static void test_dead_letters(void)
{
    char path[256];
    gw_test_db_path(path, sizeof path, "pw_spool", "dead");
    pw_spool *s = open_spool(path, 0, 0);
    CHECK_INT(put1(s, "d1", "meta", "{\"x\":1}"), PW_OK);
    pw_spool_item *a = NULL;
    size_t na = 0;
    CHECK_INT(pw_spool_lease(s, "meta", 10, 60000, &a, &na, NULL), PW_OK);
    CHECK_INT(na, 1);
    if (na == 1) {
        CHECK_INT(pw_spool_dead(s, a[0].id, "graph code 190: invalid token", NULL), PW_OK);
        CHECK_INT(pw_spool_dead(s, a[0].id, "again", NULL), PW_ERR_NOTFOUND);
    }
    pw_spool_items_free(a, na);
    char reason[128] = "";
    CHECK_INT(pw_spool_dead_reason(s, "d1", "meta", reason, sizeof reason, NULL), PW_OK);
    CHECK_STR(reason, "graph code 190: invalid token");
    CHECK_INT(pw_spool_dead_reason(s, "zz", "meta", reason, sizeof reason, NULL), PW_ERR_NOTFOUND);
    pw_spool_stats st;
    CHECK_INT(pw_spool_stats_get(s, "meta", &st, NULL), PW_OK);
    CHECK_INT(st.depth, 0);
    CHECK_INT(st.dead, 1);
    CHECK(st.bytes > 0); /* dead letters occupy disk and count */
    int state = -1;
    CHECK_INT(pw_spool_state(s, "d1", "meta", &state, NULL), PW_OK);
    CHECK_INT(state, PW_SPOOL_DEAD);
    CHECK_INT(put1(s, "d1", "meta", "{\"x\":2}"), PW_OK); /* not re-queued */
    CHECK_INT(pw_spool_stats_get(s, "meta", &st, NULL), PW_OK);
    CHECK_INT(st.depth, 0);
    pw_spool_close(s);
    gw_test_db_remove(path);
}

static void test_bounded_size(void)
{
    char path[256];
    gw_test_db_path(path, sizeof path, "pw_spool", "full");
    char payload[1000];
    memset(payload, 'p', sizeof payload - 1);
    payload[sizeof payload - 1] = '\0';
    pw_spool *s = open_spool(path, 5000, 0);
    int accepted = 0;
    pw_status last = PW_OK;
    char id[32];
    for (int i = 0; i < 10; i++) {
        snprintf(id, sizeof id, "big%d", i);
        last = put1(s, id, "meta", payload);
        if (last != PW_OK)
            break;
        accepted++;
    }
    CHECK_INT(last, PW_ERR_LIMIT);
    CHECK_INT(accepted, 4); /* 4 × (999 + 4 + 4 + 64) = 4284 ≤ 5000 < 5355 */
    /* A request of several items is all-or-nothing. */
    pw_spool_put_item two[2] = {{"x1", "meta", "{}", 2, 1, 0}, {"x2", "meta", payload, 999, 1, 0}};
    pw_err err = {0};
    CHECK_INT(pw_spool_put(s, two, 2, &err), PW_ERR_LIMIT);
    CHECK(strstr(err.msg, "full") != NULL);
    int state;
    CHECK_INT(pw_spool_state(s, "x1", "meta", &state, NULL), PW_ERR_NOTFOUND);
    /* Delivery frees room; the byte count survives a reopen. */
    pw_spool_item *a = NULL;
    size_t na = 0;
    CHECK_INT(pw_spool_lease(s, "meta", 2, 60000, &a, &na, NULL), PW_OK);
    CHECK_INT(na, 2);
    int64_t ids[2] = {na > 0 ? a[0].id : 0, na > 1 ? a[1].id : 0};
    CHECK_INT(pw_spool_ack(s, ids, 2, NULL), PW_OK);
    pw_spool_items_free(a, na);
    pw_spool_close(s);
    s = open_spool(path, 5000, 0);
    pw_spool_stats st;
    CHECK_INT(pw_spool_stats_get(s, NULL, &st, NULL), PW_OK);
    CHECK_INT(st.bytes, 2 * (999 + 4 + 4 + 64) + 2 * (4 + 4 + 32)); /* 2 queued, 2 tombstones */
    CHECK_INT(put1(s, "again1", "meta", payload), PW_OK);
    CHECK_INT(put1(s, "again2", "meta", payload), PW_OK);
    CHECK_INT(put1(s, "again3", "meta", payload), PW_ERR_LIMIT);
    pw_spool_close(s);
    gw_test_db_remove(path);
}

static void test_rejects_bad_items(void)
{
    char path[256];
    gw_test_db_path(path, sizeof path, "pw_spool", "bad");
    pw_spool *s = open_spool(path, 0, 0);
    pw_spool_put_item it[2] = {{"ok", "meta", "{}", 2, 1, 0}, {"", "meta", "{}", 2, 1, 0}};
    pw_err err = {0};
    CHECK_INT(pw_spool_put(s, it, 2, &err), PW_ERR_INVALID);
    CHECK(strstr(err.msg, "item 1") != NULL);
    int state;
    CHECK_INT(pw_spool_state(s, "ok", "meta", &state, NULL), PW_ERR_NOTFOUND);
    pw_spool_close(s);
    gw_test_db_remove(path);
}

#define THREADS    16
#define PER_THREAD 50

typedef struct worker {
    pw_spool *s;
    int index;
    int failures;
} worker;

static void *put_worker(void *arg)
{
    worker *w = arg;
    char id[48];
    for (int i = 0; i < PER_THREAD; i++) {
        snprintf(id, sizeof id, "t%02d-%03d", w->index, i);
        pw_spool_put_item items[2] = {{id, "meta", "{\"m\":1}", 7, pw_gw_now_ms(), 0},
                                      {id, "ga4", "{\"g\":1}", 7, pw_gw_now_ms(), 0}};
        if (pw_spool_put(w->s, items, 2, NULL) != PW_OK)
            w->failures++;
    }
    return NULL;
}

static void test_group_commit_many_threads(void)
{
    char path[256];
    gw_test_db_path(path, sizeof path, "pw_spool", "group");
    pw_spool *s = open_spool(path, 0, 2);
    pthread_t th[THREADS];
    worker w[THREADS];
    for (int i = 0; i < THREADS; i++) {
        w[i] = (worker){s, i, 0};
        pthread_create(&th[i], NULL, put_worker, &w[i]);
    }
    int failures = 0;
    for (int i = 0; i < THREADS; i++) {
        pthread_join(th[i], NULL);
        failures += w[i].failures;
    }
    CHECK_INT(failures, 0);
    pw_spool_stats st;
    CHECK_INT(pw_spool_stats_get(s, "meta", &st, NULL), PW_OK);
    CHECK_INT(st.depth, THREADS * PER_THREAD);
    CHECK_INT(pw_spool_stats_get(s, NULL, &st, NULL), PW_OK);
    CHECK_INT(st.depth, 2 * THREADS * PER_THREAD);
    pw_spool_close(s);
    gw_test_db_remove(path);
}

typedef struct async_state {
    pthread_mutex_t mu;
    pthread_cond_t cond;
    int done, ok, limit;
} async_state;

static void on_done(void *ctx, pw_status st, const pw_err *err)
{
    async_state *a = ctx;
    pthread_mutex_lock(&a->mu);
    a->done++;
    a->ok += st == PW_OK;
    a->limit += st == PW_ERR_LIMIT && err && strstr(err->msg, "full");
    pthread_cond_signal(&a->cond);
    pthread_mutex_unlock(&a->mu);
}

static void test_async_put(void)
{
    char path[256];
    gw_test_db_path(path, sizeof path, "pw_spool", "async");
    pw_spool *s = open_spool(path, 200 * (4 + 4 + 2 + 64), 1);
    async_state a = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, 0};
    char id[16];
    for (int i = 0; i < 300; i++) {
        snprintf(id, sizeof id, "a%03d", i % 250); /* 50 repeats: idempotent */
        char payload[8] = "{}";
        pw_spool_put_item it = {id, "meta", payload, 2, 0, 0};
        CHECK_INT(pw_spool_put_async(s, &it, 1, on_done, &a, NULL), PW_OK);
        memset(id, 'X', sizeof id - 1); /* the spool copied the item */
        memset(payload, 'X', 2);
    }
    pthread_mutex_lock(&a.mu);
    while (a.done < 300)
        pthread_cond_wait(&a.cond, &a.mu);
    pthread_mutex_unlock(&a.mu);
    pw_spool_stats st;
    CHECK_INT(pw_spool_stats_get(s, "meta", &st, NULL), PW_OK);
    CHECK_INT(st.depth, 200); /* a000..a199 fit; a200..a249 refused; repeats of stored ids ok */
    CHECK_INT(a.ok, 250);
    CHECK_INT(a.limit, 50);
    pw_spool_item *items = NULL;
    size_t n = 0;
    CHECK_INT(pw_spool_lease(s, "meta", 1, 1000, &items, &n, NULL), PW_OK);
    if (n == 1)
        CHECK_STR(items[0].payload, "{}");
    pw_spool_items_free(items, n);
    CHECK_INT(pw_spool_put_async(s, NULL, 0, NULL, NULL, NULL), PW_ERR_INVALID);
    pw_spool_close(s);
    gw_test_db_remove(path);
}

/* The borrowing put: the caller's items, kept until each done, are what the rows hold; the
 * duplicate flags say which were already spooled. */
static void test_async_put_borrow(void)
{
    char path[256];
    gw_test_db_path(path, sizeof path, "pw_spool", "borrow");
    pw_spool *s = open_spool(path, 0, 1);
    async_state a = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, 0};
    enum { N = 64 };
    static char ids[N][16], payloads[N][32];
    static pw_spool_put_item items[N][2];
    static unsigned char dups[N][2];
    for (int i = 0; i < N; i++) {
        snprintf(ids[i], sizeof ids[i], "b%03d", i % 48); /* 16 repeats */
        snprintf(payloads[i], sizeof payloads[i], "{\"n\":%d}", i);
        size_t len = strlen(payloads[i]);
        items[i][0] = (pw_spool_put_item){ids[i], "meta", payloads[i], len, 0, 0};
        items[i][1] = (pw_spool_put_item){ids[i], "ga4", payloads[i], len, 0, 0};
        CHECK_INT(pw_spool_put_async_borrow(s, items[i], 2, dups[i], on_done, &a, NULL), PW_OK);
    }
    pthread_mutex_lock(&a.mu);
    while (a.done < N)
        pthread_cond_wait(&a.cond, &a.mu);
    pthread_mutex_unlock(&a.mu);
    CHECK_INT(a.ok, N);
    for (int i = 0; i < N; i++) {
        CHECK_INT(dups[i][0], i >= 48);
        CHECK_INT(dups[i][1], i >= 48);
    }
    pw_spool_stats st;
    CHECK_INT(pw_spool_stats_get(s, "ga4", &st, NULL), PW_OK);
    CHECK_INT(st.depth, 48);
    pw_spool_item *leased = NULL;
    size_t n = 0;
    CHECK_INT(pw_spool_lease(s, "meta", 1000, 60000, &leased, &n, NULL), PW_OK);
    CHECK_INT(n, 48);
    for (size_t i = 0; i < n && i < 48; i++) { /* each row holds its first put's bytes */
        int k = atoi(leased[i].event_id + 1);
        CHECK_STR(leased[i].payload, payloads[k]);
    }
    pw_spool_items_free(leased, n);
    CHECK_INT(pw_spool_put_async_borrow(s, items[0], 2, NULL, NULL, NULL, NULL), PW_ERR_INVALID);
    pw_spool_close(s);
    gw_test_db_remove(path);
}

/* Synchronous leaders and the committer thread (leading async puts) share the queue; close
 * commits what is still queued and runs its callbacks. */
static void test_mixed_sync_async_and_close(void)
{
    char path[256];
    gw_test_db_path(path, sizeof path, "pw_spool", "mixed");
    pw_spool *s = open_spool(path, 0, 1);
    pthread_t th[8];
    worker w[8];
    for (int i = 0; i < 8; i++) {
        w[i] = (worker){s, i, 0};
        pthread_create(&th[i], NULL, put_worker, &w[i]);
    }
    async_state a = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, 0};
    char id[16];
    for (int i = 0; i < 500; i++) {
        snprintf(id, sizeof id, "async-%03d", i);
        pw_spool_put_item it = {id, "hook", "{}", 2, 0, 0};
        CHECK_INT(pw_spool_put_async(s, &it, 1, on_done, &a, NULL), PW_OK);
    }
    for (int i = 0; i < 8; i++) {
        pthread_join(th[i], NULL);
        CHECK_INT(w[i].failures, 0);
    }
    pw_spool_close(s); /* commits any async put still queued */
    CHECK_INT(a.done, 500);
    CHECK_INT(a.ok, 500);
    s = open_spool(path, 0, 1);
    pw_spool_stats st;
    CHECK_INT(pw_spool_stats_get(s, "hook", &st, NULL), PW_OK);
    CHECK_INT(st.depth, 500);
    CHECK_INT(pw_spool_stats_get(s, "meta", &st, NULL), PW_OK);
    CHECK_INT(st.depth, 8 * PER_THREAD);
    pw_spool_close(s);
    gw_test_db_remove(path);
}

/* Bytes left after putting, leasing and acking one row, with the sizes read back (ack) or
 * given from the lease (ack_sized), acking twice (the second is a no-op). */
static uint64_t bytes_after_ack(int sized)
{
    char path[256];
    gw_test_db_path(path, sizeof path, "pw_spool", sized ? "acksz" : "ack");
    pw_spool *s = open_spool(path, 0, 0);
    pw_spool_item *items = NULL;
    size_t n = 0;
    pw_spool_stats st = {0};
    if (!s || put1(s, "a1", "meta", "{\"value\":150,\"currency\":\"USD\"}") != PW_OK ||
        put1(s, "a2", "meta", "{\"x\":1}") != PW_OK ||
        pw_spool_lease(s, "meta", 1, 60000, &items, &n, NULL) != PW_OK || n != 1) {
        pw_spool_items_free(items, n);
        pw_spool_close(s);
        gw_test_db_remove(path);
        return 0;
    }
    size_t len = items[0].payload_len;
    for (int k = 0; k < 2; k++) {
        if (sized)
            CHECK_INT(pw_spool_ack_sized(s, &items[0].id, &len, 1, NULL), PW_OK);
        else
            CHECK_INT(pw_spool_ack(s, &items[0].id, 1, NULL), PW_OK);
    }
    CHECK_INT(pw_spool_stats_get(s, "meta", &st, NULL), PW_OK);
    CHECK_INT((long long)st.depth, 1);
    pw_spool_items_free(items, n);
    pw_spool_close(s);
    gw_test_db_remove(path);
    return st.bytes;
}

static void test_ack_sized_counts_like_ack(void)
{
    uint64_t read_back = bytes_after_ack(0), given = bytes_after_ack(1);
    CHECK(read_back > 0);
    CHECK_INT((long long)given, (long long)read_back);
}

/* Frames in the WAL now (what a PASSIVE checkpoint reports as its log), from a connection of
 * our own. */
static int wal_frames(const char *path)
{
    sqlite3 *db = NULL;
    int log = -1, done = -1;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
        sqlite3_close(db);
        return -1;
    }
    /* A connection knows the file is in WAL mode only once it has read it. */
    sqlite3_exec(db, "SELECT count(*) FROM sqlite_master", NULL, NULL, NULL);
    /* SQLITE_BUSY (log -1) while the spool's own checkpointer runs: ask again. */
    for (int tries = 0; tries < 200 && log < 0; tries++) {
        if (sqlite3_wal_checkpoint_v2(db, NULL, SQLITE_CHECKPOINT_PASSIVE, &log, &done) ==
            SQLITE_BUSY)
            usleep(10000);
    }
    sqlite3_close(db);
    return log;
}

/* The automatic checkpoint is replaced by a background one: the WAL must still be checkpointed
 * and restarted, not grow with every commit. 1500 commits of six 1500-byte events each write
 * well over the 4000-frame threshold (each dirties the event table's last page and three pages of
 * payloads at least). */
static void test_checkpoints_keep_wal_bounded(void)
{
    char path[256];
    gw_test_db_path(path, sizeof path, "pw_spool", "ckpt");
    pw_spool *s = open_spool(path, 0, 0);
    CHECK(s != NULL);
    char payload[1501], ids[6][32];
    memset(payload, 'x', sizeof payload - 1);
    payload[sizeof payload - 1] = '\0';
    int ok = 1;
    for (int i = 0; i < 1500 && ok; i++) {
        pw_spool_put_item six[6];
        for (int k = 0; k < 6; k++) {
            snprintf(ids[k], sizeof ids[k], "ck-%d-%d", i, k);
            six[k] = (pw_spool_put_item){ids[k], "meta", payload, sizeof payload - 1, 0, 0};
        }
        ok = pw_spool_put(s, six, 6, NULL) == PW_OK;
    }
    CHECK(ok);
    /* Under a steady stream the WAL is bounded by the writer's inline checkpoint at 40,000
     * frames; the background checkpointer restarts it once the commits give it a moment (it
     * backs off while the disk is slow, e.g. a loaded CI machine): a commit now and then, for at
     * most 5 s, must find it restarted. */
    int frames = wal_frames(path), extra = 0;
    CHECK(frames >= 0 && frames < 40000 + 600);
    while (ok && frames >= 4000 + 600 && extra < 100) {
        usleep(50000);
        snprintf(ids[0], sizeof ids[0], "ck-late-%d", extra++);
        pw_spool_put_item one = {ids[0], "meta", payload, sizeof payload - 1, 0, 0};
        ok = pw_spool_put(s, &one, 1, NULL) == PW_OK;
        frames = wal_frames(path);
    }
    CHECK(ok);
    CHECK(frames >= 0 && frames < 4000 + 600); /* restarted after a checkpoint at least once */
    pw_spool_stats st;
    CHECK_INT(pw_spool_stats_get(s, "meta", &st, NULL), PW_OK);
    CHECK_INT((long long)st.depth, 9000 + extra);
    pw_spool_close(s);
    s = open_spool(path, 0, 0);
    CHECK(s != NULL);
    CHECK_INT(pw_spool_stats_get(s, "meta", &st, NULL), PW_OK);
    CHECK_INT((long long)st.depth, 9000 + extra);
    pw_spool_close(s);
    gw_test_db_remove(path);
}

/* Acks join the puts' group commit, at most PW_SPOOL_ACKS_PER_COMMIT (128) items per commit
 * shared with puts (1024 alone): an ack of 700 items, made while another thread keeps putting,
 * may span several commits and returns once all of it is settled; the puts meanwhile commit. */
typedef struct putter {
    pw_spool *s;
    int n, ok;
} putter;

static void *put_many(void *arg)
{
    putter *p = arg;
    for (int i = 0; i < p->n; i++) {
        char id[32];
        snprintf(id, sizeof id, "late-%d", i);
        p->ok += put1(p->s, id, "meta", "{\"late\":1}") == PW_OK;
    }
    return NULL;
}

static void test_large_ack_joins_group_commits(void)
{
    char path[256];
    gw_test_db_path(path, sizeof path, "pw_spool", "bigack");
    pw_spool *s = open_spool(path, 0, 1);
    CHECK(s != NULL);
    enum { N = 700 };
    static pw_spool_put_item items[N];
    static char ids[N][24];
    for (int i = 0; i < N; i++) {
        snprintf(ids[i], sizeof ids[i], "big-%d", i);
        items[i] = (pw_spool_put_item){ids[i], "meta", "{\"v\":1}", 7, 0, 0};
    }
    CHECK_INT(pw_spool_put(s, items, N, NULL), PW_OK);
    pw_spool_stats before;
    CHECK_INT(pw_spool_stats_get(s, NULL, &before, NULL), PW_OK);
    pw_spool_item *leased = NULL;
    size_t n = 0;
    CHECK_INT(pw_spool_lease(s, "meta", N, 60000, &leased, &n, NULL), PW_OK);
    CHECK_INT(n, N);
    int64_t *acks = calloc(N, sizeof *acks);
    for (size_t i = 0; acks && i < n; i++)
        acks[i] = leased[i].id;
    putter p = {.s = s, .n = 200};
    pthread_t t;
    CHECK_INT(pthread_create(&t, NULL, put_many, &p), 0);
    CHECK_INT(pw_spool_ack(s, acks, n, NULL), PW_OK);
    pthread_join(t, NULL);
    CHECK_INT(p.ok, 200);
    pw_spool_stats st;
    CHECK_INT(pw_spool_stats_get(s, "meta", &st, NULL), PW_OK);
    CHECK_INT((long long)st.depth, 200); /* every acked item settled, the late puts queued */
    int state = -1;
    CHECK_INT(pw_spool_state(s, "big-0", "meta", &state, NULL), PW_OK);
    CHECK_INT(state, PW_SPOOL_DELIVERED);
    CHECK_INT(pw_spool_state(s, "big-699", "meta", &state, NULL), PW_OK);
    CHECK_INT(state, PW_SPOOL_DELIVERED);
    /* Acking again is a no-op; the late puts' rows are what remains to deliver. */
    CHECK_INT(pw_spool_ack(s, acks, n, NULL), PW_OK);
    pw_spool_items_free(leased, n);
    CHECK_INT(pw_spool_lease(s, "meta", N, 60000, &leased, &n, NULL), PW_OK);
    CHECK_INT(n, 200);
    pw_spool_items_free(leased, n);
    /* The commit path's histograms count what happened. */
    pw_buf b;
    pw_buf_init(&b);
    pw_spool_metrics(s, &b);
    CHECK(b.data &&
          strstr(b.data, "phiwall_gateway_spool_phase_seconds_count{phase=\"ack_total\"} 2") !=
              NULL);
    CHECK(b.data && strstr(b.data, "phiwall_gateway_spool_commit_requests_total 201") != NULL);
    const char *w = b.data ? strstr(b.data, "_count{phase=\"ack_write\"} ") : NULL;
    CHECK(w && atoi(strchr(w, ' ') + 1) >= 2); /* 128 per commit shared with puts, else 1024 */
    pw_buf_free(&b);
    free(acks);
    pw_spool_close(s);
    s = open_spool(path, 0, 0); /* the acks were durable */
    CHECK_INT(pw_spool_stats_get(s, "meta", &st, NULL), PW_OK);
    CHECK_INT((long long)st.depth, 200);
    pw_spool_close(s);
    gw_test_db_remove(path);
}

/* Lease ev0 of meta (lease_ms long): its sent_ms and attempt number. */
static int64_t lease_sent(pw_spool *s, unsigned lease_ms, int *attempts, int64_t *id)
{
    pw_spool_item *it = NULL;
    size_t n = 0;
    CHECK_INT(pw_spool_lease(s, "meta", 1, lease_ms, &it, &n, NULL), PW_OK);
    CHECK_INT(n, 1);
    int64_t sent = n ? it[0].sent_ms : -1;
    *attempts = n ? it[0].attempts : -1;
    *id = n ? it[0].id : 0;
    pw_spool_items_free(it, n);
    return sent;
}

/* sent_ms, where the forwarders' retry window starts: none for a new item or one only put back;
 * the start of the lease of the first retried failure, kept by later failures and put backs
 * and across a reopen; the start of a lease that ran out (it may have been mid-send), kept by
 * the outcomes of the leases after it. */
static void test_first_attempt_recorded(void)
{
    char path[256];
    gw_test_db_path(path, sizeof path, "pw_spool", "first");
    pw_spool *s = open_spool(path, 0, 1);
    CHECK(s != NULL);
    put_n(s, "meta", 1);
    int attempts = 0;
    int64_t id = 0;
    CHECK_INT(lease_sent(s, 60000, &attempts, &id), 0);
    CHECK_INT(pw_spool_put_back_batch(s, &id, 1, 0, NULL), PW_OK);
    int64_t before = pw_gw_now_ms();
    CHECK_INT(lease_sent(s, 60000, &attempts, &id), 0); /* a refusal is no attempt */
    CHECK_INT(attempts, 1);
    int64_t leased = pw_gw_now_ms();
    usleep(20000);
    CHECK_INT(pw_spool_retry_batch(s, &id, 1, 0, NULL), PW_OK);
    int64_t first = lease_sent(s, 60000, &attempts, &id);
    CHECK(first >= before && first <= leased); /* the lease's start, not the failure's */
    CHECK_INT(attempts, 2);
    CHECK_INT(pw_spool_put_back_batch(s, &id, 1, 0, NULL), PW_OK);
    CHECK_INT(lease_sent(s, 60000, &attempts, &id), first);
    CHECK_INT(pw_spool_retry_batch(s, &id, 1, 0, NULL), PW_OK);
    pw_spool_close(s);
    s = open_spool(path, 0, 1);
    CHECK(s != NULL);
    CHECK_INT(lease_sent(s, 60000, &attempts, &id), first);
    CHECK_INT(attempts, 3);
    pw_spool_close(s);
    gw_test_db_remove(path);

    /* A lease that runs out: the item comes back with the expired lease's start. */
    gw_test_db_path(path, sizeof path, "pw_spool", "first2");
    s = open_spool(path, 0, 1);
    CHECK(s != NULL);
    put_n(s, "meta", 1);
    before = pw_gw_now_ms();
    CHECK_INT(lease_sent(s, 30, &attempts, &id), 0);
    leased = pw_gw_now_ms();
    usleep(60000);
    first = lease_sent(s, 60000, &attempts, &id);
    CHECK(first >= before && first <= leased);
    CHECK_INT(attempts, 2);
    /* Its next outcomes keep that start, not the later lease's: a put back (refused), then a
     * retried failure write it into the retry row. */
    CHECK_INT(pw_spool_put_back_batch(s, &id, 1, 0, NULL), PW_OK);
    CHECK_INT(lease_sent(s, 60000, &attempts, &id), first);
    CHECK_INT(pw_spool_retry_batch(s, &id, 1, 0, NULL), PW_OK);
    CHECK_INT(lease_sent(s, 60000, &attempts, &id), first);
    pw_spool_close(s);
    s = open_spool(path, 0, 1);
    CHECK(s != NULL);
    CHECK_INT(lease_sent(s, 60000, &attempts, &id), first);
    pw_spool_close(s);
    gw_test_db_remove(path);

    /* The time the request went out (pw_spool_retry_batch_sent), when the forwarder gives it:
     * taken if it lies within the lease and not after now; else the lease's start (a time after
     * now, or before the lease, cannot be the send). */
    gw_test_db_path(path, sizeof path, "pw_spool", "first3");
    s = open_spool(path, 0, 1);
    CHECK(s != NULL);
    put_n(s, "meta", 3);
    int64_t ids[3];
    for (int i = 0; i < 3; i++) {
        CHECK_INT(lease_sent(s, 60000, &attempts, &ids[i]), 0);
        CHECK_INT(attempts, 1);
    }
    leased = pw_gw_now_ms();
    usleep(20000);
    int64_t sent = pw_gw_now_ms();
    CHECK_INT(pw_spool_retry_batch_sent(s, &ids[0], 1, INT64_MAX, sent, NULL), PW_OK);
    CHECK_INT(pw_spool_retry_batch_sent(s, &ids[1], 1, INT64_MAX, sent + 3600000, NULL), PW_OK);
    CHECK_INT(pw_spool_retry_batch_sent(s, &ids[2], 1, INT64_MAX, 1, NULL), PW_OK);
    pw_spool_close(s);
    s = open_spool(path, 0, 1);
    CHECK(s != NULL);
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    CHECK_INT(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    CHECK_INT(
        sqlite3_prepare_v2(db, "SELECT item, first_ms FROM retry ORDER BY item", -1, &st, NULL),
        SQLITE_OK);
    int64_t got[3] = {0};
    for (int i = 0; i < 3 && st && sqlite3_step(st) == SQLITE_ROW; i++)
        got[i] = sqlite3_column_int64(st, 1);
    sqlite3_finalize(st);
    sqlite3_close(db);
    CHECK(got[0] == sent);
    CHECK(got[1] > 0 && got[1] <= leased); /* the lease's start */
    CHECK(got[2] > 0 && got[2] <= leased);
    pw_spool_close(s);
    gw_test_db_remove(path);
}

/* A spool the gateway cannot open names the cause an operator acts on: its directory is
 * missing or is a file (SQLite says "unable to open database file" either way). */
static void test_open_names_missing_directory(void)
{
    char dir[] = "/tmp/pw-spool-dir-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char path[128], file[128];
    snprintf(path, sizeof path, "%s/missing/spool.db", dir);
    pw_spool_opts o = {.path = path};
    pw_spool *s = NULL;
    pw_err err = {0};
    CHECK_INT(pw_spool_open(&o, &s, &err), PW_ERR_IO);
    CHECK(s == NULL);
    CHECK(strstr(err.msg, "/missing/spool.db: its directory: No such file or directory") != NULL);
    snprintf(file, sizeof file, "%s/plain", dir);
    FILE *f = fopen(file, "w");
    CHECK(f != NULL);
    if (f)
        fclose(f);
    snprintf(path, sizeof path, "%s/plain/spool.db", dir);
    CHECK_INT(pw_spool_open(&o, &s, &err), PW_ERR_IO);
    CHECK(strstr(err.msg, "its directory: Not a directory") != NULL);
    unlink(file);
    rmdir(dir);
}

PW_TEST_MAIN(PW_TEST(test_open_names_missing_directory), PW_TEST(test_async_put),
             PW_TEST(test_async_put_borrow), PW_TEST(test_large_ack_joins_group_commits),
             PW_TEST(test_mixed_sync_async_and_close), PW_TEST(test_idempotent_put_and_reopen),
             PW_TEST(test_leases_and_retry_schedule), PW_TEST(test_dead_letters),
             PW_TEST(test_bounded_size), PW_TEST(test_rejects_bad_items),
             PW_TEST(test_group_commit_many_threads), PW_TEST(test_checkpoints_keep_wal_bounded),
             PW_TEST(test_ack_sized_counts_like_ack), PW_TEST(test_put_back_and_lease_oldest),
             PW_TEST(test_repeat_within_request), PW_TEST(test_first_attempt_recorded))
