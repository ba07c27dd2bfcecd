/* test_gw_audit.c — the hash-chained audit log: a chain written by many threads verifies; an
 * edited, deleted, reordered or truncated record is found with its line number; reopening
 * continues the chain and cuts a torn tail; list filters by time, event and destination. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "audit.h"
#include "phiwall/buf.h"
#include "phiwall/text.h"
#include "pw_test.h"

static void temp_path(char *out, size_t cap, const char *tag)
{
    snprintf(out, cap, "/tmp/pw_audit_%s_%d.log", tag, (int)getpid());
    unlink(out);
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    *len = fread(buf, 1, (size_t)n, f);
    buf[*len] = '\0';
    fclose(f);
    return buf;
}

static void spit(const char *path, const char *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    fwrite(data, 1, len, f);
    fclose(f);
}

/* Offsets of the starts of lines (0-based index i → line i+1). */
static size_t line_starts(const char *buf, size_t len, size_t *starts, size_t max)
{
    size_t n = 0;
    for (size_t off = 0; off < len && n < max;) {
        starts[n++] = off;
        const char *nl = memchr(buf + off, '\n', len - off);
        off = nl ? (size_t)(nl - buf) + 1 : len;
    }
    return n;
}

/* A SENT record; its event_id is written into id (which must outlive the record). */
static pw_audit_record sample(int i, const char *dest, char id[32])
{
    snprintf(id, 32, "ev-%04d", i);
    pw_audit_record r = {.time_ms = 1795000000000LL + i * 1000LL,
                         .event_id = id,
                         .event_name = "Schedule",
                         .destination = dest,
                         .action = PW_AUDIT_SENT,
                         .rule = "meta.allow.Schedule",
                         .fields_json =
                             "{\"event_name\": \"allow\", \"custom_data.page\": \"map\"}",
                         .payload_sha256 = "ab34",
                         .http_status = 200,
                         .detail = "fbtrace_id=AbC\n"};
    return r;
}

static void write_log(const char *path, int n)
{
    pw_audit *a = NULL;
    CHECK_INT(pw_audit_open(path, &a, NULL), PW_OK);
    for (int i = 0; i < n; i++) {
        char id[32];
        pw_audit_record r = sample(i, i % 2 ? "meta" : "ga4", id);
        CHECK_INT(pw_audit_append(a, &r, NULL), PW_OK);
    }
    pw_audit_close(a);
}

static void test_chain_verifies_and_canonical_line(void)
{
    char path[256];
    temp_path(path, sizeof path, "ok");
    write_log(path, 5);
    pw_audit_verify_result res;
    pw_err err = {0};
    CHECK_INT(pw_audit_verify_file(path, &res, &err), PW_OK);
    CHECK_INT(res.records, 5);
    CHECK_INT(strlen(res.head_hash), 64);
    size_t len = 0;
    char *buf = slurp(path, &len);
    /* First record: exact shape, fields re-emitted compactly, newline in detail escaped. */
    CHECK(strncmp(buf, "{\"seq\":1,\"time\":\"2026-11-18T", 28) == 0);
    CHECK(strstr(buf, "\"fields\":{\"event_name\":\"allow\",\"custom_data.page\":\"map\"}") !=
          NULL);
    CHECK(strstr(buf, "\"detail\":\"fbtrace_id=AbC\\n\"") != NULL);
    CHECK(strstr(buf, "\"prev_hash\":\"0000000000000000000000000000000000000000000000000000000"
                      "000000000\",\"hash\":\"") != NULL);
    /* Reopen continues the chain. */
    write_log(path, 3);
    CHECK_INT(pw_audit_verify_file(path, &res, &err), PW_OK);
    CHECK_INT(res.records, 8);
    free(buf);
    unlink(path);
}

static void expect_break(const char *data, size_t len, size_t line, const char *what)
{
    pw_audit_verify_result res;
    pw_err err = {0};
    CHECK_INT(pw_audit_verify_buf(data, len, "audit.log", &res, &err), PW_ERR_INVALID);
    CHECK_INT(res.bad_line, line);
    char where[64];
    snprintf(where, sizeof where, "audit.log:%zu:", line);
    CHECK(strstr(err.msg, where) == err.msg);
    if (!strstr(err.msg, what))
        fprintf(stderr, "message was: %s\n", err.msg);
    CHECK(strstr(err.msg, what) != NULL);
}

static void test_tampering_detected_with_line(void)
{
    char path[256];
    temp_path(path, sizeof path, "tamper");
    write_log(path, 6);
    size_t len = 0;
    char *buf = slurp(path, &len);
    size_t st[8];
    CHECK_INT(line_starts(buf, len, st, 8), 6);

    /* Edit: change one character of record 3's event name. */
    char *edited = malloc(len);
    memcpy(edited, buf, len);
    char *name = strstr(edited + st[2], "Schedule");
    name[0] = 's';
    expect_break(edited, len, 3, "hash mismatch: record edited");

    /* Delete record 4. */
    char *deleted = malloc(len);
    size_t dlen = st[3];
    memcpy(deleted, buf, st[3]);
    memcpy(deleted + dlen, buf + st[4], len - st[4]);
    dlen += len - st[4];
    expect_break(deleted, dlen, 4, "record(s) deleted");

    /* Swap records 2 and 3. */
    char *swapped = malloc(len);
    size_t l2 = st[2] - st[1], l3 = st[3] - st[2];
    memcpy(swapped, buf, len);
    memcpy(swapped + st[1], buf + st[2], l3);
    memcpy(swapped + st[1] + l3, buf + st[1], l2);
    expect_break(swapped, len, 2, "deleted");

    /* A cut in the middle of the last record, and garbage. */
    expect_break(buf, len - 1, 6, "truncated");
    expect_break("garbage\n", 8, 1, "malformed");

    /* The file API reports the same, with the path. */
    spit(path, edited, len);
    pw_audit_verify_result res;
    pw_err err = {0};
    CHECK_INT(pw_audit_verify_file(path, &res, &err), PW_ERR_INVALID);
    CHECK_INT(res.bad_line, 3);
    CHECK_INT(res.records, 2);
    CHECK(strstr(err.msg, ":3: seq 3:") != NULL);
    free(edited);
    free(deleted);
    free(swapped);
    free(buf);
    unlink(path);
}

static void test_torn_tail_cut_on_reopen(void)
{
    char path[256];
    temp_path(path, sizeof path, "torn");
    write_log(path, 3);
    FILE *f = fopen(path, "ab");
    fputs("{\"seq\":4,\"time\":\"2026-", f); /* a crash in the middle of a write */
    fclose(f);
    pw_audit_verify_result res;
    CHECK_INT(pw_audit_verify_file(path, &res, NULL), PW_ERR_INVALID);
    write_log(path, 2);
    CHECK_INT(pw_audit_verify_file(path, &res, NULL), PW_OK);
    CHECK_INT(res.records, 5);
    unlink(path);
}

typedef struct appender {
    pw_audit *a;
    int index;
    int failures;
} appender;

static void *append_worker(void *arg)
{
    appender *w = arg;
    for (int i = 0; i < 40; i++) {
        char id[32];
        pw_audit_record r = sample(w->index * 100 + i, "hook", id);
        if (pw_audit_append(w->a, &r, NULL) != PW_OK)
            w->failures++;
    }
    return NULL;
}

static void test_concurrent_appends(void)
{
    char path[256];
    temp_path(path, sizeof path, "threads");
    pw_audit *a = NULL;
    CHECK_INT(pw_audit_open(path, &a, NULL), PW_OK);
    pthread_t th[8];
    appender w[8];
    for (int i = 0; i < 8; i++) {
        w[i] = (appender){a, i, 0};
        pthread_create(&th[i], NULL, append_worker, &w[i]);
    }
    for (int i = 0; i < 8; i++) {
        pthread_join(th[i], NULL);
        CHECK_INT(w[i].failures, 0);
    }
    char ids[3][32];
    pw_audit_record batch[3] = {sample(1, "meta", ids[0]), sample(2, "meta", ids[1]),
                                sample(3, "meta", ids[2])};
    CHECK_INT(pw_audit_append_batch(a, batch, 3, NULL), PW_OK);
    batch[0].action = PW_AUDIT_QUEUED;
    CHECK_INT(pw_audit_append_nosync(a, batch, 1, NULL), PW_OK);
    CHECK_INT(pw_audit_sync(a, NULL), PW_OK);
    pw_audit_close(a);
    pw_audit_verify_result res;
    CHECK_INT(pw_audit_verify_file(path, &res, NULL), PW_OK);
    CHECK_INT(res.records, 8 * 40 + 4);
    unlink(path);
}

typedef struct collected {
    int n;
    char ids[16][32];
    int status;
} collected;

static int collect(const pw_audit_entry *e, void *ctx)
{
    collected *c = ctx;
    if (c->n < 16)
        snprintf(c->ids[c->n], sizeof c->ids[0], "%s", e->event_id ? e->event_id : "");
    c->n++;
    c->status = e->http_status;
    return 0;
}

static void test_list_filters(void)
{
    char path[256];
    temp_path(path, sizeof path, "list");
    write_log(path, 6); /* times 1795000000000 + i s; odd i → meta */
    collected c = {0};
    CHECK_INT(pw_audit_list_file(path, NULL, collect, &c, NULL), PW_OK);
    CHECK_INT(c.n, 6);
    CHECK_INT(c.status, 200);
    pw_audit_filter f = {.destination = "meta"};
    memset(&c, 0, sizeof c);
    CHECK_INT(pw_audit_list_file(path, &f, collect, &c, NULL), PW_OK);
    CHECK_INT(c.n, 3);
    CHECK_STR(c.ids[0], "ev-0001");
    int64_t since = 0;
    CHECK_INT(pw_audit_parse_time("2026-11-18T11:06:43Z", &since, NULL), PW_OK);
    CHECK_INT(since, 1795000003000LL);
    f = (pw_audit_filter){.since_ms = 1795000003000LL};
    memset(&c, 0, sizeof c);
    CHECK_INT(pw_audit_list_file(path, &f, collect, &c, NULL), PW_OK);
    CHECK_INT(c.n, 3);
    CHECK_STR(c.ids[0], "ev-0003");
    f = (pw_audit_filter){.event_id = "ev-0004"};
    memset(&c, 0, sizeof c);
    CHECK_INT(pw_audit_list_file(path, &f, collect, &c, NULL), PW_OK);
    CHECK_INT(c.n, 1);
    CHECK_INT(pw_audit_parse_time("2026-11-01", &since, NULL), PW_OK);
    CHECK_INT(since, 1793491200000LL);
    CHECK_INT(pw_audit_parse_time("2026-11-01T00:00:00.5Z", &since, NULL), PW_OK);
    CHECK_INT(since, 1793491200500LL);
    CHECK_INT(pw_audit_parse_time("yesterday", &since, NULL), PW_ERR_INVALID);
    unlink(path);
}

static void test_long_last_record_and_torn_tail(void)
{
    char path[256];
    temp_path(path, sizeof path, "long");
    pw_audit *a = NULL;
    CHECK_INT(pw_audit_open(path, &a, NULL), PW_OK);
    char *detail = malloc(200001);
    memset(detail, 'd', 200000);
    detail[200000] = '\0';
    char id[32];
    pw_audit_record r = sample(1, "meta", id);
    r.detail = detail; /* a last record longer than the 64 KiB tail window */
    CHECK_INT(pw_audit_append(a, &r, NULL), PW_OK);
    pw_audit_close(a);
    FILE *f = fopen(path, "ab");
    fputs("{\"seq\":2,\"ti", f);
    fclose(f);
    write_log(path, 2);
    pw_audit_verify_result res;
    pw_err err = {0};
    CHECK_INT(pw_audit_verify_file(path, &res, &err), PW_OK);
    CHECK_INT(res.records, 3);
    free(detail);
    unlink(path);
}

/* The exact bytes of a batch: every member, in order, absent ones omitted; strings escaped (a
 * quote, a control byte, an invalid UTF-8 byte; valid UTF-8 kept); a field map re-emitted
 * compactly, reused from the memo the second time, kept as a string when it is not JSON; a
 * negative status; a record longer than the room reserved per record; then a second batch (the
 * reused buffer). Each hash recomputed here from the rule in docs/gateway-delivery.md. */
static void test_batch_lines_exact(void)
{
    char path[256];
    temp_path(path, sizeof path, "exact");
    pw_audit *a = NULL;
    CHECK_INT(pw_audit_open(path, &a, NULL), PW_OK);
    char longd[801];
    memset(longd, 'x', 800);
    longd[800] = '\0';
    const int64_t t = 1795000000123LL;
    pw_audit_record recs[] = {
        {.time_ms = t,
         .event_id = "ev\"1",
         .event_name = "Schedule",
         .action = PW_AUDIT_ACCEPTED,
         .rule = "ingest"},
        {.time_ms = t + 5,
         .event_id = "ev\"1",
         .event_name = "Schedule",
         .destination = "meta",
         .action = PW_AUDIT_QUEUED,
         .rule = "meta",
         .fields_json = "{\"a\": \"value\", \"b\":1}"},
        {.time_ms = t + 1000,
         .event_id = "ev\"1",
         .event_name = "Schedule",
         .destination = "meta",
         .action = PW_AUDIT_SENT,
         .rule = "meta",
         .fields_json = "{\"a\": \"value\", \"b\":1}",
         .payload_sha256 = "5e0f5e0f5e0f5e0f5e0f5e0f5e0f5e0f5e0f5e0f5e0f5e0f5e0f5e0f5e0f5e0f",
         .http_status = 200,
         .detail = "fbtrace_id=A\x01\xff caf\xc3\xa9"},
        {.time_ms = t + 61000,
         .event_id = "e2",
         .destination = "ga4",
         .action = PW_AUDIT_RETRY,
         .rule = "ga4",
         .fields_json = "not json",
         .http_status = -1,
         .detail = longd},
        {.time_ms = t + 61999, .action = PW_AUDIT_DEAD},
    };
    size_t n = sizeof recs / sizeof recs[0];
    CHECK_INT(pw_audit_append_batch(a, recs, n, NULL), PW_OK);
    pw_audit_record more = {.time_ms = t + 62000,
                            .event_id = "e3",
                            .action = PW_AUDIT_SENDING,
                            .destination = "ga4",
                            .rule = "ga4"};
    CHECK_INT(pw_audit_append_nosync(a, &more, 1, NULL), PW_OK);
    pw_audit_close(a);

    pw_buf canon[6];
    for (size_t i = 0; i < 6; i++)
        pw_buf_init(&canon[i]);
    pw_buf_puts(&canon[0],
                "{\"seq\":1,\"time\":\"2026-11-18T11:06:40.123Z\",\"action\":\"accepted\","
                "\"event_id\":\"ev\\\"1\",\"event_name\":\"Schedule\",\"rule\":\"ingest\"");
    pw_buf_puts(&canon[1], "{\"seq\":2,\"time\":\"2026-11-18T11:06:40.128Z\",\"action\":\"queued\","
                           "\"event_id\":\"ev\\\"1\",\"event_name\":\"Schedule\",\"destination\":"
                           "\"meta\",\"rule\":\"meta\",\"fields\":{\"a\":\"value\",\"b\":1}");
    pw_buf_puts(&canon[2],
                "{\"seq\":3,\"time\":\"2026-11-18T11:06:41.123Z\",\"action\":\"sent\","
                "\"event_id\":\"ev\\\"1\",\"event_name\":\"Schedule\",\"destination\":\"meta\","
                "\"rule\":\"meta\",\"fields\":{\"a\":\"value\",\"b\":1},\"payload_sha256\":"
                "\"5e0f5e0f5e0f5e0f5e0f5e0f5e0f5e0f5e0f5e0f5e0f5e0f5e0f5e0f5e0f5e0f\","
                "\"http_status\":200,\"detail\":\"fbtrace_id=A\\u0001\\ufffd caf\xc3\xa9\"");
    pw_buf_puts(&canon[3], "{\"seq\":4,\"time\":\"2026-11-18T11:07:41.123Z\",\"action\":\"retry\","
                           "\"event_id\":\"e2\",\"destination\":\"ga4\",\"rule\":\"ga4\","
                           "\"fields\":\"not json\",\"http_status\":-1,\"detail\":\"");
    pw_buf_puts(&canon[3], longd);
    pw_buf_puts(&canon[3], "\"");
    pw_buf_puts(&canon[4], "{\"seq\":5,\"time\":\"2026-11-18T11:07:42.122Z\",\"action\":\"dead\"");
    pw_buf_puts(&canon[5],
                "{\"seq\":6,\"time\":\"2026-11-18T11:07:42.123Z\",\"action\":\"sending\","
                "\"event_id\":\"e3\",\"destination\":\"ga4\",\"rule\":\"ga4\"");
    pw_buf want;
    pw_buf_init(&want);
    char prev[65];
    memset(prev, '0', 64);
    prev[64] = '\0';
    for (size_t i = 0; i < 6; i++) {
        pw_buf_puts(&canon[i], ",\"prev_hash\":\"");
        pw_buf_puts(&canon[i], prev);
        pw_buf_puts(&canon[i], "\"");
        pw_buf hashed;
        pw_buf_init(&hashed);
        pw_buf_puts(&hashed, prev);
        pw_buf_append(&hashed, canon[i].data, canon[i].len);
        pw_sha256_hex(hashed.data, hashed.len, prev);
        pw_buf_free(&hashed);
        pw_buf_append(&want, canon[i].data, canon[i].len);
        pw_buf_puts(&want, ",\"hash\":\"");
        pw_buf_puts(&want, prev);
        pw_buf_puts(&want, "\"}\n");
        pw_buf_free(&canon[i]);
    }
    size_t len = 0;
    char *got = slurp(path, &len);
    CHECK_INT(len, want.len);
    CHECK_STR(got, want.data);
    pw_audit_verify_result res;
    pw_err err = {0};
    CHECK_INT(pw_audit_verify_file(path, &res, &err), PW_OK);
    CHECK_STR(res.head_hash, prev);
    free(got);
    pw_buf_free(&want);
    unlink(path);
}

PW_TEST_MAIN(PW_TEST(test_long_last_record_and_torn_tail),
             PW_TEST(test_chain_verifies_and_canonical_line),
             PW_TEST(test_tampering_detected_with_line), PW_TEST(test_torn_tail_cut_on_reopen),
             PW_TEST(test_concurrent_appends), PW_TEST(test_list_filters),
             PW_TEST(test_batch_lines_exact))
