/*
 * context_may.h — (internal to detect) pw_ctx_before_may inline (engine-text9): the record-id,
 * phone and ZIP detectors ask it for most numbers of a text, and the call cost as much as the
 * answer. context.c's pw_ctx_before_may is this same code out of line.
 */
#ifndef PHIWALL_DETECT_CONTEXT_MAY_H
#define PHIWALL_DETECT_CONTEXT_MAY_H

#include <stdint.h>

#include "detect/internal.h"

/* The colon of a label line right before a value on its own line (context.c), 0 when none. */
size_t pw_ctx_label_line_before(const char *s, size_t limit, size_t j, size_t i);

/* The words before s[i] may give a context whose last two letters are in `pairs`: the look-back
 * either matches a table word or drops a filler ending the compact form first, so a form whose
 * last two letters end no such word gives none of them. 1 (may) too when the answer needs the
 * full walk: a byte >= 0x80 (accented letters) or a one-letter last word on the way. 0 when
 * there is no letter before the next digit or line break, as pw_ctx_before finds. */
static inline int pw_ctx_pairs_may(const char *s, size_t i, const uint32_t *pairs)
{
    size_t j = i, limit = i > 48 ? i - 48 : 0;
    for (;; j--) {
        if (j <= limit)
            return 0;
        unsigned c = (unsigned char)s[j - 1], cl = pw_char_class[c];
        if (cl & (PW_CC_UPPER | PW_CC_LOWER))
            break;
        if (c == '\n') {
            size_t at = pw_ctx_label_line_before(s, limit, j, i);
            if (!at)
                return 0;
            j = at + 1; /* the loop's j-- reads the colon next */
            continue;
        }
        if ((cl & PW_CC_DIGIT))
            return 0;
        if (c >= 0x80)
            return 1;
    }
    if (j - 1 <= limit || !(pw_char_class[(unsigned char)s[j - 2]] & (PW_CC_UPPER | PW_CC_LOWER)))
        return 1;
    unsigned last = ((unsigned char)s[j - 1] | 0x20) - 'a',
             prev = ((unsigned char)s[j - 2] | 0x20) - 'a';
    return pairs[last] >> prev & 1;
}

/* pw_ctx_before_may (internal.h), inline. */
static inline int pw_ctx_before_may_inline(const pw_seg *g, size_t i, const uint32_t *pairs,
                                           uint64_t want)
{
    if (g->memo) {
        const pw_ctx_memo *m = &g->memo[i % PW_CTX_MEMO_SLOTS];
        if (m->at == g->s + i && m->seg == g->s)
            return want >> m->ctx & 1;
    }
    return pw_ctx_pairs_may(g->s, i, pairs);
}

#endif
