/*
 * ident_address.c — street addresses: a house number, up to four capitalised words and a street
 * suffix ("1200 North Elm Street", "55 Fruit St"), an optional unit ("Apt 4B", "Suite 200") and
 * an optional ", City, ST 02115" tail; and any value under an address key ("address1").
 * Streets named after the institution ("1 Hospital Drive", "Medical Center Blvd") are skipped.
 */
#include <string.h>

#include "detect/internal.h"
#include "phiwall/text.h"

static const char *const suffixes[] = {
    "street",     "st",      "avenue",   "ave",    "road",  "rd",      "boulevard", "blvd",
    "lane",       "ln",      "drive",    "dr",     "court", "ct",      "way",       "place",
    "pl",         "terrace", "ter",      "circle", "cir",   "parkway", "pkwy",      "highway",
    "hwy",        "square",  "sq",       "trail",  "trl",   "plaza",   "alley",     "crossing",
    "loop",       "pike",    "row",      "ridge",  "grove", "heights", "hollow",    "crescent",
    "expressway", "freeway", "turnpike", "route",  "rte",   "landing", "commons",   NULL};

/* Street names made of these words belong to the institution, not to a person. */
static const char *const institutions[] = {"hospital", "medical",    "health",  "clinic",
                                           "campus",   "university", "college", NULL};

static const char *const units[] = {"apt", "apartment", "suite", "ste",  "unit",     "floor",
                                    "fl",  "room",      "rm",    "bldg", "building", NULL};

static size_t word_end(const char *s, size_t n, size_t i)
{
    while (i < n && (pw_isalnum((unsigned char)s[i]) || s[i] == '\''))
        i++;
    return i;
}

static int word_in(const char *s, size_t len, const char *const *list)
{
    if (len > 12)
        return 0;
    int c0 = s[0] | 32;
    for (const char *const *w = list; *w; w++)
        if ((*w)[0] == c0 && word_eq(s, len, *w))
            return 1;
    return 0;
}

/* "Apt. 4B", "Suite 200", "#12" after the street: new end or the old one. */
static size_t unit_tail(const char *s, size_t n, size_t p)
{
    size_t q = p;
    while (q < n && (s[q] == ' ' || s[q] == ','))
        q++;
    if (q < n && s[q] == '#') {
        size_t e = word_end(s, n, q + 1);
        return e > q + 1 ? e : p;
    }
    size_t e = word_end(s, n, q);
    if (e == q || !word_in(s + q, e - q, units))
        return p;
    q = e;
    while (q < n && (s[q] == ' ' || s[q] == '.' || s[q] == '#'))
        q++;
    e = word_end(s, n, q);
    return e > q && pw_isdigit((unsigned char)s[q]) ? e : p;
}

/* ", Boston, MA 02115" after the street. */
static size_t city_tail(const char *s, size_t n, size_t p)
{
    size_t q = p;
    while (q < n && (s[q] == ',' || s[q] == ' ' || s[q] == '\n'))
        q++;
    size_t words = 0;
    while (q < n && pw_isupper((unsigned char)s[q]) && words < 3) {
        size_t e = word_end(s, n, q);
        if (e - q == 2 && pw_isupper((unsigned char)s[q + 1]))
            break; /* the state code */
        q = e;
        words++;
        while (q < n && (s[q] == ' ' || s[q] == ','))
            q++;
    }
    if (q + 2 >= n || !pw_isupper((unsigned char)s[q]) || !pw_isupper((unsigned char)s[q + 1]))
        return p;
    size_t z = q + 2;
    while (z < n && (s[z] == ' ' || s[z] == ','))
        z++;
    if (pw_digits_at(s, n, z) != 5)
        return p;
    z += 5;
    if (z + 5 <= n && s[z] == '-' && pw_digits_at(s, n, z + 1) == 4)
        z += 5;
    return z;
}

/* A street address starting with the house number at s[i]; end or 0. */
static size_t parse_street(const char *s, size_t n, size_t i)
{
    size_t num = pw_digits_at(s, n, i);
    if (num == 0 || num > 6)
        return 0;
    size_t p = i + num;
    if (p < n && pw_isalpha((unsigned char)s[p]) &&
        !pw_isalpha((unsigned char)s[p + 1 < n ? p + 1 : p]))
        p++; /* 12B */
    for (int words = 0; words < 5; words++) {
        if (p >= n || s[p] != ' ')
            return 0;
        p++;
        size_t e = word_end(s, n, p);
        if (e == p || (!pw_isupper((unsigned char)s[p]) && !pw_isdigit((unsigned char)s[p])))
            return 0;
        if (word_in(s + p, e - p, institutions))
            return 0; /* "1 Hospital Drive": the organisation's own address */
        if (words > 0 && word_in(s + p, e - p, suffixes)) {
            if (e < n && s[e] == '.')
                e++;
            return e;
        }
        p = e;
    }
    return 0;
}

/* 1 if s[0..n) is a NANP phone number and nothing else: 10 digits (11 with a leading 1) among
 * the separators a number is written with ("+1 (503) 318-2277", "503.318.2277"), no letter. */
static int phone_digits_only(const char *s, size_t n)
{
    size_t digits = 0;
    char first = 0;
    for (size_t k = 0; k < n; k++) {
        if (pw_isdigit((unsigned char)s[k])) {
            if (!digits++)
                first = s[k];
            continue;
        }
        if (s[k] == '\0' || !strchr(" +-.()", s[k]))
            return 0;
    }
    return digits == 10 || (digits == 11 && first == '1');
}

static void address_key(pw_scan *sc, const pw_seg *g)
{
    size_t i = 0, j = g->n;
    while (i < j && (g->s[i] == ' ' || g->s[i] == '\n'))
        i++;
    while (j > i && (g->s[j - 1] == ' ' || g->s[j - 1] == '\n'))
        j--;
    if (j - i < 4)
        return;
    /* a street address has a street name: a NANP number alone under an address key
     * ("address=5033182277", a form's fields mislabelled) is a phone, and named one */
    if (phone_digits_only(g->s + i, j - i)) {
        pw_scan_add(sc, g, i, j, PW_PHI_PHONE, "phone", NULL, 0.9f, PW_REASON_CONTEXT,
                    "phone number under an address key");
        return;
    }
    pw_scan_add(sc, g, i, j, PW_PHI_ADDRESS, "street", NULL, 0.9f, PW_REASON_CONTEXT,
                "address key");
}

/* The address starting with the house number at s[i] (i passes pw_num_left_ok): its end, or 0. */
static size_t address_at(pw_scan *sc, const pw_seg *g, size_t i)
{
    size_t e = parse_street(g->s, g->n, i);
    if (!e)
        return 0;
    e = unit_tail(g->s, g->n, e);
    e = city_tail(g->s, g->n, e);
    pw_scan_add(sc, g, i, e, PW_PHI_ADDRESS, "street", NULL, 0.85f, PW_REASON_PATTERN,
                "house number + street suffix");
    return e;
}

/* pw_ident_address on a segment of at most 64 bytes with masks: digit runs from the digit mask,
 * parse_street only after a run of 1-6 digits followed by a space or a letter. */
static void address_word(pw_scan *sc, const pw_seg *g, const pw_seg_masks *m)
{
    const char *s = g->s;
    uint64_t d = pw_mask(m, PW_MK_DIGIT, 0);
    for (uint64_t cand = pw_run_starts(d); cand;) {
        size_t i = (size_t)__builtin_ctzll(cand);
        cand &= cand - 1;
        size_t p = i + pw_run_len(d, i);
        if (p - i > 6 || p >= g->n || (s[p] != ' ' && !pw_isalpha((unsigned char)s[p])) ||
            !pw_num_left_ok(s, i))
            continue; /* parse_street: 1-6 digits, then ' ' or a letter ("12B ") */
        size_t e = address_at(sc, g, i);
        if (e)
            cand &= e < 64 ? ~(uint64_t)0 << e : 0;
    }
}

void pw_ident_address(pw_scan *sc, const pw_seg *g)
{
    if (g->ctx == PW_CTX_ADDRESS) {
        address_key(sc, g);
        return;
    }
    const char *s = g->s;
    size_t n = g->n;
    if (g->sum && (g->sum->cls & (PW_SUM_UPPER | PW_SUM_SPACE)) != (PW_SUM_UPPER | PW_SUM_SPACE))
        return; /* parse_street: "<number> <Word> … <Suffix>", the suffix capitalised */
    const pw_seg_masks *m = g->sum ? g->sum->masks : NULL;
    if (m && m->words == 1) {
        address_word(sc, g, m);
        return;
    }
    pw_cand_iter ci;
    for (size_t i = pw_cand_first(&ci, g, PW_CAND_RUN); i < n; i = pw_cand_from(&ci, i + 1)) {
        if (!pw_isdigit((unsigned char)s[i]) || !pw_num_left_ok(s, i))
            continue;
        size_t e = address_at(sc, g, i);
        if (e) {
            i = e - 1;
            continue;
        }
        i += pw_digits_at(s, n, i) - 1;
    }
}
