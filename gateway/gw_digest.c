/*
 * gw_digest.c — allocation-free SHA-256 and HMAC-SHA256 (see gw_digest.h) on libcrypto's SHA-256
 * block functions. OpenSSL 3 marks SHA256_Init/Update/Final deprecated in favour of EVP, whose
 * contexts are heap objects with a provider lookup behind them: per event that costs more than
 * the hashing. These functions remain part of libcrypto 3's ABI, so the deprecation warning is
 * suppressed for this one file.
 */
#define OPENSSL_SUPPRESS_DEPRECATED
#include "gw_digest.h"

#include <openssl/sha.h>
#include <string.h>

#include "phiwall/text.h"

_Static_assert(sizeof(SHA256_CTX) <= sizeof(((pw_gw_hmac *)0)->inner), "SHA256_CTX fits");

/* SHA256() itself goes through EVP (an algorithm fetch per call) in OpenSSL 3. */
static void sha256(const void *p, size_t n, unsigned char d[SHA256_DIGEST_LENGTH])
{
    SHA256_CTX c;
    SHA256_Init(&c);
    SHA256_Update(&c, p, n);
    SHA256_Final(d, &c);
}

void pw_gw_sha256_hex(const void *p, size_t n, char out[65])
{
    pw_gw_sha256_hex2(p, n, NULL, 0, out);
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
    pw_hex(d, sizeof d, out);
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
    memcpy(&c, h->inner, sizeof c);
    SHA256_Update(&c, p, n);
    SHA256_Final(d, &c);
    memcpy(&c, h->outer, sizeof c);
    SHA256_Update(&c, d, sizeof d);
    SHA256_Final(d, &c);
    pw_hex(d, sizeof d, out);
}
