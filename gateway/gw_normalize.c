/*
 * gw_normalize.c — the reductions the policy applies to identifying values: Meta's user_data
 * normalisation + SHA-256 (https://developers.facebook.com/docs/marketing-api/conversions-api/
 * parameters/customer-information-parameters), client IP truncation (/24, /48) and the path
 * globs that map pages to categories.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <string.h>

#include "gw_digest.h"
#include "gw_policy.h"
#include "phiwall/text.h"

static char *keep_only(pw_arena *a, const char *v, size_t n, int (*keep)(int))
{
    char *out = pw_arena_alloc(a, n + 1);
    if (!out)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)v[i];
        if (ch >= 0x80 || keep(ch)) /* UTF-8 letters are kept as they are */
            out[k++] = (char)(ch < 0x80 ? tolower(ch) : ch);
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

static const char *norm_phone(pw_arena *a, const char *v, size_t n)
{
    char *d = keep_only(a, v, n, is_digit_c);
    if (!d)
        return NULL;
    while (d[0] == '0')
        d++;
    size_t len = strlen(d);
    if (len == 10) { /* North American number without country code: Meta wants it with */
        char *with = pw_arena_alloc(a, 12);
        if (with) {
            with[0] = '1';
            memcpy(with + 1, d, 11);
        }
        return with;
    }
    return len >= 7 && len <= 15 ? d : NULL;
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

const char *pw_gw_meta_normalize(pw_arena *a, const char *key, const char *v, size_t n)
{
    if (strcmp(key, "em") == 0) {
        char *s = pw_lower_dup(a, v, n, 1);
        return s && s[0] && strchr(s, '@') ? s : NULL;
    }
    if (strcmp(key, "ph") == 0)
        return norm_phone(a, v, n);
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
    if (strcmp(key, "st") == 0 || strcmp(key, "country") == 0 || strcmp(key, "ct") == 0 ||
        strcmp(key, "fn") == 0 || strcmp(key, "ln") == 0)
        return keep_only(a, v, n, is_alpha_c);
    return NULL;
}

const char *pw_gw_meta_hash(pw_arena *a, const char *key, const char *v, size_t n)
{
    while (n && isspace((unsigned char)*v))
        v++, n--;
    while (n && isspace((unsigned char)v[n - 1]))
        n--;
    if (pw_is_sha256_hex(v, n))
        return pw_lower_dup(a, v, n, 0);
    const char *norm = pw_gw_meta_normalize(a, key, v, n);
    if (!norm)
        return NULL;
    char *out = pw_arena_alloc(a, 65);
    if (out)
        pw_gw_sha256_hex(norm, strlen(norm), out);
    return out;
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
