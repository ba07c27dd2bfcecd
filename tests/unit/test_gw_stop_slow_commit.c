/*
 * test_gw_stop_slow_commit.c — stopping the gateway while a request's spool commit is slower than
 * the HTTP stop's 30 s wait. The stop used to give up after 30 s and stop the HTTP daemon with
 * the request still suspended: its commit then completed into a freed connection and request
 * (on_committed → MHD_resume_connection: a use-after-free; the spool thread read the request's
 * items from its freed arena), and the client got no answer although its event was spooled. The
 * request must be answered 200 once its commit is durable, and the stop must wait for it.
 *
 * TEST-ONLY fault injection: this executable defines fdatasync and fsync (taken by SQLite's and
 * the audit log's calls instead of libc's); the next call after `stall_ms` is set sleeps that
 * long first. It takes ~40 s (the stop gave up after 30 s of its 1 ms sleeps, 30-35 s).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <curl/curl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "gw_test_server.h"
#include "gw_time.h"
#include "pw_test.h"

static atomic_int stall_ms, stalled;

static void maybe_stall(void)
{
    int ms = atomic_exchange(&stall_ms, 0);
    if (ms <= 0)
        return;
    atomic_store(&stalled, 1);
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

int fdatasync(int fd)
{
    maybe_stall();
    return (int)syscall(SYS_fdatasync, fd);
}

int fsync(int fd)
{
    maybe_stall();
    return (int)syscall(SYS_fsync, fd);
}

static gw_test_dir td;

typedef struct client {
    unsigned port;
    long status;
    char reply[512];
} client;

static void *post_event(void *arg)
{
    client *c = arg;
    c->status = gw_test_request(c->port, "/e",
                                "{\"event_id\":\"55555555-2222-4333-8444-000000000001\","
                                "\"name\":\"appointment_request\",\"consent\":{\"ads\":true}}",
                                c->reply, sizeof c->reply);
    return NULL;
}

static void test_stop_waits_for_a_slow_commit(void)
{
    CHECK(gw_test_dir_make(&td, "stopslow"));
    FILE *f = fopen(td.config, "w");
    fputs("site:\n  origins: [https://www.example-hospital.org]\n"
          "destinations:\n"
          "  hook:\n    type: webhook\n    url: http://127.0.0.1:9/hook\n"
          "    hold: true\n"
          "    events: {appointment_request: Schedule}\n",
          f);
    fclose(f);
    pw_err err = {0};
    pw_gw_server *s = gw_test_server_start(&td, &err);
    CHECK(s != NULL);
    if (!s)
        return;
    client c = {.port = pw_gw_server_port(s)};
    atomic_store(&stall_ms, 40000); /* the request's spool commit: longer than the stop waits */
    pthread_t t;
    CHECK(pthread_create(&t, NULL, post_event, &c) == 0);
    /* 60 s at most (only a failing test waits that long): 5000 tries of 1 ms were a guess */
    for (int64_t until = pw_gw_mono_ms() + 60000;
         !atomic_load(&stalled) && pw_gw_mono_ms() < until;)
        usleep(1000);
    CHECK(atomic_load(&stalled));
    pw_gw_server_stop(s);
    pthread_join(t, NULL);
    CHECK_INT(c.status, 200); /* answered once durable, not dropped by the stop */
    CHECK(strstr(c.reply, "\"queued\":1") != NULL);
    CHECK(gw_test_dir_remove(&td));
}

PW_TEST_MAIN(PW_TEST(test_stop_waits_for_a_slow_commit))
