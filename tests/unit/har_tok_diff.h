/*
 * har_tok_diff.h — the HAR reader's tokenizer (capture/har_tok.c) against yajl, for
 * test_har_tok.c and fuzz_har_tok.c. One text is read twice in the same chunks: by yajl alone,
 * and by the tokenizer handing any token it is not sure of to a yajl parser brought to its state
 * by har_tok_prefix and taking over again after yajl's first event, as har.c does. Both must
 * give the same events (type, value, the offset after the token) and the same end: complete, or
 * yajl's error message at the same byte. With `skip`, every object value may be skipped (the
 * events then differ), and only the end is compared: a malformed value is never skipped.
 */
#ifndef HAR_TOK_DIFF_H
#define HAR_TOK_DIFF_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_parse.h>

#include "capture/har_internal.h"

typedef struct td_log {
    char *buf;
    size_t n, cap;
} td_log;

static void td_put(td_log *l, const char *s, size_t n)
{
    if (l->n + n + 1 > l->cap) {
        size_t cap = (l->n + n + 1) * 2;
        char *b = realloc(l->buf, cap);
        if (!b)
            abort();
        l->buf = b;
        l->cap = cap;
    }
    memcpy(l->buf + l->n, s, n);
    l->n += n;
    l->buf[l->n] = '\0';
}

/* One event: its type, the offset after it, its value's bytes (as hex: values hold NULs). */
static void td_event(td_log *l, char type, const unsigned char *s, size_t n, size_t end)
{
    char head[48];
    int w = snprintf(head, sizeof head, "%c@%zu:", type, end);
    td_put(l, head, (size_t)w);
    for (size_t i = 0; i < n; i++) {
        char hx[3];
        snprintf(hx, sizeof hx, "%02x", s[i]);
        td_put(l, hx, 2);
    }
    td_put(l, "\n", 1);
}

typedef struct td_run {
    td_log log;
    yajl_handle yh;
    size_t run_off;
    int priming, resume, skip;
    size_t resume_off;
    har_tok tok;
} td_run;

static size_t td_at(td_run *r)
{
    return r->run_off + yajl_get_bytes_consumed(r->yh);
}

/* A yajl event: logged; in the tokenizer's run it also ends yajl's turn. */
static int td_y(td_run *r, char type, const unsigned char *s, size_t n)
{
    if (r->priming)
        return 1;
    td_event(&r->log, type, s, n, td_at(r));
    if (!r->tok.max) /* yajl alone */
        return 1;
    har_tok_follow(&r->tok, type);
    r->resume = 1;
    r->resume_off = td_at(r);
    return 0;
}
static int td_null(void *c)
{
    return td_y(c, 'z', NULL, 0);
}
static int td_bool(void *c, int b)
{
    return td_y(c, 'b', (const unsigned char *)(b ? "true" : "false"), b ? 4 : 5);
}
static int td_num(void *c, const char *s, size_t n)
{
    return td_y(c, 'n', (const unsigned char *)s, n);
}
static int td_str(void *c, const unsigned char *s, size_t n)
{
    return td_y(c, 's', s, n);
}
static int td_key(void *c, const unsigned char *s, size_t n)
{
    return td_y(c, 'k', s, n);
}
static int td_om(void *c)
{
    return td_y(c, 'o', NULL, 0);
}
static int td_oa(void *c)
{
    return td_y(c, 'a', NULL, 0);
}
static int td_end(void *c)
{
    return td_y(c, 'e', NULL, 0);
}
static const yajl_callbacks td_cb = {td_null, td_bool, NULL,   NULL,  td_num, td_str,
                                     td_om,   td_key,  td_end, td_oa, td_end};

static int tk_v(void *c, char type, const unsigned char *s, size_t n, size_t end)
{
    td_event(&((td_run *)c)->log, type, s, n, end);
    return 1;
}
static int tk_k(void *c, const unsigned char *s, size_t n, size_t end)
{
    td_event(&((td_run *)c)->log, 'k', s, n, end);
    return 1;
}
static int tk_e(void *c, size_t end)
{
    td_event(&((td_run *)c)->log, 'e', NULL, 0, end);
    return 1;
}
static size_t tk_room(void *c)
{
    return ((td_run *)c)->skip ? 64 : 0;
}
static const har_tok_ops td_ops = {tk_v, tk_k, tk_e, tk_room};

static yajl_handle td_yajl(td_run *r)
{
    yajl_handle h = yajl_alloc(&td_cb, NULL, r);
    yajl_config(h, yajl_dont_validate_strings, 1);
    return h;
}

/* yajl's error (its first line) or "ok", with the offset, onto the log. */
static void td_outcome(td_run *r, yajl_status ys, const unsigned char *p, size_t n, size_t off)
{
    char line[256];
    if (ys == yajl_status_ok) {
        snprintf(line, sizeof line, "ok\n");
    } else {
        unsigned char *m = yajl_get_error(r->yh, 0, p, n);
        char *nl = strchr((char *)m, '\n');
        if (nl)
            *nl = '\0';
        snprintf(line, sizeof line, "error@%zu: %s\n", off + yajl_get_bytes_consumed(r->yh),
                 (char *)m);
        yajl_free_error(r->yh, m);
    }
    td_put(&r->log, line, strlen(line));
}

/* yajl alone, fed chunk bytes at a time. */
static void td_reference(const unsigned char *d, size_t n, size_t chunk, td_log *out)
{
    td_run r;
    memset(&r, 0, sizeof r);
    r.yh = td_yajl(&r);
    yajl_status ys = yajl_status_ok;
    size_t off = 0;
    for (; off < n && ys == yajl_status_ok; off += chunk) {
        size_t k = n - off < chunk ? n - off : chunk;
        r.run_off = off;
        ys = yajl_parse(r.yh, d + off, k);
        if (ys != yajl_status_ok)
            td_outcome(&r, ys, d + off, k, off);
    }
    if (ys == yajl_status_ok) {
        r.run_off = n;
        ys = yajl_complete_parse(r.yh);
        td_outcome(&r, ys, NULL, 0, n);
    }
    yajl_free(r.yh);
    *out = r.log;
}

/* The tokenizer with yajl behind it, as har.c drives them. */
static void td_tokenized(const unsigned char *d, size_t n, size_t chunk, int skip, size_t max,
                         td_log *out)
{
    td_run r;
    memset(&r, 0, sizeof r);
    har_tok_init(&r.tok, max);
    r.skip = skip;
    yajl_status ys = yajl_status_ok;
    const unsigned char *ep = NULL;
    size_t en = 0, eoff = 0;
    for (size_t off = 0; off < n && ys == yajl_status_ok; off += chunk) {
        size_t k = n - off < chunk ? n - off : chunk, i = 0;
        while (i < k) {
            if (!r.yh) {
                int t = har_tok_run(&r.tok, d + off, k, &i, off, &td_ops, &r);
                if (t == HAR_TOK_MORE)
                    break;
                if (t != HAR_TOK_HANDOFF)
                    abort(); /* the callbacks never stop, memory does not run out here */
                r.yh = td_yajl(&r);
                char prefix[HAR_TOK_PREFIX_MAX];
                size_t pn = har_tok_prefix(&r.tok, prefix);
                r.priming = 1;
                if (yajl_parse(r.yh, (const unsigned char *)prefix, pn) != yajl_status_ok)
                    abort(); /* the prefix must bring yajl to the state */
                r.priming = 0;
            }
            r.run_off = off + i;
            r.resume = 0;
            ys = yajl_parse(r.yh, d + off + i, k - i);
            if (ys == yajl_status_ok)
                break;
            if (!r.resume) {
                ep = d + off + i;
                en = k - i;
                eoff = off + i;
                break;
            }
            yajl_free(r.yh);
            r.yh = NULL;
            ys = yajl_status_ok;
            i = r.resume_off - off;
        }
    }
    if (ys != yajl_status_ok) {
        td_outcome(&r, ys, ep, en, eoff);
    } else if (r.yh) {
        r.run_off = n;
        r.tok.max = 0; /* no more turns to end: yajl finishes */
        ys = yajl_complete_parse(r.yh);
        td_outcome(&r, ys, NULL, 0, n);
    } else {
        /* the tokenizer's text ends between tokens: yajl in its state says how it ends */
        r.yh = td_yajl(&r);
        char prefix[HAR_TOK_PREFIX_MAX];
        size_t pn = har_tok_prefix(&r.tok, prefix);
        r.priming = 1;
        if (yajl_parse(r.yh, (const unsigned char *)prefix, pn) != yajl_status_ok)
            abort();
        r.priming = 0;
        r.run_off = n;
        ys = yajl_complete_parse(r.yh);
        td_outcome(&r, ys, NULL, 0, n);
        if ((ys == yajl_status_ok) != har_tok_complete(&r.tok))
            abort(); /* har.c takes har_tok_complete for yajl's word */
    }
    if (r.yh)
        yajl_free(r.yh);
    har_tok_free(&r.tok);
    *out = r.log;
}

/* The last line of a log (its outcome). */
static const char *td_last(const td_log *l)
{
    if (!l->n)
        return "";
    size_t i = l->n - 1;
    while (i > 0 && l->buf[i - 1] != '\n')
        i--;
    return l->buf + i;
}

#endif
