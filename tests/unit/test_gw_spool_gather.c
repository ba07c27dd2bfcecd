/*
 * test_gw_spool_gather.c — group commit under load (pw_spool_opts.load_gather_us): after a
 * group commit of PW_SPOOL_LOAD_BATCH requests or more, the next leader waits before taking its
 * batch, so requests arriving meanwhile share one commit; after a small batch, or a large one
 * whose requests came slowly (behind a slow commit), nothing waits.
 * White-box: the last batch's size is set through the spool's internals.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gw_test_db.h"
#include "pw_test.h"
#include "spool.h"
#include "spool_sqlite_internal.h"

typedef struct done_state {
    pthread_mutex_t mu;
    pthread_cond_t cond;
    int done, ok;
} done_state;

static void on_done(void *ctx, pw_status st, const pw_err *err)
{
    done_state *d = ctx;
    (void)err;
    pthread_mutex_lock(&d->mu);
    d->done++;
    d->ok += st == PW_OK;
    pthread_cond_signal(&d->cond);
    pthread_mutex_unlock(&d->mu);
}

/* Wait until d counts n puts done. */
static void wait_done(done_state *d, int n)
{
    pthread_mutex_lock(&d->mu);
    while (d->done < n)
        pthread_cond_wait(&d->cond, &d->mu);
    pthread_mutex_unlock(&d->mu);
}

/* n async puts, gap_us apart, after a group commit that took last_batch put requests, while
 * puts came fast (16 per ms or more) or not; returns the group commits they took. first_alone:
 * the first put is committed before the others are sent, so that its leader — the one that
 * decides on the state set here — commits it on its own whatever the machine's load. */
static int64_t sent_ns; /* put_spaced: from its first put to its last, sent */

static unsigned long long put_spaced(pw_spool *s, const char *prefix, int n, unsigned gap_us,
                                     size_t last_batch, int fast, int first_alone)
{
    done_state d = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0};
    static char ids[64][32];
    static pw_spool_put_item items[64];
    pthread_mutex_lock(&s->q_mu);
    s->last_batch = last_batch; /* what the previous group commit took, and how fast */
    s->load_fast = fast;
    s->load_win_ns = pw_histo_now_ns(); /* a new window: the test's puts do not decide it */
    pthread_mutex_unlock(&s->q_mu);
    unsigned long long before = atomic_load(&s->timing.commits);
    int64_t first = pw_histo_now_ns();
    for (int i = 0; i < n; i++) {
        snprintf(ids[i], sizeof ids[i], "%s-%02d", prefix, i);
        items[i] = (pw_spool_put_item){ids[i], "meta", "{}", 2, 0, 0};
        CHECK_INT(pw_spool_put_async(s, &items[i], 1, on_done, &d, NULL), PW_OK);
        if (i == 0 && first_alone)
            wait_done(&d, 1);
        else
            usleep(gap_us);
    }
    sent_ns = pw_histo_now_ns() - first;
    wait_done(&d, n);
    CHECK_INT(d.ok, n);
    return atomic_load(&s->timing.commits) - before;
}

/* A spool at path (named name) whose leader gathers for 0.5 s under load; NULL if it fails. */
static pw_spool *open_gathering(char *path, size_t size, const char *name)
{
    gw_test_db_path(path, size, "pw_spool", name);
    pw_spool_opts o = {.path = path, .load_gather_us = 500000};
    pw_spool *s = NULL;
    CHECK_INT(pw_spool_open(&o, &s, NULL), PW_OK);
    return s;
}

static void test_gather_under_load_only(void)
{
    char path[256];
    pw_spool *s = open_gathering(path, sizeof path, "gather");
    if (!s)
        return;
    /* Idle (the last batch was small): nothing waits. A gathering leader would take the five
     * puts (120 ms) in one commit; how many commits they take otherwise depends on how long an
     * fsync takes on this machine (ASan, load), so only "more than one" is asserted. */
    CHECK(put_spaced(s, "idle", 5, 30000, 1, 1, 0) >= 2);
    CHECK_INT((long long)atomic_load(&s->timing.gathers), 0);
    /* Under load (the last batch was large, and puts came fast): the next leader
     * waits 0.5 s, and ten puts 5 ms apart share its commit — when this thread got to send
     * them within the wait: a CI run sharing the CPUs with browsers once sent the first and
     * then the other nine only after the commit (10 commits, 1 gather). Later sends then
     * commit as idle puts, each on its own; the gather is still asserted. */
    unsigned long long commits = put_spaced(s, "load", 10, 5000, PW_SPOOL_LOAD_BATCH, 1, 0);
    if (sent_ns < 400 * 1000000LL)
        CHECK_INT((long long)commits, 1);
    else
        fprintf(stderr,
                "note: the puts took %lld ms to send (the machine is loaded): %llu "
                "commits, not asserted\n",
                (long long)(sent_ns / 1000000), commits);
    CHECK_INT((long long)atomic_load(&s->timing.gathers), 1);
    pw_spool_stats st;
    CHECK_INT(pw_spool_stats_get(s, "meta", &st, NULL), PW_OK);
    CHECK_INT(st.depth, 15);
    pw_spool_close(s);
    gw_test_db_remove(path);
}

/* A large batch while puts come at a moderate rate (a batch behind a slow commit, or a burst)
 * is not load: the requests after it are the latency tail, and nobody waits. */
static void test_no_gather_after_a_slow_large_batch(void)
{
    char path[256];
    pw_spool *s = open_gathering(path, sizeof path, "gather_slow");
    if (!s)
        return;
    /* The leader of the first put decides on the large batch at a moderate rate: it must not
     * wait (gathers counts every leader that waits). Before, the ten puts went 5 ms apart and
     * "more than one commit" stood for "nobody waited": on a loaded machine the committer could
     * wake after all ten had queued and take them in one commit without waiting (flaky at load
     * ~7). Now the first is committed alone before the rest are sent, and the counter says
     * whether any leader waited, however the others are batched. */
    CHECK(put_spaced(s, "slow", 10, 5000, 2 * PW_SPOOL_LOAD_BATCH, 0, 1) >= 2);
    CHECK_INT((long long)atomic_load(&s->timing.gathers), 0);
    pw_spool_close(s);
    gw_test_db_remove(path);
}

/* A thread that holds q_mu (the committer or a forwarder's mark, preempted or woken late)
 * until the puts return or 5 s pass. */
typedef struct holder {
    pw_spool *s;
    atomic_int held, returned, released_by_puts;
} holder;

static void *hold_q_mu(void *arg)
{
    holder *h = arg;
    pthread_mutex_lock(&h->s->q_mu);
    atomic_store(&h->held, 1);
    for (int i = 0; i < 5000 && !atomic_load(&h->returned); i++)
        usleep(1000);
    atomic_store(&h->released_by_puts, atomic_load(&h->returned));
    pthread_mutex_unlock(&h->s->q_mu);
    return NULL;
}

/* An asynchronous put (an HTTP thread's) does not wait for q_mu: before, every HTTP thread
 * stopped while the lock's holder was off the CPU (docs/gateway.md, the paced p99). The puts
 * are committed once the holder lets go. Fails on the old code (the puts return only when the
 * holder gives up after 5 s). */
static void test_put_async_does_not_wait_for_q_mu(void)
{
    char path[256];
    gw_test_db_path(path, sizeof path, "pw_spool", "nolock");
    pw_spool_opts o = {.path = path};
    pw_spool *s = NULL;
    CHECK_INT(pw_spool_open(&o, &s, NULL), PW_OK);
    if (!s)
        return;
    holder h = {.s = s};
    pthread_t t;
    CHECK_INT(pthread_create(&t, NULL, hold_q_mu, &h), 0);
    while (!atomic_load(&h.held))
        usleep(100);
    done_state d = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0};
    static pw_spool_put_item items[3] = {{"held-0", "meta", "{}", 2, 0, 0},
                                         {"held-1", "meta", "{}", 2, 0, 0},
                                         {"held-2", "meta", "{}", 2, 0, 0}};
    for (int i = 0; i < 3; i++)
        CHECK_INT(pw_spool_put_async(s, &items[i], 1, on_done, &d, NULL), PW_OK);
    atomic_store(&h.returned, 1);
    pthread_join(t, NULL);
    CHECK(atomic_load(&h.released_by_puts));
    wait_done(&d, 3);
    CHECK_INT(d.ok, 3);
    pw_spool_stats st;
    CHECK_INT(pw_spool_stats_get(s, "meta", &st, NULL), PW_OK);
    CHECK_INT(st.depth, 3);
    pw_spool_close(s);
    gw_test_db_remove(path);
}

/* Puts from several threads at uneven gaps, each wait of the committer (idle, or a lone put's
 * wait for companions) raced by puts arriving around it: every put is committed (a lost
 * wake-up hangs here until ctest's timeout). */
typedef struct racer {
    pw_spool *s;
    done_state *d;
    int k;
} racer;

static void *race_puts(void *arg)
{
    racer *r = arg;
    static char ids[4][150][32];
    static pw_spool_put_item items[4][150];
    unsigned seed = (unsigned)r->k * 7919u + 1;
    for (int i = 0; i < 150; i++) {
        snprintf(ids[r->k][i], sizeof ids[r->k][i], "race-%d-%03d", r->k, i);
        items[r->k][i] = (pw_spool_put_item){ids[r->k][i], "meta", "{}", 2, 0, 0};
        CHECK_INT(pw_spool_put_async(r->s, &items[r->k][i], 1, on_done, r->d, NULL), PW_OK);
        usleep(rand_r(&seed) % 3000);
    }
    return NULL;
}

static void test_puts_racing_the_committers_waits(void)
{
    char path[256];
    gw_test_db_path(path, sizeof path, "pw_spool", "race");
    pw_spool_opts o = {.path = path, .commit_interval_ms = 2}; /* the gateway's: lone puts wait */
    pw_spool *s = NULL;
    CHECK_INT(pw_spool_open(&o, &s, NULL), PW_OK);
    if (!s)
        return;
    done_state d = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0};
    racer r[4];
    pthread_t t[4];
    for (int k = 0; k < 4; k++) {
        r[k] = (racer){s, &d, k};
        CHECK_INT(pthread_create(&t[k], NULL, race_puts, &r[k]), 0);
    }
    for (int k = 0; k < 4; k++)
        pthread_join(t[k], NULL);
    wait_done(&d, 600);
    CHECK_INT(d.ok, 600);
    pw_spool_stats st;
    CHECK_INT(pw_spool_stats_get(s, "meta", &st, NULL), PW_OK);
    CHECK_INT(st.depth, 600);
    pw_spool_close(s);
    gw_test_db_remove(path);
}

PW_TEST_MAIN(PW_TEST(test_gather_under_load_only), PW_TEST(test_no_gather_after_a_slow_large_batch),
             PW_TEST(test_put_async_does_not_wait_for_q_mu),
             PW_TEST(test_puts_racing_the_committers_waits))
