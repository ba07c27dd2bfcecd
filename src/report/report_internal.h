/*
 * report_internal.h — (internal to report) the format table and what every renderer shares:
 * severity counts, vendor names, and walking an evidence value as plain and highlighted spans.
 */
#ifndef PHIWALL_REPORT_INTERNAL_H
#define PHIWALL_REPORT_INTERNAL_H

#include <stdio.h>

#include "phiwall/arena.h"
#include "phiwall/baseline.h"
#include "phiwall/report.h"

typedef pw_status (*pw_report_fn)(const pw_scan_result *r, const pw_report_opts *o, pw_buf *out,
                                  pw_err *err);

pw_status pw_report_text(const pw_scan_result *r, const pw_report_opts *o, pw_buf *out,
                         pw_err *err);
pw_status pw_report_json(const pw_scan_result *r, const pw_report_opts *o, pw_buf *out,
                         pw_err *err);
pw_status pw_report_sarif(const pw_scan_result *r, const pw_report_opts *o, pw_buf *out,
                          pw_err *err);
pw_status pw_report_html(const pw_scan_result *r, const pw_report_opts *o, pw_buf *out,
                         pw_err *err);

void pw_report_counts(const pw_scan_result *r, size_t counts[PW_SEV__COUNT]);
const char *pw_report_vendor(const pw_tracker *t);  /* "Meta" */
const char *pw_report_product(const pw_tracker *t); /* "Meta Pixel" */
/* The account of an inventory row, "-" when it has none. */
const char *pw_report_use_account(const pw_tracker_use *u);
/* A filter-list finding (EasyPrivacy, EasyList: one catalog entry for many companies) names no
 * account; its company is its request host, copied into buf. NULL for any other finding. */
const char *pw_report_list_host(const pw_finding *f, char *buf, size_t cap);
/* The tracker as a reader should name it: the product ("Meta Pixel"), and for a filter-list
 * finding the company's host after it ("tracker (EasyPrivacy) at www.kansascity.com"), never
 * in an account column where it reads as an account ID. Appended to out. */
void pw_report_finding_tracker(const pw_finding *f, pw_buf *out);
/* The same for an inventory row: a filter-list row names its first hosts. */
void pw_report_use_tracker(const pw_tracker_use *u, pw_buf *out);
const char *pw_report_source_name(pw_source s); /* "har" */
/* A page title as the human-readable reports print it: a value of the page URL's query that the
 * title repeats (a search "breast cancer" in "Results for “breast cancer” – Find a Doctor", a
 * name on a confirmation page) is replaced by "…", as the URL's query values are; values under 3
 * bytes or without a letter stay (a page number, "en"). Appended to out. */
void pw_report_title_masked(pw_buf *out, const char *title, const char *page_url);
/* A request time as UTC ISO 8601, "2026-11-30T06:31:02Z", in buf (at least 21 bytes); "" when
 * t is 0 (unknown). */
const char *pw_report_utc_iso(double t, char *buf, size_t cap);
/* The capture period for people: "2026-11-30 06:31:02 – 06:33:40 UTC" (the day once when both
 * ends share it), "" when the capture gave no request time. */
const char *pw_report_capture_period(const pw_scan_result *r, char *buf, size_t cap);
/* A URL without its query (and fragment, a single-page app's route aside), as
 * "scheme://" + pw_url_page_key, in out: the query may hold what the visitor typed. url must
 * hold "://". */
void pw_report_url_without_query(const char *url, char *out, size_t cap);

/* A page URL as the human-readable reports print it: scheme, page key, and the query with
 * every value replaced by "…" ("https://h.org/confirm?first_name=…&doctor="): a query holds what
 * the visitor typed, and the evidence shows (marked) what of it a tracker received. A URL that
 * does not parse is kept up to its "?" ("?…" after it). Appended to out, not terminal- or
 * HTML-safe yet. */
void pw_report_url_masked(pw_buf *out, const char *url);

/* Call `span` for each run of ev->value: marked = the hit covering it, or NULL for plain text.
 * Overlapping or out-of-range hits are skipped. */
typedef void (*pw_span_fn)(pw_buf *out, const char *s, size_t n, const pw_hit *marked, void *ctx);
void pw_report_spans(const pw_evidence *ev, pw_buf *out, pw_span_fn span, void *ctx);

/* A short label for a hit: "canary email (sha256)", "health: asthma", "email, SHA-256 hashed"
 * (a digest is said to be one, not repeated). In the arena-free buf. */
void pw_report_hit_label(pw_buf *out, const pw_hit *h);
/* The labels of a field's hits with sep between them, each label once: a field often holds one
 * term several times (a button's id, text and destination all say "appointment"), and the
 * reader needs it named once. Appended to out, not terminal- or HTML-safe yet. */
void pw_report_hit_labels(pw_buf *out, const pw_evidence *ev, const char *sep);
/* 1 for the PHI engine's marker on a search parameter's value: its value is what the visitor
 * typed (anything: a name, a member ID), not a vocabulary term. */
int pw_report_hit_is_search_text(const pw_hit *h);
/* 1 for a health vocabulary word of a health information page ("patient education", "health
 * library": care intent's "search" subtype from the vocabulary, not a search parameter's value):
 * labelled "health (information page)", counted as health. */
int pw_report_hit_is_info_page(const pw_hit *h);

/* Length of the valid UTF-8 sequence at s (at most n bytes, s[0] >= 0x80), its code point in
 * *cp; 0 when the bytes are no valid sequence (overlong, surrogate, beyond U+10FFFF, cut
 * short). */
size_t pw_report_utf8_seq(const unsigned char *s, size_t n, unsigned *cp);

/* Identifiers in a page's path (/patients/jane.doe@example.org/results) would reach a
 * dashboard through a location or a fingerprint: each identifier f's evidence found (4 bytes
 * or more; not a provider's name) is replaced in s by its kind ("[email]"), wherever it
 * appears. */
void pw_report_mask_identifiers(const pw_finding *f, pw_buf *s);
/* A finding's identity across scans, appended to out: "rule|tracker id|account|page key" with
 * the page key's identifiers masked. The account is the account ID, else the company of a
 * filter-list finding, else its host. SARIF's partialFingerprints "phiwallFinding/v1", the
 * JSON report's "fingerprint", and what a baseline is matched on. */
void pw_report_fingerprint(const pw_finding *f, pw_buf *out);

/* A rule's legal reasoning printed once (report_why.c): the reasoning printed so far, per rule. */
typedef struct pw_why_seen {
    char **rule, **legal;
    size_t n, cap;
} pw_why_seen;
/* 0 when rule's `legal` is new (it is remembered as number w->n); else the number (1-based) of
 * its first printing. Out of memory fails b. */
size_t pw_why_again(pw_why_seen *w, const char *rule, const char *legal, pw_buf *b);
void pw_why_free(pw_why_seen *w);

/* The pages of r as the findings tables count them: URLs without their query (pw_url_page_key),
 * so a search's or a form's variants are one page (report_pages.c). r->n_pages counts URLs. */
size_t pw_report_page_keys(const pw_scan_result *r);

/* pw_buf status after a render: NOMEM if any append failed. */
pw_status pw_report_buf_status(const pw_buf *out, pw_err *err);

/* Findings for a renderer, one at a time (pw_scan_result_finding): a long scan keeps its
 * findings' evidence, requests, legal reasoning and fixes in a spill file, read back whole. */
typedef struct pw_report_loader {
    const pw_scan_result *r;
    pw_arena a;
    pw_finding tmp;
    pw_err err;
    int failed; /* a read failed: err says why; the render then fails with it */
} pw_report_loader;

void pw_report_loader_init(pw_report_loader *l, const pw_scan_result *r);
void pw_report_loader_free(pw_report_loader *l);
/* Finding i whole, valid until the next call on l. When its details cannot be read: its summary
 * (no evidence), and l remembers the error. */
const pw_finding *pw_report_load(pw_report_loader *l, size_t i);
/* Finding i's summary in *tmp (pw_scan_result_finding without an arena: no I/O, no evidence
 * unless kept in memory): what a count, a grouping or a table row reads. */
const pw_finding *pw_report_brief(const pw_scan_result *r, size_t i, pw_finding *tmp);
/* The render's status: l's read error if any, else pw_report_buf_status. Frees l. */
pw_status pw_report_loader_status(pw_report_loader *l, const pw_buf *out, pw_err *err);

/* SARIF: the "locations" member of a result or notification for the page `url`, without its
 * query (it may hold what the visitor typed); nothing when url is no absolute URL
 * ("(unknown page)"). In report_sarif.c. */
struct pw_jw;
void pw_report_sarif_location(struct pw_jw *w, const char *url);

/* What the trackers were recognised with (report_lists.c): "catalog 212 entries; EasyPrivacy
 * /usr/share/…/easyprivacy.txt (52311 rules); EasyList not loaded", appended for people; and as
 * the members "catalog" {"entries"} and "filter_lists" [{name, loaded, path, rules, version}]
 * of an open JSON object (JSON's tool section, SARIF's run properties). */
void pw_report_lists_text(pw_buf *b, const pw_scan_result *r);
void pw_report_lists_json(struct pw_jw *w, const pw_scan_result *r);

/* pw_baseline_parse_file reading `run` bytes at a time (tests: runs of a few bytes). */
pw_status pw_baseline_parse_file_runs(FILE *f, size_t run, const char *name, pw_baseline **out,
                                      pw_err *err);
/* The same keeping at most `mem` bytes of finding records in memory, the rest in the temporary
 * file (tests: 1 puts every record there, SIZE_MAX none). */
pw_status pw_baseline_parse_file_mem(FILE *f, size_t run, size_t mem, const char *name,
                                     pw_baseline **out, pw_err *err);
/* pw_baseline_compare keying at most max_keys baseline findings in memory at once: past them
 * both sides' keys go to buckets in a temporary file (tests: 1 buckets every comparison). */
pw_status pw_baseline_compare_keys(const pw_baseline *b, const pw_scan_result *r, size_t max_keys,
                                   pw_baseline_diff *out, pw_err *err);
/* Every knob of a comparison (tests): the page hash's key (NULL: the fixed one), max_keys as
 * above (0: BASELINE_KEYS), the bytes of absent findings read back into the diff (gone and
 * unchecked; 0: BASELINE_ABSENT_MEM, 64 KiB; SIZE_MAX: all, as before; 1: none, the reports
 * read them one at a time), and a count of the page keys made again and compared where a page hash
 * matched (NULL: none). */
typedef struct pw_baseline_compare_opts {
    const unsigned char *key;
    size_t max_keys;
    size_t absent_mem;
    size_t *page_compares;
} pw_baseline_compare_opts;
pw_status pw_baseline_compare_with(const pw_baseline *b, const pw_scan_result *r,
                                   const pw_baseline_compare_opts *o, pw_baseline_diff *out,
                                   pw_err *err);

/* The page hash of a comparison: SipHash-2-4 of s[0..n) with the key (k0, k1). */
uint64_t pw_baseline_page_hash(uint64_t k0, uint64_t k1, const char *s, size_t n);

/* The absent findings of a comparison one at a time, for the reports: from the diff's lists
 * when it kept them, else each read back from the baseline's records where a report writes it
 * (a temporary file read ahead in 16 KiB). */
typedef struct pw_baseline_reader {
    const pw_baseline_diff *d;
    pw_arena a; /* the finding read last */
    pw_baseline_finding tmp;
    void *cursor; /* the baseline's temporary file, read ahead */
    pw_err err;
    int failed; /* a read failed: err says why; the render then fails with it */
} pw_baseline_reader;

void pw_baseline_reader_init(pw_baseline_reader *rd, const pw_baseline_diff *d);
/* Gone finding i (unchecked 0) or not-rechecked finding i (1), valid until the next call. When
 * its record cannot be read: a placeholder, and rd remembers the error. */
const pw_baseline_finding *pw_baseline_reader_at(pw_baseline_reader *rd, int unchecked, size_t i);
/* st when it is an error, else rd's read error if any, else PW_OK. Frees rd. */
pw_status pw_baseline_reader_done(pw_baseline_reader *rd, pw_status st, pw_err *err);

/* What each tracker received (report_leaks.c): one row per tracker and account (per company
 * for a filter list), fed a finding above info at a time, in the findings' order (worst
 * first). A row holds masks, never a finding. */
#define PW_LEAK_CANARIES 6
typedef struct pw_leak_row {
    const pw_tracker *tracker;
    char *account, *company; /* as the findings have them (NULL: none) */
    char *label;             /* pw_report_finding_tracker of its first finding */
    pw_severity worst;
    size_t n_findings;
    unsigned contexts;              /* bit per pw_hhs_context of its findings' pages */
    unsigned sent;                  /* bit per pw_field_kind its evidence held */
    unsigned hashed;                /* bit per kind where a marked value was a SHA-256 digest */
    unsigned cats[PW_FIELD__COUNT]; /* per kind, bit per pw_phi_category (+ date of birth) */
    int no_evidence;                /* a finding without fields: a script load */
    /* per kind, the labels of the canaries found there ("email", "first name"): the field the
     * scan typed each into says what it stands for; the first PW_LEAK_CANARIES, then a count */
    char *canary[PW_FIELD__COUNT][PW_LEAK_CANARIES];
    unsigned n_canary[PW_FIELD__COUNT], more_canary[PW_FIELD__COUNT];
} pw_leak_row;

typedef struct pw_leaks {
    pw_leak_row *rows;
    size_t n, cap;
    int failed; /* out of memory: a row is missing */
} pw_leaks;

void pw_leaks_add(pw_leaks *l, const pw_finding *f);
/* "user data (hashed): name, email; page URL: health, care-intent" (sep between the kinds of
 * field), appended: labels only, no value from the site. */
void pw_leaks_what(const pw_leak_row *w, pw_buf *out, const char *sep);
/* "authenticated, care-intent": its pages' HHS contexts, the most sensitive first. */
void pw_leaks_contexts(const pw_leak_row *w, pw_buf *out);
void pw_leaks_free(pw_leaks *l);

/* The rows grouped per tracker (per company for a filter list): a multi-pixel site has several
 * accounts of one tracker, which the human-readable reports show as one row listing them.
 * idx[] (l->n) receives the row indices group by group, groups[] (l->n) each group's slice of
 * idx, in the order of the group's first (worst) row; returns the number of groups (0 when out
 * of memory with rows to group). */
typedef struct pw_leak_group {
    size_t first, n;
} pw_leak_group;
size_t pw_leaks_group(const pw_leaks *l, size_t *idx, pw_leak_group *groups);
/* The group as one row in *out: the worst severity, the findings summed, contexts, fields,
 * categories and canary labels joined. out borrows l's strings: never pw_leaks_free it. */
void pw_leaks_merged(const pw_leaks *l, const size_t *idx, const pw_leak_group *g,
                     pw_leak_row *out);
/* The group's accounts, "111, 222, 333 and 4 more": the named ones first, then `none` once for
 * the rows without one; at most cap named (0: all), each cut to max_len bytes with "…" (0: whole).
 * Appended, not terminal- or HTML-safe yet. */
void pw_leaks_accounts(const pw_leaks *l, const size_t *idx, const pw_leak_group *g, size_t cap,
                       size_t max_len, const char *none, pw_buf *out);
/* The rows, one per tracker and account, as the JSON array "received" (docs/report-formats.md):
 * the JSON report's member and SARIF's run property of that name. Categories and labels only,
 * never a value from the site. */
void pw_leaks_json(struct pw_jw *w, const pw_leaks *l);

#endif
