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

/* Keep in the spool the records a failed sync cut from the log and that it could not write back
 * (audit.h, pw_audit_append_nosync) — at a stop, while the log still fails. *n: how many. */
pw_status pw_audit_hold_cut(pw_spool *s, pw_audit *a, size_t *n, pw_err *err);

/* Append the records kept in the spool to the audit log (one synced append, their original
 * times), then delete them from the spool. *written: how many (0: none were kept, or all were
 * in the log already). On an append failure they stay kept (for the next start) and the error
 * is returned. Exactly once: before appending, where the log ends is kept in the spool too, so
 * a restore stopped before it deleted them (a crash) finds them in the log at the next start and
 * does not append them again. */
pw_status pw_audit_restore_from_spool(pw_spool *s, pw_audit *a, size_t *written, pw_err *err);

#endif
