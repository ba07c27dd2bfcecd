/*
 * spool_sqlite_internal.h — what the two halves of the SQLite spool share: the producer side
 * (spool_sqlite.c: open, group-committed puts) and the consumer side (spool_sqlite_lease.c:
 * lease, ack, retry, dead letters, stats). Not a public interface.
 */
#ifndef PHIWALL_GW_SPOOL_SQLITE_INTERNAL_H
#define PHIWALL_GW_SPOOL_SQLITE_INTERNAL_H

#include <pthread.h>
#include <sqlite3.h>
#include <stdint.h>

#include "spool.h"

#define ROW_OVERHEAD          64 /* bytes counted per row beyond its strings: ids, times, index */
#define TOMB_OVERHEAD         32 /* bytes counted per tombstone beyond its key */
#define PW_SPOOL_TOMBSTONE_MS (15LL * 60 * 1000) /* keep idempotency keys 15 min after the end */
#define GATHER_ENOUGH         8 /* a leader stops waiting for companions once this many wait */

/* Statements prepared once per connection (pw_spool_stmt); indexes into pw_spool.stmts. */
enum pw_spool_sql {
    SQL_BEGIN = 0,
    SQL_COMMIT,
    SQL_ROLLBACK,
    SQL_SAVEPOINT,
    SQL_RELEASE,
    SQL_ROLLBACK_TO,
    SQL_INSERT,
    SQL_LEASE_SELECT,
    SQL_LEASE_MARK,
    SQL_ACK_LEN,
    SQL_ACK,
    SQL_RETRY,
    SQL_COUNT
};

typedef struct pw_spool_ckpt pw_spool_ckpt;

typedef struct put_req {
    const pw_spool_put_item *items;
    size_t n;
    pw_status status;
    pw_err err;
    int done;
    pw_spool_done_fn done_fn; /* async: called by the committer, then the request is freed */
    void *done_ctx;
    struct put_req *next;
} put_req;

struct pw_spool {
    sqlite3 *db;
    pthread_mutex_t db_mu; /* the connection and `bytes` */
    uint64_t max_bytes;
    uint64_t bytes;
    unsigned commit_interval_ms;

    pthread_mutex_t q_mu;         /* the pending list and the committer's state */
    pthread_cond_t q_cond;        /* committer: work arrived or stop */
    pthread_cond_t done_cond;     /* callers: a commit finished */
    pthread_cond_t interval_cond; /* a leader waiting for companions: the batch is full */
    int committing;               /* a leader is committing (or gathering) a batch */
    put_req *head, *tail;
    size_t pending;
    int stop;
    pthread_t committer;
    int committer_running;
    unsigned acks_since_purge;
    sqlite3_stmt *stmts[SQL_COUNT]; /* under db_mu */
    int sync_normal;                /* synchronous=NORMAL is on (a lease's commit) */
    pw_spool_ckpt *ckpt;            /* background WAL checkpoints, NULL: SQLite's own */
};

/* Background checkpoints (spool_sqlite_ckpt.c): started once the schema is ready, stopped
 * before the connection closes. Without them SQLite's automatic checkpoint remains. */
void pw_spool_ckpt_start(pw_spool *s, const char *path);
void pw_spool_ckpt_stop(pw_spool *s);

/* Helpers; callers hold db_mu. */
pw_status pw_spool_db_fail(pw_spool *s, pw_err *err, const char *what);
pw_status pw_spool_exec(pw_spool *s, const char *sql, pw_err *err);
uint64_t pw_spool_row_bytes(const char *event_id, const char *dest, size_t payload_len);
/* The prepared statement `which`, reset with its bindings cleared; NULL if it cannot be
 * prepared (the connection's error says why). */
sqlite3_stmt *pw_spool_stmt(pw_spool *s, enum pw_spool_sql which);
/* PRAGMA synchronous=FULL (full) or NORMAL. */
pw_status pw_spool_set_synchronous(pw_spool *s, int full, pw_err *err);
/* BEGIN IMMEDIATE of a transaction whose COMMIT is synced (synchronous=FULL ensured). */
pw_status pw_spool_begin(pw_spool *s, pw_err *err);
/* Run a statement without parameters (BEGIN, COMMIT, SAVEPOINT…) to completion. */
pw_status pw_spool_run(pw_spool *s, enum pw_spool_sql which, pw_err *err);

#endif
