/*
 * test_gw_audit_restore.c — ingest records kept in the spool at a stop (audit_hold.h) are
 * appended to the audit log exactly once, even if the gateway is killed (kill -9) after the
 * restore appended them and before it deleted them from the spool: the old code appended them a
 * second time at the next start (the chain valid, the records twice).
 *
 * TEST-ONLY fault injection: this executable defines fdatasync, which the linker takes for the
 * audit code's calls instead of libc's. On the audit log's file (by inode) it can kill the
 * process right after a successful sync (`kill_after`: the crash point) or fail once with EIO
 * (`fail_audit`); any other file (the spool's) is synced as usual, but for the first sync after
 * such a good one when `fail_spool` asks it (EIO: the restore's delete from the spool fails).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "audit.h"
#include "audit_hold.h"
#include "audit_internal.h"
#include "gw_commit.h"
#include "gw_test_db.h"
#include "gw_time.h"
#include "pw_test.h"
#include "spool.h"

static ino_t audit_ino;
static int kill_after, fail_audit;
static int fail_spool; /* 1: the spool's first sync after the log's next good one fails once */
/* every sync of the log fails once it holds this (set by the test, read on pw-audit) */
static _Atomic(const char *) fail_once_in;

/* Whether the log (fd) holds s. */
static int log_holds(int fd, const char *s)
{
    char buf[16384];
    ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
    if (n <= 0)
        return 0;
    buf[n] = '\0';
    return strstr(buf, s) != NULL;
}

static int is_audit(int fd)
{
    struct stat st;
    return audit_ino && fstat(fd, &st) == 0 && st.st_ino == audit_ino;
}

int fdatasync(int fd)
{
    if (is_audit(fd) && fail_once_in && log_holds(fd, fail_once_in)) {
        errno = EIO;
        return -1;
    }
    if (is_audit(fd) && fail_audit) {
        fail_audit = 0;
        errno = EIO;
        return -1;
    }
    if (!is_audit(fd) && fail_spool == 2) {
        fail_spool = 0;
        errno = EIO;
        return -1;
    }
    int rc = (int)syscall(SYS_fdatasync, fd);
    if (rc == 0 && is_audit(fd) && kill_after)
        raise(SIGKILL); /* the records are durable; the spool still holds them */
    if (rc == 0 && is_audit(fd) && fail_spool == 1)
        fail_spool = 2; /* the spool's next sync: the delete of the appended records */
    return rc;
}

typedef struct paths {
    char spool[256], audit[256];
} paths;

static void setup(paths *p, const char *tag)
{
    gw_test_db_path(p->spool, sizeof p->spool, "gw_audit_restore", tag);
    snprintf(p->audit, sizeof p->audit, "/tmp/gw_audit_restore_%s_%d.log", tag, (int)getpid());
    unlink(p->audit);
}

static void teardown(const paths *p)
{
    gw_test_db_remove(p->spool);
    unlink(p->audit);
    audit_ino = 0;
}

static void open_both(const paths *p, pw_spool **s, pw_audit **a)
{
    pw_spool_opts so = {.path = p->spool, .commit_interval_ms = 0};
    CHECK_INT(pw_spool_open(&so, s, NULL), PW_OK);
    CHECK_INT(pw_audit_open(p->audit, a, NULL), PW_OK);
    struct stat st;
    CHECK(stat(p->audit, &st) == 0);
    audit_ino = st.st_ino;
}

static void close_both(pw_spool *s, pw_audit *a)
{
    pw_audit_close(a);
    pw_spool_close(s);
}

static pw_audit_record rec(const char *id, pw_audit_action action)
{
    return (pw_audit_record){.time_ms = 1795000000000LL,
                             .event_id = id,
                             .event_name = "Lead",
                             .destination = action == PW_AUDIT_QUEUED ? "meta" : NULL,
                             .action = action,
                             .rule = "ingest: valid event",
                             .fields_json =
                                 action == PW_AUDIT_QUEUED ? "{\"value\":\"allow\"}" : NULL};
}

/* A log with one record, and two ingest records kept in the spool (as a stop leaves them). */
static void prepare(const paths *p)
{
    pw_spool *s = NULL;
    pw_audit *a = NULL;
    open_both(p, &s, &a);
    pw_audit_record before = rec("ev-before", PW_AUDIT_ACCEPTED);
    CHECK_INT(pw_audit_append(a, &before, NULL), PW_OK);
    pw_audit_record held[2] = {rec("ev-held", PW_AUDIT_ACCEPTED), rec("ev-held", PW_AUDIT_QUEUED)};
    CHECK_INT(pw_audit_hold_in_spool(s, held, 2, NULL), PW_OK);
    close_both(s, a);
}

/* prepare(), then both opened. */
static void prepare_open(const paths *p, pw_spool **s, pw_audit **a)
{
    prepare(p);
    open_both(p, s, a);
}

/* Restore in a child killed at the crash point: after the append's sync, before the delete. */
static void restore_killed(const paths *p)
{
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        pw_spool *s = NULL;
        pw_audit *a = NULL;
        open_both(p, &s, &a);
        kill_after = 1;
        size_t n = 0;
        pw_audit_restore_from_spool(s, a, &n, NULL);
        _exit(3); /* not reached: killed in the append's fdatasync */
    }
    int status = 0;
    CHECK(waitpid(pid, &status, 0) == pid);
    CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
}

typedef struct trail {
    char actions[256];
} trail;

static int collect(const pw_audit_entry *en, void *ctx)
{
    trail *t = ctx;
    size_t len = strlen(t->actions);
    snprintf(t->actions + len, sizeof t->actions - len, "%s%s:%s", len ? " " : "", en->event_id,
             en->action);
    return 0;
}

static int log_holds_path(const char *path, const char *s)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    int found = fd >= 0 && log_holds(fd, s);
    if (fd >= 0)
        close(fd);
    return found;
}

static void check_log(const paths *p, const char *want, uint64_t records)
{
    trail t = {{0}};
    pw_err err = {0};
    CHECK_INT(pw_audit_list_file(p->audit, NULL, collect, &t, &err), PW_OK);
    CHECK_STR(t.actions, want);
    pw_audit_verify_result vr;
    CHECK_INT(pw_audit_verify_file(p->audit, &vr, &err), PW_OK);
    CHECK_INT(vr.records, records);
}

static size_t held_count(pw_spool *s)
{
    char **lines = NULL;
    size_t n = 0;
    CHECK_INT(pw_spool_held_lines(s, &lines, &n, NULL), PW_OK);
    pw_spool_names_free(lines, n);
    return n;
}

/* Restart after the crash: nothing appended again, the spool emptied. */
static void restart(const paths *p, size_t want_written)
{
    pw_spool *s = NULL;
    pw_audit *a = NULL;
    open_both(p, &s, &a);
    size_t n = 99;
    CHECK_INT(pw_audit_restore_from_spool(s, a, &n, NULL), PW_OK);
    CHECK_INT(n, want_written);
    CHECK_INT(held_count(s), 0);
    CHECK_INT(pw_audit_restore_from_spool(s, a, &n, NULL), PW_OK);
    CHECK_INT(n, 0);
    close_both(s, a);
}

static void test_killed_after_append_is_not_appended_again(void)
{
    paths p;
    setup(&p, "killed");
    prepare(&p);
    restore_killed(&p);
    check_log(&p, "ev-before:accepted ev-held:accepted ev-held:queued", 3);
    restart(&p, 0);
    check_log(&p, "ev-before:accepted ev-held:accepted ev-held:queued", 3);
    teardown(&p);
}

/* The crash took the tail of the restore's write (a power loss: only the first record reached
 * the disk whole, the torn rest is cut at open): the missing record is appended, once. */
static void test_killed_with_a_torn_append_appends_the_rest(void)
{
    paths p;
    setup(&p, "torn");
    prepare(&p);
    restore_killed(&p);
    struct stat st;
    CHECK(stat(p.audit, &st) == 0);
    CHECK(truncate(p.audit, st.st_size - 40) == 0); /* the last record, torn */
    restart(&p, 1);
    check_log(&p, "ev-before:accepted ev-held:accepted ev-held:queued", 3);
    teardown(&p);
}

/* A restore whose append failed (the log's sync failed: nothing of it stays in the log) and a
 * gateway that ran on and appended other records: the next start appends the kept records, not
 * fooled by the records that follow where the first restore began. */
static void test_failed_restore_then_other_records_appends_all(void)
{
    paths p;
    setup(&p, "failed");
    pw_spool *s = NULL;
    pw_audit *a = NULL;
    prepare_open(&p, &s, &a);
    fail_audit = 1;
    size_t n = 0;
    CHECK_INT(pw_audit_restore_from_spool(s, a, &n, NULL), PW_ERR_IO);
    pw_audit_record other[2] = {rec("ev-other", PW_AUDIT_ACCEPTED),
                                rec("ev-other", PW_AUDIT_QUEUED)};
    CHECK_INT(pw_audit_append_batch(a, other, 2, NULL), PW_OK);
    close_both(s, a);
    check_log(&p, "ev-before:accepted ev-other:accepted ev-other:queued", 3);
    restart(&p, 2);
    check_log(&p,
              "ev-before:accepted ev-other:accepted ev-other:queued ev-held:accepted "
              "ev-held:queued",
              5);
    teardown(&p);
}

/* Records a failed sync cut that the log could not write back before a stop (ingest records
 * appended without a sync: audit.h) are kept in the spool as the log wrote them and restored,
 * re-chained, at the next start. */
static void test_cut_records_kept_at_a_stop_are_restored(void)
{
    paths p;
    setup(&p, "cut");
    pw_spool *s = NULL;
    pw_audit *a = NULL;
    open_both(&p, &s, &a);
    pw_audit_record before = rec("ev-before", PW_AUDIT_ACCEPTED);
    CHECK_INT(pw_audit_append(a, &before, NULL), PW_OK);
    pw_audit_record q[2] = {rec("ev-q", PW_AUDIT_ACCEPTED), rec("ev-q", PW_AUDIT_QUEUED)};
    CHECK_INT(pw_audit_append_nosync(a, q, 2, NULL), PW_OK);
    fail_audit = 1;
    CHECK_INT(pw_audit_sync(a, NULL), PW_ERR_IO); /* cut; the log keeps them */
    size_t n = 0;
    CHECK_INT(pw_audit_hold_cut(s, a, &n, NULL), PW_OK);
    CHECK_INT(n, 2);
    CHECK_INT(held_count(s), 2);
    close_both(s, a);
    check_log(&p, "ev-before:accepted", 1);
    restart(&p, 2);
    check_log(&p, "ev-before:accepted ev-q:accepted ev-q:queued", 3);
    teardown(&p);
}

/* Held lines a newer phiwall may write (a kind of line, an action, a record member this one
 * does not know) are neither appended nor deleted: the restore fails naming the line and keeps
 * every line, the records of known kinds with them (the order of the held records is kept). The
 * old code skipped such a line and deleted it with the others: lost. */
static void test_unknown_kinds_are_kept_not_dropped(void)
{
    static const char *const unknown[] = {
        "{\"z\":{\"seq\":1}}",                                                /* a kind of line */
        "{\"t\":1795000000000,\"a\":99,\"h\":0,\"e\":\"ev-new\"}",            /* an action */
        "{\"t\":1795000000000,\"a\":0,\"h\":0,\"e\":\"ev-new\",\"k\":\"x\"}", /* a member */
        "not json",
    };
    for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
        paths p;
        setup(&p, "unknown");
        pw_spool *s = NULL;
        pw_audit *a = NULL;
        prepare_open(&p, &s, &a); /* one record in the log, two held */
        CHECK_INT(pw_spool_hold_lines(s, &unknown[i], 1, NULL), PW_OK);
        size_t n = 99;
        pw_err err = {0};
        CHECK_INT(pw_audit_restore_from_spool(s, a, &n, &err), PW_ERR_UNSUPPORTED);
        CHECK_INT(n, 0);
        CHECK(strstr(err.msg, "held_audit line 3: ") != NULL);
        CHECK(strstr(err.msg, "every line kept") != NULL);
        CHECK_INT(held_count(s), 3);
        close_both(s, a);
        check_log(&p, "ev-before:accepted", 1);
        teardown(&p);
    }
}

/* The middles (what a record says, apart from its place in the chain) of the log's lines from
 * the first-th (from 1), one per line, into out. */
static void log_middles(const char *path, size_t first, char *out, size_t cap)
{
    char buf[16384];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    CHECK(fd >= 0);
    ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
    close(fd);
    CHECK(n > 0);
    buf[n > 0 ? n : 0] = '\0';
    out[0] = '\0';
    size_t lineno = 1, len = 0;
    for (char *at = buf, *nl; (nl = strchr(at, '\n')); at = nl + 1, lineno++) {
        const char *mid;
        size_t mid_len;
        if (lineno < first || !pw_audit_line_middle(at, (size_t)(nl - at), &mid, &mid_len))
            continue;
        CHECK(len + mid_len + 2 < cap);
        memcpy(out + len, mid, mid_len);
        len += mid_len;
        out[len++] = '\n';
        out[len] = '\0';
    }
}

/* Records a failed sync cut are held as records (the kind an older phiwall, which knows no
 * {"l":…} line, restores: it skipped and deleted those), each giving back the very line the log
 * wrote (escapes, a fields object); one whose line would not come back the same (a time before
 * 1970) is held as the log's line. Restored, the log says what it said before the cut. The old
 * code held every one as {"l":…}. */
static void test_cut_records_are_held_as_records(void)
{
    paths p;
    setup(&p, "asrec");
    pw_spool *s = NULL;
    pw_audit *a = NULL;
    open_both(&p, &s, &a);
    pw_audit_record before = rec("ev-before", PW_AUDIT_ACCEPTED);
    CHECK_INT(pw_audit_append(a, &before, NULL), PW_OK);
    pw_audit_record q[3] = {rec("ev-q", PW_AUDIT_ACCEPTED), rec("ev-q", PW_AUDIT_QUEUED),
                            rec("ev-old", PW_AUDIT_DROPPED)};
    q[0].detail = "a \"quoted\" d\xc3\xa9tail\twith \\ escapes";
    q[1].fields_json = "{\"value\": \"allow\", \"em\":[\"hashed\" ,1]}";
    q[1].http_status = 202;
    q[2].time_ms = -1500;
    CHECK_INT(pw_audit_append_nosync(a, q, 3, NULL), PW_OK);
    char want[4096], got[4096];
    log_middles(p.audit, 2, want, sizeof want);
    fail_audit = 1;
    CHECK_INT(pw_audit_sync(a, NULL), PW_ERR_IO);
    size_t n = 0;
    CHECK_INT(pw_audit_hold_cut(s, a, &n, NULL), PW_OK);
    CHECK_INT(n, 3);
    char **lines = NULL;
    size_t held = 0;
    CHECK_INT(pw_spool_held_lines(s, &lines, &held, NULL), PW_OK);
    CHECK_INT(held, 3);
    for (size_t i = 0; i < held && i < 2; i++)
        CHECK(strncmp(lines[i], "{\"t\":", 5) == 0);
    CHECK(held == 3 && strncmp(lines[2], "{\"l\":", 5) == 0);
    pw_spool_names_free(lines, held);
    close_both(s, a);
    restart(&p, 3);
    check_log(&p, "ev-before:accepted ev-q:accepted ev-q:queued ev-old:dropped", 4);
    log_middles(p.audit, 2, got, sizeof got);
    CHECK_STR(got, want);
    teardown(&p);
}

/* The restore appended the held records, then deleting them from the spool failed: the error
 * says they were appended and will not be again (the mark kept before the append), *written
 * counts them, and the next restore appends nothing. The old error said only what the spool
 * said, and the gateway logged it as "could not be appended; kept for the next start". */
static void test_delete_failed_after_append_says_appended(void)
{
    paths p;
    setup(&p, "delfail");
    pw_spool *s = NULL;
    pw_audit *a = NULL;
    prepare_open(&p, &s, &a);
    fail_spool = 1;
    size_t n = 0;
    pw_err err = {0};
    CHECK(pw_audit_restore_from_spool(s, a, &n, &err) != PW_OK);
    fail_spool = 0;
    CHECK_INT(n, 2);
    CHECK(strstr(err.msg, "2 record(s) appended to the audit log, but deleting them from the "
                          "spool failed (not appended again: ") != NULL);
    close_both(s, a);
    check_log(&p, "ev-before:accepted ev-held:accepted ev-held:queued", 3);
    restart(&p, 0);
    check_log(&p, "ev-before:accepted ev-held:accepted ev-held:queued", 3);
    teardown(&p);
}

static atomic_int answered;

static void on_done(void *ctx, pw_status spool_st, pw_status audit_st, pw_gw_commit_dups dups)
{
    (void)ctx;
    (void)audit_st;
    (void)dups;
    CHECK_INT(spool_st, PW_OK);
    atomic_fetch_add(&answered, 1);
}

static void submit(pw_gw_committer *c, const char *id, int64_t now)
{
    const char *payload = "{\"event_name\":\"Lead\"}";
    pw_spool_put_item item = {id, "meta", payload, strlen(payload), now, 0};
    pw_audit_record recs[2] = {rec(id, PW_AUDIT_ACCEPTED), rec(id, PW_AUDIT_QUEUED)};
    pw_gw_prepared pr = {
        .items = &item, .n_items = 1, .recs = recs, .n_recs = 2, .n_events = 1, .n_accepted = 1};
    int before = atomic_load(&answered);
    CHECK_INT(pw_gw_commit_submit(c, &pr, on_done, NULL, NULL), PW_OK);
    for (int64_t until = pw_gw_mono_ms() + 30000;
         atomic_load(&answered) == before && pw_gw_mono_ms() < until;)
        usleep(1000);
}

/* Through the committer: ingest records written, then every sync of the log fails until the
 * stop (for fail_ms). The committer's syncs cut them; the stop keeps them in the spool and the
 * next start appends them, once. pause_ms before the second event: at 0 its batch comes within
 * the committer's sync interval (synced later, when quiet); after a pause the batch's own sync
 * fails. The old code logged them lost at the stop; and after a pause it held the jobs as well as
 * keeping their records in the log, appending them again at every retry (21 copies a second). */
static void committer_cut_records(const char *name, int pause_ms, int fail_ms)
{
    paths p;
    setup(&p, name);
    pw_spool *s = NULL;
    pw_audit *a = NULL;
    open_both(&p, &s, &a);
    pw_gw_committer *c = NULL;
    CHECK_INT(pw_gw_committer_new(s, a, NULL, NULL, &c, NULL), PW_OK);
    int64_t now = pw_gw_now_ms();
    submit(c, "ev-first", now); /* the first batch is synced at once */
    for (int64_t until = pw_gw_mono_ms() + 30000;
         pw_gw_mono_ms() < until && !log_holds_path(p.audit, "ev-first");)
        usleep(1000);
    usleep((useconds_t)pause_ms * 1000);
    fail_once_in = "ev-second";  /* from its write on, the log's syncs fail */
    submit(c, "ev-second", now); /* answered: written (after a pause, its sync failed too) */
    for (int64_t until = pw_gw_mono_ms() + 30000;
         !pause_ms && pw_gw_mono_ms() < until && !log_holds_path(p.audit, "ev-second");)
        usleep(1000);
    usleep((useconds_t)fail_ms * 1000); /* the committer retries meanwhile */
    pw_gw_committer_free(c);            /* the stop: its sync fails, the records are cut */
    fail_once_in = NULL;
    CHECK_INT(held_count(s), 2);
    close_both(s, a);
    check_log(&p, "ev-first:accepted ev-first:queued", 2);
    restart(&p, 2);
    check_log(&p, "ev-first:accepted ev-first:queued ev-second:accepted ev-second:queued", 4);
    teardown(&p);
}

static void test_committer_keeps_cut_records_at_a_stop(void)
{
    committer_cut_records("commit", 0, 0);
}

static void test_committer_failed_batch_sync_appends_once(void)
{
    committer_cut_records("commit-sync", 300, 1500);
}

PW_TEST_MAIN(PW_TEST(test_killed_after_append_is_not_appended_again),
             PW_TEST(test_killed_with_a_torn_append_appends_the_rest),
             PW_TEST(test_failed_restore_then_other_records_appends_all),
             PW_TEST(test_cut_records_kept_at_a_stop_are_restored),
             PW_TEST(test_committer_keeps_cut_records_at_a_stop),
             PW_TEST(test_committer_failed_batch_sync_appends_once),
             PW_TEST(test_unknown_kinds_are_kept_not_dropped),
             PW_TEST(test_cut_records_are_held_as_records),
             PW_TEST(test_delete_failed_after_append_says_appended))
