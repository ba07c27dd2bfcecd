/* text.c — percent/base64/hex transforms, case helpers and digests (libcrypto). */
#include "phiwall/text.h"

#include <ctype.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

char *pw_pct_decode(pw_arena *a, const char *s, size_t n, int plus_is_space, size_t *out_len)
{
    char *out = pw_arena_alloc(a, n + 1);
    if (!out)
        return NULL;
    size_t j = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '%' && i + 2 < n) {
            int hi = pw_hex_value((unsigned char)s[i + 1]);
            int lo = pw_hex_value((unsigned char)s[i + 2]);
            if (hi >= 0 && lo >= 0) {
                out[j++] = (char)(hi << 4 | lo);
                i += 2;
                continue;
            }
        }
        out[j++] = (plus_is_space && c == '+') ? ' ' : c;
    }
    out[j] = '\0';
    if (out_len)
        *out_len = j;
    return out;
}

char *pw_pct_encode(pw_arena *a, const char *s, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    if (n > (SIZE_MAX - 1) / 3)
        return NULL;
    char *out = pw_arena_alloc(a, n * 3 + 1);
    if (!out)
        return NULL;
    size_t j = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
            out[j++] = (char)c;
        } else {
            out[j++] = '%';
            out[j++] = hex[c >> 4];
            out[j++] = hex[c & 15];
        }
    }
    out[j] = '\0';
    return out;
}

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

char *pw_base64_encode(pw_arena *a, const void *p, size_t n)
{
    const unsigned char *s = p;
    if (n > (SIZE_MAX - 5) / 4 * 3)
        return NULL;
    char *out = pw_arena_alloc(a, (n + 2) / 3 * 4 + 1);
    if (!out)
        return NULL;
    size_t j = 0, i = 0;
    for (; i + 2 < n; i += 3) {
        unsigned v = (unsigned)s[i] << 16 | (unsigned)s[i + 1] << 8 | s[i + 2];
        out[j++] = b64[v >> 18 & 63];
        out[j++] = b64[v >> 12 & 63];
        out[j++] = b64[v >> 6 & 63];
        out[j++] = b64[v & 63];
    }
    if (i < n) {
        unsigned v = (unsigned)s[i] << 16 | (i + 1 < n ? (unsigned)s[i + 1] << 8 : 0);
        out[j++] = b64[v >> 18 & 63];
        out[j++] = b64[v >> 12 & 63];
        out[j++] = i + 1 < n ? b64[v >> 6 & 63] : '=';
        out[j++] = '=';
    }
    out[j] = '\0';
    return out;
}

static int b64val(int c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+' || c == '-')
        return 62;
    if (c == '/' || c == '_')
        return 63;
    return -1;
}

unsigned char *pw_base64_decode(pw_arena *a, const char *s, size_t n, size_t *out_len)
{
    while (n && (s[n - 1] == '=' || isspace((unsigned char)s[n - 1])))
        n--;
    unsigned char *out = pw_arena_alloc(a, n / 4 * 3 + 3 + 1);
    if (!out)
        return NULL;
    size_t j = 0;
    unsigned acc = 0;
    int bits = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\r' || c == '\n')
            continue;
        int v = b64val(c);
        if (v < 0)
            return NULL;
        acc = (acc << 6) | (unsigned)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[j++] = (unsigned char)(acc >> bits & 0xff);
        }
    }
    out[j] = '\0';
    if (out_len)
        *out_len = j;
    return out;
}

/* The two hex digits of each byte value: a digest's hex is one two-byte copy per byte (the
 * gateway hexes every user_data value, fpid and client_id of every event; canaries hash too). */
static const char hex_pairs[513] =
    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
    "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f"
    "404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f"
    "606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f"
    "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f"
    "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf"
    "c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedf"
    "e0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff";

void pw_hex(const unsigned char *p, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        memcpy(out + 2 * i, hex_pairs + 2 * p[i], 2);
    out[2 * n] = '\0';
}

static void digest_hex(const EVP_MD *md, const void *p, size_t n, char *out)
{
    unsigned char d[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (!EVP_Digest(p, n, d, &len, md, NULL)) {
        out[0] = '\0';
        return;
    }
    pw_hex(d, len, out);
}

void pw_md5_hex(const void *p, size_t n, char out[33])
{
    digest_hex(EVP_md5(), p, n, out);
}

void pw_sha1_hex(const void *p, size_t n, char out[41])
{
    digest_hex(EVP_sha1(), p, n, out);
}

void pw_sha256_hex(const void *p, size_t n, char out[65])
{
    digest_hex(EVP_sha256(), p, n, out);
}

void pw_hmac_sha256_hex(const void *key, size_t key_len, const void *p, size_t n, char out[65])
{
    unsigned char d[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (!HMAC(EVP_sha256(), key, (int)key_len, p, n, d, &len)) {
        out[0] = '\0';
        return;
    }
    pw_hex(d, len, out);
}

/* Hex digits of either case: 1. A table and no early exit, because the gateway asks this of
 * every hashed user_data value and field-list leaf (per-byte branches on random hex digits
 * mispredict about one byte in three). */
static const unsigned char is_hex_digit[256] = {
    ['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1, ['6'] = 1, ['7'] = 1,
    ['8'] = 1, ['9'] = 1, ['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1,
    ['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1};

int pw_is_sha256_hex(const char *s, size_t n)
{
    if (n != 64)
        return 0;
    unsigned ok = 1;
    for (size_t i = 0; i < 64; i++)
        ok &= is_hex_digit[(unsigned char)s[i]];
    return (int)ok;
}

char *pw_lower_dup(pw_arena *a, const char *s, size_t n, int trim)
{
    if (trim) {
        while (n && isspace((unsigned char)*s)) {
            s++;
            n--;
        }
        while (n && isspace((unsigned char)s[n - 1]))
            n--;
    }
    char *out = pw_arena_alloc(a, n + 1);
    if (!out)
        return NULL;
    for (size_t i = 0; i < n; i++)
        out[i] = (char)tolower((unsigned char)s[i]);
    out[n] = '\0';
    return out;
}

int pw_strncaseeq(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (tolower((unsigned char)a[i]) != tolower((unsigned char)b[i]))
            return 0;
        if (!a[i])
            return 1;
    }
    return 1;
}

const char *pw_strcasestr_n(const char *hay, size_t hay_len, const char *needle)
{
    size_t m = strlen(needle);
    if (m == 0)
        return hay;
    for (size_t i = 0; i + m <= hay_len; i++)
        if (pw_strncaseeq(hay + i, needle, m))
            return hay + i;
    return NULL;
}

static unsigned char ascii_lower(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 'a' - 'A') : c;
}

const char *pw_strcasestr(const char *hay, const char *needle)
{
    unsigned char first = ascii_lower((unsigned char)needle[0]);
    if (!first)
        return hay;
    const unsigned char *rest = (const unsigned char *)needle + 1;
    for (const unsigned char *p = (const unsigned char *)hay; *p; p++) {
        if (ascii_lower(*p) != first)
            continue;
        size_t i = 0;
        while (rest[i] && ascii_lower(p[1 + i]) == ascii_lower(rest[i]))
            i++; /* a NUL in hay differs from every byte of rest: the loop stops there */
        if (!rest[i])
            return (const char *)p;
    }
    return NULL;
}
