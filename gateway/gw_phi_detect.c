/* gw_phi_detect.c — the PHI engine lent to request threads (see gw_phi_detect.h). */
#include "gw_phi_detect.h"

#include <pthread.h>
#include <stdlib.h>

typedef struct lease {
    const pw_detector *d;
    pw_detect_scratch *s;
    struct lease *next;
} lease;

struct pw_gw_phi_pool {
    const pw_detector *d;
    pthread_mutex_t mu;
    lease *free_list;
};

static pw_status scan(void *ctx, pw_arena *a, const char *key, pw_detect_object object,
                      const char *s, size_t n, pw_field_type type, pw_hit **hits, size_t *n_hits,
                      pw_err *err)
{
    lease *l = ctx;
    return pw_detect_scan_member(l->d, l->s, a, key, object, s, n, type, hits, n_hits, err);
}

static pw_status borrow(void *ctx, pw_gw_phi *out, void **token, pw_err *err)
{
    pw_gw_phi_pool *p = ctx;
    pthread_mutex_lock(&p->mu);
    lease *l = p->free_list;
    if (l)
        p->free_list = l->next;
    pthread_mutex_unlock(&p->mu);
    if (!l) {
        l = calloc(1, sizeof *l);
        if (!l)
            return pw_err_set(err, PW_ERR_NOMEM, "out of memory");
        l->d = p->d;
        pw_status st = pw_detect_scratch_new(p->d, &l->s, err);
        if (st != PW_OK) {
            free(l);
            return st;
        }
    }
    *out = (pw_gw_phi){scan, l};
    *token = l;
    return PW_OK;
}

static void give_back(void *ctx, void *token)
{
    pw_gw_phi_pool *p = ctx;
    lease *l = token;
    pthread_mutex_lock(&p->mu);
    l->next = p->free_list;
    p->free_list = l;
    pthread_mutex_unlock(&p->mu);
}

pw_status pw_gw_phi_pool_new(const pw_detector *d, pw_gw_phi_pool **out, pw_err *err)
{
    pw_gw_phi_pool *p = calloc(1, sizeof *p);
    if (!p)
        return pw_err_set(err, PW_ERR_NOMEM, "out of memory");
    p->d = d;
    pthread_mutex_init(&p->mu, NULL);
    *out = p;
    return PW_OK;
}

void pw_gw_phi_pool_free(pw_gw_phi_pool *p)
{
    if (!p)
        return;
    while (p->free_list) {
        lease *l = p->free_list;
        p->free_list = l->next;
        pw_detect_scratch_free(l->s);
        free(l);
    }
    pthread_mutex_destroy(&p->mu);
    free(p);
}

pw_gw_phi_source pw_gw_phi_pool_source(pw_gw_phi_pool *p)
{
    return (pw_gw_phi_source){borrow, give_back, p};
}
