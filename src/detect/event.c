/*
 * event.c — pw_detect_scan_event: all fields of one event in one pass. Every field gets exactly
 * the hits pw_detect_scan would give it; what is shared is the work around the detectors:
 *
 *  - one classification: each field's bytes are classified (SSE2 masks, summary.c) into one set
 *    of event-wide masks, every field starting on a 64-bit word of its own, so a field's masks
 *    are a window on the event's (the bits after its last byte are in no class: no detector
 *    candidate, no pattern, crosses into the next field). The field's top segment then takes
 *    its summary and masks from there instead of classifying itself again, and a field with no
 *    letter or digit is skipped before any other setup;
 *  - one vocabulary scan: the fields whose top segment reaches the health scan as it is (not a
 *    URL, no percent layer, holding a letter) are joined into one buffer, each followed by a
 *    barrier word that no vocabulary term holds (checked when the detector is built), so no term
 *    runs from one field into the next; the automaton scans that buffer once and each field
 *    gets its matches back at its own offsets. Fields without letters never enter it;
 *  - the context memo is cleared once per event (its entries are keyed by addresses, which stay
 *    valid while the event's buffers and the arena are unchanged, i.e. for the whole call).
 */
#include <stdlib.h>
#include <string.h>

#include "detect/internal.h"
#include "detect/vocab_builtin.h"

/* The barrier as its own word (a single digit: the shortest word there is to look up). */
#define BARRIER     " " PW_EVENT_BARRIER " "
#define BARRIER_LEN (sizeof BARRIER - 1)

/* 1 if the normalised term t has the barrier as one of its words. */
static int term_has_barrier(const char *t)
{
    size_t bl = sizeof PW_EVENT_BARRIER - 1;
    for (const char *p = strstr(t, PW_EVENT_BARRIER); p; p = strstr(p + 1, PW_EVENT_BARRIER))
        if ((p == t || !pw_isalnum((unsigned char)p[-1])) && !pw_isalnum((unsigned char)p[bl]))
            return 1;
    return 0;
}

int pw_event_barrier_in_terms(const pw_vocab *v, size_t from)
{
    for (size_t i = from; i < pw_vocab_size(v); i++) {
        const pw_vocab_entry *e = pw_vocab_entry_at(v, (uint32_t)i);
        if (e && e->term && term_has_barrier(e->term))
            return 1;
    }
    return 0;
}

/* The built-in terms are checked by test_detect_event_equiv (every build), a user file's here. */
int pw_event_barrier_ok(const pw_vocab *v)
{
    if (!v || !pw_vocab_size(v) || pw_vocab_backend_of(v) != PW_VOCAB_BACKEND_AC)
        return 0;
    return !pw_event_barrier_in_terms(v, pw_vocab_builtin_count);
}

void pw_event_bufs_free(pw_event_bufs *b)
{
    if (!b)
        return;
    free(b->bits);
    free(b->ws);
    free(b->text);
    free(b->matches);
    free(b->field_at);
    free(b->sums);
    free(b->url);
    free(b);
}

/* p (of *cap elements of size sz) grown to hold need; 0 when out of memory. */
static int grow(void **p, size_t *cap, size_t need, size_t sz)
{
    if (need <= *cap)
        return 1;
    size_t c = *cap ? *cap : 16;
    while (c < need)
        c *= 2;
    void *t = realloc(*p, c * sz);
    if (!t)
        return 0;
    *p = t;
    *cap = c;
    return 1;
}

/* The words of masks a field takes in the event: none for URLs (pw_scan_url classifies each
 * part of its own; the whole is never one segment) and fields under 16 bytes (no masks). */
static size_t field_words(const pw_detect_field *f, int url)
{
    return url || f->n < 16 ? 0 : (f->n + 63) / 64;
}

/* Classify the fields into the event's masks (URL flags in url[]); the total words in *stride,
 * each field's PW_SUM_* classes in sums[i].cls (fields under 16 bytes get their whole summary, as
 * on their own; URLs all classes, i.e. "scan it"). */
static int classify_fields(pw_event_bufs *b, const pw_detect_field *f, size_t nf,
                           const unsigned char *url, size_t *stride, pw_seg_summary *sums)
{
    size_t words = 0;
    for (size_t i = 0; i < nf; i++)
        words += field_words(&f[i], url[i]);
    *stride = words;
    if (words && (!grow((void **)&b->ws, &b->ws_cap, words, sizeof *b->ws) ||
                  !grow((void **)&b->bits, &b->bits_cap, words * PW_MK__COUNT, sizeof *b->bits)))
        return 0;
    for (size_t i = 0, w0 = 0; i < nf; i++) {
        size_t fw = field_words(&f[i], url[i]);
        if (url[i]) {
            sums[i].cls = ~0u;
        } else if (!fw) {
            pw_seg_summarize(f[i].str, f[i].n, &sums[i]);
        } else {
            pw_masks_classify_into(f[i].str, f[i].n, b->bits, words, w0, b->ws);
            unsigned cls = 0, digits = 0;
            for (size_t w = w0; w < w0 + fw; w++)
                cls |= b->ws[w].cls, digits |= b->ws[w].digits;
            sums[i].cls = cls | (digits ? PW_SUM_DIGIT : 0u);
            w0 += fw;
        }
    }
    return 1;
}

/* The field's top segment reaches the health scan as it is (not a URL, no percent layer to
 * decode), and holds a letter. */
static int vocab_field(const pw_detect_field *f, int url, unsigned cls)
{
    return !url && (cls & PW_SUM_ALPHA) && pw_seg_plain(f->str, f->n, cls);
}

/* Append a field and a barrier to the joined text; its offset in field_at[i]. */
static int join_field(pw_event_bufs *b, size_t *len, const pw_detect_field *f, size_t i)
{
    if (!grow((void **)&b->text, &b->text_cap, *len + f->n + BARRIER_LEN, 1))
        return 0;
    b->field_at[i] = *len;
    memcpy(b->text + *len, f->str, f->n);
    memcpy(b->text + *len + f->n, BARRIER, BARRIER_LEN);
    *len += f->n + BARRIER_LEN;
    return 1;
}

/* One vocabulary scan over the joined fields; the matches copied into b->matches (sorted by
 * start, as the fields are joined in order). 0 when the fields are to scan their own. */
static int vocab_pass(const pw_detector *d, pw_detect_scratch *s, pw_event_bufs *b,
                      const pw_detect_field *f, size_t nf, const unsigned char *url,
                      const pw_seg_summary *sums, size_t *n_matches)
{
    size_t len = 0, joined = 0;
    *n_matches = 0;
    for (size_t i = 0; i < nf && joined < 2; i++)
        joined += vocab_field(&f[i], url[i], sums[i].cls);
    if (joined < 2)
        return 0; /* one field's own scan is no dearer, and needs no barrier */
    for (size_t i = 0; i < nf; i++) {
        b->field_at[i] = (size_t)-1;
        if (vocab_field(&f[i], url[i], sums[i].cls) && !join_field(b, &len, &f[i], i))
            return 0;
    }
    if (len == 0)
        return 1;
    if (len > UINT32_MAX)
        return 0;
    const pw_vocab_match *m = NULL;
    size_t nm = 0;
    if (pw_vocab_scan_raw(d->vocab, s->vocab, b->text, len, &m, &nm, NULL) != PW_OK)
        return 0;
    if (!grow((void **)&b->matches, &b->matches_cap, nm ? nm : 1, sizeof *b->matches))
        return 0;
    if (nm)
        memcpy(b->matches, m, nm * sizeof *m);
    *n_matches = nm;
    return 1;
}

/* Field i's matches (from *k on, moved to field offsets) in prep. */
static void field_matches(pw_event_bufs *b, size_t nm, size_t *k, const pw_detect_field *f,
                          size_t i, pw_field_prep *prep)
{
    size_t at = b->field_at[i];
    prep->vocab_known = at != (size_t)-1;
    prep->vocab = NULL;
    prep->n_vocab = 0;
    if (!prep->vocab_known)
        return;
    while (*k < nm && b->matches[*k].start < at)
        (*k)++;
    size_t first = *k;
    for (; *k < nm && b->matches[*k].start < at + f->n; (*k)++) {
        b->matches[*k].start -= at;
        b->matches[*k].end -= at;
    }
    prep->vocab = b->matches + first;
    prep->n_vocab = *k - first;
}

/* The scratch's event buffers with room for nf fields. */
static pw_event_bufs *event_bufs(pw_detect_scratch *s, size_t nf)
{
    pw_event_bufs *b = s->event;
    if (!b && !(b = s->event = calloc(1, sizeof *s->event)))
        return NULL;
    if (nf <= b->fields_cap)
        return b;
    size_t cap = b->fields_cap, c2 = cap, c3 = cap;
    if (!grow((void **)&b->field_at, &cap, nf, sizeof *b->field_at) ||
        !grow((void **)&b->sums, &c2, nf, sizeof *b->sums) ||
        !grow((void **)&b->url, &c3, nf, sizeof *b->url))
        return NULL;
    b->fields_cap = cap;
    return b;
}

/* Each field scanned on its own (the memo cleared once): no event pass pays for itself when at
 * most one field is no URL (URLs split into parts that classify and scan themselves). */
static pw_status scan_alone(const pw_detector *d, pw_detect_scratch *s, pw_arena *a,
                            pw_detect_field *f, size_t nf, size_t *failed, pw_err *err)
{
    for (size_t i = 0; i < nf; i++) {
        pw_status st = pw_detect_scan_prepared(d, s, a, f[i].key, f[i].str, f[i].n, f[i].type, NULL,
                                               &f[i].hits, &f[i].n_hits, err);
        if (st != PW_OK) {
            *failed = i;
            return st;
        }
    }
    return PW_OK;
}

/* The first field that pw_detect_scan would refuse (nf when none). */
static size_t first_bad(const pw_detector *d, const pw_detect_scratch *s, const pw_arena *a,
                        const pw_detect_field *f, size_t nf)
{
    for (size_t i = 0; i < nf; i++)
        if (pw_detect_check_field(d, s, a, f[i].str, f[i].n, NULL) != PW_OK)
            return i;
    return nf;
}

/* Scan fields [0, nf) (all valid) with what the event pass knows. */
static pw_status scan_fields(const pw_detector *d, pw_detect_scratch *s, pw_arena *a,
                             pw_detect_field *f, size_t nf, size_t *failed, pw_err *err)
{
    pw_event_bufs *b = event_bufs(s, nf);
    if (!b)
        return pw_err_set(err, PW_ERR_NOMEM, "detect: out of memory for an event");
    pw_seg_summary *sums = b->sums;
    unsigned char *url = b->url;
    size_t stride = 0, not_url = 0;
    for (size_t i = 0; i < nf; i++) {
        url[i] = (unsigned char)pw_detect_is_url(f[i].str, f[i].n, f[i].type);
        not_url += !url[i];
    }
    if (not_url < 2)
        return scan_alone(d, s, a, f, nf, failed, err);
    if (!classify_fields(b, f, nf, url, &stride, sums))
        return pw_err_set(err, PW_ERR_NOMEM, "detect: out of memory for an event");
    size_t nm = 0, k = 0;
    int vocab = d->event_vocab && vocab_pass(d, s, b, f, nf, url, sums, &nm);
    pw_seg_masks view;
    for (size_t i = 0, w0 = 0; i < nf; i++) {
        size_t fw = field_words(&f[i], url[i]), at = w0;
        w0 += fw; /* a skipped field still holds its words: the next field's start after them */
        if (!(sums[i].cls & (PW_SUM_DIGIT | PW_SUM_ALPHA)) && !pw_fold_has_high(f[i].str, f[i].n))
            continue; /* no detector matches without a letter or digit (det-norm: nor a byte
                         whose folded layer may hold one, "ＨＩＶ") */
        if (fw)
            pw_seg_summary_of_words(f[i].str, f[i].n, b->bits, stride, at, b->ws, &sums[i], &view);
        pw_field_prep prep = {.sum = url[i] ? NULL : &sums[i]};
        if (vocab)
            field_matches(b, nm, &k, &f[i], i, &prep);
        pw_status st = pw_detect_scan_prepared(d, s, a, f[i].key, f[i].str, f[i].n, f[i].type,
                                               &prep, &f[i].hits, &f[i].n_hits, err);
        if (st != PW_OK) {
            *failed = i;
            return st;
        }
    }
    return PW_OK;
}

pw_status pw_detect_scan_event(const pw_detector *d, pw_detect_scratch *s, pw_arena *a,
                               pw_detect_field *fields, size_t n_fields, pw_err *err)
{
    if (!fields && n_fields)
        return pw_err_set(err, PW_ERR_INVALID, "detect: missing fields");
    for (size_t i = 0; i < n_fields; i++)
        fields[i].hits = NULL, fields[i].n_hits = 0;
    size_t ok = first_bad(d, s, a, fields, n_fields), failed = ok;
    pw_status st = PW_OK;
    if (ok > 0) {
        pw_ctx_memo_clear(s);
        st = scan_fields(d, s, a, fields, ok, &failed, err);
    }
    if (st == PW_OK && ok < n_fields)
        st = pw_detect_check_field(d, s, a, fields[ok].str, fields[ok].n, err);
    if (st != PW_OK) {
        const char *key = failed < n_fields && fields[failed].key ? fields[failed].key : "no key";
        pw_err_prefix(err, "field %zu (%s): ", failed, key);
    }
    return st;
}
