/* test_gw_ingest_batch.c — a batch is answered per event: the valid events of a batch with an
 * invalid one are spooled, the invalid one is listed in "rejected" (index + the error naming the
 * field), audited as dropped at ingest (without any key the sender chose) and counted as rejected;
 * bodies that are not JSON, not events, or a single invalid event stay 400. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_tree.h>

#include "gw_ingest.h"
#include "gw_test_phi.h"
#include "pw_test.h"

static const char *const yaml = "site:\n"
                                "  origins: [https://www.example-hospital.org]\n"
                                "destinations:\n"
                                "  meta:\n"
                                "    type: meta\n"
                                "    pixel_id: \"42\"\n"
                                "    access_token_env: GW_TEST_SITE_KEY\n"
                                "    events: {page_view: PageView, appointment_request: Schedule}\n"
                                "    page_url: origin\n"
                                "    client_ip: truncate\n";

/* Every row and audit record, in full. */
typedef struct rec_sink {
    int fail_put;
    size_t n_rows, n_recs;
    char rows[64][64];   /* event_id */
    char recs[256][320]; /* "action|destination|event_id|rule|detail" */
} rec_sink;

static pw_status put(void *ctx, const pw_spool_put_item *it, size_t n, pw_err *err)
{
    rec_sink *s = ctx;
    if (s->fail_put)
        return pw_err_set(err, PW_ERR_IO, "test spool down");
    for (size_t i = 0; i < n && s->n_rows < 64; i++)
        snprintf(s->rows[s->n_rows++], sizeof s->rows[0], "%s", it[i].event_id);
    return PW_OK;
}

static pw_status audit(void *ctx, const pw_audit_record *r, size_t n, pw_err *err)
{
    rec_sink *s = ctx;
    for (size_t i = 0; i < n && s->n_recs < 256; i++)
        snprintf(s->recs[s->n_recs++], sizeof s->recs[0], "%s|%s|%s|%s|%s",
                 pw_audit_action_name(r[i].action), r[i].destination ? r[i].destination : "-",
                 r[i].event_id ? r[i].event_id : "-", r[i].rule ? r[i].rule : "-",
                 r[i].detail ? r[i].detail : "-");
    return PW_OK;
}

typedef struct fixture {
    pw_gw_policy *p;
    rec_sink sink;
    pw_gw_sink bound;
    pw_gw_counters m;
    pw_arena a;
    pw_gw_reply reply;
} fixture;

static fixture *setup(void)
{
    static fixture f;
    memset(&f, 0, sizeof f);
    setenv("GW_TEST_SITE_KEY", "0123456789abcdef-site-key", 1);
    pw_err err = {0};
    if (pw_gw_policy_parse("t.yaml", yaml, strlen(yaml), NULL, &f.p, &err) != PW_OK) {
        fprintf(stderr, "%s\n", err.msg);
        return NULL;
    }
    f.bound = (pw_gw_sink){put, audit, &f.sink};
    pw_arena_init(&f.a, 0);
    return &f;
}

static void teardown(fixture *f)
{
    pw_arena_free(&f->a);
    pw_gw_policy_free(f->p);
}

static void ingest(fixture *f, const char *body)
{
    pw_arena_reset(&f->a);
    pw_gw_ingest(f->p, &gw_test_phi, &f->bound, &f->m, &f->a, body, strlen(body), "198.51.100.7",
                 "test-agent", pw_gw_now_ms(), &f->reply);
}

#define ID1 "11111111-2222-4333-8444-555555555551"
#define ID2 "11111111-2222-4333-8444-555555555552"
#define ID3 "11111111-2222-4333-8444-555555555553"
/* With the visitor's consent: Meta requires consent.ads (requires_consent, test_gw_policy). */
#define EV(id, name) "{\"event_id\":\"" id "\",\"name\":\"" name "\",\"consent\":{\"ads\":true}}"

static void test_one_bad_event_rejects_only_itself(void)
{
    fixture *f = setup();
    if (!f) {
        CHECK(0);
        return;
    }
    ingest(f, "[" EV(ID1, "appointment_request") "," EV(ID2, "page_view") ",{\"event_id\":\"" ID3
                                                                          "\",\"name\":5}]");
    CHECK_INT(f->reply.status, 200);
    CHECK_STR(f->reply.body,
              "{\"received\":3,\"accepted\":2,\"queued\":2,\"rejected\":[{\"index\":2,"
              "\"error\":\"events[2].name: must be a string\"}]}");
    CHECK_INT(f->sink.n_rows, 2);
    CHECK_STR(f->sink.rows[0], ID1);
    CHECK_STR(f->sink.rows[1], ID2);
    /* accepted + queued for each valid event, then the rejected one, dropped at ingest. */
    CHECK_INT(f->sink.n_recs, 5);
    CHECK_STR(f->sink.recs[4],
              "dropped|-|" ID3 "|ingest: invalid event|events[2].name: must be a string");
    CHECK_INT(atomic_load(&f->m.events_in), 3);
    CHECK_INT(atomic_load(&f->m.accepted), 2);
    CHECK_INT(atomic_load(&f->m.rejected), 1);
    teardown(f);
}

static void test_wrapped_batch_and_all_invalid(void)
{
    fixture *f = setup();
    if (!f) {
        CHECK(0);
        return;
    }
    /* {"events":[…]} too; an event without a UUID is audited without one. */
    ingest(f, "{\"events\":[{\"event_id\":\"nope\",\"name\":\"page_view\"}," EV(ID1,
                                                                                "page_view") "]}");
    CHECK_INT(f->reply.status, 200);
    CHECK_STR(f->reply.body,
              "{\"received\":2,\"accepted\":1,\"queued\":1,\"rejected\":[{\"index\":0,"
              "\"error\":\"events[0].event_id: must be a UUID string\"}]}");
    CHECK_STR(f->sink.recs[f->sink.n_recs - 1],
              "dropped|-|-|ingest: invalid event|events[0].event_id: must be a UUID string");
    /* Every event invalid: still answered per event, nothing queued. */
    f->sink.n_rows = f->sink.n_recs = 0;
    ingest(f, "[1,{\"event_id\":\"" ID2 "\"}]");
    CHECK_INT(f->reply.status, 200);
    CHECK_STR(f->reply.body, "{\"received\":2,\"accepted\":0,\"queued\":0,\"rejected\":["
                             "{\"index\":0,\"error\":\"events[0]: must be an object\"},"
                             "{\"index\":1,\"error\":\"events[1].name: required\"}]}");
    CHECK_INT(f->sink.n_rows, 0);
    CHECK_INT(f->sink.n_recs, 2);
    CHECK_INT(atomic_load(&f->m.rejected), 3);
    teardown(f);
}

static void test_body_errors_stay_400(void)
{
    fixture *f = setup();
    if (!f) {
        CHECK(0);
        return;
    }
    struct {
        const char *body, *reply;
    } cases[] = {
        {"[{\"event_id\":", NULL},
        {"{\"event_id\":\"" ID1 "\",\"name\":5}", "{\"error\":\"event.name: must be a string\"}"},
        {"{\"events\":5}", "{\"error\":\"events: must be an array\"}"},
        {"[]", "{\"error\":\"events: must not be empty\"}"},
        {"\"x\"", "{\"error\":\"event: must be an object\"}"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ingest(f, cases[i].body);
        CHECK_INT(f->reply.status, 400);
        if (cases[i].reply)
            CHECK_STR(f->reply.body, cases[i].reply);
    }
    CHECK_INT(f->sink.n_rows, 0);
    CHECK_INT(f->sink.n_recs, 0);
    teardown(f);
}

/* The sender's keys are echoed to the sender, never written to the audit log. */
static void test_audit_has_no_sender_keys(void)
{
    fixture *f = setup();
    if (!f) {
        CHECK(0);
        return;
    }
    ingest(f, "[" EV(ID1, "page_view") ",{\"event_id\":\"" ID2
                                       "\",\"name\":\"page_view\",\"params\":{\"hiv_status\":{"
                                       "\"a\":1}}},{\"event_id\":\"" ID3
                                       "\",\"name\":\"x\",\"hiv_result\":1,\"hiv_result\":2}]");
    CHECK_INT(f->reply.status, 200);
    CHECK(strstr(f->reply.body, "events[1].params.hiv_status: must be a string, number or "
                                "boolean") != NULL);
    CHECK(strstr(f->reply.body, "events[2]: duplicate key 'hiv_result'") != NULL);
    CHECK_INT(f->sink.n_recs, 4);
    CHECK_STR(f->sink.recs[2],
              "dropped|-|" ID2 "|ingest: invalid event|events[1].params: must be a string, number "
              "or boolean");
    CHECK_STR(f->sink.recs[3], "dropped|-|" ID3 "|ingest: invalid event|events[2]: duplicate key");
    for (size_t i = 0; i < f->sink.n_recs; i++)
        CHECK(strstr(f->sink.recs[i], "hiv") == NULL);
    teardown(f);
}

/* 100 invalid events with long keys: the list is cut to fit the reply, which stays valid JSON. */
static void test_long_reject_list_is_cut(void)
{
    fixture *f = setup();
    if (!f) {
        CHECK(0);
        return;
    }
    pw_buf b;
    pw_buf_init(&b);
    pw_buf_puts(&b, "[" EV(ID1, "page_view"));
    for (int i = 0; i < 99; i++)
        pw_buf_printf(&b, ",{\"event_id\":\"%s\",\"name\":\"x\",\"params\":{\"%064d\":[]}}", ID2,
                      i);
    pw_buf_puts(&b, "]");
    ingest(f, b.data);
    pw_buf_free(&b);
    CHECK_INT(f->reply.status, 200);
    char ebuf[128];
    yajl_val v = yajl_tree_parse(f->reply.body, ebuf, sizeof ebuf);
    CHECK(v != NULL);
    const char *more_path[] = {"rejected_more", NULL}, *list_path[] = {"rejected", NULL};
    yajl_val more = v ? yajl_tree_get(v, more_path, yajl_t_number) : NULL;
    yajl_val list = v ? yajl_tree_get(v, list_path, yajl_t_array) : NULL;
    CHECK(more && list);
    if (more && list)
        CHECK_INT((long long)list->u.array.len + YAJL_GET_INTEGER(more), 99);
    yajl_tree_free(v);
    CHECK_INT(f->sink.n_rows, 1);
    CHECK_INT(atomic_load(&f->m.rejected), 99);
    teardown(f);
}

/* A spool failure refuses the whole body: every event counts as rejected, once. */
static void test_spool_failure_counts_all(void)
{
    fixture *f = setup();
    if (!f) {
        CHECK(0);
        return;
    }
    f->sink.fail_put = 1;
    ingest(f, "[" EV(ID1, "page_view") ",{\"event_id\":\"" ID2 "\"}]");
    CHECK_INT(f->reply.status, 503);
    CHECK_INT(atomic_load(&f->m.rejected), 2);
    teardown(f);
}

/* pw_gw_events_parse (used by --explain) still fails the body at the first invalid event. */
static void test_whole_body_parse_unchanged(void)
{
    pw_arena a;
    pw_arena_init(&a, 0);
    pw_gw_event *evs = NULL;
    size_t n = 0;
    pw_err err = {0};
    const char *body = "[" EV(ID1, "page_view") ",{\"event_id\":\"" ID2 "\",\"name\":5}]";
    CHECK_INT(pw_gw_events_parse(&a, body, strlen(body), NULL, &evs, &n, &err), PW_ERR_INVALID);
    CHECK_STR(err.msg, "events[1].name: must be a string");
    CHECK(evs == NULL && n == 0);
    pw_gw_parsed pr;
    CHECK_INT(pw_gw_events_parse_batch(&a, body, strlen(body), NULL, &pr, &err), PW_OK);
    CHECK_INT(pr.n_events, 1);
    CHECK_INT(pr.n_rejected, 1);
    CHECK_INT(pr.rejected[0].index, 1);
    pw_arena_free(&a);
}

PW_TEST_MAIN(PW_TEST(test_one_bad_event_rejects_only_itself),
             PW_TEST(test_wrapped_batch_and_all_invalid), PW_TEST(test_body_errors_stay_400),
             PW_TEST(test_audit_has_no_sender_keys), PW_TEST(test_long_reject_list_is_cut),
             PW_TEST(test_spool_failure_counts_all), PW_TEST(test_whole_body_parse_unchanged))
