/*
 * pw_test_finding.h — finding i of a scan result whole, for tests that read an assessor's
 * findings (pw_scan_result_finding): each call fills the next of PW_TEST_FINDING_SLOTS slots, so
 * a pointer stays valid across the next PW_TEST_FINDING_SLOTS - 1 calls. A spilled finding's
 * details are read into the slot's arena (kept until the process ends); a read error is a test
 * failure (NULL).
 */
#ifndef PW_TEST_FINDING_H
#define PW_TEST_FINDING_H

#include <stdio.h>

#include "phiwall/arena.h"
#include "phiwall/assess.h"

#define PW_TEST_FINDING_SLOTS 16

static inline const pw_finding *pw_test_finding(const pw_scan_result *r, size_t i)
{
    static pw_finding slot[PW_TEST_FINDING_SLOTS];
    static pw_arena arena[PW_TEST_FINDING_SLOTS];
    static int inited[PW_TEST_FINDING_SLOTS];
    static unsigned next;
    unsigned k = next++ % PW_TEST_FINDING_SLOTS;
    if (!inited[k]) {
        pw_arena_init(&arena[k], 0);
        inited[k] = 1;
    }
    pw_arena_reset(&arena[k]);
    pw_err err = {0};
    const pw_finding *f = pw_scan_result_finding(r, i, &slot[k], &arena[k], &err);
    if (!f)
        fprintf(stderr, "finding %zu: %s\n", i, err.msg);
    return f;
}

#endif
