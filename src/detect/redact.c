/*
 * redact.c — pw_redact: a copy of a field with every hit replaced by its tag ("[EMAIL]",
 * "[CONDITION]", "[CARE]"). In URL mode the structure stays (scheme, host, path shape): a path
 * segment with a hit becomes its tag, a parameter with a hit (or any search-query parameter)
 * keeps its name and loses its value, and a nested URL value is redacted as a URL and re-encoded.
 */
#include <string.h>

#include "detect/internal.h"
#include "phiwall/text.h"

static const char *tag_of(const pw_hit *h)
{
    static const char *const tags[PW_PHI__COUNT] = {
        "[EMAIL]", "[PHONE]", "[SSN]", "[DATE]", "[ZIP]",  "[ADDRESS]", "[IP]",     "[ID]",
        "[NPI]",   "[DEA]",   "[MBI]", "[CARD]", "[NAME]", "[CANARY]",  "[HEALTH]", "[CARE]"};
    if (h->category == PW_PHI_HEALTH && h->subtype) {
        static const struct {
            const char *sub, *tag;
        } health[] = {{"condition", "[CONDITION]"},
                      {"symptom", "[SYMPTOM]"},
                      {"procedure", "[PROCEDURE]"},
                      {"medication", "[MEDICATION]"},
                      {"specialty", "[SPECIALTY]"},
                      {"care-service", "[CARE-SERVICE]"},
                      {"sensitive-service", "[SENSITIVE-SERVICE]"}};
        for (size_t i = 0; i < sizeof health / sizeof health[0]; i++)
            if (strcmp(h->subtype, health[i].sub) == 0)
                return health[i].tag;
    }
    if (h->category == PW_PHI_CARE_INTENT && h->subtype && strcmp(h->subtype, "search") == 0)
        return "[SEARCH]";
    return (unsigned)h->category < PW_PHI__COUNT ? tags[h->category] : "[REDACTED]";
}

/* Text mode: copy the gaps, write a tag for each hit (nested hits are inside the outer one). */
static pw_status redact_text(const char *str, size_t n, const pw_hit *h, size_t nh, pw_buf *out)
{
    size_t pos = 0;
    for (size_t i = 0; i < nh; i++) {
        if (h[i].end <= pos)
            continue;
        size_t start = h[i].start > pos ? h[i].start : pos;
        pw_buf_append(out, str + pos, start - pos);
        if (h[i].start >= pos)
            pw_buf_puts(out, tag_of(&h[i]));
        pos = h[i].end;
    }
    pw_buf_append(out, str + pos, n - pos);
    return out->failed ? PW_ERR_NOMEM : PW_OK;
}

static int is_search(const pw_hit *h)
{
    return h->category == PW_PHI_CARE_INTENT && h->subtype && strcmp(h->subtype, "search") == 0;
}

/* Which hit names a replaced part: an identifier, else a health term (the one inside
 * "schedule mammogram"), else care intent. */
static int hit_weight(const pw_hit *h)
{
    if (pw_phi_is_identifier(h->category))
        return 2;
    return h->category == PW_PHI_HEALTH;
}

/* The most specific hit overlapping [a, b), or NULL. */
static const pw_hit *hit_in(const pw_hit *h, size_t nh, size_t a, size_t b)
{
    const pw_hit *best = NULL;
    for (size_t i = 0; i < nh; i++) {
        if (h[i].start >= b || h[i].end <= a)
            continue;
        if (is_search(&h[i]))
            return &h[i]; /* a search query goes as a whole */
        if (!best || hit_weight(&h[i]) > hit_weight(best))
            best = &h[i];
    }
    return best;
}

static int is_url_text(const char *s, size_t n)
{
    return (n >= 8 && pw_strncaseeq(s, "https://", 8)) ||
           (n >= 7 && pw_strncaseeq(s, "http://", 7));
}

static pw_status redact_nested(const pw_detector *d, pw_detect_scratch *s, pw_arena *a,
                               const char *v, size_t n, pw_buf *out, pw_err *err, int depth);

/* A parameter value with a hit: a nested URL is redacted as a URL, anything else dropped. */
static pw_status redact_value(const pw_detector *d, pw_detect_scratch *s, pw_arena *a,
                              const char *v, size_t n, const pw_hit *hit, pw_buf *out, pw_err *err,
                              int depth)
{
    size_t dn = 0;
    char *dec = pw_pct_decode(a, v, n, 1, &dn);
    for (int layer = 1; dec && layer < PW_DETECT_MAX_LAYERS && memchr(dec, '%', dn); layer++)
        dec = pw_pct_decode(a, dec, dn, 0, &dn);
    if (dec && !is_search(hit) && depth < PW_DETECT_MAX_URL_DEPTH && is_url_text(dec, dn) &&
        !memchr(dec, ' ', dn)) {
        pw_buf inner;
        pw_buf_init(&inner);
        pw_status st = redact_nested(d, s, a, dec, dn, &inner, err, depth + 1);
        if (st == PW_OK) {
            char *enc = pw_pct_encode(a, inner.data ? inner.data : "", inner.len);
            pw_buf_puts(out, enc ? enc : tag_of(hit));
        }
        pw_buf_free(&inner);
        return st;
    }
    pw_buf_puts(out, tag_of(hit));
    return out->failed ? PW_ERR_NOMEM : PW_OK;
}

static pw_status redact_url(const pw_detector *d, pw_detect_scratch *s, pw_arena *a,
                            const char *str, size_t n, const pw_hit *h, size_t nh, pw_buf *out,
                            pw_err *err, int depth)
{
    pw_url_part parts[PW_URL_MAX_PARTS];
    size_t auth = 0, np = pw_url_parts(str, n, parts, PW_URL_MAX_PARTS, &auth);
    size_t pos = 0;
    for (size_t i = 0; i < np; i++) {
        const pw_url_part *p = &parts[i];
        const pw_hit *hit = hit_in(h, nh, p->val_start, p->val_end);
        if (!hit || p->val_start < pos)
            continue;
        pw_buf_append(out, str + pos, p->val_start - pos);
        pw_status st = p->kind == PW_UPART_PARAM
                           ? redact_value(d, s, a, str + p->val_start, p->val_end - p->val_start,
                                          hit, out, err, depth)
                           : pw_buf_puts(out, tag_of(hit));
        if (st != PW_OK)
            return st;
        pos = p->val_end;
    }
    /* hits outside any part (e.g. in userinfo) are replaced in place */
    pw_buf_append(out, str + pos, n - pos);
    return out->failed ? PW_ERR_NOMEM : PW_OK;
}

static pw_status redact_nested(const pw_detector *d, pw_detect_scratch *s, pw_arena *a,
                               const char *v, size_t n, pw_buf *out, pw_err *err, int depth)
{
    pw_hit *h = NULL;
    size_t nh = 0;
    pw_status st = pw_detect_scan(d, s, a, NULL, v, n, PW_FT_URL, &h, &nh, err);
    if (st != PW_OK)
        return st;
    return redact_url(d, s, a, v, n, h, nh, out, err, depth);
}

/* 1 if byte i lies inside one of the parts. */
static int in_some_part(const pw_url_part *parts, size_t np, size_t i)
{
    for (size_t k = 0; k < np; k++)
        if (i >= parts[k].val_start && i < parts[k].val_end)
            return 1;
    return 0;
}

/* 1 if every hit starts and ends inside parts the URL redaction replaces (a phrase across path
 * slugs, "/pharmacy/refill", replaces every slug it overlaps). */
static int all_hits_in_parts(const char *str, size_t n, const pw_hit *h, size_t nh)
{
    pw_url_part parts[PW_URL_MAX_PARTS];
    size_t auth = 0, np = pw_url_parts(str, n, parts, PW_URL_MAX_PARTS, &auth);
    for (size_t i = 0; i < nh; i++)
        if (!in_some_part(parts, np, h[i].start) || !in_some_part(parts, np, h[i].end - 1))
            return 0;
    return 1;
}

/* URL mode rebuilds the URL layer by layer; on mangled input (broken escapes or NUL bytes inside
 * nested URLs) that can leave a hit's text standing. Redaction must never do that, so the result
 * is checked for the text of every hit (health terms under 4 bytes only inside other words, which
 * would be no leak), and the caller falls back to replacing the hit spans of the original text. */
static int hit_text_left(const char *str, const pw_hit *h, size_t nh, const char *r, size_t n)
{
    for (size_t i = 0; i < nh; i++) {
        size_t len = h[i].end - h[i].start;
        if (len == 0 || len > n || (len < 4 && !pw_phi_is_identifier(h[i].category)))
            continue;
        if (memmem(r, n, str + h[i].start, len))
            return 1;
    }
    return 0;
}

/* Bytes a field too dense for one scan is cut at: no identifier or term holds one. */
static int is_cut(char c)
{
    return c == ' ' || c == '&' || c == ',' || c == ';' || c == '\n';
}

/* The end of the piece of a dense field that starts at `from` and should be about `want` bytes
 * long: the last separator after from and at or before from + want, else the first one after
 * that, else the field's end. The separator starts the next piece. */
static size_t piece_end(const char *str, size_t n, size_t from, size_t want)
{
    if (want >= n - from)
        return n;
    for (size_t i = from + want; i > from; i--)
        if (is_cut(str[i]))
            return i;
    for (size_t i = from + want + 1; i < n; i++)
        if (is_cut(str[i]))
            return i;
    return n;
}

/* 1 if str[from + 1 .. end) holds a separator (a piece that can be cut again). */
static int has_cut(const char *str, size_t from, size_t end)
{
    for (size_t i = from + 1; i < end; i++)
        if (is_cut(str[i]))
            return 1;
    return 0;
}

static pw_status redact_scanned(const pw_detector *d, pw_detect_scratch *s, pw_arena *a,
                                const char *str, size_t n, pw_field_type type, const pw_hit *h,
                                size_t nh, pw_buf *out, pw_err *err)
{
    if (nh == 0) {
        pw_buf_append(out, str, n);
        return out->failed ? pw_err_set(err, PW_ERR_NOMEM, "redact: out of memory") : PW_OK;
    }
    int url = type == PW_FT_URL || (is_url_text(str, n) && !memchr(str, ' ', n));
    size_t mark = out->len;
    pw_status st;
    if (url && all_hits_in_parts(str, n, h, nh)) {
        st = redact_url(d, s, a, str, n, h, nh, out, err, 0);
        if (st == PW_OK && hit_text_left(str, h, nh, out->data + mark, out->len - mark)) {
            out->len = mark;
            if (out->data)
                out->data[mark] = '\0';
            st = redact_text(str, n, h, nh, out);
        }
    } else {
        st = redact_text(str, n, h, nh, out);
    }
    if (st == PW_ERR_NOMEM)
        return pw_err_set(err, PW_ERR_NOMEM, "redact: out of memory");
    return st;
}

/* The first try at a dense field's piece, and the most a piece grows to: a piece's scan and its
 * hits live in an arena reset after each piece, so this bounds the memory redaction adds to that
 * of one scan of the field, however many hits the field holds. */
#define PIECE_MAX ((size_t)256 * 1024)

/* A field with more hits than one scan keeps (the hits beyond the limit are unknown, and copying
 * the text around the known ones would pass them through): redacted piece by piece, left to
 * right, each piece cut at a separator and redacted on its own as text. A piece that still holds
 * too many is tried again at half its length; after four pieces in a row that fit, the length
 * doubles again (the hits of a log line thin out). One loop, no recursion: the stack and the
 * memory stay the same for 5,000 hits or ten million, and each byte is scanned a bounded number
 * of times (a halving recursion scanned every byte once per level and kept every level's hits).
 * A piece without a separator that still holds too many is refused, nothing of the field
 * written. */
static pw_status redact_pieces(const pw_detector *d, pw_detect_scratch *s, const char *key,
                               pw_detect_object object, const char *str, size_t n, pw_buf *out,
                               pw_err *err)
{
    pw_arena tmp;
    pw_arena_init(&tmp, 0);
    size_t mark = out->len, from = 0, want = n / 2 < PIECE_MAX ? n / 2 : PIECE_MAX, fits = 0;
    pw_status st = PW_OK;
    while (st == PW_OK && from < n) {
        size_t end = piece_end(str, n, from, want ? want : 1);
        pw_hit *h = NULL;
        size_t nh = 0;
        pw_arena_reset(&tmp);
        st = pw_detect_scan_member(d, s, &tmp, key, object, str + from, end - from, PW_FT_TEXT, &h,
                                   &nh, err);
        if (st != PW_OK)
            break;
        if (s->capped) {
            if (!has_cut(str, from, end)) {
                st = pw_err_set(err, PW_ERR_LIMIT,
                                "redact: more hits in one %zu-byte run without a separator than "
                                "one scan keeps",
                                end - from);
                break;
            }
            want = (end - from) / 2;
            fits = 0;
            continue;
        }
        st = redact_scanned(d, s, &tmp, str + from, end - from, PW_FT_TEXT, h, nh, out, err);
        from = end;
        if (++fits == 4 && want < PIECE_MAX) {
            want *= 2;
            fits = 0;
        }
    }
    pw_arena_free(&tmp);
    if (st != PW_OK && out->len > mark) { /* nothing of a field that failed */
        out->len = mark;
        out->data[mark] = '\0';
    }
    return st;
}

pw_status pw_redact(const pw_detector *d, pw_detect_scratch *s, pw_arena *a, const char *key,
                    const char *str, size_t n, pw_field_type type, pw_buf *out, pw_err *err)
{
    return pw_redact_member(d, s, a, key, PW_OBJECT_UNKNOWN, str, n, type, out, err);
}

pw_status pw_redact_member(const pw_detector *d, pw_detect_scratch *s, pw_arena *a, const char *key,
                           pw_detect_object object, const char *str, size_t n, pw_field_type type,
                           pw_buf *out, pw_err *err)
{
    pw_hit *h = NULL;
    size_t nh = 0;
    pw_status st = pw_detect_scan_member(d, s, a, key, object, str, n, type, &h, &nh, err);
    if (st != PW_OK)
        return st;
    if (!s->capped)
        return redact_scanned(d, s, a, str, n, type, h, nh, out, err);
    return redact_pieces(d, s, key, object, str, n, out, err);
}
