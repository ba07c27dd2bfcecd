/*
 * ident_ip.c — IP addresses: dotted IPv4 (each octet 0–255, not glued to other digits or dots,
 * not a version string such as "v1.2.3.4", "1.2.3.4b" or "version 10.0.0.1") and IPv6 (validated
 * with inet_pton, at least two colons and a digit, so clock times and MAC addresses do not count).
 */
#include <arpa/inet.h>
#include <string.h>

#include "detect/internal.h"

static int ip_left_ok(const char *s, size_t i)
{
    if (i == 0)
        return 1;
    int c = (unsigned char)s[i - 1];
    if (pw_isalnum(c) || c == '.' || c == ':')
        return 0;
    if ((c == '/' || c == '-' || c == '_') && i >= 2 && pw_isalnum((unsigned char)s[i - 2]))
        return 0; /* Chrome/120.0.0.1, build-1.2.3.4 */
    /* A URL's host ("http://10.1.2.3/portal", "//[2001:db8::1]:8080/") is a server's address,
     * not the visitor's: a URL inside JSON or a decoded parameter is no IP identifier. */
    size_t host = i - (c == '['); /* an IPv6 host starts at its bracket */
    return !(host >= 2 && s[host - 1] == '/' && s[host - 2] == '/');
}

static size_t parse_v4(const char *s, size_t n, size_t i, char *out)
{
    size_t p = i;
    int big_octet = 0; /* some octet >= 10: "1.2.3.4b" is a version, "198.51.100.23h" an IP */
    for (int oct = 0; oct < 4; oct++) {
        size_t d = pw_digits_at(s, n, p);
        if (d == 0 || d > 3)
            return 0;
        int v = 0;
        for (size_t k = 0; k < d; k++)
            v = v * 10 + (s[p + k] - '0');
        if (v > 255 || (oct == 0 && v == 0))
            return 0;
        big_octet |= v >= 10;
        p += d;
        if (oct < 3) {
            if (p >= n || s[p] != '.')
                return 0;
            p++;
        }
    }
    /* Glued to more digits or a fifth octet it is something else (an OID, a longer number);
     * glued to letters ("198.51.100.231h", typed text) it is still the address. */
    if (p < n &&
        (pw_isdigit((unsigned char)s[p]) || (pw_isalpha((unsigned char)s[p]) && !big_octet) ||
         (s[p] == '.' && p + 1 < n && pw_isdigit((unsigned char)s[p + 1]))))
        return 0;
    memcpy(out, s + i, p - i);
    out[p - i] = '\0';
    return p;
}

static int is_hexc(int c)
{
    return pw_isdigit(c) || ((c | 32) >= 'a' && (c | 32) <= 'f');
}

static size_t parse_v6(const char *s, size_t n, size_t i, char *out, size_t cap)
{
    size_t p = i, colons = 0, digits = 0;
    while (p < n && (is_hexc((unsigned char)s[p]) || s[p] == ':' || s[p] == '.') &&
           p - i < cap - 1) {
        colons += s[p] == ':';
        digits += pw_isdigit((unsigned char)s[p]);
        p++;
    }
    while (p > i && s[p - 1] == '.')
        p--;
    if (colons < 2 || digits == 0 || (p < n && pw_isalnum((unsigned char)s[p])))
        return 0;
    memcpy(out, s + i, p - i);
    out[p - i] = '\0';
    unsigned char buf[16];
    return inet_pton(AF_INET6, out, buf) == 1 ? p : 0;
}

static void add_ip(pw_scan *sc, const pw_seg *g, size_t i, size_t end, const char *text)
{
    pw_ctx ctx = pw_ctx_at(g, i);
    if (ctx == PW_CTX_NEGATIVE || ctx == PW_CTX_TIME)
        return;
    int has_ctx = ctx == PW_CTX_IP;
    pw_scan_add(sc, g, i, end, PW_PHI_IP, strchr(text, ':') ? "ipv6" : "ipv4",
                pw_arena_strdup(sc->a, text), has_ctx ? 0.97f : 0.9f,
                has_ctx ? PW_REASON_CONTEXT : PW_REASON_PATTERN, "ip address");
}

/* pw_ident_ip for IPv4 only (no IPv6 possible) on a segment of at most 64 bytes with masks:
 * parse_v4 only at a candidate whose run of 1-3 digits is followed by a dot. */
static void ipv4_word(pw_scan *sc, const pw_seg *g, const pw_seg_masks *m)
{
    uint64_t d = pw_mask(m, PW_MK_DIGIT, 0), dot = pw_mask(m, PW_MK_DOT, 0);
    if (pw_popcount64(dot) < 3)
        return; /* an address has three dots */
    for (uint64_t cand = pw_cand_word(m, PW_CAND_IP4, 0); cand;) {
        size_t i = (size_t)__builtin_ctzll(cand);
        cand &= cand - 1;
        size_t run = pw_run_len(d, i);
        if (run > 3 || i + run >= 64 || !(dot >> (i + run) & 1) || !ip_left_ok(g->s, i))
            continue;
        char text[64];
        size_t end = parse_v4(g->s, g->n, i, text);
        if (!end)
            continue;
        add_ip(sc, g, i, end, text);
        cand &= end < 64 ? ~(uint64_t)0 << end : 0;
    }
}

/* Some run of the bytes parse_v6 reads (hex digits, ':' and '.') holds two colons, in a segment
 * of at most 64 bytes with masks: else no IPv6 address can start anywhere ("Patient name: Ana
 * Ruiz, DOB: 09/27/1972" has two colons, far apart). */
static int v6_possible(const pw_seg_masks *m)
{
    uint64_t c = pw_mask(m, PW_MK_COLON, 0);
    uint64_t x =
        pw_mask(m, PW_MK_DIGIT, 0) | pw_mask(m, PW_MK_HEX, 0) | c | pw_mask(m, PW_MK_DOT, 0);
    while (c & (c - 1)) {
        unsigned a = (unsigned)__builtin_ctzll(c);
        c &= c - 1;
        unsigned b = (unsigned)__builtin_ctzll(c);           /* the next colon */
        uint64_t span = (((uint64_t)2 << (b - a)) - 1) << a; /* bits a..b (2 << 63 wraps to 0) */
        if ((x & span) == span)
            return 1;
    }
    return 0;
}

void pw_ident_ip(pw_scan *sc, const pw_seg *g)
{
    const char *s = g->s;
    size_t n = g->n;
    if (g->sum && !(g->sum->cls & (PW_SUM_DOT | PW_SUM_COLON)))
        return; /* IPv4 needs dots, IPv6 colons */
    /* IPv6 needs two colons; without it only digits can start an address */
    int has_colon = g->sum && g->sum->masks ? g->sum->colons >= 2 : memchr(s, ':', n) != NULL;
    const pw_seg_masks *m = g->sum ? g->sum->masks : NULL;
    if (has_colon && m && m->words == 1 && !v6_possible(m))
        has_colon = 0; /* the IPv4 path: the same positions, parse_v4 the same */
    if (!has_colon && m && m->words == 1) {
        ipv4_word(sc, g, m);
        return;
    }
    pw_cand_kind k = has_colon ? PW_CAND_IP6 : PW_CAND_IP4;
    pw_cand_iter ci;
    for (size_t i = pw_cand_first(&ci, g, k); i < n; i = pw_cand_from(&ci, i + 1)) {
        int c = (unsigned char)s[i];
        if (!(is_hexc(c) || c == ':') || !ip_left_ok(s, i))
            continue;
        char text[64];
        size_t end = 0;
        if (pw_isdigit(c) && (end = parse_v4(s, n, i, text)) != 0) {
            add_ip(sc, g, i, end, text);
            i = end - 1;
            continue;
        }
        if (has_colon && (end = parse_v6(s, n, i, text, sizeof text)) != 0) {
            add_ip(sc, g, i, end, text);
            i = end - 1;
        }
    }
}
