/*
 * report_leaks.c — what each tracker received, for the reader who asks "what left, and to
 * whom" before reading any finding: per tracker and account (per company for the filter
 * lists), the worst severity of its findings above info, their number, the HHS contexts of
 * their pages, and for each kind of field (page URL, user data, button text …) the kinds of
 * PHI found in it. Built a finding at a time: a row holds bit masks, never a finding.
 */
#include <stdlib.h>
#include <string.h>

#include "report/json_writer.h"
#include "report/report_internal.h"

#define DOB_BIT PW_PHI__COUNT /* a date whose subtype says it is a date of birth */

/* The kinds of field in the order a reader weighs them: what the visitor typed or is, then
 * what they did, then where they were. */
static const struct {
    pw_field_kind kind;
    const char *name;
} kinds[] = {
    {PW_FIELD_FORM_VALUE, "typed values"},  {PW_FIELD_USER_DATA, "user data"},
    {PW_FIELD_SEARCH_TERM, "search terms"}, {PW_FIELD_BUTTON_TEXT, "button text"},
    {PW_FIELD_EVENT, "event name"},         {PW_FIELD_CUSTOM_DATA, "event data"},
    {PW_FIELD_PAGE_TITLE, "page title"},    {PW_FIELD_PAGE_URL, "page URL"},
    {PW_FIELD_REFERRER, "referrer"},        {PW_FIELD_FORM_META, "form field names"},
    {PW_FIELD_DEVICE_ID, "device ID"},      {PW_FIELD_ACCOUNT, "account"},
    {PW_FIELD_OTHER, "other fields"},
};

/* PHI categories, identifiers first, in a reader's words where the engine's are terse. */
static const struct {
    unsigned bit;
    const char *name;
} cats[] = {
    {PW_PHI_NAME, "name"},
    {PW_PHI_EMAIL, "email"},
    {PW_PHI_PHONE, "phone"},
    {PW_PHI_ADDRESS, "address"},
    {PW_PHI_ZIP, "zip"},
    {DOB_BIT, "date of birth"},
    {PW_PHI_DATE, "date"},
    {PW_PHI_SSN, "ssn"},
    {PW_PHI_RECORD_ID, "record-id"},
    {PW_PHI_MBI, "mbi"},
    {PW_PHI_CARD, "card"},
    {PW_PHI_NPI, "npi"},
    {PW_PHI_DEA, "dea"},
    {PW_PHI_IP, "ip"},
    {PW_PHI_CANARY, "canary"},
    {PW_PHI_HEALTH, "health"},
    {PW_PHI_CARE_INTENT, "care-intent"},
};

static const char *kind_name(pw_field_kind k)
{
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (kinds[i].kind == k)
            return kinds[i].name;
    return "other fields";
}

static const pw_hhs_context ctx_order[] = {PW_CTX_AUTHENTICATED, PW_CTX_CARE_INTENT,
                                           PW_CTX_CONDITION, PW_CTX_GENERAL};

static int same_str(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

/* A SHA-256 hex digest: what advanced matching and automatic form hashing send. */
static int is_sha256_hex(const char *s, size_t n)
{
    if (n != 64)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!strchr("0123456789abcdefABCDEF", s[i]))
            return 0;
    return 1;
}

static char *dup_or_null(const char *s, int *failed)
{
    if (!s)
        return NULL;
    char *d = strdup(s);
    if (!d)
        *failed = 1;
    return d;
}

static pw_leak_row *row_for(pw_leaks *l, const pw_finding *f)
{
    for (size_t i = 0; i < l->n; i++) {
        pw_leak_row *w = &l->rows[i];
        if (w->tracker == f->tracker && same_str(w->account, f->account_id) &&
            same_str(w->company, f->company))
            return w;
    }
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 8;
        pw_leak_row *rows = realloc(l->rows, cap * sizeof *rows);
        if (!rows)
            return NULL;
        l->rows = rows;
        l->cap = cap;
    }
    pw_leak_row *w = &l->rows[l->n];
    memset(w, 0, sizeof *w);
    w->tracker = f->tracker;
    w->worst = f->severity;
    int failed = 0;
    w->account = dup_or_null(f->account_id, &failed);
    w->company = dup_or_null(f->company, &failed);
    pw_buf label;
    pw_buf_init(&label);
    pw_report_finding_tracker(f, &label); /* the first finding's host names a list's company */
    pw_buf_putc(&label, '\0');
    w->label = label.failed ? NULL : label.data;
    if (label.failed || failed) {
        pw_buf_free(&label);
        free(w->account);
        free(w->company);
        return NULL;
    }
    l->n++;
    return w;
}

/* Remember a canary's label (the field it was typed into) under kind k, once. */
static void add_canary(pw_leak_row *w, unsigned k, const char *label, int *failed)
{
    if (!label || !label[0])
        return;
    for (unsigned i = 0; i < w->n_canary[k]; i++)
        if (strcmp(w->canary[k][i], label) == 0)
            return;
    if (w->n_canary[k] == PW_LEAK_CANARIES) {
        w->more_canary[k]++; /* may count one label twice: "more" is an upper bound */
        return;
    }
    char *d = strdup(label);
    if (!d) {
        *failed = 1;
        return;
    }
    w->canary[k][w->n_canary[k]++] = d;
}

void pw_leaks_add(pw_leaks *l, const pw_finding *f)
{
    pw_leak_row *w = row_for(l, f);
    if (!w) {
        l->failed = 1;
        return;
    }
    w->n_findings++;
    if (f->severity > w->worst)
        w->worst = f->severity;
    if ((unsigned)f->context < PW_CTX__COUNT)
        w->contexts |= 1u << f->context;
    if (!f->n_evidence)
        w->no_evidence = 1;
    for (size_t i = 0; i < f->n_evidence; i++) {
        const pw_evidence *ev = &f->evidence[i];
        unsigned k = (unsigned)ev->kind < PW_FIELD__COUNT ? (unsigned)ev->kind : PW_FIELD_OTHER;
        w->sent |= 1u << k;
        for (size_t j = 0; j < ev->n_hits; j++) {
            const pw_hit *h = &ev->hits[j];
            if ((unsigned)h->category >= PW_PHI__COUNT)
                continue;
            unsigned bit = h->category == PW_PHI_DATE && h->subtype && !strcmp(h->subtype, "dob")
                               ? DOB_BIT
                           : pw_report_hit_is_info_page(h) ? (unsigned)PW_PHI_HEALTH
                                                           : (unsigned)h->category;
            w->cats[k] |= 1u << bit;
            if (h->category == PW_PHI_CANARY)
                add_canary(w, k, h->reason_detail, &l->failed);
            if (h->end <= ev->value_len && h->start < h->end &&
                is_sha256_hex(ev->value + h->start, h->end - h->start))
                w->hashed |= 1u << k;
        }
    }
}

void pw_leaks_what(const pw_leak_row *w, pw_buf *out, const char *sep)
{
    size_t before = out->len;
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        unsigned k = (unsigned)kinds[i].kind, m = w->cats[k];
        if (!m)
            continue;
        pw_buf_puts(out, out->len > before ? sep : "");
        pw_buf_puts(out, kinds[i].name);
        pw_buf_puts(out, w->hashed & (1u << k) ? " (hashed): " : ": ");
        int n = 0;
        for (size_t c = 0; c < sizeof cats / sizeof cats[0]; c++) {
            if (!(m & (1u << cats[c].bit)))
                continue;
            pw_buf_printf(out, "%s%s", n++ ? ", " : "", cats[c].name);
            if (cats[c].bit != PW_PHI_CANARY)
                continue;
            /* which typed values: "canary 'email', 'first name'" */
            for (unsigned j = 0; j < w->n_canary[k]; j++)
                pw_buf_printf(out, "%s'%s'", j ? ", " : " ", w->canary[k][j]);
            if (w->more_canary[k])
                pw_buf_puts(out, " and more");
        }
    }
    if (out->len > before)
        return;
    /* nothing marked: what named the page (its URL, the referrer, its title) is what left —
     * the page's context is the finding — else the tag's presence, else identifiers alone */
    static const pw_field_kind page_kinds[] = {PW_FIELD_PAGE_URL, PW_FIELD_REFERRER,
                                               PW_FIELD_PAGE_TITLE};
    for (size_t i = 0; i < sizeof page_kinds / sizeof page_kinds[0]; i++)
        if (w->sent & (1u << page_kinds[i]))
            pw_buf_printf(out, "%s%s", out->len > before ? ", " : "", kind_name(page_kinds[i]));
    if (out->len > before)
        pw_buf_puts(out, " (no PHI value marked in it)");
    else if (w->no_evidence)
        pw_buf_puts(out, "its tag loaded (no field to mark)");
    else
        pw_buf_puts(out, "identifiers only (no PHI value marked)");
}

void pw_leaks_contexts(const pw_leak_row *w, pw_buf *out)
{
    int n = 0;
    for (size_t i = 0; i < sizeof ctx_order / sizeof ctx_order[0]; i++)
        if (w->contexts & (1u << ctx_order[i]))
            pw_buf_printf(out, "%s%s", n++ ? ", " : "", pw_hhs_context_name(ctx_order[i]));
}

void pw_leaks_free(pw_leaks *l)
{
    for (size_t i = 0; i < l->n; i++) {
        for (unsigned k = 0; k < PW_FIELD__COUNT; k++)
            for (unsigned j = 0; j < l->rows[i].n_canary[k]; j++)
                free(l->rows[i].canary[k][j]);
        free(l->rows[i].account);
        free(l->rows[i].company);
        free(l->rows[i].label);
    }
    free(l->rows);
    memset(l, 0, sizeof *l);
}

/* ---- grouped per tracker: one row per tracker, its accounts listed ---- */

static int same_tracker(const pw_leak_row *a, const pw_leak_row *b)
{
    return a->tracker == b->tracker && same_str(a->company, b->company);
}

size_t pw_leaks_group(const pw_leaks *l, size_t *idx, pw_leak_group *groups)
{
    size_t n_groups = 0, at = 0;
    unsigned char *taken = calloc(l->n ? l->n : 1, 1);
    if (!taken)
        return 0;
    for (size_t i = 0; i < l->n; i++) {
        if (taken[i])
            continue;
        groups[n_groups].first = at;
        for (size_t j = i; j < l->n; j++)
            if (!taken[j] && same_tracker(&l->rows[i], &l->rows[j])) {
                taken[j] = 1;
                idx[at++] = j;
            }
        groups[n_groups].n = at - groups[n_groups].first;
        n_groups++;
    }
    free(taken);
    return n_groups;
}

/* Add from's canary labels of kind k to into's (pointers into from: not copied). */
static void merge_canaries(pw_leak_row *into, const pw_leak_row *from, unsigned k)
{
    into->more_canary[k] += from->more_canary[k];
    for (unsigned j = 0; j < from->n_canary[k]; j++) {
        unsigned seen = 0;
        while (seen < into->n_canary[k] && strcmp(into->canary[k][seen], from->canary[k][j]))
            seen++;
        if (seen < into->n_canary[k])
            continue;
        if (into->n_canary[k] == PW_LEAK_CANARIES)
            into->more_canary[k]++;
        else
            into->canary[k][into->n_canary[k]++] = from->canary[k][j];
    }
}

void pw_leaks_merged(const pw_leaks *l, const size_t *idx, const pw_leak_group *g, pw_leak_row *out)
{
    memset(out, 0, sizeof *out);
    for (size_t m = 0; m < g->n; m++) {
        const pw_leak_row *w = &l->rows[idx[g->first + m]];
        if (!m) {
            out->tracker = w->tracker;
            out->account = w->account;
            out->company = w->company;
            out->label = w->label;
            out->worst = w->worst;
        }
        if (w->worst > out->worst)
            out->worst = w->worst;
        out->n_findings += w->n_findings;
        out->contexts |= w->contexts;
        out->sent |= w->sent;
        out->hashed |= w->hashed;
        out->no_evidence |= w->no_evidence;
        for (unsigned k = 0; k < PW_FIELD__COUNT; k++) {
            out->cats[k] |= w->cats[k];
            merge_canaries(out, w, k);
        }
    }
}

/* acct, or its first `max` bytes (never inside a UTF-8 sequence) and "…" when longer. */
static void put_account(pw_buf *out, const char *acct, size_t max)
{
    size_t n = strlen(acct);
    if (!max || n <= max) {
        pw_buf_puts(out, acct);
        return;
    }
    size_t cut = max - 1;
    while (cut && ((unsigned char)acct[cut] & 0xC0) == 0x80)
        cut--;
    pw_buf_append(out, acct, cut);
    pw_buf_puts(out, "…");
}

void pw_leaks_accounts(const pw_leaks *l, const size_t *idx, const pw_leak_group *g, size_t cap,
                       size_t max_len, const char *none, pw_buf *out)
{
    /* the named accounts first, then at most one `none` for the rows without one */
    size_t shown = 0, nameless = 0;
    for (size_t m = 0; m < g->n; m++) {
        const char *acct = l->rows[idx[g->first + m]].account;
        if (!acct) {
            nameless++;
            continue;
        }
        if (cap && shown == cap)
            continue;
        pw_buf_puts(out, shown++ ? ", " : "");
        put_account(out, acct, max_len);
    }
    if (nameless && (!cap || shown < cap)) {
        pw_buf_puts(out, shown++ ? ", " : "");
        pw_buf_puts(out, none);
        nameless = 0;
    }
    size_t named_hidden = g->n - shown - (nameless ? nameless : 0);
    if (named_hidden + nameless)
        pw_buf_printf(out, " and %zu more", named_hidden + nameless);
}

/* ---- JSON: the stable schema of docs/report-formats.md ("received") ---- */

static void json_categories(pw_jw *w, unsigned m)
{
    pw_jw_key(w, "categories");
    pw_jw_arr(w);
    for (size_t c = 0; c < sizeof cats / sizeof cats[0]; c++)
        if (m & (1u << cats[c].bit))
            pw_jw_str(w, cats[c].bit == DOB_BIT
                             ? "date_of_birth"
                             : pw_phi_category_name((pw_phi_category)cats[c].bit));
    pw_jw_end_arr(w);
}

static void json_fields(pw_jw *w, const pw_leak_row *r)
{
    pw_jw_key(w, "fields");
    pw_jw_arr(w);
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        unsigned k = (unsigned)kinds[i].kind;
        if (!(r->sent & (1u << k)))
            continue;
        pw_jw_obj(w);
        pw_jw_kstr(w, "kind", pw_field_kind_name(kinds[i].kind));
        pw_jw_key(w, "hashed");
        pw_jw_bool(w, (r->hashed >> k) & 1u);
        json_categories(w, r->cats[k]);
        pw_jw_key(w, "canary_fields"); /* the labels of the --canary file, never a value */
        pw_jw_arr(w);
        for (unsigned j = 0; j < r->n_canary[k]; j++)
            pw_jw_str(w, r->canary[k][j]);
        pw_jw_end_arr(w);
        pw_jw_key(w, "more_canary_fields");
        pw_jw_bool(w, r->more_canary[k] != 0);
        pw_jw_end_obj(w);
    }
    pw_jw_end_arr(w);
}

void pw_leaks_json(pw_jw *w, const pw_leaks *l)
{
    pw_jw_arr(w);
    for (size_t i = 0; i < l->n; i++) {
        const pw_leak_row *r = &l->rows[i];
        pw_jw_obj(w);
        pw_jw_kstr(w, "tracker", r->tracker ? r->tracker->id : NULL);
        pw_jw_kstr(w, "name", r->label);
        pw_jw_kstr(w, "vendor", r->tracker ? pw_report_vendor(r->tracker) : NULL);
        pw_jw_kstr(w, "account_id", r->account);
        pw_jw_kstr(w, "company", r->company);
        pw_jw_kstr(w, "worst_severity", pw_severity_name(r->worst));
        pw_jw_kint(w, "findings", (long long)r->n_findings);
        pw_jw_key(w, "contexts");
        pw_jw_arr(w);
        for (size_t c = 0; c < sizeof ctx_order / sizeof ctx_order[0]; c++)
            if (r->contexts & (1u << ctx_order[c]))
                pw_jw_str(w, pw_hhs_context_name(ctx_order[c]));
        pw_jw_end_arr(w);
        json_fields(w, r);
        pw_jw_key(w, "tag_load_only"); /* a script load without fields: nothing to mark */
        pw_jw_bool(w, !r->sent && r->no_evidence);
        pw_jw_end_obj(w);
    }
    pw_jw_end_arr(w);
}
