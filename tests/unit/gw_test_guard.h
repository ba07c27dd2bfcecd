/*
 * gw_test_guard.h — the guard (gw_policy_guard.c) run over one string with the test stand-in
 * for the PHI engine (gw_test_phi.h): what it says about the string, NULL when it passes. Shared
 * by the guard's and the decoders' tests.
 */
#ifndef GW_TEST_GUARD_H
#define GW_TEST_GUARD_H

#include <string.h>

#include "gw_policy_guard.h"
#include "gw_test_phi.h"
#include "pw_test.h"

static pw_status gw_test_guard_scan(void *ctx, const char *s, size_t n, int *hit)
{
    pw_arena *a = ctx;
    pw_hit *h = NULL;
    size_t k = 0;
    pw_status st =
        gw_test_phi_scan(NULL, a, "note", PW_OBJECT_UNKNOWN, s, n, PW_FT_TEXT, &h, &k, NULL);
    *hit = k > 0;
    return st;
}

static const char *guard(pw_arena *a, const char *s, pw_gw_script_mode m)
{
    const char *why = NULL;
    CHECK_INT(pw_gw_guard_check(a, s, strlen(s), m, gw_test_guard_scan, a, &why), PW_OK);
    return why;
}

#endif
