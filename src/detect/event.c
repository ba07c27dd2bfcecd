/*
 * event.c — pw_detect_scan_event: all fields of one event in one call. Every field gets exactly
 * the hits pw_detect_scan would give it; what is shared is the setup around the detectors:
 *
 *  - the arguments are checked once, before any field is scanned (a bad field is reported with
 *    its index and key, and no field after it is scanned);
 *  - the context memo is cleared once per event (its entries are keyed by addresses, which stay
 *    valid while the event's buffers and the arena are unchanged, i.e. for the whole call);
 *  - the scratch's key memo and no-hit segment memo serve every field, so a value repeated in
 *    the event ("PageView", the same button text) is scanned once.
 *
 * engine-speed: earlier versions also classified the fields into one set of event-wide byte masks
 * and ran one vocabulary scan over the fields joined by a barrier word. Measured with callgrind
 * (docs/detect-event.md), neither paid: the automaton costs the same per byte joined or not, the
 * classification the same per field, and the bookkeeping (mask columns, joining, mapping matches
 * back: ≈ 260 instructions per field) made an event dearer than separate calls.
 */
#include "detect/internal.h"

/* The first field that pw_detect_scan would refuse (nf when none). */
static size_t first_bad(const pw_detector *d, const pw_detect_scratch *s, const pw_arena *a,
                        const pw_detect_field *f, size_t nf)
{
    for (size_t i = 0; i < nf; i++)
        if (pw_detect_check_field(d, s, a, f[i].str, f[i].n, NULL) != PW_OK)
            return i;
    return nf;
}

/* Scan fields [0, nf) (all valid), the context memo cleared by the caller; *failed: the field
 * that failed. */
static pw_status scan_fields(const pw_detector *d, pw_detect_scratch *s, pw_arena *a,
                             pw_detect_field *f, size_t nf, size_t *failed, pw_err *err)
{
    for (size_t i = 0; i < nf; i++) {
        pw_status st = pw_detect_scan_checked(d, s, a, f[i].key, f[i].str, f[i].n, f[i].type,
                                              &f[i].hits, &f[i].n_hits, err);
        if (st != PW_OK) {
            *failed = i;
            return st;
        }
    }
    return PW_OK;
}

pw_status pw_detect_scan_event(const pw_detector *d, pw_detect_scratch *s, pw_arena *a,
                               pw_detect_field *fields, size_t n_fields, pw_err *err)
{
    if (!fields && n_fields)
        return pw_err_set(err, PW_ERR_INVALID, "detect: missing fields");
    for (size_t i = 0; i < n_fields; i++)
        fields[i].hits = NULL, fields[i].n_hits = 0;
    size_t ok = first_bad(d, s, a, fields, n_fields), failed = ok;
    pw_status st = PW_OK;
    if (ok > 0) {
        pw_ctx_memo_clear(s);
        st = scan_fields(d, s, a, fields, ok, &failed, err);
    }
    if (st == PW_OK && ok < n_fields)
        st = pw_detect_check_field(d, s, a, fields[ok].str, fields[ok].n, err);
    if (st != PW_OK) {
        const char *key = failed < n_fields && fields[failed].key ? fields[failed].key : "no key";
        pw_err_prefix(err, "field %zu (%s): ", failed, key);
    }
    return st;
}
