/*
 * gw_ingest.c — POST /e: parse, apply the policy, spool the post-policy rows in one atomic put,
 * then audit. Nothing raw reaches the sink: the items are the policy's payloads, the audit
 * records carry the taxonomy name, the rule and the field -> rule map only.
 */
#include "gw_ingest.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "gw_json_writer.h"

/* Only what a reply's reader looks at: the body is written by whoever sets the status. */
static void reply_clear(pw_gw_reply *r)
{
    r->status = 0;
    r->retry_after = 0;
    r->body[0] = '\0';
}

static void reply_error(pw_gw_reply *r, int status, const char *msg)
{
    pw_buf b;
    pw_gw_jw w;
    pw_buf_init(&b);
    pw_gw_jw_init(&w, &b);
    pw_gw_jw_obj(&w, NULL);
    pw_gw_jw_str(&w, "error", msg);
    pw_gw_jw_end_obj(&w);
    r->status = status;
    snprintf(r->body, sizeof r->body, "%s", b.data && !b.failed ? b.data : "{\"error\":\"?\"}");
    pw_buf_free(&b);
}

static void audit_rec(pw_audit_record *out, pw_audit_action act, int64_t now, const char *event_id,
                      const char *name, const char *dest, const char *rule, const char *fields)
{
    *out = (pw_audit_record){.time_ms = now,
                             .event_id = event_id,
                             .event_name = name,
                             .destination = dest,
                             .action = act,
                             .rule = rule,
                             .fields_json = fields};
}

/* Audit one event: accepted at ingest, then queued or dropped per destination. The event's
 * own name is never written (it may be the very thing that leaks): the taxonomy name is. */
static size_t audit_event(pw_audit_record *out, const pw_gw_policy *p, const pw_gw_event *ev,
                          const pw_gw_dest_result *res, int64_t now)
{
    const char *name = NULL;
    size_t k = 0;
    for (size_t d = 0; d < p->n_dests && !name; d++)
        name = res[d].out_name;
    audit_rec(&out[k++], PW_AUDIT_ACCEPTED, now, ev->event_id, name, NULL, "ingest: valid event",
              NULL);
    for (size_t d = 0; d < p->n_dests; d++) {
        const pw_gw_dest_result *r = &res[d];
        audit_rec(&out[k++], r->accepted ? PW_AUDIT_QUEUED : PW_AUDIT_DROPPED, now, ev->event_id,
                  r->out_name, r->dest->dest.name, r->rule, r->accepted ? r->fields_json : NULL);
    }
    return k;
}

/* An invalid event of a batch: dropped at ingest, before any destination. The detail names the
 * field, never a key the sender chose nor the event's name. */
static void audit_rejected(pw_audit_record *out, const pw_gw_event_reject *rej, int64_t now)
{
    audit_rec(out, PW_AUDIT_DROPPED, now, rej->event_id, NULL, NULL, "ingest: invalid event", NULL);
    out->detail = rej->audit_error;
}

/* The consent the event arrived with, kept with its spool row so that delivery can refuse it
 * when a reload has since made its destination require a consent it did not have. */
static unsigned spooled_consent(const pw_gw_event *ev)
{
    return PW_SPOOL_CONSENT_KNOWN | (ev->consent_ads ? PW_SPOOL_CONSENT_ADS : 0u) |
           (ev->consent_analytics ? PW_SPOOL_CONSENT_ANALYTICS : 0u);
}

int pw_gw_ingest_prepare(const pw_gw_policy *p, const pw_gw_phi *phi, pw_gw_counters *m,
                         pw_arena *a, const char *body, size_t n, const char *client_ip,
                         const char *user_agent, int64_t now_ms, pw_gw_prepared *out,
                         pw_gw_reply *reply)
{
    pw_err err = {0};
    pw_gw_parsed parsed;
    reply_clear(reply);
    memset(out, 0, sizeof *out);
    if (pw_gw_events_parse_batch(a, body, n, &p->limits, &parsed, &err) != PW_OK) {
        atomic_fetch_add(&m->rejected, 1);
        reply_error(reply, err.code == PW_ERR_NOMEM ? 500 : 400, err.msg);
        return 0;
    }
    pw_gw_event *evs = parsed.events;
    size_t n_ev = parsed.n_events, n_rej = parsed.n_rejected;
    atomic_fetch_add(&m->events_in, n_ev + n_rej);
    size_t nd = p->n_dests;
    pw_gw_dest_result *res = pw_arena_calloc(a, n_ev * nd + 1, sizeof *res);
    out->items = pw_arena_calloc(a, n_ev * nd + 1, sizeof *out->items);
    out->recs = pw_arena_calloc(a, n_ev * (nd + 1) + n_rej + 1, sizeof *out->recs);
    if (!res || !out->items || !out->recs) {
        atomic_fetch_add(&m->rejected, n_ev + n_rej);
        reply_error(reply, 500, "out of memory");
        return 0;
    }
    out->n_events = n_ev;
    out->rejected = parsed.rejected;
    out->n_rejected = n_rej;
    for (size_t i = 0; i < n_ev; i++) {
        evs[i].client_ip = client_ip;
        evs[i].user_agent = user_agent;
        pw_gw_dest_result *r = &res[i * nd];
        if (pw_gw_policy_apply(p, phi, a, &evs[i], now_ms, r, &err) != PW_OK) {
            atomic_fetch_add(&m->rejected, n_ev + n_rej);
            reply_error(reply, 500, "policy could not be applied");
            return 0;
        }
        int any = 0;
        for (size_t d = 0; d < nd; d++) {
            out->redacted += r[d].redacted;
            if (!r[d].accepted) {
                out->dropped++;
                continue;
            }
            any = 1;
            out->items[out->n_items++] = (pw_spool_put_item){.event_id = evs[i].event_id,
                                                             .destination = r[d].dest->dest.name,
                                                             .payload = r[d].payload,
                                                             .payload_len = r[d].payload_len,
                                                             .created_ms = now_ms,
                                                             .consent = spooled_consent(&evs[i])};
        }
        out->n_accepted += (size_t)any;
        out->n_recs += audit_event(out->recs + out->n_recs, p, &evs[i], r, now_ms);
    }
    for (size_t i = 0; i < n_rej;
         i++) /* after the valid events: gw_commit.c reads those by order */
        audit_rejected(&out->recs[out->n_recs++], &parsed.rejected[i], now_ms);
    return 1;
}

/* Writers for the success body (it fits: three numbers and 35 bytes of text). */
static char *put_lit(char *w, const char *s)
{
    size_t n = strlen(s);
    memcpy(w, s, n);
    return w + n;
}

static char *put_size(char *w, size_t v)
{
    char digits[24];
    size_t i = sizeof digits;
    do {
        digits[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    memcpy(w, digits + i, sizeof digits - i);
    return w + (sizeof digits - i);
}

/* The "rejected" list of a batch's invalid events, as many as fit in the reply (a batch of
 * max_events bad events would not), then "rejected_more": how many were left out. */
static void put_rejected(pw_buf *b, const pw_gw_prepared *pr, size_t budget)
{
    pw_gw_jw w;
    pw_gw_jw_init(&w, b);
    w.depth = 1; /* inside the reply object pw_gw_ingest_finish opened */
    w.count[1] = 1;
    pw_gw_jw_arr(&w, "rejected");
    size_t i = 0;
    for (; i < pr->n_rejected; i++) {
        size_t before = b->len;
        pw_gw_jw_obj(&w, NULL);
        pw_gw_jw_int(&w, "index", (long long)pr->rejected[i].index);
        pw_gw_jw_str(&w, "error", pr->rejected[i].error);
        pw_gw_jw_end_obj(&w);
        if (b->len > budget) {
            b->len = before;
            break;
        }
    }
    pw_gw_jw_end_arr(&w);
    if (i < pr->n_rejected)
        pw_gw_jw_int(&w, "rejected_more", (long long)(pr->n_rejected - i));
}

/* Close the body written so far (len bytes) with the "rejected" list. */
static void append_rejected(pw_gw_reply *reply, const pw_gw_prepared *pr, size_t len)
{
    pw_buf b;
    pw_buf_init(&b);
    pw_buf_append(&b, reply->body, len);
    put_rejected(&b, pr, sizeof reply->body - 40); /* room for rejected_more and the brace */
    pw_buf_putc(&b, '}');
    if (!b.failed && b.len < sizeof reply->body)
        memcpy(reply->body, b.data, b.len + 1);
    else
        memcpy(reply->body + len, "}", 2); /* out of memory: the counts alone */
    pw_buf_free(&b);
}

void pw_gw_ingest_finish(pw_gw_counters *m, const pw_gw_prepared *pr, pw_status spool_st,
                         pw_status audit_st, pw_gw_reply *reply)
{
    reply_clear(reply);
    atomic_fetch_add(&m->rejected, pr->n_rejected);
    if (spool_st != PW_OK) {
        atomic_fetch_add(&m->rejected, pr->n_events);
        reply_error(reply, 503,
                    spool_st == PW_ERR_LIMIT ? "spool: full, retry later"
                                             : "spool: unavailable, retry later");
        reply->retry_after = 5;
        return;
    }
    if (audit_st != PW_OK) { /* spooled rows are idempotent by event_id: the retry re-audits */
        atomic_fetch_add(&m->rejected, pr->n_events);
        reply_error(reply, 503, "audit: unavailable, retry later");
        reply->retry_after = 5;
        return;
    }
    size_t accepted = pr->n_accepted - pr->dup_events, queued = pr->n_items - pr->dup_items;
    atomic_fetch_add(&m->accepted, accepted);
    atomic_fetch_add(&m->dropped, pr->dropped);
    atomic_fetch_add(&m->redacted, pr->redacted);
    atomic_fetch_add(&m->queued, queued);
    atomic_fetch_add(&m->duplicate, pr->dup_events);
    reply->status = 200;
    char *w = reply->body; /* {"received":N,"accepted":N,"queued":N[,"duplicate":N]}, no printf */
    w = put_lit(w, "{\"received\":");
    w = put_size(w, pr->n_events + pr->n_rejected);
    w = put_lit(w, ",\"accepted\":");
    w = put_size(w, accepted);
    w = put_lit(w, ",\"queued\":");
    w = put_size(w, queued);
    if (pr->dup_events) {
        w = put_lit(w, ",\"duplicate\":");
        w = put_size(w, pr->dup_events);
    }
    *w = '\0';
    if (pr->n_rejected)
        append_rejected(reply, pr, (size_t)(w - reply->body));
    else
        memcpy(w, "}", 2);
}

void pw_gw_ingest(const pw_gw_policy *p, const pw_gw_phi *phi, const pw_gw_sink *sink,
                  pw_gw_counters *m, pw_arena *a, const char *body, size_t n, const char *client_ip,
                  const char *user_agent, int64_t now_ms, pw_gw_reply *reply)
{
    pw_gw_prepared pr;
    if (!pw_gw_ingest_prepare(p, phi, m, a, body, n, client_ip, user_agent, now_ms, &pr, reply))
        return;
    pw_err err = {0};
    pw_status sst = pr.n_items ? sink->put(sink->ctx, pr.items, pr.n_items, &err) : PW_OK;
    pw_status ast = PW_OK;
    if (sst == PW_OK && sink->audit) /* one audit write (one sync) for the whole request */
        ast = sink->audit(sink->ctx, pr.recs, pr.n_recs, &err);
    pw_gw_ingest_finish(m, &pr, sst == PW_OK ? PW_OK : err.code ? err.code : sst, ast, reply);
}
