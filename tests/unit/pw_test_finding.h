/*
 * pw_test_finding.h — finding i of a scan result whole, for tests that read an assessor's
 * findings (pw_scan_result_finding). Each call's finding, and its details read back from a spill
 * file, go to an arena of their own that lives until the process ends: a pointer a test keeps
 * stays valid whatever it reads after it. A read error is a test failure (NULL).
 */
#ifndef PW_TEST_FINDING_H
#define PW_TEST_FINDING_H

#include <stdio.h>

#include "phiwall/arena.h"
#include "phiwall/assess.h"

static inline const pw_finding *pw_test_finding(const pw_scan_result *r, size_t i)
{
    static pw_arena arena;
    static int inited;
    if (!inited) {
        pw_arena_init(&arena, 0);
        inited = 1;
    }
    pw_finding *tmp = pw_arena_calloc(&arena, 1, sizeof *tmp);
    pw_err err = {0};
    const pw_finding *f = tmp ? pw_scan_result_finding(r, i, tmp, &arena, &err) : NULL;
    if (!f)
        fprintf(stderr, "finding %zu: %s\n", i, tmp ? err.msg : "out of memory");
    return f;
}

#endif
