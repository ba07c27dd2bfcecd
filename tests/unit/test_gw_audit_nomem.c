/*
 * test_gw_audit_nomem.c — a synced append (pw_audit_append_batch: a forwarder's "sending" intents
 * and, after the upstream answered, its "sent" outcomes) needs no allocation: with every malloc,
 * calloc and realloc refused, batches far larger than the log's buffer are written whole, each
 * record's fields map as the object it was given, and the chain verifies. Before, the batch
 * buffer was grown to the batch's size and a new fields map was parsed with yajl: the append
 * failed (the forwarder paused and retried until memory came back).
 *
 * TEST-ONLY fault injection: this executable defines malloc, calloc and realloc, which refuse
 * while `refuse` is set and otherwise call glibc's. Skipped under ASan (its runtime defines them).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit.h"
#include "pw_test.h"

#ifndef PW_TEST_ASAN
static int refuse; /* every allocation fails while set (this test is single-threaded) */

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);

void *malloc(size_t n)
{
    return refuse ? NULL : __libc_malloc(n);
}

void *calloc(size_t n, size_t size)
{
    return refuse ? NULL : __libc_calloc(n, size);
}

void *realloc(void *p, size_t n)
{
    return refuse ? NULL : __libc_realloc(p, n);
}

static size_t count_in_file(const char *path, const char *s)
{
    FILE *f = fopen(path, "r");
    char line[4096];
    size_t n = 0;
    while (f && fgets(line, sizeof line, f))
        n += strstr(line, s) != NULL;
    if (f)
        fclose(f);
    return n;
}
#endif

#define N_SENT 300 /* ~600 bytes each: about three times the log's 64 KiB buffer */

static void test_synced_batches_allocate_nothing(void)
{
#ifndef PW_TEST_ASAN
    char path[128];
    snprintf(path, sizeof path, "/tmp/gw_audit_nomem_%d.log", (int)getpid());
    unlink(path);
    pw_audit *a = NULL;
    CHECK_INT(pw_audit_open(path, &a, NULL), PW_OK);
    static pw_audit_record recs[N_SENT];
    static char ids[N_SENT][40];
    for (int i = 0; i < N_SENT; i++) {
        snprintf(ids[i], sizeof ids[i], "00000000-0000-4000-8000-%012d", i);
        recs[i] = (pw_audit_record){
            .time_ms = 1795000000000LL + i,
            .event_id = ids[i],
            .event_name = "Lead",
            .destination = "meta",
            .action = PW_AUDIT_SENT,
            .rule = "meta",
            .fields_json =
                "{\"em\":\"user_data: hashed\",\"value\":\"allow_params\",\"n\":[1,-2.5e3,"
                "true,null]}",
            .payload_sha256 = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            .http_status = 200,
            .detail = "fbtrace_id AbCdEf0123456789 events_received 300"};
    }
    refuse = 1;
    pw_status first = pw_audit_append_batch(a, recs, N_SENT, NULL);
    pw_status second = pw_audit_append_batch(a, recs, N_SENT, NULL);
    refuse = 0;
    CHECK_INT(first, PW_OK);
    CHECK_INT(second, PW_OK);
    pw_audit_close(a);
    pw_audit_verify_result vr;
    CHECK_INT(pw_audit_verify_file(path, &vr, NULL), PW_OK);
    CHECK_INT(vr.records, 2 * N_SENT);
    CHECK_INT(count_in_file(path, "\"fields\":{\"em\":\"user_data: hashed\",\"value\":"
                                  "\"allow_params\",\"n\":[1,-2.5e3,true,null]},"),
              2 * N_SENT);
    unlink(path);
#endif
}

int main(void)
{
#ifdef PW_TEST_ASAN
    (void)test_synced_batches_allocate_nothing; /* its fault injection does not work here */
    printf("skipped: ASan's runtime defines malloc\n");
    return 77;
#else
    static const pw_test_case cases[] = {PW_TEST(test_synced_batches_allocate_nothing)};
    return pw_test_run(cases, sizeof cases / sizeof cases[0]);
#endif
}
