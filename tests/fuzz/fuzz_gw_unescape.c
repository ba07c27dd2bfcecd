/*
 * fuzz_gw_unescape.c — the guard's escape decoder (gw_policy_unescape.c), the look-alike folding
 * it reads (pw_detect_fold_lookalikes)
 * and the whole guard on arbitrary bytes. Properties: never a crash, a read past the input or a
 * leak; a view is never longer than its input and is NUL-terminated; the guard with a scanner
 * that finds nothing returns PW_OK.
 */
#include <string.h>

#include "gw_policy_guard.h"
#include "gw_policy_unescape.h"
#include "phiwall/detect.h"
#include "pw_fuzz.h"

static pw_status nothing(void *ctx, const char *s, size_t n, int *hit)
{
    (void)ctx;
    (void)s;
    (void)n;
    *hit = 0;
    return PW_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    pw_arena a;
    pw_arena_init(&a, 0);
    char *s = pw_arena_alloc(&a, size + 1); /* exactly size bytes readable past nothing */
    FUZZ_ASSERT(s != NULL);
    memcpy(s, data, size);
    s[size] = '\0';
    size_t n = 0;
    char *v = pw_gw_unescape(&a, s, size, &n);
    FUZZ_ASSERT(v ? n <= size && v[n] == '\0' : n == 0);
    v = pw_detect_fold_lookalikes(&a, s, size, &n);
    FUZZ_ASSERT(v ? n <= size && v[n] == '\0' : n == 0);
    const char *why = NULL;
    FUZZ_ASSERT(pw_gw_guard_check(&a, s, size, PW_GW_SCRIPTS_ANY, nothing, NULL, &why) == PW_OK);
    FUZZ_ASSERT(pw_gw_guard_check(&a, s, size, PW_GW_SCRIPTS_LATIN, nothing, NULL, &why) == PW_OK);
    pw_arena_free(&a);
    return 0;
}
