/*
 * test_siphash.c — pw_siphash is SipHash-2-4: the reference vectors (key 00..0f, message
 * 00 01 02 … of each length) and a byte-at-a-time implementation of the specification, on
 * every length from 0 to 200 at every alignment, with random keys. Its whole words are read
 * with one load each: the same function, checked here.
 */
#include <stdint.h>
#include <string.h>

#include "phiwall/text.h"
#include "pw_test.h"

static unsigned long long rng_state = 0x2545F4914F6CDD1DULL;

static unsigned long long rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

#define ROTL(x, b) (((x) << (b)) | ((x) >> (64 - (b))))

static void round_ref(uint64_t *v0, uint64_t *v1, uint64_t *v2, uint64_t *v3)
{
    *v0 += *v1;
    *v1 = ROTL(*v1, 13) ^ *v0;
    *v0 = ROTL(*v0, 32);
    *v2 += *v3;
    *v3 = ROTL(*v3, 16) ^ *v2;
    *v0 += *v3;
    *v3 = ROTL(*v3, 21) ^ *v0;
    *v2 += *v1;
    *v1 = ROTL(*v1, 17) ^ *v2;
    *v2 = ROTL(*v2, 32);
}

/* The specification, a byte at a time: m_i little-endian words, then the length byte. */
static uint64_t siphash_ref(const uint64_t key[2], const unsigned char *m, size_t n)
{
    uint64_t v0 = key[0] ^ 0x736f6d6570736575ull, v1 = key[1] ^ 0x646f72616e646f6dull,
             v2 = key[0] ^ 0x6c7967656e657261ull, v3 = key[1] ^ 0x7465646279746573ull;
    for (size_t w = 0; w <= n / 8; w++) {
        uint64_t mi = 0;
        for (size_t i = 0; i < 8; i++) {
            size_t at = 8 * w + i;
            if (at < n - n % 8 || (w == n / 8 && i < n % 8))
                mi |= (uint64_t)m[at] << (8 * i);
        }
        if (w == n / 8)
            mi |= (uint64_t)(n & 0xff) << 56;
        v3 ^= mi;
        round_ref(&v0, &v1, &v2, &v3);
        round_ref(&v0, &v1, &v2, &v3);
        v0 ^= mi;
    }
    v2 ^= 0xff;
    for (int i = 0; i < 4; i++)
        round_ref(&v0, &v1, &v2, &v3);
    return v0 ^ v1 ^ v2 ^ v3;
}

static void test_reference_vectors(void)
{
    /* key bytes 00..0f read little-endian; the message 00 01 02 … of the given length */
    const uint64_t key[2] = {0x0706050403020100ull, 0x0f0e0d0c0b0a0908ull};
    unsigned char m[64];
    for (int i = 0; i < 64; i++)
        m[i] = (unsigned char)i;
    CHECK(pw_siphash(key, m, 0) == 0x726fdb47dd0e0e31ull);
    CHECK(pw_siphash(key, NULL, 0) ==
          0x726fdb47dd0e0e31ull); /* no null-pointer arithmetic (UBSan) */
    CHECK(pw_siphash(key, m, 1) == 0x74f839c593dc67fdull);
    CHECK(pw_siphash(key, m, 15) == 0xa129ca6149be45e5ull); /* the paper's example */
    for (size_t n = 0; n < 64; n++)
        CHECK(pw_siphash(key, m, n) == siphash_ref(key, m, n));
}

static void test_every_length_and_alignment(void)
{
    unsigned char buf[216];
    int bad = 0;
    for (int round = 0; round < 20; round++) {
        uint64_t key[2] = {rnd(), rnd()};
        for (size_t i = 0; i < sizeof buf; i++)
            buf[i] = (unsigned char)rnd();
        for (size_t n = 0; n <= 200; n++)
            for (size_t off = 0; off < 8; off++)
                bad += pw_siphash(key, buf + off, n) != siphash_ref(key, buf + off, n);
    }
    CHECK_INT(bad, 0);
}

PW_TEST_MAIN(PW_TEST(test_reference_vectors), PW_TEST(test_every_length_and_alignment))
