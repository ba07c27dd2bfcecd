/*
 * test_gw_forward_audit_held.c — what /healthz says when a forwarder cannot record a delivery
 * outcome in the audit log: the destination, that its delivery is held (nothing sent or
 * acknowledged) until the audit log can be written, the audit file, and the OS's reason. Until
 * 1 December 2026 it said only "delivery: hook paused (audit log not writable)", and the
 * operator had to find which file and why in the log.
 *
 * The webhook takes one event; the first write of its "sent" record to the audit file fails
 * with ENOSPC, and every write to that file after it until the test lets them through, as on a
 * full disk: the forwarder pauses. TEST-ONLY: this executable defines write, pwrite, pwrite64,
 * fdatasync and fsync, which the linker takes for the gateway's calls instead of libc's; they
 * fail for the audit file alone (its device and inode). Keyed to the record, not to a moment:
 * no race with the forwarder. Once writes succeed again the record is written, /healthz is 200.
 */
#include <errno.h>
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

static atomic_int armed, full;
static atomic_ullong audit_dev, audit_ino;

/* A write of b[0..n) (NULL: a sync) to fd that the full disk refuses now: once armed, from the
 * first write to the audit file that holds a "sent" record on, until `full` is cleared. */
static int refused(int fd, const void *b, size_t n)
{
    struct stat st;
    if ((!atomic_load(&armed) && !atomic_load(&full)) || fstat(fd, &st) != 0 ||
        !S_ISREG(st.st_mode) || (unsigned long long)st.st_dev != atomic_load(&audit_dev) ||
        (unsigned long long)st.st_ino != atomic_load(&audit_ino))
        return 0;
    if (!atomic_load(&full)) {
        static const char sent[] = "\"action\":\"sent\"";
        if (!b || !memmem(b, n, sent, sizeof sent - 1))
            return 0;
        atomic_store(&full, 1);
        atomic_store(&armed, 0);
    }
    errno = ENOSPC;
    return 1;
}

ssize_t write(int fd, const void *b, size_t n)
{
    return refused(fd, b, n) ? -1 : (ssize_t)syscall(SYS_write, fd, b, n);
}

ssize_t pwrite(int fd, const void *b, size_t n, off_t off)
{
    return refused(fd, b, n) ? -1 : (ssize_t)syscall(SYS_pwrite64, fd, b, n, off);
}

ssize_t pwrite64(int fd, const void *b, size_t n, off_t off)
{
    return refused(fd, b, n) ? -1 : (ssize_t)syscall(SYS_pwrite64, fd, b, n, off);
}

int fdatasync(int fd)
{
    return refused(fd, NULL, 0) ? -1 : (int)syscall(SYS_fdatasync, fd);
}

int fsync(int fd)
{
    return refused(fd, NULL, 0) ? -1 : (int)syscall(SYS_fsync, fd);
}

static char reply[1 << 18];

/* The /healthz reason that starts with `start` (up to its closing quote), or NULL. */
static const char *reason(const char *start, char *out, size_t cap)
{
    const char *p = strstr(reply, start);
    if (!p)
        return NULL;
    size_t n = strcspn(p, "\"");
    if (n >= cap)
        n = cap - 1;
    memcpy(out, p, n);
    out[n] = '\0';
    return out;
}

/* GET /healthz until its status is want and (needle non-NULL) a reason starts with it. */
static int wait_health(unsigned port, long want, const char *needle)
{
    char r[1024];
    int64_t until = pw_gw_mono_ms() + 60000;
    do {
        long status = gw_test_request(port, "/healthz", NULL, reply, sizeof reply);
        if (status == want && (!needle || reason(needle, r, sizeof r)))
            return 1;
        usleep(20000);
    } while (pw_gw_mono_ms() < until);
    return 0;
}

static void test_held_names_the_audit_file_and_why(void)
{
    gw_test_dir td;
    CHECK(gw_test_dir_make(&td, "auditheld"));
    mock_upstream *m = mock_upstream_start();
    pw_gw_server *s = gw_test_hook_server(&td, m, "/hook");
    CHECK(s != NULL);
    if (!s)
        return;
    unsigned port = pw_gw_server_port(s);
    struct stat st;
    CHECK(stat(td.audit, &st) == 0);
    atomic_store(&audit_dev, (unsigned long long)st.st_dev);
    atomic_store(&audit_ino, (unsigned long long)st.st_ino);

    atomic_store(&armed, 1);
    char body[1024], r[1024];
    snprintf(body, sizeof body,
             "{\"events\":[{\"event_id\":\"55555555-5555-4555-8555-000000000001\",\"name\":"
             "\"appointment_request\",\"time\":%lld,\"page_url\":"
             "\"https://www.example-hospital.org/a\",\"consent\":{\"ads\":true,\"analytics\":"
             "true},\"params\":{\"value\":1}}]}",
             (long long)pw_gw_now_ms());
    CHECK_INT(gw_test_request(port, "/e", body, reply, sizeof reply), 200);
    CHECK(mock_upstream_wait(m, 1, 60000));

    CHECK(wait_health(port, 503, "delivery: hook paused (audit log not writable)"));
    const char *held = reason("delivery: hook paused", r, sizeof r);
    CHECK(held != NULL);
    char want[512];
    snprintf(want, sizeof want,
             "delivery to hook is held until the audit log %s can be written; nothing is sent "
             "to it or acknowledged meanwhile",
             td.audit);
    CHECK(held && strstr(held, want));
    CHECK(held && strstr(held, "No space left on device"));
    if (held && (!strstr(held, want) || !strstr(held, "No space left on device")))
        fprintf(stderr, "healthz reason: %s\n", held);
    CHECK_INT(gw_test_file_count(td.audit, "\"action\":\"sent\""), 0);

    atomic_store(&full, 0);
    CHECK(wait_health(port, 200, NULL));
    pw_gw_server_stop(s);
    CHECK_INT(gw_test_file_count(td.audit, "\"action\":\"sent\""), 1);
    CHECK_INT(mock_upstream_count(m), 1);
    mock_upstream_stop(m);
    CHECK(gw_test_dir_remove(&td));
}

PW_TEST_MAIN(PW_TEST(test_held_names_the_audit_file_and_why))
