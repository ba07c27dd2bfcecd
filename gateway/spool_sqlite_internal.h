/*
 * spool_sqlite_internal.h — what the parts of the SQLite spool share: opening and group commit
 * (spool_sqlite.c), writing a batch of puts (spool_sqlite_put.c), leases and outcomes
 * (spool_sqlite_lease.c), inspection (spool_sqlite_state.c), the in-memory indexes
 * (spool_sqlite_map.c), the schema and its migration (spool_sqlite_schema.c) and background
 * checkpoints (spool_sqlite_ckpt.c). Not a public interface.
 *
 * Storage (schema version 3, see spool_sqlite_schema.c): one small row per event in `ev`,
 * appended in rowid order (its destinations and their delivery state), and one `body` row per
 * group commit with the post-policy payloads of its events, deleted once the last of them is
 * done; an item (one
 * event for one destination) is named by ev.id * 64 + its position in the row. No SQL index is
 * touched by a put: the idempotency index (event_id → rows) and the leases live in memory, rebuilt
 * from the rows when the spool is opened.
 */
#ifndef PHIWALL_GW_SPOOL_SQLITE_INTERNAL_H
#define PHIWALL_GW_SPOOL_SQLITE_INTERNAL_H

#include <pthread.h>
#include <semaphore.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdint.h>

#include "gw_histo.h"
#include "spool.h"

#define ROW_OVERHEAD  64 /* bytes counted per queued item beyond its strings */
#define TOMB_OVERHEAD 32 /* bytes counted per tombstone beyond its key */
#define PW_SPOOL_TOMBSTONE_MS                                                           \
    (15LL * 60 * 1000)                 /* keep idempotency keys 15 min after acceptance \
                                        */
#define PW_SPOOL_KEYS_SOFT_MAX 1000000 /* beyond, tombstones go before their 15 min are up */
#define PW_SPOOL_MAX_EVENT_ID  1024    /* bytes (a lease keeps its length in 15 bits) */
#define GATHER_ENOUGH          8 /* a leader stops waiting for companions once this many wait */
/* The load gather (pw_spool_opts.load_gather_us) waits only while put requests have been coming
 * at least this fast (per ms, measured over windows of PW_SPOOL_LOAD_WINDOW_NS): at a moderate
 * rate a large batch means a slow fsync or commit before it (or a burst), not load, and its
 * followers are the latency tail a wait would lengthen. 16 per ms: above the DESIGN's 10,000
 * events/s target, below the 25,000–37,000 a saturated gateway takes on the development VM. */
#define PW_SPOOL_LOAD_PER_MS    16
#define PW_SPOOL_LOAD_WINDOW_NS 5000000 /* 5 ms */
#define PW_SPOOL_MAX_POS        62      /* destinations per event row (bits 0..61 of ev.pending) */
/* ev.pending always carries bit 62: an 8-byte integer whatever bits are left, so that an ack
 * rewrites the row in place (SQLite overwrites a cell of unchanged size without rebalancing). */
#define PW_SPOOL_PENDING_BASE     (1ll << 62)
#define PW_SPOOL_PENDING_BASE_SQL "4611686018427387904"
#define PW_SPOOL_DEST_BYTES       6 /* per destination in ev.dests: u16 dest id, u32 payload length */
#define PW_SPOOL_PURGE_CHUNK      4096         /* rows a purge step looks at */
#define PW_SPOOL_SCHEMA           4            /* PRAGMA user_version of the current layout */
#define PW_SPOOL_GROUP_MAX_BYTES  (256 * 1024) /* a body row (a group commit's payloads) */

#define ITEM_ID(row, pos) ((row)*64 + (pos))
#define ITEM_ROW(item)    ((item) >> 6)
#define ITEM_POS(item)    ((int)((item)&63))

/* Statements prepared once per connection (pw_spool_stmt); indexes into pw_spool.stmts. */
enum pw_spool_sql {
    SQL_BEGIN = 0,
    SQL_COMMIT,
    SQL_ROLLBACK,
    SQL_MAX_ID,       /* the highest ev id (the next row takes it + 1) */
    SQL_INSERT_BODY,  /* its payloads */
    SQL_ROW_DESTS,    /* dests of one row (duplicate check) */
    SQL_BODY,         /* the payloads of one group */
    SQL_ROW,          /* one row for a lease or a dead letter */
    SQL_SCAN_FROM,    /* rows from a rowid on: new items to lease */
    SQL_SCAN_STATE,   /* the same without payloads (stats) */
    SQL_ACK,          /* clear one position's bit for a range of rows */
    SQL_FINISHING,    /* the groups of the rows of a range left with only that bit */
    SQL_CLEAR_BIT,    /* clear one position's bit of one row (dead letter) */
    SQL_DROP_BODY,    /* delete the payloads of a finished group */
    SQL_RETRY_DUE,    /* due retries of a destination */
    SQL_RETRY_OLDEST, /* the same, oldest item first (an auth probe's lease) */
    SQL_RETRY_HAS,    /* is an item scheduled for retry */
    SQL_RETRY_PUT,    /* schedule an item */
    SQL_RETRY_DEL,    /* forget the schedules of a JSON array of items */
    SQL_RETRY_COUNT,  /* scheduled items of a destination */
    SQL_MARK_PUT,     /* a destination's send in flight (pw_spool_mark_sending) */
    SQL_DEAD_PUT,     /* a dead letter */
    SQL_PURGE,        /* delete old tombstones in a rowid range */
    SQL_PURGE_STOP,   /* the first young row of a rowid range */
    SQL_DELETE_ROWS,  /* delete old tombstone rows of a range */
    SQL_FREE_PAGES,   /* the file's free pages (reused before the file grows) */
    SQL_PAGE_SIZE,    /* their size */
    SQL_COUNT
};

/* ---- in-memory maps (spool_sqlite_map.c) ------------------------------------------------ */

/* Open addressing, 64-bit keys (0 is reserved: callers never use it), duplicates allowed. */
typedef struct pw_spool_slot {
    uint64_t key;
    int64_t val;
    int64_t aux;
} pw_spool_slot;

typedef struct pw_spool_map {
    pw_spool_slot *slots;
    size_t cap; /* a power of two, or 0 */
    size_t n;
} pw_spool_map;

/* 0 on out of memory. */
int pw_spool_map_add(pw_spool_map *m, uint64_t key, int64_t val, int64_t aux);
/* The slot holding key (the first one; with `val` >= 0 the one holding that value too). */
pw_spool_slot *pw_spool_map_find(pw_spool_map *m, uint64_t key, int64_t val);
/* The next slot after `from` with the same key, NULL at the end of its run. */
pw_spool_slot *pw_spool_map_next(pw_spool_map *m, pw_spool_slot *from);
void pw_spool_map_del(pw_spool_map *m, pw_spool_slot *slot);
void pw_spool_map_free(pw_spool_map *m);

/* A growing list of (event_id hash, row) pairs whose key entries a transaction may have to
 * take back out of the key index: rows it inserted (undone on rollback) or deleted (forgotten
 * once it commits). */
typedef struct pw_spool_keyrows {
    int64_t *pairs;
    size_t n, cap;
} pw_spool_keyrows;

/* 0 when out of memory. */
int pw_spool_keyrows_push(pw_spool_keyrows *l, uint64_t hash, int64_t row);
/* Removes each listed (hash, row) entry from the map and empties the list. */
void pw_spool_keyrows_forget(pw_spool_map *keys, pw_spool_keyrows *l);

/* Keyed hash of an event_id (SipHash-2-4 with the spool's random key); never 0. */
uint64_t pw_spool_key_hash(const uint64_t key[2], const char *s, size_t n);

/* ---- destinations ------------------------------------------------------------------------- */

typedef struct pw_spool_dest {
    int64_t id; /* dest.id */
    char *name;
    size_t name_len;
    int64_t cursor;        /* rows below it were looked at by the new-item scan of a lease */
    int64_t low;           /* no row below it is queued for this destination (stats hint) */
    uint64_t depth;        /* queued items */
    uint64_t depth_txn;    /* items added by the open put transaction */
    int maybe_retries;     /* the retry table may hold items of this destination */
    int64_t lease_span_ms; /* the last lease's duration: a lease began at its end minus this */
    pw_spool_map leases;   /* item → lease_until (val), attempts of the lease (aux) */
    /* item → start of a lease of it that ran out (val), while no retry row holds its first
     * attempt: its next retry or put back writes it there (rare: a forwarder stuck past
     * lease_ms) */
    pw_spool_map expired;
} pw_spool_dest;

/* Parsed ev.dests. */
typedef struct pw_spool_pos {
    int64_t dest;
    uint32_t len;
    uint32_t off; /* in body */
} pw_spool_pos;

/* Decode ev.dests into out (PW_SPOOL_MAX_POS entries); the number of positions, -1 if bad. */
int pw_spool_parse_dests(const void *blob, int bytes, pw_spool_pos *out);

typedef struct pw_spool_ckpt pw_spool_ckpt;

/* A request of the group commit: a put (items), an ack (ack_ids, items NULL) settled by
 * the same transaction as the puts of its batch, at most PW_SPOOL_ACKS_PER_COMMIT items per
 * commit (a large ack spans several commits and is done once all of it is committed), or a
 * forwarder's mark of the items it is about to send (mark_ids: pw_spool_mark_sending). */
typedef struct put_req {
    const pw_spool_put_item *items;
    const int64_t *ack_ids;
    const int64_t *mark_ids; /* a mark: n_mark items of destination mark_dest, at mark_ms */
    size_t n_mark;
    const char *mark_dest;
    int64_t mark_ms;
    size_t n_ack, ack_off, ack_take; /* settled by earlier commits / by this one */
    int64_t t_enq;                   /* pw_histo_now_ns() when queued */
    size_t n;
    pw_status status;
    pw_err err;
    int done;
    pw_spool_done_fn done_fn; /* async: called by the committer, then the request is freed */
    void *done_ctx;
    unsigned char *dups; /* n flags or NULL: 1 = the item was already spooled (ignored) */
    struct put_req *next;
} put_req;

/* A put (ingest), as opposed to a forwarder's ack or mark, which never lead a commit and are
 * not ingest load. */
static inline int put_req_is_put(const put_req *r)
{
    return !r->ack_ids && !r->mark_ids;
}

/* Where the time of the commit path and of the forwarders' turns on the connection goes
 * (pw_spool_metrics). */
typedef struct pw_spool_timing {
    pw_histo put_queue;   /* a put request queued until a leader takes its batch */
    pw_histo put_lock;    /* the leader waiting for db_mu (a forwarder holds it) */
    pw_histo put_write;   /* BEGIN and the batch's INSERTs */
    pw_histo put_commit;  /* COMMIT: WAL write + fsync (+ an inline checkpoint) */
    pw_histo put_total;   /* queued until its completion runs */
    pw_histo lease_hold;  /* a lease holding db_mu */
    pw_histo ack_write;   /* a group commit settling acks (their UPDATEs and DELETEs) */
    pw_histo ack_total;   /* an ack request queued until all of it is committed */
    pw_histo mark_total;  /* a send's mark (pw_spool_mark_sending) queued until committed */
    pw_histo other_hold;  /* retry / dead letter / stats holding db_mu */
    pw_histo ckpt_finish; /* the checkpointer's final pass, holding db_mu */
    pw_histo ckpt_inline; /* checkpoints run by a committing thread (the WAL hook) */
    atomic_ullong commits, requests, items;
    atomic_ullong gathers; /* group commits whose leader waited load_gather_us first */
} pw_spool_timing;

struct pw_spool {
    sqlite3 *db;
    char *path;
    int lock_fd;           /* gw_lock.h: one gateway per spool; closed after the database */
    pthread_mutex_t db_mu; /* the connection and every in-memory index below */
    uint64_t max_bytes;
    uint64_t bytes;
    uint64_t reserve;              /* disk bytes puts leave free for acks, retries, dead letters */
    uint64_t put_room;             /* this commit: what puts may still take of the disk and the
                                      file's free pages (UINT64_MAX: unknown) */
    uint64_t put_disk;             /* of which on the disk itself, beyond the reserve */
    atomic_ullong reserve_refused; /* put requests refused to keep the reserve */
    atomic_ullong free_page_bytes; /* the file's free pages at the last put commit (put_room) */
    int64_t wal_truncated_ms;      /* last TRUNCATE checkpoint to give the WAL's disk back */
    unsigned commit_interval_ms;
    unsigned load_gather_us; /* pw_spool_opts.load_gather_us */
    size_t last_batch;       /* put requests the last group commit took (q_mu) */
    int load_fast;           /* the last full window saw PW_SPOOL_LOAD_PER_MS or more (q_mu) */
    int64_t load_win_ns;     /* the current window's start (q_mu; 0: none yet) */
    uint64_t load_win_puts;  /* put requests taken in it (q_mu) */

    pthread_mutex_t q_mu;     /* the pending list and the committer's state */
    sem_t q_wake;             /* committer: work arrived or stop (posted without q_mu) */
    pthread_cond_t done_cond; /* callers: a commit finished */
    sem_t gather_wake;        /* a leader waiting for companions: the batch is full, or stop */
    int committing;           /* a leader is committing (or gathering) a batch */
    put_req *head, *tail;
    size_t pending;
    int stop;
    /* Asynchronous puts (the HTTP threads' requests) arrive here without q_mu: a thread that
     * holds q_mu (the committer, a forwarder's mark or ack) and is preempted or woken late
     * must not stop every HTTP thread (docs/gateway.md, "The paced p99 ... a lock"). The
     * committer moves them to the pending list (inbox_take, q_mu held) before it looks at it.
     * The committer's waits are on semaphores, so that waking it needs no lock either.
     * A thread sets idle_waiting / gather_need before its last look at the inbox and waits on
     * its semaphore after it, so a put that finds them unset is seen by that look, and one
     * that finds them set posts the semaphore: no put ever waits for q_mu. */
    _Atomic(put_req *) inbox; /* newest first */
    atomic_int inbox_n;       /* puts in it */
    atomic_int idle_waiting;  /* the committer waits on q_wake for work */
    atomic_int gather_need;   /* a leader waits on gather_wake for this many more (0: none) */
    atomic_int pushing;       /* puts between their look at `closing` and their push */
    atomic_int closing;       /* pw_spool_close began: no more puts */
    pthread_t committer;
    int committer_running;
    sqlite3_stmt *stmts[SQL_COUNT]; /* under db_mu */
    pw_spool_ckpt *ckpt;            /* background WAL checkpoints, NULL: SQLite's own */

    /* In memory, under db_mu, rebuilt by the open scan. */
    uint64_t hash_key[2]; /* random per open: the key index is never written anywhere */
    pw_spool_map keys;    /* hash(event_id) → ev.id of every row (tombstones too) */
    pw_spool_dest *dests;
    size_t n_dests;
    int64_t last_row; /* highest ev.id: never purged, so rowids only grow */
    /* The order of send marks and retry rows (their `seq`), by one counter that only grows (set
     * above every stored retry.seq at open): recovery tells an outcome written after a mark by
     * it, whatever the wall clock did in between. Under db_mu. */
    int64_t write_order;
    /* The schedule clock (pw_spool_clock_ms): CLOCK_MONOTONIC plus this offset, the wall
     * clock's lead over it at open (ns). */
    int64_t clock_offset_ns;
    int heartbeat_table;    /* table clock_mark created (pw_spool_heartbeat), under db_mu */
    int64_t mark_ms;        /* the clock_mark this run wrote last (0: none), under db_mu */
    int64_t purge_lo;       /* rows below it are queued, or gone, or were young when looked at */
    int64_t purge_young_ms; /* created_ms of the young row at purge_lo (0: none) */
    unsigned acks_since_purge;
    /* Groups: the rows written by one group commit share one body row (their payloads one after
     * the other), keyed by the group's first row; it goes once none of them is queued. */
    pw_spool_map groups;         /* group → rows still queued (val), bytes of its body (aux) */
    pw_spool_keyrows new_groups; /* groups added by the open transaction, for its rollback */
    char *gbody;                 /* the open group's payloads, written when the group closes */
    size_t gbody_len, gbody_cap;
    int64_t gid;    /* the open group (0: none) */
    int64_t g_rows; /* its rows */
    char *scratch;  /* a put's body, an ack's JSON array */
    size_t scratch_cap;
    pw_spool_keyrows undo; /* rows inserted by the open transaction, for its rollback */
    /* The open transaction's ev rows not yet written (spool_sqlite_put.c): written by
     * multi-row INSERTs (row_chunks there) before anything reads ev and before COMMIT, with
     * the ids SQLite would have given them (the table's highest id + 1 on). */
    struct pw_spool_row *rows;
    size_t n_rows, rows_cap;
    int64_t next_id;       /* the id of the next ev row (0: not read yet in this transaction) */
    pw_status rows_failed; /* writing them failed: the transaction fails (rows_err says why) */
    pw_err rows_err;
    sqlite3_stmt *ins_rows[3]; /* INSERTs of 16, 4 and 1 rows (pw_spool_rows_free) */
    int64_t page_size; /* the file's page size (0: not read yet; fixed once the file exists) */
    /* What checking a put request found, reused when it is written (spool_sqlite_put.c). */
    struct pw_spool_planned *planned;
    size_t planned_cap;
    unsigned char *planned_dup; /* per item: not new when checked */
    size_t planned_dup_cap;
    pw_spool_dest **planned_dest; /* per item: its destination (s->dests: no dest is added
                                     between the two passes of a request) */
    size_t planned_dest_cap;
    pw_spool_timing timing;
    atomic_int commit_waiting; /* a group commit is waiting for db_mu */
};

/* A group commit's leader taking db_mu (announced in commit_waiting). */
void pw_spool_lock_for_commit(pw_spool *s);
/* Called without db_mu between two turns of a long holder (a lease): if a commit waits for the
 * lock, give it the chance to take it first (pthread mutexes are not fair), for at most 2 ms. */
void pw_spool_let_commit_in(pw_spool *s);

/* Background checkpoints (spool_sqlite_ckpt.c): started once the schema is ready, stopped
 * before the connection closes. Without them SQLite's automatic checkpoint remains. */
void pw_spool_ckpt_start(pw_spool *s, const char *path);
/* Free bytes on the spool's disk (statvfs, for unprivileged users); UINT64_MAX when unknown. */
uint64_t pw_spool_disk_free(const pw_spool *s);
void pw_spool_ckpt_stop(pw_spool *s);

/* Schema (spool_sqlite_schema.c): create, or migrate an older layout, or refuse (db_mu not
 * needed: called before the spool is shared). */
pw_status pw_spool_schema_ready(pw_spool *s, pw_err *err);
/* The open scan: bytes, depths, cursors and the key index from the rows. */
pw_status pw_spool_load(pw_spool *s, pw_err *err);

/* Helpers; callers hold db_mu. */
pw_status pw_spool_db_fail(pw_spool *s, pw_err *err, const char *what);
pw_status pw_spool_exec(pw_spool *s, const char *sql, pw_err *err);
/* The most new bytes (as pw_spool_item_bytes counts them) one put request may add, given what
 * max_bytes leaves (UINT64_MAX: no bound), the disk's free bytes beyond the reserve and the
 * file's free pages (disk UINT64_MAX: not known, no bound). A commit of b bytes needs about 2b +
 * 16 KiB (pages and WAL frames): b + 16 KiB of it on the disk itself (the WAL is appended there
 * first), the rest may be free pages. The put's check and /healthz both use this. */
static inline uint64_t pw_spool_room_of(uint64_t max_left, uint64_t disk, uint64_t free_pages)
{
    uint64_t room = max_left;
    if (disk == UINT64_MAX)
        return room;
    uint64_t on_disk = disk > 16384 ? disk - 16384 : 0;
    uint64_t all = disk + free_pages > 16384 ? (disk + free_pages - 16384) / 2 : 0;
    if (on_disk < room)
        room = on_disk;
    return all < room ? all : room;
}

uint64_t pw_spool_item_bytes(size_t eid_len, size_t dest_len, size_t payload_len, int queued);
/* The prepared statement `which`, reset with its bindings cleared; NULL if it cannot be
 * prepared (the connection's error says why). */
sqlite3_stmt *pw_spool_stmt(pw_spool *s, enum pw_spool_sql which);
/* BEGIN IMMEDIATE of a transaction whose COMMIT is synced (synchronous=FULL throughout). */
pw_status pw_spool_begin(pw_spool *s, pw_err *err);
/* fn in one synced transaction (pw_spool_begin … COMMIT), rolled back when fn or the COMMIT fails;
 * takes db_mu itself (callers do not hold it). */
typedef pw_status (*pw_spool_txn_fn)(pw_spool *s, void *ctx, pw_err *err);
pw_status pw_spool_in_txn(pw_spool *s, pw_spool_txn_fn fn, void *ctx, pw_err *err);
/* Does the file have table `name` (one created when first needed: held_audit, gate)? */
int pw_spool_has_table(pw_spool *s, const char *name);
/* Run a statement without parameters (BEGIN, COMMIT…) to completion. */
pw_status pw_spool_run(pw_spool *s, enum pw_spool_sql which, pw_err *err);
/* The destination of that name/id, NULL if unknown. */
pw_spool_dest *pw_spool_dest_by_name(pw_spool *s, const char *name);
pw_spool_dest *pw_spool_dest_by_id(pw_spool *s, int64_t id);
/* Register a destination name (its own synced transaction when new). */
pw_status pw_spool_dest_add(pw_spool *s, const char *name, pw_spool_dest **out, pw_err *err);
/* A scratch buffer of at least n bytes (NULL: out of memory). */
char *pw_spool_scratch(pw_spool *s, size_t n);
/* "[a,b,c]" of n integers into the scratch buffer (NULL: out of memory). */
const char *pw_spool_json_ids(pw_spool *s, const int64_t *v, size_t n);

/* Write every request of the list in one transaction (spool_sqlite_put.c); sets each status. */
void pw_spool_commit_requests(pw_spool *s, put_req *list);
/* Free the buffered rows and their statements (spool_destroy). */
void pw_spool_rows_free(pw_spool *s);

#define PW_SPOOL_ACKS_PER_COMMIT 128  /* bounds what acks add to a commit the puts wait for */
#define PW_SPOOL_ACKS_ALONE      1024 /* … and to a commit of acks only (a put may come) */

/* The acks of a group commit (spool_sqlite_lease.c), written inside its open transaction under
 * a savepoint of their own: should they fail, only the ack requests fail (their status) and the
 * puts still commit. pw_spool_acks_done applies them to memory once the COMMIT is known. */
typedef struct pw_spool_ackset {
    int64_t *ids;
    size_t n;
    void *settle; /* the in-memory changes waiting for the COMMIT */
} pw_spool_ackset;
pw_status pw_spool_acks_write(pw_spool *s, put_req *list, pw_spool_ackset *a, pw_err *err);
void pw_spool_acks_done(pw_spool *s, put_req *list, pw_spool_ackset *a, int committed);
/* The marks of a group commit (spool_sqlite_mark.c), inside its open transaction under a
 * savepoint of their own (a failure fails only the mark requests). */
pw_status pw_spool_marks_write(pw_spool *s, put_req *list, pw_err *err);
/* At open, after the scan: the items of the marks left by a run that stopped mid-send and that
 * no outcome settled since count as attempted (retry rows, first attempt at the mark). */
pw_status pw_spool_marks_recover(pw_spool *s, pw_err *err);
/* Queue an ack request into the group commit and wait until all of it is committed
 * (spool_sqlite.c). */
pw_status pw_spool_ack_grouped(pw_spool *s, const int64_t *ids, size_t n, pw_err *err);

/* A retry due at `due` (schedule clock) is written in the current transaction (db_mu held): when
 * it is due before the next heartbeat could be relied on (PW_SPOOL_HEARTBEAT_MS) and later than
 * the mark, the mark becomes its due time in the same transaction, so a crash before it is due
 * leaves it due at once after a restart with the wall clock set back, never late. Returns the
 * mark written (0: none; *st says whether the write failed); pass it to pw_spool_mark_committed
 * once the transaction is committed. */
int64_t pw_spool_mark_due(pw_spool *s, int64_t due, pw_err *err, pw_status *st);
void pw_spool_mark_committed(pw_spool *s, int64_t due);

#endif
