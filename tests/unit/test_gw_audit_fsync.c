/*
 * test_gw_audit_fsync.c — a failed fdatasync of the audit log (fsyncgate). Linux reports a
 * writeback error once: the next fdatasync returns 0 although the records it failed to write
 * may never reach the disk. So a failed sync must not be "retried until it succeeds": the
 * records written since the last good sync are cut from the log (their appenders are told and
 * append them again), and the chain on disk then ends with records known to be durable.
 *
 * TEST-ONLY fault injection: this executable defines fdatasync, which the linker takes for the
 * audit code's calls instead of libc's; it fails the next `fail_next` calls with EIO.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "audit.h"
#include "audit_internal.h"
#include "pw_test.h"

static atomic_int fail_next, block_next, block_ok, calls;
static pthread_mutex_t hook_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t hook_cv = PTHREAD_COND_INITIALIZER;
static int hook_entered, hook_release;

int fdatasync(int fd)
{
    atomic_fetch_add(&calls, 1);
    if (atomic_exchange(&block_next, 0)) { /* a slow sync that then fails */
        pthread_mutex_lock(&hook_mu);
        hook_entered = 1;
        pthread_cond_broadcast(&hook_cv);
        while (!hook_release)
            pthread_cond_wait(&hook_cv, &hook_mu);
        hook_entered = hook_release = 0;
        pthread_mutex_unlock(&hook_mu);
        if (atomic_exchange(&block_ok, 0))
            return (int)syscall(SYS_fdatasync, fd);
        errno = EIO;
        return -1;
    }
    if (atomic_load(&fail_next) > 0) {
        atomic_fetch_sub(&fail_next, 1);
        errno = EIO;
        return -1;
    }
    return (int)syscall(SYS_fdatasync, fd);
}

static atomic_int fail_fsync;

int fsync(int fd)
{
    if (atomic_load(&fail_fsync) > 0) {
        atomic_fetch_sub(&fail_fsync, 1);
        errno = EIO;
        return -1;
    }
    return (int)syscall(SYS_fsync, fd);
}

static pw_audit_record rec(const char *id)
{
    return (pw_audit_record){.time_ms = 1795000000000LL,
                             .event_id = id,
                             .event_name = "Lead",
                             .destination = "meta",
                             .action = PW_AUDIT_SENT,
                             .rule = "meta.allow.Lead",
                             .http_status = 200};
}

static size_t count_of(const char *path, const char *needle)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    char line[4096];
    size_t n = 0;
    while (fgets(line, sizeof line, f))
        n += strstr(line, needle) != NULL;
    fclose(f);
    return n;
}

static void temp_path(char *out, size_t cap, const char *tag)
{
    snprintf(out, cap, "/tmp/pw_audit_fsync_%s_%d.log", tag, (int)getpid());
    unlink(out);
}

/* A synced append whose fdatasync fails is reported failed, and retrying it (what the forwarders
 * and the ingest audit thread do) writes its record once: the old code left the first copy in
 * the log (the write had succeeded) and the retry added a second one, and a later sync that
 * returned 0 cleared the failure as if the lost writeback had happened. */
static void test_failed_sync_cuts_unsynced_records(void)
{
    char path[256];
    temp_path(path, sizeof path, "cut");
    pw_audit *a = NULL;
    CHECK_INT(pw_audit_open(path, &a, NULL), PW_OK);
    pw_audit_record r1 = rec("ev-durable");
    CHECK_INT(pw_audit_append(a, &r1, NULL), PW_OK);

    pw_audit_record r2 = rec("ev-retried");
    atomic_store(&fail_next, 1);
    pw_err err = {0};
    CHECK_INT(pw_audit_append(a, &r2, &err), PW_ERR_IO);
    CHECK(strstr(err.msg, "fdatasync") != NULL);
    CHECK(pw_audit_failing(a));
    CHECK_INT(count_of(path, "ev-retried"), 0); /* cut: not in the log as if durable */

    CHECK_INT(pw_audit_append(a, &r2, NULL), PW_OK); /* the appender's retry */
    CHECK(!pw_audit_failing(a));
    pw_audit_close(a);

    CHECK_INT(count_of(path, "ev-durable"), 1);
    CHECK_INT(count_of(path, "ev-retried"), 1);
    pw_audit_verify_result res;
    CHECK_INT(pw_audit_verify_file(path, &res, &err), PW_OK);
    CHECK_INT(res.records, 2);
    unlink(path);
}

/* Records appended without a sync (the ingest audit thread: their requests were answered
 * already) and then cut by a failed sync are not lost: the log keeps them until they are durable
 * and writes them again, chained onto the last durable record, before anything else (the old
 * code cut them and only logged them lost). The next sync succeeds (as Linux's does after
 * reporting the error): it makes the cut and the rewritten records durable in one. */
static void test_nosync_records_cut_are_written_again(void)
{
    char path[256];
    temp_path(path, sizeof path, "nosync");
    pw_audit *a = NULL;
    CHECK_INT(pw_audit_open(path, &a, NULL), PW_OK);
    pw_audit_record r1 = rec("ev-one");
    CHECK_INT(pw_audit_append(a, &r1, NULL), PW_OK);
    pw_audit_record r2[2] = {rec("ev-two"), rec("ev-three")};
    CHECK_INT(pw_audit_append_nosync(a, r2, 2, NULL), PW_OK);
    atomic_store(&fail_next, 1);
    CHECK_INT(pw_audit_sync(a, NULL), PW_ERR_IO);
    CHECK(pw_audit_failing(a));
    CHECK_INT(count_of(path, "ev-two"), 0); /* cut: not in the log as if durable */
    int before = atomic_load(&calls);
    CHECK_INT(pw_audit_probe(a, NULL), PW_OK);
    CHECK_INT(atomic_load(&calls), before + 1);
    CHECK(!pw_audit_failing(a));
    CHECK_INT(count_of(path, "ev-two"), 1);
    CHECK_INT(count_of(path, "ev-three"), 1);
    pw_audit_record r4 = rec("ev-four");
    CHECK_INT(pw_audit_append(a, &r4, NULL), PW_OK);
    pw_audit_close(a);

    pw_audit_verify_result res;
    pw_err err = {0};
    CHECK_INT(pw_audit_verify_file(path, &res, &err), PW_OK);
    CHECK_INT(res.records, 4); /* ev-one, ev-two, ev-three, ev-four: seq 1..4 */
    CHECK_INT(pw_audit_open(path, &a, NULL), PW_OK);
    pw_audit_record r5 = rec("ev-five");
    CHECK_INT(pw_audit_append(a, &r5, NULL), PW_OK);
    pw_audit_close(a);
    CHECK_INT(pw_audit_verify_file(path, &res, &err), PW_OK);
    CHECK_INT(res.records, 5);
    unlink(path);
}

typedef struct trail {
    char ids[256];
} trail;

static int collect_ids(const pw_audit_entry *en, void *ctx)
{
    trail *t = ctx;
    size_t len = strlen(t->ids);
    snprintf(t->ids + len, sizeof t->ids - len, "%s%s", len ? " " : "", en->event_id);
    return 0;
}

/* Ingest records cut by another appender's failed sync (a forwarder's): the ingest side is not
 * even told. They are written again first by the next write of anyone — here the forwarder's
 * retry — so they stay ahead of the outcomes written after them, as the ticket gate ordered
 * them. A sync that fails again keeps them for the next try. The old code lost them silently. */
static void test_nosync_records_cut_by_another_sync_come_back_first(void)
{
    char path[256];
    temp_path(path, sizeof path, "other");
    pw_audit *a = NULL;
    CHECK_INT(pw_audit_open(path, &a, NULL), PW_OK);
    pw_audit_record q[2] = {rec("ev-q1"), rec("ev-q2")};
    q[0].action = q[1].action = PW_AUDIT_QUEUED;
    CHECK_INT(pw_audit_append_nosync(a, q, 2, NULL), PW_OK);
    pw_audit_record s1 = rec("ev-s1");
    atomic_store(&fail_next, 1);
    CHECK_INT(pw_audit_append(a, &s1, NULL), PW_ERR_IO);
    CHECK_INT(count_of(path, "ev-q1"), 0);
    atomic_store(&fail_next, 1); /* the retry's sync fails too: still kept */
    CHECK_INT(pw_audit_append(a, &s1, NULL), PW_ERR_IO);
    CHECK_INT(pw_audit_append(a, &s1, NULL), PW_OK);
    pw_audit_close(a);
    trail t = {{0}};
    pw_err err = {0};
    CHECK_INT(pw_audit_list_file(path, NULL, collect_ids, &t, &err), PW_OK);
    CHECK_STR(t.ids, "ev-q1 ev-q2 ev-s1");
    unlink(path);
}

/* Kept records are dropped once a sync covered them: a later cut does not bring them back. */
static void test_nosync_records_synced_are_not_written_again(void)
{
    char path[256];
    temp_path(path, sizeof path, "kept");
    pw_audit *a = NULL;
    CHECK_INT(pw_audit_open(path, &a, NULL), PW_OK);
    pw_audit_record q = rec("ev-q");
    CHECK_INT(pw_audit_append_nosync(a, &q, 1, NULL), PW_OK);
    CHECK_INT(pw_audit_sync(a, NULL), PW_OK);
    pw_audit_record q2 = rec("ev-q2");
    CHECK_INT(pw_audit_append_nosync(a, &q2, 1, NULL), PW_OK);
    atomic_store(&fail_next, 1);
    CHECK_INT(pw_audit_sync(a, NULL), PW_ERR_IO);
    CHECK_INT(pw_audit_sync(a, NULL), PW_OK);
    pw_audit_close(a);
    trail t = {{0}};
    pw_err err = {0};
    CHECK_INT(pw_audit_list_file(path, NULL, collect_ids, &t, &err), PW_OK);
    CHECK_STR(t.ids, "ev-q ev-q2");
    unlink(path);
}

/* An appender whose record was written while another thread's sync was failing must not be
 * told its record is durable: the cut took it (the sync it then runs succeeds, and on the old
 * code covered only the records left, so it returned PW_OK for a record no longer in the log). */
static void *failing_syncer(void *arg)
{
    pw_audit *a = arg;
    return (void *)(intptr_t)pw_audit_sync(a, NULL);
}

typedef struct appender {
    pw_audit *a;
    pw_status st;
} appender;

static void *late_appender(void *arg)
{
    appender *ap = arg;
    pw_audit_record r = rec("ev-late");
    ap->st = pw_audit_append(ap->a, &r, NULL);
    return NULL;
}

static void test_waiter_of_cut_record_fails(void)
{
    char path[256];
    temp_path(path, sizeof path, "waiter");
    pw_audit *a = NULL;
    CHECK_INT(pw_audit_open(path, &a, NULL), PW_OK);
    pw_audit_record r1 = rec("ev-early");
    CHECK_INT(pw_audit_append_nosync(a, &r1, 1, NULL), PW_OK);
    atomic_store(&block_next, 1); /* the next fdatasync waits for hook_release, then fails */
    pthread_t syncer, late;
    CHECK(pthread_create(&syncer, NULL, failing_syncer, a) == 0);
    pthread_mutex_lock(&hook_mu);
    while (!hook_entered)
        pthread_cond_wait(&hook_cv, &hook_mu);
    pthread_mutex_unlock(&hook_mu);
    appender ap = {a, PW_OK};
    CHECK(pthread_create(&late, NULL, late_appender, &ap) == 0);
    while (count_of(path, "ev-late") == 0) /* written; its sync waits for the failing one */
        usleep(1000);
    pthread_mutex_lock(&hook_mu);
    hook_release = 1;
    pthread_cond_broadcast(&hook_cv);
    pthread_mutex_unlock(&hook_mu);
    void *sst = NULL;
    pthread_join(syncer, &sst);
    pthread_join(late, NULL);
    CHECK_INT((pw_status)(intptr_t)sst, PW_ERR_IO);
    CHECK(ap.st != PW_OK);                   /* told: it appends again */
    CHECK_INT(count_of(path, "ev-late"), 0); /* and it is not in the log meanwhile */
    pw_audit_close(a);
    CHECK_INT(count_of(path, "ev-early"), 1); /* kept by the log, written back at the latest on
                                                 closing (the old code lost it) */
    pw_audit_verify_result res;
    pw_err err = {0};
    CHECK_INT(pw_audit_verify_file(path, &res, &err), PW_OK);
    unlink(path);
}

static void hook_wait_entered(void)
{
    pthread_mutex_lock(&hook_mu);
    while (!hook_entered)
        pthread_cond_wait(&hook_cv, &hook_mu);
    pthread_mutex_unlock(&hook_mu);
}

static void hook_let_go(void)
{
    pthread_mutex_lock(&hook_mu);
    hook_release = 1;
    pthread_cond_broadcast(&hook_cv);
    pthread_mutex_unlock(&hook_mu);
}

/* A sync covers the kept records written before it began, not those written while it ran: a
 * later failed sync cuts only those, and only those come back (the first not twice). */
static void test_kept_records_written_during_a_sync_stay_kept(void)
{
    char path[256];
    temp_path(path, sizeof path, "during");
    pw_audit *a = NULL;
    CHECK_INT(pw_audit_open(path, &a, NULL), PW_OK);
    pw_audit_record q1 = rec("ev-q1"), q2 = rec("ev-q2");
    CHECK_INT(pw_audit_append_nosync(a, &q1, 1, NULL), PW_OK);
    atomic_store(&block_ok, 1);
    atomic_store(&block_next, 1); /* the sync waits in fdatasync, then succeeds */
    pthread_t syncer;
    CHECK(pthread_create(&syncer, NULL, failing_syncer, a) == 0);
    hook_wait_entered();
    CHECK_INT(pw_audit_append_nosync(a, &q2, 1, NULL), PW_OK); /* after its start */
    hook_let_go();
    void *sst = NULL;
    pthread_join(syncer, &sst);
    CHECK_INT((pw_status)(intptr_t)sst, PW_OK);
    atomic_store(&fail_next, 1);
    CHECK_INT(pw_audit_sync(a, NULL), PW_ERR_IO); /* cuts ev-q2 only */
    CHECK_INT(count_of(path, "ev-q1"), 1);
    CHECK_INT(count_of(path, "ev-q2"), 0);
    CHECK_INT(pw_audit_sync(a, NULL), PW_OK);
    pw_audit_close(a);
    CHECK_INT(count_of(path, "ev-q1"), 1);
    CHECK_INT(count_of(path, "ev-q2"), 1);
    pw_audit_verify_result res;
    pw_err err = {0};
    CHECK_INT(pw_audit_verify_file(path, &res, &err), PW_OK);
    CHECK_INT(res.records, 2);
    unlink(path);
}

/* The interleaving of three appenders, written out with the two halves of a synced append
 * (pw_audit_write, pw_audit_wait_durable): A writes its record; B appends, and B's sync makes
 * A's record durable too; C appends and C's sync fails, which cuts C's record; only then does
 * A come to wait. A's record is durable (the cut went back to the last durable record, B's):
 * A is told so. The old code told A its record was cut (a cut had happened since it wrote),
 * and A's retry wrote its record a second time. */
static void test_record_synced_before_a_cut_is_not_appended_again(void)
{
    char path[256];
    temp_path(path, sizeof path, "dup");
    pw_audit *a = NULL;
    CHECK_INT(pw_audit_open(path, &a, NULL), PW_OK);
    pw_audit_record ra = rec("ev-a"), rb = rec("ev-b"), rc = rec("ev-c");
    pw_audit_ticket ta;
    CHECK_INT(pw_audit_write(a, &ra, 1, &ta, NULL), PW_OK);
    CHECK_INT(pw_audit_append(a, &rb, NULL), PW_OK);
    atomic_store(&fail_next, 1);
    CHECK_INT(pw_audit_append(a, &rc, NULL), PW_ERR_IO);
    pw_err err = {0};
    CHECK_INT(pw_audit_wait_durable(a, &ta, &err), PW_OK);
    CHECK_INT(pw_audit_append(a, &rc, NULL), PW_OK); /* C's retry */
    pw_audit_close(a);
    CHECK_INT(count_of(path, "ev-a"), 1);
    CHECK_INT(count_of(path, "ev-b"), 1);
    CHECK_INT(count_of(path, "ev-c"), 1);
    pw_audit_verify_result res;
    CHECK_INT(pw_audit_verify_file(path, &res, &err), PW_OK);
    CHECK_INT(res.records, 3);
    unlink(path);
}

/* The other side of it: A writes, B's sync fails before any sync covered A's record, and a
 * later successful sync (C's) must not make A think its record is durable — it was cut, even
 * though the log's synced seq is past A's seq again by the time A waits. */
static void test_record_cut_before_its_sync_is_told_even_after_later_syncs(void)
{
    char path[256];
    temp_path(path, sizeof path, "cutthen");
    pw_audit *a = NULL;
    CHECK_INT(pw_audit_open(path, &a, NULL), PW_OK);
    pw_audit_record r0 = rec("ev-zero"), ra = rec("ev-a"), rb = rec("ev-b"), rc = rec("ev-c");
    CHECK_INT(pw_audit_append(a, &r0, NULL), PW_OK);
    pw_audit_ticket ta;
    CHECK_INT(pw_audit_write(a, &ra, 1, &ta, NULL), PW_OK);
    atomic_store(&fail_next, 1);
    CHECK_INT(pw_audit_append(a, &rb, NULL), PW_ERR_IO); /* cuts A's record and B's */
    CHECK_INT(pw_audit_append(a, &rb, NULL), PW_OK);     /* B's retry */
    CHECK_INT(pw_audit_append(a, &rc, NULL), PW_OK);     /* synced seq is 3 now, past A's 2 */
    pw_err err = {0};
    CHECK_INT(pw_audit_wait_durable(a, &ta, &err), PW_ERR_IO);
    CHECK(strstr(err.msg, "cut") != NULL);
    CHECK_INT(count_of(path, "ev-a"), 0);
    CHECK_INT(pw_audit_append(a, &ra, NULL), PW_OK); /* A's retry */
    pw_audit_close(a);
    CHECK_INT(count_of(path, "ev-a"), 1);
    pw_audit_verify_result res;
    CHECK_INT(pw_audit_verify_file(path, &res, &err), PW_OK);
    CHECK_INT(res.records, 4);
    unlink(path);
}

/* A new log whose directory entry cannot be synced is not opened: after a power loss the file
 * could be gone with every record synced into it (the old code ignored the directory's fsync). */
static void test_new_log_needs_its_directory_synced(void)
{
    char path[256];
    temp_path(path, sizeof path, "dir");
    pw_audit *a = NULL;
    pw_err err = {0};
    atomic_store(&fail_fsync, 1);
    CHECK_INT(pw_audit_open(path, &a, &err), PW_ERR_IO);
    atomic_store(&fail_fsync, 0);
    CHECK(a == NULL);
    CHECK(access(path, F_OK) != 0); /* not left behind: the next open creates and syncs it */
    if (a)
        pw_audit_close(a);
    CHECK_INT(pw_audit_open(path, &a, &err), PW_OK);
    pw_audit_close(a);
    unlink(path);
}

PW_TEST_MAIN(PW_TEST(test_new_log_needs_its_directory_synced),
             PW_TEST(test_failed_sync_cuts_unsynced_records),
             PW_TEST(test_nosync_records_cut_are_written_again),
             PW_TEST(test_nosync_records_cut_by_another_sync_come_back_first),
             PW_TEST(test_nosync_records_synced_are_not_written_again),
             PW_TEST(test_waiter_of_cut_record_fails),
             PW_TEST(test_record_synced_before_a_cut_is_not_appended_again),
             PW_TEST(test_kept_records_written_during_a_sync_stay_kept),
             PW_TEST(test_record_cut_before_its_sync_is_told_even_after_later_syncs))
