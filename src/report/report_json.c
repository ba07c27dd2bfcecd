/*
 * report_json.c — `--format json`: the whole scan result as one JSON document following
 * docs/report.schema.json ("schema_version": "1"). Field names are stable; new fields may be
 * added within a schema version, never renamed or removed.
 */
#include <string.h>

#include "report/json_writer.h"
#include "phiwall/url.h"
#include "report/report_gaps.h"
#include "report/report_internal.h"

static void write_hit(pw_jw *w, const pw_evidence *ev, const pw_hit *h)
{
    pw_jw_obj(w);
    pw_jw_kstr(w, "category", pw_phi_category_name(h->category));
    pw_jw_kstr(w, "subtype", h->subtype);
    pw_jw_kint(w, "start", (long long)h->start);
    pw_jw_kint(w, "end", (long long)h->end);
    pw_jw_key(w, "text");
    pw_jw_strn(w, ev->value + h->start, h->end - h->start);
    pw_jw_kstr(w, "normalized", h->normalized);
    pw_jw_key(w, "confidence");
    pw_jw_fixed(w, h->confidence, 2);
    pw_jw_kstr(w, "reason", pw_reason_name(h->reason));
    pw_jw_kstr(w, "reason_detail", h->reason_detail);
    pw_jw_kstr(w, "sensitivity", h->sensitivity == PW_SENS_HIGH ? "high" : "normal");
    pw_jw_end_obj(w);
}

static void write_evidence(pw_jw *w, const pw_evidence *ev)
{
    pw_jw_obj(w);
    pw_jw_kstr(w, "key", ev->key);
    pw_jw_key(w, "value");
    pw_jw_strn(w, ev->value, ev->value ? ev->value_len : 0);
    pw_jw_kstr(w, "kind", pw_field_kind_name(ev->kind));
    pw_jw_key(w, "hits");
    pw_jw_arr(w);
    for (size_t i = 0; i < ev->n_hits; i++) {
        const pw_hit *h = &ev->hits[i];
        if (h->end <= ev->value_len && h->start < h->end)
            write_hit(w, ev, h);
    }
    pw_jw_end_arr(w);
    pw_jw_end_obj(w);
}

static void write_request(pw_jw *w, const pw_request *q)
{
    if (!q) {
        pw_jw_null(w);
        return;
    }
    pw_jw_obj(w);
    pw_jw_kstr(w, "method", q->method);
    pw_jw_kstr(w, "url", q->url);
    pw_jw_kstr(w, "content_type", q->content_type);
    pw_jw_kstr(w, "resource_type", q->resource_type);
    pw_jw_kstr(w, "initiator", q->initiator);
    pw_jw_key(w, "timestamp");
    pw_jw_fixed(w, q->timestamp, 3);
    pw_jw_kint(w, "status", q->status);
    pw_jw_kstr(w, "step", pw_step_name(q->step));
    pw_jw_key(w, "headers");
    pw_jw_arr(w);
    for (size_t i = 0; i < q->n_headers; i++) {
        pw_jw_obj(w);
        pw_jw_kstr(w, "name", q->headers[i].name);
        pw_jw_kstr(w, "value", q->headers[i].value);
        pw_jw_end_obj(w);
    }
    pw_jw_end_arr(w);
    pw_jw_key(w, "body");
    pw_jw_strn(w, (const char *)q->body, q->body ? q->body_len : 0);
    pw_jw_end_obj(w);
}

static void write_tracker(pw_jw *w, const pw_tracker *t)
{
    pw_jw_obj(w);
    pw_jw_kstr(w, "id", t ? t->id : NULL);
    pw_jw_kstr(w, "name", pw_report_vendor(t));
    pw_jw_kstr(w, "product", pw_report_product(t));
    pw_jw_kstr(w, "category", t ? pw_category_name(t->category) : NULL);
    pw_jw_kstr(w, "baa", t ? pw_baa_name(t->baa) : NULL);
    pw_jw_kstr(w, "baa_note", t ? t->baa_note : NULL);
    pw_jw_end_obj(w);
}

static void write_strings(pw_jw *w, const char *key, const char *const *v, size_t n)
{
    pw_jw_key(w, key);
    pw_jw_arr(w);
    for (size_t i = 0; i < n; i++)
        pw_jw_str(w, v[i]);
    pw_jw_end_arr(w);
}

static void write_use(pw_jw *w, const pw_tracker_use *u)
{
    pw_jw_obj(w);
    pw_jw_key(w, "vendor");
    write_tracker(w, u->tracker);
    pw_jw_kstr(w, "account_id", u->account_id);
    write_strings(w, "events", u->events, u->n_events);
    write_strings(w, "hosts", u->hosts, u->n_hosts);
    pw_jw_kint(w, "requests", (long long)u->n_requests);
    pw_jw_kint(w, "pages", (long long)u->n_pages);
    pw_jw_end_obj(w);
}

/* "baseline": {"state": "new"} or {"state": "unchanged", "severity": what it was}. */
static void write_finding_baseline(pw_jw *w, const pw_baseline_diff *d, size_t i)
{
    if (!d)
        return;
    pw_jw_key(w, "baseline");
    pw_jw_obj(w);
    int unchanged = d->state[i] == PW_BASELINE_UNCHANGED;
    pw_jw_kstr(w, "state", unchanged ? "unchanged" : "new");
    if (unchanged)
        pw_jw_kstr(w, "severity", pw_severity_name((pw_severity)d->was[i]));
    pw_jw_end_obj(w);
}

static void write_finding(pw_jw *w, const pw_finding *f, const pw_baseline_diff *d, size_t at)
{
    pw_jw_obj(w);
    pw_jw_kstr(w, "rule_id", f->rule_id);
    pw_buf fp;
    pw_buf_init(&fp);
    pw_report_fingerprint(f, &fp);
    pw_jw_key(w, "fingerprint");
    pw_jw_strn(w, fp.data ? fp.data : "", fp.len);
    if (fp.failed)
        w->b->failed = 1;
    pw_buf_free(&fp);
    write_finding_baseline(w, d, at);
    pw_jw_kstr(w, "title", f->title);
    pw_jw_kstr(w, "severity", pw_severity_name(f->severity));
    pw_jw_kstr(w, "context", pw_hhs_context_name(f->context));
    pw_jw_kstr(w, "legal", f->legal);
    pw_jw_kstr(w, "remediation", f->remediation);
    pw_jw_key(w, "vendor");
    write_tracker(w, f->tracker);
    pw_jw_kstr(w, "account_id", f->account_id);
    pw_jw_kstr(w, "company", f->company); /* filter-list findings; SARIF fingerprints it */
    pw_jw_kstr(w, "event_name", f->event_name);
    pw_jw_key(w, "page");
    pw_jw_obj(w);
    pw_jw_kstr(w, "url", f->page_url);
    pw_jw_kstr(w, "title", f->page_title);
    char key[1024];
    pw_url_page_key(f->page_url, key, sizeof key);
    pw_jw_kstr(w, "key", key);
    pw_jw_kint(w, "variants", (long long)f->page_variants);
    pw_jw_key(w, "urls");
    pw_jw_arr(w);
    for (size_t i = 0; i < f->n_page_urls; i++)
        pw_jw_str(w, f->page_urls[i]);
    pw_jw_end_arr(w);
    pw_jw_end_obj(w);
    pw_jw_kstr(w, "step", pw_step_name(f->step));
    pw_jw_key(w, "before_consent");
    pw_jw_bool(w, f->before_consent);
    pw_jw_key(w, "after_reject");
    pw_jw_bool(w, f->after_reject);
    pw_jw_kint(w, "occurrences", (long long)f->occurrences);
    pw_jw_key(w, "baa_declared");
    pw_jw_bool(w, f->baa_declared);
    pw_jw_key(w, "evidence");
    pw_jw_arr(w);
    for (size_t i = 0; i < f->n_evidence; i++)
        write_evidence(w, &f->evidence[i]);
    pw_jw_end_arr(w);
    pw_jw_key(w, "request");
    write_request(w, f->request);
    pw_jw_end_obj(w);
}

/* "captured": {"first", "last"} in UTC, or null when no request carried a time. */
static void write_captured(pw_jw *w, const pw_scan_result *r)
{
    char first[32], last[32];
    pw_jw_key(w, "captured");
    if (!(r->captured_first > 0)) {
        pw_jw_null(w);
        return;
    }
    pw_jw_obj(w);
    pw_jw_kstr(w, "first", pw_report_utc_iso(r->captured_first, first, sizeof first));
    pw_jw_kstr(w, "last", pw_report_utc_iso(r->captured_last, last, sizeof last));
    pw_jw_end_obj(w);
}

static void write_absent(pw_jw *w, const pw_baseline_finding *g, const pw_baseline_unchecked *why)
{
    pw_jw_obj(w);
    pw_jw_kstr(w, "fingerprint", g->fingerprint);
    pw_jw_kstr(w, "rule_id", g->rule_id);
    pw_jw_kstr(w, "severity", pw_severity_name(g->severity));
    pw_jw_kstr(w, "tracker", g->tracker);
    pw_jw_kstr(w, "account_id", g->account_id);
    pw_jw_kstr(w, "page_url", g->page_url);
    pw_jw_kint(w, "occurrences", (long long)g->occurrences);
    if (why) {
        pw_jw_kstr(w, "reason", pw_baseline_unchecked_name(*why));
        pw_jw_kstr(w, "reason_text", pw_baseline_unchecked_text(*why));
    }
    pw_jw_end_obj(w);
}

/* "baseline": the earlier report compared with, the counts, the findings gone since (this scan
 * looked and did not see them) and those not rechecked (it could not have seen them); null
 * without one. */
static void write_baseline(pw_jw *w, const pw_baseline_diff *d, pw_baseline_reader *rd, pw_buf *out)
{
    pw_jw_key(w, "baseline");
    if (!d) {
        pw_jw_null(w);
        return;
    }
    pw_jw_obj(w);
    pw_jw_kstr(w, "report", pw_baseline_name(d->baseline));
    pw_jw_kstr(w, "target", pw_baseline_target(d->baseline));
    pw_jw_kstr(w, "captured", pw_baseline_captured(d->baseline));
    pw_jw_kint(w, "new", (long long)d->n_new);
    pw_jw_kint(w, "unchanged", (long long)d->n_unchanged);
    pw_jw_key(w, "gone");
    pw_jw_arr(w);
    for (size_t i = 0; i < d->n_gone; i++) { /* read one at a time (pw_baseline_reader) */
        write_absent(w, pw_baseline_reader_at(rd, 0, i), NULL);
        pw_buf_spill(out, PW_BUF_SPILL_AT);
    }
    pw_jw_end_arr(w);
    pw_jw_key(w, "not_rechecked");
    pw_jw_arr(w);
    for (size_t i = 0; i < d->n_unchecked; i++) {
        write_absent(w, pw_baseline_reader_at(rd, 1, i), &d->unchecked_why[i]);
        pw_buf_spill(out, PW_BUF_SPILL_AT);
    }
    pw_jw_end_arr(w);
    pw_jw_end_obj(w);
}

static void write_summary(pw_jw *w, const pw_scan_result *r)
{
    size_t counts[PW_SEV__COUNT];
    pw_report_counts(r, counts);
    pw_jw_obj(w);
    pw_jw_kint(w, "pages", (long long)r->n_pages);
    pw_jw_kint(w, "page_keys", (long long)pw_report_page_keys(r)); /* without their query */
    pw_jw_kint(w, "requests", (long long)r->n_requests);
    pw_jw_kint(w, "third_party_requests", (long long)r->n_third_party);
    pw_jw_kint(w, "beacons", (long long)r->n_beacons);
    pw_jw_kint(w, "tracker_beacons", (long long)r->n_tracker_beacons);
    pw_jw_kint(w, "decode_errors", (long long)r->n_decode_errors);
    pw_jw_kint(w, "findings", (long long)r->n_findings);
    pw_jw_key(w, "by_severity");
    pw_jw_obj(w);
    for (int s = PW_SEV_CRITICAL; s >= PW_SEV_INFO; s--)
        pw_jw_kint(w, pw_severity_name((pw_severity)s), (long long)counts[s]);
    pw_jw_end_obj(w);
    int max = pw_scan_result_max_severity(r);
    pw_jw_kstr(w, "max_severity", max < 0 ? NULL : pw_severity_name((pw_severity)max));
    pw_jw_end_obj(w);
}

/* "received": what each tracker received (report_leaks.c), after the findings it sums up. */
static void write_received(pw_jw *w, pw_leaks *l, pw_buf *out)
{
    if (l->failed)
        out->failed = 1;
    pw_jw_key(w, "received");
    pw_leaks_json(w, l);
    pw_leaks_free(l);
}

pw_status pw_report_json(const pw_scan_result *r, const pw_report_opts *o, pw_buf *out, pw_err *err)
{
    pw_jw w;
    pw_jw_init(&w, out);
    pw_jw_obj(&w);
    pw_jw_kstr(&w, "schema_version", "1");
    pw_jw_key(&w, "tool");
    pw_jw_obj(&w);
    pw_jw_kstr(&w, "name", "phiwall");
    pw_jw_kstr(&w, "version", o->tool_version);
    pw_report_lists_json(&w, r);
    pw_jw_end_obj(&w);
    pw_jw_kstr(&w, "target", r->target);
    pw_jw_kstr(&w, "source", pw_report_source_name(r->source));
    write_captured(&w, r);
    pw_report_incomplete_json(&w, r);
    pw_baseline_reader rd;
    pw_baseline_reader_init(&rd, o->baseline);
    write_baseline(&w, o->baseline, &rd, out);
    pw_jw_key(&w, "baa_declared");
    pw_jw_arr(&w);
    for (size_t i = 0; i < r->n_baa_declared; i++)
        pw_jw_str(&w, r->baa_declared[i]->id);
    pw_jw_end_arr(&w);
    pw_jw_key(&w, "summary");
    write_summary(&w, r);
    pw_jw_key(&w, "pages");
    pw_jw_arr(&w);
    for (size_t i = 0; i < r->n_pages; i++) {
        pw_jw_obj(&w);
        pw_jw_kstr(&w, "url", r->pages[i].url);
        pw_jw_kstr(&w, "title", r->pages[i].title);
        pw_jw_kstr(&w, "context", pw_hhs_context_name(r->page_contexts[i]));
        pw_jw_kstr(&w, "context_reason", r->page_reasons ? r->page_reasons[i] : NULL);
        pw_jw_end_obj(&w);
        pw_buf_spill(out, PW_BUF_SPILL_AT); /* a 40,000-page scan: ~4 MiB held otherwise */
    }
    pw_jw_end_arr(&w);
    pw_jw_key(&w, "trackers");
    pw_jw_arr(&w);
    for (size_t i = 0; i < r->n_trackers; i++)
        write_use(&w, &r->trackers[i]);
    pw_jw_end_arr(&w);
    pw_jw_key(&w, "findings");
    pw_jw_arr(&w);
    pw_report_loader ld;
    pw_report_loader_init(&ld, r);
    pw_leaks l = {0};
    for (size_t i = 0; i < r->n_findings; i++) {
        const pw_finding *f = pw_report_load(&ld, i);
        write_finding(&w, f, o->baseline, i);
        if (f->severity > PW_SEV_INFO) /* read once: the summary is fed as the findings go */
            pw_leaks_add(&l, f);
        pw_buf_spill(out, PW_BUF_SPILL_AT); /* a sink's error fails the buffer */
    }
    pw_jw_end_arr(&w);
    write_received(&w, &l, out);
    pw_jw_end_obj(&w);
    return pw_baseline_reader_done(&rd, pw_report_loader_status(&ld, out, err), err);
}
