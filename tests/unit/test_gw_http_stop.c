/*
 * test_gw_http_stop.c — the HTTP front's durable answers in the whole gateway (gw_http.c): many
 * keep-alive connections at once, spread over both HTTP threads, each answered after its group
 * commit; a stop with a request sent on every connection answers only what is durable (200 or
 * nothing, never another status), and every answered event is in the spool when the gateway
 * starts again.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "gw_test_server.h"
#include "gw_time.h"
#include "pw_test.h"

#define N_CONNS 24
#define ROUNDS  10

static gw_test_dir td;

static void write_config(void)
{
    FILE *f = fopen(td.config, "w");
    fprintf(f, "site:\n  origins: [https://www.example-hospital.org]\n  hmac_key_env: LOOP_KEY\n"
               "ingest:\n  rate_limit: {per_second: 100000, burst: 100000}\n" /* one address */
               "destinations:\n"
               "  hook:\n    type: webhook\n    url: http://127.0.0.1:1/hook\n    hold: true\n"
               "    events: {appointment_request: Schedule}\n");
    fclose(f);
}

static int connect_to(unsigned port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    struct timeval tv = {10, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    return fd;
}

/* POST /e with event number n on fd's keep-alive connection; 1 when written. */
static int send_event(int fd, int n)
{
    char body[256], req[512];
    int blen =
        snprintf(body, sizeof body,
                 "{\"event_id\":\"44444444-2222-4333-8444-%012d\","
                 "\"name\":\"appointment_request\",\"time\":%lld,\"consent\":{\"ads\":true}}",
                 n, (long long)pw_gw_now_ms());
    int len = snprintf(req, sizeof req,
                       "POST /e HTTP/1.1\r\nHost: t\r\nContent-Type: text/plain\r\n"
                       "Content-Length: %d\r\n\r\n%s",
                       blen, body);
    return write(fd, req, (size_t)len) == len;
}

/* The status of the next answer on fd; 0 when the connection closed (or 10 s passed) first. */
static int read_answer(int fd)
{
    char buf[4096];
    size_t got = 0;
    for (;;) {
        buf[got] = '\0';
        const char *end = strstr(buf, "\r\n\r\n");
        if (end && strncmp(buf, "HTTP/1.1 ", 9) == 0) {
            const char *cl = strcasestr(buf, "Content-Length:");
            size_t want = (size_t)(end + 4 - buf) + (cl ? strtoul(cl + 15, NULL, 10) : 0);
            if (got >= want)
                return atoi(buf + 9);
        }
        ssize_t n = read(fd, buf + got, sizeof buf - 1 - got);
        if (n <= 0)
            return 0;
        got += (size_t)n;
    }
}

/* The held destination's queue, from /metrics; -1 when not found. */
static long spool_depth(unsigned port)
{
    static char metrics[1 << 16];
    if (gw_test_request(port, "/metrics", NULL, metrics, sizeof metrics) != 200)
        return -1;
    const char *key = "phiwall_gateway_spool_depth{destination=\"hook\"} ";
    const char *p = strstr(metrics, key);
    return p ? strtol(p + strlen(key), NULL, 10) : -1;
}

static void test_connections_then_stop(void)
{
    CHECK(gw_test_dir_make(&td, "stop"));
    setenv("LOOP_KEY", "0123456789abcdef-site-key", 1);
    write_config();
    pw_err err = {0};
    pw_gw_server *s = gw_test_server_start(&td, &err);
    CHECK(s != NULL);
    if (!s)
        return;
    unsigned port = pw_gw_server_port(s);
    int fds[N_CONNS], n = 0, ok = 0;
    for (int i = 0; i < N_CONNS; i++)
        CHECK((fds[i] = connect_to(port)) >= 0);
    /* Every connection has a request waiting for a commit at once: they come back in batches. */
    for (int r = 0; r < ROUNDS; r++) {
        for (int i = 0; i < N_CONNS; i++)
            CHECK(send_event(fds[i], n++));
        for (int i = 0; i < N_CONNS; i++)
            ok += read_answer(fds[i]) == 200;
    }
    CHECK_INT(ok, N_CONNS * ROUNDS);
    CHECK_INT(spool_depth(port), N_CONNS * ROUNDS);

    /* One more request on every connection, and stop at once. */
    for (int i = 0; i < N_CONNS; i++)
        CHECK(send_event(fds[i], n++));
    pw_gw_server_stop(s);
    int answered = 0, other = 0;
    for (int i = 0; i < N_CONNS; i++) {
        int st = read_answer(fds[i]);
        answered += st == 200;
        other += st != 200 && st != 0;
        close(fds[i]);
    }
    fprintf(stderr, "stop with %d requests in flight: %d answered 200, the rest closed\n", N_CONNS,
            answered);
    CHECK_INT(other, 0);
    CHECK(connect_to(port) < 0); /* stopped: nothing listens */

    /* Every answered event is durable (others may be too: committed, not yet answered). */
    s = gw_test_server_start(&td, &err);
    CHECK(s != NULL);
    if (s) {
        long depth = spool_depth(pw_gw_server_port(s));
        CHECK(depth >= N_CONNS * ROUNDS + answered);
        CHECK(depth <= N_CONNS * ROUNDS + N_CONNS);
        pw_gw_server_stop(s);
    }
    CHECK(gw_test_dir_remove(&td));
}

PW_TEST_MAIN(PW_TEST(test_connections_then_stop))
