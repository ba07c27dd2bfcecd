/*
 * baseline.h — compare a scan with an earlier one. A site is scanned again after a fix, or every
 * week: what a privacy team needs first is what is new, what is gone, and what is still there.
 * The earlier scan is read from its JSON report (`--format json`), whose findings carry a
 * fingerprint (rule|tracker|account|page, the same as SARIF's "phiwallFinding/v1"); findings are
 * matched on it, so a new click ID or campaign tag in a page's query does not make a finding new.
 */
#ifndef PHIWALL_BASELINE_H
#define PHIWALL_BASELINE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "phiwall/assess.h"
#include "phiwall/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One finding of the earlier report, as it was written there (strings may be NULL when the
 * report had null). */
typedef struct pw_baseline_finding {
    const char *fingerprint;
    const char *rule_id;
    pw_severity severity;
    const char *tracker;    /* the vendor's product name ("Meta Pixel") */
    const char *tracker_id; /* its catalog id ("meta-pixel"), or the filter list ("easylist") */
    const char *account_id;
    const char *page_url;
    const char *context; /* its page's HHS context as written ("authenticated"), or NULL */
    size_t occurrences;
} pw_baseline_finding;

typedef struct pw_baseline pw_baseline;

/* Read an earlier JSON report of `phiwall scan` (streamed: only what a comparison needs is kept;
 * past 64 KiB of it, in an unlinked temporary file in $TMPDIR, else /tmp: a failure to make or
 * write it is PW_ERR_IO naming the directory).
 * `name` names the input in errors ("old.json: findings[3].fingerprint: …"). Not JSON, not a
 * phiwall report (a SARIF log, a HAR), or a finding without fingerprint, rule or severity is
 * PW_ERR_PARSE / PW_ERR_INVALID; *out is then NULL. */
pw_status pw_baseline_parse(const char *json, size_t len, const char *name, pw_baseline **out,
                            pw_err *err);
/* The same with an allocation probe (tests; phiwall/json_reserve.h). Out of memory is
 * PW_ERR_NOMEM ("old.json: out of memory (N bytes of JSON)"), never a crash; nesting deeper than
 * PW_JSON_MAX_DEPTH is PW_ERR_LIMIT. */
struct pw_json_probe;
pw_status pw_baseline_parse_probe(const char *json, size_t len, const char *name, pw_baseline **out,
                                  pw_err *err, struct pw_json_probe *probe);
/* The same from an open file, read 64 KiB at a time: the report is never held whole (a
 * 20,000-page scan's is ~280 MB). Errors as pw_baseline_parse, byte offsets and all; a read
 * error is PW_ERR_IO ("old.json: Is a directory"). */
pw_status pw_baseline_parse_file(FILE *f, const char *name, pw_baseline **out, pw_err *err);
void pw_baseline_free(pw_baseline *b);

const char *pw_baseline_name(const pw_baseline *b);   /* as given to pw_baseline_parse */
const char *pw_baseline_target(const pw_baseline *b); /* what the earlier scan scanned */
/* "captured.first" of the earlier report (UTC ISO 8601), NULL when it had none. */
const char *pw_baseline_captured(const pw_baseline *b);
size_t pw_baseline_count(const pw_baseline *b);
/* Finding i (NULL past the last). The baseline keeps its findings as records (past 64 KiB of them
 * in an unlinked temporary file in $TMPDIR, else /tmp): the first call reads them all back into
 * memory (NULL if the file cannot be read), valid until the baseline is freed. A comparison does
 * not need it. */
const pw_baseline_finding *pw_baseline_at(const pw_baseline *b, size_t i);

typedef enum pw_baseline_state {
    PW_BASELINE_NEW = 1,   /* no finding of the baseline has its fingerprint */
    PW_BASELINE_UNCHANGED, /* the baseline has it (its severity may differ: `was`) */
} pw_baseline_state;

/* Why a finding of the baseline that this scan did not report does not count as gone: this
 * scan could not have seen it, so its absence says nothing about a fix. A rescan with a smaller
 * crawl, a page that timed out or a tag that failed to load must not read as "fixed". */
typedef enum pw_baseline_unchecked {
    PW_UNCHECKED_PAGE_NOT_VISITED = 1, /* its page is not among this scan's pages */
    PW_UNCHECKED_PAGE_FAILED,          /* its page failed to load in this scan */
    PW_UNCHECKED_TRACKER_FAILED,       /* its tracker's script or frame failed to load there */
    PW_UNCHECKED_NO_TRAFFIC,           /* this scan read HTML only; the baseline saw traffic */
    PW_UNCHECKED_LOGIN_FAILED,         /* its page is in the logged-in area; --login failed */
    PW_UNCHECKED_TOO_MANY_GAPS,        /* gaps past the capture's bound: unknown where */
    PW_UNCHECKED__END                  /* one past the last */
} pw_baseline_unchecked;

const char *pw_baseline_unchecked_name(pw_baseline_unchecked why); /* "page_not_visited" */
const char *pw_baseline_unchecked_text(pw_baseline_unchecked why); /* a phrase for reports */

/* A scan compared with a baseline. Findings are matched by fingerprint as multisets: when the
 * baseline has a fingerprint k times and the scan m times, min(k, m) are unchanged, the rest new
 * (scan) or absent (baseline), matched in order of severity, highest first. An absent finding is
 * gone when this scan looked where it was (its page loaded, its tracker's script too), else not
 * rechecked, with the reason. */
typedef struct pw_baseline_diff {
    const pw_baseline *baseline;
    /* parallel to the scan's findings, a byte each (a long scan has hundreds of thousands): */
    unsigned char *state; /* its pw_baseline_state */
    signed char *was;     /* the matched finding's pw_severity, -1 when new */
    /* The absent findings, read back from the baseline's records while they take at most
     * 64 KiB (a finding ~250 bytes); past that, NULL: a large baseline against a small scan
     * would hold them all (120,000 findings: ~100 MB), and the reports read them one at a time
     * from absent_at instead. */
    const pw_baseline_finding **gone;      /* absent, and looked for; highest first */
    const pw_baseline_finding **unchecked; /* absent, not looked for; highest first */
    pw_baseline_unchecked *unchecked_why;  /* parallel to unchecked (always there) */
    size_t n_gone, n_unchecked, n_new, n_unchanged;
    /* The absent findings themselves (gone and unchecked point there): the baseline keeps its
     * findings as records, and only these are read back. Freed by pw_baseline_diff_free. */
    struct pw_arena *store;
    /* (internal) where each absent finding's record is when gone is NULL: the gone ones, then
     * the unchecked ones, in their lists' order (8 bytes each). */
    uint64_t *absent_at;
} pw_baseline_diff;

pw_status pw_baseline_compare(const pw_baseline *b, const pw_scan_result *r, pw_baseline_diff *out,
                              pw_err *err);
/* The same, the scan's pages hashed with a 16-byte key (SipHash): a site whose page URLs were
 * crafted to share a hash made each lookup walk them all, the comparison quadratic, with the
 * fixed hash pw_baseline_compare uses. A random key per run (getrandom) defeats that; the key
 * changes only the order of the comparison's work, never its outcome. */
pw_status pw_baseline_compare_keyed(const pw_baseline *b, const pw_scan_result *r,
                                    const unsigned char key[16], pw_baseline_diff *out,
                                    pw_err *err);
void pw_baseline_diff_free(pw_baseline_diff *d);

/* 1 when finding i counts as new for an exit threshold: new, or its severity rose above what the
 * baseline had. */
int pw_baseline_is_news(const pw_baseline_diff *d, const pw_scan_result *r, size_t i);

#ifdef __cplusplus
}
#endif
#endif
