/*
 * spill.c — the finding store's file (spill.h): an unlinked temporary file of length-prefixed
 * records, written through a 64 KiB buffer and read back with pread, and the encoding of what
 * the assessor puts there. Structures are written member by member, never as their bytes: their
 * padding is uninitialised memory, which went to the file (valgrind: "write(buf) points to
 * uninitialised bytes"). A hit's subtype, a static string, is written as its pointer (the file
 * never outlives the process that wrote it); other strings follow, in a fixed order.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "assess/spill.h"

#define SPILL_BUF (64u * 1024u)

struct pw_spill {
    int fd;
    char dir[512];
    uint64_t written; /* bytes in the file */
    unsigned char *buf;
    size_t len;
};

pw_status pw_spill_open(const char *dir, pw_spill **out, pw_err *err)
{
    if (!dir || !*dir)
        dir = getenv("TMPDIR");
    if (!dir || !*dir)
        dir = "/tmp";
    pw_spill *s = calloc(1, sizeof *s);
    if (!s || !(s->buf = malloc(SPILL_BUF))) {
        free(s);
        return pw_err_set(err, PW_ERR_NOMEM, "assessor: out of memory");
    }
    snprintf(s->dir, sizeof s->dir, "%s", dir);
    char path[600];
    snprintf(path, sizeof path, "%s/phiwall-findings-XXXXXX", dir);
    s->fd = mkstemp(path);
    if (s->fd < 0) {
        int e = errno;
        free(s->buf);
        free(s);
        return pw_err_set(err, PW_ERR_IO,
                          "%s: cannot create the findings' temporary file: %s (set TMPDIR to a "
                          "writable directory)",
                          dir, strerror(e));
    }
    unlink(path); /* gone with the process, whatever happens */
    *out = s;
    return PW_OK;
}

void pw_spill_free(pw_spill *s)
{
    if (!s)
        return;
    close(s->fd);
    free(s->buf);
    free(s);
}

static pw_status write_all(pw_spill *s, const void *p, size_t n, pw_err *err)
{
    const unsigned char *c = p;
    while (n) {
        ssize_t w = pwrite(s->fd, c, n, (off_t)s->written);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return pw_err_set(err, PW_ERR_IO,
                              "%s: cannot write the findings' temporary file at byte %llu: %s "
                              "(free space there or set TMPDIR to another directory)",
                              s->dir, (unsigned long long)s->written,
                              w < 0 ? strerror(errno) : "nothing written");
        c += w;
        n -= (size_t)w;
        s->written += (uint64_t)w;
    }
    return PW_OK;
}

pw_status pw_spill_flush(pw_spill *s, pw_err *err)
{
    if (!s || !s->len)
        return PW_OK;
    pw_status st = write_all(s, s->buf, s->len, err);
    s->len = 0;
    return st;
}

pw_status pw_spill_put(pw_spill *s, const void *p, size_t n, uint64_t *at, pw_err *err)
{
    if (n > UINT32_MAX)
        return pw_err_set(err, PW_ERR_INVALID, "assessor: a finding record of %zu bytes", n);
    uint32_t len = (uint32_t)n;
    if (s->len + sizeof len + n > SPILL_BUF) {
        pw_status st = pw_spill_flush(s, err);
        if (st != PW_OK)
            return st;
    }
    *at = s->written + s->len + 1;
    if (sizeof len + n > SPILL_BUF) { /* a big record goes straight to the file */
        pw_status st = write_all(s, &len, sizeof len, err);
        return st == PW_OK ? write_all(s, p, n, err) : st;
    }
    memcpy(s->buf + s->len, &len, sizeof len);
    memcpy(s->buf + s->len + sizeof len, p, n);
    s->len += sizeof len + n;
    return PW_OK;
}

static pw_status read_at(const pw_spill *s, uint64_t pos, void *p, size_t n, pw_err *err)
{
    unsigned char *c = p;
    if (pos >= s->written) { /* still in the write buffer */
        if (pos - s->written + n > s->len)
            return pw_err_set(err, PW_ERR_IO, "%s: findings' temporary file: no record at %llu",
                              s->dir, (unsigned long long)pos);
        memcpy(c, s->buf + (pos - s->written), n);
        return PW_OK;
    }
    while (n) {
        ssize_t r = pread(s->fd, c, n, (off_t)pos);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return pw_err_set(
                err, PW_ERR_IO, "%s: cannot read the findings' temporary file at byte %llu: %s",
                s->dir, (unsigned long long)pos, r < 0 ? strerror(errno) : "the file is shorter");
        c += r;
        n -= (size_t)r;
        pos += (uint64_t)r;
    }
    return PW_OK;
}

pw_status pw_spill_get(const pw_spill *s, uint64_t at, pw_arena *a, const unsigned char **p,
                       size_t *n, pw_err *err)
{
    uint32_t len;
    if (!at)
        return pw_err_set(err, PW_ERR_INVALID, "assessor: no finding record");
    pw_status st = read_at(s, at - 1, &len, sizeof len, err);
    if (st != PW_OK)
        return st;
    unsigned char *buf = pw_arena_alloc(a, len ? len : 1);
    if (!buf)
        return pw_err_set(err, PW_ERR_NOMEM, "assessor: out of memory");
    if ((st = read_at(s, at - 1 + sizeof len, buf, len, err)) != PW_OK)
        return st;
    *p = buf;
    *n = len;
    return PW_OK;
}

pw_status pw_spill_read(const pw_spill *s, uint64_t pos, void *p, size_t n, pw_err *err)
{
    return read_at(s, pos, p, n, err);
}

uint64_t pw_spill_size(const pw_spill *s)
{
    return s ? s->written + s->len : 0;
}

#define CURSOR_BUF (16u * 1024u)

void pw_spill_cursor_init(pw_spill_cursor *c, const pw_spill *s, uint64_t pos)
{
    memset(c, 0, sizeof *c);
    c->s = s;
    c->pos = pos;
}

void pw_spill_cursor_free(pw_spill_cursor *c)
{
    free(c->buf);
    memset(c, 0, sizeof *c);
}

/* Make buf hold n bytes from c->pos on (fewer only at the end of the file: an error then). */
static pw_status cursor_fill(pw_spill_cursor *c, size_t n, pw_err *err)
{
    if (c->len - c->off >= n)
        return PW_OK;
    size_t want = n > CURSOR_BUF ? n : CURSOR_BUF;
    if (want > c->cap) {
        unsigned char *b = realloc(c->buf, want);
        if (!b)
            return pw_err_set(err, PW_ERR_NOMEM, "assessor: out of memory");
        c->buf = b;
        c->cap = want;
    }
    uint64_t end = pw_spill_size(c->s);
    size_t avail = end > c->pos ? (size_t)(end - c->pos < want ? end - c->pos : want) : 0;
    c->off = c->len = 0;
    if (avail < n)
        return pw_err_set(err, PW_ERR_IO, "%s: findings' temporary file: no record at %llu",
                          c->s->dir, (unsigned long long)c->pos);
    pw_status st = read_at(c->s, c->pos, c->buf, avail, err);
    if (st == PW_OK)
        c->len = avail;
    return st;
}

pw_status pw_spill_next(pw_spill_cursor *c, const unsigned char **p, size_t *n, pw_err *err)
{
    uint32_t len;
    pw_status st = cursor_fill(c, sizeof len, err);
    if (st != PW_OK)
        return st;
    memcpy(&len, c->buf + c->off, sizeof len);
    c->off += sizeof len;
    c->pos += sizeof len;
    if ((st = cursor_fill(c, len, err)) != PW_OK)
        return st;
    *p = c->buf + c->off;
    *n = len;
    c->off += len;
    c->pos += len;
    return PW_OK;
}

/* ---- encoding ---- */

#define NULL_LEN UINT32_MAX

static void put_u32(pw_buf *b, uint32_t v)
{
    pw_buf_append(b, &v, sizeof v);
}

static void put_bytes(pw_buf *b, const void *p, size_t n)
{
    if (!p) {
        put_u32(b, NULL_LEN);
        return;
    }
    put_u32(b, (uint32_t)n);
    pw_buf_append(b, p, n);
}

void pw_spill_enc_str(pw_buf *b, const char *s)
{
    put_bytes(b, s, s ? strlen(s) : 0);
}

/* A scalar member as its bytes (no padding: one member at a time). */
#define PUT(b, m) pw_buf_append((b), &(m), sizeof(m))

static void put_flag(pw_buf *b, const void *p)
{
    unsigned char v = p != NULL;
    pw_buf_append(b, &v, 1);
}

static void enc_request_fields(pw_buf *b, const pw_request *r)
{
    PUT(b, r->n_headers);
    PUT(b, r->timestamp);
    PUT(b, r->status);
    PUT(b, r->step);
    PUT(b, r->source);
    PUT(b, r->before_consent);
    PUT(b, r->after_reject);
    PUT(b, r->visit_retried);
}

static void enc_evidence_fields(pw_buf *b, const pw_evidence *e)
{
    PUT(b, e->value_len);
    PUT(b, e->kind);
    put_flag(b, e->hits);
    PUT(b, e->n_hits);
}

static void enc_hit_fields(pw_buf *b, const pw_hit *h)
{
    PUT(b, h->category);
    PUT(b, h->subtype);
    PUT(b, h->start);
    PUT(b, h->end);
    PUT(b, h->confidence);
    PUT(b, h->reason);
    PUT(b, h->sensitivity);
}

void pw_spill_enc_request(pw_buf *b, const pw_request *r)
{
    enc_request_fields(b, r);
    const char *const strs[] = {r->method,    r->url,       r->content_type,
                                r->page_url,  r->frame_url, r->resource_type,
                                r->initiator, r->error,     r->redirect_url};
    for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++)
        pw_spill_enc_str(b, strs[i]);
    for (size_t i = 0; i < r->n_headers; i++) {
        pw_spill_enc_str(b, r->headers[i].name);
        pw_spill_enc_str(b, r->headers[i].value);
    }
    put_bytes(b, r->body, r->body_len);
}

void pw_spill_enc_detail(pw_buf *b, const char *legal, const pw_evidence *ev, size_t n_ev,
                         uint64_t request_at)
{
    pw_spill_enc_str(b, legal);
    pw_buf_append(b, &request_at, sizeof request_at);
    put_u32(b, (uint32_t)n_ev);
    for (size_t i = 0; i < n_ev; i++) {
        enc_evidence_fields(b, &ev[i]);
        pw_spill_enc_str(b, ev[i].key);
        /* the value as sent, NUL bytes and all (copy_evidence keeps value_len bytes) */
        put_bytes(b, ev[i].value, ev[i].value ? ev[i].value_len : 0);
        for (size_t j = 0; ev[i].hits && j < ev[i].n_hits; j++) {
            enc_hit_fields(b, &ev[i].hits[j]);
            pw_spill_enc_str(b, ev[i].hits[j].normalized);
            pw_spill_enc_str(b, ev[i].hits[j].reason_detail);
        }
    }
}

/* ---- decoding ---- */

typedef struct reader {
    const unsigned char *p;
    size_t n, at;
    int bad;
} reader;

static int get(reader *r, void *out, size_t n)
{
    if (r->bad || r->n - r->at < n) {
        r->bad = 1;
        return 0;
    }
    memcpy(out, r->p + r->at, n);
    r->at += n;
    return 1;
}

/* A string or byte run, NUL-terminated in the arena (NULL when it was NULL or is damaged). */
static char *get_bytes(reader *r, pw_arena *a, size_t *len)
{
    uint32_t n;
    if (!get(r, &n, sizeof n) || n == NULL_LEN) {
        if (len)
            *len = 0;
        return NULL;
    }
    if (r->n - r->at < n) {
        r->bad = 1;
        return NULL;
    }
    char *s = pw_arena_alloc(a, (size_t)n + 1);
    if (!s) {
        r->bad = 1;
        return NULL;
    }
    memcpy(s, r->p + r->at, n);
    s[n] = '\0';
    r->at += n;
    if (len)
        *len = n;
    return s;
}

#define GET(r, m) get((r), &(m), sizeof(m))

static int get_flag(reader *r)
{
    unsigned char v = 0;
    return get(r, &v, 1) && v;
}

static int dec_request_fields(reader *r, pw_request *q)
{
    GET(r, q->n_headers);
    GET(r, q->timestamp);
    GET(r, q->status);
    GET(r, q->step);
    GET(r, q->source);
    GET(r, q->before_consent);
    GET(r, q->after_reject);
    GET(r, q->visit_retried);
    return !r->bad && q->n_headers <= r->n; /* a header takes 8 bytes at least */
}

/* Its hits pointer: non-NULL (to be read back) when it was so written; NULL otherwise. */
static const pw_hit evidence_has_hits = {0};

static int dec_evidence_fields(reader *r, pw_evidence *e)
{
    GET(r, e->value_len);
    GET(r, e->kind);
    e->hits = get_flag(r) ? &evidence_has_hits : NULL;
    GET(r, e->n_hits);
    return !r->bad;
}

static void dec_hit_fields(reader *r, pw_hit *h)
{
    GET(r, h->category);
    GET(r, h->subtype);
    GET(r, h->start);
    GET(r, h->end);
    GET(r, h->confidence);
    GET(r, h->reason);
    GET(r, h->sensitivity);
}

pw_request *pw_spill_dec_request(pw_arena *a, const unsigned char *p, size_t n)
{
    reader r = {p, n, 0, 0};
    pw_request *q = pw_arena_calloc(a, 1, sizeof *q);
    if (!q || !dec_request_fields(&r, q))
        return NULL;
    const char **strs[] = {&q->method,    &q->url,       &q->content_type,
                           &q->page_url,  &q->frame_url, &q->resource_type,
                           &q->initiator, &q->error,     &q->redirect_url};
    for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++)
        *strs[i] = get_bytes(&r, a, NULL);
    pw_header *h = pw_arena_calloc(a, q->n_headers ? q->n_headers : 1, sizeof *h);
    if (!h)
        return NULL;
    for (size_t i = 0; i < q->n_headers; i++) {
        h[i].name = get_bytes(&r, a, NULL);
        h[i].value = get_bytes(&r, a, NULL);
    }
    q->headers = h;
    size_t body_len = 0;
    q->body = (const unsigned char *)get_bytes(&r, a, &body_len);
    q->body_len = body_len;
    return r.bad || r.at != n ? NULL : q;
}

int pw_spill_dec_detail(pw_arena *a, const unsigned char *p, size_t n, const char **legal,
                        const pw_evidence **ev_out, size_t *n_ev, uint64_t *request_at)
{
    reader r = {p, n, 0, 0};
    uint32_t k = 0;
    *legal = get_bytes(&r, a, NULL);
    if (!get(&r, request_at, sizeof *request_at) || !get(&r, &k, sizeof k) || k > n)
        return -1;
    pw_evidence *ev = pw_arena_calloc(a, k ? k : 1, sizeof *ev);
    if (!ev)
        return -1;
    for (uint32_t i = 0; i < k && !r.bad; i++) {
        if (!dec_evidence_fields(&r, &ev[i]))
            break;
        ev[i].key = get_bytes(&r, a, NULL);
        size_t vlen = 0;
        char *v = get_bytes(&r, a, &vlen);
        if (v && vlen < ev[i].value_len) { /* its tail reads as NULs */
            char *padded = pw_arena_calloc(a, ev[i].value_len + 1, 1);
            if (!padded) {
                r.bad = 1;
                break;
            }
            memcpy(padded, v, vlen);
            v = padded;
        }
        ev[i].value = v;
        if (!ev[i].hits) /* NULL when written so; else read back */
            continue;
        pw_hit *h = pw_arena_calloc(a, ev[i].n_hits ? ev[i].n_hits : 1, sizeof *h);
        if (!h || ev[i].n_hits > n) {
            r.bad = 1;
            break;
        }
        for (size_t j = 0; j < ev[i].n_hits; j++) {
            dec_hit_fields(&r, &h[j]);
            h[j].normalized = get_bytes(&r, a, NULL);
            h[j].reason_detail = get_bytes(&r, a, NULL);
        }
        ev[i].hits = h;
    }
    if (r.bad || r.at != n)
        return -1;
    *ev_out = ev;
    *n_ev = k;
    return 0;
}

const char *pw_spill_dec_str(pw_arena *a, const unsigned char *p, size_t n)
{
    reader r = {p, n, 0, 0};
    return get_bytes(&r, a, NULL);
}

const char *pw_spill_request_url(const pw_spill *s, uint64_t detail_at, pw_arena *a)
{
    const unsigned char *p;
    size_t n;
    const char *legal;
    const pw_evidence *ev;
    size_t n_ev;
    uint64_t req_at = 0;
    if (pw_spill_get(s, detail_at, a, &p, &n, NULL) != PW_OK ||
        pw_spill_dec_detail(a, p, n, &legal, &ev, &n_ev, &req_at) != 0 || !req_at ||
        pw_spill_get(s, req_at, a, &p, &n, NULL) != PW_OK)
        return NULL;
    const pw_request *r = pw_spill_dec_request(a, p, n);
    return r ? r->url : NULL;
}

pw_status pw_spill_read_str(const pw_spill *s, uint64_t at, pw_arena *a, const char **out,
                            pw_err *err)
{
    const unsigned char *p;
    size_t n;
    pw_status st = pw_spill_get(s, at, a, &p, &n, err);
    if (st != PW_OK)
        return st;
    *out = pw_spill_dec_str(a, p, n);
    return PW_OK;
}

pw_status pw_spill_read_detail(const pw_spill *s, uint64_t detail_at, pw_arena *a,
                               const char **legal, const pw_evidence **ev, size_t *n_ev,
                               const pw_request **req, pw_err *err)
{
    const unsigned char *p;
    size_t n;
    uint64_t req_at = 0;
    pw_status st = pw_spill_get(s, detail_at, a, &p, &n, err);
    if (st != PW_OK)
        return st;
    if (pw_spill_dec_detail(a, p, n, legal, ev, n_ev, &req_at) != 0)
        return pw_err_set(err, PW_ERR_IO, "findings' temporary file: a damaged record");
    *req = NULL;
    if (!req_at)
        return PW_OK;
    if ((st = pw_spill_get(s, req_at, a, &p, &n, err)) != PW_OK)
        return st;
    if (!(*req = pw_spill_dec_request(a, p, n)))
        return pw_err_set(err, PW_ERR_IO, "findings' temporary file: a damaged request record");
    return PW_OK;
}
