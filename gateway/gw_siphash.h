/*
 * gw_siphash.h — SipHash-2-4 (written from its specification): a keyed 64-bit hash for the
 * gateway's tables that clients fill (the spool's event_id index, the rate limiter's slots), keyed
 * with random bytes so that no client can choose values that collide.
 */
#ifndef PW_GW_SIPHASH_H
#define PW_GW_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

/* SipHash-2-4 of n bytes at s under the 128-bit key (key[0] the low 8 bytes, little-endian). */
uint64_t pw_gw_siphash(const uint64_t key[2], const void *s, size_t n);

#endif
