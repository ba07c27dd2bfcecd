/* gw_commit.c — spool, then batched audit, off the HTTP threads (see gw_commit.h). */
#include "gw_commit.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

typedef struct job {
    const pw_gw_prepared *pr;
    pw_gw_commit_done done;
    void *ctx;
    pw_status spool_st;
    struct job *next;
} job;

struct pw_gw_committer {
    pw_spool *spool;
    pw_audit *audit;
    void (*notify)(void *);
    void *notify_ctx;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    job *head, *tail;
    int stopping;
    pthread_t thread;
};

static void enqueue(pw_gw_committer *c, job *j)
{
    pthread_mutex_lock(&c->mu);
    j->next = NULL;
    if (c->tail)
        c->tail->next = j;
    else
        c->head = j;
    c->tail = j;
    pthread_cond_signal(&c->cv);
    pthread_mutex_unlock(&c->mu);
}

typedef struct put_ctx {
    pw_gw_committer *c;
    job *j;
} put_ctx;

/* On the spool's committer thread: hand over to the audit thread. */
static void on_spooled(void *ctx, pw_status st, const pw_err *err)
{
    put_ctx *pc = ctx;
    pc->j->spool_st = st;
    enqueue(pc->c, pc->j);
    free(pc);
}

/* One audit append for every spooled request in the batch, then their completions. */
static void settle(pw_gw_committer *c, job *batch)
{
    size_t n = 0;
    for (job *j = batch; j; j = j->next)
        if (j->spool_st == PW_OK)
            n += j->pr->n_recs;
    pw_status ast = PW_OK;
    pw_audit_record *recs = n ? malloc(n * sizeof *recs) : NULL;
    if (n && !recs)
        ast = PW_ERR_NOMEM;
    if (recs) {
        size_t k = 0;
        for (job *j = batch; j; j = j->next)
            if (j->spool_st == PW_OK) {
                memcpy(recs + k, j->pr->recs, j->pr->n_recs * sizeof *recs);
                k += j->pr->n_recs;
            }
        ast = pw_audit_append_batch(c->audit, recs, n, NULL);
        free(recs);
    }
    int spooled = 0;
    while (batch) {
        job *next = batch->next;
        spooled |= batch->spool_st == PW_OK && batch->pr->n_items;
        batch->done(batch->ctx, batch->spool_st, batch->spool_st == PW_OK ? ast : PW_OK);
        free(batch);
        batch = next;
    }
    if (spooled && c->notify)
        c->notify(c->notify_ctx);
}

static void *audit_thread(void *arg)
{
    pw_gw_committer *c = arg;
    for (;;) {
        pthread_mutex_lock(&c->mu);
        while (!c->head && !c->stopping)
            pthread_cond_wait(&c->cv, &c->mu);
        job *batch = c->head;
        c->head = c->tail = NULL;
        int stop = c->stopping;
        pthread_mutex_unlock(&c->mu);
        if (batch)
            settle(c, batch);
        else if (stop)
            return NULL;
    }
}

pw_status pw_gw_committer_new(pw_spool *spool, pw_audit *audit, void (*notify)(void *),
                              void *notify_ctx, pw_gw_committer **out, pw_err *err)
{
    pw_gw_committer *c = calloc(1, sizeof *c);
    if (!c)
        return pw_err_set(err, PW_ERR_NOMEM, "out of memory");
    *c = (pw_gw_committer){
        .spool = spool, .audit = audit, .notify = notify, .notify_ctx = notify_ctx};
    pthread_mutex_init(&c->mu, NULL);
    pthread_cond_init(&c->cv, NULL);
    if (pthread_create(&c->thread, NULL, audit_thread, c) != 0) {
        pthread_cond_destroy(&c->cv);
        pthread_mutex_destroy(&c->mu);
        free(c);
        return pw_err_set(err, PW_ERR_NOMEM, "committer: cannot start its thread");
    }
    *out = c;
    return PW_OK;
}

pw_status pw_gw_commit_submit(pw_gw_committer *c, const pw_gw_prepared *pr, pw_gw_commit_done done,
                              void *ctx, pw_err *err)
{
    job *j = calloc(1, sizeof *j);
    put_ctx *pc = calloc(1, sizeof *pc);
    if (!j || !pc) {
        free(j);
        free(pc);
        return pw_err_set(err, PW_ERR_NOMEM, "out of memory");
    }
    *j = (job){.pr = pr, .done = done, .ctx = ctx, .spool_st = PW_OK};
    if (!pr->n_items) { /* nothing to spool (every destination dropped it): audit only */
        free(pc);
        enqueue(c, j);
        return PW_OK;
    }
    *pc = (put_ctx){c, j};
    pw_status st = pw_spool_put_async(c->spool, pr->items, pr->n_items, on_spooled, pc, err);
    if (st != PW_OK) {
        free(pc);
        free(j);
    }
    return st;
}

void pw_gw_committer_free(pw_gw_committer *c)
{
    if (!c)
        return;
    pthread_mutex_lock(&c->mu);
    c->stopping = 1;
    pthread_cond_signal(&c->cv);
    pthread_mutex_unlock(&c->mu);
    pthread_join(c->thread, NULL);
    pthread_cond_destroy(&c->cv);
    pthread_mutex_destroy(&c->mu);
    free(c);
}
