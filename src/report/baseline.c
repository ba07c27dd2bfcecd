/*
 * baseline.c — an earlier scan's JSON report, read back to compare a new scan with it. The report
 * is streamed through yajl's event parser and only what a comparison shows is kept (target,
 * capture time, each finding's fingerprint, rule, severity, context, tracker, account, page): a
 * report of a large crawl holds every finding's request and evidence, which are skipped unread.
 * What is kept of each finding is a record, in memory up to BASELINE_MEM bytes and past that in
 * an unlinked temporary file (assess/spill.h): a 20,000-page baseline of 120,000 findings took
 * ~530 bytes a finding in memory (its strings and the comparison's copies), whatever the scan.
 * The comparison keys each finding in 16 bytes (a 96-bit hash of its fingerprint, its severity
 * and position), pairs each scan finding with them as its fingerprint is made (only those whose
 * fingerprint is there at another severity wait). The absent findings, which the reports list,
 * are looked at once each (gone or not rechecked: was their page visited, a page hash keyed per
 * run) and kept as where their records are, 8 bytes each: the reports read them back one at a
 * time (pw_baseline_reader), a 20,000-page baseline's 120,000 against a small scan decoded at
 * once were ~830 bytes each. Up to BASELINE_KEYS baseline findings are keyed in memory; past that
 * both sides' keys go to buckets by fingerprint in a temporary file, compared one bucket at a time
 * (~256 KiB a side), with the same outcome: 600,000 findings held 9.6 MiB of keys at once.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_parse.h>

#include "phiwall/arena.h"
#include "phiwall/baseline.h"
#include "phiwall/json_reserve.h"
#include "phiwall/text.h"
#include "assess/spill.h"
#include "phiwall/url.h"
#include "report/report_internal.h"

/* What a comparison reads sits at most 4 levels deep (findings[i].vendor.product); keys are
 * remembered that deep, in place, and only up to KEY_MAX - 1 bytes: every key matched is
 * shorter, so a longer one is kept as "" (it matches none). Nothing per key is allocated. */
#define KEY_LEVELS 4
#define KEY_MAX    16

/* Bytes of finding records kept in memory before the rest go to the temporary file (a test
 * build may set it: 1 puts every record there). */
#ifndef BASELINE_MEM
#define BASELINE_MEM (64u * 1024)
#endif

struct pw_baseline {
    pw_arena arena;
    const char *name, *target, *captured, *tool, *source;
    size_t n;
    int saw_findings;
    size_t mem_max; /* BASELINE_MEM, or a test's */
    /* Each finding as a record (enc_finding): the first BASELINE_MEM bytes of them in mem
     * (u32 length, then the record), the rest in spill (n_spilled of them, from position 1). */
    pw_buf mem;
    pw_spill *spill;
    size_t n_spilled;
    /* pw_baseline_at's findings, read back whole on its first call (NULL until then) */
    pw_baseline_finding *all;
};

/* Where the parser is: one frame per open object or array, the last key of each object. */
typedef struct parse_state {
    pw_baseline *b;
    int depth;
    char is_map[KEY_LEVELS + 1];
    char key[KEY_LEVELS + 1][KEY_MAX]; /* the last key of each open object */
    pw_baseline_finding cur;           /* the finding being read (depth 3 under "findings") */
    const char *severity;
    size_t index; /* of the finding being read */
    pw_arena fa;  /* the finding's strings, until its record is kept */
    pw_buf rec;   /* its record */
    pw_status fail;
    char why[400];
} parse_state;

static void parse_state_init(parse_state *p, pw_baseline *b)
{
    memset(p, 0, sizeof *p);
    p->b = b;
    pw_arena_init(&p->fa, 0);
    pw_buf_init(&p->rec);
}

static void parse_state_done(parse_state *p)
{
    pw_arena_free(&p->fa);
    pw_buf_free(&p->rec);
}

static int key_is(const parse_state *p, int depth, const char *k)
{
    return depth >= 1 && depth <= p->depth && depth <= KEY_LEVELS && strcmp(p->key[depth], k) == 0;
}

/* Inside root.findings[i] (the finding object is depth 3). */
static int in_finding(const parse_state *p)
{
    return p->depth >= 3 && key_is(p, 1, "findings") && !p->is_map[2] && p->is_map[3];
}

/* Record why parsing stops; 0 tells yajl to stop. */
static int stop(parse_state *p, pw_status code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int stop(parse_state *p, pw_status code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->why, sizeof p->why, fmt, ap);
    va_end(ap);
    p->fail = code;
    return 0;
}

/* The member a string at the parser's position fills, or NULL for what a comparison skips. */
static const char **slot_of(parse_state *p)
{
    if (p->depth == 1 && key_is(p, 1, "target"))
        return &p->b->target;
    if (p->depth == 1 && key_is(p, 1, "source"))
        return &p->b->source;
    if (p->depth == 2 && key_is(p, 1, "tool") && key_is(p, 2, "name"))
        return &p->b->tool;
    if (p->depth == 2 && key_is(p, 1, "captured") && key_is(p, 2, "first"))
        return &p->b->captured;
    if (p->depth == 3 && in_finding(p)) {
        if (key_is(p, 3, "fingerprint"))
            return &p->cur.fingerprint;
        if (key_is(p, 3, "rule_id"))
            return &p->cur.rule_id;
        if (key_is(p, 3, "severity"))
            return &p->severity;
        if (key_is(p, 3, "account_id"))
            return &p->cur.account_id;
        if (key_is(p, 3, "context"))
            return &p->cur.context;
    }
    if (p->depth == 4 && in_finding(p)) {
        if (key_is(p, 3, "vendor") && key_is(p, 4, "product"))
            return &p->cur.tracker;
        if (key_is(p, 3, "vendor") && key_is(p, 4, "id"))
            return &p->cur.tracker_id;
        if (key_is(p, 3, "page") && key_is(p, 4, "url"))
            return &p->cur.page_url;
    }
    return NULL;
}

static int on_string(void *ctx, const unsigned char *s, size_t n)
{
    parse_state *p = ctx;
    const char **slot = slot_of(p);
    if (!slot)
        return 1;
    *slot = pw_arena_strndup(p->depth >= 3 ? &p->fa : &p->b->arena, (const char *)s, n);
    return *slot ? 1 : stop(p, PW_ERR_NOMEM, "out of memory");
}

static int on_integer(void *ctx, long long v)
{
    parse_state *p = ctx;
    if (p->depth == 3 && in_finding(p) && key_is(p, 3, "occurrences") && v > 0)
        p->cur.occurrences = (size_t)v;
    return 1;
}

static int on_double(void *ctx, double v)
{
    (void)ctx;
    (void)v;
    return 1;
}

static int on_scalar(void *ctx)
{
    (void)ctx;
    return 1;
}

static int on_bool(void *ctx, int v)
{
    (void)v;
    return on_scalar(ctx);
}

static int open_frame(parse_state *p, int is_map)
{
    if (p->depth == 0 && !is_map)
        return stop(p, PW_ERR_INVALID, "not a phiwall JSON report: the document is an array");
    if (p->depth >= PW_JSON_MAX_DEPTH) /* yajl's state stack must fit its reserve */
        return stop(p, PW_ERR_LIMIT, "nested deeper than %d levels", PW_JSON_MAX_DEPTH);
    p->depth++;
    if (p->depth <= KEY_LEVELS) {
        p->is_map[p->depth] = (char)is_map;
        p->key[p->depth][0] = '\0';
    }
    if (p->depth == 2 && key_is(p, 1, "findings")) {
        if (is_map)
            return stop(p, PW_ERR_INVALID, "findings: must be an array");
        p->b->saw_findings = 1;
    }
    if (p->depth == 3 && in_finding(p)) {
        memset(&p->cur, 0, sizeof p->cur);
        p->severity = NULL;
        pw_arena_reset(&p->fa);
    }
    return 1;
}

static int on_start_map(void *ctx)
{
    return open_frame(ctx, 1);
}

static int on_start_array(void *ctx)
{
    return open_frame(ctx, 0);
}

static int on_key(void *ctx, const unsigned char *s, size_t n)
{
    parse_state *p = ctx;
    if (p->depth < 1 || p->depth > KEY_LEVELS)
        return 1;
    char *k = p->key[p->depth];
    if (n >= KEY_MAX)
        n = 0;
    memcpy(k, s, n);
    k[n] = '\0';
    return 1;
}

/* ---- the findings' records ---- */

#define NULL_LEN UINT32_MAX

static void put_str(pw_buf *b, const char *s)
{
    uint32_t n = s ? (uint32_t)strlen(s) : NULL_LEN;
    pw_buf_append(b, &n, sizeof n);
    if (s)
        pw_buf_append(b, s, n);
}

/* A finding as a record: severity, occurrences, then its strings in the order of
 * pw_baseline_finding (a u32 length, NULL_LEN for NULL, and the bytes). */
static void enc_finding(pw_buf *b, const pw_baseline_finding *f)
{
    unsigned char sev = (unsigned char)f->severity;
    uint64_t occ = f->occurrences;
    pw_buf_append(b, &sev, 1);
    pw_buf_append(b, &occ, sizeof occ);
    const char *strs[] = {f->fingerprint, f->rule_id,  f->tracker, f->tracker_id,
                          f->account_id,  f->page_url, f->context};
    for (size_t i = 0; i < sizeof strs / sizeof *strs; i++)
        put_str(b, strs[i]);
}

/* The next string of a record at *at (bounds checked): 0, or -1 when the record is damaged. */
static int get_str(const unsigned char *p, size_t n, size_t *at, const char **s, size_t *len)
{
    uint32_t l;
    if (n - *at < sizeof l)
        return -1;
    memcpy(&l, p + *at, sizeof l);
    *at += sizeof l;
    if (l == NULL_LEN) {
        *s = NULL;
        *len = 0;
        return 0;
    }
    if (n - *at < l)
        return -1;
    *s = (const char *)p + *at;
    *len = l;
    *at += l;
    return 0;
}

/* A record's severity and fingerprint (in place, fp_len bytes up to any NUL, as the parser's
 * strings end); -1 when damaged. */
static int dec_key(const unsigned char *p, size_t n, int *severity, const char **fp, size_t *fp_len)
{
    size_t at = 1 + sizeof(uint64_t);
    if (n < at || get_str(p, n, &at, fp, fp_len) != 0)
        return -1;
    *severity = p[0];
    *fp_len = *fp ? strnlen(*fp, *fp_len) : 0;
    return 0;
}

/* A record whole, its strings copied into the arena; -1 when damaged or out of memory. */
static int dec_finding(pw_arena *a, const unsigned char *p, size_t n, pw_baseline_finding *f)
{
    size_t at = 1 + sizeof(uint64_t);
    if (n < at)
        return -1;
    uint64_t occ;
    memcpy(&occ, p + 1, sizeof occ);
    *f = (pw_baseline_finding){.severity = (pw_severity)p[0], .occurrences = (size_t)occ};
    const char **strs[] = {&f->fingerprint, &f->rule_id,  &f->tracker, &f->tracker_id,
                           &f->account_id,  &f->page_url, &f->context};
    for (size_t i = 0; i < sizeof strs / sizeof *strs; i++) {
        const char *s;
        size_t len;
        if (get_str(p, n, &at, &s, &len) != 0)
            return -1;
        if (s && !(*strs[i] = pw_arena_strndup(a, s, len)))
            return -1;
    }
    return 0;
}

/* Keep a finding's record: in memory up to BASELINE_MEM bytes, then in the temporary file
 * (made at the first, in $TMPDIR else /tmp; an error names the directory). */
static pw_status keep_record(pw_baseline *b, const pw_buf *rec, pw_err *err)
{
    if (rec->failed || rec->len > UINT32_MAX)
        return pw_err_set(err, PW_ERR_NOMEM, "out of memory");
    uint32_t n = (uint32_t)rec->len;
    if (!b->spill && b->mem.len + sizeof n + n <= b->mem_max) {
        pw_buf_append(&b->mem, &n, sizeof n);
        pw_buf_append(&b->mem, rec->data, n);
        b->n++;
        return b->mem.failed ? pw_err_set(err, PW_ERR_NOMEM, "out of memory") : PW_OK;
    }
    pw_status st = b->spill ? PW_OK : pw_spill_open(NULL, &b->spill, err);
    uint64_t at = 0;
    if (st == PW_OK)
        st = pw_spill_put(b->spill, rec->data, n, &at, err);
    if (st != PW_OK)
        return st;
    b->n_spilled++;
    b->n++;
    return PW_OK;
}

/* The records in order, one at a time: next_record gives the next (a spilled one read into a,
 * which the caller may reset between calls). */
typedef struct record_walk {
    const pw_baseline *b;
    size_t mem_at; /* offset in b->mem */
    uint64_t at;   /* the next spilled record's position + 1 */
} record_walk;

static pw_status next_record(record_walk *w, pw_arena *a, const unsigned char **p, size_t *n,
                             pw_err *err)
{
    const pw_baseline *b = w->b;
    if (w->mem_at < b->mem.len) {
        uint32_t len;
        memcpy(&len, b->mem.data + w->mem_at, sizeof len);
        *p = (const unsigned char *)b->mem.data + w->mem_at + sizeof len;
        *n = len;
        w->mem_at += sizeof len + len;
        return PW_OK;
    }
    if (!b->spill)
        return pw_err_set(err, PW_ERR_IO, "%s: a finding's record is missing", b->name);
    if (!w->at)
        w->at = 1;
    pw_status st = pw_spill_get(b->spill, w->at, a, p, n, err);
    if (st == PW_OK)
        w->at += sizeof(uint32_t) + *n;
    return st;
}

static int finding_done(parse_state *p)
{
    char where[64];
    snprintf(where, sizeof where, "findings[%zu]", p->index);
    if (!p->cur.fingerprint)
        return stop(p, PW_ERR_INVALID,
                    "%s.fingerprint: missing (the baseline must be a JSON report of a phiwall "
                    "version that writes fingerprints; run the earlier scan's HAR again with "
                    "--format json)",
                    where);
    if (!p->cur.rule_id)
        return stop(p, PW_ERR_INVALID, "%s.rule_id: missing", where);
    if (!p->severity || pw_severity_parse(p->severity, &p->cur.severity) != 0)
        return stop(p, PW_ERR_INVALID, "%s.severity: missing or not a severity name", where);
    pw_buf_clear(&p->rec);
    enc_finding(&p->rec, &p->cur);
    pw_err e;
    pw_err_clear(&e);
    if (keep_record(p->b, &p->rec, &e) != PW_OK)
        return stop(p, e.code, "%s", e.msg);
    pw_arena_reset(&p->fa);
    p->index++;
    return 1;
}

static int on_end(void *ctx)
{
    parse_state *p = ctx;
    int ok = 1;
    if (p->depth == 3 && in_finding(p))
        ok = finding_done(p);
    p->depth--;
    return ok;
}

static const yajl_callbacks callbacks = {
    .yajl_null = on_scalar,
    .yajl_boolean = on_bool,
    .yajl_integer = on_integer,
    .yajl_double = on_double,
    .yajl_string = on_string,
    .yajl_start_map = on_start_map,
    .yajl_map_key = on_key,
    .yajl_end_map = on_end,
    .yajl_start_array = on_start_array,
    .yajl_end_array = on_end,
};

/* yajl's message for malformed JSON, on one line, with the byte offset it stopped at. */
/* base: the input offset of the run yajl last parsed (0 for yajl_complete_parse, whose count is
 * of its own one-byte run, as it always was). */
static pw_status parse_error(yajl_handle h, const char *json, size_t len, size_t base,
                             const char *name, pw_err *err)
{
    unsigned char *msg = yajl_get_error(h, 0, (const unsigned char *)json, len);
    char *m = msg ? (char *)msg : "malformed JSON";
    m[strcspn(m, "\n")] = '\0';
    pw_status s = pw_err_set(err, PW_ERR_PARSE, "%s: byte %zu: not JSON (%s)", name,
                             base + yajl_get_bytes_consumed(h), m);
    if (msg)
        yajl_free_error(h, msg);
    return s;
}

static pw_status check_report(const pw_baseline *b, pw_err *err)
{
    if (!b->tool || strcmp(b->tool, "phiwall") != 0)
        return pw_err_set(err, PW_ERR_INVALID,
                          "%s: not a phiwall JSON report (no tool.name \"phiwall\"; a SARIF log "
                          "or a HAR cannot serve: give the report of `phiwall scan --format "
                          "json`)",
                          b->name);
    if (!b->saw_findings)
        return pw_err_set(err, PW_ERR_INVALID, "%s: findings: missing", b->name);
    return PW_OK;
}

pw_status pw_baseline_parse(const char *json, size_t len, const char *name, pw_baseline **out,
                            pw_err *err)
{
    return pw_baseline_parse_probe(json, len, name, out, err, NULL);
}

pw_status pw_baseline_parse_probe(const char *json, size_t len, const char *name, pw_baseline **out,
                                  pw_err *err, pw_json_probe *probe)
{
    *out = NULL;
    if (!name)
        name = "baseline";
    pw_baseline *b = pw_json_probe_malloc(probe, sizeof *b);
    if (!b)
        return pw_err_set(err, PW_ERR_NOMEM, "%s: out of memory", name);
    memset(b, 0, sizeof *b);
    pw_arena_init(&b->arena, 0);
    pw_buf_init(&b->mem);
    b->mem_max = BASELINE_MEM;
    b->name = pw_arena_strdup(&b->arena, name);
    parse_state p;
    parse_state_init(&p, b);
    /* yajl's allocations from a reserve (phiwall/json_reserve.h): yajl checks none of them, and
     * a failed malloc inside it was a crash. A scratch arena (or the stack) holds it. */
    pw_arena scratch;
    pw_arena_init(&scratch, 0);
    _Alignas(16) unsigned char small[PW_JSON_RESERVE_STACK];
    pw_json_reserve r;
    yajl_handle h = b->name ? pw_json_reserve_yajl(&r, &scratch, json, len, small, sizeof small,
                                                   &callbacks, &p, probe)
                            : NULL;
    if (!h) {
        pw_arena_free(&scratch);
        parse_state_done(&p);
        pw_baseline_free(b);
        return pw_err_set(err, PW_ERR_NOMEM, "%s: out of memory (%zu bytes of JSON)", name, len);
    }
    yajl_config(h, yajl_dont_validate_strings, 0);
    yajl_status ys = yajl_parse(h, (const unsigned char *)json, len);
    if (ys == yajl_status_ok)
        ys = yajl_complete_parse(h);
    pw_status s = PW_OK;
    if (p.fail)
        s = pw_err_set(err, p.fail, "%s: %s", b->name, p.why);
    else if (ys != yajl_status_ok)
        s = parse_error(h, json, len, 0, b->name, err);
    else
        s = check_report(b, err);
    if (s == PW_OK)
        s = pw_spill_flush(b->spill, err); /* the reports read it ahead (pw_baseline_reader) */
    yajl_free(h);
    pw_json_reserve_done(&r);
    pw_arena_free(&scratch);
    parse_state_done(&p);
    if (s != PW_OK) {
        pw_baseline_free(b);
        return s;
    }
    *out = b;
    return PW_OK;
}

#define STREAM_RUN (64u * 1024u)

static pw_baseline *baseline_new(const char *name, size_t mem_max)
{
    pw_baseline *b = malloc(sizeof *b);
    if (!b)
        return NULL;
    memset(b, 0, sizeof *b);
    pw_arena_init(&b->arena, 0);
    pw_buf_init(&b->mem);
    b->mem_max = mem_max;
    b->name = pw_arena_strdup(&b->arena, name);
    if (!b->name) {
        pw_baseline_free(b);
        return NULL;
    }
    return b;
}

/* yajl's byte offset for an error in a token that spans two runs is not the one it gives for
 * the whole text (a few bytes off): on a syntax error, the text up to it (n bytes, where the
 * runs stopped) is parsed again whole, and that error said. 1 when done (err set); 0 when the
 * file cannot be read again (a pipe) or that text parses (never expected). */
static int whole_text_error(FILE *f, size_t n, const char *name, pw_err *err)
{
    char *text = fseek(f, 0, SEEK_SET) == 0 ? malloc(n ? n : 1) : NULL;
    if (!text)
        return 0;
    pw_baseline *b = NULL;
    pw_err e;
    pw_err_clear(&e);
    int done =
        fread(text, 1, n, f) == n && pw_baseline_parse(text, n, name, &b, &e) == PW_ERR_PARSE;
    if (done && err)
        *err = e;
    pw_baseline_free(b);
    free(text);
    return done;
}

/* yajl fed STREAM_RUN bytes at a time; its allocations through a spare (json_reserve.h). */
static pw_status parse_runs(FILE *f, size_t run, pw_baseline *b, parse_state *p, pw_err *err)
{
    pw_json_spare spare;
    pw_json_spare_init(&spare, NULL);
    yajl_alloc_funcs af = pw_json_spare_funcs(&spare);
    unsigned char *buf = malloc(run);
    yajl_handle h = NULL;
    pw_status s = PW_OK;
    if (!buf || pw_json_spare_refill(&spare, 0) != PW_OK || !(h = yajl_alloc(&callbacks, &af, p)) ||
        spare.nomem)
        s = pw_err_set(err, PW_ERR_NOMEM, "%s: out of memory", b->name);
    else
        yajl_config(h, yajl_dont_validate_strings, 0);
    size_t base = 0;
    while (s == PW_OK) {
        size_t got = fread(buf, 1, run, f);
        if (got == 0 && ferror(f)) { /* EISDIR for a directory */
            s = pw_err_set(err, PW_ERR_IO, "%s: %s", b->name, strerror(errno));
            break;
        }
        if (pw_json_spare_refill(&spare, got) != PW_OK) {
            s = pw_err_set(err, PW_ERR_NOMEM, "%s: out of memory", b->name);
            break;
        }
        yajl_status ys = got ? yajl_parse(h, buf, got) : yajl_complete_parse(h);
        if (spare.nomem)
            s = pw_err_set(err, PW_ERR_NOMEM, "%s: out of memory", b->name);
        else if (p->fail)
            s = pw_err_set(err, p->fail, "%s: %s", b->name, p->why);
        else if (ys != yajl_status_ok && !whole_text_error(f, base + got, b->name, err))
            s = parse_error(h, (const char *)buf, got, got ? base : 0, b->name, err);
        else if (ys != yajl_status_ok)
            s = PW_ERR_PARSE;
        else if (!got && (s = check_report(b, err)) == PW_OK)
            s = pw_spill_flush(b->spill, err); /* the reports read it ahead */
        if (!got)
            break;
        base += got;
    }
    if (h)
        yajl_free(h);
    pw_json_spare_free(&spare);
    free(buf);
    return s;
}

pw_status pw_baseline_parse_file(FILE *f, const char *name, pw_baseline **out, pw_err *err)
{
    return pw_baseline_parse_file_runs(f, STREAM_RUN, name, out, err);
}

pw_status pw_baseline_parse_file_runs(FILE *f, size_t run, const char *name, pw_baseline **out,
                                      pw_err *err)
{
    return pw_baseline_parse_file_mem(f, run, BASELINE_MEM, name, out, err);
}

pw_status pw_baseline_parse_file_mem(FILE *f, size_t run, size_t mem, const char *name,
                                     pw_baseline **out, pw_err *err)
{
    *out = NULL;
    if (!run)
        run = STREAM_RUN;
    if (!name)
        name = "baseline";
    pw_baseline *b = baseline_new(name, mem);
    if (!b)
        return pw_err_set(err, PW_ERR_NOMEM, "%s: out of memory", name);
    parse_state p;
    parse_state_init(&p, b);
    pw_status s = parse_runs(f, run, b, &p, err);
    parse_state_done(&p);
    if (s != PW_OK) {
        pw_baseline_free(b);
        return s;
    }
    *out = b;
    return PW_OK;
}

void pw_baseline_free(pw_baseline *b)
{
    if (!b)
        return;
    pw_arena_free(&b->arena);
    pw_buf_free(&b->mem);
    pw_spill_free(b->spill);
    free(b);
}

const char *pw_baseline_name(const pw_baseline *b)
{
    return b->name;
}

const char *pw_baseline_target(const pw_baseline *b)
{
    return b->target;
}

const char *pw_baseline_captured(const pw_baseline *b)
{
    return b->captured;
}

size_t pw_baseline_count(const pw_baseline *b)
{
    return b->n;
}

/* Every finding read back into the arena, in order; NULL when a record cannot be read. */
static pw_baseline_finding *read_all(pw_baseline *b)
{
    pw_baseline_finding *all = pw_arena_calloc(&b->arena, b->n ? b->n : 1, sizeof *all);
    pw_arena tmp;
    pw_arena_init(&tmp, 0);
    record_walk w = {.b = b};
    for (size_t i = 0; all && i < b->n; i++) {
        const unsigned char *p;
        size_t n;
        if (next_record(&w, &tmp, &p, &n, NULL) != PW_OK || dec_finding(&b->arena, p, n, &all[i]))
            all = NULL;
        pw_arena_reset(&tmp);
    }
    pw_arena_free(&tmp);
    return all;
}

const pw_baseline_finding *pw_baseline_at(const pw_baseline *b, size_t i)
{
    if (i >= b->n)
        return NULL;
    if (!b->all) /* read back on first use: a cache, b's findings are the same */
        ((pw_baseline *)b)->all = read_all((pw_baseline *)b);
    return b->all ? &b->all[i] : NULL;
}

/* ---- comparison ---- */

/* One finding in 16 bytes: its fingerprint's 96-bit hash (two findings with the same hash are
 * taken to have the same fingerprint: among 10^6 fingerprints the chance that two differ is
 * ~10^-17) and a tag of its position, severity and whether it is paired. */
typedef struct keyed {
    uint64_t h;
    uint32_t h2;
    uint32_t tag;
} keyed;

#define K_INDEX_BITS 27 /* positions below 2^27 (134 million findings a side) */
#define K_INDEX_MAX  ((1u << K_INDEX_BITS) - 1)
#define K_PAIRED     (1u << 31)

static uint32_t k_index(uint32_t tag)
{
    return tag & K_INDEX_MAX;
}

static int k_severity(uint32_t tag)
{
    return (int)(tag >> K_INDEX_BITS & 7u);
}

static keyed k_make(const char *fp, size_t n, int severity, size_t index)
{
    uint64_t a = 1469598103934665603ull, b = 0x9e3779b97f4a7c15ull;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)fp[i];
        a = (a ^ c) * 1099511628211ull;
        b = (b ^ c) * 0xff51afd7ed558ccdull;
        b ^= b >> 31;
    }
    return (keyed){a, (uint32_t)(b ^ b >> 32),
                   (uint32_t)index | (uint32_t)severity << K_INDEX_BITS};
}

/* By fingerprint, then severity (highest first), then position: equal fingerprints pair up
 * highest with highest. */
static int by_key(const void *x, const void *y)
{
    const keyed *a = x, *b = y;
    if (a->h != b->h)
        return a->h < b->h ? -1 : 1;
    if (a->h2 != b->h2)
        return a->h2 < b->h2 ? -1 : 1;
    if (k_severity(a->tag) != k_severity(b->tag))
        return k_severity(b->tag) - k_severity(a->tag);
    return k_index(a->tag) < k_index(b->tag) ? -1 : k_index(a->tag) > k_index(b->tag);
}

/* Absent findings (their tags): severity, highest first, then position in the baseline. */
static int gone_order(const void *x, const void *y)
{
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    if (k_severity(a) != k_severity(b))
        return k_severity(b) - k_severity(a);
    return k_index(a) < k_index(b) ? -1 : k_index(a) > k_index(b);
}

/* ---- the keys in buckets: a baseline too large to key in memory at once ----
 *
 * Past BASELINE_KEYS baseline findings, both sides' keys go to buckets by their fingerprint's
 * hash (~BASELINE_KEYS / 2 keys a bucket), written in blocks to an unlinked temporary file
 * (assess/spill.h), and the buckets are compared one at a time as the whole was: a fingerprint's
 * findings, both sides', are all in one bucket, and the pairing of one fingerprint's findings
 * depends on nothing else, so the outcome is the same. In memory at once: one bucket of each
 * side and a block of BLOCK_KEYS keys a bucket (256 KiB of blocks at 10^6 findings). */
#ifndef BASELINE_KEYS
#define BASELINE_KEYS 16384u
#endif
#define BLOCK_KEYS 128u

typedef struct bucket_side {
    keyed *buf;     /* BLOCK_KEYS a bucket: its keys not yet written */
    uint32_t *fill; /* keys in each bucket's buf */
    uint64_t *last; /* each bucket's last block in the file (position + 1; 0: none) */
    size_t *n;      /* keys in each bucket */
} bucket_side;

typedef struct buckets {
    pw_spill *spill;
    size_t p;
    bucket_side side[2]; /* 0: the baseline's keys, 1: the scan's */
} buckets;

static size_t bucket_of(const keyed *k, size_t p)
{
    return (size_t)((k->h ^ k->h >> 29 ^ k->h2) % p);
}

static void buckets_free(buckets *bk)
{
    for (int s = 0; s < 2; s++) {
        free(bk->side[s].buf);
        free(bk->side[s].fill);
        free(bk->side[s].last);
        free(bk->side[s].n);
    }
    pw_spill_free(bk->spill);
    memset(bk, 0, sizeof *bk);
}

static pw_status buckets_init(buckets *bk, size_t p, pw_err *err)
{
    memset(bk, 0, sizeof *bk);
    bk->p = p;
    for (int s = 0; s < 2; s++) {
        bucket_side *bs = &bk->side[s];
        bs->buf = malloc(p * BLOCK_KEYS * sizeof *bs->buf);
        bs->fill = calloc(p, sizeof *bs->fill);
        bs->last = calloc(p, sizeof *bs->last);
        bs->n = calloc(p, sizeof *bs->n);
        if (!bs->buf || !bs->fill || !bs->last || !bs->n)
            return PW_ERR_NOMEM;
    }
    return pw_spill_open(NULL, &bk->spill, err);
}

/* Bucket i's keys in buf as a block: the position + 1 of its block before, then the keys. */
static pw_status block_write(buckets *bk, bucket_side *bs, size_t i, pw_err *err)
{
    unsigned char rec[sizeof(uint64_t) + BLOCK_KEYS * sizeof(keyed)];
    size_t n = bs->fill[i] * sizeof(keyed);
    if (!n)
        return PW_OK;
    memcpy(rec, &bs->last[i], sizeof(uint64_t));
    memcpy(rec + sizeof(uint64_t), bs->buf + i * BLOCK_KEYS, n);
    bs->fill[i] = 0;
    return pw_spill_put(bk->spill, rec, sizeof(uint64_t) + n, &bs->last[i], err);
}

static pw_status bucket_add(buckets *bk, int side, keyed k, pw_err *err)
{
    bucket_side *bs = &bk->side[side];
    size_t i = bucket_of(&k, bk->p);
    bs->buf[i * BLOCK_KEYS + bs->fill[i]++] = k;
    bs->n[i]++;
    return bs->fill[i] == BLOCK_KEYS ? block_write(bk, bs, i, err) : PW_OK;
}

/* A side's last blocks written and its buffers freed (every key is in the file after it). */
static pw_status side_done(buckets *bk, int side, pw_err *err)
{
    bucket_side *bs = &bk->side[side];
    pw_status st = PW_OK;
    for (size_t i = 0; i < bk->p && st == PW_OK; i++)
        st = block_write(bk, bs, i, err);
    free(bs->buf);
    bs->buf = NULL;
    return st == PW_OK ? pw_spill_flush(bk->spill, err) : st;
}

/* Bucket i of a side read back into out (its n keys, in no order; a the blocks' scratch). */
static pw_status bucket_load(const buckets *bk, int side, size_t i, pw_arena *a, keyed *out,
                             pw_err *err)
{
    const bucket_side *bs = &bk->side[side];
    size_t left = bs->n[i];
    for (uint64_t at = bs->last[i]; at;) {
        const unsigned char *p;
        size_t n;
        pw_status st = pw_spill_get(bk->spill, at, a, &p, &n, err);
        if (st != PW_OK)
            return st;
        size_t keys = n >= sizeof at ? (n - sizeof at) / sizeof(keyed) : 0;
        if (n < sizeof at || keys > left || (n - sizeof at) % sizeof(keyed))
            return pw_err_set(err, PW_ERR_IO, "comparison's temporary file: a damaged block");
        memcpy(&at, p, sizeof at);
        left -= keys;
        memcpy(out + left, p + sizeof at, keys * sizeof(keyed));
    }
    if (left)
        return pw_err_set(err, PW_ERR_IO, "comparison's temporary file: a block is missing");
    return PW_OK;
}

/* The baseline's findings keyed, read from their records: into k[0..b->n), or (k NULL) into
 * the buckets. */
static pw_status key_baseline(const pw_baseline *b, keyed *k, buckets *bk, pw_err *err)
{
    pw_arena tmp;
    pw_arena_init(&tmp, 0);
    record_walk w = {.b = b};
    pw_status st = PW_OK;
    for (size_t i = 0; i < b->n && st == PW_OK; i++) {
        const unsigned char *p = NULL;
        size_t n = 0, fp_len = 0;
        const char *fp = NULL;
        int sev = 0;
        st = next_record(&w, &tmp, &p, &n, err);
        if (st == PW_OK && dec_key(p, n, &sev, &fp, &fp_len) != 0)
            st = pw_err_set(err, PW_ERR_IO, "%s: finding %zu's record is damaged", b->name, i);
        if (st == PW_OK && k)
            k[i] = k_make(fp ? fp : "", fp_len, sev, i);
        else if (st == PW_OK)
            st = bucket_add(bk, 0, k_make(fp ? fp : "", fp_len, sev, i), err);
        pw_arena_reset(&tmp);
    }
    pw_arena_free(&tmp);
    return st;
}

/* Scan finding `scan` (its tag) is the baseline's `base`: unchanged, and what it was. */
static void pair(keyed *base, uint32_t scan, pw_baseline_diff *d)
{
    base->tag |= K_PAIRED;
    d->state[k_index(scan)] = PW_BASELINE_UNCHANGED;
    d->was[k_index(scan)] = (signed char)k_severity(base->tag);
    d->n_unchanged++;
}

/* The baseline's run of entries with x's fingerprint (k[*lo..*hi), sorted by by_key); 0 when
 * there is none. */
static int run_of(const keyed *k, size_t n, const keyed *x, size_t *lo, size_t *hi)
{
    size_t a = 0, b = n;
    while (a < b) { /* the first entry not below x's hash */
        size_t mid = a + (b - a) / 2;
        if (k[mid].h < x->h || (k[mid].h == x->h && k[mid].h2 < x->h2))
            a = mid + 1;
        else
            b = mid;
    }
    *lo = a;
    for (b = a; b < n && k[b].h == x->h && k[b].h2 == x->h2; b++)
        ;
    *hi = b;
    return b > a;
}

/* A scan finding x (they come highest severity first, then in order) against the baseline's
 * entries (k[0..n), by_key): paired with the first unpaired one of its fingerprint and
 * severity, as the two sides' equal severities walked in step pair; else, when the baseline has
 * its fingerprint, kept in *rest (for pair_rest), else new. 0 when out of memory. */
static int pair_scan(keyed *k, size_t n, keyed x, pw_baseline_diff *d, keyed **rest, size_t *n_rest,
                     size_t *cap_rest)
{
    size_t lo, hi;
    if (!run_of(k, n, &x, &lo, &hi))
        return 1;
    for (size_t i = lo; i < hi && k_severity(k[i].tag) >= k_severity(x.tag); i++)
        if (k_severity(k[i].tag) == k_severity(x.tag) && !(k[i].tag & K_PAIRED)) {
            pair(&k[i], x.tag, d);
            return 1;
        }
    if (*n_rest == *cap_rest) {
        size_t cap = *cap_rest ? *cap_rest * 2 : 64;
        keyed *grown = realloc(*rest, cap * sizeof *grown);
        if (!grown)
            return 0;
        *rest = grown;
        *cap_rest = cap;
    }
    (*rest)[(*n_rest)++] = x;
    return 1;
}

/* The scan's findings, highest severity first and then in order, each fingerprint made,
 * hashed and paired at once (pair_scan): only those left for pair_rest are kept. With buckets
 * (bk), each key goes to its bucket instead, to be paired there. */
static pw_status pair_scan_all(const pw_scan_result *r, keyed *k, size_t n, pw_baseline_diff *d,
                               keyed **rest, size_t *n_rest, buckets *bk, pw_err *err)
{
    pw_report_loader ld;
    pw_report_loader_init(&ld, r);
    pw_buf fp;
    pw_buf_init(&fp);
    size_t cap_rest = 0;
    int nomem = 0;
    pw_status st = PW_OK;
    for (int sev = PW_SEV__COUNT - 1; sev >= 0 && !nomem && st == PW_OK;
         sev--) /* a report's order already */
        for (size_t i = 0; i < r->n_findings && !ld.failed && !nomem && st == PW_OK; i++) {
            if ((int)pw_scan_result_severity(r, i) != sev)
                continue;
            pw_buf_clear(&fp);
            pw_report_fingerprint(pw_report_load(&ld, i), &fp);
            pw_buf_putc(&fp, '\0');
            if (fp.failed) {
                nomem = 1;
                break;
            }
            keyed x = k_make(fp.data, strlen(fp.data), sev, i);
            if (bk)
                st = bucket_add(bk, 1, x, err);
            else
                nomem = !pair_scan(k, n, x, d, rest, n_rest, &cap_rest);
        }
    pw_buf_free(&fp);
    if (ld.failed)
        return pw_report_loader_status(&ld, NULL, err);
    pw_report_loader_free(&ld);
    return nomem ? PW_ERR_NOMEM : st;
}

/* The scan's findings left over (rest[0..n_rest), sorted by by_key) paired with the baseline's
 * left over of the same fingerprint, in order, highest with highest. */
static void pair_rest(keyed *k, size_t n, const keyed *rest, size_t n_rest, pw_baseline_diff *d)
{
    for (size_t j = 0, lo = 0, hi = 0; j < n_rest; j++) {
        if (!j || rest[j].h != rest[j - 1].h || rest[j].h2 != rest[j - 1].h2)
            run_of(k, n, &rest[j], &lo, &hi);
        while (lo < hi && k[lo].tag & K_PAIRED)
            lo++;
        if (lo == hi)
            continue;
        pair(&k[lo], rest[j].tag, d);
    }
}

/* A growing list of tags (the absent findings'). */
typedef struct tags {
    uint32_t *v;
    size_t n, cap;
} tags;

static int tags_push(tags *t, uint32_t tag)
{
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 256;
        uint32_t *grown = realloc(t->v, cap * sizeof *grown);
        if (!grown)
            return 0;
        t->v = grown;
        t->cap = cap;
    }
    t->v[t->n++] = tag;
    return 1;
}

/* The order pair_scan_all meets the scan's findings in: severity, highest first, then position. */
static int by_scan_order(const void *x, const void *y)
{
    return gone_order(&((const keyed *)x)->tag, &((const keyed *)y)->tag);
}

/* The baseline's unpaired findings (k[0..n)) added to the absent ones; 0 when out of memory. */
static int add_unpaired(const keyed *k, size_t n, tags *gone)
{
    for (size_t i = 0; i < n; i++)
        if (!(k[i].tag & K_PAIRED) && !tags_push(gone, k[i].tag))
            return 0;
    return 1;
}

/* The comparison with the whole baseline keyed in memory (16 bytes a finding). */
static pw_status pair_in_memory(const pw_baseline *b, const pw_scan_result *r, pw_baseline_diff *d,
                                tags *gone, pw_err *err)
{
    keyed *k = malloc((b->n ? b->n : 1) * sizeof *k), *rest = NULL;
    size_t n_rest = 0;
    if (!k)
        return PW_ERR_NOMEM;
    pw_status st = key_baseline(b, k, NULL, err);
    if (st == PW_OK) {
        qsort(k, b->n, sizeof *k, by_key);
        st = pair_scan_all(r, k, b->n, d, &rest, &n_rest, NULL, err);
    }
    if (st == PW_OK) {
        if (n_rest)
            qsort(rest, n_rest, sizeof *rest, by_key);
        pair_rest(k, b->n, rest, n_rest, d);
        st = add_unpaired(k, b->n, gone) ? PW_OK : PW_ERR_NOMEM;
    }
    free(rest);
    free(k);
    return st;
}

/* The comparison one bucket at a time (see buckets): each bucket's baseline keys sorted by_key,
 * its scan keys paired in the order pair_scan_all met them, then its rest paired. */
static pw_status pair_in_buckets(const pw_baseline *b, const pw_scan_result *r, size_t max_keys,
                                 pw_baseline_diff *d, tags *gone, pw_err *err)
{
    size_t most = b->n > r->n_findings ? b->n : r->n_findings;
    buckets bk;
    pw_status st = buckets_init(&bk, (2 * most + max_keys - 1) / max_keys, err);
    if (st == PW_OK)
        st = key_baseline(b, NULL, &bk, err);
    if (st == PW_OK)
        st = side_done(&bk, 0, err);
    if (st == PW_OK)
        st = pair_scan_all(r, NULL, 0, d, NULL, NULL, &bk, err);
    if (st == PW_OK)
        st = side_done(&bk, 1, err);
    size_t max_b = 1, max_s = 1;
    for (size_t i = 0; i < bk.p && st == PW_OK; i++) {
        max_b = bk.side[0].n[i] > max_b ? bk.side[0].n[i] : max_b;
        max_s = bk.side[1].n[i] > max_s ? bk.side[1].n[i] : max_s;
    }
    keyed *kb = st == PW_OK ? malloc(max_b * sizeof *kb) : NULL;
    keyed *ks = st == PW_OK ? malloc(max_s * sizeof *ks) : NULL;
    keyed *rest = st == PW_OK ? malloc(max_s * sizeof *rest) : NULL;
    if (st == PW_OK && (!kb || !ks || !rest))
        st = PW_ERR_NOMEM;
    pw_arena tmp;
    pw_arena_init(&tmp, 0);
    for (size_t i = 0; i < bk.p && st == PW_OK; i++) {
        size_t nb = bk.side[0].n[i], ns = bk.side[1].n[i], n_rest = 0, cap_rest = max_s;
        st = bucket_load(&bk, 0, i, &tmp, kb, err);
        if (st == PW_OK)
            st = bucket_load(&bk, 1, i, &tmp, ks, err);
        pw_arena_reset(&tmp);
        if (st != PW_OK)
            break;
        qsort(kb, nb, sizeof *kb, by_key);
        qsort(ks, ns, sizeof *ks, by_scan_order);
        for (size_t j = 0; j < ns; j++)
            pair_scan(kb, nb, ks[j], d, &rest, &n_rest, &cap_rest); /* rest holds ns: no growth */
        if (n_rest)
            qsort(rest, n_rest, sizeof *rest, by_key);
        pair_rest(kb, nb, rest, n_rest, d);
        if (!add_unpaired(kb, nb, gone))
            st = PW_ERR_NOMEM;
    }
    pw_arena_free(&tmp);
    free(kb);
    free(ks);
    free(rest);
    buckets_free(&bk);
    if (st != PW_OK && st != PW_ERR_NOMEM)
        pw_err_prefix(err, "comparing with %s: ", b->name);
    return st;
}

/* ---- absent findings: gone, or not rechecked ---- */

const char *pw_baseline_unchecked_name(pw_baseline_unchecked why)
{
    switch (why) {
    case PW_UNCHECKED_PAGE_NOT_VISITED: return "page_not_visited";
    case PW_UNCHECKED_PAGE_FAILED: return "page_failed";
    case PW_UNCHECKED_TRACKER_FAILED: return "tracker_failed";
    case PW_UNCHECKED_NO_TRAFFIC: return "no_traffic";
    case PW_UNCHECKED_LOGIN_FAILED: return "login_failed";
    case PW_UNCHECKED_TOO_MANY_GAPS: return "too_many_gaps";
    case PW_UNCHECKED__END: break;
    }
    return "unknown";
}

const char *pw_baseline_unchecked_text(pw_baseline_unchecked why)
{
    switch (why) {
    case PW_UNCHECKED_PAGE_NOT_VISITED: return "its page was not visited by this scan";
    case PW_UNCHECKED_PAGE_FAILED:
        return "its page did not load in this scan, or answered an HTTP error";
    case PW_UNCHECKED_TRACKER_FAILED:
        return "a tracker script failed to load on its page, or this tracker's failed";
    case PW_UNCHECKED_NO_TRAFFIC: return "this scan read HTML only; the baseline observed traffic";
    case PW_UNCHECKED_LOGIN_FAILED:
        return "its page is in the logged-in area, and this scan's login failed";
    case PW_UNCHECKED_TOO_MANY_GAPS:
        return "this scan failed to load more scripts and pages than it keeps track of";
    case PW_UNCHECKED__END: break;
    }
    return "unknown";
}

/* What this scan looked at, to tell a finding that went away from one it could not have seen. */
typedef struct looked {
    const pw_scan_result *r;
    /* the scan's pages by their page key's hash, sorted: a page key is made again from its page's
     * URL where a hash matches (a copy of each key was ~64 bytes a page with malloc's) */
    struct page_hash {
        uint64_t h;
        size_t page;
    } * page_keys;
    size_t n_keys;
    int no_traffic;
    int login_failed;  /* --login failed: the logged-in area was not seen */
    int pages_unknown; /* a script or frame gap happened on pages it does not list */
    int gaps_dropped;  /* gaps past the capture's bound: where they happened is unknown */
    uint64_t k0, k1;   /* the page hash's key */
    size_t *compares;  /* page keys made again and compared (a test's count), or NULL */
    /* per gap, parallel to r->gaps: the page keys it happened on (a page gap: its own URL's),
     * made once rather than for every absent finding it is compared with */
    struct gap_keys {
        char **keys;
        size_t n;
    } * gap_keys;
} looked;

/* SipHash-2-4 of s[0..n) under the comparison's key: which strings share a hash cannot be known
 * without the key. The page hash was FNV-1a, unkeyed: a site could serve page URLs crafted to
 * share one hash (they are found offline), and each lookup of an absent finding's page then made
 * again and compared every one of them. */
uint64_t pw_baseline_page_hash(uint64_t k0, uint64_t k1, const char *s, size_t n)
{
    const uint64_t key[2] = {k0, k1};
    return pw_siphash(key, s, n);
}

static uint64_t key_hash(const looked *l, const char *s)
{
    return pw_baseline_page_hash(l->k0, l->k1, s, strlen(s));
}

static int hash_below(const struct page_hash *a, const struct page_hash *b)
{
    return a->h < b->h || (a->h == b->h && a->page < b->page);
}

static void sift_down(struct page_hash *v, size_t i, size_t n)
{
    for (size_t c; (c = 2 * i + 1) < n; i = c) {
        if (c + 1 < n && hash_below(&v[c], &v[c + 1]))
            c++;
        if (!hash_below(&v[i], &v[c]))
            return;
        struct page_hash t = v[i];
        v[i] = v[c];
        v[c] = t;
    }
}

/* Sorted in place (a heap sort: qsort's merge sort takes a copy, 16 more bytes a page). */
static void sort_page_hashes(struct page_hash *v, size_t n)
{
    for (size_t i = n / 2; i-- > 0;)
        sift_down(v, i, n);
    for (size_t end = n; end-- > 1;) {
        struct page_hash t = v[0];
        v[0] = v[end];
        v[end] = t;
        sift_down(v, 0, end);
    }
}

static char *page_key_dup(const char *url)
{
    char small[512];
    size_t n = pw_url_page_key(url, small, sizeof small);
    char *k = malloc(n + 1);
    if (k && n < sizeof small)
        memcpy(k, small, n + 1);
    else if (k)
        pw_url_page_key(url, k, n + 1);
    return k;
}

static void looked_free(looked *l)
{
    free(l->page_keys);
    for (size_t i = 0; l->gap_keys && i < l->r->n_gaps; i++) {
        for (size_t k = 0; k < l->gap_keys[i].n; k++)
            free(l->gap_keys[i].keys[k]);
        free(l->gap_keys[i].keys);
    }
    free(l->gap_keys);
}

/* The page keys of gap g: a page gap's URL, or the pages a script or frame gap happened on
 * (those it lists, else its first). */
static pw_status gap_keys_init(struct gap_keys *gk, const pw_capture_gap *g)
{
    int page = g->kind == PW_GAP_PAGE || g->kind == PW_GAP_ERROR_PAGE; /* the gap is a page */
    const char *one = page ? g->url : g->page_url;
    const char *const *urls = !page && g->n_page_urls ? g->page_urls : &one;
    size_t n = !page && g->n_page_urls ? g->n_page_urls : 1;
    gk->keys = calloc(n, sizeof *gk->keys);
    if (!gk->keys)
        return PW_ERR_NOMEM;
    for (size_t i = 0; i < n; i++)
        if (urls[i] && !(gk->keys[gk->n++] = page_key_dup(urls[i])))
            return PW_ERR_NOMEM;
    return PW_OK;
}

/* The key's 16 bytes as two little-endian words (SipHash's k0, k1); NULL: a fixed key. */
static void load_key(const unsigned char *key, uint64_t *k0, uint64_t *k1)
{
    *k0 = 0x70696877616c6c20ull; /* a fixed key */
    *k1 = 0x626173656c696e65ull;
    for (int j = 7; key && j >= 0; j--) {
        *k0 = (j == 7 ? 0 : *k0 << 8) | key[j];
        *k1 = (j == 7 ? 0 : *k1 << 8) | key[8 + j];
    }
}

static pw_status looked_init(looked *l, const pw_baseline *b, const pw_scan_result *r,
                             const pw_baseline_compare_opts *o)
{
    memset(l, 0, sizeof *l);
    l->r = r;
    load_key(o->key, &l->k0, &l->k1);
    l->compares = o->page_compares;
    /* static triage infers tags from HTML: it cannot confirm that observed traffic stopped. A
     * browser that did not start means the same (the scan fell back to static triage); a
     * static baseline is rechecked by a static scan either way. */
    int html_only = r->source == PW_SOURCE_STATIC;
    for (size_t i = 0; i < r->n_gaps; i++) {
        const pw_capture_gap *gap = &r->gaps[i];
        html_only |= gap->kind == PW_GAP_BROWSER;
        l->login_failed |= gap->kind == PW_GAP_LOGIN;
        l->pages_unknown |=
            (gap->kind == PW_GAP_SCRIPT || gap->kind == PW_GAP_FRAME) && gap->more_pages;
    }
    l->no_traffic = html_only && !(b->source && strcmp(b->source, "static") == 0);
    l->gaps_dropped = r->n_gaps_dropped > 0;
    l->page_keys = calloc(r->n_pages ? r->n_pages : 1, sizeof *l->page_keys);
    if (!l->page_keys)
        return PW_ERR_NOMEM;
    for (; l->n_keys < r->n_pages; l->n_keys++) {
        char *k = page_key_dup(r->pages[l->n_keys].url ? r->pages[l->n_keys].url : "");
        if (!k)
            return PW_ERR_NOMEM;
        l->page_keys[l->n_keys] = (struct page_hash){key_hash(l, k), l->n_keys};
        free(k);
    }
    sort_page_hashes(l->page_keys, l->n_keys);
    l->gap_keys = calloc(r->n_gaps ? r->n_gaps : 1, sizeof *l->gap_keys);
    if (!l->gap_keys)
        return PW_ERR_NOMEM;
    for (size_t i = 0; i < r->n_gaps; i++)
        if (gap_keys_init(&l->gap_keys[i], &r->gaps[i]) != PW_OK)
            return PW_ERR_NOMEM;
    return PW_OK;
}

/* 1 when a page of the scan has this page key, 0 when none, -1 on no memory. */
static int page_visited(const looked *l, const char *key)
{
    uint64_t h = key_hash(l, key);
    size_t a = 0, b = l->n_keys;
    while (a < b) { /* the first page not below the key's hash */
        size_t m = a + (b - a) / 2;
        if (l->page_keys[m].h < h)
            a = m + 1;
        else
            b = m;
    }
    for (; a < l->n_keys && l->page_keys[a].h == h; a++) {
        const char *url = l->r->pages[l->page_keys[a].page].url;
        char *k = page_key_dup(url ? url : "");
        if (!k)
            return -1;
        if (l->compares)
            (*l->compares)++;
        int same = strcmp(k, key) == 0;
        free(k);
        if (same)
            return 1;
    }
    return 0;
}

/* 1 when gap i of the scan happened on the page of key (NULL: no page known). */
static int gap_on_page(const looked *l, size_t i, const char *key)
{
    for (size_t k = 0; key && k < l->gap_keys[i].n; k++)
        if (strcmp(l->gap_keys[i].keys[k], key) == 0)
            return 1;
    return 0;
}

static int same_tracker(const pw_baseline_finding *g, const pw_capture_gap *gap)
{
    return g->tracker_id && gap->tracker_id && strcmp(g->tracker_id, gap->tracker_id) == 0;
}

/* Why this scan could not have seen g (0 when it could: g is gone). The rule is one-sided: a
 * finding may be called not rechecked that the scan could in fact have seen, never gone when
 * it could not. So: a failed page; a tracker script or frame that failed on g's page (a tag
 * manager's failure hides every tag it loads) — on every page it failed on, and when those are
 * not all known (more pages than a gap lists) on any page; g's own tracker failing anywhere;
 * a failed login for a finding of the logged-in area; and, when gaps past the capture's bound
 * were dropped (where they happened is unknown), every finding. */
static int unchecked_reason(const looked *l, const pw_baseline_finding *g)
{
    if (l->no_traffic)
        return PW_UNCHECKED_NO_TRAFFIC;
    if (l->login_failed && g->context && strcmp(g->context, "authenticated") == 0)
        return PW_UNCHECKED_LOGIN_FAILED;
    char *key = g->page_url ? page_key_dup(g->page_url) : NULL;
    if (g->page_url && !key)
        return PW_UNCHECKED_PAGE_NOT_VISITED; /* out of memory: never claim a fix unchecked */
    int why = l->pages_unknown ? PW_UNCHECKED_TRACKER_FAILED : 0;
    for (size_t i = 0; i < l->r->n_gaps && !why; i++) {
        const pw_capture_gap *gap = &l->r->gaps[i];
        if ((gap->kind == PW_GAP_PAGE || gap->kind == PW_GAP_ERROR_PAGE) && gap_on_page(l, i, key))
            why = PW_UNCHECKED_PAGE_FAILED;
        else if ((gap->kind == PW_GAP_SCRIPT || gap->kind == PW_GAP_FRAME) &&
                 (gap_on_page(l, i, key) || same_tracker(g, gap)))
            why = PW_UNCHECKED_TRACKER_FAILED;
    }
    if (!why && key && page_visited(l, key) <= 0) /* out of memory: never claim a fix */
        why = PW_UNCHECKED_PAGE_NOT_VISITED;
    if (!why && l->gaps_dropped)
        why = PW_UNCHECKED_TOO_MANY_GAPS;
    free(key);
    return why;
}

/* ---- the absent findings: where their records are, read back where a report writes them ----
 *
 * An absent finding is kept as its record's place (8 bytes): in the baseline's memory (its
 * offset there) or in its temporary file (AT_SPILLED | its position + 1). The diff holds the
 * findings themselves (gone, unchecked) only while they take at most absent_mem bytes: a
 * 20,000-page baseline against a small scan had 120,000 absent findings decoded at once,
 * ~830 bytes each with their strings and pointers. */
#ifndef BASELINE_ABSENT_MEM
#define BASELINE_ABSENT_MEM (64u * 1024)
#endif
#define AT_SPILLED (1ull << 63)

/* Where the next record of w is (before next_record reads it). */
static uint64_t record_place(const record_walk *w)
{
    return w->mem_at < w->b->mem.len ? (uint64_t)w->mem_at : AT_SPILLED | (w->at ? w->at : 1);
}

/* A place's record (a spilled one through the cursor, made on first use in *cursor). */
static pw_status record_at(const pw_baseline *b, uint64_t place, pw_spill_cursor **cursor,
                           const unsigned char **p, size_t *n, pw_err *err)
{
    if (!(place & AT_SPILLED)) {
        uint32_t len;
        if (place + sizeof len > b->mem.len)
            return pw_err_set(err, PW_ERR_IO, "%s: a finding's record is missing", b->name);
        memcpy(&len, b->mem.data + place, sizeof len);
        if (b->mem.len - place - sizeof len < len)
            return pw_err_set(err, PW_ERR_IO, "%s: a finding's record is damaged", b->name);
        *p = (const unsigned char *)b->mem.data + place + sizeof len;
        *n = len;
        return PW_OK;
    }
    if (!b->spill)
        return pw_err_set(err, PW_ERR_IO, "%s: a finding's record is missing", b->name);
    uint64_t pos = (place & ~AT_SPILLED) - 1;
    pw_spill_cursor *c = *cursor;
    if (!c) {
        if (!(c = *cursor = malloc(sizeof *c)))
            return pw_err_set(err, PW_ERR_NOMEM, "%s: out of memory", b->name);
        pw_spill_cursor_init(c, b->spill, pos);
    }
    /* the lists go by severity, then in the baseline's order: mostly forward, in the buffer */
    if (pos >= c->pos && pos - c->pos <= c->len - c->off)
        c->off += (size_t)(pos - c->pos);
    else
        c->off = c->len = 0;
    c->pos = pos;
    return pw_spill_next(c, p, n, err);
}

static void cursor_free(pw_spill_cursor *c)
{
    if (c)
        pw_spill_cursor_free(c);
    free(c);
}

static int by_u64(const void *x, const void *y)
{
    uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
    return a < b ? -1 : a > b;
}

/* The absent findings (tags in absent[0..n), highest first), each looked at once in one walk of
 * the records (their positions sorted on the way): gone or not rechecked and why, and where
 * its record is. d gets the two lists as places (absent_at) and unchecked_why; *bytes the
 * records' size. */
static pw_status place_absent(const pw_baseline *b, const pw_scan_result *r,
                              const pw_baseline_compare_opts *o, const uint32_t *absent, size_t n,
                              pw_baseline_diff *d, size_t *bytes, pw_err *err)
{
    uint64_t *want = malloc((n ? n : 1) * sizeof *want); /* position << 32 | rank */
    uint64_t *place = malloc((n ? n : 1) * sizeof *place);
    unsigned char *why = malloc(n ? n : 1);
    looked l;
    memset(&l, 0, sizeof l);
    pw_status st = want && place && why ? PW_OK : PW_ERR_NOMEM;
    if (st == PW_OK && n)
        st = looked_init(&l, b, r, o);
    for (size_t i = 0; st == PW_OK && i < n; i++)
        want[i] = (uint64_t)k_index(absent[i]) << 32 | i;
    if (st == PW_OK)
        qsort(want, n, sizeof *want, by_u64);
    pw_arena tmp;
    pw_arena_init(&tmp, 0);
    record_walk w = {.b = b};
    *bytes = 0;
    for (size_t i = 0, j = 0; j < n && st == PW_OK; i++) {
        const unsigned char *p;
        size_t len;
        uint64_t at = record_place(&w);
        st = next_record(&w, &tmp, &p, &len, err);
        if (st != PW_OK || i != want[j] >> 32) {
            pw_arena_reset(&tmp);
            continue;
        }
        size_t rank = (size_t)(want[j++] & UINT32_MAX);
        pw_baseline_finding g;
        if (dec_finding(&tmp, p, len, &g) != 0)
            st = pw_err_set(err, PW_ERR_IO, "%s: finding %zu's record is damaged", b->name, i);
        place[rank] = at;
        why[rank] = st == PW_OK ? (unsigned char)unchecked_reason(&l, &g) : 0;
        *bytes += len;
        pw_arena_reset(&tmp);
    }
    pw_arena_free(&tmp);
    free(want);
    looked_free(&l);
    size_t n_unchecked = 0;
    for (size_t i = 0; st == PW_OK && i < n; i++)
        n_unchecked += why[i] != 0;
    if (st == PW_OK) {
        d->absent_at = malloc((n ? n : 1) * sizeof *d->absent_at);
        d->unchecked_why = calloc(n_unchecked ? n_unchecked : 1, sizeof *d->unchecked_why);
        if (!d->absent_at || !d->unchecked_why)
            st = PW_ERR_NOMEM;
    }
    if (st == PW_OK) {
        d->n_gone = n - n_unchecked;
        d->n_unchecked = 0;
        for (size_t i = 0, g = 0; i < n; i++) {
            if (!why[i]) {
                d->absent_at[g++] = place[i];
                continue;
            }
            d->unchecked_why[d->n_unchecked] = (pw_baseline_unchecked)why[i];
            d->absent_at[d->n_gone + d->n_unchecked++] = place[i];
        }
    }
    free(place);
    free(why);
    return st;
}

/* The absent findings read back into the diff's store as gone and unchecked (a short list);
 * absent_at is then let go. */
static pw_status keep_absent(const pw_baseline *b, pw_baseline_diff *d, pw_err *err)
{
    size_t n = d->n_gone + d->n_unchecked;
    pw_baseline_finding *f = pw_arena_calloc(d->store, n ? n : 1, sizeof *f);
    d->gone = calloc(d->n_gone ? d->n_gone : 1, sizeof *d->gone);
    d->unchecked = calloc(d->n_unchecked ? d->n_unchecked : 1, sizeof *d->unchecked);
    if (!f || !d->gone || !d->unchecked)
        return PW_ERR_NOMEM;
    pw_spill_cursor *cursor = NULL;
    pw_status st = PW_OK;
    for (size_t i = 0; i < n && st == PW_OK; i++) {
        const unsigned char *p;
        size_t len;
        st = record_at(b, d->absent_at[i], &cursor, &p, &len, err);
        if (st == PW_OK && dec_finding(d->store, p, len, &f[i]) != 0)
            st = PW_ERR_NOMEM; /* it was decoded once already */
        if (i < d->n_gone)
            d->gone[i] = &f[i];
        else
            d->unchecked[i - d->n_gone] = &f[i];
    }
    cursor_free(cursor);
    free(d->absent_at);
    d->absent_at = NULL;
    return st;
}

static pw_status compare_nomem(pw_baseline_diff *out, const pw_baseline *b, pw_err *err)
{
    pw_baseline_diff_free(out);
    return pw_err_set(err, PW_ERR_NOMEM, "comparing with %s: out of memory", b->name);
}

pw_status pw_baseline_compare(const pw_baseline *b, const pw_scan_result *r, pw_baseline_diff *out,
                              pw_err *err)
{
    return pw_baseline_compare_with(b, r, &(pw_baseline_compare_opts){0}, out, err);
}

pw_status pw_baseline_compare_keyed(const pw_baseline *b, const pw_scan_result *r,
                                    const unsigned char key[16], pw_baseline_diff *out, pw_err *err)
{
    return pw_baseline_compare_with(b, r, &(pw_baseline_compare_opts){.key = key}, out, err);
}

pw_status pw_baseline_compare_keys(const pw_baseline *b, const pw_scan_result *r, size_t max_keys,
                                   pw_baseline_diff *out, pw_err *err)
{
    return pw_baseline_compare_with(b, r, &(pw_baseline_compare_opts){.max_keys = max_keys}, out,
                                    err);
}

pw_status pw_baseline_compare_with(const pw_baseline *b, const pw_scan_result *r,
                                   const pw_baseline_compare_opts *o, pw_baseline_diff *out,
                                   pw_err *err)
{
    size_t max_keys = o->max_keys ? o->max_keys : BASELINE_KEYS;
    size_t absent_mem = o->absent_mem ? o->absent_mem : BASELINE_ABSENT_MEM;
    memset(out, 0, sizeof *out);
    out->baseline = b;
    if (b->n > K_INDEX_MAX || r->n_findings > K_INDEX_MAX)
        return pw_err_set(err, PW_ERR_LIMIT, "comparing with %s: more than %u findings", b->name,
                          K_INDEX_MAX);
    out->state = calloc(r->n_findings ? r->n_findings : 1, sizeof *out->state);
    out->was = calloc(r->n_findings ? r->n_findings : 1, sizeof *out->was);
    out->store = malloc(sizeof(pw_arena));
    if (out->store)
        pw_arena_init(out->store, 0);
    if (!out->state || !out->was || !out->store)
        return compare_nomem(out, b, err);
    for (size_t i = 0; i < r->n_findings; i++) {
        out->state[i] = PW_BASELINE_NEW;
        out->was[i] = -1;
    }
    tags gone = {0};
    pw_status st = b->n <= max_keys ? pair_in_memory(b, r, out, &gone, err)
                                    : pair_in_buckets(b, r, max_keys, out, &gone, err);
    if (st == PW_OK) {
        out->n_new = r->n_findings - out->n_unchanged;
        if (gone.n) /* gone.v is NULL when none */
            qsort(gone.v, gone.n, sizeof *gone.v, gone_order);
        size_t bytes = 0;
        st = place_absent(b, r, o, gone.v, gone.n, out, &bytes, err);
        /* read back whole while short: what a caller of the library reads (the reports read
         * either); a finding takes its struct, two pointers and its strings */
        size_t whole = bytes + gone.n * (sizeof(pw_baseline_finding) + 2 * sizeof(void *));
        if (st == PW_OK && (whole <= absent_mem || absent_mem == SIZE_MAX))
            st = keep_absent(b, out, err);
    }
    free(gone.v);
    if (st == PW_ERR_NOMEM)
        return compare_nomem(out, b, err);
    if (st != PW_OK)
        pw_baseline_diff_free(out);
    return st;
}

void pw_baseline_diff_free(pw_baseline_diff *d)
{
    free(d->state);
    free(d->was);
    free(d->gone);
    free(d->unchecked);
    free(d->unchecked_why);
    free(d->absent_at);
    if (d->store)
        pw_arena_free(d->store);
    free(d->store);
    memset(d, 0, sizeof *d);
}

/* ---- the absent findings for the reports ---- */

static const pw_baseline_finding unreadable = {.fingerprint = "", .rule_id = "?"};

void pw_baseline_reader_init(pw_baseline_reader *rd, const pw_baseline_diff *d)
{
    memset(rd, 0, sizeof *rd);
    rd->d = d;
    pw_arena_init(&rd->a, 0);
    pw_err_clear(&rd->err);
}

const pw_baseline_finding *pw_baseline_reader_at(pw_baseline_reader *rd, int unchecked, size_t i)
{
    const pw_baseline_diff *d = rd->d;
    if (i >= (unchecked ? d->n_unchecked : d->n_gone))
        return &unreadable;
    if (d->gone) /* kept whole */
        return unchecked ? d->unchecked[i] : d->gone[i];
    if (rd->failed)
        return &unreadable;
    pw_arena_reset(&rd->a);
    const unsigned char *p;
    size_t n;
    pw_status st = record_at(d->baseline, d->absent_at[unchecked ? d->n_gone + i : i],
                             (pw_spill_cursor **)&rd->cursor, &p, &n, &rd->err);
    if (st == PW_OK && dec_finding(&rd->a, p, n, &rd->tmp) != 0)
        st = pw_err_set(&rd->err, PW_ERR_NOMEM, "%s: out of memory", d->baseline->name);
    if (st == PW_OK)
        return &rd->tmp;
    pw_err_prefix(&rd->err, "reading the findings of %s: ", d->baseline->name);
    rd->failed = 1;
    return &unreadable;
}

pw_status pw_baseline_reader_done(pw_baseline_reader *rd, pw_status st, pw_err *err)
{
    if (st == PW_OK && rd->failed) {
        st = rd->err.code ? rd->err.code : PW_ERR_IO;
        if (err)
            *err = rd->err;
    }
    cursor_free(rd->cursor);
    pw_arena_free(&rd->a);
    memset(rd, 0, sizeof *rd);
    return st;
}

int pw_baseline_is_news(const pw_baseline_diff *d, const pw_scan_result *r, size_t i)
{
    if (i >= r->n_findings)
        return 0;
    return d->state[i] != PW_BASELINE_UNCHANGED || (int)pw_scan_result_severity(r, i) > d->was[i];
}
