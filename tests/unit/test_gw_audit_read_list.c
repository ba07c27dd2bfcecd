/* test_gw_audit_read_list.c — `audit list` verifies the chain as it reads: records before a
 * break are listed, the broken record and everything after it are not, and the error names
 * FILE:LINE as verify does (an edited record, a deleted one, a torn tail). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit.h"
#include "pw_test.h"

static void temp_path(char *out, size_t cap, const char *tag)
{
    snprintf(out, cap, "/tmp/pw_audit_list_%s_%d.log", tag, (int)getpid());
    unlink(out);
}

static void write_log(const char *path, int n)
{
    pw_audit *a = NULL;
    pw_err err = {0};
    if (pw_audit_open(path, &a, &err) != PW_OK) {
        fprintf(stderr, "%s\n", err.msg);
        return;
    }
    for (int i = 1; i <= n; i++) {
        char id[32];
        snprintf(id, sizeof id, "ev-%04d", i);
        pw_audit_record r = {.time_ms = 1795000000000LL + i * 1000LL,
                             .event_id = id,
                             .event_name = "Schedule",
                             .destination = "meta",
                             .action = PW_AUDIT_SENT,
                             .rule = "events.appointment_request",
                             .http_status = 200};
        pw_audit_append(a, &r, &err);
    }
    pw_audit_close(a);
}

/* Replace the first `from` on line `lineno` (1-based) with `to` (same length or not). */
static void edit_line(const char *path, int lineno, const char *from, const char *to, int drop)
{
    FILE *f = fopen(path, "rb");
    char buf[65536];
    size_t len = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
    if (f)
        fclose(f);
    buf[len] = '\0';
    f = fopen(path, "wb");
    int line = 1;
    for (char *p = buf; *p;) {
        char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) + 1 : strlen(p);
        char *hit = line == lineno ? strstr(p, from) : NULL;
        if (line == lineno && drop) {
            /* deleted */
        } else if (hit && hit < p + n) {
            fwrite(p, 1, (size_t)(hit - p), f);
            fputs(to, f);
            fwrite(hit + strlen(from), 1, n - (size_t)(hit - p) - strlen(from), f);
        } else {
            fwrite(p, 1, n, f);
        }
        p += n;
        line++;
    }
    fclose(f);
}

typedef struct seen {
    int n;
    char last[32];
} seen;

static int count(const pw_audit_entry *e, void *ctx)
{
    seen *s = ctx;
    s->n++;
    snprintf(s->last, sizeof s->last, "%s", e->event_id ? e->event_id : "");
    return 0;
}

static void test_intact_lists_all(void)
{
    char path[256];
    temp_path(path, sizeof path, "ok");
    write_log(path, 5);
    seen s = {0};
    pw_err err = {0};
    CHECK_INT(pw_audit_list_file(path, NULL, count, &s, &err), PW_OK);
    CHECK_INT(s.n, 5);
    unlink(path);
}

static void test_edit_stops_listing(void)
{
    char path[256];
    temp_path(path, sizeof path, "edit");
    write_log(path, 5);
    edit_line(path, 3, "\"Schedule\"", "\"Schedul3\"", 0);
    seen s = {0};
    pw_err err = {0};
    CHECK_INT(pw_audit_list_file(path, NULL, count, &s, &err), PW_ERR_INVALID);
    CHECK_INT(s.n, 2); /* records 1 and 2; the edited one is not handed out */
    CHECK_STR(s.last, "ev-0002");
    char want[320];
    snprintf(want, sizeof want, "%s:3: seq 3: hash mismatch: record edited", path);
    CHECK_STR(err.msg, want);
    unlink(path);
}

static void test_deletion_and_torn_tail(void)
{
    char path[256];
    temp_path(path, sizeof path, "del");
    write_log(path, 4);
    edit_line(path, 2, "", "", 1);
    seen s = {0};
    pw_err err = {0};
    CHECK_INT(pw_audit_list_file(path, NULL, count, &s, &err), PW_ERR_INVALID);
    CHECK_INT(s.n, 1);
    CHECK(strstr(err.msg, ":2: seq 2: found seq 3: record(s) deleted or reordered") != NULL);
    temp_path(path, sizeof path, "torn");
    write_log(path, 2);
    FILE *f = fopen(path, "ab");
    fputs("{\"seq\":3,\"time\":", f);
    fclose(f);
    memset(&s, 0, sizeof s);
    CHECK_INT(pw_audit_list_file(path, NULL, count, &s, &err), PW_ERR_INVALID);
    CHECK_INT(s.n, 2);
    CHECK(strstr(err.msg, ":3: seq 3: last record has no newline (truncated)") != NULL);
    unlink(path);
}

/* A filter does not skip verification: a break before the first match still stops the list. */
static void test_filter_still_verifies(void)
{
    char path[256];
    temp_path(path, sizeof path, "filter");
    write_log(path, 4);
    edit_line(path, 1, "\"Schedule\"", "\"Lead\"", 0);
    seen s = {0};
    pw_err err = {0};
    pw_audit_filter flt = {.event_id = "ev-0004"};
    CHECK_INT(pw_audit_list_file(path, &flt, count, &s, &err), PW_ERR_INVALID);
    CHECK_INT(s.n, 0);
    unlink(path);
}

PW_TEST_MAIN(PW_TEST(test_intact_lists_all), PW_TEST(test_edit_stops_listing),
             PW_TEST(test_deletion_and_torn_tail), PW_TEST(test_filter_still_verifies))
