/*
 * gw_sha256.h — a reusable SHA-256 hasher for the delivery side's per-record hashes (the audit
 * chain, each sent item's payload_sha256). pw_sha256_hex (src/util) sets up a digest context and
 * fetches the algorithm on every call, which costs more than hashing a 500-byte record; this one
 * fetches once and hashes scattered parts without copying them together. Not thread-safe: one
 * hasher per thread, or under the owner's lock. Internal to gateway/.
 */
#ifndef PHIWALL_GW_SHA256_H
#define PHIWALL_GW_SHA256_H

#include <stddef.h>

typedef struct pw_gw_sha256 pw_gw_sha256;

/* NULL when out of memory or the algorithm is unavailable: callers fall back to pw_sha256_hex. */
pw_gw_sha256 *pw_gw_sha256_new(void);
void pw_gw_sha256_free(pw_gw_sha256 *h);

/* SHA-256 of a || b (b may be NULL with nb 0) as 64 lowercase hex chars + NUL. Uses
 * pw_sha256_hex when h is NULL. out is "" if the digest failed. */
void pw_gw_sha256_hex2(pw_gw_sha256 *h, const void *a, size_t na, const void *b, size_t nb,
                       char out[65]);

#endif
