/* test_gw_prio.c — the delivery threads' CPU priority (gateway/gw_prio.c): the forwarder threads
 * and the ingest audit writer really run at the configured nice value (read back from
 * /proc/self/task/TID/stat), a burst is still delivered in full to the loopback mock at the
 * lowest priority (nice 19), a lagging forwarder regains the process's priority and lowers
 * itself again once caught up (or, without the privilege to raise it, counts the refusal), and
 * a reload's new value reaches the audit thread. */
#include "../mock/mock_upstream.c"

#include <dirent.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

#include "forward.h"
#include "gw_commit.h"
#include "gw_prio.h"
#include "gw_test_fwenv.h"
#include "gw_time.h"
#include "pw_test.h"

/* The nice value the process's threads start from (the test may itself run niced). */
static int base_nice(void)
{
    return getpriority(PRIO_PROCESS, (id_t)getpid()); /* the main thread's */
}

static int expect_nice(int add)
{
    return base_nice() + add > PW_GW_NICE_MAX ? PW_GW_NICE_MAX : base_nice() + add;
}

static void *try_raise(void *arg)
{
    int base = base_nice();
    pw_gw_prio p;
    pw_gw_prio_init(&p, 1);
    *(int *)arg = pw_gw_prio_boost(&p, 1) == 0 && pw_gw_prio_of(p.tid) == base;
    return NULL;
}

/* Raising a priority back needs CAP_SYS_NICE or an RLIMIT_NICE that allows it: try it on a
 * throw-away thread. */
static int can_raise(void)
{
    if (base_nice() >= PW_GW_NICE_MAX)
        return 0;
    int ok = 0;
    pthread_t t;
    if (pthread_create(&t, NULL, try_raise, &ok) != 0)
        return 0;
    pthread_join(t, NULL);
    return ok;
}

/* The nice value of this process's first thread called `name`, or -100 when there is none. */
static int thread_nice(const char *name)
{
    DIR *d = opendir("/proc/self/task");
    if (!d)
        return -100;
    int nice = -100;
    for (struct dirent *e; nice == -100 && (e = readdir(d));) {
        if (e->d_name[0] == '.')
            continue;
        char path[300], comm[64] = "";
        snprintf(path, sizeof path, "/proc/self/task/%s/comm", e->d_name);
        FILE *f = fopen(path, "r");
        if (!f)
            continue;
        if (fgets(comm, sizeof comm, f))
            comm[strcspn(comm, "\n")] = '\0';
        fclose(f);
        if (strcmp(comm, name) == 0)
            nice = pw_gw_prio_of(atoi(e->d_name));
    }
    closedir(d);
    return nice;
}

/* Poll until thread `name` has nice `want` (threads apply their priority as they start). */
static int wait_nice(const char *name, int want, unsigned timeout_ms)
{
    int64_t until = pw_gw_mono_ms() + timeout_ms;
    while (thread_nice(name) != want && pw_gw_mono_ms() < until)
        usleep(2000);
    return thread_nice(name);
}

static pw_destination meta_dest(const env *e)
{
    return env_meta_dest(e, "123456", "tok-prio", GW_TEST_REQ_TIMEOUT_MS);
}

/* n Meta events accepted `age_ms` ago, put in groups of 100 (one commit each). */
static void put_burst(env *e, int n, int64_t age_ms)
{
    int64_t created = pw_gw_now_ms() - age_ms;
    enum { GROUP = 100 };
    static char ids[GROUP][40], bodies[GROUP][400];
    pw_spool_put_item items[GROUP];
    for (int i = 0; i < n; i += GROUP) {
        int k = n - i < GROUP ? n - i : GROUP;
        for (int j = 0; j < k; j++) {
            snprintf(ids[j], sizeof ids[j], "00000000-0000-4000-8000-%012d", i + j);
            snprintf(bodies[j], sizeof bodies[j],
                     "{\"event_name\":\"Lead\",\"event_time\":%lld,\"event_id\":\"%.36s\","
                     "\"action_source\":\"website\",\"user_data\":{\"em\":[\"a665a45920422f9d417e"
                     "4867efdc4fb8a04a1f3fff1fa07e998e86f7f7a27ae3\"]}}",
                     (long long)(created / 1000), ids[j]);
            items[j] =
                (pw_spool_put_item){ids[j], "meta", bodies[j], strlen(bodies[j]), created, 0};
        }
        CHECK_INT(pw_spool_put(e->spool, items, (size_t)k, NULL), PW_OK);
    }
}

/* Events received by the mock: every event_id in every request body. */
static size_t events_at_mock(env *e)
{
    size_t n = 0;
    for (size_t i = 0; i < mock_upstream_count(e->mock); i++) {
        const mock_request *r = mock_upstream_request(e->mock, i);
        for (const char *p = r->body; p && (p = strstr(p, "\"event_id\":\"")); p++)
            n++;
    }
    return n;
}

/* On a thread of its own (the main thread keeps its priority): lower by 7, boost back (when
 * the process may raise a priority), lower again, then a larger offset (a reload). */
static void *helper_thread(void *arg)
{
    int raise = *(int *)arg;
    pw_gw_prio p;
    CHECK_INT(pw_gw_prio_init(&p, 7), 0);
    CHECK_INT(pw_gw_prio_of(p.tid), expect_nice(7));
    CHECK_INT(p.now, expect_nice(7));
    if (raise) {
        CHECK_INT(pw_gw_prio_boost(&p, 1), 0);
        CHECK_INT(pw_gw_prio_of(p.tid), base_nice());
        CHECK_INT(p.boosted, base_nice() != expect_nice(7));
    } else {
        CHECK_INT(pw_gw_prio_boost(&p, 1), expect_nice(7) == base_nice() ? 0 : -1);
        CHECK_INT(pw_gw_prio_of(p.tid), expect_nice(7)); /* refused: unchanged */
    }
    CHECK_INT(pw_gw_prio_boost(&p, 0), 0);
    CHECK_INT(pw_gw_prio_of(p.tid), expect_nice(7));
    CHECK_INT(pw_gw_prio_set(&p, 12), 0); /* lowering further is always allowed */
    CHECK_INT(pw_gw_prio_of(p.tid), expect_nice(12));
    CHECK_INT(pw_gw_prio_set(&p, 40), 0); /* clamped to 19 */
    CHECK_INT(pw_gw_prio_of(p.tid), PW_GW_NICE_MAX);
    return NULL;
}

static void test_prio_helper(void)
{
    pw_gw_prio p;
    CHECK_INT(pw_gw_prio_init(&p, 0), 0);
    CHECK_INT(p.lowered, p.base);
    CHECK_INT(pw_gw_prio_of(p.tid), base_nice());
    CHECK_INT(pw_gw_prio_of(999999999), -100);
    int raise = can_raise();
    pthread_t t;
    CHECK_INT(pthread_create(&t, NULL, helper_thread, &raise), 0);
    pthread_join(t, NULL);
    CHECK_INT(pw_gw_prio_of(p.tid), base_nice()); /* the caller's thread was left alone */
}

/* nice 19 (the lowest priority): the forwarder thread runs at 19 and still delivers a burst of
 * 3,000 events in full; the thread that started it keeps its priority (the real gateway's HTTP
 * and spool threads: tests/integration/gateway_prio.sh). */
static void test_forwarder_lowest_priority_delivers_burst(void)
{
    env e;
    env_open(&e, "gwprio", "burst");
    pw_destination d = meta_dest(&e);
    pw_forward_opts o = {.poll_ms = 10, .nice = 19};
    CHECK_INT(pw_forwarders_start_opts(&d, 1, e.spool, e.audit, &o, &e.fw, NULL), PW_OK);
    CHECK_INT(wait_nice("pw-fwd-meta", expect_nice(19), GW_TEST_WAIT_MS), expect_nice(19));
    CHECK_INT(pw_gw_prio_of((int)getpid()), base_nice()); /* the starting thread keeps its own */
    put_burst(&e, 3000, 0);
    CHECK(drained(&e, "meta", GW_TEST_WAIT_MS));
    CHECK_INT((int)events_at_mock(&e), 3000);
    pw_forward_stats st;
    CHECK_INT(pw_forwarders_stats(e.fw, "meta", &st), PW_OK);
    CHECK_INT((int)st.sent, 3000);
    CHECK_INT(st.nice, expect_nice(19));
    CHECK_INT((int)st.boosts, 0); /* boost_lag_ms 0: never */
    CHECK_INT(thread_nice("pw-fwd-meta"), expect_nice(19));
    env_close(&e);
}

/* Events already a minute old when leased: with boost_lag_ms 1000 the forwarder asks for the
 * process's priority back; idle again, it lowers itself. Without the privilege to raise a
 * priority it stays at 19 and reports the refusal; delivery completes either way. */
static void test_forwarder_boost_when_lagging(void)
{
    env e;
    env_open(&e, "gwprio", "boost");
    pw_destination d = meta_dest(&e);
    pw_forward_opts o = {.poll_ms = 10, .nice = 19, .boost_lag_ms = 1000};
    CHECK_INT(pw_forwarders_start_opts(&d, 1, e.spool, e.audit, &o, &e.fw, NULL), PW_OK);
    CHECK_INT(wait_nice("pw-fwd-meta", expect_nice(19), GW_TEST_WAIT_MS), expect_nice(19));
    put_burst(&e, 1500, 60000);
    CHECK(drained(&e, "meta", GW_TEST_WAIT_MS));
    CHECK_INT((int)events_at_mock(&e), 1500);
    /* Caught up: the next empty lease lowers the thread again, and then says so in its stats
     * (a moment after the kernel has the new value). */
    CHECK_INT(wait_nice("pw-fwd-meta", expect_nice(19), GW_TEST_WAIT_MS), expect_nice(19));
    pw_forward_stats st;
    int64_t until = pw_gw_mono_ms() + GW_TEST_WAIT_MS;
    do
        CHECK_INT(pw_forwarders_stats(e.fw, "meta", &st), PW_OK);
    while (st.nice != expect_nice(19) && pw_gw_mono_ms() < until && usleep(2000) == 0);
    if (expect_nice(19) == base_nice()) {
        CHECK_INT((int)st.boosts, 0); /* nothing to regain */
    } else if (can_raise()) {
        CHECK((int)st.boosts >= 1);
        CHECK_INT(st.boost_refused, 0);
    } else {
        CHECK_INT((int)st.boosts, 0);
        CHECK_INT(st.boost_refused, 1);
    }
    CHECK_INT(st.nice, expect_nice(19));
    env_close(&e);
}

/* The ingest audit writer ("pw-audit") takes the committer's nice value at start and a new one
 * from pw_gw_committer_set_nice (a reload); it still writes every record. */
static void test_audit_thread_nice(void)
{
    env e;
    env_open(&e, "gwprio", "audit");
    pw_gw_committer *c = NULL;
    CHECK_INT(pw_gw_committer_new_nice(e.spool, e.audit, NULL, NULL, 13, &c, NULL), PW_OK);
    CHECK_INT(wait_nice("pw-audit", expect_nice(13), GW_TEST_WAIT_MS), expect_nice(13));
    pw_gw_committer_set_nice(c, 17);
    CHECK_INT(wait_nice("pw-audit", expect_nice(17), GW_TEST_WAIT_MS), expect_nice(17));
    pw_gw_committer_free(c);
    /* joined; the kernel drops a joined thread's /proc entry a moment after pthread_join */
    CHECK_INT(wait_nice("pw-audit", -100, GW_TEST_WAIT_MS), -100);
    env_close(&e);
}

PW_TEST_MAIN(PW_TEST(test_prio_helper), PW_TEST(test_forwarder_lowest_priority_delivers_burst),
             PW_TEST(test_forwarder_boost_when_lagging), PW_TEST(test_audit_thread_nice))
