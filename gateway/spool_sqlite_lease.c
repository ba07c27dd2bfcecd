/*
 * spool_sqlite_lease.c — the consumer half of the SQLite spool (see spool_sqlite.c for
 * durability and the "post-policy data only" rule, spool_sqlite_schema.c for the layout):
 * forwarders lease due items of their destination, then settle them.
 *
 * A lease writes nothing: it lives in the destination's in-memory lease map (item → until,
 * attempts) and ends with the process, so a crash mid-delivery simply makes the items due again.
 * Due items come, in this order, from expired leases, from the `retry` table (rescheduled after
 * a failure) and from a scan of `ev` that starts at the destination's cursor (rows below it were
 * seen by an earlier lease), in rowid order.
 *
 * Settling, each one synced transaction per call: ack clears the destination's pending bit with
 * one UPDATE per run of consecutive rows (one per batch when the lease handed out consecutive
 * rows), what it needs to know of each item coming from its lease, and deletes the payloads of
 * the events left with no bit (tombstones), retry upserts a `retry` row, dead copies the item into
 * `dead` and clears its bit. Acks also purge tombstones older than the idempotency horizon, a rowid
 * range at a time.
 *
 * `attempts` counts leases: an item handed out carries the number of the attempt it is being
 * leased for (1 for the first delivery), which the forwarders' backoff uses.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gw_time.h"
#include "spool_sqlite_internal.h"

/* Changes of one settling transaction, applied to memory only once it has committed. */
typedef struct settle {
    int64_t bytes_in, bytes_out;
    uint64_t *depth_out;   /* per s->dests index */
    pw_spool_keyrows gone; /* deleted rows */
    int64_t purge_lo, purge_young_ms;
} settle;

static int settle_init(pw_spool *s, settle *t)
{
    memset(t, 0, sizeof *t);
    t->purge_lo = s->purge_lo;
    t->purge_young_ms = s->purge_young_ms;
    t->depth_out = calloc(s->n_dests + 1, sizeof *t->depth_out);
    return t->depth_out != NULL;
}

static void settle_free(settle *t)
{
    free(t->depth_out);
    free(t->gone.pairs);
}

static void uncount_bytes(pw_spool *s, int64_t b)
{
    s->bytes = b < 0 || s->bytes > (uint64_t)b ? s->bytes - (uint64_t)b : 0;
}

/* After COMMIT: bytes, depths, the key index, the purge cursor, the items' leases. */
static void settle_apply(pw_spool *s, settle *t, const int64_t *items, size_t n)
{
    s->bytes += (uint64_t)t->bytes_in;
    uncount_bytes(s, t->bytes_out);
    for (size_t i = 0; i < s->n_dests; i++)
        s->dests[i].depth -=
            t->depth_out[i] < s->dests[i].depth ? t->depth_out[i] : s->dests[i].depth;
    pw_spool_keyrows_forget(&s->keys, &t->gone);
    s->purge_lo = t->purge_lo;
    s->purge_young_ms = t->purge_young_ms;
    for (size_t i = 0; i < n; i++)
        for (size_t d = 0; d < s->n_dests; d++) {
            pw_spool_slot *l = pw_spool_map_find(&s->dests[d].leases, (uint64_t)items[i], -1);
            if (l) {
                pw_spool_map_del(&s->dests[d].leases, l);
                break;
            }
        }
}

/* A lease map entry's aux: the attempt number, the payload and event_id lengths (what an ack of
 * the item needs without reading its row). */
#define LEASE_AUX(attempts, len, eid_len)                                          \
    ((int64_t)((attempts) > 0xffff ? 0xffff : (attempts)) | (int64_t)(len) << 16 | \
     (int64_t)((eid_len)&0x7fff) << 48)
#define LEASE_ATTEMPTS(aux) ((int)((aux)&0xffff))
#define LEASE_LEN(aux)      ((uint32_t)((aux) >> 16))
#define LEASE_EID_LEN(aux)  ((uint32_t)((aux) >> 48) & 0x7fff)

static size_t dest_index(pw_spool *s, const pw_spool_dest *d)
{
    return (size_t)(d - s->dests);
}

/* ---- leasing ------------------------------------------------------------------------------ */

/* Columns of SQL_ROW / SQL_SCAN_FROM: id, created_ms, pending, dests, event_id, body. */
typedef struct row_view {
    int64_t id, created_ms;
    uint64_t pending;
    pw_spool_pos pos[PW_SPOOL_MAX_POS];
    int n_pos;
} row_view;

static int read_view(sqlite3_stmt *st, row_view *v)
{
    v->id = sqlite3_column_int64(st, 0);
    v->created_ms = sqlite3_column_int64(st, 1);
    v->pending = (uint64_t)(sqlite3_column_int64(st, 2) & ~PW_SPOOL_PENDING_BASE);
    v->n_pos =
        pw_spool_parse_dests(sqlite3_column_blob(st, 3), sqlite3_column_bytes(st, 3), v->pos);
    return v->n_pos > 0;
}

/* The position of destination d in the row if it is queued there, else -1. */
static int queued_pos(const row_view *v, const pw_spool_dest *d)
{
    for (int i = 0; i < v->n_pos; i++)
        if (v->pos[i].dest == d->id)
            return (v->pending >> i) & 1 ? i : -1;
    return -1;
}

typedef struct lease_out {
    pw_spool_item *items;
    size_t n, max, cap; /* cap: room in items, grown as items are handed out */
    int64_t now, until;
} lease_out;

/* Room for one more item. The array grows with what is found rather than being sized for the
 * largest lease (Meta's 4000 items, ~224 KB zeroed on every idle poll). */
static int lease_room(lease_out *o)
{
    if (o->n < o->cap)
        return 1;
    size_t cap = o->cap ? o->cap * 2 : 64;
    if (cap > o->max)
        cap = o->max;
    pw_spool_item *items = realloc(o->items, cap * sizeof *items);
    if (!items)
        return 0;
    o->items = items;
    o->cap = cap;
    return 1;
}

/* One allocation per item: event_id, destination and payload (NUL-terminated) one after the
 * other, owned through event_id. */
static int copy_item(sqlite3_stmt *st, const row_view *v, int p, const pw_spool_dest *d,
                     int attempts, pw_spool_item *it)
{
    const char *eid = (const char *)sqlite3_column_text(st, 4);
    size_t n_eid = (size_t)sqlite3_column_bytes(st, 4);
    const char *body = sqlite3_column_blob(st, 5);
    size_t n_body = (size_t)sqlite3_column_bytes(st, 5);
    size_t off = v->pos[p].off, len = v->pos[p].len;
    if (off + len > n_body || (len && !body))
        return 0;
    char *block = malloc(n_eid + d->name_len + len + 3);
    if (!block)
        return 0;
    memcpy(block, eid ? eid : "", n_eid);
    block[n_eid] = '\0';
    char *dest = block + n_eid + 1, *payload = dest + d->name_len + 1;
    memcpy(dest, d->name, d->name_len + 1);
    if (len)
        memcpy(payload, body + off, len);
    payload[len] = '\0';
    *it = (pw_spool_item){.id = ITEM_ID(v->id, p),
                          .event_id = block,
                          .destination = dest,
                          .payload = payload,
                          .payload_len = len,
                          .created_ms = v->created_ms,
                          .attempts = attempts};
    return 1;
}

/* Hand out the item at position p of the current row of st, leased until o->until. */
static pw_status hand_out(pw_spool_dest *d, sqlite3_stmt *st, const row_view *v, int p,
                          int attempts, lease_out *o, pw_err *err)
{
    if (!lease_room(o) || !copy_item(st, v, p, d, attempts, &o->items[o->n]))
        return pw_err_set(err, PW_ERR_NOMEM, "spool: out of memory leasing");
    int64_t aux = LEASE_AUX(attempts, v->pos[p].len, sqlite3_column_bytes(st, 4));
    pw_spool_slot *l = pw_spool_map_find(&d->leases, (uint64_t)ITEM_ID(v->id, p), -1);
    if (l) {
        l->val = o->until;
        l->aux = aux;
    } else if (!pw_spool_map_add(&d->leases, (uint64_t)ITEM_ID(v->id, p), o->until, aux)) {
        free((char *)o->items[o->n].event_id);
        return pw_err_set(err, PW_ERR_NOMEM, "spool: out of memory leasing");
    }
    o->n++;
    return PW_OK;
}

/* Read item's row; its position if still queued for d (st then holds the row), else -1. */
static int load_item(pw_spool *s, pw_spool_dest *d, int64_t item, sqlite3_stmt **st, row_view *v)
{
    *st = pw_spool_stmt(s, SQL_ROW);
    if (!*st)
        return -1;
    sqlite3_bind_int64(*st, 1, ITEM_ROW(item));
    if (sqlite3_step(*st) != SQLITE_ROW || !read_view(*st, v))
        return -1;
    int p = queued_pos(v, d);
    return p == ITEM_POS(item) ? p : -1;
}

/* Leases that ran out: the items are due again (the attempt count goes on). */
static pw_status lease_expired(pw_spool *s, pw_spool_dest *d, lease_out *o, pw_err *err)
{
    if (d->leases.n == 0)
        return PW_OK; /* the usual case: the last cycle settled all it leased */
    int64_t *due = malloc(o->max * sizeof *due);
    if (!due)
        return pw_err_set(err, PW_ERR_NOMEM, "spool: out of memory leasing");
    size_t n_due = 0;
    for (size_t i = 0; i < d->leases.cap && n_due < o->max - o->n; i++)
        if (d->leases.slots[i].key && d->leases.slots[i].val <= o->now)
            due[n_due++] = (int64_t)d->leases.slots[i].key;
    pw_status status = PW_OK;
    for (size_t i = 0; i < n_due && status == PW_OK; i++) {
        sqlite3_stmt *st = NULL;
        row_view v;
        int p = load_item(s, d, due[i], &st, &v);
        pw_spool_slot *l = pw_spool_map_find(&d->leases, (uint64_t)due[i], -1);
        if (p >= 0 && l)
            status = hand_out(d, st, &v, p, LEASE_ATTEMPTS(l->aux) + 1, o, err);
        else if (l)
            pw_spool_map_del(&d->leases, l); /* settled meanwhile */
        if (st)
            sqlite3_reset(st);
    }
    free(due);
    return status;
}

static int has_retry(pw_spool *s, int64_t item, int64_t *attempts)
{
    sqlite3_stmt *st = pw_spool_stmt(s, SQL_RETRY_HAS);
    if (!st)
        return 0;
    sqlite3_bind_int64(st, 1, item);
    int found = sqlite3_step(st) == SQLITE_ROW;
    if (found && attempts)
        *attempts = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return found;
}

static void check_retries_left(pw_spool *s, pw_spool_dest *d)
{
    sqlite3_stmt *st = pw_spool_stmt(s, SQL_RETRY_COUNT);
    if (!st)
        return;
    sqlite3_bind_int64(st, 1, d->id);
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int64(st, 0) == 0)
        d->maybe_retries = 0;
    sqlite3_reset(st);
}

/* Rescheduled items whose time has come. */
static pw_status lease_retries(pw_spool *s, pw_spool_dest *d, lease_out *o, pw_err *err)
{
    check_retries_left(s, d);
    if (!d->maybe_retries)
        return PW_OK;
    sqlite3_stmt *due = pw_spool_stmt(s, SQL_RETRY_DUE);
    if (!due)
        return pw_spool_db_fail(s, err, "prepare retry lease");
    sqlite3_bind_int64(due, 1, d->id);
    sqlite3_bind_int64(due, 2, o->now);
    pw_status status = PW_OK;
    while (status == PW_OK && o->n < o->max && sqlite3_step(due) == SQLITE_ROW) {
        int64_t item = sqlite3_column_int64(due, 0);
        int attempts = sqlite3_column_int(due, 1);
        if (pw_spool_map_find(&d->leases, (uint64_t)item, -1))
            continue;
        sqlite3_stmt *st = NULL;
        row_view v;
        int p = load_item(s, d, item, &st, &v);
        if (p >= 0)
            status = hand_out(d, st, &v, p, attempts + 1, o, err);
        if (st)
            sqlite3_reset(st);
    }
    sqlite3_reset(due);
    return status;
}

/* New items: rows from the cursor on, in rowid order. */
static pw_status lease_new(pw_spool *s, pw_spool_dest *d, lease_out *o, pw_err *err)
{
    sqlite3_stmt *st = pw_spool_stmt(s, SQL_SCAN_FROM);
    if (!st)
        return pw_spool_db_fail(s, err, "prepare lease");
    sqlite3_bind_int64(st, 1, d->cursor);
    pw_status status = PW_OK;
    while (status == PW_OK && o->n < o->max && sqlite3_step(st) == SQLITE_ROW) {
        row_view v;
        if (!read_view(st, &v))
            continue;
        int p = queued_pos(&v, d);
        int64_t item = ITEM_ID(v.id, p);
        if (p >= 0 && !pw_spool_map_find(&d->leases, (uint64_t)item, -1) &&
            !(d->maybe_retries && has_retry(s, item, NULL)))
            status = hand_out(d, st, &v, p, 1, o, err);
        if (status == PW_OK)
            d->cursor = v.id + 1;
    }
    sqlite3_reset(st);
    return status;
}

#define LEASE_CHUNK 256 /* new items leased per turn on the spool's lock */

pw_status pw_spool_lease(pw_spool *s, const char *destination, size_t max, unsigned lease_ms,
                         pw_spool_item **items, size_t *n, pw_err *err)
{
    *items = NULL;
    *n = 0;
    if (max == 0)
        return PW_OK;
    lease_out o = {.max = max, .now = pw_gw_now_ms()};
    o.until = o.now + lease_ms;
    pthread_mutex_lock(&s->db_mu);
    int64_t held = pw_histo_now_ns();
    pw_spool_dest *d = destination ? pw_spool_dest_by_name(s, destination) : NULL;
    pw_status st = PW_OK;
    if (d)
        st = lease_expired(s, d, &o, err);
    if (d && st == PW_OK && o.n < max)
        st = lease_retries(s, d, &o, err);
    while (d && st == PW_OK && o.n < max) {
        /* New items a chunk at a time, letting a commit in between: a large lease (Meta's
         * 4000) must not hold the puts waiting behind it. */
        o.max = max - o.n > LEASE_CHUNK ? o.n + LEASE_CHUNK : max;
        st = lease_new(s, d, &o, err);
        int more = o.n == o.max && o.max < max;
        o.max = max;
        if (!more)
            break;
        pw_histo_since(&s->timing.lease_hold, held);
        pthread_mutex_unlock(&s->db_mu);
        pw_spool_let_commit_in(s);
        pthread_mutex_lock(&s->db_mu);
        held = pw_histo_now_ns();
        d = pw_spool_dest_by_name(s, destination); /* s->dests may have grown meanwhile */
    }
    pw_histo_since(&s->timing.lease_hold, held);
    pthread_mutex_unlock(&s->db_mu);
    if (st != PW_OK || o.n == 0) {
        pw_spool_items_free(o.items, o.n); /* their leases expire */
        return st;
    }
    *items = o.items;
    *n = o.n;
    return PW_OK;
}

void pw_spool_items_free(pw_spool_item *items, size_t n)
{
    if (!items)
        return;
    for (size_t i = 0; i < n; i++)
        free((char *)items[i].event_id); /* the item's block */
    free(items);
}

/* ---- settling ----------------------------------------------------------------------------- */

static int any_retries(pw_spool *s)
{
    for (size_t i = 0; i < s->n_dests; i++)
        if (s->dests[i].maybe_retries)
            return 1;
    return 0;
}

static pw_status forget_retries(pw_spool *s, const int64_t *items, size_t n, pw_err *err)
{
    if (!any_retries(s))
        return PW_OK;
    const char *json = pw_spool_json_ids(s, items, n);
    sqlite3_stmt *st = pw_spool_stmt(s, SQL_RETRY_DEL);
    if (!json || !st)
        return pw_err_set(err, PW_ERR_NOMEM, "spool: cannot prepare the retry cleanup");
    sqlite3_bind_text(st, 1, json, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? PW_OK : pw_spool_db_fail(s, err, "retry cleanup");
}

/* Rows deleted by st (RETURNING id, dests, event_id): their tombstones' bytes and keys. */
static pw_status count_deleted(pw_spool *s, sqlite3_stmt *st, settle *t, pw_err *err)
{
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        pw_spool_pos pos[PW_SPOOL_MAX_POS];
        int n = pw_spool_parse_dests(sqlite3_column_blob(st, 1), sqlite3_column_bytes(st, 1), pos);
        const char *eid = (const char *)sqlite3_column_text(st, 2);
        size_t eid_len = (size_t)sqlite3_column_bytes(st, 2);
        for (int i = 0; i < n; i++) {
            pw_spool_dest *d = pw_spool_dest_by_id(s, pos[i].dest);
            t->bytes_out += (int64_t)pw_spool_item_bytes(eid_len, d ? d->name_len : 0, 0, 0);
        }
        if (!pw_spool_keyrows_push(&t->gone,
                                   pw_spool_key_hash(s->hash_key, eid ? eid : "", eid_len),
                                   sqlite3_column_int64(st, 0)))
            rc = SQLITE_NOMEM;
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? PW_OK : pw_spool_db_fail(s, err, "purging tombstones");
}

/* Tombstones accepted before this may go: 15 minutes ago, or — once the event_id index holds
 * more than PW_SPOOL_KEYS_SOFT_MAX rows — any (oldest first), which bounds its memory. */
static int64_t tomb_horizon(const pw_spool *s, int64_t now)
{
    return s->keys.n > PW_SPOOL_KEYS_SOFT_MAX ? INT64_MAX : now - PW_SPOOL_TOMBSTONE_MS;
}

/* Tombstones of one rowid range past the idempotency horizon. The newest row is never deleted,
 * so that SQLite never hands out a rowid twice. */
static pw_status purge_step(pw_spool *s, int64_t now, settle *t, pw_err *err)
{
    int64_t lo = s->purge_lo, hi = lo + PW_SPOOL_PURGE_CHUNK;
    if (hi > s->last_row)
        hi = s->last_row;
    if (hi <= lo)
        return PW_OK;
    /* The row the last step stopped at is still young: the step would look at the same rows
     * again and find nothing (rows are appended in acceptance order). */
    if (s->purge_young_ms && tomb_horizon(s, now) <= s->purge_young_ms)
        return PW_OK;
    sqlite3_stmt *st = pw_spool_stmt(s, SQL_PURGE);
    if (!st)
        return pw_spool_db_fail(s, err, "prepare purge");
    sqlite3_bind_int64(st, 1, lo);
    sqlite3_bind_int64(st, 2, hi);
    sqlite3_bind_int64(st, 3, tomb_horizon(s, now));
    pw_status status = count_deleted(s, st, t, err);
    if (status != PW_OK || !(st = pw_spool_stmt(s, SQL_PURGE_STOP)))
        return status != PW_OK ? status : pw_spool_db_fail(s, err, "prepare purge");
    sqlite3_bind_int64(st, 1, lo);
    sqlite3_bind_int64(st, 2, hi);
    sqlite3_bind_int64(st, 3, tomb_horizon(s, now));
    int young = sqlite3_step(st) == SQLITE_ROW;
    t->purge_lo = young ? sqlite3_column_int64(st, 0) : hi;
    t->purge_young_ms = young ? sqlite3_column_int64(st, 1) : 0;
    sqlite3_reset(st);
    return PW_OK;
}

/* The payloads of rows lo..hi, every one of them finished (no bit left). */
static pw_status drop_bodies(pw_spool *s, int64_t lo, int64_t hi, pw_err *err)
{
    sqlite3_stmt *st = pw_spool_stmt(s, SQL_DROP_BODIES);
    if (!st)
        return pw_spool_db_fail(s, err, "prepare payload cleanup");
    sqlite3_bind_int64(st, 1, lo);
    sqlite3_bind_int64(st, 2, hi);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? PW_OK : pw_spool_db_fail(s, err, "payload cleanup");
}

/* Append row id to the runs of consecutive finished rows in s->runs (n pairs so far). */
static int add_to_runs(pw_spool *s, size_t *n, int64_t id)
{
    if (*n && s->runs[2 * *n - 1] + 1 == id) {
        s->runs[2 * *n - 1] = id;
        return 1;
    }
    if (*n == s->runs_cap) {
        size_t cap = s->runs_cap ? s->runs_cap * 2 : 16;
        int64_t *grown = realloc(s->runs, cap * 2 * sizeof *grown);
        if (!grown)
            return 0;
        s->runs = grown;
        s->runs_cap = cap;
    }
    s->runs[2 * *n] = s->runs[2 * *n + 1] = id;
    (*n)++;
    return 1;
}

/* The payloads of the events among rows lo..hi that have no bit left: the finished rows are
 * found on `ev` (a range scan), then their bodies go a run of consecutive rows at a time, so the
 * body table is only visited where there is something to delete (the first of two destinations
 * to ack a range deletes nothing). A tombstone finished earlier may be in a run: its body is
 * gone already and the DELETE simply finds nothing there. */
static pw_status drop_finished(pw_spool *s, int64_t lo, int64_t hi, pw_err *err)
{
    sqlite3_stmt *st = pw_spool_stmt(s, SQL_FINISHED);
    if (!st)
        return pw_spool_db_fail(s, err, "prepare payload cleanup");
    sqlite3_bind_int64(st, 1, lo);
    sqlite3_bind_int64(st, 2, hi);
    size_t n = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        if (!add_to_runs(s, &n, sqlite3_column_int64(st, 0))) {
            sqlite3_reset(st);
            return pw_err_set(err, PW_ERR_NOMEM, "spool: out of memory acking");
        }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return pw_spool_db_fail(s, err, "payload cleanup");
    pw_status status = PW_OK;
    for (size_t i = 0; i < n && status == PW_OK; i++)
        status = drop_bodies(s, s->runs[2 * i], s->runs[2 * i + 1], err);
    return status;
}

/* Rows the purge has passed already that an ack has just made tombstones of, if old enough. */
static pw_status delete_old_rows(pw_spool *s, int64_t lo, int64_t hi, int64_t now, settle *t,
                                 pw_err *err)
{
    if (hi >= s->purge_lo)
        hi = s->purge_lo - 1;
    if (lo > hi)
        return PW_OK;
    sqlite3_stmt *st = pw_spool_stmt(s, SQL_DELETE_ROWS);
    if (!st)
        return pw_spool_db_fail(s, err, "prepare tombstone purge");
    sqlite3_bind_int64(st, 1, lo);
    sqlite3_bind_int64(st, 2, hi);
    sqlite3_bind_int64(st, 3, tomb_horizon(s, now));
    return count_deleted(s, st, t, err);
}

/* What an ack needs to know of one item: from its lease, or read from its row. */
typedef struct ack_item {
    int64_t row;
    int pos;
    pw_spool_dest *d;
    uint32_t len, eid_len;
} ack_item;

static int describe_item(pw_spool *s, int64_t item, ack_item *a)
{
    *a = (ack_item){.row = ITEM_ROW(item), .pos = ITEM_POS(item)};
    for (size_t i = 0; i < s->n_dests; i++) {
        pw_spool_slot *l = pw_spool_map_find(&s->dests[i].leases, (uint64_t)item, -1);
        if (l) {
            a->d = &s->dests[i];
            a->len = LEASE_LEN(l->aux);
            a->eid_len = LEASE_EID_LEN(l->aux);
            return 1;
        }
    }
    sqlite3_stmt *st = pw_spool_stmt(s, SQL_ROW);
    row_view v;
    if (!st)
        return 0;
    sqlite3_bind_int64(st, 1, a->row);
    if (sqlite3_step(st) == SQLITE_ROW && read_view(st, &v) && a->pos < v.n_pos &&
        ((v.pending >> a->pos) & 1)) {
        a->d = pw_spool_dest_by_id(s, v.pos[a->pos].dest);
        a->len = v.pos[a->pos].len;
        a->eid_len = (uint32_t)sqlite3_column_bytes(st, 4);
    }
    sqlite3_reset(st);
    return a->d != NULL;
}

static int by_pos_row(const void *x, const void *y)
{
    const ack_item *a = x, *b = y;
    if (a->pos != b->pos)
        return a->pos < b->pos ? -1 : 1;
    return a->row < b->row ? -1 : a->row > b->row;
}

/* Clear position p's bit of rows lo..hi, all of them acked items: one statement per run. */
static pw_status ack_run(pw_spool *s, int p, int64_t lo, int64_t hi, int64_t now, settle *t,
                         pw_err *err)
{
    sqlite3_stmt *st = pw_spool_stmt(s, SQL_ACK);
    if (!st)
        return pw_spool_db_fail(s, err, "prepare ack");
    sqlite3_bind_int64(st, 1, (int64_t)(1ull << p));
    sqlite3_bind_int64(st, 2, lo);
    sqlite3_bind_int64(st, 3, hi);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return pw_spool_db_fail(s, err, "ack");
    pw_status status = drop_finished(s, lo, hi, err);
    if (status == PW_OK && lo < s->purge_lo)
        status = delete_old_rows(s, lo, hi, now, t, err);
    return status;
}

/* The acked items, sorted by position then row, in runs of consecutive rows. */
static pw_status ack_sorted(pw_spool *s, const ack_item *a, size_t n, int64_t now, settle *t,
                            pw_err *err)
{
    pw_status st = PW_OK;
    for (size_t i = 0; i < n && st == PW_OK;) {
        size_t j = i + 1;
        while (j < n && a[j].pos == a[i].pos && a[j].row == a[j - 1].row + 1)
            j++;
        st = ack_run(s, a[i].pos, a[i].row, a[j - 1].row, now, t, err);
        for (size_t k = i; k < j; k++) {
            t->bytes_out +=
                (int64_t)(pw_spool_item_bytes(a[k].eid_len, a[k].d->name_len, a[k].len, 1) -
                          pw_spool_item_bytes(a[k].eid_len, a[k].d->name_len, 0, 0));
            t->depth_out[dest_index(s, a[k].d)]++;
        }
        i = j;
    }
    return st;
}

static pw_status ack_in_txn(pw_spool *s, const int64_t *ids, size_t n, ack_item *a, settle *t,
                            pw_err *err)
{
    int64_t now = pw_gw_now_ms();
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        m += (size_t)describe_item(s, ids[i], &a[m]); /* not queued: nothing to do */
    size_t sorted = 1; /* as leased, usually: skip the sort */
    while (sorted < m && by_pos_row(&a[sorted - 1], &a[sorted]) <= 0)
        sorted++;
    if (sorted < m)
        qsort(a, m, sizeof *a, by_pos_row);
    size_t u = 0; /* an item acked twice in one call counts once */
    for (size_t i = 0; i < m; i++)
        if (u == 0 || a[i].pos != a[u - 1].pos || a[i].row != a[u - 1].row)
            a[u++] = a[i];
    pw_status st = ack_sorted(s, a, u, now, t, err);
    if (st == PW_OK)
        st = forget_retries(s, ids, n, err);
    if (st == PW_OK && (s->acks_since_purge += (unsigned)n) >= 1000) {
        s->acks_since_purge = 0;
        st = purge_step(s, now, t, err);
    }
    return st;
}

/* Mark what this commit settles of each ack request of the list (ack_take, at most
 * PW_SPOOL_ACKS_PER_COMMIT items in all when puts share the commit, PW_SPOOL_ACKS_ALONE when
 * not; oldest requests first); the number of items taken. */
static size_t take_acks(put_req *list)
{
    size_t n = 0, budget = PW_SPOOL_ACKS_ALONE;
    for (put_req *r = list; r; r = r->next)
        if (!r->ack_ids)
            budget = PW_SPOOL_ACKS_PER_COMMIT; /* puts wait for this commit */
    for (put_req *r = list; r; r = r->next) {
        r->ack_take = 0;
        if (!r->ack_ids || r->status != PW_OK || n >= budget)
            continue;
        size_t left = r->n_ack - r->ack_off, room = budget - n;
        r->ack_take = left < room ? left : room;
        n += r->ack_take;
    }
    return n;
}

static void fail_acks(put_req *list, pw_status st, const pw_err *err)
{
    for (put_req *r = list; r; r = r->next)
        if (r->ack_take) {
            r->status = st;
            r->err = *err;
            r->ack_take = 0;
        }
}

static void ackset_free(pw_spool_ackset *a)
{
    if (a->settle)
        settle_free(a->settle);
    free(a->settle);
    free(a->ids);
    *a = (pw_spool_ackset){0};
}

/* Inside the leader's transaction (db_mu held): the acks this commit settles, under a savepoint.
 * A non-OK return (the savepoint itself failed) fails the whole transaction. */
pw_status pw_spool_acks_write(pw_spool *s, put_req *list, pw_spool_ackset *a, pw_err *err)
{
    *a = (pw_spool_ackset){0};
    size_t n = take_acks(list);
    if (!n)
        return PW_OK;
    pw_err e = {0};
    a->ids = malloc(n * sizeof *a->ids);
    a->settle = malloc(sizeof(settle));
    ack_item *rows = malloc(n * sizeof *rows);
    if (!a->ids || !a->settle || !rows || !settle_init(s, a->settle)) {
        if (a->settle)
            memset(a->settle, 0, sizeof(settle)); /* settle_free of an empty one is harmless */
        free(rows);
        ackset_free(a);
        fail_acks(list, pw_err_set(&e, PW_ERR_NOMEM, "spool: out of memory acking"), &e);
        return PW_OK;
    }
    for (put_req *r = list; r; r = r->next)
        for (size_t i = 0; i < r->ack_take; i++)
            a->ids[a->n++] = r->ack_ids[r->ack_off + i];
    pw_status st = pw_spool_exec(s, "SAVEPOINT pw_ack", err);
    if (st != PW_OK) {
        free(rows);
        ackset_free(a);
        return st;
    }
    pw_status ast = ack_in_txn(s, a->ids, a->n, rows, a->settle, &e);
    free(rows);
    if (ast == PW_OK)
        return pw_spool_exec(s, "RELEASE pw_ack", err);
    fail_acks(list, ast, &e);
    ackset_free(a);
    st = pw_spool_exec(s, "ROLLBACK TO pw_ack", err);
    return st == PW_OK ? pw_spool_exec(s, "RELEASE pw_ack", err) : st;
}

/* After the COMMIT (committed) or the ROLLBACK of the leader's transaction (db_mu held). */
void pw_spool_acks_done(pw_spool *s, put_req *list, pw_spool_ackset *a, int committed)
{
    if (!a->n)
        return;
    if (committed) {
        settle_apply(s, a->settle, a->ids, a->n);
        for (put_req *r = list; r; r = r->next)
            r->ack_off += r->ack_take;
    }
    for (put_req *r = list; r; r = r->next)
        r->ack_take = 0;
    ackset_free(a);
}

/* Acks join the puts' group commit: one synced transaction for both, instead of an ack holding
 * the spool (and its own fsync) while the puts behind it wait. */
pw_status pw_spool_ack(pw_spool *s, const int64_t *ids, size_t n, pw_err *err)
{
    return pw_spool_ack_grouped(s, ids, n, err);
}

/* The lengths are known from the rows themselves: kept for the callers that pass them. */
pw_status pw_spool_ack_sized(pw_spool *s, const int64_t *ids, const size_t *payload_lens, size_t n,
                             pw_err *err)
{
    (void)payload_lens;
    return pw_spool_ack_grouped(s, ids, n, err);
}

/* ---- retries and dead letters --------------------------------------------------------------- */

static int lease_attempts(pw_spool *s, pw_spool_dest *d, int64_t item)
{
    pw_spool_slot *l = pw_spool_map_find(&d->leases, (uint64_t)item, -1);
    int64_t attempts = l ? LEASE_ATTEMPTS(l->aux) : 0;
    if (!l)
        has_retry(s, item, &attempts);
    return (int)attempts;
}

static pw_status retry_item(pw_spool *s, int64_t item, int64_t next, size_t *changed, pw_err *err)
{
    sqlite3_stmt *row = NULL;
    row_view v;
    pw_spool_dest *d = NULL;
    int p = -1;
    row = pw_spool_stmt(s, SQL_ROW);
    if (row) {
        sqlite3_bind_int64(row, 1, ITEM_ROW(item));
        if (sqlite3_step(row) == SQLITE_ROW && read_view(row, &v) && ITEM_POS(item) < v.n_pos &&
            (v.pending >> ITEM_POS(item)) & 1)
            p = ITEM_POS(item);
        if (p >= 0)
            d = pw_spool_dest_by_id(s, v.pos[p].dest);
        sqlite3_reset(row);
    }
    if (!d)
        return PW_OK; /* not queued: counted by the caller */
    sqlite3_stmt *st = pw_spool_stmt(s, SQL_RETRY_PUT);
    if (!st)
        return pw_spool_db_fail(s, err, "prepare retry");
    sqlite3_bind_int64(st, 1, item);
    sqlite3_bind_int64(st, 2, d->id);
    sqlite3_bind_int64(st, 3, next);
    sqlite3_bind_int64(st, 4, lease_attempts(s, d, item));
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return pw_spool_db_fail(s, err, "retry");
    d->maybe_retries = 1; /* a hint: harmless if the transaction rolls back */
    (*changed)++;
    return PW_OK;
}

pw_status pw_spool_retry_batch(pw_spool *s, const int64_t *ids, size_t n, int64_t next_attempt_ms,
                               pw_err *err)
{
    size_t changed = 0;
    settle t;
    pthread_mutex_lock(&s->db_mu);
    int64_t held = pw_histo_now_ns();
    int ready = settle_init(s, &t);
    pw_status status =
        ready ? pw_spool_begin(s, err) : pw_err_set(err, PW_ERR_NOMEM, "spool: out of memory");
    for (size_t i = 0; i < n && status == PW_OK; i++)
        status = retry_item(s, ids[i], next_attempt_ms, &changed, err);
    if (status == PW_OK)
        status = pw_spool_run(s, SQL_COMMIT, err);
    if (status == PW_OK)
        settle_apply(s, &t, ids, n); /* the leases end */
    else if (ready)
        pw_spool_run(s, SQL_ROLLBACK, NULL);
    pw_histo_since(&s->timing.other_hold, held);
    pthread_mutex_unlock(&s->db_mu);
    settle_free(&t);
    if (status == PW_OK && changed < n)
        return pw_err_set(err, PW_ERR_NOTFOUND, "spool: %zu of %zu items were not queued",
                          n - changed, n);
    return status;
}

pw_status pw_spool_retry(pw_spool *s, int64_t id, int64_t next_attempt_ms, pw_err *err)
{
    return pw_spool_retry_batch(s, &id, 1, next_attempt_ms, err);
}

/* Copy the item into `dead`, then clear its bit: a tombstone (inside a transaction). */
static pw_status move_to_dead(pw_spool *s, int64_t item, const char *reason, int64_t now, settle *t,
                              pw_err *err)
{
    sqlite3_stmt *row = pw_spool_stmt(s, SQL_ROW), *st = NULL;
    row_view v;
    if (!row)
        return pw_spool_db_fail(s, err, "prepare dead letter");
    sqlite3_bind_int64(row, 1, ITEM_ROW(item));
    int p = ITEM_POS(item);
    pw_spool_dest *d = NULL;
    if (sqlite3_step(row) == SQLITE_ROW && read_view(row, &v) && p < v.n_pos &&
        ((v.pending >> p) & 1))
        d = pw_spool_dest_by_id(s, v.pos[p].dest);
    const unsigned char *body = sqlite3_column_blob(row, 5);
    size_t n_body = (size_t)sqlite3_column_bytes(row, 5);
    if (!d || v.pos[p].off + v.pos[p].len > n_body) {
        sqlite3_reset(row);
        return pw_err_set(err, PW_ERR_NOTFOUND, "spool: item %lld is not queued", (long long)item);
    }
    size_t eid_len = (size_t)sqlite3_column_bytes(row, 4);
    int rc = SQLITE_ERROR;
    if ((st = pw_spool_stmt(s, SQL_DEAD_PUT))) {
        sqlite3_bind_int64(st, 1, item);
        sqlite3_bind_value(st, 2, sqlite3_column_value(row, 4));
        sqlite3_bind_text(st, 3, d->name, (int)d->name_len, SQLITE_STATIC);
        sqlite3_bind_blob(st, 4, body ? (const void *)(body + v.pos[p].off) : "", (int)v.pos[p].len,
                          SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 5, v.created_ms);
        sqlite3_bind_int64(st, 6, lease_attempts(s, d, item));
        sqlite3_bind_int64(st, 7, now);
        sqlite3_bind_text(st, 8, reason ? reason : "", -1, SQLITE_STATIC);
        rc = sqlite3_step(st);
        sqlite3_reset(st);
    }
    sqlite3_reset(row);
    if (rc != SQLITE_DONE || !(st = pw_spool_stmt(s, SQL_CLEAR_BIT)))
        return pw_spool_db_fail(s, err, "dead letter");
    sqlite3_bind_int64(st, 1, (int64_t)(1ull << p));
    sqlite3_bind_int64(st, 2, ITEM_ROW(item));
    int64_t left = -1, row_id = ITEM_ROW(item);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        left = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE ||
        (left == PW_SPOOL_PENDING_BASE && drop_bodies(s, row_id, row_id, err) != PW_OK))
        return pw_spool_db_fail(s, err, "dead letter");
    /* The dead letter keeps the item's bytes; the tombstone adds its own. */
    t->bytes_in += (int64_t)pw_spool_item_bytes(eid_len, d->name_len, 0, 0);
    t->depth_out[dest_index(s, d)]++;
    return PW_OK;
}

pw_status pw_spool_dead_batch(pw_spool *s, const int64_t *ids, const char *const *reasons, size_t n,
                              pw_err *err)
{
    int64_t now = pw_gw_now_ms();
    settle t;
    pthread_mutex_lock(&s->db_mu);
    int64_t held = pw_histo_now_ns();
    int ready = settle_init(s, &t);
    pw_status st =
        ready ? pw_spool_begin(s, err) : pw_err_set(err, PW_ERR_NOMEM, "spool: out of memory");
    for (size_t i = 0; i < n && st == PW_OK; i++)
        st = move_to_dead(s, ids[i], reasons[i], now, &t, err);
    if (st == PW_OK)
        st = forget_retries(s, ids, n, err);
    if (st == PW_OK)
        st = pw_spool_run(s, SQL_COMMIT, err);
    if (st == PW_OK)
        settle_apply(s, &t, ids, n);
    else if (ready)
        pw_spool_run(s, SQL_ROLLBACK, NULL);
    pw_histo_since(&s->timing.other_hold, held);
    pthread_mutex_unlock(&s->db_mu);
    settle_free(&t);
    return st;
}

pw_status pw_spool_dead(pw_spool *s, int64_t id, const char *reason, pw_err *err)
{
    return pw_spool_dead_batch(s, &id, &reason, 1, err);
}
