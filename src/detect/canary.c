/*
 * canary.c — caller-supplied values (scanner canaries, a visitor's own data) found in any of the
 * forms trackers send them: plain, URL-encoded, base64, and MD5 / SHA-1 / SHA-256 hex of the
 * normalised value (trim + lower-case; phone digits with and without country code 1; dates as
 * YYYYMMDD; ZIP5; gender m/f) — the normalisation Meta applies before hashing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect/internal.h"
#include "phiwall/text.h"

#define MAX_NORM 4

typedef struct form_list {
    pw_canary_form *v;
    size_t n, cap;
} form_list;

static char *digits_only(pw_arena *a, const char *s)
{
    char *o = pw_arena_alloc(a, strlen(s) + 1);
    size_t k = 0;
    if (!o)
        return NULL;
    for (; *s; s++)
        if (pw_isdigit((unsigned char)*s))
            o[k++] = *s;
    o[k] = '\0';
    return o;
}

/* Dates typed as 1985-03-14, 03/14/1985, 3/14/85, 19850314, "March 14, 1985" -> "19850314". */
static char *date_norm(pw_arena *a, const char *v)
{
    pw_arena tmp;
    pw_arena_init(&tmp, 4096);
    pw_detector none = {0};
    pw_detect_scratch scr = {0};
    pw_scan sc = {.d = &none, .s = &scr, .a = &tmp, .st = PW_OK};
    pw_seg g = {.s = v, .n = strlen(v), .type = PW_FT_FORM_VALUE, .ctx = PW_CTX_DOB};
    pw_ident_date(&sc, &g);
    char *out = scr.n_hits ? pw_arena_strdup(a, scr.hits[0].normalized) : NULL;
    free(scr.hits);
    pw_arena_free(&tmp);
    return out;
}

/* The normalised values of one canary; returns how many. */
static size_t normal_values(pw_arena *a, const pw_canary *c, char **out)
{
    char *lower = pw_lower_dup(a, c->value, strlen(c->value), 1);
    size_t k = 0;
    if (!lower)
        return 0;
    switch (c->kind) {
    case PW_CANARY_PHONE: {
        char *d = digits_only(a, lower);
        if (!d)
            return 0;
        if (strlen(d) == 11 && d[0] == '1')
            d++;
        out[k++] = d;
        if (strlen(d) == 10)
            out[k++] = pw_arena_sprintf(a, "1%s", d);
        break;
    }
    case PW_CANARY_DATE: {
        char *d = date_norm(a, lower);
        if (d)
            out[k++] = d;
        break;
    }
    case PW_CANARY_ZIP: {
        char *d = digits_only(a, lower);
        if (d && strlen(d) >= 5) {
            d[5] = '\0';
            out[k++] = d;
        }
        break;
    }
    case PW_CANARY_GENDER:
        if (lower[0] == 'm' || lower[0] == 'f')
            out[k++] = pw_arena_strndup(a, lower, 1);
        break;
    default: break;
    }
    if (k == 0 || strcmp(out[0], lower) != 0)
        out[k++] = lower;
    return k;
}

static int push(pw_arena *a, form_list *l, const char *text, const char *enc, uint32_t idx,
                const char *value, int is_hash)
{
    if (!text || !*text)
        return 1;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 32;
        pw_canary_form *v = pw_arena_alloc(a, cap * sizeof *v);
        if (!v)
            return 0;
        if (l->n)
            memcpy(v, l->v, l->n * sizeof *v);
        l->v = v;
        l->cap = cap;
    }
    pw_canary_form *f = &l->v[l->n++];
    f->text = pw_lower_ascii_dup(a, text, strlen(text));
    f->len = strlen(text);
    f->encoding = enc;
    f->canary = idx;
    f->value = value;
    f->is_hash = (uint8_t)is_hash;
    return f->text != NULL;
}

static int add_forms(pw_arena *a, form_list *l, uint32_t idx, const char *v)
{
    size_t n = strlen(v);
    char md5[33], sha1[41], sha256[65];
    pw_md5_hex(v, n, md5);
    pw_sha1_hex(v, n, sha1);
    pw_sha256_hex(v, n, sha256);
    char *b64 = pw_base64_encode(a, v, n);
    if (b64) {
        size_t bl = strlen(b64);
        while (bl > 0 && b64[bl - 1] == '=')
            b64[--bl] = '\0';
    }
    char *pct = pw_pct_encode(a, v, n);
    int ok = push(a, l, pw_arena_strdup(a, md5), "md5", idx, v, 1) &&
             push(a, l, pw_arena_strdup(a, sha1), "sha1", idx, v, 1) &&
             push(a, l, pw_arena_strdup(a, sha256), "sha256", idx, v, 1);
    if (n >= 4) { /* shorter plain values ("f", "02") would match everywhere */
        ok = ok && push(a, l, v, "plain", idx, v, 0);
        if (pct && strcmp(pct, v) != 0)
            ok = ok && push(a, l, pct, "urlencoded", idx, v, 0);
        if (b64 && strlen(b64) >= 6)
            ok = ok && push(a, l, b64, "base64", idx, v, 0);
    }
    return ok;
}

/* The text forms by first byte (pw_detector.text_first), when there are at most 64. */
static void index_text_forms(pw_detector *d)
{
    size_t t = 0;
    for (size_t k = 0; k < d->n_forms; k++)
        t += !d->forms[k].is_hash && d->forms[k].len > 0;
    if (t == 0 || t > 64 || d->n_forms > UINT16_MAX)
        return; /* n_text_forms stays 0: scan_text_form per form */
    t = 0;
    for (size_t k = 0; k < d->n_forms; k++) {
        const pw_canary_form *f = &d->forms[k];
        if (f->is_hash || f->len == 0)
            continue;
        unsigned char c0 = (unsigned char)f->text[0];
        d->text_first[c0] |= (uint64_t)1 << t;
        if (c0 >= 'a' && c0 <= 'z') /* forms are lower case (push); pw_tolower folds ASCII */
            d->text_first[c0 - 32] |= (uint64_t)1 << t;
        d->text_forms[t++] = (uint16_t)k;
    }
    d->n_text_forms = t;
}

pw_status pw_canary_build(pw_detector *d, const pw_canary *c, size_t n, pw_err *err)
{
    pw_arena *a = &d->arena;
    form_list l = {0};
    d->canaries = pw_arena_calloc(a, n, sizeof *d->canaries);
    d->norm_values = pw_arena_calloc(a, n * MAX_NORM, sizeof(char *));
    d->norm_labels = pw_arena_calloc(a, n * MAX_NORM, sizeof(char *));
    if (!d->canaries || !d->norm_values || !d->norm_labels)
        return pw_err_set(err, PW_ERR_NOMEM, "canaries: out of memory");
    for (size_t i = 0; i < n; i++) {
        if (!c[i].value)
            return pw_err_set(err, PW_ERR_INVALID, "canary %zu (%s): no value", i + 1,
                              c[i].label ? c[i].label : "unlabelled");
        d->canaries[i].label = pw_arena_strdup(a, c[i].label ? c[i].label : "canary");
        d->canaries[i].value = pw_arena_strdup(a, c[i].value);
        d->canaries[i].kind = c[i].kind;
        char *norm[MAX_NORM];
        size_t k = normal_values(a, &c[i], norm);
        for (size_t j = 0; j < k; j++) {
            if (!norm[j] || !add_forms(a, &l, (uint32_t)i, norm[j]))
                return pw_err_set(err, PW_ERR_NOMEM, "canaries: out of memory");
            if (strlen(norm[j]) >= 4) {
                d->norm_values[d->n_norm_values] = norm[j];
                d->norm_labels[d->n_norm_values++] = d->canaries[i].label;
            }
        }
    }
    d->n_canaries = n;
    d->forms = l.v;
    d->n_forms = l.n;
    index_text_forms(d);
    return PW_OK;
}

const char *pw_canary_label_for(const pw_detector *d, const char *norm)
{
    for (size_t i = 0; i < d->n_norm_values; i++)
        if (strcmp(d->norm_values[i], norm) == 0)
            return d->norm_labels[i];
    return NULL;
}

static int is_hex(int c)
{
    return pw_isdigit(c) || ((c | 32) >= 'a' && (c | 32) <= 'f');
}

static void add_canary(pw_scan *sc, const pw_seg *g, size_t i, size_t j, const pw_canary_form *f)
{
    pw_scan_add(sc, g, i, j, PW_PHI_CANARY, f->encoding, f->value,
                strcmp(f->encoding, "plain") == 0 ? 0.97f : 0.99f, PW_REASON_CANARY,
                sc->d->canaries[f->canary].label);
}

/* Hex digests: whole hex tokens of 32, 40 or 64 characters. */
static void scan_hashes(pw_scan *sc, const pw_seg *g)
{
    const char *s = g->s;
    size_t n = g->n;
    for (size_t i = 0; i < n; i++) {
        if (!is_hex((unsigned char)s[i]) || (i > 0 && pw_isalnum((unsigned char)s[i - 1])))
            continue;
        size_t j = i;
        while (j < n && is_hex((unsigned char)s[j]))
            j++;
        size_t len = j - i;
        if ((len == 32 || len == 40 || len == 64) && (j == n || !pw_isalnum((unsigned char)s[j])))
            for (size_t k = 0; k < sc->d->n_forms; k++) {
                const pw_canary_form *f = &sc->d->forms[k];
                if (f->is_hash && f->len == len && pw_strncaseeq(s + i, f->text, len))
                    add_canary(sc, g, i, j, f);
            }
        i = j;
    }
}

static int boundary_ok(const char *s, size_t n, size_t i, size_t j, const pw_canary_form *f)
{
    if (i > 0 && pw_isalnum((unsigned char)s[i - 1]) && pw_isalnum((unsigned char)f->text[0]))
        return 0;
    if (j < n && pw_isalnum((unsigned char)s[j]) && pw_isalnum((unsigned char)f->text[f->len - 1]))
        return 0;
    return 1;
}

static void scan_text_form(pw_scan *sc, const pw_seg *g, const pw_canary_form *f)
{
    const char *s = g->s;
    size_t n = g->n;
    if (f->len > n)
        return;
    int c0 = (unsigned char)f->text[0];
    for (size_t i = 0; i + f->len <= n; i++) {
        if (pw_tolower((unsigned char)s[i]) != c0 || !pw_strncaseeq(s + i, f->text, f->len))
            continue;
        if (!boundary_ok(s, n, i, i + f->len, f))
            continue;
        add_canary(sc, g, i, i + f->len, f);
        i += f->len - 1;
    }
}

/* Every text form in one pass: at each byte, the forms that start with it (text_first). Each
 * form's matches do not overlap one another (next[t]), as scan_text_form's do, and the hits
 * come in the order the per-form passes gave them once sorted by start. A pass per form cost
 * about a third of a scan with three canaries (20-odd forms: every byte lowered and compared
 * once per form). */
static void scan_text_forms(pw_scan *sc, const pw_seg *g)
{
    const pw_detector *d = sc->d;
    const char *s = g->s;
    size_t n = g->n, next[64] = {0};
    for (size_t i = 0; i < n; i++) {
        uint64_t m = d->text_first[(unsigned char)s[i]];
        while (m) {
            size_t t = (size_t)__builtin_ctzll(m);
            m &= m - 1;
            const pw_canary_form *f = &d->forms[d->text_forms[t]];
            if (i < next[t] || f->len > n - i || !pw_strncaseeq(s + i, f->text, f->len) ||
                !boundary_ok(s, n, i, i + f->len, f))
                continue;
            add_canary(sc, g, i, i + f->len, f);
            next[t] = i + f->len;
        }
    }
}

void pw_canary_scan(pw_scan *sc, const pw_seg *g)
{
    scan_hashes(sc, g);
    if (sc->d->n_text_forms) {
        scan_text_forms(sc, g);
        return;
    }
    for (size_t k = 0; k < sc->d->n_forms; k++)
        if (!sc->d->forms[k].is_hash)
            scan_text_form(sc, g, &sc->d->forms[k]);
}
