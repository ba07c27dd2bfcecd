/*
 * forward_scrub.c — keeping a destination's secrets out of what is stored, audited and logged
 * about an upstream answer. An upstream error may echo the access token, and not only as it
 * was sent: percent-encoded (%2B, %2F, %3D in either hex case, for a base64-ish token),
 * JSON-escaped (\/ or \u002f) or cut short, by the upstream ("EAAB…") or by our own bounded
 * copies (a Graph message is kept to 159 bytes; a Meta token is ~200). So the text is compared
 * with the secret one unit at a time, each escape read as the character it stands for, and every
 * run of PW_FW_SCRUB_MIN_RUN or more consecutive characters of the secret (the whole secret when
 * it is shorter) becomes "[redacted]". A run of fewer characters stays: 11 characters of a long
 * token do not authenticate, and a shorter rule would redact ordinary words.
 */
#include <string.h>

#include "forward_internal.h"
#include "phiwall/text.h"

static const char marker[] = "[redacted]";

/* The character the escape at s stands for (%XX, \/, \\, \", \uXXXX below 0x80) with its length
 * in *len; -1 when s does not start an escape. */
static int escape_at(const char *s, size_t *len)
{
    if (s[0] == '%' && pw_hex_value(s[1]) >= 0 && pw_hex_value(s[2]) >= 0) {
        *len = 3;
        return pw_hex_value(s[1]) * 16 + pw_hex_value(s[2]);
    }
    if (s[0] != '\\')
        return -1;
    if (s[1] == '/' || s[1] == '\\' || s[1] == '"') {
        *len = 2;
        return (unsigned char)s[1];
    }
    if (s[1] == 'u' && s[2] == '0' && s[3] == '0' && pw_hex_value(s[4]) >= 0 &&
        pw_hex_value(s[4]) < 8 && pw_hex_value(s[5]) >= 0) {
        *len = 6;
        return pw_hex_value(s[4]) * 16 + pw_hex_value(s[5]);
    }
    return -1;
}

/* Bytes of s matching k from its start, unit by unit; *chars gets how many of k's characters. */
static size_t match_run(const char *s, const char *k, size_t *chars)
{
    size_t p = 0, j = 0;
    for (; s[p] && k[j]; j++) {
        size_t len = 1;
        int c = escape_at(s + p, &len);
        if (c != (unsigned char)k[j]) {
            if (s[p] != k[j])
                break;
            len = 1; /* the secret itself holds '%' or '\\' */
        }
        p += len;
    }
    *chars = j;
    return p;
}

/* Replace s[at, at+span) by the marker, bounded by cap (the tail is cut, never overrun). */
static size_t put_marker(char *s, size_t cap, size_t at, size_t span)
{
    size_t len = strlen(s), mlen = sizeof marker - 1;
    if (mlen > cap - 1 - at)
        mlen = cap - 1 - at;
    size_t tail = len - at - span;
    if (tail > cap - 1 - at - mlen)
        tail = cap - 1 - at - mlen;
    memmove(s + at + mlen, s + at + span, tail);
    memcpy(s + at, marker, mlen);
    s[at + mlen + tail] = '\0';
    return mlen;
}

/* Positions of each character in the secret: first[c], then next[j] (-1 ends), so that each
 * place of the text is compared only where the secret has its character (a 200-character token
 * over a 384-byte detail: ~550k instructions when every place tried every position). */
typedef struct secret_index {
    int first[256];
    int next[PW_FW_SCRUB_MAX_SECRET];
} secret_index;

static void index_secret(secret_index *x, const char *k, size_t klen)
{
    for (int c = 0; c < 256; c++)
        x->first[c] = -1;
    for (size_t j = klen; j-- > 0;) {
        unsigned char c = (unsigned char)k[j];
        x->next[j] = x->first[c];
        x->first[c] = (int)j;
    }
}

/* The longest run (in bytes of s) of at least need characters of k starting at s, from the
 * positions of k holding character c. */
static size_t best_run(const secret_index *x, int c, const char *s, const char *k, size_t klen,
                       size_t need)
{
    size_t best = 0;
    for (int j = c >= 0 ? x->first[c] : -1; j >= 0; j = x->next[j]) {
        if ((size_t)j + need > klen)
            break;
        size_t chars, bytes = match_run(s, k + j, &chars);
        if (chars >= need && bytes > best)
            best = bytes;
    }
    return best;
}

size_t pw_fw_scrub_secret(char *s, size_t cap, const char *secret)
{
    size_t klen = secret ? strlen(secret) : 0;
    if (klen < 4 || cap == 0)
        return 0; /* unset, or too short to tell from ordinary text */
    if (klen > PW_FW_SCRUB_MAX_SECRET)
        klen = PW_FW_SCRUB_MAX_SECRET; /* its first 4096 characters still find every echo */
    secret_index x;
    index_secret(&x, secret, klen);
    size_t need = klen < PW_FW_SCRUB_MIN_RUN ? klen : PW_FW_SCRUB_MIN_RUN, n = 0;
    for (size_t i = 0; s[i];) {
        size_t len = 1;
        int c = escape_at(s + i, &len);
        size_t best = best_run(&x, c, s + i, secret, klen, need);
        size_t raw = c == (unsigned char)s[i]
                         ? 0
                         : best_run(&x, (unsigned char)s[i], s + i, secret, klen, need);
        if (raw > best)
            best = raw;
        if (!best) {
            i++;
            continue;
        }
        i += put_marker(s, cap, i, best);
        n++;
    }
    return n;
}
