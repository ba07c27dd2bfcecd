/*
 * ident_date.c — dates that can be a birth date or an appointment: numeric (2024-05-01,
 * 05/01/2024, 5.1.24, 20240501 with context) and with month names (March 14, 1985; 14 Mar 1985;
 * Spanish and Portuguese "14 de junio de 2026", "3 de marzo"; Italian and French "14 giugno 2026",
 * "3 août 2026"), checked for a real calendar day.
 * Subtype from context ("dob", "appointment"); without context a date counts in form/query/JSON
 * values, but in free text and URL slugs only when its year is a plausible birth year (news dates
 * are not PHI). ISO timestamps need context.
 */
#include <string.h>

#include "detect/ident_fast.h"
#include "detect/internal.h"
#include "phiwall/text.h"

typedef struct ymd {
    int y, m, d;
    size_t end;
    int has_year;
    int either_way; /* a numeric day and month of 12 or less: "01/02/2026" (date_order decides) */
} ymd;

static int num(const char *s, size_t i, size_t len)
{
    int v = 0;
    for (size_t k = 0; k < len; k++)
        v = v * 10 + (s[i + k] - '0');
    return v;
}

static int valid(int y, int m, int d)
{
    static const int dim[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1900 || y > 2100 || m < 1 || m > 12 || d < 1 || d > dim[m - 1])
        return 0;
    if (m == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)))
        return 0;
    return 1;
}

/* c (lower-cased) starts a month name: j f m a s o n d. */
static int month_initial(int c)
{
    return c == 'j' || c == 'f' || c == 'm' || c == 'a' || c == 's' || c == 'o' || c == 'n' ||
           c == 'd';
}

static int month_name(const char *s, size_t n, size_t i, size_t *end)
{
    static const char *const names[] = {"january",   "february", "march",    "april",
                                        "may",       "june",     "july",     "august",
                                        "september", "october",  "november", "december"};
    static const unsigned char lens[] = {7, 8, 5, 5, 3, 4, 4, 6, 9, 7, 8, 8};
    if (i >= n)
        return 0;
    unsigned cand; /* bit m: names[m] starts with the letter */
    switch (s[i] | 32) {
    case 'j': cand = 1u << 0 | 1u << 5 | 1u << 6; break;
    case 'f': cand = 1u << 1; break;
    case 'm': cand = 1u << 2 | 1u << 4; break;
    case 'a': cand = 1u << 3 | 1u << 7; break;
    case 's': cand = 1u << 8; break;
    case 'o': cand = 1u << 9; break;
    case 'n': cand = 1u << 10; break;
    case 'd': cand = 1u << 11; break;
    default: return 0;
    }
    size_t w = i;
    while (w < n && pw_isalpha((unsigned char)s[w]))
        w++;
    size_t len = w - i;
    if (len < 3 || len > 9)
        return 0;
    for (; cand; cand &= cand - 1) {
        int m = __builtin_ctz(cand);
        size_t full = lens[m], k = 1; /* the first letter matched by the switch */
        if (!(len == full || len == 3 || (m == 8 && len == 4)) || len > full)
            continue;
        while (k < len && ((unsigned char)s[i + k] | 32u) == (unsigned char)names[m][k])
            k++; /* s[i..w) are ASCII letters: | 32 is their lower case */
        if (k == len) {
            *end = w < n && s[w] == '.' ? w + 1 : w;
            return m + 1;
        }
    }
    return 0;
}

/* Numeric forms at s[i]. */
static int parse_numeric(const char *s, size_t n, size_t i, ymd *o)
{
    size_t a = pw_digits_at(s, n, i);
    if (a == 8) { /* YYYYMMDD */
        o->y = num(s, i, 4), o->m = num(s, i + 4, 2), o->d = num(s, i + 6, 2);
        o->end = i + 8;
        o->has_year = 2; /* bare: needs context */
        return valid(o->y, o->m, o->d);
    }
    if (i + a >= n)
        return 0;
    char sep = s[i + a];
    if (sep != '-' && sep != '/' && sep != '.')
        return 0;
    size_t j = i + a + 1, b = pw_digits_at(s, n, j);
    if (b == 0 || b > 2 || j + b >= n || s[j + b] != sep)
        return 0;
    size_t k = j + b + 1, c = pw_digits_at(s, n, k);
    o->end = k + c;
    o->has_year = 1;
    if (a == 4 && c >= 1 && c <= 2) {
        o->y = num(s, i, 4), o->m = num(s, j, b), o->d = num(s, k, c);
        return valid(o->y, o->m, o->d);
    }
    if (a > 2 || (c != 4 && c != 2))
        return 0;
    int y = num(s, k, c);
    if (c == 2)
        y += y > 30 ? 1900 : 2000;
    int p = num(s, i, a), q = num(s, j, b);
    o->y = y;
    if (valid(y, p, q)) {
        o->m = p, o->d = q;
        o->either_way = p != q && valid(y, q, p);
        return 1;
    }
    if (valid(y, q,
              p)) { /* a first number over 12 is a day in any language: 14.03.1985, 15/01/2026 */
        o->m = q, o->d = p;
        return 1;
    }
    return 0;
}

static size_t skip_sep(const char *s, size_t n, size_t p)
{
    while (p < n && (s[p] == ' ' || s[p] == ',' || s[p] == '-'))
        p++;
    return p;
}

/* The word that ends before s[w] is followed ('.', then spaces, commas or dashes) by a digit. */
static int digit_after_word_end(const char *s, size_t n, size_t w)
{
    if (w < n && s[w] == '.')
        w++;
    w = skip_sep(s, n, w);
    return w < n && pw_isdigit((unsigned char)s[w]);
}

/* The word at s[i] is followed ('.', then spaces, commas or dashes) by a digit: what
 * parse_month_first needs after any month name. Checked first, since most words fail it and it
 * costs less than comparing the word with the twelve month names. */
static int digit_after_word(const char *s, size_t n, size_t i)
{
    size_t w = i;
    while (w < n && pw_isalpha((unsigned char)s[w]))
        w++;
    return digit_after_word_end(s, n, w);
}

/* "March 14, 1985", "Mar 14 1985", "March 14" (no year). */
static int parse_month_first(const char *s, size_t n, size_t i, ymd *o)
{
    size_t p;
    if (!month_initial(s[i] | 32) || !digit_after_word(s, n, i))
        return 0;
    int m = month_name(s, n, i, &p);
    if (!m)
        return 0;
    p = skip_sep(s, n, p);
    size_t dl = pw_digits_at(s, n, p);
    if (dl == 0 || dl > 2)
        return 0;
    o->m = m, o->d = num(s, p, dl);
    p += dl;
    if (p + 1 < n && s[p] == ':' && pw_isdigit((unsigned char)s[p + 1]))
        return 0; /* a time, not a day: "Appointment: June, 08:45" */
    if (p + 1 < n && pw_isalpha((unsigned char)s[p]) && pw_isalpha((unsigned char)s[p + 1]))
        p += 2; /* 14th, 1st */
    o->end = p;
    size_t q = skip_sep(s, n, p);
    if (pw_digits_at(s, n, q) == 4) {
        o->y = num(s, q, 4);
        o->end = q + 4;
        o->has_year = 1;
        return valid(o->y, o->m, o->d);
    }
    o->y = 2000, o->has_year = 0;
    return valid(o->y, o->m, o->d);
}

/* s[i..) starts the word w (lower case, len letters) in any case, followed by sep. */
static int word_then(const char *s, size_t n, size_t i, const char *w, size_t len, char sep)
{
    return i + len < n && s[i + len] == sep && pw_strncaseeq(s + i, w, len);
}

/* The Spanish, Portuguese, Italian and French month names and abbreviations, accents folded
 * (Italian and French: "gennaio", "janvier", "juil"; "mai" is French and Portuguese "mai."),
 * month_name_romance's list: in the order of their first letters, those with the letter c at
 * [romance_from[c - 'a'], romance_from[c - 'a' + 1]) (checked by pw_date_words_ok). */
static const struct romance_month {
    const char *name;
    unsigned char len, m, abbr;
} romance_months[] = {
    {"abril", 5, 4, 0},      {"agosto", 6, 8, 0},      {"abr", 3, 4, 1},
    {"ago", 3, 8, 1},        {"aprile", 6, 4, 0},      {"apr", 3, 4, 1},
    {"avril", 5, 4, 0},      {"aout", 4, 8, 0},        {"avr", 3, 4, 1},
    {"diciembre", 9, 12, 0}, {"dezembro", 8, 12, 0},   {"dic", 3, 12, 1},
    {"dez", 3, 12, 1},       {"dicembre", 8, 12, 0},   {"decembre", 8, 12, 0},
    {"enero", 5, 1, 0},      {"ene", 3, 1, 1},         {"febrero", 7, 2, 0},
    {"fevereiro", 9, 2, 0},  {"feb", 3, 2, 1},         {"fev", 3, 2, 1},
    {"febbraio", 8, 2, 0},   {"fevrier", 7, 2, 0},     {"fevr", 4, 2, 1},
    {"gennaio", 7, 1, 0},    {"giugno", 6, 6, 0},      {"gen", 3, 1, 1},
    {"giu", 3, 6, 1},        {"junio", 5, 6, 0},       {"julio", 5, 7, 0},
    {"janeiro", 7, 1, 0},    {"junho", 5, 6, 0},       {"julho", 5, 7, 0},
    {"jan", 3, 1, 1},        {"jun", 3, 6, 1},         {"jul", 3, 7, 1},
    {"janvier", 7, 1, 0},    {"juin", 4, 6, 0},        {"juillet", 7, 7, 0},
    {"janv", 4, 1, 1},       {"juil", 4, 7, 1},        {"luglio", 6, 7, 0},
    {"lug", 3, 7, 1},        {"marzo", 5, 3, 0},       {"mayo", 4, 5, 0},
    {"marco", 5, 3, 0},      {"maio", 4, 5, 0},        {"mar", 3, 3, 1},
    {"may", 3, 5, 1},        {"mai", 3, 5, 1},         {"maggio", 6, 5, 0},
    {"mag", 3, 5, 1},        {"mars", 4, 3, 0},        {"noviembre", 9, 11, 0},
    {"novembro", 8, 11, 0},  {"nov", 3, 11, 1},        {"novembre", 8, 11, 0},
    {"octubre", 7, 10, 0},   {"outubro", 7, 10, 0},    {"oct", 3, 10, 1},
    {"out", 3, 10, 1},       {"ottobre", 7, 10, 0},    {"ott", 3, 10, 1},
    {"octobre", 7, 10, 0},   {"septiembre", 10, 9, 0}, {"setiembre", 9, 9, 0},
    {"setembro", 8, 9, 0},   {"sep", 3, 9, 1},         {"sept", 4, 9, 1},
    {"set", 3, 9, 1},        {"settembre", 9, 9, 0},   {"septembre", 9, 9, 0},
};

static const unsigned char romance_from[27] = {0,  9,  9,  9,  15, 17, 24, 28, 28,
                                               28, 41, 41, 43, 53, 57, 64, 64, 64,
                                               64, 72, 72, 72, 72, 72, 72, 72, 72};

/* The Spanish, Portuguese, Italian or French month of the whole word s[i..e) (accents already
 * folded: "março" is read as "marco", "août" as "aout"), 1-12, or 0; *abbr is set for an
 * abbreviation ("jun", "ene", "sept", "dez", "giu", "juil"), which parse_day_de_month takes only
 * before a '.' or a year ("14 de mar" is the sea). Italian and French come without "de" and
 * always with a year (parse_day_first). */
static int month_name_romance(const char *s, size_t i, size_t e, int *abbr)
{
    size_t len = e - i;
    if (len < 3 || len > 10)
        return 0;
    unsigned c0 = ((unsigned char)s[i] | 32u) - 'a';
    if (c0 >= 26)
        return 0;
    for (size_t k = romance_from[c0]; k < romance_from[c0 + 1]; k++)
        if (romance_months[k].len == len && pw_strncaseeq(s + i, romance_months[k].name, len)) {
            *abbr = romance_months[k].abbr;
            return romance_months[k].m;
        }
    return 0;
}

/* The end of the word of letters at s[i]. */
static size_t word_end(const char *s, size_t n, size_t i)
{
    while (i < n && pw_isalpha((unsigned char)s[i]))
        i++;
    return i;
}

/* A day's ordinal mark after its digits at s[p] ("1º", "1.º", "1°", "1ª"): the bytes it takes,
 * 0 when none. */
static size_t ordinal_mark(const char *s, size_t n, size_t p)
{
    size_t dot = p < n && s[p] == '.';
    p += dot;
    if (p + 1 < n && (unsigned char)s[p] == 0xC2 &&
        ((unsigned char)s[p + 1] == 0xBA || (unsigned char)s[p + 1] == 0xB0 ||
         (unsigned char)s[p + 1] == 0xAA))
        return dot + 2;
    return 0;
}

/* The bytes of a French first day's "er" after the digit "1" at s[p - 1] ("1er mai 2026"). */
static size_t premier_mark(const char *s, size_t n, size_t i, size_t dl)
{
    size_t p = i + dl;
    return dl == 1 && s[i] == '1' && p + 1 < n && s[p] == 'e' && s[p + 1] == 'r' ? 2 : 0;
}

/* The Italian or French month written out after a day and a space, without a year ("il 14
 * giugno", "le 3 août", "1er mai"): the whole word s[w..e) (French "mai" is the full name the table
 * lists as Portuguese "mai."), 0 when none. Its first letter and length are checked first: most
 * words after a number ("3 days", "10 minutes") stop there. */
static int month_without_year(const char *s, size_t w, size_t e)
{
    size_t len = e - w;
    int c = s[w] | 32, abbr = 0;
    if (len < 3 || len > 9 || !(month_initial(c) || c == 'g' || c == 'l'))
        return 0;
    int m = month_name_romance(s, w, e, &abbr);
    return m && (!abbr || (len == 3 && pw_strncaseeq(s + w, "mai", 3))) ? m : 0;
}

/* The bytes of an English ordinal's suffix after the day s[i..i+dl) ("1st", "2nd", "3rd", "14th",
 * "22nd"; the suffix the number takes, in lower case), then of an "of" after it ("14th of
 * March"), 0 when none. */
static size_t english_ordinal(const char *s, size_t n, size_t i, size_t dl)
{
    size_t p = i + dl;
    if (p + 2 >= n)
        return 0;
    int last = s[p - 1] - '0', teen = dl == 2 && s[i] == '1';
    const char *suf = teen || last < 1 || last > 3 ? "th" : &"stndrd"[2 * (last - 1)];
    if (s[p] != suf[0] || s[p + 1] != suf[1])
        return 0;
    return p + 5 < n && s[p + 2] == ' ' && word_then(s, n, p + 3, "of", 2, ' ') ? 5 : 2;
}

/* An English month m after a day and a space, without a year: s[w..e) is the word month_name
 * read. Written out in full, or abbreviated ("14 Mar", "3 Sept") with its capital, as a date
 * writes it: a lower-case "mar" or "jan" after a number is a word of another language as often
 * ("14 de mar", the sea). "May" only with its capital ("3 may apply"). */
static int english_month_no_year(const char *s, size_t w, size_t e, int m)
{
    static const unsigned char lens[] = {7, 8, 5, 5, 3, 4, 4, 6, 9, 7, 8, 8};
    return e - w == lens[m - 1] ? m != 5 || s[w] == 'M' : pw_isupper((unsigned char)s[w]);
}

/* "14 March 1985", "14-Mar-1985", "14th March 1985", Spanish "14-ene-2026", "14 dic. 2026",
 * Italian "14 giugno 2026", "1° marzo 2026", French "3 août 2026" (folded "aout"), "1er mai
 * 2026", "14 juil. 2026"; English, Italian and French without a year ("14 March", "14th of
 * March", "il 14 giugno", "le 3 août": has_year 0, counted only with a date context, as Spanish
 * "3 de marzo" is). */
static int parse_day_first(const char *s, size_t n, size_t i, ymd *o)
{
    size_t dl = pw_digits_at(s, n, i);
    if (dl == 0 || dl > 2)
        return 0;
    size_t d = i + dl;
    if (d < n && s[d] != ' ' && s[d] != '-') /* "1er", "1°", "14th": most numbers stop here */
        d += premier_mark(s, n, i, dl) + ordinal_mark(s, n, d) + english_ordinal(s, n, i, dl);
    if (d >= n || (s[d] != ' ' && s[d] != '-'))
        return 0;
    size_t p, w = d + 1;
    int m = month_name(s, n, w, &p), abbr;
    int c = w < n ? s[w] | 32 : 0; /* Spanish "ene", Italian "giugno", "luglio" */
    if (!m && (month_initial(c) || c == 'e' || c == 'g' || c == 'l')) { /* "14-ene-2026" */
        size_t e = word_end(s, n, w);
        p = e + (e < n && s[e] == '.');
        if (pw_digits_at(s, n, skip_sep(s, n, p)) != 4) {
            if (s[d] != ' ' || !(m = month_without_year(s, w, e)))
                return 0;
            o->d = num(s, i, dl), o->m = m, o->y = 2000;
            o->end = e;
            o->has_year = 0;
            return valid(o->y, o->m, o->d);
        }
        m = month_name_romance(s, w, e, &abbr);
    }
    if (!m)
        return 0;
    size_t q = skip_sep(s, n, p);
    if (pw_digits_at(s, n, q) != 4) {
        size_t e = word_end(s, n, w); /* "14 March", "Tuesday 14th March" */
        if (s[d] != ' ' || !english_month_no_year(s, w, e, m))
            return 0;
        o->d = num(s, i, dl), o->m = m, o->y = 2000;
        o->end = e;
        o->has_year = 0;
        return valid(o->y, o->m, o->d);
    }
    o->d = num(s, i, dl), o->m = m, o->y = num(s, q, 4);
    o->end = q + 4;
    o->has_year = 1;
    return valid(o->y, o->m, o->d);
}

/* Spanish and Portuguese long dates: "14 de junio de 2026", "14 de junio del 2026", "3 de marzo"
 * (no year), "14 de junho de 2026", abbreviated "14 de jun. de 2026", ordinal "1º de mayo", and
 * in a URL slug "14-de-junio-de-2026" (the same separator throughout). The weekday before the
 * day ("lunes 14 de junio") is left out of the span, as "Monday" is in "Monday, March 14". */
static int parse_day_de_month(const char *s, size_t n, size_t i, ymd *o)
{
    size_t dl = pw_digits_at(s, n, i);
    if (dl == 0 || dl > 2)
        return 0;
    size_t p = i + dl + ordinal_mark(s, n, i + dl);
    if (p >= n || (s[p] != ' ' && s[p] != '-'))
        return 0;
    char sep = s[p];
    if (!word_then(s, n, p + 1, "de", 2, sep))
        return 0;
    size_t w = p + 4, e = word_end(s, n, w);
    int abbr = 0, m = month_name_romance(s, w, e, &abbr);
    if (!m)
        return 0;
    int dot = abbr && e < n && s[e] == '.';
    o->d = num(s, i, dl), o->m = m, o->end = e + (size_t)dot;
    size_t q = o->end + 1;
    if (o->end < n && s[o->end] == sep) {
        if (word_then(s, n, q, "de", 2, sep))
            q += 3;
        else if (word_then(s, n, q, "del", 3, sep))
            q += 4;
        if (pw_digits_at(s, n, q) == 4) {
            o->y = num(s, q, 4), o->end = q + 4, o->has_year = 1;
            return valid(o->y, o->m, o->d);
        }
    }
    if (abbr && !dot)
        return 0;
    o->y = 2000, o->has_year = 0;
    return valid(o->y, o->m, o->d);
}

static int is_timestamp(const char *s, size_t n, size_t end)
{
    return end + 3 < n && (s[end] == 'T' || s[end] == ' ') &&
           pw_isdigit((unsigned char)s[end + 1]) && pw_isdigit((unsigned char)s[end + 2]) &&
           s[end + 3] == ':';
}

/* Bit (c - 'a') for each ASCII letter of s[0..n), either case. */
static uint32_t letters_in(const char *s, size_t n)
{
    uint32_t m = 0;
    for (size_t k = 0; k < n; k++) {
        unsigned c = ((unsigned char)s[k] | 32u) - 'a';
        if (c < 26)
            m |= 1u << c;
    }
    return m;
}

/* 1 if the word ending just before s[i] (a '.') is a title or an initial, not a sentence's last
 * word: "Dr. Jane Smith", "St. Mary's", "Jane A. Smith", Spanish "Dra. Rao", "Sra. López". */
static int abbreviation_before(const char *s, size_t i)
{
    static const char *const abbr[] = {"dr", "drs", "mr",  "mrs",  "ms",  "mx",   "prof",
                                       "st", "jr",  "sr",  "rev",  "mt",  "ft",   "no",
                                       "vs", "dra", "sra", "srta", "lic", "dres", NULL};
    size_t b = i;
    while (b > 0 && pw_isalpha((unsigned char)s[b - 1]) && i - b < 5)
        b--;
    if (b == i || (b > 0 && pw_isalpha((unsigned char)s[b - 1])))
        return 0;
    if (i - b == 1)
        return pw_isupper((unsigned char)s[b]); /* an initial */
    for (size_t k = 0; abbr[k]; k++)
        if (strlen(abbr[k]) == i - b && pw_strncaseeq(s + b, abbr[k], i - b))
            return 1;
    return 0;
}

/* Start of the sentence that holds s[i], looking back 80 bytes at most: after a line break, a
 * '|' or a sentence's full stop (". " not after a title or an initial: "with Dr. Jane Smith on
 * 03/14/2027" is one sentence). */
static size_t sentence_start(const char *s, size_t i)
{
    size_t from = i > 80 ? i - 80 : 0;
    for (size_t k = i; k > from; k--) {
        char c = s[k - 1];
        if (c == '\n' || c == '|')
            return k;
        if (c == '.' && k < i && s[k] == ' ' && !abbreviation_before(s, k - 1))
            return k;
    }
    return from;
}

/* How a date word may go on after its letters. */
enum {
    DW_PLURAL = 0, /* only an 's': "visits", not "visiting hours" or "visitor policy" */
    DW_PREFIX = 1, /* anything: "birth" in "birthday", "birthdate" */
    DW_VERB = 2,   /* a scheduling imperative, counted only before its object: "Schedule with",
                      "Book your", not "Class schedule" or "Book Club" */
    DW_NOUN = 3    /* as DW_PLURAL, but not as a page's invitation before its object: "your visit
                      on", not "Visit us on Saturday 14 March", "Visit our stand" */
};

/* 1 if s[p..i) starts with one of the words (a NULL-ended list), as a whole word. */
static int word_of_at(const char *s, size_t p, size_t i, const char *const *words)
{
    for (size_t k = 0; words[k]; k++) {
        size_t len = strlen(words[k]);
        if (p + len < i && pw_strncaseeq(s + p, words[k], len) &&
            !pw_isalpha((unsigned char)s[p + len]))
            return 1;
    }
    return 0;
}

/* 1 if s[p..i) starts with one of the objects of a page's invitation ("Visit us", "Visit our
 * stand", "visit the gift shop"), or an article or determiner after the verb ("Visit a clinic
 * near you on 14 March", "Visit any of our locations", "Visit your nearest urgent care"), as a
 * whole word: the imperative and its object invite every reader. A visitor's own appointment
 * names the visit as a noun: "your visit on", "Visit date:", "Visit with Dr.", "Visit confirmed
 * for". */
static int invitation_object_at(const char *s, size_t p, size_t i)
{
    static const char *const objects[] = {"us",  "our",  "the",  "www",   "a",     "an", "any",
                                          "one", "your", "this", "these", "those", NULL};
    return word_of_at(s, p, i, objects);
}

/* 1 if s[p..i) starts with one of the objects a scheduling verb takes, as a whole word. */
static int verb_object_at(const char *s, size_t p, size_t i)
{
    static const char *const objects[] = {"with", "your", "my", "a", "an", "now", "online", NULL};
    return word_of_at(s, p, i, objects);
}

/* 1 if the word of len letters at s[p] (a word start, p + len < i) goes on as `how` allows. */
static int word_end_ok(const char *s, size_t p, size_t len, size_t i, int how)
{
    size_t e = p + len;
    if (how == DW_PREFIX)
        return 1;
    if (how == DW_VERB) {
        if (s[e] != ' ')
            return 0;
        while (e < i && s[e] == ' ')
            e++;
        return verb_object_at(s, e, i);
    }
    if ((s[e] | 32) == 's' && e + 1 < i)
        e++;
    unsigned char c = (unsigned char)s[e];
    if (how == DW_NOUN && e == p + len && c == ' ' && invitation_object_at(s, e + 1, i))
        return 0;
    return !pw_isalpha(c) || (pw_isupper(c) && pw_islower((unsigned char)s[e - 1])); /* camel */
}

/* 1 if s[from..i) holds the lower-case word w (len bytes) at a word start, going on as `how`
 * allows. */
static int has_word(const char *s, size_t from, size_t i, const char *w, size_t len, int how)
{
    for (size_t p = from; p + len < i; p++) {
        if ((s[p] | 32) != w[0] || (p > 0 && pw_isalpha((unsigned char)s[p - 1])))
            continue;
        size_t j = 1;
        while (j < len && pw_tolower((unsigned char)s[p + j]) == w[j])
            j++;
        if (j == len && word_end_ok(s, p, len, i, how))
            return 1;
    }
    return 0;
}

/* The words of sentence_ctx, with the letters each needs (bit c - 'a'; date_words_ok checks them
 * against letters_in). */
static const struct date_word {
    const char *word;
    unsigned char len, how;
    pw_ctx ctx;
    uint32_t need;
} date_words[] = {
    {"appointment", 11, DW_PLURAL, PW_CTX_APPT, 0x008f111u},
    {"appt", 4, DW_PLURAL, PW_CTX_APPT, 0x0088001u},
    {"visit", 5, DW_NOUN, PW_CTX_APPT, 0x02c0100u},
    {"scheduled", 9, DW_PLURAL, PW_CTX_APPT, 0x014089cu},
    {"rescheduled", 11, DW_PLURAL, PW_CTX_APPT, 0x016089cu},
    {"booked", 6, DW_PLURAL, PW_CTX_APPT, 0x000441au},
    {"schedule", 8, DW_VERB, PW_CTX_APPT, 0x014089cu},
    {"reschedule", 10, DW_VERB, PW_CTX_APPT, 0x016089cu},
    {"book", 4, DW_VERB, PW_CTX_APPT, 0x0004402u},
    {"birth", 5, DW_PREFIX, PW_CTX_DOB, 0x00a0182u},
    {"born", 4, DW_PLURAL, PW_CTX_DOB, 0x0026002u},
    {"dob", 3, DW_PLURAL, PW_CTX_DOB, 0x000400au},
    {"cita", 4, DW_PLURAL, PW_CTX_APPT, 0x0080105u},
    {"consulta", 8, DW_PLURAL, PW_CTX_APPT, 0x01c6805u},
    {"nacimiento", 10, DW_PLURAL, PW_CTX_DOB, 0x0087115u},
    {"nacido", 6, DW_PLURAL, PW_CTX_DOB, 0x000610du},
    {"nacida", 6, DW_PLURAL, PW_CTX_DOB, 0x000210du},
    {"nacio", 5, DW_PLURAL, PW_CTX_DOB, 0x0006105u},
    {"nascimento", 10, DW_PLURAL, PW_CTX_DOB, 0x00c7115u},
    /* Italian and French: "appuntamento", "prenotazione" (not the plural, a page's
     * "Prenotazioni online"), "visita prenotata", "rendez-vous", "rdv"; "data di nascita",
     * "date de naissance" */
    {"appuntament", 11, DW_PREFIX, PW_CTX_APPT, 0x018b011u},
    {"prenotazione", 12, DW_PLURAL, PW_CTX_APPT, 0x20ae111u},
    {"prenotat", 8, DW_PREFIX, PW_CTX_APPT, 0x00ae011u},
    {"rendez", 6, DW_PLURAL, PW_CTX_APPT, 0x2022018u},
    {"rdv", 3, DW_PLURAL, PW_CTX_APPT, 0x0220008u},
    {"nascita", 7, DW_PLURAL, PW_CTX_DOB, 0x00c2105u},
    {"naissance", 9, DW_PLURAL, PW_CTX_DOB, 0x0042115u},
};

int pw_date_words_ok(void)
{
    size_t nr = sizeof romance_months / sizeof romance_months[0];
    if (romance_from[0] != 0 || romance_from[26] != nr)
        return 0;
    for (size_t c = 0; c < 26; c++)
        for (size_t k = romance_from[c]; k < romance_from[c + 1]; k++)
            if (romance_months[k].name[0] != (char)('a' + c) ||
                strlen(romance_months[k].name) != romance_months[k].len)
                return 0;
    for (size_t w = 0; w < sizeof date_words / sizeof date_words[0]; w++)
        if (strlen(date_words[w].word) != date_words[w].len ||
            letters_in(date_words[w].word, date_words[w].len) != date_words[w].need)
            return 0;
    return 1;
}

/* A scheduling or birth word earlier in the same sentence ("Appointment confirmed for … on",
 * "Book an appointment with Dr. Jane Smith on", "Schedule with Dr. Maria Lopez, Cardiology —";
 * Spanish "Cita confirmada para Rosa Delgado el", "Su consulta es el", "nació el"; Italian "Il suo
 * appuntamento è il", French "Votre rendez-vous est confirmé le"): a provider's name or a short
 * clause between the word and the date does not separate them. A word with a letter the
 * sentence lacks cannot occur in it: that test skips most searches. */
static pw_ctx sentence_ctx(const char *s, size_t i)
{
    size_t from = sentence_start(s, i);
    uint32_t have = letters_in(s + from, i - from);
    for (size_t w = 0; w < sizeof date_words / sizeof date_words[0]; w++) {
        const struct date_word *d = &date_words[w];
        if ((have & d->need) == d->need && has_word(s, from, i, d->word, d->len, d->how))
            return d->ctx;
    }
    return PW_CTX_NONE;
}

/* The words of s[from..i): start and length of each, at most 24. */
typedef struct sentence_words {
    size_t at[24], len[24], n;
} sentence_words;

static void words_of(const char *s, size_t from, size_t i, sentence_words *w)
{
    w->n = 0;
    for (size_t p = from; p < i && w->n < 24;) {
        if (!pw_isalpha((unsigned char)s[p])) {
            p++;
            continue;
        }
        size_t e = p;
        while (e < i && pw_isalpha((unsigned char)s[e]))
            e++;
        w->at[w->n] = p, w->len[w->n++] = e - p;
        p = e;
    }
}

static int word_in(const char *s, size_t len, const char *const *list)
{
    for (size_t k = 0; list[k]; k++)
        if (word_eq(s, len, list[k]))
            return 1;
    return 0;
}

/* The sentence before s[i] offers appointments rather than naming one: an availability word
 * next to an appointment noun ("Appointments available from", "Next available appointment:",
 * "Citas disponibles a partir del", "Disponibilidad de citas"). A patient's appointment has no
 * such word beside it; a date there is a day on a schedule, not a visit of a person's. */
static const char *const offer_words[] = {
    "available",      "availability",  "unavailable",    "disponible",  "disponibles",
    "disponibilidad", "disponivel",    "disponiveis",    "disponibile", "disponibili",
    "disponibilita",  "disponibilite", "disponibilites", NULL};

static int availability_offer(const char *s, size_t i)
{
    const char *const *offer = offer_words;
    /* "vous": the second half of "rendez-vous", which the words split at its hyphen */
    static const char *const noun[] = {"appointment",  "appointments",
                                       "appt",         "appts",
                                       "visit",        "visits",
                                       "slot",         "slots",
                                       "cita",         "citas",
                                       "consulta",     "consultas",
                                       "turno",        "turnos",
                                       "appuntamento", "appuntamenti",
                                       "prenotazione", "prenotazioni",
                                       "rendez",       "vous",
                                       "rdv",          NULL};
    static const char *const link[] = {"de", "of", "for", "para", "di", "per", "des", "pour", NULL};
    size_t from = sentence_start(s, i);
    if (!pw_strcasestr_n(s + from, i - from, "availab") &&
        !pw_strcasestr_n(s + from, i - from, "disponi"))
        return 0;
    sentence_words w;
    words_of(s, from, i, &w);
    for (size_t k = 0; k < w.n; k++) {
        if (!word_in(s + w.at[k], w.len[k], offer))
            continue;
        for (size_t j = k > 0 ? k - 1 : 0; j < w.n && j <= k + 2; j++) {
            if (j == k || (j == k + 2 && !word_in(s + w.at[k + 1], w.len[k + 1], link)))
                continue;
            if (word_in(s + w.at[j], w.len[j], noun))
                return 1;
        }
    }
    return 0;
}

/* The date word (date_words, not a scheduling verb) that the word s[p..p+len) is, or NONE. */
static pw_ctx date_word_ctx(const char *s, size_t p, size_t len)
{
    for (size_t w = 0; w < sizeof date_words / sizeof date_words[0]; w++) {
        const struct date_word *d = &date_words[w];
        if (d->how == DW_VERB || len < d->len || (s[p] | 32) != d->word[0] ||
            !(len == d->len || d->how == DW_PREFIX ||
              (len == d->len + 1u && (s[p + len - 1] | 32) == 's')))
            continue;
        size_t j = 1;
        while (j < d->len && pw_tolower((unsigned char)s[p + j]) == d->word[j])
            j++;
        if (j == d->len)
            return d->ctx;
    }
    return PW_CTX_NONE;
}

/* The context a date word right after the date gives it, as a label does after a value
 * ("3 août, date de naissance", "12 février 1974 (date de naissance)", "14 giugno 2026,
 * appuntamento confermato"): after a comma, colon, dash or parenthesis, the first word is a date
 * word, or "date"/"data"/"fecha" and one of the next two is ("date de naissance", "data di
 * nascita", "data dell'appuntamento"). Only that clause: a list's "·", a "|", a sentence's end or
 * a line stops it (a menu's "Prendre rendez-vous" after a page date), and so does an offer
 * ("14 giugno: appuntamenti disponibili"); "prenez rendez-vous" after an open day's date is no
 * label either, its first word being a verb. */
static pw_ctx ctx_after(const char *s, size_t n, size_t end)
{
    size_t p = end;
    while (p < n && s[p] == ' ')
        p++;
    if (p < n && (s[p] == ',' || s[p] == ':' || s[p] == '(' || s[p] == '-'))
        p++;
    size_t to = p + 48 < n ? p + 48 : n;
    for (size_t k = p; k < to; k++)
        if (s[k] == '.' || s[k] == '|' || s[k] == ';' || s[k] == '\n' || s[k] == ')' ||
            (unsigned char)s[k] == 0xC2) { /* U+00B7 "·" (and any other Latin-1 sign) */
            to = k;
            break;
        }
    sentence_words w;
    words_of(s, p, to, &w);
    if (w.n == 0)
        return PW_CTX_NONE;
    for (size_t k = 0; k < w.n; k++)
        if (word_in(s + w.at[k], w.len[k], offer_words))
            return PW_CTX_NONE;
    pw_ctx c = date_word_ctx(s, w.at[0], w.len[0]);
    static const char *const date_nouns[] = {"date", "data", "fecha", NULL};
    for (size_t k = 1;
         c == PW_CTX_NONE && k < 3 && k < w.n && word_in(s + w.at[0], w.len[0], date_nouns); k++)
        c = date_word_ctx(s, w.at[k], w.len[k]);
    return c;
}

/* The context of the date s[i..end): the words just before it or the field's key, failing those
 * the sentence's, then a date word right after it (ctx_after); an appointment or a "date:" /
 * "fecha:" that the sentence only offers (availability_offer) is none. */
static pw_ctx date_ctx(const pw_seg *g, size_t i, size_t end)
{
    pw_ctx c = pw_ctx_at(g, i);
    if (c == PW_CTX_NONE)
        c = sentence_ctx(g->s, i);
    if (c == PW_CTX_NONE)
        c = ctx_after(g->s, g->n, end);
    if ((c == PW_CTX_APPT || c == PW_CTX_DATE) && g->ctx != c && availability_offer(g->s, i))
        return PW_CTX_NONE; /* "Citas disponibles: fecha 01/15/2026" is no date either */
    return c;
}

/* "%04d%02d%02d" of a validated date without the printf machinery (printf when out of range). */
static char *yyyymmdd(pw_arena *a, const ymd *o)
{
    if (o->y < 0 || o->y > 9999 || o->m < 0 || o->m > 99 || o->d < 0 || o->d > 99)
        return pw_arena_sprintf(a, "%04d%02d%02d", o->y, o->m, o->d);
    char *t = pw_arena_alloc(a, 9);
    if (!t)
        return NULL;
    int v[4] = {o->y / 100, o->y % 100, o->m, o->d};
    for (int k = 0; k < 4; k++) {
        t[2 * k] = (char)('0' + v[k] / 10);
        t[2 * k + 1] = (char)('0' + v[k] % 10);
    }
    t[8] = '\0';
    return t;
}

static void emit(pw_scan *sc, const pw_seg *g, size_t i, const ymd *o)
{
    pw_ctx ctx = date_ctx(g, i, o->end);
    if (ctx == PW_CTX_TIME || ctx == PW_CTX_NEGATIVE || ctx == PW_CTX_PHONE)
        return;
    const char *sub = "date";
    float conf = 0.9f;
    pw_reason why = PW_REASON_CONTEXT;
    if (ctx == PW_CTX_DOB)
        sub = "dob", conf = 0.97f;
    else if (ctx == PW_CTX_APPT)
        sub = "appointment", conf = 0.95f;
    else if (ctx != PW_CTX_DATE) {
        int value_field = g->in_query || g->type == PW_FT_FORM_VALUE || g->type == PW_FT_JSON_VALUE;
        int slug = g->in_url && !g->in_query;
        if (o->has_year != 1 || is_timestamp(g->s, g->n, o->end))
            return;
        if ((!value_field || slug) && o->y > 2012)
            return;
        why = PW_REASON_PATTERN, conf = value_field ? 0.75f : 0.6f;
    }
    char *norm = yyyymmdd(sc->a, o);
    pw_scan_add(sc, g, i, o->end, PW_PHI_DATE, sub, norm, conf, why, "calendar date");
}

/* A date without a year ("Jun 3", 20240603) counts only with birth/appointment/date context. */
static int date_context(const pw_seg *g, size_t i, size_t end)
{
    pw_ctx c = date_ctx(g, i, end);
    return c == PW_CTX_DOB || c == PW_CTX_APPT || c == PW_CTX_DATE;
}

/* 1 if the field of the date s[i..end) reads Spanish or Portuguese, which write a numeric date
 * day first: a date word of theirs in the field's key ("fecha_nacimiento", "cita", the slug
 * before: "/citas/") or among the words at most 120 bytes before and 60 after the date ("Fecha:",
 * "Su consulta es el", "f. nac.", a month or weekday name). Nothing else decides: a field without
 * such a word keeps the month-first reading of US pages. */
static int romance_field(const pw_seg *g, size_t i, size_t end)
{
    static const char *const keys[] = {"fecha",      "nacimiento",  "cita",    "consulta",
                                       "nascimento", "appuntament", "nascita", "naissance",
                                       "rendez",     "prenotazion", NULL};
    static const char *const words[] = {
        "fecha",    "fechas",       "nacimiento", "nac",       "cita",         "citas",
        "consulta", "consultas",    "nascimento", "lunes",     "martes",       "miercoles",
        "jueves",   "viernes",      "sabado",     "domingo",   "appuntamento", "appuntamenti",
        "nascita",  "prenotazione", "lunedi",     "martedi",   "mercoledi",    "giovedi",
        "venerdi",  "sabato",       "domenica",   "naissance", "rendez",       "rdv",
        "lundi",    "mercredi",     "jeudi",      "vendredi",  "samedi",       "dimanche",
        NULL}; /* not "mardi": "Mardi Gras" on US pages */
    /* month names that are English names too ("Mayo Clinic", "Marco Lopez", "Mars Hill")
     * decide nothing */
    static const char *const english[] = {"mayo", "marco", "mars", NULL};
    for (size_t p = 0; g->key && p < g->key_n; p++) {
        char c = (char)(g->key[p] | 32);
        /* the keys' initials */
        int initial = c == 'f' || c == 'n' || c == 'c' || c == 'a' || c == 'r' || c == 'p';
        for (size_t k = 0; initial; k++) {
            if (!keys[k])
                break;
            size_t len = strlen(keys[k]);
            if (keys[k][0] == c && p + len <= g->key_n && pw_strncaseeq(g->key + p, keys[k], len))
                return 1;
        }
    }
    const char *s = g->s;
    size_t from = i > 120 ? i - 120 : 0, to = end + 60 < g->n ? end + 60 : g->n;
    for (size_t p = from; p < to;) {
        if (!pw_isalpha((unsigned char)s[p])) {
            p++;
            continue;
        }
        size_t e = word_end(s, to, p);
        int abbr = 0; /* a word cut by the window's start is none */
        if ((p == 0 || !pw_isalpha((unsigned char)s[p - 1])) &&
            (word_in(s + p, e - p, words) ||
             (month_name_romance(s, p, e, &abbr) && !abbr && !word_in(s + p, e - p, english))))
            return 1;
        p = e;
    }
    return 0;
}

/* The date starting at the word start s[i]: its end once parsed (emitted or not), or 0. */
static size_t date_at(pw_scan *sc, const pw_seg *g, size_t i)
{
    const char *s = g->s;
    size_t n = g->n;
    int c = (unsigned char)s[i];
    ymd o = {0};
    int ok = 0;
    if (pw_isdigit(c) && pw_num_left_ok(s, i))
        ok = parse_numeric(s, n, i, &o) || parse_day_first(s, n, i, &o) ||
             parse_day_de_month(s, n, i, &o);
    else if (pw_isalpha(c))
        ok = parse_month_first(s, n, i, &o);
    if (!ok || !pw_num_right_ok(s, n, o.end))
        return 0;
    if (o.either_way && romance_field(g, i, o.end)) { /* "Fecha: 01/02/2026" is February 1 */
        int d = o.d;
        o.d = o.m, o.m = d;
    }
    if (o.has_year == 1 || date_context(g, i, o.end))
        emit(sc, g, i, &o);
    return o.end;
}

/* A date may start at the word start s[i] (with digit mask bits d from i): a digit run of 8
 * (YYYYMMDD) or followed by '-' '/' '.', one of 1-2 digits followed by a space ("14 March") or
 * an ordinal mark ("1º de mayo"), or
 * a word that may be a month name followed by a digit (with alpha mask bits a from i). */
static inline __attribute__((always_inline)) int date_may_start(const char *s, size_t n, size_t i,
                                                                uint64_t d, uint64_t a)
{
    if (!(d & 1)) { /* parse_month_first: a month name of 3-9 letters, then a digit */
        size_t len = ~a ? (size_t)__builtin_ctzll(~a) : 64;
        if (len < 3 || len > 9)
            return 0;
        /* engine-text9: digit_after_word_end skips only bytes that are no letter or digit, so
         * the first letter or digit after the word must be a digit: asked of the masks first */
        uint64_t after = (a | d) >> len;
        if (!after || !(d >> (len + (size_t)__builtin_ctzll(after)) & 1))
            return 0;
        return month_initial(s[i] | 32) &&
               digit_after_word_end(s, n, i + len); /* the word's end from the mask */
    }
    size_t run = ~d ? (size_t)__builtin_ctzll(~d) : 64, p = i + run;
    if (run == 8)
        return 1;
    if (p >= n || (run > 2 && run != 4))
        return 0; /* every parser wants a first run of 1-2 digits, YYYY, or YYYYMMDD */
    char c = s[p];
    if ((c == '-' || c == '/' || c == '.') && p + 1 < n && (d >> (run + 1) & 1)) {
        /* a number after the separator: only parse_numeric can read it (parse_day_first and
         * parse_day_de_month want a letter there), as its month or day of 1-2 digits, the same
         * separator, then a year of 2 or 4 digits after a first run of 1-2, or a day of 1-2
         * after a year: not "073-19-0319", "350-7932", "13.0.2.6" */
        size_t b = (size_t)__builtin_ctzll(~(d >> (run + 1))), q = p + 1 + b;
        if (b > 2 || q >= n || s[q] != c)
            return 0;
        size_t last = (size_t)__builtin_ctzll(~(d >> (run + 2 + b)));
        return run == 4 ? last >= 1 && last <= 2 : last == 4 || last == 2;
    }
    return c == '-' || c == '/' || c == '.' ||
           (run <= 2 && (c == ' ' || (unsigned char)c == 0xC2)) ||
           (run == 1 && c == 'e') ||                                     /* "1er mai" */
           (run <= 2 && (c == 's' || c == 'n' || c == 'r' || c == 't')); /* "14th March" */
}

/* For the unit test (ident_fast.h): on a text of at most 64 bytes, date_may_start with the
 * masks' reject answers as the month-first checks without it at every word start. */
int pw_date_month_reject_same(const char *s, size_t n)
{
    if (n > 64)
        return 1;
    uint64_t d = 0, a = 0;
    for (size_t k = 0; k < n; k++) {
        d |= (uint64_t)pw_isdigit((unsigned char)s[k]) << k;
        a |= (uint64_t)pw_isalpha((unsigned char)s[k]) << k;
    }
    for (size_t i = 0; i < n; i++) {
        if (!(a >> i & 1) || (i > 0 && ((a | d) >> (i - 1) & 1)))
            continue; /* word starts with a letter only */
        size_t len = ~(a >> i) ? (size_t)__builtin_ctzll(~(a >> i)) : 64 - i;
        int slow =
            len >= 3 && len <= 9 && month_initial(s[i] | 32) && digit_after_word_end(s, n, i + len);
        if (date_may_start(s, n, i, d >> i, a >> i) != slow)
            return 0;
    }
    return 1;
}

/* pw_ident_date on a segment of at most 64 bytes with masks: word starts from the masks, and
 * date_at only where date_may_start. */
static void date_word(pw_scan *sc, const pw_seg *g, const pw_seg_masks *m)
{
    uint64_t d = pw_mask(m, PW_MK_DIGIT, 0), a = pw_mask(m, PW_MK_ALPHA, 0), an = d | a;
    if (!d)
        return;
    /* every form holds a digit at or after its start (a month name is followed by one) */
    size_t last = 63 - (size_t)__builtin_clzll(d);
    uint64_t keep = last < 63 ? ((uint64_t)1 << (last + 1)) - 1 : ~(uint64_t)0;
    for (uint64_t cand = an & ~(an << 1) & keep; cand;) {
        size_t i = (size_t)__builtin_ctzll(cand);
        cand &= cand - 1;
        if (!date_may_start(g->s, g->n, i, d >> i, a >> i))
            continue;
        size_t end = date_at(sc, g, i);
        if (end)
            cand &= end < 64 ? ~(uint64_t)0 << end : 0;
    }
}

void pw_ident_date(pw_scan *sc, const pw_seg *g)
{
    const char *s = g->s;
    size_t n = g->n;
    if (g->sum && pw_sum_runs_known(g->sum) &&
        !(g->sum->runs & (PW_RUN(1) | PW_RUN(2) | PW_RUN(8))))
        return; /* every form has a day of 1-2 digits, or is YYYYMMDD */
    const pw_seg_masks *m = g->sum ? g->sum->masks : NULL;
    if (m && m->words == 1) {
        date_word(sc, g, m);
        return;
    }
    pw_cand_iter ci;
    for (size_t i = pw_cand_first(&ci, g, PW_CAND_WORD); i < n; i = pw_cand_from(&ci, i + 1)) {
        int c = (unsigned char)s[i];
        if (!pw_isalnum(c) || (i > 0 && pw_isalnum((unsigned char)s[i - 1])))
            continue;
        size_t end = date_at(sc, g, i);
        if (end)
            i = end - 1;
    }
}
