/*
 * summary_bits.h — (internal to detect) class bits of a segment summary beside the PW_SUM_* of
 * internal.h (engine-text8): bytes that a detector used to look for with a memchr of its own in
 * every segment. Set by pw_seg_summarize and pw_seg_summarize_masks (summary.c) in
 * pw_seg_summary.cls; a reader with no summary still searches.
 */
#ifndef PHIWALL_DETECT_SUMMARY_BITS_H
#define PHIWALL_DETECT_SUMMARY_BITS_H

enum {
    PW_SUM_EQ = 1024,    /* '=': a name key written inside text ("name=John+Smith") */
    PW_SUM_COMMA = 2048, /* ',': a name before credentials ("Jane Roe, MD") */
    PW_SUM_HASH = 4096   /* '#': a hashtag's run-together words */
};

#endif
