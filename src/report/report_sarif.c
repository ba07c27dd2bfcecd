/*
 * report_sarif.c — `--format sarif`: SARIF 2.1.0 for code-scanning dashboards. Every rule of the
 * rule table is listed in tool.driver.rules; each finding is a result whose location is the
 * page URL (artifactLocation.uri), with phiwall's own severity and evidence in properties.
 */
#include <stdio.h>
#include <string.h>

#include "report/json_writer.h"
#include "phiwall/url.h"
#include "report/report_gaps.h"
#include "report/report_internal.h"

static const char *level_of(pw_severity s)
{
    switch (s) {
    case PW_SEV_CRITICAL:
    case PW_SEV_HIGH: return "error";
    case PW_SEV_MEDIUM: return "warning";
    default: return "note";
    }
}

/* GitHub code scanning reads "security-severity" (0–10) to rank results. */
static const char *security_severity(pw_severity s)
{
    static const char *const v[PW_SEV__COUNT] = {"0.0", "2.0", "5.0", "8.0", "9.5"};
    return (unsigned)s < PW_SEV__COUNT ? v[s] : "0.0";
}

/* "PW-AUTH-TRACKER" → "AuthTracker" (SARIF reportingDescriptor.name). */
static void rule_name(pw_buf *b, const char *id)
{
    const char *p = strncmp(id, "PW-", 3) == 0 ? id + 3 : id;
    int up = 1;
    for (; *p; p++) {
        if (*p == '-') {
            up = 1;
            continue;
        }
        char c = *p;
        if (!up && c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        pw_buf_putc(b, c);
        up = 0;
    }
}

static void write_rules(pw_jw *w)
{
    pw_buf name;
    pw_buf_init(&name);
    pw_jw_arr(w);
    for (size_t i = 0; i < pw_rule_count(); i++) {
        const pw_rule_info *ri = pw_rule_info_at(i);
        pw_buf_clear(&name);
        rule_name(&name, ri->id);
        pw_jw_obj(w);
        pw_jw_kstr(w, "id", ri->id);
        pw_jw_kstr(w, "name", name.data ? name.data : ri->id);
        pw_jw_key(w, "shortDescription");
        pw_jw_obj(w);
        pw_jw_kstr(w, "text", ri->title);
        pw_jw_end_obj(w);
        pw_jw_key(w, "fullDescription");
        pw_jw_obj(w);
        pw_jw_kstr(w, "text", ri->legal);
        pw_jw_end_obj(w);
        pw_jw_key(w, "help");
        pw_jw_obj(w);
        pw_jw_kstr(w, "text", "See docs/rules.md for when this rule fires and how to fix it.");
        pw_jw_end_obj(w);
        pw_jw_key(w, "defaultConfiguration");
        pw_jw_obj(w);
        pw_jw_kstr(w, "level", level_of(ri->severity));
        pw_jw_end_obj(w);
        pw_jw_key(w, "properties");
        pw_jw_obj(w);
        pw_jw_kstr(w, "security-severity", security_severity(ri->severity));
        pw_jw_key(w, "tags");
        pw_jw_arr(w);
        pw_jw_str(w, "privacy");
        pw_jw_str(w, "hipaa");
        pw_jw_str(w, "phi");
        pw_jw_end_arr(w);
        pw_jw_end_obj(w);
        pw_jw_end_obj(w);
    }
    pw_jw_end_arr(w);
    pw_buf_free(&name);
}

static size_t rule_index(const char *id)
{
    for (size_t i = 0; i < pw_rule_count(); i++)
        if (strcmp(pw_rule_info_at(i)->id, id) == 0)
            return i;
    return 0;
}

static void write_message(pw_jw *w, const pw_finding *f)
{
    pw_buf m;
    pw_buf_init(&m);
    pw_buf_printf(&m, "%s: %s", pw_severity_name(f->severity), f->title);
    pw_buf_puts(&m, " — ");
    pw_report_finding_tracker(f, &m);
    if (f->account_id)
        pw_buf_printf(&m, " %s", f->account_id);
    if (f->event_name)
        pw_buf_printf(&m, " (%s)", f->event_name);
    pw_buf_printf(&m, " on %s page, %zu request(s).", pw_hhs_context_name(f->context),
                  f->occurrences);
    /* Code-scanning dashboards are read more widely than a report file: an identifier is named
     * by its kind, never its value, and so is a search's text, which is what the visitor typed
     * (its health terms are hits of their own; the JSON and HTML reports carry the evidence). */
    pw_buf part;
    pw_buf_init(&part);
    for (size_t i = 0; i < f->n_evidence; i++) {
        const pw_evidence *ev = &f->evidence[i];
        for (size_t j = 0; j < ev->n_hits; j++) {
            const pw_hit *h = &ev->hits[j];
            const char *cat = pw_phi_category_name(h->category);
            pw_buf_clear(&part);
            pw_buf_printf(&part, " %s: ", ev->key ? ev->key : "field");
            if (h->category == PW_PHI_CANARY)
                pw_report_hit_label(&part, h); /* which typed field, never its value */
            else if (!pw_phi_is_identifier(h->category) && !pw_report_hit_is_search_text(h))
                pw_report_hit_label(&part, h);
            else if (h->subtype && h->subtype[0] && strcmp(h->subtype, cat) != 0)
                pw_buf_printf(&part, "%s (%s)", cat, h->subtype); /* "name (patient)" */
            else
                pw_buf_puts(&part, cat); /* "email", not "email (email)" */
            pw_buf_putc(&part, '.');
            /* a first and a last name are two hits of one kind: say the kind once */
            pw_buf_putc(&m, '\0');
            m.len--;
            if (part.data && m.data && !strstr(m.data, part.data))
                pw_buf_append(&m, part.data, part.len);
        }
    }
    pw_buf_free(&part);
    pw_buf_printf(&m, " Fix: %s", f->remediation ? f->remediation : "");
    pw_report_mask_identifiers(f, &m); /* the fix names the page's path */
    pw_jw_key(w, "message");
    pw_jw_obj(w);
    pw_jw_key(w, "text");
    pw_jw_strn(w, m.data ? m.data : "", m.len);
    pw_jw_end_obj(w);
    pw_buf_free(&m);
}

/* A byte a URI (RFC 3986) holds as it is after its authority: unreserved, sub-delims, ':',
 * '@', '/', '?', '#' and '%' (a page URL's own escapes stay as they are). */
static int uri_byte(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c && strchr("-._~!$&'()*+,;=:@/?#%", c));
}

/* SARIF's artifactLocation.uri must be a URI: a HAR's or a static scan's page URL may hold a
 * space, '<', '"', non-ASCII or control bytes as the site wrote them, and the masked kind of an
 * identifier ("[email]") brackets, which a URI allows only around an IP literal in its
 * authority. Every other byte is percent-encoded (UTF-8 as its bytes), so viewers and code
 * scanning accept the location and show it decoded. */
static void uri_encoded(pw_buf *out, const char *url)
{
    const char *s = strstr(url, "://");
    const char *path = s ? s + 3 + strcspn(s + 3, "/?#") : url;
    for (const unsigned char *p = (const unsigned char *)url; *p; p++) {
        int bracket = (*p == '[' || *p == ']') && (const char *)p < path;
        if (uri_byte(*p) || bracket)
            pw_buf_putc(out, (char)*p);
        else
            pw_buf_printf(out, "%%%02X", *p);
    }
}

static void write_location(pw_jw *w, const char *url)
{
    pw_buf uri;
    pw_buf_init(&uri);
    uri_encoded(&uri, url);
    pw_jw_key(w, "locations");
    pw_jw_arr(w);
    pw_jw_obj(w);
    pw_jw_key(w, "physicalLocation");
    pw_jw_obj(w);
    pw_jw_key(w, "artifactLocation");
    pw_jw_obj(w);
    pw_jw_key(w, "uri");
    pw_jw_strn(w, uri.data ? uri.data : "", uri.len);
    if (uri.failed)
        w->b->failed = 1;
    pw_buf_free(&uri);
    pw_jw_end_obj(w);
    pw_jw_end_obj(w);
    pw_jw_end_obj(w);
    pw_jw_end_arr(w);
}

void pw_report_sarif_location(pw_jw *w, const char *url)
{
    if (!url || !strstr(url, "://"))
        return;
    char uri[1024];
    pw_report_url_without_query(url, uri, sizeof uri);
    write_location(w, uri);
}

/* SARIF's own comparison field: "new" or "unchanged" (a severity that changed is "updated").
 * Gone findings are not written as "absent" results: code-scanning services take every result
 * in a log for an alert, and closing alerts a rescan no longer sees is what they already do. */
static void write_baseline_state(pw_jw *w, const pw_finding *f, const pw_baseline_diff *d, size_t i)
{
    if (!d)
        return;
    const char *state = d->state[i] == PW_BASELINE_NEW  ? "new"
                        : d->was[i] != (int)f->severity ? "updated"
                                                        : "unchanged";
    pw_jw_kstr(w, "baselineState", state);
}

static void write_result(pw_jw *w, const pw_finding *f, const pw_baseline_diff *d, size_t i)
{
    pw_jw_obj(w);
    pw_jw_kstr(w, "ruleId", f->rule_id);
    write_baseline_state(w, f, d, i);
    pw_jw_kint(w, "ruleIndex", (long long)rule_index(f->rule_id));
    pw_jw_kstr(w, "level", level_of(f->severity));
    write_message(w, f);
    pw_buf masked;
    pw_buf_init(&masked);
    if (f->page_url && strstr(f->page_url, "://")) {
        char uri[1024];
        pw_report_url_without_query(f->page_url, uri, sizeof uri);
        pw_buf_puts(&masked, uri);
        pw_report_mask_identifiers(f, &masked);
        pw_buf_putc(&masked, '\0');
        write_location(w, masked.data ? masked.data : "");
    }
    pw_buf_free(&masked);
    pw_jw_key(w, "partialFingerprints");
    pw_jw_obj(w);
    pw_buf fp;
    pw_buf_init(&fp);
    pw_report_fingerprint(f, &fp);
    pw_jw_key(w, "phiwallFinding/v1");
    pw_jw_strn(w, fp.data ? fp.data : "", fp.len);
    pw_buf_free(&fp);
    pw_jw_end_obj(w);
    pw_jw_key(w, "properties");
    pw_jw_obj(w);
    pw_jw_kstr(w, "severity", pw_severity_name(f->severity));
    pw_jw_kstr(w, "security-severity", security_severity(f->severity));
    pw_jw_kstr(w, "context", pw_hhs_context_name(f->context));
    pw_jw_kstr(w, "vendor", pw_report_vendor(f->tracker));
    pw_jw_kstr(w, "account_id", f->account_id);
    pw_jw_kstr(w, "event_name", f->event_name);
    pw_jw_kint(w, "occurrences", (long long)f->occurrences);
    pw_jw_kint(w, "page_variants", (long long)f->page_variants);
    if (f->baa_declared) {
        pw_jw_key(w, "baa_declared");
        pw_jw_bool(w, 1);
    }
    char endpoint[1024] = "";
    if (f->request && f->request->url && strstr(f->request->url, "://"))
        pw_report_url_without_query(f->request->url, endpoint, sizeof endpoint);
    pw_jw_kstr(w, "request_endpoint", endpoint[0] ? endpoint : NULL);
    pw_buf fix;
    pw_buf_init(&fix);
    pw_buf_puts(&fix, f->remediation ? f->remediation : "");
    pw_report_mask_identifiers(f, &fix);
    pw_jw_key(w, "remediation");
    pw_jw_strn(w, fix.data ? fix.data : "", fix.len);
    pw_buf_free(&fix);
    pw_jw_end_obj(w);
    pw_jw_end_obj(w);
}

/* The run's property bag, after its results (member order means nothing in JSON; the summary
 * is fed as the results are written, each finding read once): what the trackers were
 * recognised with, and "received", what each tracker received (report_leaks.c, the JSON
 * report's member of that name) — a code-scanning service keeps a run's properties whole. */
static void write_run_properties(pw_jw *w, const pw_scan_result *r, pw_leaks *l, pw_buf *out)
{
    if (l->failed)
        out->failed = 1;
    pw_jw_key(w, "properties");
    pw_jw_obj(w);
    pw_report_lists_json(w, r);
    pw_jw_key(w, "received");
    pw_leaks_json(w, l);
    pw_jw_end_obj(w);
    pw_leaks_free(l);
}

pw_status pw_report_sarif(const pw_scan_result *r, const pw_report_opts *o, pw_buf *out,
                          pw_err *err)
{
    pw_jw w;
    pw_jw_init(&w, out);
    pw_jw_obj(&w);
    pw_jw_kstr(&w, "$schema", "https://json.schemastore.org/sarif-2.1.0.json");
    pw_jw_kstr(&w, "version", "2.1.0");
    pw_jw_key(&w, "runs");
    pw_jw_arr(&w);
    pw_jw_obj(&w);
    pw_jw_key(&w, "tool");
    pw_jw_obj(&w);
    pw_jw_key(&w, "driver");
    pw_jw_obj(&w);
    pw_jw_kstr(&w, "name", "phiwall");
    pw_jw_kstr(&w, "version", o->tool_version ? o->tool_version : "0");
    pw_jw_key(&w, "rules");
    write_rules(&w);
    pw_jw_end_obj(&w);
    pw_jw_end_obj(&w);
    pw_report_incomplete_sarif(&w, r);
    pw_jw_key(&w, "results");
    pw_jw_arr(&w);
    pw_report_loader ld;
    pw_report_loader_init(&ld, r);
    pw_leaks l = {0};
    for (size_t i = 0; i < r->n_findings; i++) {
        const pw_finding *f = pw_report_load(&ld, i);
        write_result(&w, f, o->baseline, i);
        if (f->severity > PW_SEV_INFO)
            pw_leaks_add(&l, f);
        pw_buf_spill(out, PW_BUF_SPILL_AT); /* a sink's error fails the buffer */
    }
    pw_jw_end_arr(&w);
    write_run_properties(&w, r, &l, out);
    pw_jw_end_obj(&w);
    pw_jw_end_arr(&w);
    pw_jw_end_obj(&w);
    return pw_report_loader_status(&ld, out, err);
}
