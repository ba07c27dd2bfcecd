/*
 * test_gw_http_resume_stop.c — the daemon outlives every MHD_resume_connection call. A POST /e
 * is suspended for its commit and resumed by the committer's thread (on_committed). Inside
 * MHD_resume_connection, libmicrohttpd flags the connection and only then writes to the
 * daemon's inter-thread channel (an eventfd) to wake its HTTP thread. An HTTP thread woken by
 * other traffic in between answers the request, pw_gw_http_stop sees nothing in flight, and
 * MHD_stop_daemon closed the channel and freed the daemon while the committer was still inside
 * the call (its write to a closed or reused descriptor, then its log through the freed daemon).
 *
 * TEST-ONLY widening of that instant, not a timing assertion: this executable defines write();
 * the first 8-byte write to an eventfd by the committer's threads once armed (the resume's
 * wake: MHD_itc_activate_) waits until the request has been answered and the gateway asked to
 * stop (or 2 s at most), then checks that the eventfd is still open: `late` counts the writes
 * whose eventfd the stop had closed meanwhile. GET /healthz on new connections keeps the HTTP
 * threads waking meanwhile, so the resume is seen without the channel's wake.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../mock/mock_upstream.c"
#include "gw_test_hook.h"
#include "gw_test_server.h"
#include "gw_time.h"
#include "pw_test.h"

#define ROUNDS 3

static pthread_t main_thread;
static atomic_int armed, answered, widenings, late;

static int is_eventfd(int fd)
{
    char p[64], target[64];
    snprintf(p, sizeof p, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(p, target, sizeof target - 1);
    if (n < 0)
        return 0;
    target[n] = '\0';
    return strcmp(target, "anon_inode:[eventfd]") == 0;
}

/* The committer's resume: its threads ("pw-spool" runs on_committed, "pw-audit" may), never
 * the test's or libmicrohttpd's own ("MHD-…"), and only the first such write once armed. */
static int widened(int fd, size_t n)
{
    if (n != 8 || !atomic_load(&armed) || pthread_equal(pthread_self(), main_thread))
        return 0;
    char name[16] = "";
    pthread_getname_np(pthread_self(), name, sizeof name);
    if ((strcmp(name, "pw-audit") != 0 && strcmp(name, "pw-spool") != 0) || !is_eventfd(fd))
        return 0;
    return atomic_exchange(&armed, 0);
}

ssize_t write(int fd, const void *b, size_t n)
{
    if (widened(fd, n)) {
        atomic_fetch_add(&widenings, 1);
        for (int i = 0; i < 2000 && !atomic_load(&answered); i++)
            usleep(1000);
        usleep(200000); /* the stop, if it does not wait for this call */
        if (!is_eventfd(fd))
            atomic_fetch_add(&late, 1);
    }
    return (ssize_t)syscall(SYS_write, fd, b, n);
}

static atomic_int hammering;
static unsigned hammer_port;

static void *hammer(void *arg)
{
    (void)arg;
    char reply[4096];
    while (atomic_load(&hammering))
        gw_test_request(hammer_port, "/healthz", NULL, reply, sizeof reply);
    return NULL;
}

static void test_stop_waits_for_resume_calls(void)
{
    main_thread = pthread_self();
    for (int round = 0; round < ROUNDS; round++) {
        gw_test_dir td;
        CHECK(gw_test_dir_make(&td, "resumestop"));
        mock_upstream *m = mock_upstream_start();
        pw_gw_server *s = gw_test_hook_server(&td, m, "/hook");
        CHECK(s != NULL);
        if (!s)
            return;
        hammer_port = pw_gw_server_port(s);
        atomic_store(&hammering, 1);
        pthread_t t;
        CHECK(pthread_create(&t, NULL, hammer, NULL) == 0);
        char body[1024], reply[4096];
        snprintf(body, sizeof body,
                 "{\"events\":[{\"event_id\":\"66666666-6666-4666-8666-0000000000%02d\",\"name\":"
                 "\"appointment_request\",\"time\":%lld,\"page_url\":"
                 "\"https://www.example-hospital.org/a\",\"consent\":{\"ads\":true,"
                 "\"analytics\":true},\"params\":{\"value\":1}}]}",
                 round, (long long)pw_gw_now_ms());
        atomic_store(&answered, 0);
        atomic_store(&armed, 1);
        CHECK_INT(gw_test_request(hammer_port, "/e", body, reply, sizeof reply), 200);
        atomic_store(&hammering, 0);
        pthread_join(t, NULL);
        atomic_store(&answered, 1);
        pw_gw_server_stop(s);
        atomic_store(&armed, 0);
        mock_upstream_stop(m);
        CHECK(gw_test_dir_remove(&td));
    }
    CHECK_INT(atomic_load(&widenings), ROUNDS); /* the resume's wake was widened each round */
    CHECK_INT(atomic_load(&late), 0);
}

PW_TEST_MAIN(PW_TEST(test_stop_waits_for_resume_calls))
