/*
 * gw_digest.h — SHA-256 and HMAC-SHA256 for the gateway, without allocation: Meta's hashed
 * user_data, the site-keyed HMAC of first-party ids, each sent payload's hash and the audit
 * chain are computed for every event, so the HMAC
 * key schedule (the inner and outer padded-key states) is set up once and reused for each message,
 * and no algorithm is looked up per call. Same results as pw_sha256_hex / pw_hmac_sha256_hex
 * (src/util), which stay the general-purpose versions. Internal to gateway/.
 */
#ifndef PHIWALL_GW_DIGEST_H
#define PHIWALL_GW_DIGEST_H

#include <stddef.h>

/* An HMAC-SHA256 key after its schedule: the SHA-256 states past the ipad and opad blocks. */
typedef struct pw_gw_hmac {
    unsigned char inner[128], outer[128]; /* opaque SHA-256 states (gw_digest.c) */
} pw_gw_hmac;

void pw_gw_sha256_hex(const void *p, size_t n, char out[65]);
/* SHA-256 of a || b without joining them (the audit chain: previous hash || record). */
void pw_gw_sha256_hex2(const void *a, size_t na, const void *b, size_t nb, char out[65]);
void pw_gw_hmac_init(pw_gw_hmac *h, const void *key, size_t key_len);
void pw_gw_hmac_hex(const pw_gw_hmac *h, const void *p, size_t n, char out[65]);

#endif
