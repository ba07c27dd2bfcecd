/* test_gw_audit_order.c — the audit chain as an accounting of disclosures: for each event_id the
 * ingest records (accepted, queued) come before any forwarder outcome (sent, dead), even when a
 * forwarder leases the rows before the ingest audit thread has written them (it sends nothing
 * until they and its own "sending" records are in the log); and a
 * repeated event_id that the spool ignores is recorded as "duplicate", never as a second
 * "queued". Real spool, audit log, committer (gw_commit.c) and Meta forwarder against the
 * loopback mock. */
#include "../mock/mock_upstream.c"

#include <stdlib.h>
#include <unistd.h>

#include "gw_commit.h"
#include "gw_test_fwenv.h"

#define EID  "8a6e0804-2bd0-4672-b79d-d97027f9071a"
#define EID2 "1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed"

static char *meta_payload(const char *id)
{
    char *s = malloc(512);
    snprintf(s, 512,
             "{\"event_name\":\"Schedule\",\"event_time\":%lld,\"event_id\":\"%s\","
             "\"action_source\":\"website\",\"user_data\":{\"em\":"
             "[\"a665a45920422f9d417e4867efdc4fb8a04a1f3fff1fa07e998e86f7f7a27ae3\"]}}",
             (long long)(pw_gw_now_ms() / 1000), id);
    return s;
}

/* One request of one event for the given destinations, with its ingest records. */
typedef struct request {
    pw_spool_put_item items[2];
    pw_audit_record recs[3];
    pw_gw_prepared pr;
} request;

static void request_init(request *q, const char *eid, const char *payload, const char *const *dests,
                         size_t n_dests)
{
    memset(q, 0, sizeof *q);
    int64_t now = pw_gw_now_ms();
    q->recs[0] = (pw_audit_record){.time_ms = now,
                                   .event_id = eid,
                                   .event_name = "Schedule",
                                   .action = PW_AUDIT_ACCEPTED,
                                   .rule = "ingest: valid event"};
    for (size_t i = 0; i < n_dests; i++) {
        q->items[i] = (pw_spool_put_item){eid, dests[i], payload, strlen(payload), now, 0};
        q->recs[1 + i] = (pw_audit_record){.time_ms = now,
                                           .event_id = eid,
                                           .event_name = "Schedule",
                                           .destination = dests[i],
                                           .action = PW_AUDIT_QUEUED,
                                           .rule = "events.appointment_request",
                                           .fields_json = "{\"event_name\":\"x\"}"};
    }
    q->pr = (pw_gw_prepared){.items = q->items,
                             .n_items = n_dests,
                             .recs = q->recs,
                             .n_recs = 1 + n_dests,
                             .n_events = 1,
                             .n_accepted = 1};
}

/* The completion: holds the spool's committer thread (so the ingest records are not yet handed
 * to the audit thread) until the mock got the delivery, then a little longer. */
typedef struct held {
    mock_upstream *mock; /* NULL: do not hold */
    atomic_int done;
    pw_gw_commit_dups dups; /* what the completion was told was a repeat */
    int sent_early;         /* the mock got the event before its ingest records were written */
    int linger_ms;          /* after saying done, keep the spool's committer thread this long */
} held;

static void on_done(void *ctx, pw_status spool_st, pw_status audit_st, pw_gw_commit_dups dups)
{
    held *h = ctx;
    (void)audit_st;
    CHECK_INT(spool_st, PW_OK);
    h->dups = dups;
    if (h->mock) /* a forwarder that does not wait for the ingest records sends meanwhile */
        h->sent_early = mock_upstream_wait(h->mock, 1, 600);
    atomic_store(&h->done, 1);
    if (h->linger_ms) /* the request is answered; its completion has not returned yet */
        usleep((useconds_t)h->linger_ms * 1000);
}

static void wait_done(held *h)
{
    for (int64_t until = pw_gw_mono_ms() + GW_TEST_WAIT_MS;
         !atomic_load(&h->done) && pw_gw_mono_ms() < until;)
        usleep(1000);
    CHECK(atomic_load(&h->done));
}

/* The actions recorded for one event_id and destination ("-": none), in chain order. */
typedef struct trail {
    const char *event_id;
    char actions[512];
} trail;

static int collect(const pw_audit_entry *en, void *ctx)
{
    trail *t = ctx;
    if (!en->event_id || strcmp(en->event_id, t->event_id) != 0)
        return 0;
    size_t len = strlen(t->actions);
    snprintf(t->actions + len, sizeof t->actions - len, "%s%s/%s", len ? " " : "",
             en->action ? en->action : "?", en->destination ? en->destination : "-");
    return 0;
}

static const char *trail_of(env *e, trail *t, const char *eid)
{
    memset(t, 0, sizeof *t);
    t->event_id = eid;
    CHECK_INT(pw_audit_list_file(e->audit_path, NULL, collect, t, NULL), PW_OK);
    return t->actions;
}

static void test_ingest_records_before_sent(void)
{
    env e;
    env_open(&e, "pw_audit_order", "sent");
    pw_destination d = env_meta_dest(&e, "123456", "tok", GW_TEST_REQ_TIMEOUT_MS);
    pw_forward_opts o = {.retry_base_ms = 20, .retry_max_ms = 100, .poll_ms = 5};
    CHECK_INT(pw_forwarders_start_opts(&d, 1, e.spool, e.audit, &o, &e.fw, NULL), PW_OK);
    pw_gw_committer *c = NULL;
    CHECK_INT(pw_gw_committer_new(e.spool, e.audit, NULL, NULL, &c, NULL), PW_OK);
    char *payload = meta_payload(EID);
    static const char *const meta[] = {"meta"};
    request q;
    request_init(&q, EID, payload, meta, 1);
    held h = {.mock = e.mock};
    CHECK_INT(pw_gw_commit_submit(c, &q.pr, on_done, &h, NULL), PW_OK);
    wait_done(&h);
    CHECK(drained(&e, "meta", GW_TEST_WAIT_MS));
    pw_gw_committer_free(c); /* every ingest record written */
    pw_forwarders_stop(e.fw);
    e.fw = NULL;
    CHECK_INT((int)mock_upstream_count(e.mock), 1);
    trail t;
    CHECK_INT(h.sent_early, 0); /* nothing left before its ingest and "sending" records */
    CHECK_STR(trail_of(&e, &t, EID), "accepted/- queued/meta sending/meta sent/meta");
    pw_audit_verify_result vr;
    CHECK_INT(pw_audit_verify_file(e.audit_path, &vr, NULL), PW_OK);
    free(payload);
    env_close(&e);
}

/* The tag retries a batch whose answer it lost: the spool keeps the first, and the audit says
 * the repeat was a duplicate. A repeat that reaches a destination added since (a policy reload)
 * queues that destination only. */
static void test_repeated_event_id(void)
{
    env e;
    env_open(&e, "pw_audit_order", "dup");
    pw_gw_committer *c = NULL;
    CHECK_INT(pw_gw_committer_new(e.spool, e.audit, NULL, NULL, &c, NULL), PW_OK);
    char *p1 = meta_payload(EID), *p2 = meta_payload(EID2);
    static const char *const meta[] = {"meta"}, *const both[] = {"meta", "ga4"};
    request q1, q2, q3, q4;
    request_init(&q1, EID, p1, meta, 1);
    request_init(&q2, EID, p1, meta, 1); /* the retry */
    request_init(&q3, EID2, p2, meta, 1);
    request_init(&q4, EID2, p2, both, 2); /* the retry after ga4 was added */
    held h[4] = {{0}};
    request *qs[4] = {&q1, &q2, &q3, &q4};
    for (int i = 0; i < 4; i++) {
        CHECK_INT(pw_gw_commit_submit(c, &qs[i]->pr, on_done, &h[i], NULL), PW_OK);
        wait_done(&h[i]);
    }
    /* The answers learn the repeats: q2 repeats its only item (a duplicate event), q4 repeats
     * one of its two (still accepted: ga4 is new). */
    static const size_t dup_items[4] = {0, 1, 0, 1}, dup_events[4] = {0, 1, 0, 0};
    for (int i = 0; i < 4; i++) {
        CHECK_INT((int)h[i].dups.items, (int)dup_items[i]);
        CHECK_INT((int)h[i].dups.events, (int)dup_events[i]);
    }
    pw_gw_committer_free(c);
    trail t;
    CHECK_STR(trail_of(&e, &t, EID), "accepted/- queued/meta duplicate/- duplicate/meta");
    CHECK_STR(trail_of(&e, &t, EID2),
              "accepted/- queued/meta accepted/- duplicate/meta queued/ga4");
    pw_spool_stats st;
    CHECK_INT(pw_spool_stats_get(e.spool, "meta", &st, NULL), PW_OK);
    CHECK_INT((int)st.depth, 2);
    free(p1);
    free(p2);
    env_close(&e);
}

/* The server stops as soon as the last request is answered, which happens inside the put's
 * completion on the spool's committer thread, before that completion hands the job's records to
 * the audit thread. Freeing the committer then must wait for it: before, the completion went on
 * into the freed committer (use after free, CI's ASan pass on test_gw_e2e) and the answered
 * event's ingest records were never written. */
static void test_free_right_after_answer(void)
{
    env e;
    env_open(&e, "pw_audit_order", "stop");
    pw_gw_committer *c = NULL;
    CHECK_INT(pw_gw_committer_new(e.spool, e.audit, NULL, NULL, &c, NULL), PW_OK);
    char *payload = meta_payload(EID);
    static const char *const meta[] = {"meta"};
    request q;
    request_init(&q, EID, payload, meta, 1);
    held h = {.linger_ms = 150};
    CHECK_INT(pw_gw_commit_submit(c, &q.pr, on_done, &h, NULL), PW_OK);
    wait_done(&h);
    pw_gw_committer_free(c); /* at once, as the server's stop does once nothing is in flight */
    trail t;
    CHECK_STR(trail_of(&e, &t, EID), "accepted/- queued/meta");
    free(payload);
    env_close(&e);
}

PW_TEST_MAIN(PW_TEST(test_ingest_records_before_sent), PW_TEST(test_repeated_event_id),
             PW_TEST(test_free_right_after_answer))
