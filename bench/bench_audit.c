/*
 * bench_audit.c — audit records per second: one fdatasync per append (the baseline: a single
 * thread calling pw_audit_append), against concurrent appenders sharing group syncs (4, 16
 * threads) and against pw_audit_append_nosync + one pw_audit_sync per 100 records, in one run.
 * Last, the gateway's ingest pattern (gw_commit.c): batches of 69 records (a group commit of 23
 * requests, an accepted and two queued records each) appended without sync, one pw_audit_sync
 * every 100 ms, reported as process CPU µs per record — the figure to compare between builds.
 *
 * Usage: bench_audit [DIR] [SECONDS_PER_RUN]   (defaults: /tmp 1.5)
 *
 * A fixed amount of work instead, for counting instructions (the machine's clock and CPU time
 * swing too much to tell a few per cent; it has no hardware counters), "Collected" divided by
 * the records it prints:
 *   valgrind --tool=callgrind ./build/bench/bench_audit --work DIR ingest   the ingest pattern:
 *       6000 batches of 69 records without a sync, a sync per 100 batches
 *   valgrind --tool=callgrind ./build/bench/bench_audit --work DIR synced   a forwarder's
 *       outcomes: 400 synced batches (pw_audit_append_batch) of 50 "sent" records
 * Both also print per record the bytes written, write calls (/proc/self/io) and syncs.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/resource.h>
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

static double cpu_s(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
           (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

#define INGEST_BATCH 69

/* The records of one ingest batch (an accepted and two queued records per request) or, synced,
 * a forwarder's "sent" records. */
static void batch_records(pw_audit_record recs[INGEST_BATCH], int synced)
{
    static char ids[INGEST_BATCH][40];
    for (int i = 0; i < INGEST_BATCH; i++) {
        snprintf(ids[i], sizeof ids[i], "0b7c6f0e-8a1d-4c1e-9a57-%012d", i / 3);
        int kind = synced ? 1 : i % 3;
        recs[i] = (pw_audit_record){
            .event_id = ids[i],
            .event_name = "Schedule",
            .destination = kind == 0   ? NULL
                           : kind == 1 ? "meta"
                                       : "ga4",
            .action = synced      ? PW_AUDIT_SENT
                      : kind == 0 ? PW_AUDIT_ACCEPTED
                                  : PW_AUDIT_QUEUED,
            .rule = kind == 0   ? "ingest: valid event"
                    : kind == 1 ? "meta.allow.Schedule"
                                : "ga4.allow.Schedule",
            .fields_json = kind == 0 ? NULL
                                     : "{\"event_name\":\"allow\",\"custom_data.page\":\"map\","
                                       "\"event_time\":\"allow\",\"action_source\":\"allow\"}",
            .http_status = synced ? 200 : 0,
            .detail = synced ? "http 200" : NULL,
            .payload_sha256 =
                synced ? "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" : NULL};
    }
}

static pw_audit *open_log(const char *dir, const char *name, char path[512])
{
    snprintf(path, 512, "%s/bench_audit_%s_%d.log", dir, name, (int)getpid());
    unlink(path);
    pw_audit *a = NULL;
    if (pw_audit_open(path, &a, NULL) != PW_OK)
        exit(1);
    return a;
}

/* /proc/self/io: bytes handed to write calls, write calls, bytes of pages dirtied for the disk. */
static void read_io(long long v[3])
{
    static const char *const keys[3] = {"wchar:", "syscw:", "write_bytes:"};
    FILE *f = fopen("/proc/self/io", "r");
    char line[128];
    v[0] = v[1] = v[2] = 0;
    while (f && fgets(line, sizeof line, f))
        for (int i = 0; i < 3; i++)
            if (strncmp(line, keys[i], strlen(keys[i])) == 0)
                v[i] = atoll(line + strlen(keys[i]));
    if (f)
        fclose(f);
}

/* --work: the fixed workload (see the top); 0 when done. */
static int work(const char *dir, const char *what)
{
    int synced = strcmp(what, "synced") == 0;
    char path[512];
    pw_audit *a = open_log(dir, "work", path);
    pw_audit_record recs[INGEST_BATCH];
    batch_records(recs, synced);
    int batches = synced ? 400 : 6000, per = synced ? 50 : INGEST_BATCH;
    long long io0[3], io1[3];
    read_io(io0);
    for (int b = 0; b < batches; b++) {
        pw_status st = synced ? pw_audit_append_batch(a, recs, (size_t)per, NULL)
                              : pw_audit_append_nosync(a, recs, (size_t)per, NULL);
        if (st != PW_OK || (!synced && b % 100 == 99 && pw_audit_sync(a, NULL) != PW_OK)) {
            fprintf(stderr, "bench_audit: appending to %s failed (batch %d)\n", path, b);
            exit(1);
        }
    }
    read_io(io1);
    pw_audit_close(a);
    unlink(path);
    double recs_n = (double)batches * per;
    printf("%s: %d records\n", synced ? "synced batches of 50" : "ingest: batches of 69 nosync",
           batches * per);
    printf("per record: %.1f bytes written, %.1f bytes of pages dirtied, %.4f write calls, "
           "%.5f syncs\n",
           (double)(io1[0] - io0[0]) / recs_n, (double)(io1[2] - io0[2]) / recs_n,
           (double)(io1[1] - io0[1]) / recs_n, (synced ? batches : batches / 100) / recs_n);
    printf("reproduce: ./build/bench/bench_audit --work %s %s\n", dir, what);
    return 0;
}

/* The ingest audit pattern: CPU µs per record; *rate gets records/s. */
static double measure_ingest(const char *dir, double seconds, double *rate)
{
    char path[512];
    pw_audit *a = open_log(dir, "ingest", path);
    pw_audit_record recs[INGEST_BATCH];
    batch_records(recs, 0);
    long done = 0;
    double t0 = now_s(), c0 = cpu_s(), last_sync = t0;
    while (now_s() - t0 < seconds) {
        if (pw_audit_append_nosync(a, recs, INGEST_BATCH, NULL) != PW_OK)
            exit(1);
        done += INGEST_BATCH;
        if (now_s() - last_sync >= 0.1) {
            if (pw_audit_sync(a, NULL) != PW_OK)
                exit(1);
            last_sync = now_s();
        }
    }
    pw_audit_sync(a, NULL);
    double cpu = cpu_s() - c0;
    *rate = (double)done / (now_s() - t0);
    pw_audit_close(a);
    unlink(path);
    return cpu * 1e6 / (double)done;
}

int main(int argc, char **argv)
{
    if (argc > 3 && strcmp(argv[1], "--work") == 0)
        return work(argv[2], argv[3]);
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
    double ingest_rate = 0, us = measure_ingest(dir, seconds, &ingest_rate);
    printf("%-44s %10.0f   %.3f cpu us/record\n", "ingest: batches of 69 nosync, sync per 100 ms",
           ingest_rate, us);
    printf("reproduce: ./build/bench/bench_audit %s %.1f\n", dir, seconds);
    return 0;
}
