/*
 * test_gw_spool_rofs.c — the whole gateway when the file system of its spool and audit log turns
 * read-only mid-run (ext4's errors=remount-ro after an I/O error, an emergency remount), then
 * writable again: new events get 503 with a JSON error (never a 2xx that is not durable), a send
 * under way when it happens stops cleanly, /healthz (503) and /metrics say why, naming the
 * read-only file system, and everything recovers by itself once the file system is writable: the
 * events are taken again, the queue drains, the audit chain verifies.
 *
 * Both live on a tmpfs of the test's own (a private mount namespace). A real `mount -o
 * remount,ro` of it is refused while the gateway holds its files open for writing (EBUSY: only
 * the kernel itself remounts a file system read-only under open writers), which the first case
 * checks. So the read-only state is injected where the kernel would report it: TEST-ONLY, this
 * executable defines write, pwrite, pwrite64, fdatasync, fsync and ftruncate, which the linker
 * takes for the gateway's and SQLite's calls instead of libc's; while `ro` is set they fail with
 * EROFS for regular files on the tmpfs, as every write to a read-only file system does. Reads
 * are untouched. Skipped (exit 77) where mounting a tmpfs is not permitted.
 */
#include "gw_test_tmpfs.h" /* first: unshare before any thread */

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../mock/mock_upstream.c"
#include "audit.h"
#include "gw_test_hook.h"
#include "gw_test_server.h"
#include "gw_time.h"
#include "pw_test.h"

static gw_tmpfs fs;
static gw_test_dir td;
static atomic_int ro;
static atomic_ullong fs_dev;
static atomic_int refused_writes;

/* A write to fd that a read-only tmpfs would refuse now. */
static int refused(int fd)
{
    struct stat st;
    if (!atomic_load(&ro) || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
        (unsigned long long)st.st_dev != atomic_load(&fs_dev))
        return 0;
    atomic_fetch_add(&refused_writes, 1);
    errno = EROFS;
    return 1;
}

ssize_t write(int fd, const void *b, size_t n)
{
    return refused(fd) ? -1 : (ssize_t)syscall(SYS_write, fd, b, n);
}

ssize_t pwrite(int fd, const void *b, size_t n, off_t off)
{
    return refused(fd) ? -1 : (ssize_t)syscall(SYS_pwrite64, fd, b, n, off);
}

ssize_t pwrite64(int fd, const void *b, size_t n, off_t off)
{
    return refused(fd) ? -1 : (ssize_t)syscall(SYS_pwrite64, fd, b, n, off);
}

int fdatasync(int fd)
{
    return refused(fd) ? -1 : (int)syscall(SYS_fdatasync, fd);
}

int fsync(int fd)
{
    return refused(fd) ? -1 : (int)syscall(SYS_fsync, fd);
}

int ftruncate(int fd, off_t len)
{
    return refused(fd) ? -1 : (int)syscall(SYS_ftruncate, fd, len);
}

/* Why the read-only state is injected: the kernel refuses to remount a file system read-only
 * while a file on it is open for writing (as the spool and the audit log always are). */
static void test_remount_ro_refused_under_open_writers(void)
{
    char path[128];
    snprintf(path, sizeof path, "%s/open.tmp", fs.dir);
    int fd = open(path, O_WRONLY | O_CREAT, 0600);
    CHECK(fd >= 0);
    int r = mount(NULL, fs.dir, NULL, MS_REMOUNT | MS_RDONLY, "size=4096k,mode=0700");
    if (r == 0) { /* a kernel that allows it: put it back, the injected case still runs */
        fprintf(stderr, "note: remount read-only succeeded under an open writer\n");
        mount(NULL, fs.dir, NULL, MS_REMOUNT, "size=4096k,mode=0700");
    } else
        CHECK_INT(errno, EBUSY);
    close(fd);
    unlink(path);
}

#define EVENT                                                                                    \
    "{\"event_id\":\"44444444-4444-4444-8444-0000000000%02d\",\"name\":\"appointment_request\"," \
    "\"time\":%lld,\"page_url\":\"https://www.example-hospital.org/a\","                         \
    "\"consent\":{\"ads\":true,\"analytics\":true},\"params\":{\"value\":1}}"

static long post(unsigned port, int i, char *reply, size_t cap)
{
    char body[1024];
    snprintf(body, sizeof body, EVENT, i, (long long)pw_gw_now_ms());
    return gw_test_request(port, "/e", body, reply, cap);
}

static int mock_got(mock_upstream *m, int i)
{
    char id[48];
    snprintf(id, sizeof id, "44444444-4444-4444-8444-0000000000%02d", i);
    for (size_t k = 0; k < mock_upstream_count(m); k++)
        if (mock_upstream_request(m, k)->body && strstr(mock_upstream_request(m, k)->body, id))
            return 1;
    return 0;
}

static void test_read_only_mid_run(void)
{
    CHECK(gw_test_dir_make(&td, "rofs"));
    snprintf(td.spool, sizeof td.spool, "%s/spool.db", fs.dir);
    snprintf(td.audit, sizeof td.audit, "%s/audit.log", fs.dir);
    struct stat st;
    CHECK(stat(fs.dir, &st) == 0);
    atomic_store(&fs_dev, (unsigned long long)st.st_dev);
    mock_upstream *m = mock_upstream_start();
    pw_gw_server *s = gw_test_hook_server(&td, m, "/hook");
    CHECK(s != NULL);
    if (!s)
        return;
    unsigned port = pw_gw_server_port(s);
    static char reply[1 << 18];

    CHECK_INT(post(port, 1, reply, sizeof reply), 200);
    CHECK(mock_upstream_wait(m, 1, 20000));

    /* Event 2 is being sent (the upstream holds its answer) when the file system turns
     * read-only: its outcome cannot be written. The answer is held until then, not for a
     * fixed time: on a loaded machine this thread once woke after the answer came and the
     * outcome was written, so delivery never paused. */
    mock_reply held = {.status = 200, .held = 1};
    mock_upstream_script(m, &held);
    CHECK_INT(post(port, 2, reply, sizeof reply), 200);
    CHECK(mock_upstream_wait(m, 2, 20000));
    atomic_store(&ro, 1);

    /* New events: 503 with a JSON error, nothing answered 2xx while nothing can be made
     * durable. */
    long status = post(port, 3, reply, sizeof reply);
    CHECK_INT(status, 503);
    CHECK(reply[0] == '{' && strstr(reply, "\"error\"") != NULL);
    if (status != 503)
        fprintf(stderr, "event 3 while read-only: %ld %s\n", status, reply);
    for (int i = 4; i <= 6; i++)
        CHECK_INT(post(port, i, reply, sizeof reply), 503);

    /* /healthz and /metrics say why, naming the read-only file system: the spool refused the
     * put, or the audit log the records of the events before (then nothing is put). Once event
     * 2's answer is back, its outcome cannot be written: delivery pauses and says so. */
    mock_upstream_release(m);
    int64_t until = pw_gw_mono_ms() + 15000;
    long hz;
    do {
        usleep(50 * 1000);
        hz = gw_test_request(port, "/healthz", NULL, reply, sizeof reply);
    } while (!(hz == 503 && strstr(reply, "Read-only file system") &&
               strstr(reply, "delivery: hook paused (")) &&
             pw_gw_mono_ms() < until);
    fprintf(stderr, "healthz while read-only: %s\n", reply);
    CHECK_INT(hz, 503);
    CHECK(strstr(reply, "spool: cannot be written (") ||
          strstr(reply, "audit: the audit log cannot be written ("));
    CHECK(strstr(reply, "Read-only file system") != NULL);
    CHECK(strstr(reply, "delivery: hook paused (") != NULL);
    CHECK_INT(gw_test_request(port, "/metrics", NULL, reply, sizeof reply), 200);
    CHECK(strstr(reply, "phiwall_gateway_spool_write_failing 1") ||
          strstr(reply, "phiwall_gateway_audit_failing 1"));
    CHECK(atomic_load(&refused_writes) > 0);

    /* Writable again: events are taken again, without a restart. */
    atomic_store(&ro, 0);
    until = pw_gw_mono_ms() + 30000;
    int i = 7;
    while ((status = post(port, i, reply, sizeof reply)) != 200 && pw_gw_mono_ms() < until) {
        usleep(100 * 1000);
        i++;
    }
    CHECK_INT(status, 200);
    /* the queue drains (event 2 and the first event taken again) and /healthz is ok again */
    until = pw_gw_mono_ms() + 60000;
    while (!(mock_got(m, 2) && mock_got(m, i) &&
             gw_test_request(port, "/healthz", NULL, reply, sizeof reply) == 200) &&
           pw_gw_mono_ms() < until)
        usleep(50 * 1000);
    CHECK(mock_got(m, i));
    CHECK_INT(gw_test_request(port, "/healthz", NULL, reply, sizeof reply), 200);
    if (!strstr(reply, "\"ok\""))
        fprintf(stderr, "healthz after recovery: %s\n", reply);
    for (int k = 3; k <= 6; k++) /* refused events were never spooled, so never sent */
        CHECK(!mock_got(m, k));
    pw_gw_server_stop(s);
    mock_upstream_stop(m);

    /* The chain verifies, and every event answered 200 has its accepted record. */
    pw_audit_verify_result vr;
    pw_err err = {0};
    CHECK_INT(pw_audit_verify_file(td.audit, &vr, &err), PW_OK);
    if (err.msg[0])
        fprintf(stderr, "verify: %s\n", err.msg);
    CHECK(gw_test_file_count(td.audit, "\"action\":\"accepted\"") >= 3);
    CHECK(gw_test_dir_remove(&td));
}

GW_TMPFS_MAIN(fs, 4096, PW_TEST(test_remount_ro_refused_under_open_writers),
              PW_TEST(test_read_only_mid_run))
