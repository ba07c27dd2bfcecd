/*
 * bench_fsync.c — the disk's floor under a durable answer: the latency of fdatasync after a 4 KiB
 * append in the spool's directory. The gateway answers 2xx only after the group commit holding the
 * event has synced, and a request that arrives during a commit waits for that one and its own, so
 * the gateway's p99 cannot be lower than about twice this p99. bench/gateway.sh prints it next to
 * the paced phase.
 *
 *   bench_fsync DIR [COUNT]   prints p50/p90/p99/p99.9/max in ms over COUNT (default 2000) syncs
 *
 * Does another writer on the same disk slow it? (the audit log: ~2 KB of ingest records per event
 * written as they come, fdatasync'd every 100 ms):
 *   bench_fsync --other DIR COUNT MBPS   the same syncs, in blocks of 200 rotating between three
 *       modes of a second thread appending MBPS MB/s to another file in DIR every 1 ms: "quiet"
 *       (it writes nothing), "burst" (fdatasync every 100 ms: what the audit log does) and
 *       "trickle" (the same, plus sync_file_range(SYNC_FILE_RANGE_WRITE) of each 64 KiB written:
 *       its writeback started early, in small pieces; branch gw-tail10-try). Each mode's figures
 * are over its COUNT/3 syncs; rotating in small blocks spreads the other helpers' disk load evenly
 * over the three.
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* ---- --other: a second writer on the disk --------------------------------------------------- */

enum { QUIET, BURST, TRICKLE, MODES };
static const char *const mode_names[MODES] = {"quiet", "burst", "trickle"};
static atomic_int other_mode = QUIET, other_stop;

typedef struct other {
    int fd;
    size_t per_ms;
    long long written, syncs[MODES];
    double sync_ms[MODES], sync_max[MODES]; /* its fdatasyncs' time, per mode */
} other;

static void *other_main(void *arg)
{
    other *o = arg;
    char *buf = malloc(o->per_ms);
    if (!buf)
        return NULL;
    memset(buf, 'a', o->per_ms);
    off_t end = 0, wb_from = 0;
    double last_sync = now_ms();
    while (!atomic_load(&other_stop)) {
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
        int mode = atomic_load(&other_mode);
        if (mode == QUIET)
            continue;
        if (write(o->fd, buf, o->per_ms) != (ssize_t)o->per_ms)
            break;
        end += (off_t)o->per_ms;
        o->written += (long long)o->per_ms;
        if (mode == TRICKLE && end - wb_from >= (64 << 10)) {
#ifdef SYNC_FILE_RANGE_WRITE
            sync_file_range(o->fd, wb_from, end - wb_from, SYNC_FILE_RANGE_WRITE);
#endif
            wb_from = end;
        }
        if (now_ms() - last_sync >= 100) {
            double t0 = now_ms();
            fdatasync(o->fd);
            double took = now_ms() - t0;
            o->syncs[mode]++;
            o->sync_ms[mode] += took;
            o->sync_max[mode] = took > o->sync_max[mode] ? took : o->sync_max[mode];
            wb_from = end;
            last_sync = now_ms();
        }
    }
    free(buf);
    return NULL;
}

static int other_run(const char *dir, long n, double mbps)
{
    char path[4096], opath[4096];
    snprintf(path, sizeof path, "%s/bench_fsync.%ld", dir, (long)getpid());
    snprintf(opath, sizeof opath, "%s/bench_fsync_other.%ld", dir, (long)getpid());
    int fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0600);
    other o = {.fd = open(opath, O_CREAT | O_TRUNC | O_WRONLY, 0600),
               .per_ms = (size_t)(mbps * 1000)};
    if (fd < 0 || o.fd < 0 || o.per_ms == 0) {
        perror(path);
        return 1;
    }
    double *lat[MODES];
    long got[MODES] = {0};
    for (int m = 0; m < MODES; m++)
        lat[m] = malloc((size_t)n * sizeof *lat[m]);
    pthread_t th;
    pthread_create(&th, NULL, other_main, &o);
    char block[4096];
    memset(block, 'x', sizeof block);
    for (long i = 0; i < n; i++) {
        int mode = (int)(i / 200 % MODES);
        if (i % 200 == 0) { /* a new block: let the other writer settle into its mode */
            atomic_store(&other_mode, mode);
            struct timespec ts = {0, 200000000};
            nanosleep(&ts, NULL);
        }
        if (write(fd, block, sizeof block) != (ssize_t)sizeof block)
            return 1;
        double t0 = now_ms();
        if (fdatasync(fd) != 0)
            return 1;
        lat[mode][got[mode]++] = now_ms() - t0;
        struct timespec ts = {0, 500000}; /* a commit every ~1 ms or so, as the spool's */
        nanosleep(&ts, NULL);
    }
    atomic_store(&other_stop, 1);
    pthread_join(th, NULL);
    close(fd);
    close(o.fd);
    unlink(path);
    unlink(opath);
    printf("fdatasync after a 4 KiB append in %s, another thread appending %.1f MB/s to another "
           "file there:\n",
           dir, mbps);
    for (int m = 0; m < MODES; m++) {
        long k = got[m];
        qsort(lat[m], (size_t)k, sizeof *lat[m], by_value);
        printf("  %-8s %5ld syncs: p50 %.2f ms  p90 %.2f ms  p99 %.2f ms  p99.9 %.2f ms  max %.2f "
               "ms\n",
               mode_names[m], k, lat[m][k / 2], lat[m][k * 9 / 10], lat[m][k * 99 / 100],
               lat[m][k * 999 / 1000], lat[m][k - 1]);
        if (o.syncs[m])
            printf("  %-8s the other file's %lld fdatasyncs: mean %.2f ms, max %.2f ms\n", "",
                   o.syncs[m], o.sync_ms[m] / (double)o.syncs[m], o.sync_max[m]);
        free(lat[m]);
    }
    printf("command: bench_fsync --other %s %ld %g\n", dir, n, mbps);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc > 4 && strcmp(argv[1], "--other") == 0) {
        long n = strtol(argv[3], NULL, 10);
        if (n < 600 || n > 1000000) { /* a block of 200 for each mode at least */
            fprintf(stderr, "bench_fsync: --other: COUNT must be 600..1000000\n");
            return 2;
        }
        return other_run(argv[2], n, atof(argv[4]));
    }
    if (argc < 2) {
        fprintf(stderr, "usage: bench_fsync DIR [COUNT]\n");
        return 2;
    }
    long n = argc > 2 ? strtol(argv[2], NULL, 10) : 2000;
    if (n < 100 || n > 1000000) {
        fprintf(stderr, "bench_fsync: COUNT must be 100..1000000\n");
        return 2;
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/bench_fsync.%ld", argv[1], (long)getpid());
    int fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0600);
    if (fd < 0) {
        perror(path);
        return 1;
    }
    double *lat = malloc((size_t)n * sizeof *lat);
    char block[4096];
    memset(block, 'x', sizeof block);
    int rc = 0;
    for (long i = 0; lat && i < n; i++) {
        if (write(fd, block, sizeof block) != (ssize_t)sizeof block) {
            perror("write");
            rc = 1;
            break;
        }
        double t0 = now_ms();
        if (fdatasync(fd) != 0) {
            perror("fdatasync");
            rc = 1;
            break;
        }
        lat[i] = now_ms() - t0;
    }
    close(fd);
    unlink(path);
    if (!lat || rc) {
        free(lat);
        return 1;
    }
    qsort(lat, (size_t)n, sizeof *lat, by_value);
    printf("fdatasync after a 4 KiB append in %s (%ld syncs): p50 %.2f ms  p90 %.2f ms  p99 %.2f ms"
           "  p99.9 %.2f ms  max %.2f ms\n",
           argv[1], n, lat[n / 2], lat[n * 9 / 10], lat[n * 99 / 100], lat[n * 999 / 1000],
           lat[n - 1]);
    printf("command: bench_fsync %s %ld\n", argv[1], n);
    free(lat);
    return 0;
}
