/*
 * baseline.c — an earlier scan's JSON report, read back to compare a new scan with it. The report
 * is streamed through yajl's event parser and only what a comparison shows is kept (target,
 * capture time, each finding's fingerprint, rule, severity, context, tracker, account, page): a
 * report of a large crawl holds every finding's request and evidence, which are skipped unread.
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
#include "phiwall/url.h"
#include "report/report_internal.h"

/* What a comparison reads sits at most 4 levels deep (findings[i].vendor.product); keys are
 * remembered that deep, in place, and only up to KEY_MAX - 1 bytes: every key matched is
 * shorter, so a longer one is kept as "" (it matches none). Nothing per key is allocated. */
#define KEY_LEVELS 4
#define KEY_MAX    16

struct pw_baseline {
    pw_arena arena;
    const char *name, *target, *captured, *tool, *source;
    pw_baseline_finding *findings;
    size_t n, cap;
    int saw_findings;
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
    pw_status fail;
    char why[400];
} parse_state;

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
    *slot = pw_arena_strndup(&p->b->arena, (const char *)s, n);
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
    pw_baseline *b = p->b;
    if (b->n == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 64;
        pw_baseline_finding *grown = pw_arena_alloc(&b->arena, cap * sizeof *grown);
        if (!grown)
            return stop(p, PW_ERR_NOMEM, "out of memory");
        if (b->n)
            memcpy(grown, b->findings, b->n * sizeof *grown);
        b->findings = grown;
        b->cap = cap;
    }
    b->findings[b->n++] = p->cur;
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
    b->name = pw_arena_strdup(&b->arena, name);
    parse_state p = {.b = b};
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
    yajl_free(h);
    pw_json_reserve_done(&r);
    pw_arena_free(&scratch);
    if (s != PW_OK) {
        pw_baseline_free(b);
        return s;
    }
    *out = b;
    return PW_OK;
}

#define STREAM_RUN (64u * 1024u)

static pw_baseline *baseline_new(const char *name)
{
    pw_baseline *b = malloc(sizeof *b);
    if (!b)
        return NULL;
    memset(b, 0, sizeof *b);
    pw_arena_init(&b->arena, 0);
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
        else if (!got)
            s = check_report(b, err);
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
    *out = NULL;
    if (!run)
        run = STREAM_RUN;
    if (!name)
        name = "baseline";
    pw_baseline *b = baseline_new(name);
    if (!b)
        return pw_err_set(err, PW_ERR_NOMEM, "%s: out of memory", name);
    parse_state p = {.b = b};
    pw_status s = parse_runs(f, run, b, &p, err);
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

const pw_baseline_finding *pw_baseline_at(const pw_baseline *b, size_t i)
{
    return i < b->n ? &b->findings[i] : NULL;
}

/* ---- comparison ---- */

typedef struct keyed {
    const char *fp;
    int severity;
    size_t index;
    int side;   /* 0 baseline, 1 scan */
    int paired; /* matched with an entry of the other side */
} keyed;

/* By fingerprint, then severity (highest first), then position: equal fingerprints pair up
 * highest with highest. */
static int by_key(const void *x, const void *y)
{
    const keyed *a = x, *b = y;
    int c = strcmp(a->fp, b->fp);
    if (c)
        return c;
    if (a->severity != b->severity)
        return b->severity - a->severity;
    return a->index < b->index ? -1 : a->index > b->index;
}

static int gone_order(const void *x, const void *y)
{
    const pw_baseline_finding *a = *(const pw_baseline_finding *const *)x;
    const pw_baseline_finding *b = *(const pw_baseline_finding *const *)y;
    if (a->severity != b->severity)
        return (int)b->severity - (int)a->severity;
    return a < b ? -1 : a > b;
}

/* The scan's fingerprints, one string each (freed by the caller); NULL when out of memory or
 * a finding's details could not be read back (ld->failed). */
static char **scan_fingerprints(const pw_scan_result *r, pw_report_loader *ld)
{
    char **fps = calloc(r->n_findings ? r->n_findings : 1, sizeof *fps);
    for (size_t i = 0; fps && i < r->n_findings; i++) {
        pw_buf fp;
        pw_buf_init(&fp);
        pw_report_fingerprint(pw_report_load(ld, i), &fp);
        pw_buf_putc(&fp, '\0');
        fps[i] = fp.failed || ld->failed ? NULL : fp.data;
        if (!fps[i]) {
            pw_buf_free(&fp);
            for (size_t j = 0; j < i; j++)
                free(fps[j]);
            free(fps);
            return NULL;
        }
    }
    return fps;
}

static void pair(keyed *base, keyed *scan, pw_baseline_diff *d)
{
    base->paired = scan->paired = 1;
    d->state[scan->index] = PW_BASELINE_UNCHANGED;
    d->was[scan->index] = base->severity;
    d->n_unchanged++;
}

/* Next entry of `side` in [at, hi) not paired yet, or hi. */
static size_t next_of(const keyed *k, size_t at, size_t hi, int side)
{
    while (at < hi && (k[at].side != side || k[at].paired))
        at++;
    return at;
}

/* Pair the two sides' entries of one fingerprint (k[lo..hi), highest severity first): those of
 * equal severity first (a walk of both sides in step), then the rest in order, highest with
 * highest; a baseline entry left over is gone. */
static void pair_run(keyed *k, size_t lo, size_t hi, pw_baseline_diff *d, const pw_baseline *b)
{
    size_t bi = next_of(k, lo, hi, 0), si = next_of(k, lo, hi, 1);
    while (bi < hi && si < hi) {
        int bs = k[bi].severity, ss = k[si].severity;
        if (bs == ss)
            pair(&k[bi], &k[si], d);
        if (bs >= ss)
            bi = next_of(k, bi + 1, hi, 0);
        if (ss >= bs)
            si = next_of(k, si + 1, hi, 1);
    }
    bi = next_of(k, lo, hi, 0);
    si = next_of(k, lo, hi, 1);
    for (; bi < hi && si < hi; bi = next_of(k, bi + 1, hi, 0), si = next_of(k, si + 1, hi, 1))
        pair(&k[bi], &k[si], d);
    for (; bi < hi; bi = next_of(k, bi + 1, hi, 0))
        d->gone[d->n_gone++] = &b->findings[k[bi].index];
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
    char **page_keys; /* sorted page keys of the scan's pages */
    size_t n_keys;
    int no_traffic;
    int login_failed;  /* --login failed: the logged-in area was not seen */
    int pages_unknown; /* a script or frame gap happened on pages it does not list */
    int gaps_dropped;  /* gaps past the capture's bound: where they happened is unknown */
    /* per gap, parallel to r->gaps: the page keys it happened on (a page gap: its own URL's),
     * made once rather than for every absent finding it is compared with */
    struct gap_keys {
        char **keys;
        size_t n;
    } * gap_keys;
} looked;

static int by_str(const void *x, const void *y)
{
    return strcmp(*(char *const *)x, *(char *const *)y);
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
    for (size_t i = 0; i < l->n_keys; i++)
        free(l->page_keys[i]);
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

static pw_status looked_init(looked *l, const pw_baseline *b, const pw_scan_result *r)
{
    memset(l, 0, sizeof *l);
    l->r = r;
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
    for (; l->n_keys < r->n_pages; l->n_keys++)
        if (!(l->page_keys[l->n_keys] =
                  page_key_dup(r->pages[l->n_keys].url ? r->pages[l->n_keys].url : "")))
            return PW_ERR_NOMEM;
    qsort(l->page_keys, l->n_keys, sizeof *l->page_keys, by_str);
    l->gap_keys = calloc(r->n_gaps ? r->n_gaps : 1, sizeof *l->gap_keys);
    if (!l->gap_keys)
        return PW_ERR_NOMEM;
    for (size_t i = 0; i < r->n_gaps; i++)
        if (gap_keys_init(&l->gap_keys[i], &r->gaps[i]) != PW_OK)
            return PW_ERR_NOMEM;
    return PW_OK;
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
    if (!why && key && !bsearch(&key, l->page_keys, l->n_keys, sizeof *l->page_keys, by_str))
        why = PW_UNCHECKED_PAGE_NOT_VISITED;
    if (!why && l->gaps_dropped)
        why = PW_UNCHECKED_TOO_MANY_GAPS;
    free(key);
    return why;
}

/* Split the absent findings (d->gone, highest first) into gone and not rechecked. */
static pw_status split_absent(pw_baseline_diff *d, const pw_baseline *b, const pw_scan_result *r)
{
    if (!d->n_gone)
        return PW_OK;
    looked l;
    pw_status s = looked_init(&l, b, r);
    if (s != PW_OK) {
        looked_free(&l);
        return s;
    }
    size_t kept = 0;
    for (size_t i = 0; i < d->n_gone; i++) {
        int why = unchecked_reason(&l, d->gone[i]);
        if (!why) {
            d->gone[kept++] = d->gone[i];
            continue;
        }
        d->unchecked_why[d->n_unchecked] = (pw_baseline_unchecked)why;
        d->unchecked[d->n_unchecked++] = d->gone[i];
    }
    d->n_gone = kept;
    looked_free(&l);
    return PW_OK;
}

static pw_status compare_nomem(pw_baseline_diff *out, const pw_baseline *b, pw_err *err)
{
    pw_baseline_diff_free(out);
    return pw_err_set(err, PW_ERR_NOMEM, "comparing with %s: out of memory", b->name);
}

pw_status pw_baseline_compare(const pw_baseline *b, const pw_scan_result *r, pw_baseline_diff *out,
                              pw_err *err)
{
    memset(out, 0, sizeof *out);
    out->baseline = b;
    size_t n = b->n + r->n_findings;
    pw_report_loader ld;
    pw_report_loader_init(&ld, r);
    char **fps = scan_fingerprints(r, &ld);
    if (!fps && ld.failed) {
        pw_baseline_diff_free(out);
        return pw_report_loader_status(&ld, NULL, err);
    }
    pw_report_loader_free(&ld);
    keyed *k = calloc(n ? n : 1, sizeof *k);
    out->state = calloc(r->n_findings ? r->n_findings : 1, sizeof *out->state);
    out->was = calloc(r->n_findings ? r->n_findings : 1, sizeof *out->was);
    out->gone = calloc(b->n ? b->n : 1, sizeof *out->gone);
    out->unchecked = calloc(b->n ? b->n : 1, sizeof *out->unchecked);
    out->unchecked_why = calloc(b->n ? b->n : 1, sizeof *out->unchecked_why);
    if (!fps || !k || !out->state || !out->was || !out->gone || !out->unchecked ||
        !out->unchecked_why) {
        if (fps)
            for (size_t i = 0; i < r->n_findings; i++)
                free(fps[i]);
        free(fps);
        free(k);
        return compare_nomem(out, b, err);
    }
    for (size_t i = 0; i < b->n; i++)
        k[i] = (keyed){b->findings[i].fingerprint, (int)b->findings[i].severity, i, 0, 0};
    for (size_t i = 0; i < r->n_findings; i++) {
        k[b->n + i] = (keyed){fps[i], (int)pw_scan_result_severity(r, i), i, 1, 0};
        out->state[i] = PW_BASELINE_NEW;
        out->was[i] = -1;
    }
    qsort(k, n, sizeof *k, by_key);
    for (size_t lo = 0, hi; lo < n; lo = hi) {
        for (hi = lo + 1; hi < n && strcmp(k[hi].fp, k[lo].fp) == 0; hi++)
            ;
        pair_run(k, lo, hi, out, b);
    }
    out->n_new = r->n_findings - out->n_unchanged;
    qsort(out->gone, out->n_gone, sizeof *out->gone, gone_order);
    for (size_t i = 0; i < r->n_findings; i++)
        free(fps[i]);
    free(fps);
    free(k);
    return split_absent(out, b, r) == PW_OK ? PW_OK : compare_nomem(out, b, err);
}

void pw_baseline_diff_free(pw_baseline_diff *d)
{
    free(d->state);
    free(d->was);
    free(d->gone);
    free(d->unchecked);
    free(d->unchecked_why);
    memset(d, 0, sizeof *d);
}

int pw_baseline_is_news(const pw_baseline_diff *d, const pw_scan_result *r, size_t i)
{
    if (i >= r->n_findings)
        return 0;
    return d->state[i] != PW_BASELINE_UNCHANGED || (int)pw_scan_result_severity(r, i) > d->was[i];
}
