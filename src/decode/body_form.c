/*
 * body_form.c — query strings and application/x-www-form-urlencoded bodies: pw_form_parse
 * (url.h) decodes each key and value exactly once ('+' as space); the pairs join a dk_pairs.
 */
#include "decode_internal.h"

pw_status dk_body_form(pw_arena *a, const char *s, size_t n, dk_pairs *out, pw_err *err)
{
    pw_kv *kv;
    size_t n_kv;
    size_t room = out->n < DK_MAX_PAIRS ? DK_MAX_PAIRS - out->n : 0;
    pw_status st = pw_form_parse(a, s, n, room, &kv, &n_kv, err);
    if (st != PW_OK)
        return st;
    for (size_t i = 0; i < n_kv; i++) {
        st = dk_pairs_push(a, out, kv[i].key, kv[i].key_len, kv[i].value, kv[i].value_len, err);
        if (st != PW_OK)
            return st;
    }
    return PW_OK;
}
