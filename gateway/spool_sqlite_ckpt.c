/*
 * spool_sqlite_ckpt.c — WAL checkpoints of the SQLite spool, off the commit path.
 *
 * SQLite's automatic checkpoint runs inside the COMMIT that crosses the threshold: that commit
 * copies thousands of pages into the database file and fsyncs it while every put waiting for
 * it (and every HTTP answer behind them) waits too: a latency spike every few thousand events.
 * Here the connection's WAL hook only wakes a checkpointer thread ("pw-ckpt") that runs PASSIVE
 * checkpoints on its own connection, concurrently with the writer (WAL allows it). Durability
 * is the writer's business and unchanged: every commit still fsyncs the WAL.
 *
 * The WAL restarts from its beginning only when a write transaction starts with every frame
 * checkpointed, which a background checkpoint racing a steady stream of commits never achieves
 * by itself. So the checkpointer goes round again at once while a pass leaves more than
 * CKPT_REMAINDER frames behind (each pass copies only what was committed during the previous
 * one, so they shrink), and once the rest is that small and the disk answers quickly, it copies
 * it while holding the spool's lock (no commit can slip in): a short pause of the commits (a few
 * pages and one fsync of the database file), on its own thread, never inside a commit whose
 * requests wait for their answer. A round that does not get there backs off for a moment. Should
 * the WAL still grow far beyond the threshold (a checkpointer that cannot keep up), the writer
 * checkpoints inline, as SQLite would by itself.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <sqlite3.h>
#include <stdlib.h>

#include "gw_time.h"
#include "spool_sqlite_internal.h"

#define CKPT_FRAMES        4000    /* wake the checkpointer (SQLite's own default is 1000) */
#define CKPT_INLINE_FRAMES 40000   /* ~160 MiB of WAL: the writer checkpoints itself */
#define CKPT_REMAINDER     16      /* frames the checkpointer copies under the spool's lock */
#define CKPT_FAST_NS       2000000 /* … if the pass before took at most this (2 ms) */
#define CKPT_PASSES        32      /* passes per round before backing off */
#define CKPT_BACKOFF_MS    20

struct pw_spool_ckpt {
    sqlite3 *db; /* the checkpointer's own connection */
    pw_spool *spool;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int wanted;
    atomic_int stop;       /* read by a round between passes */
    int running;           /* a background checkpoint is under way */
    pw_histo *finish;      /* the final passes, under the spool's lock */
    pw_histo *inline_time; /* checkpoints run by the committing thread */
};

/* Runs in the committing thread after each commit (db_mu held): wake the checkpointer once the
 * WAL holds CKPT_FRAMES frames; checkpoint inline only if it has fallen far behind. */
static int on_wal_commit(void *arg, sqlite3 *db, const char *name, int frames)
{
    pw_spool_ckpt *c = arg;
    if (frames < CKPT_FRAMES)
        return SQLITE_OK;
    if (frames >= CKPT_INLINE_FRAMES) {
        int64_t t0 = pw_histo_now_ns();
        sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
        pw_histo_since(c->inline_time, t0);
        return SQLITE_OK;
    }
    pthread_mutex_lock(&c->mu);
    if (!c->running) {
        c->wanted = 1;
        pthread_cond_signal(&c->cv);
    }
    pthread_mutex_unlock(&c->mu);
    return SQLITE_OK;
}

/* Passes until the WAL is fully copied (the next commit then restarts it). A pass copies what
 * was committed up to its start, so the frames committed during one pass are the next one's
 * work: once a pass had at most CKPT_REMAINDER new frames to copy and took at most
 * CKPT_FAST_NS (the disk answers quickly: the last pass will be as short), the last pass runs
 * under the spool's lock, and no commit can slip in. 1 if the WAL was fully copied. */
static int checkpoint_round(pw_spool_ckpt *c)
{
    int prev = -1;
    for (int pass = 0; pass < CKPT_PASSES && !atomic_load(&c->stop); pass++) {
        /* Failures (SQLITE_BUSY: another checkpoint running) are retried at the next wake. */
        int log = -1, done = -1;
        int64_t t0 = pw_histo_now_ns();
        if (sqlite3_wal_checkpoint_v2(c->db, "main", SQLITE_CHECKPOINT_PASSIVE, &log, &done) !=
                SQLITE_OK ||
            log < CKPT_FRAMES || done < 0)
            return 1; /* (or the WAL has restarted meanwhile) */
        int64_t took = pw_histo_now_ns() - t0;
        if (prev >= 0 && done == log && log - prev <= CKPT_REMAINDER && took <= CKPT_FAST_NS) {
            pthread_mutex_lock(&c->spool->db_mu);
            t0 = pw_histo_now_ns();
            sqlite3_wal_checkpoint_v2(c->db, "main", SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
            pw_histo_since(c->finish, t0);
            pthread_mutex_unlock(&c->spool->db_mu);
            return 1;
        }
        prev = log;
    }
    return 0;
}

static void *ckpt_main(void *arg)
{
    pw_spool_ckpt *c = arg;
    pthread_setname_np(pthread_self(), "pw-ckpt");
    pthread_mutex_lock(&c->mu);
    for (;;) {
        while (!c->wanted && !c->stop)
            pthread_cond_wait(&c->cv, &c->mu);
        if (c->stop)
            break;
        c->wanted = 0;
        c->running = 1;
        pthread_mutex_unlock(&c->mu);
        int finished = checkpoint_round(c);
        pthread_mutex_lock(&c->mu);
        if (!finished && !c->stop) { /* a slow disk now: do not add to its load at once */
            struct timespec dl = pw_gw_deadline(CKPT_BACKOFF_MS);
            pthread_cond_timedwait(&c->cv, &c->mu, &dl);
        }
        c->running = 0;
    }
    pthread_mutex_unlock(&c->mu);
    return NULL;
}

static void ckpt_free(pw_spool_ckpt *c)
{
    if (c->db)
        sqlite3_close(c->db);
    pthread_cond_destroy(&c->cv);
    pthread_mutex_destroy(&c->mu);
    free(c);
}

void pw_spool_ckpt_start(pw_spool *s, const char *path)
{
    pw_spool_ckpt *c = calloc(1, sizeof *c);
    if (!c)
        return; /* SQLite's automatic checkpoint stays on */
    pthread_mutex_init(&c->mu, NULL);
    pw_gw_cond_init(&c->cv);
    c->inline_time = &s->timing.ckpt_inline;
    c->finish = &s->timing.ckpt_finish;
    c->spool = s;
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
    /* A connection opens the WAL only once it has read the file: until then its checkpoints
     * would do nothing (and report success). */
    if (sqlite3_open_v2(path, &c->db, flags, NULL) != SQLITE_OK ||
        sqlite3_exec(c->db, "SELECT count(*) FROM sqlite_master", NULL, NULL, NULL) != SQLITE_OK ||
        pthread_create(&c->thread, NULL, ckpt_main, c) != 0) {
        ckpt_free(c);
        return;
    }
    sqlite3_busy_timeout(c->db, 1000);
    s->ckpt = c;
    pthread_mutex_lock(&s->db_mu);
    sqlite3_wal_hook(s->db, on_wal_commit, c); /* replaces the automatic checkpoint */
    pthread_mutex_unlock(&s->db_mu);
}

void pw_spool_ckpt_stop(pw_spool *s)
{
    pw_spool_ckpt *c = s->ckpt;
    if (!c)
        return;
    pthread_mutex_lock(&s->db_mu);
    sqlite3_wal_hook(s->db, NULL, NULL);
    pthread_mutex_unlock(&s->db_mu);
    pthread_mutex_lock(&c->mu);
    c->stop = 1;
    pthread_cond_signal(&c->cv);
    pthread_mutex_unlock(&c->mu);
    pthread_join(c->thread, NULL);
    ckpt_free(c);
    s->ckpt = NULL;
}
