/*
 * forward_keep.c — delivery outcomes a stopping forwarder could not write (the audit log or the
 * spool refused them until the stop), kept in memory for the forwarders a reload starts next
 * (see pw_forwarders_stop_keep). Each batch is one allocation holding copies of its records'
 * strings: the cycle that made them is gone by the time they are written.
 */
#include <stdlib.h>
#include <string.h>

#include "forward_internal.h"

static size_t str_size(const char *s)
{
    return s ? strlen(s) + 1 : 0;
}

static const char *str_copy(const char *s, char **pos)
{
    if (!s)
        return NULL;
    size_t n = strlen(s) + 1;
    memcpy(*pos, s, n);
    const char *out = *pos;
    *pos += n;
    return out;
}

static size_t record_strings(const pw_audit_record *r)
{
    return str_size(r->event_id) + str_size(r->event_name) + str_size(r->destination) +
           str_size(r->rule) + str_size(r->fields_json) + str_size(r->payload_sha256) +
           str_size(r->detail);
}

static void record_copy(pw_audit_record *to, const pw_audit_record *from, char **pos)
{
    *to = *from;
    to->event_id = str_copy(from->event_id, pos);
    to->event_name = str_copy(from->event_name, pos);
    to->destination = str_copy(from->destination, pos);
    to->rule = str_copy(from->rule, pos);
    to->fields_json = str_copy(from->fields_json, pos);
    to->payload_sha256 = str_copy(from->payload_sha256, pos);
    to->detail = str_copy(from->detail, pos);
}

fw_kept *pw_fw_kept_new(fw_settle_kind kind, int audited, int64_t next_ms, uint64_t ingest_mark,
                        const pw_audit_record *recs, const int64_t *ids, const size_t *lens,
                        size_t n)
{
    size_t strings = 0;
    for (size_t i = 0; i < n; i++)
        strings += record_strings(&recs[i]);
    /* Arrays first (their alignment), strings last. */
    size_t size =
        sizeof(fw_kept) +
        n * (sizeof(pw_audit_record) + sizeof(int64_t) + sizeof(size_t) + sizeof(char *)) + strings;
    fw_kept *k = calloc(1, size);
    if (!k)
        return NULL;
    k->kind = kind;
    k->audited = audited;
    k->next_ms = next_ms;
    k->ingest_mark = ingest_mark;
    k->n = n;
    k->recs = (pw_audit_record *)(k + 1);
    k->ids = (int64_t *)(k->recs + n);
    k->lens = (size_t *)(k->ids + n);
    k->reasons = (char **)(k->lens + n);
    char *pos = (char *)(k->reasons + n);
    for (size_t i = 0; i < n; i++) {
        record_copy(&k->recs[i], &recs[i], &pos);
        k->ids[i] = ids[i];
        k->lens[i] = lens ? lens[i] : 0;
        k->reasons[i] = (char *)k->recs[i].detail; /* a dead letter's reason is its detail */
    }
    return k;
}

void pw_fw_kept_append(pw_forward_unsettled *u, fw_kept *k)
{
    k->next = NULL;
    if (u->tail)
        u->tail->next = k;
    else
        u->head = k;
    u->tail = k;
    u->records += k->n;
}

fw_kept *pw_fw_kept_pop(pw_forward_unsettled *u)
{
    fw_kept *k = u->head;
    if (!k)
        return NULL;
    u->head = k->next;
    if (!u->head)
        u->tail = NULL;
    u->records -= k->n;
    return k;
}

void pw_fw_kept_move(pw_forward_unsettled *to, pw_forward_unsettled *from)
{
    fw_kept *k;
    while ((k = pw_fw_kept_pop(from)))
        pw_fw_kept_append(to, k);
}

size_t pw_forward_unsettled_records(const pw_forward_unsettled *u)
{
    return u ? u->records : 0;
}

void pw_forward_unsettled_free(pw_forward_unsettled *u)
{
    if (!u)
        return;
    fw_kept *k;
    while ((k = pw_fw_kept_pop(u)))
        free(k);
    free(u);
}
