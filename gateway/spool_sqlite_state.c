/*
 * spool_sqlite_state.c — inspecting the SQLite spool: depth, oldest queued event, dead letters
 * and bytes for /metrics (pw_spool_stats_get), the state of one (event_id, destination) and the
 * reason of a dead letter. Depths are counted in memory; the oldest queued event is found by a
 * rowid scan from a per-destination hint below which nothing is queued, so a scrape costs no
 * table scan while puts wait for the lock.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spool_sqlite_internal.h"

#define OLDEST_SCAN_CHUNK 2048 /* rows looked at per turn on the spool's lock */

/* One turn of the oldest-row scan, from *from on (db_mu held): created_ms of the first row
 * queued for d (NULL: for any destination), advancing d's hint and *from; 0 if none found in
 * this turn, with *more set if rows are left to look at. */
static int64_t oldest_step(pw_spool *s, pw_spool_dest *d, int64_t *from, int *more)
{
    *more = 0;
    sqlite3_stmt *st = pw_spool_stmt(s, SQL_SCAN_STATE);
    if (!st || *from > s->last_row)
        return 0;
    sqlite3_bind_int64(st, 1, *from);
    int64_t oldest = 0;
    int rows = 0;
    while (!oldest && sqlite3_step(st) == SQLITE_ROW) {
        uint64_t pending = (uint64_t)sqlite3_column_int64(st, 2);
        pw_spool_pos pos[PW_SPOOL_MAX_POS];
        int n = pw_spool_parse_dests(sqlite3_column_blob(st, 3), sqlite3_column_bytes(st, 3), pos);
        for (int i = 0; i < n && !oldest; i++)
            if ((pending >> i) & 1 && (!d || pos[i].dest == d->id))
                oldest = sqlite3_column_int64(st, 1);
        int64_t id = sqlite3_column_int64(st, 0);
        *from = id + (oldest ? 0 : 1);
        if (d)
            d->low = *from;
        if (!oldest && ++rows >= OLDEST_SCAN_CHUNK) {
            *more = 1;
            break;
        }
    }
    sqlite3_reset(st);
    return oldest;
}

/* created_ms of the first queued row of `destination` (NULL: of any), 0 if none. Scanned from a
 * per-destination hint below which nothing is queued, a chunk of rows per turn on the lock so
 * that a scrape after many deliveries does not keep the commits waiting. */
static int64_t oldest_queued(pw_spool *s, const char *destination)
{
    int64_t from = -1, oldest = 0;
    for (int more = 1; more && !oldest;) {
        pthread_mutex_lock(&s->db_mu);
        pw_spool_dest *d = destination ? pw_spool_dest_by_name(s, destination) : NULL;
        if (from < 0) {
            from = s->last_row + 1;
            for (size_t i = 0; i < s->n_dests; i++)
                if ((!d || d == &s->dests[i]) && s->dests[i].depth && s->dests[i].low < from)
                    from = s->dests[i].low;
        }
        more = 0;
        if (!destination || d)
            oldest = oldest_step(s, d, &from, &more);
        pthread_mutex_unlock(&s->db_mu);
        if (more)
            pw_spool_let_commit_in(s);
    }
    return oldest;
}

static pw_status count_dead(pw_spool *s, const char *dest, int64_t *out, pw_err *err)
{
    static const char *const sql[2] = {"SELECT count(*) FROM dead",
                                       "SELECT count(*) FROM dead WHERE destination = ?1"};
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db, sql[dest != NULL], -1, &st, NULL) != SQLITE_OK)
        return pw_spool_db_fail(s, err, "prepare stats");
    if (dest)
        sqlite3_bind_text(st, 1, dest, -1, SQLITE_STATIC);
    *out = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_finalize(st);
    return PW_OK;
}

pw_status pw_spool_stats_get(pw_spool *s, const char *destination, pw_spool_stats *out, pw_err *err)
{
    memset(out, 0, sizeof *out);
    int64_t dead = 0;
    pthread_mutex_lock(&s->db_mu);
    int64_t held = pw_histo_now_ns();
    pw_spool_dest *d = destination ? pw_spool_dest_by_name(s, destination) : NULL;
    for (size_t i = 0; i < s->n_dests; i++)
        if (!destination || d == &s->dests[i])
            out->depth += s->dests[i].depth;
    int scan = out->depth && (d || !destination);
    pw_status st = count_dead(s, destination, &dead, err);
    out->bytes = s->bytes;
    pw_histo_since(&s->timing.other_hold, held);
    pthread_mutex_unlock(&s->db_mu);
    if (scan)
        out->oldest_ms = oldest_queued(s, destination);
    out->dead = (uint64_t)dead;
    return st;
}

pw_status pw_spool_dead_reason(pw_spool *s, const char *event_id, const char *destination,
                               char *reason, size_t cap, pw_err *err)
{
    static const char sql[] = "SELECT reason FROM dead WHERE event_id = ?1 AND destination = ?2"
                              " ORDER BY id DESC LIMIT 1";
    sqlite3_stmt *st = NULL;
    pw_status status = PW_OK;
    pthread_mutex_lock(&s->db_mu);
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
        status = pw_spool_db_fail(s, err, "prepare dead lookup");
    } else {
        sqlite3_bind_text(st, 1, event_id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, destination, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW) {
            const char *r = (const char *)sqlite3_column_text(st, 0);
            snprintf(reason, cap, "%s", r ? r : "");
        } else {
            status = pw_err_set(err, PW_ERR_NOTFOUND, "spool: no dead letter for %s/%s", event_id,
                                destination);
        }
    }
    sqlite3_finalize(st);
    pthread_mutex_unlock(&s->db_mu);
    return status;
}

/* The state of d's item in row `row` of event_id: -1 if the row is not that event's or lacks d. */
static int row_state(pw_spool *s, int64_t row, const char *event_id, const pw_spool_dest *d)
{
    sqlite3_stmt *st = pw_spool_stmt(s, SQL_ROW);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, row);
    int state = -1;
    if (sqlite3_step(st) == SQLITE_ROW) {
        const char *eid = (const char *)sqlite3_column_text(st, 4);
        uint64_t pending = (uint64_t)sqlite3_column_int64(st, 2);
        pw_spool_pos pos[PW_SPOOL_MAX_POS];
        int n = pw_spool_parse_dests(sqlite3_column_blob(st, 3), sqlite3_column_bytes(st, 3), pos);
        for (int i = 0; eid && strcmp(eid, event_id) == 0 && i < n; i++)
            if (pos[i].dest == d->id)
                state = (pending >> i) & 1 ? PW_SPOOL_QUEUED : PW_SPOOL_DELIVERED;
    }
    sqlite3_reset(st);
    return state;
}

static int is_dead(pw_spool *s, const char *event_id, const char *destination)
{
    static const char sql[] = "SELECT 1 FROM dead WHERE event_id = ?1 AND destination = ?2";
    sqlite3_stmt *st = NULL;
    int dead = 0;
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, event_id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, destination, -1, SQLITE_STATIC);
        dead = sqlite3_step(st) == SQLITE_ROW;
    }
    sqlite3_finalize(st);
    return dead;
}

pw_status pw_spool_state(pw_spool *s, const char *event_id, const char *destination, int *state,
                         pw_err *err)
{
    int found = -1;
    pthread_mutex_lock(&s->db_mu);
    pw_spool_dest *d = pw_spool_dest_by_name(s, destination);
    uint64_t hash = pw_spool_key_hash(s->hash_key, event_id, strlen(event_id));
    for (pw_spool_slot *k = d ? pw_spool_map_find(&s->keys, hash, -1) : NULL; k && found < 0;
         k = pw_spool_map_next(&s->keys, k))
        found = row_state(s, k->val, event_id, d);
    if (found == PW_SPOOL_DELIVERED && is_dead(s, event_id, destination))
        found = PW_SPOOL_DEAD;
    pthread_mutex_unlock(&s->db_mu);
    if (found < 0)
        return pw_err_set(err, PW_ERR_NOTFOUND, "spool: no item for %s/%s", event_id, destination);
    *state = found;
    return PW_OK;
}

/* ---- /metrics: where the commit path's time goes ------------------------------------------ */

void pw_spool_metrics(pw_spool *s, pw_buf *o)
{
    static const char name[] = "phiwall_gateway_spool_phase_seconds";
    const pw_spool_timing *t = &s->timing;
    const struct {
        const char *phase;
        const pw_histo *h;
    } phases[] = {{"put_queue", &t->put_queue},     {"put_lock", &t->put_lock},
                  {"put_write", &t->put_write},     {"put_commit", &t->put_commit},
                  {"put_total", &t->put_total},     {"lease_hold", &t->lease_hold},
                  {"ack_write", &t->ack_write},     {"ack_total", &t->ack_total},
                  {"other_hold", &t->other_hold},   {"ckpt_finish", &t->ckpt_finish},
                  {"ckpt_inline", &t->ckpt_inline}, {"mark_total", &t->mark_total}};
    pw_histo_type(name,
                  "Spool time by phase: put_* per put request (queue, total) or group commit "
                  "(lock, write, commit); ack_*: acks joining the group commit (write: their SQL; "
                  "total: per ack request); mark_total: per mark of a send; *_hold: the spool lock "
                  "held by a forwarder",
                  o);
    for (size_t i = 0; i < sizeof phases / sizeof phases[0]; i++) {
        char label[48];
        snprintf(label, sizeof label, "phase=\"%s\"", phases[i].phase);
        pw_histo_print(phases[i].h, name, label, o);
    }
    pw_buf_printf(
        o,
        "# TYPE phiwall_gateway_spool_commits_total counter\n"
        "phiwall_gateway_spool_commits_total %llu\n"
        "# TYPE phiwall_gateway_spool_commit_requests_total counter\n"
        "phiwall_gateway_spool_commit_requests_total %llu\n"
        "# TYPE phiwall_gateway_spool_commit_items_total counter\n"
        "phiwall_gateway_spool_commit_items_total %llu\n"
        "# HELP phiwall_gateway_spool_load_gathers_total Group commits whose leader "
        "waited for more requests first (under load)\n"
        "# TYPE phiwall_gateway_spool_load_gathers_total counter\n"
        "phiwall_gateway_spool_load_gathers_total %llu\n",
        (unsigned long long)atomic_load(&t->commits), (unsigned long long)atomic_load(&t->requests),
        (unsigned long long)atomic_load(&t->items), (unsigned long long)atomic_load(&t->gathers));
    uint64_t free_bytes = pw_spool_disk_free(s);
    pw_buf_printf(o,
                  "# HELP phiwall_gateway_spool_reserve_refusals_total Put requests refused "
                  "(503) to keep the disk reserve free for delivery outcomes\n"
                  "# TYPE phiwall_gateway_spool_reserve_refusals_total counter\n"
                  "phiwall_gateway_spool_reserve_refusals_total %llu\n"
                  "# TYPE phiwall_gateway_spool_reserve_bytes gauge\n"
                  "phiwall_gateway_spool_reserve_bytes %llu\n",
                  (unsigned long long)atomic_load(&s->reserve_refused),
                  (unsigned long long)s->reserve);
    if (free_bytes != UINT64_MAX)
        pw_buf_printf(o,
                      "# TYPE phiwall_gateway_spool_disk_free_bytes gauge\n"
                      "phiwall_gateway_spool_disk_free_bytes %llu\n",
                      (unsigned long long)free_bytes);
    uint64_t room = pw_spool_put_room(s);
    if (room != UINT64_MAX)
        pw_buf_printf(o,
                      "# HELP phiwall_gateway_spool_put_room_bytes The largest put request "
                      "(spool bytes: payloads + keys + 64 per item) taken now; a larger one is "
                      "refused (503)\n"
                      "# TYPE phiwall_gateway_spool_put_room_bytes gauge\n"
                      "phiwall_gateway_spool_put_room_bytes %llu\n",
                      (unsigned long long)room);
}

uint64_t pw_spool_put_room_parts(pw_spool *s, uint64_t *max_left)
{
    pthread_mutex_lock(&s->db_mu);
    uint64_t bytes = s->bytes;
    pthread_mutex_unlock(&s->db_mu);
    *max_left = !s->max_bytes ? UINT64_MAX : s->max_bytes > bytes ? s->max_bytes - bytes : 0;
    uint64_t free_bytes = s->reserve ? pw_spool_disk_free(s) : UINT64_MAX;
    uint64_t disk = free_bytes == UINT64_MAX  ? UINT64_MAX
                    : free_bytes > s->reserve ? free_bytes - s->reserve
                                              : 0;
    return pw_spool_room_of(*max_left, disk, atomic_load(&s->free_page_bytes));
}

uint64_t pw_spool_put_room(pw_spool *s)
{
    uint64_t max_left;
    return pw_spool_put_room_parts(s, &max_left);
}

/* Full when a put of PW_SPOOL_HEALTH_PUT bytes would be refused, by the put's own rule
 * (pw_spool_room_of). Before, /healthz had its own thresholds: max_bytes less 4 KiB, and the
 * disk without the file's free pages; a put of a larger event was refused while it said ok, and
 * a drained spool's free pages took puts while it said full. */
int pw_spool_full(pw_spool *s)
{
    uint64_t max_left;
    uint64_t room = pw_spool_put_room_parts(s, &max_left);
    if (room >= PW_SPOOL_HEALTH_PUT)
        return 0;
    return max_left < PW_SPOOL_HEALTH_PUT ? 1 : 2;
}

void pw_spool_names_free(char **names, size_t n)
{
    for (size_t i = 0; names && i < n; i++)
        free(names[i]);
    free(names);
}

pw_status pw_spool_destinations(pw_spool *s, char ***names, size_t *n, pw_err *err)
{
    *names = NULL;
    *n = 0;
    pthread_mutex_lock(&s->db_mu);
    char **out = calloc(s->n_dests ? s->n_dests : 1, sizeof *out);
    size_t k = 0;
    for (size_t i = 0; out && i < s->n_dests; i++)
        if (s->dests[i].name && !(out[k++] = strdup(s->dests[i].name)))
            break;
    int ok = out && (k == 0 || out[k - 1]);
    pthread_mutex_unlock(&s->db_mu);
    if (!ok) {
        pw_spool_names_free(out, k);
        return pw_err_set(err, PW_ERR_NOMEM, "spool: out of memory");
    }
    *names = out;
    *n = k;
    return PW_OK;
}
