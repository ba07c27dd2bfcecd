/*
 * siphash.c — SipHash-2-4, written from its specification (Aumasson and Bernstein, 2012):
 * two compression rounds per 8-byte little-endian word, the length in the last word's top byte,
 * four finalisation rounds. The one keyed hash of the code base (text.h says who uses it).
 */
#include <string.h>

#include "phiwall/text.h"

static uint64_t rotl(uint64_t x, int b)
{
    return (x << b) | (x >> (64 - b));
}

/* Inlined, with the state in registers: as a call on an array in memory it was ~70% of a
 * short key's hash. */
static inline __attribute__((always_inline)) void sip_round(uint64_t v[4])
{
    v[0] += v[1];
    v[1] = rotl(v[1], 13) ^ v[0];
    v[0] = rotl(v[0], 32);
    v[2] += v[3];
    v[3] = rotl(v[3], 16) ^ v[2];
    v[0] += v[3];
    v[3] = rotl(v[3], 21) ^ v[0];
    v[2] += v[1];
    v[1] = rotl(v[1], 17) ^ v[2];
    v[2] = rotl(v[2], 32);
}

static inline __attribute__((always_inline)) void sip_block(uint64_t v[4], uint64_t m)
{
    v[3] ^= m;
    sip_round(v);
    sip_round(v);
    v[0] ^= m;
}

/* The last n < 8 bytes, little-endian. */
static uint64_t load_le(const unsigned char *p, size_t n)
{
    uint64_t m = 0;
    for (size_t i = 0; i < n; i++)
        m |= (uint64_t)p[i] << (8 * i);
    return m;
}

/* A whole word, little-endian: one load on a little-endian machine (the byte loop above took
 * ~30 instructions a word, most of an event_id's hash). */
static uint64_t load_le8(const unsigned char *p)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    uint64_t m;
    memcpy(&m, p, 8);
    return m;
#else
    return load_le(p, 8);
#endif
}

uint64_t pw_siphash(const uint64_t key[2], const void *s, size_t n)
{
    uint64_t v[4] = {key[0] ^ 0x736f6d6570736575ull, key[1] ^ 0x646f72616e646f6dull,
                     key[0] ^ 0x6c7967656e657261ull, key[1] ^ 0x7465646279746573ull};
    static const unsigned char none[1];
    const unsigned char *p =
        n ? s : none; /* (NULL, 0): no offset is ever added to a null pointer */
    size_t whole = n - n % 8;
    for (size_t i = 0; i < whole; i += 8)
        sip_block(v, load_le8(p + i));
    sip_block(v, load_le(p + whole, n % 8) | ((uint64_t)n << 56));
    v[2] ^= 0xff;
    for (int i = 0; i < 4; i++)
        sip_round(v);
    return v[0] ^ v[1] ^ v[2] ^ v[3];
}
