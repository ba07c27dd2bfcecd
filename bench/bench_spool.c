/*
 * bench_spool.c — durable spool puts per second: group commit (pw_spool_put: concurrent callers
 * share one transaction and one fsync) against the baseline of one transaction per put
 * (pw_spool_put_unbatched), both with synchronous=FULL, with 1, 4 and 16 threads, in one run.
 *
 * Usage: bench_spool [DIR] [SECONDS_PER_RUN] [COMMIT_INTERVAL_MS]   (defaults: /tmp 1.5 0)
 * Each put carries one event for two destinations (~300-byte payloads), as ingest does.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "spool.h"

typedef struct run_ctx {
    pw_spool *spool;
    int unbatched;
    int thread;
    double seconds;
    atomic_long *done;
    int failed;
} run_ctx;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char PAYLOAD[] =
    "{\"event_name\":\"Schedule\",\"event_time\":1795000000,\"action_source\":\"website\","
    "\"event_source_url\":\"https://hospital.example/\",\"user_data\":{\"em\":["
    "\"a665a45920422f9d417e4867efdc4fb8a04a1f3fff1fa07e998e86f7f7a27ae3\"]},"
    "\"custom_data\":{\"page_category\":\"scheduling\"}}";

static void *worker(void *arg)
{
    run_ctx *c = arg;
    char id[48];
    double end = now_s() + c->seconds;
    for (long i = 0; now_s() < end; i++) {
        snprintf(id, sizeof id, "t%d-%ld", c->thread, i);
        pw_spool_put_item items[2] = {{id, "meta", PAYLOAD, sizeof PAYLOAD - 1, 0},
                                      {id, "ga4", PAYLOAD, sizeof PAYLOAD - 1, 0}};
        pw_status st = c->unbatched ? pw_spool_put_unbatched(c->spool, items, 2, NULL)
                                    : pw_spool_put(c->spool, items, 2, NULL);
        if (st != PW_OK) {
            c->failed = 1;
            break;
        }
        atomic_fetch_add(c->done, 1);
    }
    return NULL;
}

static void remove_db(const char *path)
{
    char side[600];
    unlink(path);
    snprintf(side, sizeof side, "%s-wal", path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", path);
    unlink(side);
}

/* Puts per second for one configuration on a fresh spool. */
static double measure(const char *dir, int threads, int unbatched, double seconds,
                      unsigned interval)
{
    char path[512];
    snprintf(path, sizeof path, "%s/bench_spool_%d.db", dir, (int)getpid());
    remove_db(path);
    pw_spool_opts o = {.path = path, .commit_interval_ms = interval};
    pw_spool *s = NULL;
    pw_err err = {0};
    if (pw_spool_open(&o, &s, &err) != PW_OK) {
        fprintf(stderr, "bench_spool: %s\n", err.msg);
        exit(1);
    }
    atomic_long done = 0;
    pthread_t th[64];
    run_ctx ctx[64];
    double t0 = now_s();
    for (int i = 0; i < threads; i++) {
        ctx[i] = (run_ctx){s, unbatched, i, seconds, &done, 0};
        pthread_create(&th[i], NULL, worker, &ctx[i]);
    }
    for (int i = 0; i < threads; i++)
        pthread_join(th[i], NULL);
    double elapsed = now_s() - t0;
    pw_spool_close(s);
    remove_db(path);
    for (int i = 0; i < threads; i++)
        if (ctx[i].failed) {
            fprintf(stderr, "bench_spool: a put failed\n");
            exit(1);
        }
    return (double)atomic_load(&done) / elapsed;
}

/* ---- async: one thread keeps up to `window` puts in flight (an event-driven ingest) ---- */

typedef struct inflight {
    pthread_mutex_t mu;
    pthread_cond_t cond;
    long in_flight, done, failed;
} inflight;

static void on_done(void *ctx, pw_status st, const pw_err *err)
{
    (void)err;
    inflight *f = ctx;
    pthread_mutex_lock(&f->mu);
    f->in_flight--;
    f->done++;
    f->failed += st != PW_OK;
    pthread_cond_signal(&f->cond);
    pthread_mutex_unlock(&f->mu);
}

static double measure_async(const char *dir, long window, double seconds, unsigned interval)
{
    char path[512];
    snprintf(path, sizeof path, "%s/bench_spool_%d.db", dir, (int)getpid());
    remove_db(path);
    pw_spool_opts o = {.path = path, .commit_interval_ms = interval};
    pw_spool *s = NULL;
    if (pw_spool_open(&o, &s, NULL) != PW_OK)
        exit(1);
    inflight f = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, 0};
    char id[48];
    double t0 = now_s(), end = t0 + seconds;
    for (long i = 0; now_s() < end; i++) {
        pthread_mutex_lock(&f.mu);
        while (f.in_flight >= window)
            pthread_cond_wait(&f.cond, &f.mu);
        f.in_flight++;
        pthread_mutex_unlock(&f.mu);
        snprintf(id, sizeof id, "a-%ld", i);
        pw_spool_put_item items[2] = {{id, "meta", PAYLOAD, sizeof PAYLOAD - 1, 0},
                                      {id, "ga4", PAYLOAD, sizeof PAYLOAD - 1, 0}};
        if (pw_spool_put_async(s, items, 2, on_done, &f, NULL) != PW_OK)
            exit(1);
    }
    pthread_mutex_lock(&f.mu);
    while (f.in_flight > 0)
        pthread_cond_wait(&f.cond, &f.mu);
    pthread_mutex_unlock(&f.mu);
    double elapsed = now_s() - t0;
    pw_spool_close(s);
    remove_db(path);
    if (f.failed) {
        fprintf(stderr, "bench_spool: an async put failed\n");
        exit(1);
    }
    return (double)f.done / elapsed;
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "/tmp";
    double seconds = argc > 2 ? atof(argv[2]) : 1.5;
    unsigned interval = argc > 3 ? (unsigned)atoi(argv[3]) : 0;
    static const int thread_counts[] = {1, 4, 16};
    printf("spool puts/s (synchronous=FULL, WAL, 2 rows per put), %s, %.1f s per run\n", dir,
           seconds);
    printf("%8s %22s %22s %8s\n", "threads", "one txn per put", "group commit", "ratio");
    for (size_t i = 0; i < sizeof thread_counts / sizeof thread_counts[0]; i++) {
        int t = thread_counts[i];
        double base = measure(dir, t, 1, seconds, interval);
        double group = measure(dir, t, 0, seconds, interval);
        printf("%8d %22.0f %22.0f %7.2fx\n", t, base, group, base > 0 ? group / base : 0.0);
    }
    double base = measure(dir, 1, 1, seconds, interval);
    double async = measure_async(dir, 256, seconds, interval);
    printf("%8s %22.0f %22.0f %7.2fx  (pw_spool_put_async, 1 thread, 256 in flight)\n", "async",
           base, async, base > 0 ? async / base : 0.0);
    printf("reproduce: ./build/bench/bench_spool %s %.1f %u\n", dir, seconds, interval);
    return 0;
}
