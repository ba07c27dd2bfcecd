/*
 * context_pairs.h — (internal to detect) more last-two-letter tables for pw_ctx_before_may
 * (context.c), beside the phone and record-id ones internal.h declares (engine-text8).
 */
#ifndef PHIWALL_DETECT_CONTEXT_PAIRS_H
#define PHIWALL_DETECT_CONTEXT_PAIRS_H

#include <stdint.h>

#include "detect/internal.h"

/* A ZIP code's context ("zip", "postal code"): try_zip asks the look-back only when it may be. */
#define PW_CTX_WANT_ZIP ((uint64_t)1 << PW_CTX_ZIP)
extern const uint32_t pw_ctx_pairs_zip[26];
/* The table as the word tables give it; pw_ctx_pairs_zip_ok: it equals pw_ctx_pairs_zip. */
void pw_ctx_pairs_zip_build(uint32_t zip[26]);
int pw_ctx_pairs_zip_ok(void);

#endif
