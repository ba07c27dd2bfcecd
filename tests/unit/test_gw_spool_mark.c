/* test_gw_spool_mark.c — a send in flight leaves a durable trace (pw_spool_mark_sending): a
 * process killed (kill -9) while its forwarder's request was out comes back with the items of
 * that request counted as attempted, their retry window starting at the mark, while the items
 * whose outcome was written after the mark (delivered, put back for the credentials) and those
 * never sent are as they were. Before, leases lived only in memory: every such item came back as
 * attempt 1, with no window. */
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gw_test_db.h"
#include "gw_time.h"
#include "pw_test.h"
#include "spool.h"

static pw_spool *open_spool(const char *path)
{
    pw_spool_opts o = {.path = path, .commit_interval_ms = 1};
    pw_spool *s = NULL;
    pw_err err = {0};
    if (pw_spool_open(&o, &s, &err) != PW_OK)
        fprintf(stderr, "open: %s\n", err.msg);
    return s;
}

/* Leased items of meta by event_id ("a" … "e"); n found. */
typedef struct leased {
    int64_t id[5];
    int attempts[5];
    int64_t sent_ms[5];
    int seen[5];
} leased;

static size_t lease_all(pw_spool *s, leased *l)
{
    pw_spool_item *it = NULL;
    size_t n = 0;
    CHECK_INT(pw_spool_lease(s, "meta", 10, 60000, &it, &n, NULL), PW_OK);
    for (size_t i = 0; i < n; i++) {
        int k = it[i].event_id[0] - 'a';
        if (k < 0 || k >= 5)
            continue;
        l->id[k] = it[i].id;
        l->attempts[k] = it[i].attempts;
        l->sent_ms[k] = it[i].sent_ms;
        l->seen[k] = 1;
    }
    pw_spool_items_free(it, n);
    return n;
}

/* The child: a, b, c, e sent in one request (marked at T), e for the second time (its first
 * attempt failed: first attempt at F), d leased but not sent; c delivered and b put back (the
 * credentials refused) after the mark; then it waits to be killed. Writes F and T to fd. */
static void child(const char *path, int fd)
{
    pw_spool *s = open_spool(path);
    if (!s)
        _exit(2);
    const char *ids[5] = {"a", "b", "c", "d", "e"};
    for (int i = 0; i < 5; i++) {
        pw_spool_put_item it = {ids[i], "meta", "{}", 2, pw_gw_now_ms(), 0};
        if (pw_spool_put(s, &it, 1, NULL) != PW_OK)
            _exit(3);
    }
    leased l = {0};
    if (lease_all(s, &l) != 5)
        _exit(4);
    int64_t first = pw_gw_now_ms(); /* e's first lease began at or before this */
    if (pw_spool_retry_batch(s, &l.id[4], 1, 0, NULL) != PW_OK)
        _exit(5);
    leased again = {0};
    if (lease_all(s, &again) != 1 || !again.seen[4])
        _exit(6);
    usleep(5000);
    int64_t at = pw_gw_now_ms();
    int64_t sent[4] = {l.id[0], l.id[1], l.id[2], l.id[4]};
    if (pw_spool_mark_sending(s, "meta", sent, 4, at, NULL) != PW_OK)
        _exit(7);
    usleep(5000); /* the outcomes come later than the mark */
    if (pw_spool_ack(s, &l.id[2], 1, NULL) != PW_OK ||
        pw_spool_put_back_batch(s, &l.id[1], 1, pw_gw_now_ms(), NULL) != PW_OK)
        _exit(8);
    int64_t times[2] = {first, at};
    if (write(fd, times, sizeof times) != (ssize_t)sizeof times)
        _exit(9);
    for (;;)
        pause(); /* killed mid-send: a's and e's answers never come */
}

static void test_crash_mid_send_counts_as_attempt(void)
{
    char path[256];
    gw_test_db_path(path, sizeof path, "pw_spool_mark", "crash");
    int fds[2];
    CHECK(pipe(fds) == 0);
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        close(fds[0]);
        child(path, fds[1]);
    }
    close(fds[1]);
    int64_t times[2] = {0};
    ssize_t got = read(fds[0], times, sizeof times);
    close(fds[0]);
    kill(pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
    CHECK_INT(got, (ssize_t)sizeof times);
    if (got != (ssize_t)sizeof times) {
        fprintf(stderr, "child exited %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
        return;
    }
    int64_t first = times[0], at = times[1];

    pw_spool *s = open_spool(path);
    CHECK(s != NULL);
    if (!s)
        return;
    leased l = {0};
    CHECK_INT(lease_all(s, &l), 4); /* all but c, delivered */
    CHECK(!l.seen[2]);
    /* a: in flight at the kill, first sent then: attempt 2, its window from the mark. */
    CHECK_INT(l.attempts[0], 2);
    CHECK_INT(l.sent_ms[0], at);
    /* b: put back after the mark (refused): no attempt, no window. */
    CHECK_INT(l.attempts[1], 1);
    CHECK_INT(l.sent_ms[1], 0);
    /* d: leased, never sent. */
    CHECK_INT(l.attempts[3], 1);
    CHECK_INT(l.sent_ms[3], 0);
    /* e: its second attempt was in flight; the window still runs from its first. */
    CHECK_INT(l.attempts[4], 3);
    CHECK(l.sent_ms[4] > 0 && l.sent_ms[4] <= first);
    pw_spool_close(s);

    /* The marks were consumed: a second reopen counts nothing again. */
    s = open_spool(path);
    CHECK(s != NULL);
    if (s) {
        leased again = {0};
        CHECK_INT(lease_all(s, &again), 4);
        CHECK_INT(again.attempts[0], 2);
        CHECK_INT(again.sent_ms[0], at);
        CHECK_INT(again.attempts[1], 1);
        pw_spool_close(s);
    }
    gw_test_db_remove(path);
}

/* Put one event for "meta" and lease it: its item id (0 when that failed). */
static int64_t put_and_lease(pw_spool *s, const char *event_id)
{
    pw_spool_put_item it = {event_id, "meta", "{}", 2, pw_gw_now_ms(), 0};
    CHECK_INT(pw_spool_put(s, &it, 1, NULL), PW_OK);
    pw_spool_item *l = NULL;
    size_t n = 0;
    CHECK_INT(pw_spool_lease(s, "meta", 10, 60000, &l, &n, NULL), PW_OK);
    CHECK_INT(n, 1);
    int64_t id = n ? l[0].id : 0;
    pw_spool_items_free(l, n);
    return id;
}

/* The wall clock steps back between a put back (the credentials refused: no attempt) and the
 * mark of the item's next send, and the process stops before the answer: the send is counted as
 * attempted, its window starting at the mark. Recovery used to compare the retry row's
 * next_attempt_ms with the mark's time: the put back looked written after the mark (settled),
 * and the attempt was missed. Now marks and retry rows carry one growing write order. */
static void test_clock_step_back_keeps_the_attempt(void)
{
    char path[256];
    gw_test_db_path(path, sizeof path, "gw_spool_mark", "clock");
    pw_spool *s = open_spool(path);
    CHECK(s != NULL);
    if (!s)
        return;
    int64_t id = put_and_lease(s, "x");
    pw_spool_item *l = NULL;
    size_t n = 0;
    int64_t now = pw_gw_now_ms();
    CHECK_INT(pw_spool_put_back_batch(s, &id, 1, now, NULL), PW_OK);
    CHECK_INT(pw_spool_lease(s, "meta", 10, 60000, &l, &n, NULL), PW_OK);
    CHECK_INT(n, 1);
    pw_spool_items_free(l, n);
    int64_t at = now - 5000; /* the clock stepped 5 s back */
    CHECK_INT(pw_spool_mark_sending(s, "meta", &id, 1, at, NULL), PW_OK);
    pw_spool_close(s); /* stopped before the answer */
    s = open_spool(path);
    CHECK(s != NULL);
    if (!s)
        return;
    CHECK_INT(pw_spool_lease(s, "meta", 10, 60000, &l, &n, NULL), PW_OK);
    CHECK_INT(n, 1);
    if (n) {
        CHECK_INT(l[0].attempts, 2); /* this lease is the second attempt */
        CHECK_INT(l[0].sent_ms, at);
    }
    pw_spool_items_free(l, n);
    pw_spool_close(s);
    gw_test_db_remove(path);
}

/* A layout-4 file written before the write order (the first layout-4 phiwalls: retry and
 * sending without `seq`) opens: the columns are added, and its mark is judged by its time as
 * before. */
static void test_file_without_write_order(void)
{
    char path[256];
    gw_test_db_path(path, sizeof path, "gw_spool_mark", "noseq");
    pw_spool *s = open_spool(path);
    CHECK(s != NULL);
    if (!s)
        return;
    int64_t id = put_and_lease(s, "y");
    pw_spool_item *l = NULL;
    size_t n = 0;
    int64_t at = pw_gw_now_ms();
    CHECK_INT(pw_spool_mark_sending(s, "meta", &id, 1, at, NULL), PW_OK);
    pw_spool_close(s);
    sqlite3 *db = NULL;
    CHECK_INT(sqlite3_open(path, &db), SQLITE_OK);
    CHECK_INT(
        sqlite3_exec(db, "ALTER TABLE retry DROP COLUMN seq; ALTER TABLE sending DROP COLUMN seq;",
                     NULL, NULL, NULL),
        SQLITE_OK);
    sqlite3_close(db);
    s = open_spool(path);
    CHECK(s != NULL);
    if (!s)
        return;
    CHECK_INT(pw_spool_lease(s, "meta", 10, 60000, &l, &n, NULL), PW_OK);
    CHECK_INT(n, 1);
    if (n) {
        CHECK_INT(l[0].attempts, 2);
        CHECK_INT(l[0].sent_ms, at);
    }
    pw_spool_items_free(l, n);
    pw_spool_close(s);
    gw_test_db_remove(path);
}

PW_TEST_MAIN(PW_TEST(test_crash_mid_send_counts_as_attempt),
             PW_TEST(test_clock_step_back_keeps_the_attempt),
             PW_TEST(test_file_without_write_order))
