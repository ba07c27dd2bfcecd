/*
 * gw_test_sink.h — TEST-ONLY in-memory sink for the gateway's ingest tests: records every row
 * the ingest would put into the spool and every audit record, so tests can assert exactly what
 * was queued. The product's sink is the SQLite spool + hash-chained audit (gw_server.c).
 */
#ifndef GW_TEST_SINK_H
#define GW_TEST_SINK_H

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "gw_http.h"

typedef struct gw_test_sink {
    pthread_mutex_t mu;
    char *rows[4096]; /* "destination\tevent_id\tpayload" */
    size_t n_rows;
    char *audits[8192]; /* "action\tdestination\trule\tfields" */
    size_t n_audits;
    int fail_put; /* answer PW_ERR_LIMIT (spool full) */
} gw_test_sink;

static pw_status gw_test_sink_put(void *ctx, const pw_spool_put_item *it, size_t n, pw_err *err)
{
    gw_test_sink *s = ctx;
    if (s->fail_put)
        return pw_err_set(err, PW_ERR_LIMIT, "test spool full");
    pthread_mutex_lock(&s->mu);
    for (size_t i = 0; i < n && s->n_rows < 4096; i++) {
        size_t len = strlen(it[i].destination) + strlen(it[i].event_id) + it[i].payload_len + 3;
        char *r = malloc(len);
        snprintf(r, len, "%s\t%s\t%.*s", it[i].destination, it[i].event_id, (int)it[i].payload_len,
                 it[i].payload);
        s->rows[s->n_rows++] = r;
    }
    pthread_mutex_unlock(&s->mu);
    return PW_OK;
}

static pw_status gw_test_sink_audit(void *ctx, const pw_audit_record *recs, size_t n, pw_err *err)
{
    gw_test_sink *s = ctx;
    pthread_mutex_lock(&s->mu);
    for (const pw_audit_record *rec = recs; rec < recs + n && s->n_audits < 8192; rec++) {
        size_t len = 64 + (rec->destination ? strlen(rec->destination) : 0) +
                     (rec->rule ? strlen(rec->rule) : 0) +
                     (rec->fields_json ? strlen(rec->fields_json) : 0) +
                     (rec->event_name ? strlen(rec->event_name) : 0);
        char *r = malloc(len);
        snprintf(r, len, "%d\t%s\t%s\t%s\t%s", (int)rec->action,
                 rec->destination ? rec->destination : "-", rec->event_name ? rec->event_name : "-",
                 rec->rule ? rec->rule : "-", rec->fields_json ? rec->fields_json : "-");
        s->audits[s->n_audits++] = r;
    }
    pthread_mutex_unlock(&s->mu);
    return PW_OK;
}

static void gw_test_sink_init(gw_test_sink *s)
{
    memset(s, 0, sizeof *s);
    pthread_mutex_init(&s->mu, NULL);
}

static void gw_test_sink_clear(gw_test_sink *s)
{
    for (size_t i = 0; i < s->n_rows; i++)
        free(s->rows[i]);
    for (size_t i = 0; i < s->n_audits; i++)
        free(s->audits[i]);
    s->n_rows = s->n_audits = 0;
}

static pw_gw_sink gw_test_sink_bind(gw_test_sink *s)
{
    return (pw_gw_sink){gw_test_sink_put, gw_test_sink_audit, s};
}

#endif
