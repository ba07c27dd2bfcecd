/*
 * audit.h — the accounting of disclosures: an append-only, hash-chained log of every event's
 * transitions (accepted, dropped(rule), queued, sent(status, fbtrace_id), retry(n), dead), with
 * the exact fields disclosed and the rule that allowed each. Each record carries the SHA-256 of
 * the previous record, so `phiwall audit verify` detects any edit, deletion or reordering.
 * Records never hold raw PHI: they are written from post-policy data only.
 */
#ifndef PHIWALL_GW_AUDIT_H
#define PHIWALL_GW_AUDIT_H

#include <stddef.h>
#include <stdint.h>

#include "phiwall/error.h"

typedef struct pw_audit pw_audit;

typedef enum pw_audit_action {
    PW_AUDIT_ACCEPTED = 0,
    PW_AUDIT_DROPPED,
    PW_AUDIT_QUEUED,
    PW_AUDIT_SENT,
    PW_AUDIT_RETRY,
    PW_AUDIT_DEAD
} pw_audit_action;

typedef struct pw_audit_record {
    int64_t time_ms;
    const char *event_id;
    const char *event_name;
    const char *destination; /* NULL for accepted/dropped before routing */
    pw_audit_action action;
    const char *rule;           /* the policy rule that decided (drop reason or allow rule) */
    const char *fields_json;    /* JSON object: field -> rule that allowed it (queued/sent) */
    const char *payload_sha256; /* of the exact bytes sent (sent), or NULL */
    int http_status;            /* sent/retry/dead, 0 otherwise */
    const char *detail;         /* fbtrace_id, error message, retry count… (no PHI, no tokens) */
} pw_audit_record;

pw_status pw_audit_open(const char *path, pw_audit **out, pw_err *err);
void pw_audit_close(pw_audit *a);
/* Thread-safe append; durable when it returns. */
pw_status pw_audit_append(pw_audit *a, const pw_audit_record *rec, pw_err *err);

#endif
