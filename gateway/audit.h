/*
 * audit.h — the accounting of disclosures: an append-only, hash-chained log of every event's
 * transitions (accepted, dropped(rule), queued, sent(status, fbtrace_id), retry(n), dead), with
 * the exact fields disclosed and the rule that allowed each. Each record carries the SHA-256 of
 * the previous record, so `phiwall audit verify` detects an edit, deletion or reordering unless
 * every later hash was recomputed too (the chain has no secret); only a head hash kept elsewhere
 * (`--expect-head`) proves the records up to it unchanged.
 * Records never hold raw PHI: they are written from post-policy data only.
 */
#ifndef PHIWALL_GW_AUDIT_H
#define PHIWALL_GW_AUDIT_H

#include <stddef.h>
#include <stdint.h>

#include "phiwall/error.h"

typedef struct pw_audit pw_audit;

/* Where the audit log is when no path is given — the same for the writer (`phiwall gateway`)
 * and the readers (`phiwall audit verify|list`): $PHIWALL_AUDIT when set and not empty, else
 * phiwall-audit.log in the current directory (next to the gateway's default spool). The shipped
 * systemd unit sets PHIWALL_AUDIT=/var/lib/phiwall/audit.log. */
#define PW_AUDIT_DEFAULT_PATH "phiwall-audit.log"
#define PW_AUDIT_PATH_ENV     "PHIWALL_AUDIT"
/* The path to use: `given` when not NULL, else the default above (for programs, not the
 * library: it reads the environment). */
const char *pw_audit_resolve_path(const char *given);

typedef enum pw_audit_action {
    PW_AUDIT_ACCEPTED = 0,
    PW_AUDIT_DROPPED,
    PW_AUDIT_QUEUED,
    PW_AUDIT_SENT,
    PW_AUDIT_RETRY,
    PW_AUDIT_DEAD,
    PW_AUDIT_DUPLICATE,      /* a repeated event_id the spool already held: nothing new queued */
    PW_AUDIT_SENDING,        /* a forwarder's intent, synced before the request leaves: without a
                                later sent/retry/dead for it, the event may have been disclosed */
    PW_AUDIT_CHAIN_CONTINUED /* the log did not end with the head remembered in the spool (moved,
                                deleted, cut): this record names the gap (see audit-chain below) */
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

/* ---- additions (gwout) -------------------------------------------------------------------- */

/* Append several records with one write and one sync (a forwarder's batch outcome). */
pw_status pw_audit_append_batch(pw_audit *a, const pw_audit_record *recs, size_t n, pw_err *err);

/* For high-volume ingest records (accepted/dropped/queued): write now, make durable later. The
 * records are in the chain at once; they become durable with the next pw_audit_sync or synced
 * append (fdatasync covers every earlier write of the file), so a crash can lose only a tail of
 * them, never leave a hole. Forwarders' sent/retry/dead records always use the synced forms.
 * A failed sync cuts the records it did not make durable (see gw-durable below); those appended
 * here are then kept by the log and written back, before anything else, by its next write,
 * pw_audit_sync or pw_audit_close (their callers answered their requests already: nobody else
 * would append them again). */
pw_status pw_audit_append_nosync(pw_audit *a, const pw_audit_record *recs, size_t n, pw_err *err);
pw_status pw_audit_sync(pw_audit *a, pw_err *err);

/* ---- additions (gw-durable) --------------------------------------------------------------- */

/* A write or sync that fails (a full disk) is not sticky: what the write left of a partial
 * record is cut off at once (the chain on disk ends with a whole record) and the next append
 * tries again. pw_audit_failing says whether the last write or sync failed (and no write and
 * sync succeeded since): ingest refuses new events (503) and forwarders pause while it does. */
int pw_audit_failing(pw_audit *a);
/* The log's file as opened (for messages naming it; "" for NULL). */
const char *pw_audit_path(const pw_audit *a);
/* Writes and syncs that failed since open (/metrics). */
unsigned long long pw_audit_failures(pw_audit *a);
/* A failing log: cut what a failed write left, check the disk has room (64 KiB) and sync what
 * was written; PW_OK (and no longer failing) when it may be written again. PW_OK at once when
 * it is not failing. */
pw_status pw_audit_probe(pw_audit *a, pw_err *err);
/* Bytes of an unterminated last record cut off when the log was opened (0: none): the caller
 * logs it (a crash during a write that was therefore never acknowledged). */
long long pw_audit_torn_bytes_cut(pw_audit *a);

/* "accepted", "dropped", "queued", "sent", "retry", "dead", "duplicate", "sending",
 * "chain_continued". */
const char *pw_audit_action_name(pw_audit_action a);

/* Order in the chain: an event's ingest records come before any forwarder's outcome for it.
 * Ingest takes a ticket before it puts rows in the spool and returns it once their records are
 * appended (or the put failed); a forwarder takes a mark right after each lease and waits, before
 * appending outcomes, until every ticket up to the mark is returned (at most timeout_ms: then 0
 * is returned and the outcomes are written anyway, never lost). A ticket of 0 (out of memory)
 * is not waited for. */
uint64_t pw_audit_ingest_begin(pw_audit *a);
void pw_audit_ingest_end(pw_audit *a, const uint64_t *tickets, size_t n);
uint64_t pw_audit_ingest_mark(pw_audit *a);
int pw_audit_ingest_wait(pw_audit *a, uint64_t mark, unsigned timeout_ms);

/* ---- additions (audit-chain) -------------------------------------------------------------- */

/* The head (last durable record) is reported to sink after a sync made records durable, at most
 * once per min_interval_ms (0: every time), from the syncing thread with the log's sync lock
 * held (so heads arrive in order). The gateway stores it in the spool: a log that no longer ends
 * with it at the next start was moved, deleted or cut. sink NULL: none. */
typedef void (*pw_audit_head_fn)(void *ctx, uint64_t seq, const char hash[65]);
void pw_audit_set_head_sink(pw_audit *a, pw_audit_head_fn sink, void *ctx,
                            unsigned min_interval_ms);
/* The last durable record's seq (0: none) and hash (zeros when none). */
void pw_audit_durable_head(pw_audit *a, uint64_t *seq, char hash[65]);
/* Link the log to a head remembered elsewhere that it does not end with, with a synced record
 * rec (action PW_AUDIT_CHAIN_CONTINUED, detail naming the gap). An empty log (a new file where
 * the old one was moved or deleted) continues that chain: its first record has seq
 * head_seq + 1 and prev_hash head_hash. A log with records (cut, or another log) keeps its own
 * chain and the record is appended to it. */
pw_status pw_audit_continue_chain(pw_audit *a, uint64_t head_seq, const char head_hash[65],
                                  const pw_audit_record *rec, pw_err *err);

/* Rotation (SIGHUP): when the file at the log's path is not the open one (moved aside by
 * logrotate, which creates a new empty one, or moved and nothing created), every record is made
 * durable in the open file and the log goes on in a new file at the path: its first record
 * links to the old file's last (seq continues, prev_hash = its hash), so `phiwall audit verify
 * OLD NEW` checks both as one chain. *reopened 1 when it did; the same file: PW_OK, 0. A file at
 * the path that is not empty is not appended to (PW_ERR_INVALID): the log stays in the open one.
 * Records a failed sync left not durable: PW_ERR_IO, tried again at the next call. */
pw_status pw_audit_reopen(pw_audit *a, int *reopened, pw_err *err);

/* Verification: recompute the chain. PW_OK when intact; otherwise PW_ERR_INVALID (or PW_ERR_IO)
 * with err->msg = "NAME:LINE: seq N: what is wrong" for the first broken record. A chain cut
 * after its last record cannot be told from a shorter log: compare head_hash with a copy kept
 * elsewhere (`phiwall audit verify` prints it). */
typedef struct pw_audit_verify_result {
    uint64_t records;   /* records verified before the first break (all of them when intact) */
    size_t bad_line;    /* 1-based line of the first break, 0 when intact */
    uint64_t bad_seq;   /* seq expected at that line */
    char head_hash[65]; /* hash of the last good record, "" when none */
} pw_audit_verify_result;

pw_status pw_audit_verify_buf(const char *data, size_t len, const char *name,
                              pw_audit_verify_result *res, pw_err *err);
pw_status pw_audit_verify_file(const char *path, pw_audit_verify_result *res, pw_err *err);
/* Files of one chain, oldest first (rotated logs: audit.log.1 then audit.log): each file's first
 * record must link to the previous file's last. A break is named "FILE:LINE: …" in the file
 * where it is; res->records counts over all of them. A first file whose first record does not
 * start the chain (seq > 1) is reported as linking to a previous file. */
pw_status pw_audit_verify_files(const char *const *paths, size_t n, pw_audit_verify_result *res,
                                pw_err *err);

/* Listing: one entry per record that passes the filter. Strings are valid during the callback. */
typedef struct pw_audit_entry {
    uint64_t seq;
    int64_t time_ms;
    const char *time, *action, *event_id, *event_name, *destination, *rule;
    const char *fields_json; /* compact JSON, NULL when absent */
    const char *payload_sha256;
    int http_status;
    const char *detail;
    const char *line; /* the record as stored, without its newline */
    size_t line_len;
    size_t lineno;
} pw_audit_entry;

typedef struct pw_audit_filter {
    int64_t since_ms;        /* 0 = from the start */
    const char *event_id;    /* NULL = any */
    const char *destination; /* NULL = any */
} pw_audit_filter;

/* Return non-zero from the callback to stop early. The listing verifies the chain as it reads:
 * it stops at the first broken record with PW_ERR_INVALID and err->msg as for verification
 * ("NAME:LINE: seq N: …"), having handed out only the records before it. */
typedef int (*pw_audit_list_fn)(const pw_audit_entry *e, void *ctx);

pw_status pw_audit_list_file(const char *path, const pw_audit_filter *filter, pw_audit_list_fn fn,
                             void *ctx, pw_err *err);

/* "2026-11-01", "2026-11-01T00:00:00Z", "2026-11-01T00:00:00.250Z" → ms since the epoch. */
pw_status pw_audit_parse_time(const char *s, int64_t *ms, pw_err *err);

#endif
