/*
 * text.h — small text transforms shared by every stage: percent-decoding, base64, hex, ASCII
 * case folding, and the hash digests used for canary matching and for the gateway's hashing
 * (MD5, SHA-1, SHA-256, HMAC-SHA256, via Debian's libcrypto).
 *
 * Functions that produce text write into a caller's arena or buffer and never allocate globally.
 */
#ifndef PHIWALL_TEXT_H
#define PHIWALL_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "phiwall/arena.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * SipHash-2-4 of n bytes at s under the 128-bit key (key[0] the low 8 bytes, little-endian): a
 * keyed 64-bit hash for tables whose keys others choose (the gateway's event_id index and rate
 * limiter, the baseline comparison's page lookup), keyed with random bytes so that no client or
 * crawled site can pick values that collide.
 */
uint64_t pw_siphash(const uint64_t key[2], const void *s, size_t n);

/*
 * Percent-decode one layer. `plus_is_space` decodes '+' as ' ' (form encoding). Invalid escapes
 * are kept literally, as browsers do. Output is NUL-terminated; *out_len excludes the NUL.
 * Returns NULL only on allocation failure.
 */
char *pw_pct_decode(pw_arena *a, const char *s, size_t n, int plus_is_space, size_t *out_len);

/* Percent-encode everything but unreserved characters (RFC 3986). */
char *pw_pct_encode(pw_arena *a, const char *s, size_t n);

/* Standard base64 with padding; decode also accepts URL-safe alphabet and missing padding.
 * Decode returns NULL on invalid input. */
char *pw_base64_encode(pw_arena *a, const void *p, size_t n);
unsigned char *pw_base64_decode(pw_arena *a, const char *s, size_t n, size_t *out_len);

/* The value of the hexadecimal digit c (either case), -1 for any other byte. */
static inline int pw_hex_value(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c |= 0x20;
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Lower-case hex of n bytes into out (2n+1 bytes). */
void pw_hex(const unsigned char *p, size_t n, char *out);

/* Digests as lower-case hex, NUL-terminated: out must hold 33 / 41 / 65 bytes. */
void pw_md5_hex(const void *p, size_t n, char out[33]);
void pw_sha1_hex(const void *p, size_t n, char out[41]);
void pw_sha256_hex(const void *p, size_t n, char out[65]);
void pw_hmac_sha256_hex(const void *key, size_t key_len, const void *p, size_t n, char out[65]);

/* 1 if s is exactly 64 hex digits (an already-hashed value). */
int pw_is_sha256_hex(const char *s, size_t n);

/* ASCII lower-case copy; trims ASCII white space at both ends when `trim`. */
char *pw_lower_dup(pw_arena *a, const char *s, size_t n, int trim);

/* Case-insensitive ASCII compare helpers. */
int pw_strncaseeq(const char *a, const char *b, size_t n);
const char *pw_strcasestr_n(const char *hay, size_t hay_len, const char *needle);
/* strcasestr(3) in the C locale (ASCII letters fold), without glibc's per-call setup for a
 * long needle: the rules search short keys for short words thousands of times per page. */
const char *pw_strcasestr(const char *hay, const char *needle);

#ifdef __cplusplus
}
#endif
#endif
