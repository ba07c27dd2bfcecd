/*
 * bench_spool.c — what the durable spool costs per event, against a same-run baseline.
 *
 * One thread puts N events (each for two destinations, "meta" and "ga4", ~300-byte payloads as
 * ingest spools them) in groups of G events per pw_spool_put (one group = one commit), then the
 * two destinations lease and ack everything (pw_spool_lease of up to 1000, pw_spool_ack_sized),
 * as the forwarders do. Reported per phase: process CPU µs per event (all threads: the caller,
 * the committer and the checkpointer), wall µs per event and fsyncs (fsync + fdatasync calls,
 * counted by interposing both) per commit; then per event what went to the disk, from
 * /proc/self/io: bytes handed to write calls (the WAL's frames, the checkpointer's copies),
 * bytes of pages dirtied for the disk, write calls, fsyncs.
 *
 * Baseline, same run, same directory: the same bytes (event_id + both payloads per event)
 * appended to a plain file with one write + fdatasync per group, and for the ack phase one
 * 8-byte record per acked item appended with one fdatasync per ack batch: the floor any durable
 * queue pays for the same durability.
 *
 * Usage: bench_spool [DIR] [EVENTS] [GROUP]   (defaults: /tmp 20000 64)
 *
 * Paced mode: bench_spool --paced DIR RATE SECONDS [DELIVER]: one event (two destinations) per
 * asynchronous put (pw_spool_put_async, as the HTTP threads make them) at RATE per second for
 * SECONDS, each timed from its put to its completion (durable); with DELIVER=1 a forwarder
 * thread per destination leases (up to 128), marks the send (pw_spool_mark_sending), waits 1 ms
 * for the "upstream" and acks, as delivery does meanwhile. Prints the completion latency's
 * p50/p90/p99/p99.9/max, group commits and fsyncs per event, and CPU µs per event.
 * PW_BENCH_FSYNC_US=N (either mode): every fsync/fdatasync sleeps N µs first, a slower disk
 * simulated the same way for any build (the interposed calls below).
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "spool.h"

/* ---- fsync counting: SQLite calls these through the dynamic linker, so ours run first ---- */

static atomic_long n_syncs;
static atomic_long sync_delay_us = -1; /* PW_BENCH_FSYNC_US: a slower disk, simulated */

static void sync_delay(void)
{
    long us = atomic_load(&sync_delay_us);
    if (us < 0) {
        const char *e = getenv("PW_BENCH_FSYNC_US");
        us = e ? atol(e) : 0;
        atomic_store(&sync_delay_us, us);
    }
    if (us > 0) {
        struct timespec ts = {us / 1000000, (us % 1000000) * 1000};
        nanosleep(&ts, NULL);
    }
}

int fsync(int fd)
{
    atomic_fetch_add(&n_syncs, 1);
    sync_delay();
    return (int)syscall(SYS_fsync, fd);
}

int fdatasync(int fd)
{
    atomic_fetch_add(&n_syncs, 1);
    sync_delay();
    return (int)syscall(SYS_fdatasync, fd);
}

/* ---- measuring ---------------------------------------------------------------------------- */

typedef struct sample {
    double cpu_s, wall_s;
    long syncs;
    long long wchar, syscw, write_bytes; /* /proc/self/io: bytes handed to write calls, write
                                            calls, bytes of pages dirtied for the disk */
} sample;

static void read_io(sample *s)
{
    FILE *f = fopen("/proc/self/io", "r");
    char line[128];
    long long v;
    while (f && fgets(line, sizeof line, f)) {
        if (sscanf(line, "wchar: %lld", &v) == 1)
            s->wchar = v;
        else if (sscanf(line, "syscw: %lld", &v) == 1)
            s->syscw = v;
        else if (sscanf(line, "write_bytes: %lld", &v) == 1)
            s->write_bytes = v;
    }
    if (f)
        fclose(f);
}

static sample now_sample(void)
{
    struct rusage ru;
    struct timespec ts;
    getrusage(RUSAGE_SELF, &ru);
    clock_gettime(CLOCK_MONOTONIC, &ts);
    sample s = {(double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
                    (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6,
                (double)ts.tv_sec + (double)ts.tv_nsec / 1e9,
                atomic_load(&n_syncs),
                0,
                0,
                0};
    read_io(&s);
    return s;
}

static sample since(sample a)
{
    sample b = now_sample();
    return (sample){b.cpu_s - a.cpu_s, b.wall_s - a.wall_s, b.syncs - a.syncs,
                    b.wchar - a.wchar, b.syscw - a.syscw,   b.write_bytes - a.write_bytes};
}

static const char META[] =
    "{\"event_name\":\"Schedule\",\"event_time\":1795000000,\"action_source\":\"website\","
    "\"event_source_url\":\"https://hospital.example/\",\"user_data\":{\"em\":["
    "\"a665a45920422f9d417e4867efdc4fb8a04a1f3fff1fa07e998e86f7f7a27ae3\"]},"
    "\"custom_data\":{\"page_category\":\"scheduling\"}}";
static const char GA4[] = "{\"name\":\"schedule\",\"params\":{\"page_category\":\"scheduling\","
                          "\"engagement_time_msec\":1,\"session_id\":\"1795000000\"}}";

static void event_id(char *out, size_t cap, long i)
{
    /* UUID-shaped and spread like the tag's random ones (the idempotency index sees no order). */
    unsigned long h = (unsigned long)i * 0x9E3779B97F4A7C15ul;
    snprintf(out, cap, "%08lx-%04lx-4%03lx-a%03lx-%012lx", h >> 32, (h >> 16) & 0xffff, h & 0xfff,
             (unsigned long)i & 0xfff, (unsigned long)i);
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

/* ---- baseline: the same bytes appended to a file, fdatasync'd per group ------------------- */

static sample baseline_put(const char *path, long n, long group)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0600);
    if (fd < 0)
        exit(1);
    size_t cap = (size_t)group * (sizeof META + sizeof GA4 + 80);
    char *buf = malloc(cap), id[48];
    sample t0 = now_sample();
    for (long i = 0; i < n;) {
        size_t len = 0;
        for (long k = 0; k < group && i < n; k++, i++) {
            event_id(id, sizeof id, i);
            len += (size_t)snprintf(buf + len, cap - len, "%s\t%s\t%s\n", id, META, GA4);
        }
        if (write(fd, buf, len) != (ssize_t)len || fdatasync(fd) != 0)
            exit(1);
    }
    sample d = since(t0);
    free(buf);
    close(fd);
    return d;
}

static sample baseline_ack(const char *path, long n, long batch)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0600);
    if (fd < 0)
        exit(1);
    int64_t *ids = calloc((size_t)batch, sizeof *ids);
    sample t0 = now_sample();
    for (int dest = 0; dest < 2; dest++)
        for (long i = 0; i < n; i += batch) {
            long m = n - i < batch ? n - i : batch;
            for (long k = 0; k < m; k++)
                ids[k] = i + k;
            if (write(fd, ids, (size_t)m * sizeof *ids) < 0 || fdatasync(fd) != 0)
                exit(1);
        }
    sample d = since(t0);
    free(ids);
    close(fd);
    return d;
}

/* ---- the spool ---------------------------------------------------------------------------- */

static pw_spool *open_spool(const char *path)
{
    pw_spool_opts o = {.path = path, .commit_interval_ms = 0};
    pw_spool *s = NULL;
    pw_err err = {0};
    if (pw_spool_open(&o, &s, &err) != PW_OK) {
        fprintf(stderr, "bench_spool: %s\n", err.msg);
        exit(1);
    }
    return s;
}

static sample spool_put(pw_spool *s, long n, long group)
{
    pw_spool_put_item *items = calloc((size_t)group * 2, sizeof *items);
    char(*ids)[48] = calloc((size_t)group, sizeof *ids);
    sample t0 = now_sample();
    for (long i = 0; i < n;) {
        size_t m = 0;
        for (long k = 0; k < group && i < n; k++, i++) {
            event_id(ids[k], sizeof ids[k], i);
            items[m++] = (pw_spool_put_item){ids[k], "meta", META, sizeof META - 1, 0, 0};
            items[m++] = (pw_spool_put_item){ids[k], "ga4", GA4, sizeof GA4 - 1, 0, 0};
        }
        pw_err err = {0};
        if (pw_spool_put(s, items, m, &err) != PW_OK) {
            fprintf(stderr, "bench_spool: put: %s\n", err.msg);
            exit(1);
        }
    }
    sample d = since(t0);
    free(items);
    free(ids);
    return d;
}

static double lease_cpu_s, ack_cpu_s, ack_thread_s; /* of the drains, split */

static double thread_cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Lease and ack everything of one destination; returns the items acked. */
static long drain(pw_spool *s, const char *dest, long batch, long *commits)
{
    long total = 0;
    int64_t *ids = calloc((size_t)batch, sizeof *ids);
    size_t *lens = calloc((size_t)batch, sizeof *lens);
    for (;;) {
        pw_spool_item *items = NULL;
        size_t n = 0;
        sample t0 = now_sample();
        if (pw_spool_lease(s, dest, (size_t)batch, 60000, &items, &n, NULL) != PW_OK)
            exit(1);
        lease_cpu_s += since(t0).cpu_s;
        if (n == 0)
            break;
        for (size_t i = 0; i < n; i++) {
            ids[i] = items[i].id;
            lens[i] = items[i].payload_len;
        }
        t0 = now_sample();
        double th = thread_cpu_s();
        if (pw_spool_ack_sized(s, ids, lens, n, NULL) != PW_OK)
            exit(1);
        ack_thread_s += thread_cpu_s() - th;
        ack_cpu_s += since(t0).cpu_s;
        pw_spool_items_free(items, n);
        total += (long)n;
        (*commits)++;
    }
    free(ids);
    free(lens);
    return total;
}

static void print_row(const char *what, sample d, long events, long commits, sample base)
{
    double cpu_us = d.cpu_s * 1e6 / (double)events, base_us = base.cpu_s * 1e6 / (double)events;
    printf("%-28s %10.2f %10.2f %10.2f %12.2f %9.2fx\n", what, cpu_us,
           d.wall_s * 1e6 / (double)events, base_us, (double)d.syncs / (double)commits,
           base_us > 0 ? cpu_us / base_us : 0.0);
}

static void print_io(const char *what, sample d, long events)
{
    printf("%-28s %12.1f %12.1f %12.3f %12.4f\n", what, (double)d.wchar / (double)events,
           (double)d.write_bytes / (double)events, (double)d.syscw / (double)events,
           (double)d.syncs / (double)events);
}

/* ---- paced mode --------------------------------------------------------------------------- */

static int64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int64_t *paced_lat; /* per put: its start, then its latency (ns) */
static atomic_long paced_done_n, paced_failed;
static atomic_int paced_stop;

static void paced_done(void *ctx, pw_status st, const pw_err *err)
{
    (void)err;
    long i = (long)(intptr_t)ctx;
    paced_lat[i] = mono_ns() - paced_lat[i];
    if (st != PW_OK)
        atomic_fetch_add(&paced_failed, 1);
    atomic_fetch_add(&paced_done_n, 1);
}

typedef struct forwarder {
    pw_spool *s;
    const char *dest;
    long acked;
} forwarder;

static void *forward_main(void *arg)
{
    forwarder *f = arg;
    int64_t ids[128];
    for (;;) {
        pw_spool_item *items = NULL;
        size_t n = 0;
        if (pw_spool_lease(f->s, f->dest, 128, 60000, &items, &n, NULL) != PW_OK)
            exit(1);
        if (n == 0) {
            if (atomic_load(&paced_stop))
                break;
            struct timespec ts = {0, 1000000};
            nanosleep(&ts, NULL);
            continue;
        }
        for (size_t i = 0; i < n; i++)
            ids[i] = items[i].id;
        pw_spool_items_free(items, n);
        if (pw_spool_mark_sending(f->s, f->dest, ids, n, pw_spool_clock_ms(f->s), NULL) != PW_OK)
            exit(1);
        struct timespec ts = {0, 1000000}; /* the upstream's answer */
        nanosleep(&ts, NULL);
        if (pw_spool_ack(f->s, ids, n, NULL) != PW_OK)
            exit(1);
        f->acked += (long)n;
    }
    return NULL;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

static unsigned long long metric(const char *text, const char *name)
{
    unsigned long long v = 0;
    size_t len = strlen(name);
    for (const char *p = strstr(text, name); p; p = strstr(p + len, name))
        if ((p == text || p[-1] == '\n') && sscanf(p + len, " %llu", &v) == 1)
            break;
    return v;
}

static int paced(const char *dir, long rate, double seconds, int deliver)
{
    long n = (long)((double)rate * seconds);
    if (rate <= 0 || n <= 0)
        return 2;
    char path[512];
    snprintf(path, sizeof path, "%s/bench_spool_%d.db", dir, (int)getpid());
    remove_db(path);
    pw_spool_opts o = {.path = path, .commit_interval_ms = 2, .load_gather_us = 400};
    pw_spool *s = NULL;
    pw_err err = {0};
    if (pw_spool_open(&o, &s, &err) != PW_OK) {
        fprintf(stderr, "bench_spool: %s\n", err.msg);
        return 1;
    }
    paced_lat = calloc((size_t)n, sizeof *paced_lat);
    forwarder fw[2] = {{s, "meta", 0}, {s, "ga4", 0}};
    pthread_t th[2];
    if (deliver)
        for (int k = 0; k < 2; k++)
            pthread_create(&th[k], NULL, forward_main, &fw[k]);
    sample t0 = now_sample();
    int64_t start = mono_ns(), step = 1000000000 / rate;
    for (long i = 0; i < n; i++) {
        int64_t at = start + i * step;
        struct timespec ts = {at / 1000000000, at % 1000000000};
        clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
        char id[48];
        event_id(id, sizeof id, i);
        pw_spool_put_item items[2] = {{id, "meta", META, sizeof META - 1, 0, 0},
                                      {id, "ga4", GA4, sizeof GA4 - 1, 0, 0}};
        paced_lat[i] = mono_ns();
        if (pw_spool_put_async(s, items, 2, paced_done, (void *)(intptr_t)i, &err) != PW_OK) {
            fprintf(stderr, "bench_spool: put: %s\n", err.msg);
            return 1;
        }
    }
    while (atomic_load(&paced_done_n) < n) {
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
    }
    sample d = since(t0);
    atomic_store(&paced_stop, 1);
    if (deliver)
        for (int k = 0; k < 2; k++)
            pthread_join(th[k], NULL);
    pw_buf b;
    pw_buf_init(&b);
    pw_spool_metrics(s, &b);
    unsigned long long commits = metric(b.data, "phiwall_gateway_spool_commits_total");
    unsigned long long wal_syncs = metric(b.data, "phiwall_gateway_spool_wal_syncs_total");
    if (getenv("PW_SPOOL_PHASES"))
        fwrite(b.data, 1, b.len, stderr);
    pw_buf_free(&b);
    pw_spool_close(s);
    remove_db(path);
    qsort(paced_lat, (size_t)n, sizeof *paced_lat, cmp_i64);
    double q[5] = {0.50, 0.90, 0.99, 0.999, 1.0};
    printf("paced: %ld events at %ld/s (%.0f/s achieved), %s, delivery %s\n", n, rate,
           (double)n / d.wall_s, dir, deliver ? "on (lease, mark, 1 ms, ack)" : "off");
    printf("put -> durable ms: ");
    for (int k = 0; k < 5; k++) {
        long at = (long)(q[k] * (double)(n - 1));
        printf("%s%s %.3f", k ? ", " : "",
               k == 4   ? "max"
               : k == 3 ? "p99.9"
               : k == 2 ? "p99"
               : k == 1 ? "p90"
                        : "p50",
               (double)paced_lat[at] / 1e6);
    }
    printf("\ngroup commits %llu (%.3f per event), fsyncs %ld (%.3f per event; sync step %llu), "
           "failed %ld, cpu %.2f us/event\n",
           commits, (double)commits / (double)n, d.syncs, (double)d.syncs / (double)n, wal_syncs,
           atomic_load(&paced_failed), d.cpu_s * 1e6 / (double)n);
    if (deliver)
        printf("acked meta %ld, ga4 %ld\n", fw[0].acked, fw[1].acked);
    printf("reproduce: ./build/bench/bench_spool --paced %s %ld %g %d\n", dir, rate, seconds,
           deliver);
    free(paced_lat);
    return atomic_load(&paced_failed) ? 1 : 0;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--paced") == 0)
        return paced(argc > 2 ? argv[2] : "/tmp", argc > 3 ? atol(argv[3]) : 10000,
                     argc > 4 ? atof(argv[4]) : 5, argc > 5 ? atoi(argv[5]) : 0);

    const char *dir = argc > 1 ? argv[1] : "/tmp";
    long n = argc > 2 ? atol(argv[2]) : 20000;
    long group = argc > 3 ? atol(argv[3]) : 64;
    const long lease = 1000;
    if (n <= 0 || group <= 0)
        return 2;
    char path[512], raw[512];
    snprintf(path, sizeof path, "%s/bench_spool_%d.db", dir, (int)getpid());
    snprintf(raw, sizeof raw, "%s/bench_spool_%d.raw", dir, (int)getpid());
    remove_db(path);

    sample base_put = baseline_put(raw, n, group);
    pw_spool *s = open_spool(path);
    sample put = spool_put(s, n, group);
    long commits = 0, acked = 0;
    sample t0 = now_sample();
    acked += drain(s, "meta", lease, &commits);
    acked += drain(s, "ga4", lease, &commits);
    sample ack = since(t0);
    sample t_close = now_sample();
    pw_spool_stats st = {0};
    pw_spool_stats_get(s, NULL, &st, NULL);
    if (getenv("PW_SPOOL_PHASES")) { /* where the time went (the spool's /metrics histograms) */
        pw_buf b;
        pw_buf_init(&b);
        pw_spool_metrics(s, &b);
        fwrite(b.data, 1, b.len, stderr);
        pw_buf_free(&b);
    }
    pw_spool_close(s);
    sample close = since(t_close); /* the final checkpoint (what was not copied yet) */
    sample base_ack = baseline_ack(raw, n, lease);
    remove_db(path);
    unlink(raw);
    if (acked != 2 * n || st.depth != 0) {
        fprintf(stderr, "bench_spool: acked %ld of %ld items, depth %llu\n", acked, 2 * n,
                (unsigned long long)st.depth);
        return 1;
    }
    long groups = (n + group - 1) / group;
    printf("spool cost per event (2 destinations, durable commits), %s, %ld events, %ld per put\n",
           dir, n, group);
    printf("%-28s %10s %10s %10s %12s %10s\n", "phase", "cpu us/ev", "wall us/ev", "base cpu",
           "fsyncs/commit", "cpu ratio");
    print_row("put (1 commit per group)", put, n, groups, base_put);
    print_row("lease+ack, both dests", ack, n, commits, base_ack);
    printf("of which lease %.2f, ack %.2f cpu us/ev (%.2f in the acking thread)\n",
           lease_cpu_s * 1e6 / (double)n, ack_cpu_s * 1e6 / (double)n,
           ack_thread_s * 1e6 / (double)n);
    printf("\n%-28s %12s %12s %12s %12s\n", "writes per event", "write() B", "disk B",
           "write calls", "fsyncs");
    print_io("put", put, n);
    print_io("lease+ack, both dests", ack, n);
    print_io("close (last checkpoint)", close, n);
    sample all = {0,
                  0,
                  put.syncs + ack.syncs + close.syncs,
                  put.wchar + ack.wchar + close.wchar,
                  put.syscw + ack.syscw + close.syscw,
                  put.write_bytes + ack.write_bytes + close.write_bytes};
    print_io("spool, all of the above", all, n);
    print_io("baseline put", base_put, n);
    printf("(/proc/self/io, every thread of the process: the checkpointer's copies land in the\n"
           " phase they ran in; disk B is pages dirtied, 0 on tmpfs; a WAL frame is 2 writes)\n");
    printf("baseline: the same bytes appended + fdatasync per group / per ack batch of %ld\n",
           lease);
    printf("reproduce: ./build/bench/bench_spool %s %ld %ld\n", dir, n, group);
    return 0;
}
