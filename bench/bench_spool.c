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
 *
 * The other writers on the spool's disk (paced mode; does the WAL's fdatasync wait for them?):
 *   --paced DIR RATE SECONDS DELIVER audit   each put goes through the gateway's committer
 *       (gw_commit.c) with an audit log in DIR: per event an "accepted" and two "queued" records
 *       (~2 KB, as the gateway's ingest writes them), appended after each group commit and
 *       fdatasync'd every 100 ms, as the gateway does. PW_BENCH_AUDIT_DIR=/dev/shm puts the log
 *       elsewhere: the same CPU work with no audit writeback on the spool's disk (the control).
 *   --paced DIR RATE SECONDS DELIVER raw:N   a plain appender thread instead: N bytes per
 *       completed event written every 1 ms to a file in DIR, fdatasync'd every 100 ms (no
 *       gateway code: the disk's behaviour alone).
 * The checkpointer (pw-ckpt) runs in every paced run, as in the gateway. Every paced run also
 * times each fsync/fdatasync with the file it was for (the interposed calls below) and splits the
 * WAL's syncs (one per group commit) by what else synced while they ran: nothing else of the
 * process, the database file (the checkpointer's copies), or the audit log / raw:N file.
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "audit.h"
#include "gw_commit.h"
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

/* Paced mode: every sync's file and interval, to tell whether a commit's WAL sync ran while
 * the checkpointer's sync of the database file or the audit log's sync was in progress. */
enum { SYNC_WAL, SYNC_DB, SYNC_AUDIT, SYNC_OTHER, SYNC_KINDS };
static const char *const sync_kind_names[SYNC_KINDS] = {"spool WAL", "spool db file",
                                                        "audit log (or raw:N)", "other"};
typedef struct sync_rec {
    int kind;
    int64_t t0, t1;
} sync_rec;
#define SYNC_LOG_MAX 400000
static sync_rec *sync_log;
static atomic_long sync_log_n;

static int64_t clock_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int sync_kind(int fd)
{
    char link[64], target[600];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, target, sizeof target - 1);
    if (n <= 0)
        return SYNC_OTHER;
    target[n] = '\0';
    size_t len = (size_t)n;
    if (len > 4 && strcmp(target + len - 4, "-wal") == 0)
        return SYNC_WAL;
    if (len > 3 && strcmp(target + len - 3, ".db") == 0)
        return SYNC_DB;
    if ((len > 6 && strcmp(target + len - 6, ".audit") == 0) ||
        (len > 4 && strcmp(target + len - 4, ".raw") == 0))
        return SYNC_AUDIT;
    return SYNC_OTHER;
}

static int logged_sync(long nr, int fd)
{
    atomic_fetch_add(&n_syncs, 1);
    sync_delay();
    if (!sync_log)
        return (int)syscall(nr, fd);
    int kind = sync_kind(fd);
    int64_t t0 = clock_ns();
    int rc = (int)syscall(nr, fd);
    long i = atomic_fetch_add(&sync_log_n, 1);
    if (i < SYNC_LOG_MAX)
        sync_log[i] = (sync_rec){kind, t0, clock_ns()};
    return rc;
}

int fsync(int fd)
{
    return logged_sync(SYS_fsync, fd);
}

int fdatasync(int fd)
{
    return logged_sync(SYS_fdatasync, fd);
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

static void paced_committed(void *ctx, pw_status spool_st, pw_status audit_st,
                            pw_gw_commit_dups dups)
{
    (void)audit_st;
    (void)dups;
    paced_done(ctx, spool_st, NULL);
}

/* What the gateway's ingest hands the committer for one event (gw_ingest.c audit_event): an
 * "accepted" record, then "queued" per destination with the fields map that allowed it. */
typedef struct paced_event {
    char id[48];
    pw_spool_put_item items[2];
    pw_audit_record recs[3];
} paced_event;

static const char FIELDS_META[] =
    "{\"action_source\":\"allow: meta standard fields\",\"custom_data.page_category\":\"allow: "
    "page category (taxonomy)\",\"event_name\":\"allow: taxonomy name\",\"event_source_url\":"
    "\"allow: origin only (path stripped)\",\"event_time\":\"allow: meta standard fields\","
    "\"user_data.em\":\"allow: hashed identifier (sha256)\",\"user_data.client_ip_address\":"
    "\"drop: network identifier\",\"user_data.client_user_agent\":\"allow: meta standard "
    "fields\"}";
static const char FIELDS_GA4[] =
    "{\"client_id\":\"allow: pseudonymous id\",\"events[0].name\":\"allow: taxonomy name\","
    "\"events[0].params.engagement_time_msec\":\"allow: ga4 standard params\",\"events[0]."
    "params.page_category\":\"allow: page category (taxonomy)\",\"events[0].params."
    "session_id\":\"allow: ga4 standard params\",\"events[0].params.page_location\":\"allow: "
    "origin only (path stripped)\",\"user_properties\":\"drop: not in the allow list\"}";

static void paced_event_fill(paced_event *e, long i, int64_t now_ms)
{
    event_id(e->id, sizeof e->id, i);
    e->items[0] = (pw_spool_put_item){e->id, "meta", META, sizeof META - 1, 0, 0};
    e->items[1] = (pw_spool_put_item){e->id, "ga4", GA4, sizeof GA4 - 1, 0, 0};
    e->recs[0] = (pw_audit_record){.time_ms = now_ms,
                                   .event_id = e->id,
                                   .event_name = "schedule",
                                   .action = PW_AUDIT_ACCEPTED,
                                   .rule = "ingest: valid event"};
    e->recs[1] = (pw_audit_record){.time_ms = now_ms,
                                   .event_id = e->id,
                                   .event_name = "schedule",
                                   .destination = "meta",
                                   .action = PW_AUDIT_QUEUED,
                                   .rule = "meta: allow scheduling events (taxonomy only)",
                                   .fields_json = FIELDS_META};
    e->recs[2] = e->recs[1];
    e->recs[2].destination = "ga4";
    e->recs[2].rule = "ga4: allow scheduling events (taxonomy only)";
    e->recs[2].fields_json = FIELDS_GA4;
}

/* raw:N — a plain appender: N bytes per completed event every 1 ms, fdatasync every 100 ms. */
typedef struct raw_appender {
    int fd;
    long bytes_per_event;
    long long written, syncs;
    double sync_ms_max;
} raw_appender;

static void *raw_main(void *arg)
{
    raw_appender *r = arg;
    long seen = 0;
    char *buf = NULL;
    size_t cap = 0;
    int64_t last_sync = mono_ns();
    while (!atomic_load(&paced_stop)) {
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
        long now_done = atomic_load(&paced_done_n);
        size_t len = (size_t)(now_done - seen) * (size_t)r->bytes_per_event;
        seen = now_done;
        if (len > cap) {
            free(buf);
            cap = len * 2;
            buf = malloc(cap);
            if (!buf)
                exit(1);
            memset(buf, 'a', cap);
        }
        if (len && write(r->fd, buf, len) != (ssize_t)len)
            exit(1);
        r->written += (long long)len;
        int64_t t = mono_ns();
        if (t - last_sync >= 100000000) {
            if (fdatasync(r->fd) != 0)
                exit(1);
            double took = (double)(mono_ns() - t) / 1e6;
            r->sync_ms_max = took > r->sync_ms_max ? took : r->sync_ms_max;
            r->syncs++;
            last_sync = mono_ns();
        }
    }
    free(buf);
    return NULL;
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

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void print_syncs(const char *what, double *ms, long n)
{
    if (n == 0) {
        printf("  %-44s %6ld\n", what, n);
        return;
    }
    qsort(ms, (size_t)n, sizeof *ms, cmp_double);
    printf("  %-44s %6ld   p50 %6.2f  p90 %6.2f  p99 %6.2f  max %6.2f ms\n", what, n, ms[n / 2],
           ms[n * 9 / 10], ms[n * 99 / 100], ms[n - 1]);
}

/* The WAL's syncs (each commit's) split by what else was syncing when they ran: the database
 * file (the checkpointer's copies), the audit log, or nothing else of this process. */
static void print_sync_overlap(void)
{
    long n = atomic_load(&sync_log_n);
    n = n < SYNC_LOG_MAX ? n : SYNC_LOG_MAX;
    size_t bytes = ((size_t)n + 1) * sizeof(double);
    double *alone = malloc(bytes), *with_db = malloc(bytes), *with_audit = malloc(bytes);
    if (!alone || !with_db || !with_audit)
        exit(1);
    long n_alone = 0, n_db = 0, n_audit = 0, count[SYNC_KINDS] = {0};
    double others_ms[SYNC_KINDS] = {0}, others_max[SYNC_KINDS] = {0};
    for (long i = 0; i < n; i++) {
        const sync_rec *r = &sync_log[i];
        double ms = (double)(r->t1 - r->t0) / 1e6;
        count[r->kind]++;
        others_ms[r->kind] += ms;
        others_max[r->kind] = ms > others_max[r->kind] ? ms : others_max[r->kind];
        if (r->kind != SYNC_WAL)
            continue;
        int db = 0, audit = 0;
        for (long k = 0; k < n; k++) {
            const sync_rec *o = &sync_log[k];
            if (o->kind == SYNC_WAL || o->kind == SYNC_OTHER || o->t1 <= r->t0 || o->t0 >= r->t1)
                continue;
            db |= o->kind == SYNC_DB;
            audit |= o->kind == SYNC_AUDIT;
        }
        if (db)
            with_db[n_db++] = ms;
        else if (audit)
            with_audit[n_audit++] = ms;
        else
            alone[n_alone++] = ms;
    }
    printf("syncs by file: ");
    for (int k = 0; k < SYNC_KINDS; k++)
        printf("%s%s %ld (mean %.2f, max %.2f ms)", k ? ", " : "", sync_kind_names[k], count[k],
               count[k] ? others_ms[k] / (double)count[k] : 0.0, others_max[k]);
    printf("\nthe WAL's syncs (one per group commit), by what else synced meanwhile:\n");
    print_syncs("nothing else", alone, n_alone);
    print_syncs("the db file's (checkpointer)", with_db, n_db);
    print_syncs("the audit log's or raw:N's (not the db file's)", with_audit, n_audit);
    free(alone);
    free(with_db);
    free(with_audit);
}

/* The other writer of a paced run: none, the gateway's committer with its audit log, or raw. */
typedef struct other_writer {
    const char *mode; /* "none", "audit" or "raw:N" */
    char path[600];
    pw_audit *audit;
    pw_gw_committer *committer;
    paced_event *events;
    raw_appender raw;
    pthread_t raw_thread;
} other_writer;

static int other_start(other_writer *o, const char *dir, pw_spool *s, long n)
{
    if (strcmp(o->mode, "audit") == 0) {
        const char *adir = getenv("PW_BENCH_AUDIT_DIR");
        snprintf(o->path, sizeof o->path, "%s/bench_spool_%d.audit", adir && adir[0] ? adir : dir,
                 (int)getpid());
        unlink(o->path);
        pw_err err = {0};
        o->events = calloc((size_t)n, sizeof *o->events);
        if (!o->events || pw_audit_open(o->path, &o->audit, &err) != PW_OK ||
            pw_gw_committer_new(s, o->audit, NULL, NULL, &o->committer, &err) != PW_OK) {
            fprintf(stderr, "bench_spool: audit: %s\n", err.msg);
            return 0;
        }
        return 1;
    }
    if (strncmp(o->mode, "raw:", 4) == 0) {
        snprintf(o->path, sizeof o->path, "%s/bench_spool_%d.raw", dir, (int)getpid());
        o->raw.bytes_per_event = atol(o->mode + 4);
        o->raw.fd = open(o->path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0600);
        return o->raw.fd >= 0 && o->raw.bytes_per_event > 0 &&
               pthread_create(&o->raw_thread, NULL, raw_main, &o->raw) == 0;
    }
    return strcmp(o->mode, "none") == 0;
}

/* Put event i: straight into the spool, or through the committer as the gateway does. */
static pw_status paced_put(other_writer *o, pw_spool *s, long i, pw_err *err)
{
    if (o->committer) {
        paced_event *e = &o->events[i];
        paced_event_fill(e, i, (int64_t)time(NULL) * 1000);
        pw_gw_prepared pr = {.items = e->items,
                             .n_items = 2,
                             .recs = e->recs,
                             .n_recs = 3,
                             .n_events = 1,
                             .n_accepted = 1};
        return pw_gw_commit_submit(o->committer, &pr, paced_committed, (void *)(intptr_t)i, err);
    }
    char id[48];
    event_id(id, sizeof id, i);
    pw_spool_put_item items[2] = {{id, "meta", META, sizeof META - 1, 0, 0},
                                  {id, "ga4", GA4, sizeof GA4 - 1, 0, 0}};
    return pw_spool_put_async(s, items, 2, paced_done, (void *)(intptr_t)i, err);
}

/* Stops the other writer (the committer's last audit sync included) and says what it wrote. */
static void other_stop(other_writer *o, long n)
{
    if (o->committer) {
        pw_gw_committer_free(o->committer);
        struct stat st;
        long long size = stat(o->path, &st) == 0 ? (long long)st.st_size : 0;
        pw_audit_close(o->audit);
        printf("other writer: the committer's audit log %s, %.0f bytes per event\n", o->path,
               (double)size / (double)n);
        unlink(o->path);
        free(o->events);
    } else if (o->raw.fd > 0) {
        pthread_join(o->raw_thread, NULL);
        close(o->raw.fd);
        printf("other writer: raw appender %s, %ld bytes per event, %.0f bytes, %lld fdatasyncs "
               "(slowest %.2f ms)\n",
               o->path, o->raw.bytes_per_event, (double)o->raw.written, o->raw.syncs,
               o->raw.sync_ms_max);
        unlink(o->path);
    } else {
        printf("other writer: none\n");
    }
}

static int paced(const char *dir, long rate, double seconds, int deliver, const char *other)
{
    long n = (long)((double)rate * seconds);
    if (rate <= 0 || n <= 0)
        return 2;
    other_writer ow = {.mode = other};
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
    sync_log = calloc(SYNC_LOG_MAX, sizeof *sync_log);
    if (!other_start(&ow, dir, s, n)) {
        fprintf(stderr, "bench_spool: other writer '%s': none, audit or raw:BYTES\n", other);
        return 2;
    }
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
        paced_lat[i] = mono_ns();
        if (paced_put(&ow, s, i, &err) != PW_OK) {
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
    other_stop(&ow, n);
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
    print_sync_overlap();
    printf("reproduce: ./build/bench/bench_spool --paced %s %ld %g %d %s\n", dir, rate, seconds,
           deliver, other);
    free(paced_lat);
    return atomic_load(&paced_failed) ? 1 : 0;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--paced") == 0)
        return paced(argc > 2 ? argv[2] : "/tmp", argc > 3 ? atol(argv[3]) : 10000,
                     argc > 4 ? atof(argv[4]) : 5, argc > 5 ? atoi(argv[5]) : 0,
                     argc > 6 ? argv[6] : "none");

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
