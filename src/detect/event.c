/*
 * event.c — pw_detect_scan_event: all fields of one event in one call. Each field is scanned
 * exactly as pw_detect_scan would scan it (same hits), but the context memo is cleared once per
 * event instead of once per field (its entries are keyed by addresses, which stay valid while
 * the event's buffers and the arena are unchanged, i.e. for the whole call), and a field with no
 * letter or digit — which no detector can match — is skipped before any setup.
 */
#include <string.h>

#include "detect/internal.h"

/* Any ASCII letter or digit in s (most fields have one in their first bytes). */
static int has_alnum(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (pw_isalnum((unsigned char)s[i]))
            return 1;
    return 0;
}

pw_status pw_detect_scan_event(const pw_detector *d, pw_detect_scratch *s, pw_arena *a,
                               pw_detect_field *fields, size_t n_fields, pw_err *err)
{
    if (!fields && n_fields)
        return pw_err_set(err, PW_ERR_INVALID, "detect: missing fields");
    for (size_t i = 0; i < n_fields; i++)
        fields[i].hits = NULL, fields[i].n_hits = 0;
    if (s)
        memset(s->ctx_memo, 0, sizeof s->ctx_memo);
    for (size_t i = 0; i < n_fields; i++) {
        pw_detect_field *f = &fields[i];
        pw_status st = pw_detect_check_field(d, s, a, f->str, f->n, err);
        if (st == PW_OK && !has_alnum(f->str, f->n))
            continue;
        if (st == PW_OK)
            st = pw_detect_scan_checked(d, s, a, f->key, f->str, f->n, f->type, &f->hits,
                                        &f->n_hits, err);
        if (st != PW_OK) {
            pw_err_prefix(err, "field %zu (%s): ", i, f->key ? f->key : "no key");
            return st;
        }
    }
    return PW_OK;
}
