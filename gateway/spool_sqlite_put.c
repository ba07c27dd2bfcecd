/*
 * spool_sqlite_put.c — writing a group of put requests into one transaction of the SQLite spool
 * (the group commit itself is in spool_sqlite.c).
 *
 * The items of one event (consecutive items with the same event_id) become one `ev` row (its
 * destinations and payload lengths in `dests`, one pending bit per destination); the payloads of
 * every row of the transaction go one after the other into one `body` row (a group, up to
 * PW_SPOOL_GROUP_MAX_BYTES), keyed by the group's first row, which the others name (grp) with
 * their offset in it (off). Items whose (event_id, destination) is already spooled
 * are skipped: the in-memory key index finds the rows of an event_id without any SQL index, and
 * only for a repeated event are those rows read back. A request is all-or-nothing against the
 * size bound: its bytes are counted before anything of it is written.
 */
#include <stdlib.h>
#include <string.h>

#include "gw_time.h"
#include "spool_sqlite_internal.h"

typedef struct event_run {
    const pw_spool_put_item *items; /* the event's items */
    size_t n;
    uint64_t hash;
    size_t eid_len;
    const pw_spool_put_item *chosen[PW_SPOOL_MAX_POS]; /* not yet spooled */
    pw_spool_dest *dest[PW_SPOOL_MAX_POS];
    int n_chosen;
} event_run;

static pw_status validate_items(pw_spool *s, const pw_spool_put_item *items, size_t n, pw_err *err)
{
    for (size_t i = 0; i < n; i++) {
        pw_spool_dest *d = NULL;
        if (!items[i].event_id || !items[i].event_id[0])
            return pw_err_set(err, PW_ERR_INVALID, "spool: item %zu: empty event_id", i);
        if (strlen(items[i].event_id) > PW_SPOOL_MAX_EVENT_ID)
            return pw_err_set(err, PW_ERR_INVALID, "spool: item %zu: event_id longer than %d bytes",
                              i, PW_SPOOL_MAX_EVENT_ID);
        if (!items[i].destination || !items[i].destination[0])
            return pw_err_set(err, PW_ERR_INVALID, "spool: item %zu: empty destination", i);
        if (items[i].payload_len > 0x7fffffff)
            return pw_err_set(err, PW_ERR_LIMIT, "spool: item %zu: payload too large", i);
        pw_status st = pw_spool_dest_add(s, items[i].destination, &d, err);
        if (st != PW_OK)
            return st;
    }
    return PW_OK;
}

/* An ev row of the open transaction, written by flush_rows. */
typedef struct pw_spool_row {
    int64_t id, created, pending, grp, off; /* grp 0: NULL (the row opens its group) */
    int64_t consent;
    const char *event_id; /* the put request's: it outlives the commit */
    int eid_len, dests_len;
    int has_consent; /* 0: consent NULL (not recorded) */
    unsigned char dests[PW_SPOOL_MAX_POS * PW_SPOOL_DEST_BYTES];
} pw_spool_row;

/* Rows per multi-row INSERT, largest first: one statement instead of one per row saves each
 * row the statement's start and end (its transaction check, cursor, halt and reset). */
static const int row_chunks[3] = {16, 4, 1};
#define ROW_COLUMNS 7

void pw_spool_rows_free(pw_spool *s)
{
    for (size_t i = 0; i < sizeof s->ins_rows / sizeof s->ins_rows[0]; i++) {
        sqlite3_finalize(s->ins_rows[i]);
        s->ins_rows[i] = NULL;
    }
    free(s->rows);
    s->rows = NULL;
    s->n_rows = s->rows_cap = 0;
}

/* The INSERT of row_chunks[c] rows, prepared once. */
static sqlite3_stmt *rows_stmt(pw_spool *s, int c)
{
    if (s->ins_rows[c]) {
        sqlite3_reset(s->ins_rows[c]);
        return s->ins_rows[c];
    }
    static const char head[] =
        "INSERT INTO ev(created_ms, pending, dests, event_id, grp, off, consent) VALUES";
    static const char one[] = "(?,?,?,?,?,?,?)";
    char sql[sizeof head + 16 * sizeof one + 16];
    size_t n = sizeof head - 1;
    memcpy(sql, head, n);
    for (int i = 0; i < row_chunks[c]; i++) {
        if (i)
            sql[n++] = ',';
        memcpy(sql + n, one, sizeof one - 1);
        n += sizeof one - 1;
    }
    sql[n] = '\0';
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v3(s->db, sql, (int)n, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK) {
        sqlite3_finalize(st);
        return NULL;
    }
    s->ins_rows[c] = st;
    return st;
}

static void bind_row(sqlite3_stmt *st, int at, const pw_spool_row *r)
{
    sqlite3_bind_int64(st, at + 1, r->created);
    sqlite3_bind_int64(st, at + 2, r->pending);
    sqlite3_bind_blob(st, at + 3, r->dests, r->dests_len, SQLITE_STATIC);
    sqlite3_bind_text(st, at + 4, r->event_id, r->eid_len, SQLITE_STATIC);
    if (r->grp) {
        sqlite3_bind_int64(st, at + 5, r->grp);
        sqlite3_bind_int64(st, at + 6, r->off);
    } else {
        sqlite3_bind_null(st, at + 5);
        sqlite3_bind_null(st, at + 6);
    }
    if (r->has_consent)
        sqlite3_bind_int64(st, at + 7, r->consent);
    else
        sqlite3_bind_null(st, at + 7);
}

/* A failed write of the buffered rows: kept (rows_failed, rows_err) until the transaction ends,
 * which it fails — SQLite may have rolled the transaction back already, so nothing more of it
 * may be written. */
static pw_status rows_fail(pw_spool *s, pw_status st, pw_err *err)
{
    s->rows_failed = st;
    if (err)
        *err = s->rows_err;
    return st;
}

/* Write the buffered rows (db_mu held, inside the transaction). A failure fails the
 * transaction: every later call returns it (err NULL: only kept). */
static pw_status flush_rows(pw_spool *s, pw_err *err)
{
    if (s->rows_failed)
        return rows_fail(s, s->rows_failed, err);
    size_t i = 0;
    for (int c = 0; c < 3; c++) {
        size_t k = (size_t)row_chunks[c];
        while (s->n_rows - i >= k) {
            sqlite3_stmt *st = rows_stmt(s, c);
            if (!st)
                return rows_fail(s, pw_spool_db_fail(s, &s->rows_err, "prepare insert"), err);
            for (size_t r = 0; r < k; r++)
                bind_row(st, (int)r * ROW_COLUMNS, &s->rows[i + r]);
            int rc = sqlite3_step(st);
            sqlite3_reset(st);
            if (rc != SQLITE_DONE)
                return rows_fail(s, pw_spool_db_fail(s, &s->rows_err, "insert"), err);
            i += k;
            /* SQLite numbered them (its highest id + 1 on: as fast as an append gets, where a
             * given id is looked up first); the group's rows were told their group's id before,
             * so the numbers must be the ones take_id counted. */
            if (sqlite3_last_insert_rowid(s->db) != s->rows[i - 1].id)
                return rows_fail(s,
                                 pw_err_set(&s->rows_err, PW_ERR_IO,
                                            "spool: insert: row %lld numbered %lld, not as counted",
                                            (long long)s->rows[i - 1].id,
                                            (long long)sqlite3_last_insert_rowid(s->db)),
                                 err);
        }
    }
    s->n_rows = 0;
    return PW_OK;
}

/* The id the next ev row takes: what SQLite gives a row inserted without one (the table's
 * highest id + 1; ev has no AUTOINCREMENT), read once per transaction and counted on from
 * there (flush_rows checks it). */
static pw_status take_id(pw_spool *s, int64_t *id, pw_err *err)
{
    if (!s->next_id) {
        sqlite3_stmt *st = pw_spool_stmt(s, SQL_MAX_ID);
        if (!st)
            return pw_spool_db_fail(s, err, "prepare insert");
        int rc = sqlite3_step(st);
        int64_t max = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
        sqlite3_reset(st);
        if (rc != SQLITE_ROW)
            return pw_spool_db_fail(s, err, "insert");
        s->next_id = max + 1;
    }
    *id = s->next_id++;
    return PW_OK;
}

/* A row slot at the end of the buffer (NULL: out of memory). */
static pw_spool_row *row_slot(pw_spool *s)
{
    if (s->n_rows == s->rows_cap) {
        size_t cap = s->rows_cap ? 2 * s->rows_cap : 64;
        pw_spool_row *p = realloc(s->rows, cap * sizeof *p);
        if (!p)
            return NULL;
        s->rows = p;
        s->rows_cap = cap;
    }
    return &s->rows[s->n_rows++];
}

/* 1 if destination `dest` is already spooled for this event (a row with the same event_id). */
static int already_spooled(pw_spool *s, const event_run *r, int64_t dest)
{
    for (pw_spool_slot *k = pw_spool_map_find(&s->keys, r->hash, -1); k;
         k = pw_spool_map_next(&s->keys, k)) {
        /* The rows of this transaction first (a failure fails it: rows_failed). */
        if (s->n_rows && flush_rows(s, NULL) != PW_OK)
            return 0;
        sqlite3_stmt *st = pw_spool_stmt(s, SQL_ROW_DESTS);
        if (!st)
            return 0;
        sqlite3_bind_int64(st, 1, k->val);
        sqlite3_bind_text(st, 2, r->items[0].event_id, (int)r->eid_len, SQLITE_STATIC);
        int found = 0;
        if (sqlite3_step(st) == SQLITE_ROW) {
            pw_spool_pos pos[PW_SPOOL_MAX_POS];
            int n =
                pw_spool_parse_dests(sqlite3_column_blob(st, 0), sqlite3_column_bytes(st, 0), pos);
            for (int i = 0; i < n && !found; i++)
                found = pos[i].dest == dest;
        }
        sqlite3_reset(st);
        if (found)
            return 1;
    }
    return 0;
}

/* Which items of the run are new; adds their bytes to *bytes. dups (the run's n flags, or
 * NULL) tells which were not: already spooled, or repeated within the run. known (or NULL): what
 * an earlier look at the same run found in this transaction; the key index has only grown since,
 * so a flagged item is still not new, and an unflagged one needs looking up again only when
 * recheck (a row with the run's event_id was inserted since). dest_of (or NULL): the items'
 * destinations, found by name and kept there when known is NULL, taken from there when not. */
static pw_status plan_run(pw_spool *s, event_run *r, const unsigned char *known, int recheck,
                          uint64_t *bytes, unsigned char *dups, pw_spool_dest **dest_of,
                          pw_err *err)
{
    r->n_chosen = 0;
    for (size_t i = 0; i < r->n; i++) {
        pw_spool_dest *d =
            known && dest_of ? dest_of[i] : pw_spool_dest_by_name(s, r->items[i].destination);
        if (!known && dest_of)
            dest_of[i] = d;
        int dup = !d;
        for (int k = 0; k < r->n_chosen && !dup; k++)
            dup = r->dest[k] == d;
        if (!dup && known)
            dup = known[i] || (recheck && already_spooled(s, r, d->id));
        else if (!dup)
            dup = already_spooled(s, r, d->id);

        if (dups)
            dups[i] = (unsigned char)dup;
        if (dup)
            continue;
        if (s->rows_failed)
            return flush_rows(s, err);
        if (r->n_chosen == PW_SPOOL_MAX_POS)
            return pw_err_set(err, PW_ERR_LIMIT, "spool: event %s: more than %d destinations",
                              r->items[0].event_id, PW_SPOOL_MAX_POS);
        r->chosen[r->n_chosen] = &r->items[i];
        r->dest[r->n_chosen++] = d;
        *bytes += pw_spool_item_bytes(r->eid_len, d->name_len, r->items[i].payload_len, 1);
    }
    return PW_OK;
}

/* The run of items starting at items[0]: every following item with the same event_id. */
static event_run next_run(pw_spool *s, const pw_spool_put_item *items, size_t left)
{
    event_run r = {.items = items, .n = 1, .eid_len = strlen(items[0].event_id)};
    while (r.n < left && strcmp(items[r.n].event_id, items[0].event_id) == 0)
        r.n++;
    r.hash = pw_spool_key_hash(s->hash_key, items[0].event_id, r.eid_len);
    return r;
}

static int remember_insert(pw_spool *s, uint64_t hash, int64_t row)
{
    if (!pw_spool_keyrows_push(&s->undo, hash, row))
        return 0;
    return pw_spool_map_add(&s->keys, hash, row, 0);
}

/* Room for n more bytes of the open group's payloads. */
static int gbody_room(pw_spool *s, size_t n)
{
    if (s->gbody_len + n <= s->gbody_cap)
        return 1;
    size_t cap = s->gbody_cap ? s->gbody_cap : 16384;
    while (cap < s->gbody_len + n)
        cap *= 2;
    char *p = realloc(s->gbody, cap);
    if (!p)
        return 0;
    s->gbody = p;
    s->gbody_cap = cap;
    return 1;
}

/* Write the open group's body row (all its rows' payloads, keyed by its first row) and count
 * it in memory; nothing to do when no group is open. */
static pw_status close_group(pw_spool *s, pw_err *err)
{
    if (!s->gid)
        return PW_OK;
    sqlite3_stmt *st = pw_spool_stmt(s, SQL_INSERT_BODY);
    if (!st)
        return pw_spool_db_fail(s, err, "prepare insert");
    sqlite3_bind_int64(st, 1, s->gid);
    sqlite3_bind_blob(st, 2, s->gbody_len ? s->gbody : "", (int)s->gbody_len, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return pw_spool_db_fail(s, err, "insert");
    if (!pw_spool_keyrows_push(&s->new_groups, (uint64_t)s->gid, -1) ||
        !pw_spool_map_add(&s->groups, (uint64_t)s->gid, s->g_rows, (int64_t)s->gbody_len))
        return pw_err_set(err, PW_ERR_NOMEM, "spool: out of memory");
    s->gid = 0;
    s->gbody_len = 0;
    s->g_rows = 0;
    return PW_OK;
}

/* One ev row for the event; its payloads join the open group's body (the first row of a group
 * names the body: grp and off stay NULL, as in a version-2 row with a body of its own). */
static pw_status insert_run(pw_spool *s, const event_run *r, pw_err *err)
{
    size_t body_len = 0;
    for (int i = 0; i < r->n_chosen; i++)
        body_len += r->chosen[i]->payload_len;
    if (!gbody_room(s, body_len))
        return pw_err_set(err, PW_ERR_NOMEM, "spool: out of memory");
    int64_t row = 0;
    pw_status st = take_id(s, &row, err);
    if (st != PW_OK)
        return st;
    pw_spool_row *v = row_slot(s);
    if (!v)
        return pw_err_set(err, PW_ERR_NOMEM, "spool: out of memory");
    size_t off = s->gbody_len;
    for (int i = 0; i < r->n_chosen; i++) {
        unsigned char *p = v->dests + i * PW_SPOOL_DEST_BYTES;
        uint32_t len = (uint32_t)r->chosen[i]->payload_len;
        p[0] = (unsigned char)r->dest[i]->id;
        p[1] = (unsigned char)(r->dest[i]->id >> 8);
        for (int b = 0; b < 4; b++)
            p[2 + b] = (unsigned char)(len >> (8 * b));
        if (len)
            memcpy(s->gbody + s->gbody_len, r->chosen[i]->payload, len);
        s->gbody_len += len;
    }
    v->id = row;
    v->created = r->items[0].created_ms ? r->items[0].created_ms : pw_gw_now_ms();
    v->pending = PW_SPOOL_PENDING_BASE | (int64_t)((1ull << r->n_chosen) - 1);
    v->dests_len = r->n_chosen * PW_SPOOL_DEST_BYTES;
    v->event_id = r->items[0].event_id;
    v->eid_len = (int)r->eid_len;
    v->grp = s->gid; /* 0: this row opens the group (grp and off NULL) */
    v->off = (int64_t)off;
    v->has_consent = r->items[0].consent != 0; /* else NULL: not recorded */
    v->consent = (int64_t)(r->items[0].consent & 7u);
    if (!s->gid)
        s->gid = row;
    s->g_rows++;
    if (!remember_insert(s, r->hash, row))
        return pw_err_set(err, PW_ERR_NOMEM, "spool: out of memory");
    for (int i = 0; i < r->n_chosen; i++)
        r->dest[i]->depth_txn++;
    return s->gbody_len >= PW_SPOOL_GROUP_MAX_BYTES ? close_group(s, err) : PW_OK;
}

/* A run of a put request as pass 1 found it, for pass 2 (its items' flags in planned_dup). */
typedef struct pw_spool_planned {
    size_t n, eid_len;
    uint64_t hash;
} pw_spool_planned;

/* Room to remember the runs and item flags of a request of n items (runs ≤ items); 0: out of
 * memory, and pass 2 plans the request again instead. */
static int planned_room(pw_spool *s, size_t n)
{
    if (n > s->planned_cap) {
        pw_spool_planned *p = realloc(s->planned, n * sizeof *p);
        if (!p)
            return 0;
        s->planned = p;
        s->planned_cap = n;
    }
    if (n > s->planned_dup_cap) {
        unsigned char *d = realloc(s->planned_dup, n);
        if (!d)
            return 0;
        s->planned_dup = d;
        s->planned_dup_cap = n;
    }
    if (n > s->planned_dest_cap) {
        pw_spool_dest **d = realloc(s->planned_dest, n * sizeof *d);
        if (!d)
            return 0;
        s->planned_dest = d;
        s->planned_dest_cap = n;
    }
    return 1;
}

/* Pass 1: the request's new bytes; refused (nothing written) if it does not fit. Its runs and
 * what was found of each item are kept for pass 2 (*kept: 1), so that the event_ids are split,
 * hashed and looked up in the key index once per request, not twice. */
static pw_status check_request(pw_spool *s, put_req *r, uint64_t added, int *kept, pw_err *err)
{
    uint64_t mine = 0;
    pw_status st = PW_OK;
    *kept = planned_room(s, r->n);
    for (size_t i = 0, k = 0; i < r->n && st == PW_OK; k++) {
        event_run ev = next_run(s, r->items + i, r->n - i);
        st = plan_run(s, &ev, NULL, 0, &mine, *kept ? s->planned_dup + i : NULL,
                      *kept ? s->planned_dest + i : NULL, err);
        if (*kept)
            s->planned[k] = (pw_spool_planned){.n = ev.n, .eid_len = ev.eid_len, .hash = ev.hash};
        i += ev.n;
    }
    uint64_t used = s->bytes + added;
    uint64_t max_left = !s->max_bytes ? UINT64_MAX : s->max_bytes > used ? s->max_bytes - used : 0;
    if (st == PW_OK && mine > max_left)
        st = pw_err_set(err, PW_ERR_LIMIT,
                        "spool: full (%llu of %llu bytes used, %llu more asked): retry later",
                        (unsigned long long)used, (unsigned long long)s->max_bytes,
                        (unsigned long long)mine);
    /* The disk: what the batch writes (pages, WAL frames) must leave the reserve free, so that
     * delivery outcomes can always commit (pw_spool_room_of). Free pages count for the pages,
     * never the WAL frames: counting them for those let puts commit into the reserve until the
     * disk was full and acks failed. */
    uint64_t disk = s->put_room == UINT64_MAX ? UINT64_MAX : s->put_disk;
    uint64_t pages = s->put_room == UINT64_MAX ? 0 : s->put_room - s->put_disk;
    if (st == PW_OK && disk != UINT64_MAX &&
        added + mine > pw_spool_room_of(UINT64_MAX, disk, pages)) {
        atomic_fetch_add(&s->reserve_refused, 1);
        st = pw_err_set(err, PW_ERR_LIMIT,
                        "spool: disk nearly full (%llu bytes free beyond the %llu kept for "
                        "delivery outcomes, %llu in free pages of the spool): retry later",
                        (unsigned long long)s->put_disk, (unsigned long long)s->reserve,
                        (unsigned long long)pages);
    }
    return st;
}

/* Did this request insert a row with this hash since (undo entries from `from` on)? Then an
 * event_id repeated within the request, not consecutively, is looked up again. */
static int inserted_since(const pw_spool *s, size_t from, uint64_t hash)
{
    for (size_t i = from; i < s->undo.n; i++)
        if (s->undo.pairs[2 * i] == (int64_t)hash)
            return 1;
    return 0;
}

/* Pass 2: write the rows; a failure here fails the whole transaction. kept: pass 1's runs. */
static pw_status insert_request(pw_spool *s, put_req *r, int kept, uint64_t *added, pw_err *err)
{
    pw_status st = PW_OK;
    size_t undo_from = s->undo.n;
    for (size_t i = 0, k = 0; i < r->n && st == PW_OK; k++) {
        event_run ev;
        if (kept) {
            const pw_spool_planned *p = &s->planned[k];
            ev = (event_run){
                .items = r->items + i, .n = p->n, .hash = p->hash, .eid_len = p->eid_len};
        } else {
            ev = next_run(s, r->items + i, r->n - i);
        }
        st = plan_run(s, &ev, kept ? s->planned_dup + i : NULL,
                      kept && inserted_since(s, undo_from, ev.hash), added,
                      r->dups ? r->dups + i : NULL, kept ? s->planned_dest + i : NULL, err);
        if (st == PW_OK && ev.n_chosen)
            st = insert_run(s, &ev, err);
        i += ev.n;
    }
    return st;
}

/* After COMMIT (ok) or ROLLBACK: settle the in-memory side of the transaction. */
static void finish_txn(pw_spool *s, int ok, uint64_t added)
{
    for (size_t i = 0; i < s->n_dests; i++) {
        if (ok)
            s->dests[i].depth += s->dests[i].depth_txn;
        s->dests[i].depth_txn = 0;
    }
    s->gid = 0;
    s->gbody_len = 0;
    s->g_rows = 0;
    s->n_rows = 0;
    s->next_id = 0;
    s->rows_failed = PW_OK;
    if (ok) {
        s->bytes += added;
        if (s->undo.n)
            s->last_row = s->undo.pairs[2 * s->undo.n - 1];
        s->undo.n = 0;
        s->new_groups.n = 0;
    } else {
        pw_spool_keyrows_forget(&s->keys, &s->undo);
        pw_spool_keyrows_forget(&s->groups, &s->new_groups);
    }
}

/* The single value a prepared PRAGMA answers (0 if it fails). */
static uint64_t pragma_value(pw_spool *s, enum pw_spool_sql which)
{
    sqlite3_stmt *st = pw_spool_stmt(s, which);
    int64_t v = st && sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    if (st)
        sqlite3_reset(st);
    return v > 0 ? (uint64_t)v : 0;
}

/* What this commit's puts may take: the disk's free bytes beyond the reserve (also kept in
 * put_disk), plus the file's free pages (a drained spool reuses them without growing). One statvfs
 * and one read of the header page per group commit with puts. */
static uint64_t put_room(pw_spool *s)
{
    uint64_t free_bytes = pw_spool_disk_free(s);
    if (free_bytes == UINT64_MAX)
        return UINT64_MAX;
    int64_t now = pw_gw_mono_ms();
    if (free_bytes < s->reserve + (1u << 20) && now - s->wal_truncated_ms >= 1000) {
        /* Near the reserve: the WAL's frames, once checkpointed, are disk given back (a drained
         * spool's acks grew it into the reserve). At most once a second; a busy checkpoint
         * (a reader) simply leaves it for the next time. */
        s->wal_truncated_ms = now;
        sqlite3_exec(s->db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
        free_bytes = pw_spool_disk_free(s);
    }
    s->put_disk = free_bytes > s->reserve ? free_bytes - s->reserve : 0;
    /* The page size is read once: it cannot change once the file exists (WAL), and its PRAGMA
     * is prepared again at every step. */
    if (!s->page_size)
        s->page_size = (int64_t)pragma_value(s, SQL_PAGE_SIZE);
    uint64_t pages = pragma_value(s, SQL_FREE_PAGES) * (uint64_t)s->page_size;
    atomic_store(&s->free_page_bytes, pages); /* for /healthz (pw_spool_put_room) */
    return s->put_disk + pages;
}

void pw_spool_commit_requests(pw_spool *s, put_req *list)
{
    pw_err err = {0};
    uint64_t added = 0;
    pw_spool_timing *tm = &s->timing;
    int64_t t0 = pw_histo_now_ns();
    pw_spool_lock_for_commit(s);
    int64_t t1 = pw_histo_since(&tm->put_lock, t0);
    size_t n_req = 0, n_items = 0;
    for (put_req *r = list; r; r = r->next) { /* new destination names commit on their own */
        if (!put_req_is_put(r))
            continue;
        r->status = validate_items(s, r->items, r->n, &r->err);
        n_req++;
        n_items += r->n;
    }
    s->put_room = n_req && s->reserve ? put_room(s) : UINT64_MAX;
    pw_status st = pw_spool_begin(s, &err);
    for (put_req *r = list; r && st == PW_OK; r = r->next) {
        if (r->status != PW_OK || !put_req_is_put(r))
            continue;
        int kept = 0;
        if ((r->status = check_request(s, r, added, &kept, &r->err)) == PW_OK)
            st = insert_request(s, r, kept, &added, &err);
        else if (s->rows_failed) /* not the request's refusal: the transaction's failure */
            st = flush_rows(s, &err);
    }
    if (st == PW_OK)
        st = flush_rows(s, &err);
    if (st == PW_OK)
        st = close_group(s, &err);
    int64_t t2 = pw_histo_since(&tm->put_write, t1);
    pw_spool_ackset acks = {0};
    if (st == PW_OK)
        st = pw_spool_acks_write(s, list, &acks, &err);
    if (st == PW_OK)
        st = pw_spool_marks_write(s, list, &err);
    if (acks.n)
        t2 = pw_histo_since(&tm->ack_write, t2);
    if (st == PW_OK)
        st = pw_spool_run(s, SQL_COMMIT, &err);
    pw_histo_since(&tm->put_commit, t2);
    atomic_fetch_add_explicit(&tm->commits, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&tm->requests, n_req, memory_order_relaxed);
    atomic_fetch_add_explicit(&tm->items, n_items, memory_order_relaxed);
    if (st != PW_OK) {
        pw_spool_run(s, SQL_ROLLBACK, NULL);
        for (put_req *r = list; r; r = r->next) {
            r->status = st;
            r->err = err;
        }
    }
    finish_txn(s, st == PW_OK, added);
    pw_spool_acks_done(s, list, &acks, st == PW_OK);
    pthread_mutex_unlock(&s->db_mu);
}
