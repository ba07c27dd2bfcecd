/*
 * ident_phone.c — telephone and fax numbers: NANP with separators ("(617) 555-0123",
 * "617.555.0123", "+1 617 555 0123", "001-617-555-0123", with an extension "x123" or
 * " ext. 123"), E.164 ("+16175550123", "+44 20 7946 0958"), and bare
 * 10/11-digit runs only where a key or word says "phone". Timestamps, order numbers and an
 * organisation's own numbers ("call us at", toll-free) are not a person's phone.
 */
#include <string.h>

#include "detect/context_may.h"
#include "detect/internal.h"

static int is_sep(int c)
{
    return c == '-' || c == '.' || c == ' ';
}

static int toll_free(const char *area)
{
    static const char *const codes[] = {"800", "888", "877", "866", "855", "844", "833", NULL};
    for (const char *const *c = codes; *c; c++)
        if (memcmp(area, *c, 3) == 0)
            return 1;
    return 0;
}

typedef struct nanp {
    size_t end;
    char digits[11]; /* area + exchange + line, NUL-terminated */
    int separated;   /* had separators or parentheses */
    int plus;        /* written with a leading + */
} nanp;

/* The end of an extension written right after a number ending at s[j]: "x123", " x123",
 * "ext123", " ext. 123" (1–6 digits, any case); j itself when there is none. An extension is part
 * of the number a person typed, so it belongs to the hit and its redaction. */
static size_t extension_end(const char *s, size_t n, size_t j)
{
    size_t p = j + (j < n && s[j] == ' ');
    if (p < n && (s[p] == 'x' || s[p] == 'X')) {
        p++;
    } else if (p + 3 <= n && pw_tolower((unsigned char)s[p]) == 'e' &&
               pw_tolower((unsigned char)s[p + 1]) == 'x' &&
               pw_tolower((unsigned char)s[p + 2]) == 't') {
        p += 3;
        p += p < n && s[p] == '.';
        p += p < n && s[p] == ' ';
    } else {
        return j;
    }
    size_t nd = pw_digits_at(s, n, p);
    if (nd == 0 || nd > 6 || !pw_num_right_ok(s, n, p + nd))
        return j;
    return p + nd;
}

/* Parse a NANP number at s[i]; 1 on success. */
static int parse_nanp(const char *s, size_t n, size_t i, nanp *out)
{
    size_t p = i;
    memset(out, 0, sizeof *out);
    if (p < n && s[p] == '+') {
        out->plus = 1;
        p++;
        if (p >= n || s[p] != '1')
            return 0;
        p++;
        if (p < n && (is_sep(s[p]))) {
            out->separated = 1;
            p++;
        }
    } else if (p + 4 < n && memcmp(s + p, "001", 3) == 0 && is_sep(s[p + 3])) {
        /* "001-617-555-0123": the international call prefix 00 before country code 1 */
        out->plus = 1;
        out->separated = 1;
        p += 4;
    } else if (p + 1 < n && s[p] == '1' && (is_sep(s[p + 1]) || s[p + 1] == '(')) {
        out->separated = 1;
        p += is_sep(s[p + 1]) ? 2 : 1;
    } else if (p + 11 <= n && s[p] == '1' && pw_digits_at(s, n, p) == 11) {
        p++;
    }
    int paren = p < n && s[p] == '(';
    if (paren)
        p++;
    if (pw_digits_at(s, n, p) < 3)
        return 0;
    memcpy(out->digits, s + p, 3);
    p += 3;
    char sep1 = 0;
    if (paren) {
        if (p >= n || s[p] != ')')
            return 0;
        p++;
        out->separated = 1;
        if (p < n && (s[p] == ' ' || s[p] == '-'))
            p++;
    } else if (p < n && is_sep(s[p])) {
        sep1 = s[p++];
        out->separated = 1;
    }
    if (pw_digits_at(s, n, p) < 3)
        return 0;
    memcpy(out->digits + 3, s + p, 3);
    p += 3;
    if (p < n && is_sep(s[p])) {
        if (!paren && sep1 && s[p] != sep1)
            return 0;
        if (!paren && !sep1)
            return 0;
        p++;
    } else if (sep1) {
        return 0;
    }
    if (pw_digits_at(s, n, p) != 4)
        return 0;
    memcpy(out->digits + 6, s + p, 4);
    out->digits[10] = '\0';
    out->end = p + 4;
    if (out->digits[0] < '2' || out->digits[3] < '2')
        return 0;
    size_t ext = extension_end(s, n, out->end);
    if (ext != out->end) {
        out->end = ext;
        return 1;
    }
    return pw_num_right_ok(s, n, out->end);
}

/* "+44 20 7946 0958": + country code (not 1), 8–15 digits with single separators. The
 * international call prefix 00 in place of the + ("0044 20 7946 0958") when a separator follows
 * the country code's group and 10 digits or more follow it (an order's "0045 1234" is none). */
static size_t parse_intl(const char *s, size_t n, size_t i, char *digits, size_t cap)
{
    size_t p = i + 1;
    int zeros = 0;
    if (s[i] == '0' && i + 6 < n && s[i + 1] == '0' && pw_digits_at(s, n, i + 2) <= 3 &&
        is_sep(s[i + 2 + pw_digits_at(s, n, i + 2)])) {
        zeros = 1;
        p = i + 2;
    } else if (s[i] != '+') {
        return 0;
    }
    if (p >= n || s[p] < '2' || s[p] > '9')
        return 0;
    size_t nd = 0, end = 0;
    digits[nd++] = '+';
    while (p < n && nd + 1 < cap) {
        if (pw_isdigit((unsigned char)s[p])) {
            digits[nd++] = s[p++];
            end = p;
        } else if ((is_sep(s[p]) || s[p] == '(' || s[p] == ')') && p + 1 < n &&
                   (pw_isdigit((unsigned char)s[p + 1]) || s[p + 1] == '(')) {
            p++;
        } else {
            break;
        }
    }
    digits[nd] = '\0';
    if (nd - 1 < (zeros ? 11u : 8u) || nd - 1 > 15 || !pw_num_right_ok(s, n, end))
        return 0;
    return end;
}

/* engine-ident: a number in national format from its trunk 0, in the groups its country writes
 * it in, with single spaces. UK (11 digits): "020 7946 0958" (3 4 4: London, Cardiff), "0161 496
 * 0123" (4 3 4), "01632 960001" and "07700 900123" (5 6), "07700 900 123" (5 3 3); geographic
 * (01, 02), non-geographic (03) and mobile (07), not 08 or 09 (an organisation's freephone and
 * premium lines); digits gets "+44" and the number without its 0. Australia, South Africa, New
 * Zealand and others (10 digits): "02 9374 4000" (2 4 4), "0412 345 678" (4 3 3), "082 490
 * 1693" (3 3 4); digits gets them as written. Groups of other sizes ("0123 4567 8901": an
 * order's) are no phone. End or 0. */
static size_t parse_trunk(const char *s, size_t n, size_t i, char *digits, size_t cap)
{
    static const unsigned char shapes[][3] = {{3, 4, 4}, {4, 3, 4}, {5, 6, 0}, {5, 3, 3},
                                              {2, 4, 4}, {4, 3, 3}, {3, 3, 4}};
    int paren = s[i] == '(';
    size_t z = i + paren; /* the trunk 0 */
    if (z + 11 > n || s[z] != '0' || cap < 14 || s[z + 1] < '1' || s[z + 1] > '9')
        return 0;
    int uk = s[z + 1] == '1' || s[z + 1] == '2' || s[z + 1] == '3' || s[z + 1] == '7';
    for (size_t k = 0; k < sizeof shapes / sizeof shapes[0]; k++) {
        size_t total = (size_t)shapes[k][0] + shapes[k][1] + shapes[k][2];
        if (total == 11 && !uk)
            continue;
        size_t p = z, nd = 0;
        if (total == 11) {
            memcpy(digits, "+44", 3);
            nd = 3;
        }
        char sep = 0; /* one separator throughout: ' ' or '-' ("020-7946-0958") */
        int ok = 1;
        for (size_t gi = 0; ok && gi < 3 && shapes[k][gi]; gi++) {
            size_t len = shapes[k][gi], skip = gi == 0 && total == 11;
            if (gi == 1 && paren) { /* "(020) 7946 0958" */
                ok = p + 1 < n && s[p] == ')' && s[p + 1] == ' ';
                p += 2;
                sep = ' ';
            } else if (gi > 0) {
                if (!sep && p < n && (s[p] == ' ' || s[p] == '-'))
                    sep = s[p];
                ok = p < n && sep && s[p++] == sep;
            }
            if (!ok || pw_digits_at(s, n, p) != len) {
                ok = 0;
                break;
            }
            memcpy(digits + nd, s + p + skip, len - skip);
            nd += len - skip;
            p += len;
        }
        if (!ok || !pw_num_right_ok(s, n, p) ||
            (p < n && (s[p] == ' ' || s[p] == '-') && p + 1 < n &&
             pw_isdigit((unsigned char)s[p + 1])))
            continue;
        digits[nd] = '\0';
        return p;
    }
    return 0;
}

static int is_group_sep(int c)
{
    return is_sep(c) || c == '(' || c == ')';
}

/* Where a word says "phone": 7–15 digits in groups split by one or two separators
 * ("0494 92 82 32", "+1 (555) 014-2398"), after an optional '+'. */
static size_t parse_loose(const char *s, size_t n, size_t i, char *digits, size_t cap)
{
    size_t p = i + (s[i] == '+'), nd = 0, end = 0;
    while (p < n && nd + 1 < cap) {
        if (pw_isdigit((unsigned char)s[p])) {
            digits[nd++] = s[p++];
            end = p;
            continue;
        }
        size_t run = 0;
        while (run < 2 && p + run < n && is_group_sep((unsigned char)s[p + run]))
            run++;
        if (run == 0 || p + run >= n || !pw_isdigit((unsigned char)s[p + run]))
            break;
        p += run;
    }
    digits[nd] = '\0';
    if (nd < 7 || nd > 15 || !pw_num_right_ok(s, n, end))
        return 0;
    return end;
}

static void add_phone(pw_scan *sc, const pw_seg *g, size_t i, size_t end, const char *digits,
                      pw_ctx ctx, int pattern_ok)
{
    int has_ctx = ctx == PW_CTX_PHONE || ctx == PW_CTX_FAX;
    if (!pattern_ok && !has_ctx)
        return;
    const char *norm = pw_arena_strdup(sc->a, digits);
    pw_scan_add(sc, g, i, end, PW_PHI_PHONE, ctx == PW_CTX_FAX ? "fax" : "phone", norm,
                has_ctx ? 0.97f : 0.85f, has_ctx ? PW_REASON_CONTEXT : PW_REASON_PATTERN,
                has_ctx ? "phone context" : "phone number shape");
}

static int blocked(pw_ctx c)
{
    return c == PW_CTX_TIME || c == PW_CTX_NEGATIVE || c == PW_CTX_ORG_PHONE || c == PW_CTX_ZIP ||
           c == PW_CTX_SSN || c == PW_CTX_DOB || c == PW_CTX_DATE || c == PW_CTX_NPI ||
           c == PW_CTX_IP;
}

/* pw_ctx_at(g, i) is PW_CTX_PHONE; without a phone key, only words before s[i] can make it so,
 * and most numbers (order, invoice, SSN) follow none that ends like a phone word. */
static int phone_context_at(const pw_seg *g, size_t i)
{
    if (g->ctx != PW_CTX_PHONE &&
        !pw_ctx_before_may_inline(g, i, pw_ctx_pairs_phone, PW_CTX_WANT_PHONE))
        return 0;
    return pw_ctx_at(g, i) == PW_CTX_PHONE;
}

/* A phone number at candidate s[i] (a digit, '+' or '('); nanp_possible 0 when the bytes from i
 * cannot hold a NANP number (parse_nanp would fail). Returns the offset after which the next
 * candidate may start: the number's end, or the end of the digit run at i. */
static size_t phone_at(pw_scan *sc, const pw_seg *g, size_t i, int nanp_possible)
{
    const char *s = g->s;
    size_t n = g->n;
    nanp p;
    char intl[20];
    size_t end;
    if (nanp_possible && parse_nanp(s, n, i, &p)) {
        pw_ctx ctx = pw_ctx_at(g, i);
        if (!blocked(ctx) && !toll_free(p.digits))
            add_phone(sc, g, i, p.end, p.digits, ctx, p.separated || p.plus);
        return p.end;
    }
    if ((end = parse_intl(s, n, i, intl, sizeof intl)) != 0) {
        pw_ctx ctx = pw_ctx_at(g, i);
        if (!blocked(ctx))
            add_phone(sc, g, i, end, intl, ctx, 1);
        return end;
    }
    if ((end = parse_trunk(s, n, i, intl, sizeof intl)) != 0) {
        pw_ctx ctx = pw_ctx_at(g, i);
        if (!blocked(ctx))
            add_phone(sc, g, i, end, intl, ctx, 1);
        return end;
    }
    /* the loose form needs a phone word before it: asked first, since it is cheaper than the
     * parse and most numbers have none ("SSN 073-19-0319", "deployed at 1708282817") */
    if (phone_context_at(g, i) && (end = parse_loose(s, n, i, intl, sizeof intl)) != 0) {
        add_phone(sc, g, i, end, intl, PW_CTX_PHONE, 0);
        return end;
    }
    while (i + 1 < n && pw_isdigit((unsigned char)s[i + 1]))
        i++;
    return i;
}

/* The candidate s[i] passes the first checks of every parser. */
static inline __attribute__((always_inline)) int phone_start_ok(const char *s, size_t n, size_t i)
{
    int c = (unsigned char)s[i];
    if (!(pw_isdigit(c) || c == '+' || c == '(') || !pw_num_left_ok(s, i))
        return 0;
    return c != '(' || (i + 1 < n && pw_isdigit((unsigned char)s[i + 1]));
}

/* pw_ident_phone on a segment of at most 64 bytes with masks: a candidate needs 7 digits after
 * it (the fewest any form has), and parse_nanp runs only with 10 digits among the next 17 bytes
 * (its longest form, "+1 (617) 555-0123"). */
static void phone_word(pw_scan *sc, const pw_seg *g, const pw_seg_masks *m)
{
    uint64_t d = pw_mask(m, PW_MK_DIGIT, 0);
    for (uint64_t cand = pw_cand_word(m, PW_CAND_PHONE, 0); cand;) {
        size_t i = (size_t)__builtin_ctzll(cand);
        cand &= cand - 1;
        uint64_t ahead = d >> i;
        if (pw_popcount64(ahead) < 7 || !phone_start_ok(g->s, g->n, i))
            continue;
        size_t next = phone_at(sc, g, i, pw_popcount64(ahead & 0x1ffff) >= 10) + 1;
        cand &= next < 64 ? ~(uint64_t)0 << next : 0;
    }
}

void pw_ident_phone(pw_scan *sc, const pw_seg *g)
{
    const char *s = g->s;
    size_t n = g->n;
    const pw_seg_masks *m = g->sum ? g->sum->masks : NULL;
    if (m && m->words == 1) {
        phone_word(sc, g, m);
        return;
    }
    pw_cand_iter ci;
    for (size_t i = pw_cand_first(&ci, g, PW_CAND_PHONE); i < n; i = pw_cand_from(&ci, i + 1)) {
        if (phone_start_ok(s, n, i))
            i = phone_at(sc, g, i, 1);
    }
}
