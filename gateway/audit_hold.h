/*
 * audit_hold.h — ingest audit records that the audit log refused when the gateway stopped (a
 * full audit disk: gw_commit.c holds them in memory and retries) are not lost: they are kept in
 * the spool's file (pw_spool_hold_lines, one JSON line per record) and appended to the audit
 * log at the next start, before any forwarder runs. Internal to gateway/.
 */
#ifndef PHIWALL_GW_AUDIT_HOLD_H
#define PHIWALL_GW_AUDIT_HOLD_H

#include "audit.h"
#include "spool.h"

/* Keep recs in the spool (one synced transaction). */
pw_status pw_audit_hold_in_spool(pw_spool *s, const pw_audit_record *recs, size_t n, pw_err *err);

/* Append the records kept in the spool to the audit log (one synced append, their original
 * times), then delete them from the spool. *written: how many (0: none were kept). On an
 * append failure they stay kept (for the next start) and the error is returned. */
pw_status pw_audit_restore_from_spool(pw_spool *s, pw_audit *a, size_t *written, pw_err *err);

#endif
