/* test_gw_clock_step.c — timed waits of the gateway do not follow a step of the wall clock.
 *
 * This program defines clock_gettime, so the gateway's code linked into it reads a wall clock
 * (CLOCK_REALTIME) an hour ahead of the kernel's: what it sees right after an NTP step, a
 * restored VM or `date -s` moved the clock back an hour. A deadline taken from the wall clock
 * would then be an hour away for the kernel, which times the wait: before the fix, a lone
 * event's group commit (it waits commit_interval_ms for companions) and the forwarders' wait for
 * the ingest records each lasted an hour. Each step runs on a thread and is given 10 s.
 *
 * The spool's retry times and leases do not follow it either (pw_spool_clock_ms). Before, they
 * were wall-clock times: a retry due in 100 ms was held back for the hour the clock went back,
 * and a clock gone forward two hours expired every lease in flight, so the items were leased
 * (and sent) a second time while their first request was still out. Nor does a step while the
 * gateway is stopped hold retries back: before, a clock set back five hours between a stop and
 * the next start held a retry due in 100 ms for five hours; and, until the spool wrote down its
 * schedule clock at the stop and every few seconds (pw_spool_heartbeat), for as long as the run
 * had gone on after its last row. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "audit_internal.h"
#include "gw_test_db.h"
#include "gw_time.h"
#include "pw_test.h"
#include "spool.h"

static atomic_llong realtime_ahead_ms;

int clock_gettime(clockid_t id, struct timespec *ts)
{
    int r = (int)syscall(SYS_clock_gettime, id, ts);
    long long ahead = atomic_load(&realtime_ahead_ms);
    if (r == 0 && id == CLOCK_REALTIME && ahead) { /* ahead < 0: behind */
        ts->tv_sec += (time_t)(ahead / 1000);
        ts->tv_nsec += (long)(ahead % 1000) * 1000000L;
        if (ts->tv_nsec >= 1000000000L) {
            ts->tv_sec++;
            ts->tv_nsec -= 1000000000L;
        } else if (ts->tv_nsec < 0) {
            ts->tv_sec--;
            ts->tv_nsec += 1000000000L;
        }
    }
    return r;
}

static long long mono_ms(void)
{
    struct timespec ts;
    syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

typedef struct step {
    void (*fn)(void *);
    void *arg;
    atomic_int done;
} step;

static void *run_step(void *p)
{
    step *s = p;
    s->fn(s->arg);
    atomic_store(&s->done, 1);
    return NULL;
}

/* Run fn on a thread; 1 if it returned within limit_ms. A step that hangs is left behind: the
 * program exits with the failure right after (no join, nothing to clean up safely). */
static int within(void (*fn)(void *), void *arg, long long limit_ms)
{
    static step s; /* outlives a thread left hanging */
    s.fn = fn;
    s.arg = arg;
    atomic_store(&s.done, 0);
    pthread_t t;
    if (pthread_create(&t, NULL, run_step, &s) != 0)
        return 0;
    long long end = mono_ms() + limit_ms;
    while (!atomic_load(&s.done) && mono_ms() < end)
        usleep(1000);
    if (!atomic_load(&s.done)) {
        fprintf(stderr, "a wait followed the wall clock: still waiting after %lld ms\n", limit_ms);
        return 0;
    }
    pthread_join(t, NULL);
    return 1;
}

static void put_one(void *arg)
{
    pw_spool *s = arg;
    pw_spool_put_item it = {"7d3f2a4c-1b2e-4c5d-9e8f-0a1b2c3d4e5f", "meta", "{}", 2, 0, 0};
    pw_err err = {0};
    CHECK_INT(pw_spool_put(s, &it, 1, &err), PW_OK);
}

static void gate_wait(void *arg)
{
    pw_audit_gate *g = arg;
    CHECK_INT(pw_audit_gate_wait(g, 1, 200), 0); /* nothing ends ticket 1: times out */
}

static void test_waits_ignore_a_wall_clock_step(void)
{
    char path[256];
    gw_test_db_path(path, sizeof path, "pw_spool", "clock_step");
    pw_spool_opts o = {.path = path, .commit_interval_ms = 50};
    pw_spool *s = NULL;
    CHECK_INT(pw_spool_open(&o, &s, NULL), PW_OK);
    if (!s)
        return;
    pw_audit_gate g;
    pw_audit_gate_init(&g);
    uint64_t ticket = pw_audit_gate_begin(&g);
    CHECK(ticket == 1);
    atomic_store(&realtime_ahead_ms, 3600 * 1000LL);
    int put_ok = within(put_one, s, 10000);
    CHECK(put_ok);
    int gate_ok = put_ok && within(gate_wait, &g, 10000);
    CHECK(gate_ok);
    atomic_store(&realtime_ahead_ms, 0);
    if (!put_ok || !gate_ok) {
        fprintf(stderr, "FAIL test_waits_ignore_a_wall_clock_step\n");
        _exit(1); /* a thread is still waiting on the spool or the gate */
    }
    pw_audit_gate_end(&g, &ticket, 1);
    pw_audit_gate_destroy(&g);
    pw_spool_close(s);
    gw_test_db_remove(path);
}

static pw_spool *open_spool(const char *name, char *path, size_t cap)
{
    gw_test_db_path(path, cap, "pw_spool", name);
    pw_spool_opts o = {.path = path, .commit_interval_ms = 1};
    pw_spool *s = NULL;
    CHECK_INT(pw_spool_open(&o, &s, NULL), PW_OK);
    if (!s)
        return NULL;
    pw_spool_put_item it = {"0c1d2e3f-4a5b-4c6d-8e7f-8091a2b3c4d5", "meta", "{}", 2, 0, 0};
    CHECK_INT(pw_spool_put(s, &it, 1, NULL), PW_OK);
    return s;
}

static size_t lease_n(pw_spool *s, unsigned lease_ms, int64_t *id)
{
    pw_spool_item *items = NULL;
    size_t n = 0;
    CHECK_INT(pw_spool_lease(s, "meta", 10, lease_ms, &items, &n, NULL), PW_OK);
    if (n && id)
        *id = items[0].id;
    pw_spool_items_free(items, n);
    return n;
}

/* A retry due in 100 ms, then the wall clock goes back an hour: it is due 100 ms later still. */
static void test_retry_due_after_the_clock_goes_back(void)
{
    char path[256];
    pw_spool *s = open_spool("clock_back", path, sizeof path);
    if (!s)
        return;
    int64_t id = 0;
    CHECK(lease_n(s, 60000, &id) == 1);
    /* what a forwarder schedules: 100 ms from now on the clock the spool's times are on (the
     * wall clock before the fix; the schedule clock, which reads the same before a step, now) */
    CHECK_INT(pw_spool_retry(s, id, pw_gw_now_ms() + 100, NULL), PW_OK);
    atomic_store(&realtime_ahead_ms, -3600 * 1000LL);
    usleep(300 * 1000);
    size_t n = lease_n(s, 60000, NULL);
    if (n != 1)
        fprintf(stderr, "a retry due in 100 ms was not due 300 ms later, the wall clock having "
                        "gone back an hour\n");
    CHECK(n == 1);
    atomic_store(&realtime_ahead_ms, 0);
    pw_spool_close(s);
    gw_test_db_remove(path);
}

/* A retry due in 100 ms, the gateway stopped, the wall clock set back five hours while it is
 * stopped, the gateway started: the retry is due 100 ms later still, not five hours later (the
 * schedule clock goes on from the latest time the file records: the event's acceptance). */
static void test_retry_due_after_a_restart_with_the_clock_back(void)
{
    char path[256];
    pw_spool *s = open_spool("restart_back", path, sizeof path);
    if (!s)
        return;
    int64_t id = 0;
    CHECK(lease_n(s, 60000, &id) == 1);
    CHECK_INT(pw_spool_retry(s, id, pw_spool_clock_ms(s) + 100, NULL), PW_OK);
    pw_spool_close(s);
    atomic_store(&realtime_ahead_ms, -5 * 3600 * 1000LL);
    pw_spool_opts o = {.path = path, .commit_interval_ms = 1};
    s = NULL;
    CHECK_INT(pw_spool_open(&o, &s, NULL), PW_OK);
    if (s) {
        usleep(300 * 1000);
        size_t n = lease_n(s, 60000, NULL);
        if (n != 1)
            fprintf(stderr, "a retry due in 100 ms was not due 300 ms after a restart, the wall "
                            "clock having gone back five hours while stopped\n");
        CHECK(n == 1);
        pw_spool_close(s);
    }
    atomic_store(&realtime_ahead_ms, 0);
    gw_test_db_remove(path);
}

/* A retry due in 2 s; the run goes on 1.8 s with nothing written to the spool, then stops
 * (crash: the child process exits without closing, 1.3 s after the sweep's pw_spool_heartbeat);
 * the wall clock is set back five hours while stopped; at the next start the retry is due 0.2 s
 * later, not 2 s. Before the heartbeat the schedule clock went on from the latest row (the
 * event's acceptance, the retry's first attempt): the retry was late by the 1.8 s the run went
 * on after it — an hour-long backoff followed by a quiet hour and a stop was due an hour late.
 * With the heartbeat alone a crash left it late by as long as the run went on after the last
 * one (here 1.3 s, up to PW_SPOOL_HEARTBEAT_MS): a retry due sooner than that writes its due
 * time as the mark, and the heartbeat does not move the mark back below it. */
static void retry_after_a_late_stop(int crash)
{
    char path[256];
    pw_spool *s = NULL;
    if (crash) {
        gw_test_db_path(path, sizeof path, "pw_spool", "late_crash");
        fflush(NULL);
        pid_t pid = fork();
        if (pid == 0) { /* the path is the parent's (it names the parent's pid) */
            pw_spool_opts o = {.path = path, .commit_interval_ms = 1};
            pw_spool_put_item it = {"0c1d2e3f-4a5b-4c6d-8e7f-8091a2b3c4d5", "meta", "{}", 2, 0, 0};
            int64_t id = 0;
            int ok = pw_spool_open(&o, &s, NULL) == PW_OK &&
                     pw_spool_put(s, &it, 1, NULL) == PW_OK && lease_n(s, 60000, &id) == 1 &&
                     pw_spool_retry(s, id, pw_spool_clock_ms(s) + 2000, NULL) == PW_OK;
            usleep(500 * 1000);
            ok = ok && pw_spool_heartbeat(s, NULL) == PW_OK;
            usleep(1300 * 1000);
            _exit(ok ? 0 : 1); /* no close: a crash 1.3 s after the sweep's heartbeat */
        }
        int status = 0;
        CHECK(pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
              WEXITSTATUS(status) == 0);
    } else {
        s = open_spool("late_stop", path, sizeof path);
        if (!s)
            return;
        int64_t id = 0;
        CHECK(lease_n(s, 60000, &id) == 1);
        CHECK_INT(pw_spool_retry(s, id, pw_spool_clock_ms(s) + 2000, NULL), PW_OK);
        usleep(1800 * 1000);
        pw_spool_close(s);
    }
    atomic_store(&realtime_ahead_ms, -5 * 3600 * 1000LL);
    pw_spool_opts o = {.path = path, .commit_interval_ms = 1};
    s = NULL;
    CHECK_INT(pw_spool_open(&o, &s, NULL), PW_OK);
    if (s) {
        usleep(400 * 1000);
        size_t n = lease_n(s, 60000, NULL);
        if (n != 1)
            fprintf(stderr,
                    "%s: a retry due 0.2 s after the stop was not due 0.4 s after the "
                    "restart (the wall clock set back five hours while stopped)\n",
                    crash ? "crash" : "stop");
        CHECK(n == 1);
        pw_spool_close(s);
    }
    atomic_store(&realtime_ahead_ms, 0);
    gw_test_db_remove(path);
}

static void test_retry_due_after_a_late_stop_with_the_clock_back(void)
{
    retry_after_a_late_stop(0);
}

static void test_retry_due_after_a_late_crash_with_the_clock_back(void)
{
    retry_after_a_late_stop(1);
}

/* The same, the wall clock gone forward two days while stopped: the retry is due at once (the
 * stop lasted past it, for all the file can tell), and the event's age counts the two days. */
static void test_retry_due_after_a_restart_with_the_clock_forward(void)
{
    char path[256];
    pw_spool *s = open_spool("restart_fwd", path, sizeof path);
    if (!s)
        return;
    int64_t id = 0;
    CHECK(lease_n(s, 60000, &id) == 1);
    CHECK_INT(pw_spool_retry(s, id, pw_spool_clock_ms(s) + 3600 * 1000LL, NULL), PW_OK);
    pw_spool_close(s);
    atomic_store(&realtime_ahead_ms, 2 * 86400 * 1000LL);
    pw_spool_opts o = {.path = path, .commit_interval_ms = 1};
    s = NULL;
    CHECK_INT(pw_spool_open(&o, &s, NULL), PW_OK);
    if (s) {
        pw_spool_item *items = NULL;
        size_t n = 0;
        CHECK_INT(pw_spool_lease(s, "meta", 10, 60000, &items, &n, NULL), PW_OK);
        CHECK(n == 1);
        if (n == 1)
            CHECK(pw_gw_now_ms() - items[0].created_ms >= 2 * 86400 * 1000LL);
        pw_spool_items_free(items, n);
        pw_spool_close(s);
    }
    atomic_store(&realtime_ahead_ms, 0);
    gw_test_db_remove(path);
}

/* An item leased for a minute, then the wall clock goes forward two hours: its lease still runs,
 * so it is not handed out (sent) a second time. */
static void test_lease_holds_when_the_clock_goes_forward(void)
{
    char path[256];
    pw_spool *s = open_spool("clock_fwd", path, sizeof path);
    if (!s)
        return;
    CHECK(lease_n(s, 60000, NULL) == 1);
    atomic_store(&realtime_ahead_ms, 2 * 3600 * 1000LL);
    size_t n = lease_n(s, 60000, NULL);
    if (n != 0)
        fprintf(stderr, "an item leased for a minute was leased again at once, the wall clock "
                        "having gone forward two hours\n");
    CHECK(n == 0);
    atomic_store(&realtime_ahead_ms, 0);
    pw_spool_close(s);
    gw_test_db_remove(path);
}

PW_TEST_MAIN(PW_TEST(test_waits_ignore_a_wall_clock_step),
             PW_TEST(test_retry_due_after_the_clock_goes_back),
             PW_TEST(test_lease_holds_when_the_clock_goes_forward),
             PW_TEST(test_retry_due_after_a_restart_with_the_clock_back),
             PW_TEST(test_retry_due_after_a_late_stop_with_the_clock_back),
             PW_TEST(test_retry_due_after_a_late_crash_with_the_clock_back),
             PW_TEST(test_retry_due_after_a_restart_with_the_clock_forward))
