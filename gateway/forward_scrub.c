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

static const char marker[] = "[redacted]";

static int hex_val(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* The character the escape at s stands for (%XX, \/, \\, \", \uXXXX below 0x80) with its length
 * in *len; -1 when s does not start an escape. */
static int escape_at(const char *s, size_t *len)
{
    if (s[0] == '%' && hex_val(s[1]) >= 0 && hex_val(s[2]) >= 0) {
        *len = 3;
        return hex_val(s[1]) * 16 + hex_val(s[2]);
    }
    if (s[0] != '\\')
        return -1;
    if (s[1] == '/' || s[1] == '\\' || s[1] == '"') {
        *len = 2;
        return (unsigned char)s[1];
    }
    if (s[1] == 'u' && s[2] == '0' && s[3] == '0' && hex_val(s[4]) >= 0 && hex_val(s[4]) < 8 &&
        hex_val(s[5]) >= 0) {
        *len = 6;
        return hex_val(s[4]) * 16 + hex_val(s[5]);
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

size_t pw_fw_scrub_secret(char *s, size_t cap, const char *secret)
{
    size_t klen = secret ? strlen(secret) : 0;
    if (klen < 4 || cap == 0)
        return 0; /* unset, or too short to tell from ordinary text */
    size_t need = klen < PW_FW_SCRUB_MIN_RUN ? klen : PW_FW_SCRUB_MIN_RUN, n = 0;
    for (size_t i = 0; s[i];) {
        size_t best = 0;
        for (size_t j = 0; j + need <= klen; j++) {
            size_t chars, bytes = match_run(s + i, secret + j, &chars);
            if (chars >= need && bytes > best)
                best = bytes;
        }
        if (!best) {
            i++;
            continue;
        }
        i += put_marker(s, cap, i, best);
        n++;
    }
    return n;
}
