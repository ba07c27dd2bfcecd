/*
 * event.c — pw_detect_scan_event: all fields of one event in one call. Every field gets exactly
 * the hits pw_detect_scan_member would give it with the field's object kind (pw_detect_scan's
 * with PW_OBJECT_UNKNOWN); what is shared is the setup around the detectors:
 *
 *  - the fields are checked and scanned in one loop (a bad field is reported with its index and
 *    key; the fields before it keep their hits, no field after it is scanned);
 *  - the context memo is cleared once per event (its entries are keyed by addresses, which stay
 *    valid while the event's buffers and the arena are unchanged, i.e. for the whole call);
 *  - the scratch's key memo and no-hit segment memo serve every field, so a value repeated in
 *    the event ("PageView", the same button text) is scanned once.
 *
 * Earlier versions also classified the fields into one set of event-wide byte masks
 * and ran one vocabulary scan over the fields joined by a barrier word. Measured with callgrind
 * (docs/detect-event.md), neither paid: the automaton costs the same per byte joined or not, the
 * classification the same per field, and the bookkeeping (mask columns, joining, mapping matches
 * back: ≈ 260 instructions per field) made an event dearer than separate calls.
 */
#include "detect/internal.h"

pw_status pw_detect_scan_event(const pw_detector *d, pw_detect_scratch *s, pw_arena *a,
                               pw_detect_field *fields, size_t n_fields, pw_err *err)
{
    if (!fields && n_fields)
        return pw_err_set(err, PW_ERR_INVALID, "detect: missing fields");
    for (size_t i = 0; i < n_fields; i++)
        fields[i].hits = NULL, fields[i].n_hits = 0;
    pw_status st = PW_OK;
    size_t i = 0;
    for (; i < n_fields; i++) { /* each field checked as pw_detect_scan would, then scanned */
        pw_detect_field *f = &fields[i];
        if ((st = pw_detect_check_field(d, s, a, f->str, f->n, err)) != PW_OK)
            break;
        if (i == 0) /* s is known good now */
            pw_ctx_memo_clear(s);
        st = pw_detect_scan_checked(d, s, a, f->key, f->object, f->str, f->n, f->type, &f->hits,
                                    &f->n_hits, err);
        if (st != PW_OK)
            break;
    }
    if (st != PW_OK)
        pw_err_prefix(err, "field %zu (%s): ", i, fields[i].key ? fields[i].key : "no key");
    return st;
}
