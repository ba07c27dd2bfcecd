/*
 * gw_digest.c — allocation-free SHA-256 and HMAC-SHA256 (see gw_digest.h) on libcrypto's SHA-256
 * block functions. OpenSSL 3 marks SHA256_Init/Update/Final deprecated in favour of EVP, whose
 * contexts are heap objects with a provider lookup behind them: per event that costs more than
 * the hashing. These functions remain part of libcrypto 3's ABI, so the deprecation warning is
 * suppressed for this one file.
 */
#define OPENSSL_SUPPRESS_DEPRECATED
#include "gw_digest.h"

#include <openssl/crypto.h>
#include <openssl/sha.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#if defined(__SSE2__) && !defined(PW_NO_SSE2)
#include <emmintrin.h>
#endif

#include "phiwall/text.h"

_Static_assert(sizeof(SHA256_CTX) <= sizeof(((pw_gw_hmac *)0)->inner), "SHA256_CTX fits");

/* A digest's lower-case hex and its NUL: pw_hex's bytes, sixteen digest bytes at a time with
 * SSE2 (every x86-64 has it). Each event hexes four or five digests and each audit record one. */
static void hex_digest(const unsigned char d[SHA256_DIGEST_LENGTH], char out[65])
{
#if defined(__SSE2__) && !defined(PW_NO_SSE2)
    const __m128i low4 = _mm_set1_epi8(0x0f), nine = _mm_set1_epi8(9), zero = _mm_set1_epi8('0'),
                  letters = _mm_set1_epi8('a' - '0' - 10);
    for (int k = 0; k < SHA256_DIGEST_LENGTH; k += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(d + k));
        __m128i hi = _mm_and_si128(_mm_srli_epi16(v, 4), low4), lo = _mm_and_si128(v, low4);
        hi = _mm_add_epi8(_mm_add_epi8(hi, zero), _mm_and_si128(_mm_cmpgt_epi8(hi, nine), letters));
        lo = _mm_add_epi8(_mm_add_epi8(lo, zero), _mm_and_si128(_mm_cmpgt_epi8(lo, nine), letters));
        _mm_storeu_si128((__m128i *)(void *)(out + 2 * k), _mm_unpacklo_epi8(hi, lo));
        _mm_storeu_si128((__m128i *)(void *)(out + 2 * k + 16), _mm_unpackhi_epi8(hi, lo));
    }
    out[2 * SHA256_DIGEST_LENGTH] = '\0';
#else
    pw_hex(d, SHA256_DIGEST_LENGTH, out);
#endif
}

/* SHA256() itself goes through EVP (an algorithm fetch per call) in OpenSSL 3. */
static void sha256(const void *p, size_t n, unsigned char d[SHA256_DIGEST_LENGTH])
{
    SHA256_CTX c;
    SHA256_Init(&c);
    SHA256_Update(&c, p, n);
    SHA256_Final(d, &c);
}

/* The bytes a message's last block holds at most: the rest is the 0x80 and the bit length. */
#define LAST_MAX (SHA256_CBLOCK - 9)

/* The digest of a message whose blocks before its last are in c->h (prefix bytes in all, a
 * multiple of 64) and whose last n <= LAST_MAX bytes are p: the block SHA256_Final would pad
 * and hash, built here and hashed by the block function alone (no Update, Final or cleanse of
 * the whole context: the event's ids and user_data values are short). */
static void last_block(SHA256_CTX *c, size_t prefix, const void *p, size_t n,
                       unsigned char d[SHA256_DIGEST_LENGTH])
{
    unsigned char block[SHA256_CBLOCK] = {0};
    memcpy(block, p, n);
    block[n] = 0x80;
    uint64_t bits = (uint64_t)(prefix + n) * 8;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    uint64_t be = __builtin_bswap64(bits); /* big-endian, as SHA-256 writes its words */
    memcpy(block + LAST_MAX + 1, &be, 8);
    SHA256_Transform(c, block);
    for (int i = 0; i < 8; i++) {
        uint32_t w = __builtin_bswap32(c->h[i]);
        memcpy(d + 4 * i, &w, 4);
    }
#else
    for (int i = 0; i < 8; i++)
        block[LAST_MAX + 1 + i] = (unsigned char)(bits >> (56 - 8 * i));
    SHA256_Transform(c, block);
    for (int i = 0; i < 8; i++) {
        d[4 * i] = (unsigned char)(c->h[i] >> 24);
        d[4 * i + 1] = (unsigned char)(c->h[i] >> 16);
        d[4 * i + 2] = (unsigned char)(c->h[i] >> 8);
        d[4 * i + 3] = (unsigned char)c->h[i];
    }
#endif
    OPENSSL_cleanse(
        block, sizeof block); /* the message (a user_data value) off the stack, as Final does */
}

void pw_gw_sha256_hex(const void *p, size_t n, char out[65])
{
    if (n > LAST_MAX) {
        pw_gw_sha256_hex2(p, n, NULL, 0, out);
        return;
    }
    SHA256_CTX c;
    unsigned char d[SHA256_DIGEST_LENGTH];
    SHA256_Init(&c);
    last_block(&c, 0, p, n, d);
    hex_digest(d, out);
}

void pw_gw_sha256_hex2(const void *a, size_t na, const void *b, size_t nb, char out[65])
{
    SHA256_CTX c;
    unsigned char d[SHA256_DIGEST_LENGTH];
    SHA256_Init(&c);
    SHA256_Update(&c, a, na);
    if (nb)
        SHA256_Update(&c, b, nb);
    SHA256_Final(d, &c);
    hex_digest(d, out);
}

/* The state after one 64-byte block of key ^ pad. */
static void padded_state(SHA256_CTX *c, const unsigned char *key, size_t key_len, unsigned char pad)
{
    unsigned char block[SHA256_CBLOCK];
    memset(block, pad, sizeof block);
    for (size_t i = 0; i < key_len; i++)
        block[i] ^= key[i];
    SHA256_Init(c);
    SHA256_Update(c, block, sizeof block);
}

void pw_gw_hmac_init(pw_gw_hmac *h, const void *key, size_t key_len)
{
    unsigned char k[SHA256_DIGEST_LENGTH];
    if (key_len > SHA256_CBLOCK) { /* RFC 2104: a long key is hashed first */
        sha256(key, key_len, k);
        key = k;
        key_len = sizeof k;
    }
    SHA256_CTX in, out;
    padded_state(&in, key, key_len, 0x36);
    padded_state(&out, key, key_len, 0x5c);
    memcpy(h->inner, &in, sizeof in);
    memcpy(h->outer, &out, sizeof out);
}

void pw_gw_hmac_hex(const pw_gw_hmac *h, const void *p, size_t n, char out[65])
{
    SHA256_CTX c;
    unsigned char d[SHA256_DIGEST_LENGTH];
    if (n <= LAST_MAX) { /* both states are one 64-byte block in; the digest fits one block */
        memcpy(c.h, h->inner + offsetof(SHA256_CTX, h), sizeof c.h);
        last_block(&c, SHA256_CBLOCK, p, n, d);
        memcpy(c.h, h->outer + offsetof(SHA256_CTX, h), sizeof c.h);
        last_block(&c, SHA256_CBLOCK, d, sizeof d, d);
        hex_digest(d, out);
        return;
    }
    memcpy(&c, h->inner, sizeof c);
    SHA256_Update(&c, p, n);
    SHA256_Final(d, &c);
    memcpy(&c, h->outer, sizeof c);
    SHA256_Update(&c, d, sizeof d);
    SHA256_Final(d, &c);
    hex_digest(d, out);
}
