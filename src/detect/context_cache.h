/*
 * context_cache.h — the look-back's answers remembered by the text they read (context.c,
 * pw_ctx_before_seg): a form's or a message's words before a number repeat from field to field
 * ("Please call me at ", "SSN ", "; Medicare ID "), and pw_ctx_before reads nothing but the bytes
 * between the value and the digit before it (48 at most), so that text is the key. Kept in the
 * per-thread scratch across scans, like the key memo.
 */
#ifndef PW_DETECT_CONTEXT_CACHE_H
#define PW_DETECT_CONTEXT_CACHE_H

#include <stdint.h>

#define PW_CTX_CACHE_SLOTS 256 /* direct-mapped by the text's hash */
#define PW_CTX_CACHE_LEN   48  /* the look-back's window: pw_ctx_before reads no more */

typedef struct pw_ctx_cache_entry {
    uint32_t hash;
    unsigned char len; /* 0: empty (an empty text is never stored) */
    unsigned char ctx; /* the pw_ctx */
    char text[PW_CTX_CACHE_LEN];
} pw_ctx_cache_entry;

typedef struct pw_ctx_cache {
    pw_ctx_cache_entry e[PW_CTX_CACHE_SLOTS];
} pw_ctx_cache;

#endif
