/*
 * audit_read.c — reading the accounting of disclosures (format in audit.c): verification of the
 * hash chain (first broken record reported as FILE:LINE) and filtered listing, which verifies the
 * chain as it reads and never hands out a record past a break. Input is treated
 * as untrusted bytes: anything malformed is a verification failure, never a crash
 * (tests/fuzz/fuzz_gw_audit.c).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "audit.h"
#include "audit_internal.h"
#include "gw_json.h"

#define HASH_PREFIX     ",\"hash\":\""
#define HASH_PREFIX_LEN (sizeof HASH_PREFIX - 1)

static int is_hex64(const char *s)
{
    for (int i = 0; i < 64; i++)
        if (!isxdigit((unsigned char)s[i]) || isupper((unsigned char)s[i]))
            return 0;
    return 1;
}

int pw_audit_split_line(const char *line, size_t n, size_t *body_len, char hash[65])
{
    size_t suffix = HASH_PREFIX_LEN + 64 + 2;
    if (n < suffix + 1)
        return 0;
    const char *p = line + n - suffix;
    if (memcmp(p, HASH_PREFIX, HASH_PREFIX_LEN) != 0 || memcmp(line + n - 2, "\"}", 2) != 0)
        return 0;
    if (!is_hex64(p + HASH_PREFIX_LEN))
        return 0;
    memcpy(hash, p + HASH_PREFIX_LEN, 64);
    hash[64] = '\0';
    *body_len = n - suffix;
    return 1;
}

/* Parse the canonical body (closed with '}') as a JSON object. */
static yajl_val parse_body(const char *line, size_t body_len)
{
    char *obj = malloc(body_len + 1);
    if (!obj)
        return NULL;
    memcpy(obj, line, body_len);
    obj[body_len] = '}';
    yajl_val v = pw_gw_json_parse(obj, body_len + 1, NULL, 0);
    free(obj);
    if (v && !YAJL_IS_OBJECT(v)) {
        yajl_tree_free(v);
        return NULL;
    }
    return v;
}

static int get_seq(yajl_val body, uint64_t *seq)
{
    yajl_val v = pw_gw_json_get(body, "seq");
    if (!YAJL_IS_INTEGER(v) || YAJL_GET_INTEGER(v) < 1)
        return 0;
    *seq = (uint64_t)YAJL_GET_INTEGER(v);
    return 1;
}

pw_status pw_audit_parse_chain_link(const char *line, size_t n, uint64_t *seq, char hash[65],
                                    pw_err *err)
{
    size_t body_len;
    if (!pw_audit_split_line(line, n, &body_len, hash))
        return pw_err_set(err, PW_ERR_PARSE, "not a record (no trailing \"hash\")");
    yajl_val body = parse_body(line, body_len);
    int ok = body && get_seq(body, seq);
    yajl_tree_free(body);
    return ok ? PW_OK : pw_err_set(err, PW_ERR_PARSE, "not a record (bad JSON or seq)");
}

/* ---- verification -------------------------------------------------------------------------- */

typedef struct verifier {
    const char *name;
    uint64_t seq; /* of the last good record */
    char hash[65];
    pw_audit_verify_result *res;
} verifier;

static void verifier_init(verifier *v, const char *name, pw_audit_verify_result *res)
{
    memset(res, 0, sizeof *res);
    v->name = name;
    v->seq = 0;
    memset(v->hash, '0', 64);
    v->hash[64] = '\0';
    v->res = res;
}

static pw_status broken_seq(verifier *v, size_t lineno, pw_err *err, const char *what,
                            uint64_t found)
{
    v->res->bad_line = lineno;
    v->res->bad_seq = v->seq + 1;
    if (found)
        return pw_err_set(err, PW_ERR_INVALID, "%s:%zu: seq %llu: found seq %llu: %s", v->name,
                          lineno, (unsigned long long)(v->seq + 1), (unsigned long long)found,
                          what);
    return pw_err_set(err, PW_ERR_INVALID, "%s:%zu: seq %llu: %s", v->name, lineno,
                      (unsigned long long)(v->seq + 1), what);
}

static pw_status broken(verifier *v, size_t lineno, pw_err *err, const char *what)
{
    return broken_seq(v, lineno, err, what, 0);
}

/* Check that seq and prev_hash link this record to the previous one. */
static pw_status check_link(verifier *v, yajl_val body, size_t lineno, pw_err *err)
{
    uint64_t seq;
    if (!get_seq(body, &seq))
        return broken(v, lineno, err, "record has no valid \"seq\"");
    const char *prev = pw_gw_json_str(body, "prev_hash");
    if (!prev || strlen(prev) != 64)
        return broken(v, lineno, err, "record has no valid \"prev_hash\"");
    if (v->seq == 0 && seq > 1) /* the chain was continued from an earlier file */
        return broken_seq(v, lineno, err,
                          "the first record links to a previous file (a rotated or moved log, or "
                          "a chain_continued record): verify the files together, oldest first",
                          seq);
    if (seq <= v->seq)
        return broken_seq(v, lineno, err, "records reordered or replayed", seq);
    if (seq > v->seq + 1)
        return broken_seq(v, lineno, err, "record(s) deleted or reordered", seq);
    if (strcmp(prev, v->hash) != 0)
        return broken(v, lineno, err, "prev_hash does not match the previous record");
    return PW_OK;
}

static pw_status verify_line(verifier *v, const char *line, size_t n, size_t lineno, pw_err *err)
{
    size_t body_len;
    char hash[65];
    if (!pw_audit_split_line(line, n, &body_len, hash))
        return broken(v, lineno, err, "malformed record (no trailing \"hash\")");
    yajl_val body = parse_body(line, body_len);
    if (!body)
        return broken(v, lineno, err, "malformed record (not a JSON object)");
    pw_status st = check_link(v, body, lineno, err);
    yajl_tree_free(body);
    if (st != PW_OK)
        return st;
    char want[65];
    pw_audit_chain_hash(v->hash, line, body_len, want);
    if (strcmp(want, hash) != 0)
        return broken(v, lineno, err, "hash mismatch: record edited");
    v->seq++;
    memcpy(v->hash, hash, 65);
    v->res->records = v->seq;
    memcpy(v->res->head_hash, hash, 65);
    return PW_OK;
}

pw_status pw_audit_verify_buf(const char *data, size_t len, const char *name,
                              pw_audit_verify_result *res, pw_err *err)
{
    verifier v;
    verifier_init(&v, name ? name : "audit", res);
    size_t lineno = 0, off = 0;
    while (off < len) {
        const char *nl = memchr(data + off, '\n', len - off);
        lineno++;
        if (!nl)
            return broken(&v, lineno, err, "last record has no newline (truncated)");
        pw_status st = verify_line(&v, data + off, (size_t)(nl - (data + off)), lineno, err);
        if (st != PW_OK)
            return st;
        off = (size_t)(nl - data) + 1;
    }
    return PW_OK;
}

/* One file of the chain, onto what v verified before it. */
static pw_status verify_one(verifier *v, const char *path, pw_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return pw_err_set(err, PW_ERR_IO, "%s: %s", path, strerror(errno));
    v->name = path;
    char *line = NULL;
    size_t cap = 0, lineno = 0;
    ssize_t n;
    pw_status st = PW_OK;
    while (st == PW_OK && (n = getline(&line, &cap, f)) > 0) {
        lineno++;
        if (line[n - 1] != '\n')
            st = broken(v, lineno, err, "last record has no newline (truncated)");
        else
            st = verify_line(v, line, (size_t)n - 1, lineno, err);
    }
    if (st == PW_OK && ferror(f))
        st = pw_err_set(err, PW_ERR_IO, "%s: read error", path);
    free(line);
    fclose(f);
    return st;
}

pw_status pw_audit_verify_file(const char *path, pw_audit_verify_result *res, pw_err *err)
{
    return pw_audit_verify_files(&path, 1, res, err);
}

pw_status pw_audit_verify_files(const char *const *paths, size_t n, pw_audit_verify_result *res,
                                pw_err *err)
{
    verifier v;
    verifier_init(&v, n ? paths[0] : "audit", res);
    pw_status st = PW_OK;
    for (size_t i = 0; i < n && st == PW_OK; i++)
        st = verify_one(&v, paths[i], err);
    return st;
}

/* ---- listing ------------------------------------------------------------------------------- */

pw_status pw_audit_parse_time(const char *s, int64_t *ms, pw_err *err)
{
    struct tm tm = {0};
    int frac = 0;
    const char *p = strptime(s, "%Y-%m-%d", &tm);
    if (p && *p == 'T')
        p = strptime(p + 1, "%H:%M:%S", &tm);
    if (p && *p == '.') {
        int digits = 0;
        for (p++; isdigit((unsigned char)*p); p++, digits++)
            if (digits < 3)
                frac = frac * 10 + (*p - '0');
        for (; digits < 3; digits++)
            frac *= 10;
    }
    if (p && (*p == 'Z' || *p == 'z'))
        p++;
    if (!p || *p)
        return pw_err_set(err, PW_ERR_INVALID,
                          "time \"%s\": expected YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS[.mmm]Z", s);
    *ms = (int64_t)timegm(&tm) * 1000 + frac;
    return PW_OK;
}

static const char *str_or_null(yajl_val rec, const char *key)
{
    return pw_gw_json_str(rec, key);
}

static int passes(const pw_audit_filter *f, const pw_audit_entry *e)
{
    if (!f)
        return 1;
    if (f->since_ms && e->time_ms < f->since_ms)
        return 0;
    if (f->event_id && (!e->event_id || strcasecmp(f->event_id, e->event_id) != 0))
        return 0;
    if (f->destination && (!e->destination || strcmp(f->destination, e->destination) != 0))
        return 0;
    return 1;
}

/* Build the entry for one line and hand it to fn if it passes; *stop set when fn says so. */
static pw_status list_line(const char *path, char *line, size_t n, size_t lineno,
                           const pw_audit_filter *f, pw_audit_list_fn fn, void *ctx, int *stop,
                           pw_err *err)
{
    yajl_val rec = pw_gw_json_parse(line, n, NULL, 0);
    if (!YAJL_IS_OBJECT(rec)) {
        yajl_tree_free(rec);
        return pw_err_set(err, PW_ERR_PARSE, "%s:%zu: not a JSON record", path, lineno);
    }
    pw_audit_entry e = {.line = line, .line_len = n, .lineno = lineno};
    get_seq(rec, &e.seq);
    e.time = str_or_null(rec, "time");
    if (!e.time || pw_audit_parse_time(e.time, &e.time_ms, NULL) != PW_OK)
        e.time_ms = 0;
    e.action = str_or_null(rec, "action");
    e.event_id = str_or_null(rec, "event_id");
    e.event_name = str_or_null(rec, "event_name");
    e.destination = str_or_null(rec, "destination");
    e.rule = str_or_null(rec, "rule");
    e.payload_sha256 = str_or_null(rec, "payload_sha256");
    e.detail = str_or_null(rec, "detail");
    yajl_val status = pw_gw_json_get(rec, "http_status");
    e.http_status = YAJL_IS_INTEGER(status) ? (int)YAJL_GET_INTEGER(status) : 0;
    pw_buf fields;
    pw_buf_init(&fields);
    yajl_val fv = pw_gw_json_get(rec, "fields");
    if (fv) {
        pw_gw_json_emit(&fields, fv);
        e.fields_json = fields.data;
    }
    if (passes(f, &e))
        *stop = fn(&e, ctx);
    pw_buf_free(&fields);
    yajl_tree_free(rec);
    return PW_OK;
}

/* Listing verifies the chain as it reads (the same checks as pw_audit_verify_file): a record is
 * handed to fn only once it and every record before it are verified, and the listing stops at the
 * first broken record with PW_ERR_INVALID, "FILE:LINE: seq N: what is wrong". */
pw_status pw_audit_list_file(const char *path, const pw_audit_filter *filter, pw_audit_list_fn fn,
                             void *ctx, pw_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return pw_err_set(err, PW_ERR_IO, "%s: %s", path, strerror(errno));
    pw_audit_verify_result res;
    verifier v;
    verifier_init(&v, path, &res);
    char *line = NULL;
    size_t cap = 0, lineno = 0;
    ssize_t n;
    int stop = 0;
    pw_status st = PW_OK;
    while (st == PW_OK && !stop && (n = getline(&line, &cap, f)) > 0) {
        lineno++;
        if (line[n - 1] != '\n') {
            st = broken(&v, lineno, err, "last record has no newline (truncated)");
            break;
        }
        line[--n] = '\0';
        st = verify_line(&v, line, (size_t)n, lineno, err);
        if (st == PW_OK)
            st = list_line(path, line, (size_t)n, lineno, filter, fn, ctx, &stop, err);
    }
    if (st == PW_OK && ferror(f))
        st = pw_err_set(err, PW_ERR_IO, "%s: read error", path);
    free(line);
    fclose(f);
    return st;
}
