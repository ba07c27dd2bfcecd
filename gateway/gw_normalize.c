/*
 * gw_normalize.c — the reductions the policy applies to identifying values: Meta's user_data
 * normalisation + SHA-256 (https://developers.facebook.com/docs/marketing-api/conversions-api/
 * parameters/customer-information-parameters), client IP truncation (/24, /48) and the path
 * globs that map pages to categories.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "gw_digest.h"
#include "gw_normalize.h"
#include "gw_policy.h"
#include "phiwall/text.h"

/* The lower-case form of a capital of Latin-1 Supplement or Latin Extended-A (U+00C0-U+017F),
 * else cp: Meta asks for lower case, and "ÉLODIE" must hash as "élodie" does. */
static unsigned lower_latin(unsigned cp)
{
    if ((cp >= 0xC0 && cp <= 0xDE && cp != 0xD7))
        return cp + 0x20;
    if (cp == 0x178) /* Ÿ */
        return 0xFF;
    if (cp == 0x130) /* İ: i */
        return 'i';
    if ((cp >= 0x100 && cp <= 0x137) || (cp >= 0x14A && cp <= 0x177))
        return cp | 1; /* pairs: even capital, odd small */
    if ((cp >= 0x139 && cp <= 0x148) || (cp >= 0x179 && cp <= 0x17E))
        return cp & 1 ? cp + 1 : cp; /* pairs: odd capital, even small */
    return cp;
}

/* One two-byte UTF-8 letter at v[i] (< n) lowered into out; the bytes read, or 0 when v[i]
 * does not start one (other bytes are copied as they are). */
static size_t lower_utf8(const char *v, size_t n, size_t i, char *out, size_t *k)
{
    unsigned char b0 = (unsigned char)v[i], b1 = i + 1 < n ? (unsigned char)v[i + 1] : 0;
    if ((b0 & 0xE0) != 0xC0 || (b1 & 0xC0) != 0x80)
        return 0;
    unsigned cp = lower_latin(((unsigned)(b0 & 0x1F) << 6) | (b1 & 0x3F));
    if (cp < 0x80) {
        out[(*k)++] = (char)cp;
        return 2;
    }
    out[(*k)++] = (char)(0xC0 | cp >> 6);
    out[(*k)++] = (char)(0x80 | (cp & 0x3F));
    return 2;
}

static char *keep_only(pw_arena *a, const char *v, size_t n, int (*keep)(int))
{
    char *out = pw_arena_alloc(a, n + 1);
    if (!out)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < n;) {
        unsigned char ch = (unsigned char)v[i];
        size_t used = ch >= 0x80 ? lower_utf8(v, n, i, out, &k) : 0;
        if (used) {
            i += used;
            continue;
        }
        if (ch >= 0x80 || keep(ch)) /* other UTF-8 letters are kept as they are */
            out[k++] = (char)(ch < 0x80 ? tolower(ch) : ch);
        i++;
    }
    out[k] = '\0';
    return k ? out : NULL;
}

static int is_alnum_c(int c)
{
    return isalnum(c);
}
static int is_digit_c(int c)
{
    return isdigit(c);
}
static int is_alpha_c(int c)
{
    return isalpha(c);
}

/* YYYYMMDD from "YYYY-MM-DD", "YYYYMMDD", "MM/DD/YYYY" or "YYYY/MM/DD". */
static const char *norm_date(pw_arena *a, const char *v, size_t n)
{
    char d[16];
    size_t k = 0;
    for (size_t i = 0; i < n && k < 15; i++)
        if (isdigit((unsigned char)v[i]))
            d[k++] = v[i];
    d[k] = '\0';
    if (k != 8)
        return NULL;
    int slash_us = n >= 10 && isdigit((unsigned char)v[0]) && (v[2] == '/' || v[2] == '-');
    char out[9];
    if (slash_us) { /* MMDDYYYY -> YYYYMMDD */
        memcpy(out, d + 4, 4);
        memcpy(out + 4, d, 4);
        out[8] = '\0';
    } else {
        memcpy(out, d, 9);
    }
    int mm = (out[4] - '0') * 10 + (out[5] - '0'), dd = (out[6] - '0') * 10 + (out[7] - '0');
    if (mm < 1 || mm > 12 || dd < 1 || dd > 31)
        return NULL;
    return pw_arena_strndup(a, out, 8);
}

/* Calling codes of the countries a default_country may name, and what a national number
 * starts with: a trunk '0' dropped before the calling code, none, or (Italy, San Marino,
 * Vatican) a 0 that stays. NANP countries (US, CA, PR…) are calling code 1 with trunk '1'. */
typedef struct dial {
    char iso2[3];
    const char *cc;
    char trunk; /* '0': strip one, 'k': keep, '1': NANP, '\0': none */
} dial;

static const dial dials[] = {
    {"AR", "54", '0'},  {"AT", "43", '0'},   {"AU", "61", '0'},   {"BE", "32", '0'},
    {"BR", "55", '0'},  {"CA", "1", '1'},    {"CH", "41", '0'},   {"CL", "56", '\0'},
    {"CN", "86", '0'},  {"CO", "57", '\0'},  {"CZ", "420", '\0'}, {"DE", "49", '0'},
    {"DK", "45", '\0'}, {"ES", "34", '\0'},  {"FI", "358", '0'},  {"FR", "33", '0'},
    {"GB", "44", '0'},  {"GR", "30", '\0'},  {"HK", "852", '\0'}, {"IE", "353", '0'},
    {"IL", "972", '0'}, {"IN", "91", '0'},   {"IT", "39", 'k'},   {"JP", "81", '0'},
    {"KR", "82", '0'},  {"LU", "352", '\0'}, {"MX", "52", '\0'},  {"NL", "31", '0'},
    {"NO", "47", '\0'}, {"NZ", "64", '0'},   {"PH", "63", '0'},   {"PL", "48", '\0'},
    {"PR", "1", '1'},   {"PT", "351", '\0'}, {"SE", "46", '0'},   {"SG", "65", '\0'},
    {"SM", "378", 'k'}, {"TR", "90", '0'},   {"TW", "886", '0'},  {"US", "1", '1'},
    {"VA", "39", 'k'},  {"ZA", "27", '0'}};

static char upper_ascii(char c)
{
    return c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
}

/* strcasecmp(dials[i].iso2, iso2) == 0 for the first i that has it: two letters, compared as
 * upper case (every iso2 of the table is two capitals; every event with a phone asks this). */
static const dial *dial_of(const char *iso2)
{
    if (!iso2 || !iso2[0] || !iso2[1] || iso2[2])
        return NULL;
    char c0 = upper_ascii(iso2[0]), c1 = upper_ascii(iso2[1]);
    for (size_t i = 0; i < sizeof dials / sizeof dials[0]; i++)
        if (dials[i].iso2[0] == c0 && dials[i].iso2[1] == c1)
            return &dials[i];
    return NULL;
}

int pw_gw_country_known(const char *iso2)
{
    return iso2 && strlen(iso2) == 2 && dial_of(iso2) != NULL;
}

/* The number part of a phone value: up to an extension ("ext. 12", "x12", "#12", ";ext=12",
 * ", 12"), which Meta's number does not hold. */
static size_t before_extension(const char *v, size_t n)
{
    int digits = 0;
    for (size_t i = 0; i < n; i++) {
        char c = (char)tolower((unsigned char)v[i]);
        digits |= isdigit((unsigned char)c) != 0;
        if (digits && (c == 'x' || c == '#' || c == ';' || c == ',' ||
                       (c == 'e' && i + 2 < n && strncasecmp(v + i, "ext", 3) == 0)))
            return i;
    }
    return n;
}

/* Meta wants the number with its country calling code, digits only. "+44 20 7946 0958" is
 * 442079460958; a national number is read in the policy's default_country: "020 7946 0958"
 * with GB drops the trunk 0 (442079460958), "(555) 123-4567" with US prepends 1. */
static const char *norm_phone(pw_arena *a, const char *v, size_t n, const char *country)
{
    n = before_extension(v, n);
    while (n && isspace((unsigned char)*v))
        v++, n--;
    int plus = n && v[0] == '+';
    char *d = keep_only(a, v, n, is_digit_c);
    const dial *dl = dial_of(country ? country : "US");
    if (!d || !dl)
        return NULL;
    const char *intl = dl->trunk == '1' ? "011" : "00";
    if (!plus && strncmp(d, intl, strlen(intl)) == 0) {
        d += strlen(intl);
        plus = 1;
    }
    size_t len = strlen(d);
    if (!plus && dl->trunk == '1' && len == 11 && d[0] == '1') /* 1 555 123 4567 */
        plus = 1;
    if (!plus) {
        if (dl->trunk == '0' && d[0] == '0')
            d++;
        else if (dl->trunk == '1' && len != 10)
            return NULL; /* a NANP number is 10 digits */
        size_t cc = strlen(dl->cc), rest = strlen(d);
        char *joined = pw_arena_alloc(a, cc + rest + 1);
        if (!joined)
            return NULL;
        memcpy(joined, dl->cc, cc);
        memcpy(joined + cc, d, rest + 1);
        d = joined;
    }
    len = strlen(d);
    return len >= 7 && len <= 15 && d[0] != '0' ? d : NULL;
}

static const char *norm_gender(const char *v, size_t n)
{
    while (n && isspace((unsigned char)*v))
        v++, n--;
    if (!n)
        return NULL;
    int c = tolower((unsigned char)v[0]);
    return c == 'f' ? "f" : c == 'm' ? "m" : NULL;
}

/* The code of a place name in a sorted table, or NULL. */
static const char *place_code(const pw_gw_place *t, size_t n, const char *name)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(t[mid].name, name);
        if (c == 0)
            return t[mid].code;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

const char *pw_gw_meta_normalize_in(pw_arena *a, const char *key, const char *v, size_t n,
                                    const char *country)
{
    if (strcmp(key, "em") == 0) {
        char *s = pw_lower_dup(a, v, n, 1);
        return s && s[0] && strchr(s, '@') ? s : NULL;
    }
    if (strcmp(key, "ph") == 0)
        return norm_phone(a, v, n, country);
    if (strcmp(key, "db") == 0)
        return norm_date(a, v, n);
    if (strcmp(key, "ge") == 0)
        return norm_gender(v, n);
    if (strcmp(key, "zp") == 0) {
        char *s = keep_only(a, v, n, is_alnum_c);
        if (s && strlen(s) >= 5 && isdigit((unsigned char)s[0]) && isdigit((unsigned char)s[4]))
            s[5] = '\0'; /* US: the first five digits */
        return s;
    }
    if (strcmp(key, "ct") == 0 || strcmp(key, "fn") == 0 || strcmp(key, "ln") == 0)
        return keep_only(a, v, n, is_alpha_c);
    if (strcmp(key, "st") == 0 || strcmp(key, "country") == 0) {
        /* Meta takes codes: a US state's two letters, a country's ISO 3166-1 alpha-2. */
        char *s = keep_only(a, v, n, is_alpha_c);
        const char *code = !s || strlen(s) <= 2 ? NULL
                           : key[0] == 's'      ? place_code(pw_gw_us_states, pw_gw_us_states_n, s)
                                                : place_code(pw_gw_countries, pw_gw_countries_n, s);
        return code ? code : s;
    }
    return NULL;
}

const char *pw_gw_meta_normalize(pw_arena *a, const char *key, const char *v, size_t n)
{
    return pw_gw_meta_normalize_in(a, key, v, n, "US");
}

const char *pw_gw_meta_hash_in(pw_arena *a, const char *key, const char *v, size_t n,
                               const char *country)
{
    while (n && isspace((unsigned char)*v))
        v++, n--;
    while (n && isspace((unsigned char)v[n - 1]))
        n--;
    if (pw_is_sha256_hex(v, n))
        return pw_lower_dup(a, v, n, 0);
    const char *norm = pw_gw_meta_normalize_in(a, key, v, n, country);
    if (!norm)
        return NULL;
    char *out = pw_arena_alloc(a, 65);
    if (out)
        pw_gw_sha256_hex(norm, strlen(norm), out);
    return out;
}

const char *pw_gw_meta_hash(pw_arena *a, const char *key, const char *v, size_t n)
{
    return pw_gw_meta_hash_in(a, key, v, n, "US");
}

const char *pw_gw_ip_truncate(pw_arena *a, const char *ip)
{
    unsigned char b[16];
    char out[INET6_ADDRSTRLEN];
    if (!ip)
        return NULL;
    if (inet_pton(AF_INET, ip, b) == 1) {
        b[3] = 0;
        return inet_ntop(AF_INET, b, out, sizeof out) ? pw_arena_strdup(a, out) : NULL;
    }
    if (inet_pton(AF_INET6, ip, b) == 1) {
        /* An IPv4 client of a dual-stack listener is ::ffff:a.b.c.d: its /24, as for IPv4
         * (the /48 would be "::", an address of no one). */
        static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
        if (memcmp(b, mapped, sizeof mapped) == 0) {
            b[15] = 0;
            return inet_ntop(AF_INET, b + 12, out, sizeof out) ? pw_arena_strdup(a, out) : NULL;
        }
        /* 6to4 (2002::/16) holds the client's whole IPv4 address in bits 16-47, which a /48
         * keeps: its /24 instead (2002:aabb:cc00::). */
        size_t keep = b[0] == 0x20 && b[1] == 0x02 ? 5 : 6;
        memset(b + keep, 0, 16 - keep);
        return inet_ntop(AF_INET6, b, out, sizeof out) ? pw_arena_strdup(a, out) : NULL;
    }
    return NULL;
}

int pw_gw_glob_match(const char *g, const char *s, size_t n)
{
    const char *star = NULL;
    size_t i = 0, mark = 0;
    while (i < n) {
        if (*g == '*') {
            star = ++g;
            mark = i;
            continue;
        }
        if (*g && (*g == '?' || *g == s[i])) {
            g++;
            i++;
            continue;
        }
        if (!star)
            return 0;
        g = star;
        i = ++mark;
    }
    while (*g == '*')
        g++;
    return *g == '\0';
}
