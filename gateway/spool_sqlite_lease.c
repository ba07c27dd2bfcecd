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
 * leased for (1 for the first delivery), which the forwarders' backoff and retry window use. A
 * lease settled by pw_spool_put_back_batch (the upstream did not take the item: credentials
 * refused, or not sent) does not count, so an item whose attempts were all refused that way is
 * leased again as attempt 1.
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
    int64_t *gdec; /* (group, rows of it finished) pairs */
    size_t n_gdec, cap_gdec;
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
    free(t->gdec);
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
    for (size_t i = 0; i < t->n_gdec; i++) {
        pw_spool_slot *g = pw_spool_map_find(&s->groups, (uint64_t)t->gdec[2 * i], -1);
        if (g && (g->val -= t->gdec[2 * i + 1]) <= 0)
            pw_spool_map_del(&s->groups, g);
    }
    for (size_t i = 0; i < n; i++)
        for (size_t d = 0; d < s->n_dests; d++) {
            pw_spool_dest *dest = &s->dests[d];
            pw_spool_slot *l = pw_spool_map_find(&dest->leases, (uint64_t)items[i], -1);
            if (!l)
                continue;
            pw_spool_map_del(&dest->leases, l);
            /* Settled, or its first attempt is in its retry row now. */
            pw_spool_slot *e =
                dest->expired.n ? pw_spool_map_find(&dest->expired, (uint64_t)items[i], -1) : NULL;
            if (e)
                pw_spool_map_del(&dest->expired, e);
            break;
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

/* Columns of SQL_ROW / SQL_SCAN_FROM: id, created_ms, pending, dests, event_id, group, offset
 * of the row's payloads in the group's body, consent (0: not recorded). */
typedef struct row_view {
    int64_t id, created_ms;
    int64_t gid, off;
    unsigned consent;
    uint64_t pending;
    pw_spool_pos pos[PW_SPOOL_MAX_POS];
    int n_pos;
} row_view;

static int read_view(sqlite3_stmt *st, row_view *v)
{
    v->id = sqlite3_column_int64(st, 0);
    v->created_ms = sqlite3_column_int64(st, 1);
    v->pending = (uint64_t)(sqlite3_column_int64(st, 2) & ~PW_SPOOL_PENDING_BASE);
    v->gid = sqlite3_column_int64(st, 5);
    v->off = sqlite3_column_int64(st, 6);
    v->consent = (unsigned)sqlite3_column_int64(st, 7) & 7u;
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
    int64_t upto; /* rows above it are not handed out (pw_spool_lease_all_upto) */
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

/* The body of one group, read once for the consecutive rows of that group (SQL_BODY stays on
 * its row while it is used: body_close before db_mu is let go). */
typedef struct body_view {
    int64_t gid; /* 0: none read */
    const unsigned char *p;
    size_t n;
} body_view;

static void body_close(pw_spool *s, body_view *b)
{
    if (b->gid && s->stmts[SQL_BODY])
        sqlite3_reset(s->stmts[SQL_BODY]);
    *b = (body_view){0};
}

/* The payloads of group gid (p NULL and n 0 if it has no body row). */
static const body_view *body_of(pw_spool *s, body_view *b, int64_t gid)
{
    if (b->gid == gid && gid)
        return b;
    body_close(s, b);
    sqlite3_stmt *st = pw_spool_stmt(s, SQL_BODY);
    if (!st)
        return b;
    sqlite3_bind_int64(st, 1, gid);
    b->gid = gid;
    if (sqlite3_step(st) == SQLITE_ROW) {
        b->p = sqlite3_column_blob(st, 0);
        b->n = (size_t)sqlite3_column_bytes(st, 0);
    }
    return b;
}

/* The attempt an item is leased for, and when the first one that may have reached the upstream
 * was made (0: none). */
typedef struct due_try {
    int attempts;
    int64_t sent_ms;
} due_try;

/* One allocation per item: event_id, destination and payload (NUL-terminated) one after the
 * other, owned through event_id. */
static int copy_item(sqlite3_stmt *st, const row_view *v, int p, const pw_spool_dest *d,
                     const due_try *t, const body_view *b, pw_spool_item *it)
{
    const char *eid = (const char *)sqlite3_column_text(st, 4);
    size_t n_eid = (size_t)sqlite3_column_bytes(st, 4);
    const unsigned char *body = b->p;
    size_t n_body = b->n;
    size_t off = (size_t)v->off + v->pos[p].off, len = v->pos[p].len;
    if (v->off < 0 || off + len > n_body || (len && !body))
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
                          .attempts = t->attempts,
                          .sent_ms = t->sent_ms,
                          .consent = v->consent};
    return 1;
}

/* Hand out the item at position p of the current row of st, leased until o->until. */
static pw_status hand_out(pw_spool *s, pw_spool_dest *d, sqlite3_stmt *st, const row_view *v, int p,
                          const due_try *t, lease_out *o, body_view *b, pw_err *err)
{
    if (v->id > o->upto)
        return PW_OK; /* accepted after the bound of a sweep: left to the forwarder */
    if (!lease_room(o) || !copy_item(st, v, p, d, t, body_of(s, b, v->gid), &o->items[o->n]))
        return pw_err_set(err, PW_ERR_NOMEM, "spool: out of memory leasing");
    int64_t aux = LEASE_AUX(t->attempts, v->pos[p].len, sqlite3_column_bytes(st, 4));
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

/* Hand out a due item (an expired lease or a due retry) as attempt t, if it is still queued; if
 * it was settled meanwhile, its lease entry goes. */
static pw_status hand_out_due(pw_spool *s, pw_spool_dest *d, int64_t item, const due_try *t,
                              lease_out *o, body_view *b, pw_err *err)
{
    sqlite3_stmt *st = NULL;
    row_view v;
    pw_spool_slot *l;
    pw_status status = PW_OK;
    int p = load_item(s, d, item, &st, &v);
    if (p >= 0)
        status = hand_out(s, d, st, &v, p, t, o, b, err);
    else if ((l = pw_spool_map_find(&d->leases, (uint64_t)item, -1)) != NULL)
        pw_spool_map_del(&d->leases, l);
    if (st)
        sqlite3_reset(st);
    return status;
}

static int has_retry(pw_spool *s, int64_t item, int64_t *attempts, int64_t *first_ms)
{
    sqlite3_stmt *st = pw_spool_stmt(s, SQL_RETRY_HAS);
    if (!st)
        return 0;
    sqlite3_bind_int64(st, 1, item);
    int found = sqlite3_step(st) == SQLITE_ROW;
    if (found && attempts)
        *attempts = sqlite3_column_int64(st, 0);
    if (found && first_ms)
        *first_ms = sqlite3_column_int64(st, 1);
    sqlite3_reset(st);
    return found;
}

/* The start of the first lease of item that ran out, kept until a retry row holds it (0: none). */
static int64_t expired_start(pw_spool_dest *d, int64_t item)
{
    pw_spool_slot *e = d->expired.n ? pw_spool_map_find(&d->expired, (uint64_t)item, -1) : NULL;
    return e ? e->val : 0;
}

/* An expired lease as a due attempt: the lease that ran out may have been mid-send, so the
 * window counts from its start at the latest (from the item's earlier first attempt if it had
 * one: in its retry row, or a lease of it that ran out before). That start is kept in memory
 * (d->expired) until the item's next outcome writes it into its retry row. */
static due_try expired_try(pw_spool *s, pw_spool_dest *d, const pw_spool_slot *l)
{
    int64_t first = 0, item = (int64_t)l->key;
    has_retry(s, item, NULL, &first);
    if (first <= 0)
        first = expired_start(d, item);
    if (first <= 0) {
        int64_t start = pw_spool_clock_to_wall(s, l->val - d->lease_span_ms);
        first = start > 0 ? start : 1;
        /* Out of memory: the later lease's start will stand in for it. */
        pw_spool_map_add(&d->expired, (uint64_t)item, first, 0);
    }
    return (due_try){LEASE_ATTEMPTS(l->aux) + 1, first};
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
    body_view b = {0};
    for (size_t i = 0; i < n_due && status == PW_OK; i++) {
        pw_spool_slot *l = pw_spool_map_find(&d->leases, (uint64_t)due[i], -1);
        due_try t = l ? expired_try(s, d, l) : (due_try){0};
        if (l)
            status = hand_out_due(s, d, due[i], &t, o, &b, err);
    }
    body_close(s, &b);
    free(due);
    return status;
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
    body_view b = {0};
    while (status == PW_OK && o->n < o->max && sqlite3_step(due) == SQLITE_ROW) {
        int64_t item = sqlite3_column_int64(due, 0);
        due_try t = {sqlite3_column_int(due, 1) + 1, sqlite3_column_int64(due, 2)};
        if (pw_spool_map_find(&d->leases, (uint64_t)item, -1))
            continue;
        sqlite3_stmt *st = NULL;
        row_view v;
        int p = load_item(s, d, item, &st, &v);
        if (p >= 0)
            status = hand_out(s, d, st, &v, p, &t, o, &b, err);
        if (st)
            sqlite3_reset(st);
    }
    body_close(s, &b);
    sqlite3_reset(due);
    return status;
}

/* A due item from before the cursor: an expired lease or a due retry, with its next attempt. */
typedef struct due_item {
    int64_t item;
    due_try t;
} due_item;

static int by_item(const void *x, const void *y)
{
    int64_t a = ((const due_item *)x)->item, b = ((const due_item *)y)->item;
    return (a > b) - (a < b);
}

/* Due retries of d not leased, oldest item first, appended to due (at most want of them). */
static size_t oldest_retries(pw_spool *s, pw_spool_dest *d, int64_t now, due_item *due, size_t want)
{
    check_retries_left(s, d);
    sqlite3_stmt *st = d->maybe_retries ? pw_spool_stmt(s, SQL_RETRY_OLDEST) : NULL;
    if (!st)
        return 0;
    sqlite3_bind_int64(st, 1, d->id);
    sqlite3_bind_int64(st, 2, now);
    size_t n = 0;
    while (n < want && sqlite3_step(st) == SQLITE_ROW) {
        int64_t item = sqlite3_column_int64(st, 0);
        if (!pw_spool_map_find(&d->leases, (uint64_t)item, -1))
            due[n++] =
                (due_item){item, {sqlite3_column_int(st, 1) + 1, sqlite3_column_int64(st, 2)}};
    }
    sqlite3_reset(st);
    return n;
}

/* Expired leases and due retries together, in item (= acceptance) order: every queued item
 * below the cursor is one of them or leased, so these are the oldest due items. */
static pw_status lease_oldest_due(pw_spool *s, pw_spool_dest *d, lease_out *o, pw_err *err)
{
    size_t want = o->max - o->n, n_exp = 0;
    for (size_t i = 0; i < d->leases.cap; i++)
        n_exp += d->leases.slots[i].key && d->leases.slots[i].val <= o->now;
    due_item *due = malloc((n_exp + want) * sizeof *due);
    if (!due)
        return pw_err_set(err, PW_ERR_NOMEM, "spool: out of memory leasing");
    size_t n = 0;
    for (size_t i = 0; i < d->leases.cap && n < n_exp; i++) {
        const pw_spool_slot *l = &d->leases.slots[i];
        if (l->key && l->val <= o->now)
            due[n++] = (due_item){(int64_t)l->key, expired_try(s, d, l)};
    }
    n += oldest_retries(s, d, o->now, due + n, want);
    qsort(due, n, sizeof *due, by_item);
    pw_status status = PW_OK;
    body_view b = {0};
    for (size_t i = 0; i < n && o->n < o->max && status == PW_OK; i++)
        status = hand_out_due(s, d, due[i].item, &due[i].t, o, &b, err);
    body_close(s, &b);
    free(due);
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
    body_view b = {0};
    while (status == PW_OK && o->n < o->max && sqlite3_step(st) == SQLITE_ROW) {
        row_view v;
        if (!read_view(st, &v))
            continue;
        if (v.id > o->upto)
            break; /* the cursor stays: the rows from here on are the forwarder's */
        int p = queued_pos(&v, d);
        int64_t item = ITEM_ID(v.id, p);
        if (p >= 0 && !pw_spool_map_find(&d->leases, (uint64_t)item, -1) &&
            !(d->maybe_retries && has_retry(s, item, NULL, NULL))) {
            due_try first = {1, 0};
            status = hand_out(s, d, st, &v, p, &first, o, &b, err);
        }
        if (status == PW_OK)
            d->cursor = v.id + 1;
    }
    body_close(s, &b);
    sqlite3_reset(st);
    return status;
}

#define LEASE_CHUNK 256 /* new items leased per turn on the spool's lock */

/* Lease as at time `now` (items whose lease or retry time is before it are due). */
static pw_status lease_at(pw_spool *s, const char *destination, size_t max, int64_t now,
                          int64_t until, int oldest, int64_t upto, pw_spool_item **items, size_t *n,
                          pw_err *err)
{
    *items = NULL;
    *n = 0;
    if (max == 0)
        return PW_OK;
    lease_out o = {.max = max, .now = now, .until = until, .upto = upto};
    pthread_mutex_lock(&s->db_mu);
    int64_t held = pw_histo_now_ns();
    pw_spool_dest *d = destination ? pw_spool_dest_by_name(s, destination) : NULL;
    pw_status st = PW_OK;
    if (d && oldest)
        st = lease_oldest_due(s, d, &o, err);
    if (d && !oldest)
        st = lease_expired(s, d, &o, err);
    if (d && !oldest && st == PW_OK && o.n < max)
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
    /* After the expired leases were handed out: their starts are reckoned with their own span. */
    if (d && until > now) /* not lease_all's, seen from the far future */
        d->lease_span_ms = until - now;
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

pw_status pw_spool_lease(pw_spool *s, const char *destination, size_t max, unsigned lease_ms,
                         pw_spool_item **items, size_t *n, pw_err *err)
{
    int64_t now = pw_spool_clock_ms(s);
    return lease_at(s, destination, max, now, now + lease_ms, 0, INT64_MAX, items, n, err);
}

pw_status pw_spool_lease_oldest(pw_spool *s, const char *destination, size_t max, unsigned lease_ms,
                                pw_spool_item **items, size_t *n, pw_err *err)
{
    int64_t now = pw_spool_clock_ms(s);
    return lease_at(s, destination, max, now, now + lease_ms, 1, INT64_MAX, items, n, err);
}

pw_status pw_spool_lease_all(pw_spool *s, const char *destination, size_t max,
                             pw_spool_item **items, size_t *n, pw_err *err)
{
    return pw_spool_lease_all_upto(s, destination, INT64_MAX, max, items, n, err);
}

pw_status pw_spool_lease_all_upto(pw_spool *s, const char *destination, int64_t upto, size_t max,
                                  pw_spool_item **items, size_t *n, pw_err *err)
{
    /* As seen from far in the future: every lease has expired and every retry is due. The new
     * leases run the usual minute from now. */
    return lease_at(s, destination, max, INT64_MAX / 4, pw_spool_clock_ms(s) + 60000, 0, upto,
                    items, n, err);
}

int64_t pw_spool_high_water(pw_spool *s)
{
    pthread_mutex_lock(&s->db_mu);
    int64_t row = s->last_row;
    pthread_mutex_unlock(&s->db_mu);
    return row;
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

/* Row r of group gid has no bit left (db_mu held, inside the settling transaction): one row
 * fewer queued in the group, and the last one takes the group's body with it. The counts change
 * in memory once the transaction has committed (settle_apply). */
static pw_status row_finished(pw_spool *s, settle *t, int64_t gid, pw_err *err)
{
    pw_spool_slot *g = pw_spool_map_find(&s->groups, (uint64_t)gid, -1);
    if (!g)
        return PW_OK; /* its body is not counted as live: nothing to take */
    size_t k = t->n_gdec;
    if (!(k && t->gdec[2 * (k - 1)] == gid)) /* the usual case: the group of the row before */
        for (k = 0; k < t->n_gdec && t->gdec[2 * k] != gid; k++) {}
    else
        k--;
    if (k == t->n_gdec) {
        if (t->n_gdec == t->cap_gdec) {
            size_t cap = t->cap_gdec ? t->cap_gdec * 2 : 8;
            int64_t *grown = realloc(t->gdec, cap * 2 * sizeof *grown);
            if (!grown)
                return pw_err_set(err, PW_ERR_NOMEM, "spool: out of memory acking");
            t->gdec = grown;
            t->cap_gdec = cap;
        }
        t->gdec[2 * k] = gid;
        t->gdec[2 * k + 1] = 0;
        t->n_gdec++;
    }
    if (++t->gdec[2 * k + 1] < g->val)
        return PW_OK;
    sqlite3_stmt *st = pw_spool_stmt(s, SQL_DROP_BODY);
    if (!st)
        return pw_spool_db_fail(s, err, "prepare payload cleanup");
    sqlite3_bind_int64(st, 1, gid);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return pw_spool_db_fail(s, err, "payload cleanup");
    t->bytes_out += g->aux;
    return PW_OK;
}

/* Before position p's bit is cleared on rows lo..hi: the rows it is the last bit of are
 * finished by it (found with a range scan of `ev`; a RETURNING clause on the UPDATE costs
 * SQLite a trigger program per row, several times the scan). */
static pw_status finishing_rows(pw_spool *s, int p, int64_t lo, int64_t hi, settle *t, pw_err *err)
{
    sqlite3_stmt *st = pw_spool_stmt(s, SQL_FINISHING);
    if (!st)
        return pw_spool_db_fail(s, err, "prepare ack");
    sqlite3_bind_int64(st, 1, PW_SPOOL_PENDING_BASE | (int64_t)(1ull << p));
    sqlite3_bind_int64(st, 2, lo);
    sqlite3_bind_int64(st, 3, hi);
    int rc;
    pw_status status = PW_OK;
    while (status == PW_OK && (rc = sqlite3_step(st)) == SQLITE_ROW)
        status = row_finished(s, t, sqlite3_column_int64(st, 0), err);
    sqlite3_reset(st);
    if (status == PW_OK && rc != SQLITE_DONE)
        status = pw_spool_db_fail(s, err, "ack");
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
    pw_status status = finishing_rows(s, p, lo, hi, t, err);
    if (status != PW_OK)
        return status;
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
    if (lo < s->purge_lo)
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
            t->bytes_out += /* the payload's bytes go with the group's body */
                (int64_t)(pw_spool_item_bytes(a[k].eid_len, a[k].d->name_len, 0, 1) -
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
    size_t sorted = 1;                                /* as leased, usually: skip the sort */
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
        if (put_req_is_put(r))
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
        has_retry(s, item, &attempts, NULL);
    return (int)attempts;
}

/* When the attempt being settled began, at the latest: when its request went out (sent_ms,
 * from the forwarder) if that lies within its lease and not after now; else its lease's start
 * (earlier by the cycle's triage, audit sync and send mark), or now if it was not leased; a
 * lease of it that ran out before, if any. Never later than the send: the retry window this
 * starts must not outrun the upstream's deduplication window, which starts when it got the
 * event. A retry row that already has a first attempt keeps it (SQL_RETRY_PUT). */
static int64_t attempt_start(const pw_spool *s, pw_spool_dest *d, int64_t item, int64_t now,
                             int64_t sent_ms)
{
    int64_t expired = expired_start(d, item);
    if (expired > 0)
        return expired;
    pw_spool_slot *l = pw_spool_map_find(&d->leases, (uint64_t)item, -1);
    /* the lease is on the schedule clock, the window on the wall clock */
    int64_t start = l ? pw_spool_clock_to_wall(s, l->val - d->lease_span_ms) : now;
    if (start <= 0 || start > now)
        start = now;
    return l && sent_ms >= start && sent_ms <= now ? sent_ms : start;
}

/* Reschedule item at next. uncount: its lease was no attempt (the upstream did not take it), so
 * the row keeps the attempts before it. */
static pw_status retry_item(pw_spool *s, int64_t item, int64_t next, int uncount, int64_t sent_ms,
                            size_t *changed, pw_err *err)
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
    int attempts = lease_attempts(s, d, item) - (uncount != 0);
    sqlite3_bind_int64(st, 4, attempts > 0 ? attempts : 0);
    /* A put back was no attempt: it leaves the first attempt as it was (none, or an earlier one:
     * in the row, or a lease that ran out). */
    sqlite3_bind_int64(st, 5,
                       uncount ? expired_start(d, item)
                               : attempt_start(s, d, item, pw_gw_now_ms(), sent_ms));
    sqlite3_bind_int64(st, 6, ++s->write_order);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return pw_spool_db_fail(s, err, "retry");
    d->maybe_retries = 1; /* a hint: harmless if the transaction rolls back */
    (*changed)++;
    return PW_OK;
}

static pw_status reschedule(pw_spool *s, const int64_t *ids, size_t n, int64_t next_attempt_ms,
                            int uncount, int64_t sent_ms, pw_err *err)
{
    size_t changed = 0;
    settle t;
    pthread_mutex_lock(&s->db_mu);
    int64_t held = pw_histo_now_ns();
    int ready = settle_init(s, &t);
    pw_status status =
        ready ? pw_spool_begin(s, err) : pw_err_set(err, PW_ERR_NOMEM, "spool: out of memory");
    for (size_t i = 0; i < n && status == PW_OK; i++)
        status = retry_item(s, ids[i], next_attempt_ms, uncount, sent_ms, &changed, err);
    int64_t mark = 0; /* a retry due soon: its due time is the clock mark (pw_spool_heartbeat) */
    if (status == PW_OK && changed)
        mark = pw_spool_mark_due(s, next_attempt_ms, err, &status);
    if (status == PW_OK)
        status = pw_spool_run(s, SQL_COMMIT, err);
    if (status == PW_OK) {
        settle_apply(s, &t, ids, n); /* the leases end */
        pw_spool_mark_committed(s, mark);
    } else if (ready)
        pw_spool_run(s, SQL_ROLLBACK, NULL);
    pw_histo_since(&s->timing.other_hold, held);
    pthread_mutex_unlock(&s->db_mu);
    settle_free(&t);
    if (status == PW_OK && changed < n)
        return pw_err_set(err, PW_ERR_NOTFOUND, "spool: %zu of %zu items were not queued",
                          n - changed, n);
    return status;
}

pw_status pw_spool_retry_batch(pw_spool *s, const int64_t *ids, size_t n, int64_t next_attempt_ms,
                               pw_err *err)
{
    return reschedule(s, ids, n, next_attempt_ms, 0, 0, err);
}

pw_status pw_spool_retry_batch_sent(pw_spool *s, const int64_t *ids, size_t n,
                                    int64_t next_attempt_ms, int64_t sent_ms, pw_err *err)
{
    return reschedule(s, ids, n, next_attempt_ms, 0, sent_ms, err);
}

pw_status pw_spool_put_back_batch(pw_spool *s, const int64_t *ids, size_t n,
                                  int64_t next_attempt_ms, pw_err *err)
{
    return reschedule(s, ids, n, next_attempt_ms, 1, 0, err);
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
    body_view b = {0};
    const body_view *body = d ? body_of(s, &b, v.gid) : &b;
    size_t off = d ? (size_t)v.off + v.pos[p].off : 0;
    if (!d || v.off < 0 || off + v.pos[p].len > body->n) {
        body_close(s, &b);
        sqlite3_reset(row);
        return pw_err_set(err, PW_ERR_NOTFOUND, "spool: item %lld is not queued", (long long)item);
    }
    size_t eid_len = (size_t)sqlite3_column_bytes(row, 4);
    int rc = SQLITE_ERROR;
    if ((st = pw_spool_stmt(s, SQL_DEAD_PUT))) {
        sqlite3_bind_int64(st, 1, item);
        sqlite3_bind_value(st, 2, sqlite3_column_value(row, 4));
        sqlite3_bind_text(st, 3, d->name, (int)d->name_len, SQLITE_STATIC);
        sqlite3_bind_blob(st, 4, body->p ? (const void *)(body->p + off) : "", (int)v.pos[p].len,
                          SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 5, v.created_ms);
        sqlite3_bind_int64(st, 6, lease_attempts(s, d, item));
        sqlite3_bind_int64(st, 7, now);
        sqlite3_bind_text(st, 8, reason ? reason : "", -1, SQLITE_STATIC);
        rc = sqlite3_step(st);
        sqlite3_reset(st);
    }
    uint32_t len = v.pos[p].len;
    body_close(s, &b);
    sqlite3_reset(row);
    if (rc != SQLITE_DONE || !(st = pw_spool_stmt(s, SQL_CLEAR_BIT)))
        return pw_spool_db_fail(s, err, "dead letter");
    sqlite3_bind_int64(st, 1, (int64_t)(1ull << p));
    sqlite3_bind_int64(st, 2, ITEM_ROW(item));
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return pw_spool_db_fail(s, err, "dead letter");
    if (v.pending == 1ull << p) { /* its last bit: the row is finished */
        pw_status status = row_finished(s, t, v.gid, err);
        if (status != PW_OK)
            return status;
    }
    /* The dead letter keeps the item's bytes with a copy of its payload (the one in the group's
     * body goes with the body); the tombstone adds its own. */
    t->bytes_in += (int64_t)(len + pw_spool_item_bytes(eid_len, d->name_len, 0, 0));
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
