/*
 * audit_hold.c — ingest audit records kept in the spool across a stop (see audit_hold.h). A
 * record is stored as one JSON object with short keys: t time_ms, a action, e event_id, n
 * event_name, d destination, r rule, f fields_json (as a string), s payload_sha256, h
 * http_status, x detail; absent members are left out.
 */
#include "audit_hold.h"

#include <stdlib.h>
#include <string.h>

#include "gw_json.h"

static void put_str(pw_buf *b, const char *key, const char *v)
{
    if (!v)
        return;
    pw_buf_printf(b, ",\"%s\":", key);
    pw_buf_json_string(b, v, strlen(v));
}

static pw_status line_of(const pw_audit_record *r, pw_buf *b)
{
    pw_buf_printf(b, "{\"t\":%lld,\"a\":%d,\"h\":%d", (long long)r->time_ms, (int)r->action,
                  r->http_status);
    put_str(b, "e", r->event_id);
    put_str(b, "n", r->event_name);
    put_str(b, "d", r->destination);
    put_str(b, "r", r->rule);
    put_str(b, "f", r->fields_json);
    put_str(b, "s", r->payload_sha256);
    put_str(b, "x", r->detail);
    return pw_buf_putc(b, '}');
}

pw_status pw_audit_hold_in_spool(pw_spool *s, const pw_audit_record *recs, size_t n, pw_err *err)
{
    pw_buf *bufs = calloc(n ? n : 1, sizeof *bufs);
    const char **lines = calloc(n ? n : 1, sizeof *lines);
    pw_status st = bufs && lines ? PW_OK : pw_err_set(err, PW_ERR_NOMEM, "out of memory");
    for (size_t i = 0; st == PW_OK && i < n; i++) {
        pw_buf_init(&bufs[i]);
        if ((st = line_of(&recs[i], &bufs[i])) != PW_OK)
            pw_err_set(err, st, "out of memory");
        lines[i] = bufs[i].data;
    }
    if (st == PW_OK)
        st = pw_spool_hold_lines(s, lines, n, err);
    for (size_t i = 0; bufs && i < n; i++)
        pw_buf_free(&bufs[i]);
    free(bufs);
    free(lines);
    return st;
}

static int int_of(yajl_val v, const char *key, long long *out)
{
    yajl_val m = pw_gw_json_get(v, key);
    if (!m || !YAJL_IS_INTEGER(m))
        return 0;
    *out = YAJL_GET_INTEGER(m);
    return 1;
}

/* One kept line back into a record (its strings point into the tree). 0 when malformed. */
static int record_of(yajl_val v, pw_audit_record *r)
{
    long long t, a, h;
    if (!int_of(v, "t", &t) || !int_of(v, "a", &a) || !int_of(v, "h", &h) || a < 0 ||
        a > PW_AUDIT_SENDING)
        return 0;
    *r = (pw_audit_record){.time_ms = t,
                           .action = (pw_audit_action)a,
                           .http_status = (int)h,
                           .event_id = pw_gw_json_str(v, "e"),
                           .event_name = pw_gw_json_str(v, "n"),
                           .destination = pw_gw_json_str(v, "d"),
                           .rule = pw_gw_json_str(v, "r"),
                           .fields_json = pw_gw_json_str(v, "f"),
                           .payload_sha256 = pw_gw_json_str(v, "s"),
                           .detail = pw_gw_json_str(v, "x")};
    return 1;
}

static pw_status append_lines(pw_audit *a, char **lines, size_t n, pw_err *err)
{
    yajl_val *trees = calloc(n, sizeof *trees);
    pw_audit_record *recs = calloc(n, sizeof *recs);
    size_t k = 0;
    pw_status st = trees && recs ? PW_OK : pw_err_set(err, PW_ERR_NOMEM, "out of memory");
    for (size_t i = 0; st == PW_OK && i < n; i++) {
        trees[i] = pw_gw_json_parse(lines[i], strlen(lines[i]), NULL, 0);
        if (trees[i] && record_of(trees[i], &recs[k]))
            k++; /* a malformed line (never written by this file) is skipped */
    }
    if (st == PW_OK && k)
        st = pw_audit_append_batch(a, recs, k, err);
    for (size_t i = 0; trees && i < n; i++)
        yajl_tree_free(trees[i]);
    free(trees);
    free(recs);
    return st;
}

pw_status pw_audit_restore_from_spool(pw_spool *s, pw_audit *a, size_t *written, pw_err *err)
{
    char **lines = NULL;
    size_t n = 0;
    *written = 0;
    pw_status st = pw_spool_held_lines(s, &lines, &n, err);
    if (st != PW_OK || n == 0)
        return st;
    st = append_lines(a, lines, n, err);
    pw_spool_names_free(lines, n);
    if (st != PW_OK)
        return st;
    *written = n;
    return pw_spool_held_clear(s, n, err);
}
