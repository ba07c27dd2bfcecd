/*
 * test_gw_reload_once.c — a policy reload reads the config file once. The ingest policy and the
 * forwarders' copy used to come from two reads of the file: one rewritten in between (an editor
 * or a deployment tool writing it while SIGHUP arrives) gave them different policies, and when
 * the second read did not parse the reload was reported failed ("the current policy stays")
 * although ingest already ran the new one. The config is made a FIFO here so that each read of
 * it gets the next text the test writes: a valid policy, then a broken one.
 */
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../mock/mock_upstream.c"
#include "gw_test_server.h"
#include "pw_test.h"

static gw_test_dir td;

static void config_text(char *out, size_t cap, const char *base, int with_contact)
{
    snprintf(out, cap,
             "site:\n  origins: [https://www.example-hospital.org]\n"
             "destinations:\n"
             "  hook:\n    type: webhook\n    url: %s/hook\n"
             "    events: {appointment_request: Schedule%s}\n",
             base, with_contact ? ", contact_form: Contact" : "");
}

typedef struct feeder {
    const char *texts[2]; /* what the first and the second opener of the FIFO read */
} feeder;

/* Give each text to the next reader of the FIFO; stop after 3 s without one. */
static void *feed(void *arg)
{
    feeder *f = arg;
    for (int i = 0; i < 2; i++) {
        int fd = -1;
        for (int t = 0; t < 3000 && fd < 0; t++) {
            fd = open(td.config, O_WRONLY | O_NONBLOCK);
            if (fd < 0)
                usleep(1000); /* ENXIO: nobody reads yet */
        }
        if (fd < 0)
            return NULL;
        fcntl(fd, F_SETFL, 0);
        size_t n = strlen(f->texts[i]);
        if (write(fd, f->texts[i], n) != (ssize_t)n)
            fprintf(stderr, "feed: short write\n");
        close(fd);
        /* Until this reader has closed (ENXIO), an open would join its read, not the next. */
        for (int t = 0; t < 3000 && (fd = open(td.config, O_WRONLY | O_NONBLOCK)) >= 0; t++) {
            close(fd);
            usleep(1000);
        }
    }
    return NULL;
}

static int contact_queued(unsigned port)
{
    char reply[512] = "";
    long code = gw_test_request(port, "/e",
                                "{\"event_id\":\"44444444-2222-4333-8444-000000000001\","
                                "\"name\":\"contact_form\",\"consent\":{\"ads\":true}}",
                                reply, sizeof reply);
    return code == 200 && strstr(reply, "\"queued\":1") != NULL;
}

static void test_reload_reads_the_file_once(void)
{
    CHECK(gw_test_dir_make(&td, "reload1"));
    mock_upstream *m = mock_upstream_start();
    char a[1024], b[1024];
    config_text(a, sizeof a, mock_upstream_base(m), 0);
    config_text(b, sizeof b, mock_upstream_base(m), 1);
    FILE *f = fopen(td.config, "w");
    fputs(a, f);
    fclose(f);
    pw_err err = {0};
    pw_gw_server *s = gw_test_server_start(&td, &err);
    CHECK(s != NULL);
    if (!s) {
        mock_upstream_stop(m);
        return;
    }
    unsigned port = pw_gw_server_port(s);
    CHECK(!contact_queued(port)); /* policy a: contact_form is not allowed */

    unlink(td.config);
    CHECK(mkfifo(td.config, 0600) == 0);
    feeder fd = {{b, "destinations: [not a policy\n"}};
    pthread_t t;
    CHECK(pthread_create(&t, NULL, feed, &fd) == 0);
    pw_status st = pw_gw_server_reload(s, &err);
    pthread_join(t, NULL);
    /* Either the reload took b (for ingest and forwarders alike) or it failed and a stays. */
    if (st == PW_OK) {
        CHECK(contact_queued(port));
    } else {
        fprintf(stderr, "reload failed: %s\n", err.msg);
        CHECK(!contact_queued(port)); /* the old code: failed, yet ingest runs b */
    }
    CHECK_INT(st, PW_OK); /* one read: b, whole */
    pw_gw_server_stop(s);
    mock_upstream_stop(m);
    CHECK(gw_test_dir_remove(&td));
}

PW_TEST_MAIN(PW_TEST(test_reload_reads_the_file_once))
