/*
 * bench_fsync.c — the disk's floor under a durable answer: the latency of fdatasync after a 4 KiB
 * append in the spool's directory. The gateway answers 2xx only after the group commit holding the
 * event has synced, and a request that arrives during a commit waits for that one and its own, so
 * the gateway's p99 cannot be lower than about twice this p99. bench/gateway.sh prints it next to
 * the paced phase.
 *
 *   bench_fsync DIR [COUNT]   prints p50/p90/p99/p99.9/max in ms over COUNT (default 2000) syncs
 */
#include <fcntl.h>
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

int main(int argc, char **argv)
{
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
