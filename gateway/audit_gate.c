/*
 * audit_gate.c — keep the audit chain in the order things happened to each event: the ingest
 * records of an event (accepted, queued, duplicate) before any outcome a forwarder records for it
 * (sent, retry, dead).
 *
 * Ingest hands its records to the pw-audit thread after the spool commit, and the forwarders may
 * lease the committed rows, send them and append their outcomes before that thread has written
 * them (a forwarder polls the spool on its own). So ingest takes a ticket before its put
 * (pw_audit_ingest_begin) and returns it once its records are written (or the put failed); a
 * forwarder notes the last ticket handed out right after a lease (pw_audit_ingest_mark: every row
 * it leased was put under an earlier ticket) and, before appending outcomes, waits until every
 * ticket up to that mark is returned (pw_audit_ingest_wait). Tickets come back out of order, so
 * the returned ones above the lowest outstanding ticket are kept in a ring of flags.
 */
#include <stdlib.h>
#include <string.h>

#include "audit_internal.h"
#include "gw_time.h"

void pw_audit_gate_init(pw_audit_gate *g)
{
    memset(g, 0, sizeof *g);
    pthread_mutex_init(&g->mu, NULL);
    pw_gw_cond_init(&g->cv);
}

void pw_audit_gate_destroy(pw_audit_gate *g)
{
    pthread_cond_destroy(&g->cv);
    pthread_mutex_destroy(&g->mu);
    free(g->done);
}

/* Room for one more outstanding ticket (mu held): the ring doubles, keeping each flag at
 * ticket % cap. */
static int gate_room(pw_audit_gate *g)
{
    if (g->issued - g->low < g->cap)
        return 1;
    size_t cap = g->cap ? g->cap * 2 : 1024;
    unsigned char *done = calloc(cap, 1);
    if (!done)
        return 0;
    for (uint64_t t = g->low + 1; t <= g->issued; t++)
        done[t % cap] = g->done[t % g->cap];
    free(g->done);
    g->done = done;
    g->cap = cap;
    return 1;
}

uint64_t pw_audit_gate_begin(pw_audit_gate *g)
{
    pthread_mutex_lock(&g->mu);
    uint64_t t = 0;
    if (gate_room(g)) {
        t = ++g->issued;
        g->done[t % g->cap] = 0;
    }
    pthread_mutex_unlock(&g->mu);
    return t; /* 0: out of memory, this ingest is not waited for */
}

void pw_audit_gate_end(pw_audit_gate *g, const uint64_t *tickets, size_t n)
{
    pthread_mutex_lock(&g->mu);
    for (size_t i = 0; i < n; i++)
        if (tickets[i] > g->low && tickets[i] <= g->issued)
            g->done[tickets[i] % g->cap] = 1;
    uint64_t low = g->low;
    while (g->low < g->issued && g->done[(g->low + 1) % g->cap])
        g->low++;
    if (g->low != low)
        pthread_cond_broadcast(&g->cv);
    pthread_mutex_unlock(&g->mu);
}

uint64_t pw_audit_gate_mark(pw_audit_gate *g)
{
    pthread_mutex_lock(&g->mu);
    uint64_t m = g->issued;
    pthread_mutex_unlock(&g->mu);
    return m;
}

int pw_audit_gate_wait(pw_audit_gate *g, uint64_t mark, unsigned timeout_ms)
{
    struct timespec dl = pw_gw_deadline(timeout_ms);
    int ok = 1;
    pthread_mutex_lock(&g->mu);
    while (g->low < mark && ok)
        ok = pthread_cond_timedwait(&g->cv, &g->mu, &dl) == 0 || g->low >= mark;
    pthread_mutex_unlock(&g->mu);
    return ok;
}
