/*
 * audit_hold.c — ingest audit records kept in the spool across a stop (see audit_hold.h). A
 * record is stored as one JSON object with short keys: t time_ms, a action, e event_id, n
 * event_name, d destination, r rule, f fields_json (as a string), s payload_sha256, h
 * http_status, x detail; absent members are left out. Records a failed sync cut from the log
 * (pw_audit_hold_cut) are held in that form too when it gives back the very line the log wrote,
 * so that a phiwall that knows only this kind restores them; else as {"l":"…"}, the line as the
 * log wrote it. {"m":{…}}: where the log ended when a restore began appending (hold_mark). A
 * restore that finds a line of another kind keeps them all (take_line).
 */
#include "audit_hold.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit_internal.h"
#include "gw_json.h"

static void put_str(pw_buf *b, const char *key, const char *v)
{
    if (!v)
        return;
    pw_buf_printf(b, ",\"%s\":", key);
    pw_buf_json_string(b, v, strlen(v));
}

/* Keep n lines in the spool (one synced transaction); next(ctx, b) writes the next one into b. */
static pw_status hold_each(pw_spool *s, size_t n, pw_status (*next)(void *ctx, pw_buf *b),
                           void *ctx, pw_err *err)
{
    pw_buf *bufs = calloc(n ? n : 1, sizeof *bufs);
    const char **lines = calloc(n ? n : 1, sizeof *lines);
    pw_status st = bufs && lines ? PW_OK : pw_err_set(err, PW_ERR_NOMEM, "out of memory");
    for (size_t i = 0; st == PW_OK && i < n; i++) {
        pw_buf_init(&bufs[i]);
        if ((st = next(ctx, &bufs[i])) != PW_OK)
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

/* r as a held line (the short keys above). */
static pw_status put_record(pw_buf *b, const pw_audit_record *r)
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

static pw_status next_record(void *ctx, pw_buf *b)
{
    const pw_audit_record **at = ctx;
    return put_record(b, (*at)++);
}

pw_status pw_audit_hold_in_spool(pw_spool *s, const pw_audit_record *recs, size_t n, pw_err *err)
{
    return hold_each(s, n, next_record, &recs, err);
}

static int int_of(yajl_val v, const char *key, long long *out)
{
    yajl_val m = pw_gw_json_get(v, key);
    if (!m || !YAJL_IS_INTEGER(m))
        return 0;
    *out = YAJL_GET_INTEGER(m);
    return 1;
}

/* Whether every member of v is one of a record's (a newer phiwall's record with a member more
 * would lose it here). */
static int record_members_known(yajl_val v)
{
    for (size_t i = 0; i < v->u.object.len; i++) {
        const char *k = v->u.object.keys[i];
        if (strlen(k) != 1 || !strchr("taenrdfsxh", k[0]))
            return 0;
    }
    return 1;
}

/* One kept line back into a record (its strings point into the tree). 0 when malformed, or of
 * an action or with a member this phiwall does not know. */
static int record_of(yajl_val v, pw_audit_record *r)
{
    long long t, a, h;
    if (!YAJL_IS_OBJECT(v) || !record_members_known(v) || !int_of(v, "t", &t) ||
        !int_of(v, "a", &a) || !int_of(v, "h", &h) || a < 0 || a > PW_AUDIT_SENDING)
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

/* ---- restoring: exactly once ------------------------------------------------------------- */

/* The records to restore, as lines of the log (seq and prev_hash are set anew when appended). */
typedef struct pending {
    pw_buf lines;
    size_t n;
} pending;

/* Drop the first k lines of p. */
static void drop_first(pending *p, size_t k)
{
    if (!k)
        return;
    const char *at = p->lines.data;
    for (size_t i = 0; i < k; i++)
        at = memchr(at, '\n', p->lines.len - (size_t)(at - p->lines.data)) + 1;
    size_t gone = (size_t)(at - p->lines.data);
    memmove(p->lines.data, at, p->lines.len - gone);
    p->lines.len -= gone;
    p->n -= k;
}

/* How many of p's first lines the log holds, in order, right after the head a mark recorded (the
 * records a restore appended from there before it was stopped): same middle, seq and prev_hash
 * following on from the mark. Records of anything else there (the restore failed and the
 * gateway ran on) match none. */
static size_t count_present(pw_audit *a, uint64_t seq, const char *hash, long long off,
                            const pending *p)
{
    pw_buf win;
    pw_buf_init(&win);
    size_t k = 0;
    if (pw_audit_read_at(a, off, p->lines.len + p->n * 24, &win, NULL) != PW_OK) {
        pw_buf_free(&win);
        return 0;
    }
    char prev[65];
    snprintf(prev, sizeof prev, "%s", hash);
    const char *at = win.data, *end = win.data + win.len, *q = p->lines.data;
    for (; k < p->n && at < end; k++) {
        const char *nl = memchr(at, '\n', (size_t)(end - at));
        const char *qnl = memchr(q, '\n', p->lines.len - (size_t)(q - p->lines.data));
        const char *mid, *qmid;
        size_t mid_len, qmid_len;
        uint64_t s;
        char h[65], ph[65];
        if (!nl || !qnl || pw_audit_parse_chain_link(at, (size_t)(nl - at), &s, h, NULL) != PW_OK ||
            s != seq + 1 + k || !pw_audit_line_middle(at, (size_t)(nl - at), &mid, &mid_len) ||
            !pw_audit_line_middle(q, (size_t)(qnl - q), &qmid, &qmid_len))
            break;
        pw_audit_line_prev_hash(at, (size_t)(nl - at), ph);
        if (strcmp(ph, prev) != 0 || mid_len != qmid_len || memcmp(mid, qmid, mid_len) != 0)
            break;
        memcpy(prev, h, 65);
        at = nl + 1;
        q = qnl + 1;
    }
    pw_buf_free(&win);
    return k;
}

/* One kept line (the i-th, from 1): a record (added to p), a line of the log (added), or a mark
 * (the pending records the log already holds after it are dropped). A line of any other kind (a
 * newer phiwall's) or that cannot be read is an error: the restore appends nothing and deletes
 * nothing, so that a phiwall that knows the line can still restore it. */
static pw_status take_line(pw_audit *a, const char *line, size_t i, pending *p, pw_err *err)
{
    yajl_val v = pw_gw_json_parse(line, strlen(line), NULL, 0);
    yajl_val m = pw_gw_json_get(v, "m");
    const char *l = pw_gw_json_str(v, "l");
    pw_audit_record r;
    long long seq, off;
    const char *hash = pw_gw_json_str(m, "hash"), *mid;
    size_t mid_len;
    pw_status st = PW_OK;
    const char *what = v ? "a kind of line this phiwall does not know" : "not JSON";
    if (m && int_of(m, "seq", &seq) && int_of(m, "off", &off) && hash && strlen(hash) == 64) {
        drop_first(p, count_present(a, (uint64_t)seq, hash, off, p));
    } else if (l && pw_audit_line_middle(l, strlen(l), &mid, &mid_len)) {
        pw_buf_append(&p->lines, l, strlen(l));
        pw_buf_putc(&p->lines, '\n');
        p->n++;
    } else if (!m && !l && record_of(v, &r)) {
        st = pw_audit_format_line(a, &r, &p->lines);
        p->n += st == PW_OK;
    } else {
        st = PW_ERR_UNSUPPORTED;
    }
    yajl_tree_free(v);
    if (st == PW_ERR_UNSUPPORTED)
        return pw_err_set(err, st,
                          "held_audit line %zu: %s: nothing restored, every line kept (a newer "
                          "phiwall wrote it? run that one once to restore them)",
                          i, what);
    if (st == PW_OK && p->lines.failed)
        st = PW_ERR_NOMEM;
    return st != PW_OK ? pw_err_set(err, st, "out of memory") : PW_OK;
}

/* Kept before the records are appended: where the log ended, so that a restore stopped between
 * appending them and deleting them from the spool (a crash, kill -9) is not appended twice at the
 * next start (take_line: what follows the mark in the log is dropped). */
static pw_status hold_mark(pw_spool *s, pw_audit *a, pw_err *err)
{
    uint64_t seq;
    char hash[65], mark[160];
    long long end;
    pw_audit_head(a, &seq, hash, &end);
    snprintf(mark, sizeof mark, "{\"m\":{\"seq\":%llu,\"off\":%lld,\"hash\":\"%s\"}}",
             (unsigned long long)seq, end, hash);
    const char *line = mark;
    return pw_spool_hold_lines(s, &line, 1, err);
}

pw_status pw_audit_restore_from_spool(pw_spool *s, pw_audit *a, size_t *written, pw_err *err)
{
    char **lines = NULL;
    size_t n = 0;
    *written = 0;
    pw_status st = pw_spool_held_lines(s, &lines, &n, err);
    if (st != PW_OK || n == 0)
        return st;
    pending p = {.n = 0};
    pw_buf_init(&p.lines);
    for (size_t i = 0; st == PW_OK && i < n; i++)
        st = take_line(a, lines[i], i + 1, &p, err);
    pw_spool_names_free(lines, n);
    size_t marks = 0;
    if (st == PW_OK && p.n) {
        st = hold_mark(s, a, err);
        marks = st == PW_OK;
    }
    if (st == PW_OK && p.n)
        st = pw_audit_append_lines(a, &p.lines, err);
    if (st == PW_OK) {
        *written = p.n;
        st = pw_spool_held_clear(s, n + marks, err);
        if (st != PW_OK && p.n) /* the mark kept before the append tells the next start */
            pw_err_prefix(err,
                          "%zu record(s) appended to the audit log, but deleting them from the "
                          "spool failed (not appended again: the next start finds them in the "
                          "log): ",
                          p.n);
    }
    pw_buf_free(&p.lines);
    return st;
}

/* ---- at a stop: records a failed sync cut that the log could not write back ------------------ */

/* A line of the log (v: its tree) back into the record it was written from; fields: where a
 * fields object is written back as JSON. 0 when a member is not of the log's shape. */
static int record_of_log_line(yajl_val v, pw_audit_record *r, pw_buf *fields)
{
    const char *action = pw_gw_json_str(v, "action"), *time = pw_gw_json_str(v, "time");
    yajl_val f = pw_gw_json_get(v, "fields");
    long long h = 0;
    *r = (pw_audit_record){.event_id = pw_gw_json_str(v, "event_id"),
                           .event_name = pw_gw_json_str(v, "event_name"),
                           .destination = pw_gw_json_str(v, "destination"),
                           .rule = pw_gw_json_str(v, "rule"),
                           .fields_json = YAJL_IS_STRING(f) ? YAJL_GET_STRING(f) : NULL,
                           .payload_sha256 = pw_gw_json_str(v, "payload_sha256"),
                           .detail = pw_gw_json_str(v, "detail")};
    if (!action || !time || pw_audit_parse_time(time, &r->time_ms, NULL) != PW_OK)
        return 0;
    if (pw_gw_json_get(v, "http_status") && !int_of(v, "http_status", &h))
        return 0;
    r->http_status = (int)h;
    int a = 0;
    while (a <= PW_AUDIT_SENDING && strcmp(pw_audit_action_name((pw_audit_action)a), action))
        a++;
    r->action = (pw_audit_action)a;
    if (f && !YAJL_IS_STRING(f)) {
        pw_gw_json_emit(fields, f);
        r->fields_json = fields->data;
    }
    return a <= PW_AUDIT_SENDING && !fields->failed;
}

/* Whether rec, written by the log, gives back the very line (its middle: what counts). */
static int writes_back_as(pw_audit *a, const pw_audit_record *rec, const char *line, size_t n)
{
    pw_buf again;
    pw_buf_init(&again);
    const char *mid, *again_mid;
    size_t mid_len, again_len;
    int same = pw_audit_format_line_locked(a, rec, &again) == PW_OK && again.len &&
               pw_audit_line_middle(line, n, &mid, &mid_len) &&
               pw_audit_line_middle(again.data, again.len - 1, &again_mid, &again_len) &&
               mid_len == again_len && memcmp(mid, again_mid, mid_len) == 0;
    pw_buf_free(&again);
    return same;
}

/* The log's lines a failed sync cut, kept in the spool (hold_each): a->mu held. */
typedef struct log_lines {
    pw_spool *s;
    pw_audit *a;
    const char *at; /* the next line */
} log_lines;

/* The next of the log's lines (each ending in a newline) as a held record, like those ingest
 * holds, when the record gives back the same line: a phiwall older than the {"l":…} kind restores
 * it too (it skipped and deleted an {"l":…} line: lost on a downgrade). Else as {"l":"…"}. */
static pw_status next_log_line(void *ctx, pw_buf *b)
{
    log_lines *ll = ctx;
    const char *line = ll->at, *nl = strchr(line, '\n');
    size_t n = (size_t)(nl - line);
    ll->at = nl + 1;
    yajl_val v = pw_gw_json_parse(line, n, NULL, 0);
    pw_audit_record r;
    pw_buf fields;
    pw_buf_init(&fields);
    int as_record = v && record_of_log_line(v, &r, &fields) && writes_back_as(ll->a, &r, line, n);
    if (as_record)
        put_record(b, &r);
    yajl_tree_free(v);
    pw_buf_free(&fields);
    if (as_record)
        return b->failed ? PW_ERR_NOMEM : PW_OK;
    pw_buf_puts(b, "{\"l\":");
    pw_buf_json_string(b, line, n);
    return pw_buf_putc(b, '}');
}

static pw_status hold_log_lines(void *ctx, const char *lines, size_t len, pw_err *err)
{
    log_lines *ll = ctx;
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        n += lines[i] == '\n';
    ll->at = lines;
    return hold_each(ll->s, n, next_log_line, ll, err);
}

pw_status pw_audit_hold_cut(pw_spool *s, pw_audit *a, size_t *n, pw_err *err)
{
    log_lines ll = {.s = s, .a = a};
    return pw_audit_hand_over_cut(a, hold_log_lines, &ll, n, err);
}
