/*
 * bench_audit.c — audit records per second: one fdatasync per append (the baseline: a single
 * thread calling pw_audit_append), against concurrent appenders sharing group syncs (4, 16
 * threads) and against pw_audit_append_nosync + one pw_audit_sync per 100 records, in one run.
 *
 * Usage: bench_audit [DIR] [SECONDS_PER_RUN]   (defaults: /tmp 1.5)
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "audit.h"

typedef struct ctx {
    pw_audit *a;
    double seconds;
    int nosync;
    atomic_long *done;
} ctx;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *worker(void *arg)
{
    ctx *c = arg;
    pw_audit_record r = {.event_id = "0b7c6f0e-8a1d-4c1e-9a57-3f2d1c0b9a88",
                         .event_name = "Schedule",
                         .destination = "meta",
                         .action = PW_AUDIT_QUEUED,
                         .rule = "meta.allow.Schedule",
                         .fields_json = "{\"event_name\":\"allow\",\"custom_data.page\":\"map\"}"};
    double end = now_s() + c->seconds;
    for (long i = 0; now_s() < end; i++) {
        pw_status st =
            c->nosync ? pw_audit_append_nosync(c->a, &r, 1, NULL) : pw_audit_append(c->a, &r, NULL);
        if (st == PW_OK && c->nosync && i % 100 == 99)
            st = pw_audit_sync(c->a, NULL);
        if (st != PW_OK)
            exit(1);
        atomic_fetch_add(c->done, 1);
    }
    return NULL;
}

static double measure(const char *dir, int threads, int nosync, double seconds)
{
    char path[512];
    snprintf(path, sizeof path, "%s/bench_audit_%d.log", dir, (int)getpid());
    unlink(path);
    pw_audit *a = NULL;
    if (pw_audit_open(path, &a, NULL) != PW_OK)
        exit(1);
    atomic_long done = 0;
    pthread_t th[16];
    ctx c = {a, seconds, nosync, &done};
    double t0 = now_s();
    for (int i = 0; i < threads; i++)
        pthread_create(&th[i], NULL, worker, &c);
    for (int i = 0; i < threads; i++)
        pthread_join(th[i], NULL);
    double rate = (double)atomic_load(&done) / (now_s() - t0);
    pw_audit_close(a);
    unlink(path);
    return rate;
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "/tmp";
    double seconds = argc > 2 ? atof(argv[2]) : 1.5;
    double base = measure(dir, 1, 0, seconds);
    printf("audit records/s, %s, %.1f s per run\n", dir, seconds);
    printf("%-44s %10.0f %8s\n", "baseline: 1 thread, fdatasync per record", base, "1.00x");
    static const int threads[] = {4, 16};
    for (int i = 0; i < 2; i++) {
        double r = measure(dir, threads[i], 0, seconds);
        printf("%2d threads, shared group fdatasync %-9s %10.0f %7.2fx\n", threads[i], "", r,
               r / base);
    }
    double ns = measure(dir, 1, 1, seconds);
    printf("%-44s %10.0f %7.2fx\n", "1 thread, nosync + sync every 100", ns, ns / base);
    printf("reproduce: ./build/bench/bench_audit %s %.1f\n", dir, seconds);
    return 0;
}
