/*
 * findings.c — the findings' page-URL sets and the two files a long scan keeps its findings in
 * (findings.h): the runs, written as memory fills and merged at finish, and the result's files,
 * one a severity, of fixed-size records read back by their place. A record holds a finding's
 * members one by one (never its padding); its pointers (tracker, details kept in memory) are
 * written as they are: the files never outlive the process that wrote them.
 */
#include <stdlib.h>
#include <string.h>

#include "assess/findings.h"

int pw_hash_set_add(hash_set *s, uint64_t h)
{
    h = h ? h : 1;
    if (!s->cap) {
        if (!s->n) {
            s->u.one = h;
            s->n = 1;
            return 1;
        }
        if (h == s->u.one)
            return 0;
        uint64_t *slot = calloc(4, sizeof *slot); /* a second hash: a table for both */
        if (!slot)
            return -1;
        slot[s->u.one & 3] = s->u.one;
        s->u.slot = slot;
        s->cap = 4;
    }
    if (((size_t)s->n + 1) * 10 > (size_t)s->cap * 7) {
        uint32_t cap = s->cap * 2;
        uint64_t *slot = calloc(cap, sizeof *slot);
        if (!slot)
            return -1;
        for (size_t i = 0; i < s->cap; i++) {
            if (!s->u.slot[i])
                continue;
            size_t j = s->u.slot[i] & (cap - 1);
            while (slot[j])
                j = (j + 1) & (cap - 1);
            slot[j] = s->u.slot[i];
        }
        free(s->u.slot);
        s->u.slot = slot;
        s->cap = cap;
    }
    size_t j = h & (s->cap - 1);
    for (; s->u.slot[j]; j = (j + 1) & (s->cap - 1))
        if (s->u.slot[j] == h)
            return 0;
    s->u.slot[j] = h;
    s->n++;
    return 1;
}

void pw_hash_set_free(hash_set *s)
{
    if (s->cap)
        free(s->u.slot);
    memset(s, 0, sizeof *s);
}

/* ---- a finding as bytes ---- */

#define PUT(b, m) pw_buf_append((b), &(m), sizeof(m))

/* Every member, the page URLs all PW_FINDING_PAGE_URLS of them: a fixed size. */
static void enc_cfind(pw_buf *b, const cfind *f)
{
    uint64_t detail, remedy;
    memcpy(&detail, &f->detail, sizeof detail);
    memcpy(&remedy, &f->remedy, sizeof remedy);
    PUT(b, f->tracker);
    PUT(b, detail);
    PUT(b, remedy);
    PUT(b, f->seq);
    PUT(b, f->page);
    PUT(b, f->account);
    PUT(b, f->company);
    PUT(b, f->event);
    PUT(b, f->occurrences);
    PUT(b, f->page_variants);
    pw_buf_append(b, f->urls, sizeof f->urls);
    PUT(b, f->rule);
    PUT(b, f->severity);
    PUT(b, f->context);
    PUT(b, f->step);
    PUT(b, f->n_page_urls);
    PUT(b, f->flags);
}

#define CFIND_BYTES (3 * 8 + 7 * 4 + PW_FINDING_PAGE_URLS * 4 + 6)

#define GET(p, m) (memcpy(&(m), (p), sizeof(m)), (p) += sizeof(m))

static void dec_cfind(const unsigned char *p, cfind *f)
{
    uint64_t detail, remedy;
    memset(f, 0, sizeof *f);
    GET(p, f->tracker);
    GET(p, detail);
    GET(p, remedy);
    memcpy(&f->detail, &detail, sizeof detail);
    memcpy(&f->remedy, &remedy, sizeof remedy);
    GET(p, f->seq);
    GET(p, f->page);
    GET(p, f->account);
    GET(p, f->company);
    GET(p, f->event);
    GET(p, f->occurrences);
    GET(p, f->page_variants);
    memcpy(f->urls, p, sizeof f->urls);
    p += sizeof f->urls;
    GET(p, f->rule);
    GET(p, f->severity);
    GET(p, f->context);
    GET(p, f->step);
    GET(p, f->n_page_urls);
    GET(p, f->flags);
}

/* ---- runs: a finding, then its page-URL hashes ---- */

pw_status pw_run_put(pw_spill **s, const char *dir, const cfind *f, const hash_set *urls,
                     pw_buf *enc, pw_err *err)
{
    if (!*s) {
        pw_status st = pw_spill_open(dir, s, err);
        if (st != PW_OK)
            return st;
    }
    pw_buf_clear(enc);
    enc_cfind(enc, f);
    PUT(enc, urls->n);
    if (!urls->cap && urls->n)
        PUT(enc, urls->u.one);
    for (size_t i = 0; i < urls->cap; i++)
        if (urls->u.slot[i])
            PUT(enc, urls->u.slot[i]);
    if (enc->failed)
        return pw_err_set(err, PW_ERR_NOMEM, "assessor: out of memory");
    uint64_t at;
    return pw_spill_put(*s, enc->data, enc->len, &at, err);
}

pw_status pw_run_next(pw_spill_cursor *c, cfind *f, hash_set *urls, pw_err *err)
{
    const unsigned char *p;
    size_t n;
    pw_status st = pw_spill_next(c, &p, &n, err);
    if (st != PW_OK)
        return st;
    uint32_t count;
    if (n < CFIND_BYTES + sizeof count)
        return pw_err_set(err, PW_ERR_IO, "findings' temporary file: a damaged record");
    dec_cfind(p, f);
    memcpy(&count, p + CFIND_BYTES, sizeof count);
    if (n != CFIND_BYTES + sizeof count + (size_t)count * sizeof(uint64_t))
        return pw_err_set(err, PW_ERR_IO, "findings' temporary file: a damaged record");
    p += CFIND_BYTES + sizeof count;
    for (uint32_t i = 0; i < count; i++) {
        uint64_t h;
        GET(p, h);
        if (pw_hash_set_add(urls, h) < 0)
            return pw_err_set(err, PW_ERR_NOMEM, "assessor: out of memory");
    }
    return PW_OK;
}

/* ---- the result's files ---- */

#define SEV_REC   (4 + CFIND_BYTES) /* pw_spill_put's length, then the finding */
#define SEV_BLOCK 64                /* records read back at once */

pw_status pw_sev_put(pw_sev_files *s, const cfind *f, pw_err *err)
{
    int sev = f->severity < PW_SEV__COUNT ? f->severity : PW_SEV__COUNT - 1;
    if (!s->file[sev]) {
        pw_status st = pw_spill_open(s->dir, &s->file[sev], err);
        if (st != PW_OK)
            return st;
    }
    pw_buf_clear(&s->enc);
    enc_cfind(&s->enc, f);
    if (s->enc.failed)
        return pw_err_set(err, PW_ERR_NOMEM, "assessor: out of memory");
    uint64_t at;
    pw_status st = pw_spill_put(s->file[sev], s->enc.data, s->enc.len, &at, err);
    if (st == PW_OK)
        s->n[sev]++;
    return st;
}

pw_status pw_sev_flush(pw_sev_files *s, pw_err *err)
{
    for (int i = 0; i < PW_SEV__COUNT; i++) {
        pw_status st = pw_spill_flush(s->file[i], err);
        if (st != PW_OK)
            return st;
    }
    return PW_OK;
}

pw_status pw_sev_get(pw_sev_files *s, int sev, size_t k, cfind *f, pw_err *err)
{
    if (sev < 0 || sev >= PW_SEV__COUNT || k >= s->n[sev])
        return pw_err_set(err, PW_ERR_INVALID, "assessor: no finding %zu", k);
    pw_sev_block *b = &s->block[sev];
    if (!b->data || k < b->first || k >= b->first + b->n) {
        if (!b->data && !(b->data = malloc((size_t)SEV_BLOCK * SEV_REC)))
            return pw_err_set(err, PW_ERR_NOMEM, "assessor: out of memory");
        size_t first = k - k % SEV_BLOCK;
        size_t n = s->n[sev] - first < SEV_BLOCK ? s->n[sev] - first : SEV_BLOCK;
        b->n = 0;
        pw_status st =
            pw_spill_read(s->file[sev], (uint64_t)first * SEV_REC, b->data, n * SEV_REC, err);
        if (st != PW_OK)
            return st;
        b->first = first;
        b->n = n;
    }
    dec_cfind(b->data + (k - b->first) * SEV_REC + 4, f);
    s->last = *f;
    s->have_last = 1;
    return PW_OK;
}

void pw_sev_free(pw_sev_files *s)
{
    for (int i = 0; i < PW_SEV__COUNT; i++) {
        pw_spill_free(s->file[i]);
        free(s->block[i].data);
    }
    pw_buf_free(&s->enc);
    memset(s, 0, sizeof *s);
}
