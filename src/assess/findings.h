/*
 * findings.h — (internal to assess) a finding as the assessor keeps it (cfind: 104 bytes, its
 * rule, page and strings by number, its details in memory or in the spill file) with the set of
 * its distinct page URLs, and the two files a long scan keeps them in so that memory does not
 * grow with the findings (docs/scan-har.md, "Memory"):
 *  - runs: past a number of findings held, those in memory are written out as one run, sorted
 *    by page key, and the scan goes on with none (a later occurrence of one of them starts a new
 *    record: the records of one finding are folded when read back);
 *  - the result: at finish the runs are merged page key by page key (every fold touches one page
 *    key's findings only), and each finding, final, goes to the file of its severity as a record
 *    of fixed size, so finding i is read back at its place.
 * Both are spill files (spill.h): unlinked at once, in pw_assess_opts.spill_dir, else $TMPDIR,
 * else /tmp; a failed write is an error naming the directory.
 */
#ifndef PHIWALL_ASSESS_FINDINGS_H
#define PHIWALL_ASSESS_FINDINGS_H

#include <stdint.h>

#include "assess/spill.h"
#include "phiwall/assess.h"
#include "phiwall/buf.h"

/* ---- a set of 64-bit hashes (the distinct page URLs of one finding) ---- */

typedef struct hash_set {
    union {
        uint64_t one;   /* the only hash while cap is 0: most findings have one page URL */
        uint64_t *slot; /* 0 is empty (a hash of 0 is stored as 1) */
    } u;
    uint32_t cap, n;
} hash_set;

/* 1 if h was added, 0 if it was there, -1 when out of memory. */
int pw_hash_set_add(hash_set *s, uint64_t h);
void pw_hash_set_free(hash_set *s);

/* A finding's evidence, request and legal reasoning while they are kept in memory (below the
 * budget), in the assessor's arena. */
typedef struct mem_detail {
    const char *legal;
    const pw_evidence *ev;
    size_t n_ev;
    const pw_request *req;
} mem_detail;

enum {
    CF_TITLE = 1,          /* its page had its title when the evidence was taken */
    CF_SHOT = 2,           /* and its screenshot */
    CF_BEFORE_CONSENT = 4, /* the evidence request's flags */
    CF_AFTER_REJECT = 8,
    CF_BAA = 16,        /* pw_finding.baa_declared */
    CF_DETAIL_MEM = 32, /* detail.mem, else detail.at (a spill position + 1, 0: none) */
    CF_REMEDY_MEM = 64, /* remedy.mem, else remedy.at */
    CF_FOLDED = 128     /* folded into another at finish: dropped */
};

/* One finding: pw_scan_result_finding makes a pw_finding of it. */
typedef struct cfind {
    const pw_tracker *tracker;
    union {
        uint64_t at;
        const mem_detail *mem;
    } detail;
    union {
        uint64_t at;
        const char *mem;
    } remedy;
    uint32_t seq;                     /* the order findings were made in: the sort's last key */
    uint32_t page;                    /* the evidence's page (the assessor's pages) */
    uint32_t account, company, event; /* interned strings: their number + 1, 0 for NULL */
    uint32_t occurrences, page_variants;
    uint32_t urls[PW_FINDING_PAGE_URLS]; /* the first page URLs, in the order seen: pages */
    uint8_t rule, severity, context, step, n_page_urls, flags;
} cfind;

/* ---- runs ---- */

/* Append f and its page-URL set to the runs file (opened in dir when s is NULL). */
pw_status pw_run_put(pw_spill **s, const char *dir, const cfind *f, const hash_set *urls,
                     pw_buf *enc, pw_err *err);
/* The next record of a run, its set rebuilt in *urls (empty before; free it). */
pw_status pw_run_next(pw_spill_cursor *c, cfind *f, hash_set *urls, pw_err *err);

/* ---- the result's findings, one file a severity ---- */

typedef struct pw_sev_block {
    unsigned char *data;
    size_t first, n;
} pw_sev_block;

typedef struct pw_sev_files {
    pw_spill *file[PW_SEV__COUNT];
    size_t n[PW_SEV__COUNT];
    /* a block of records read back per severity: reports read in order */
    pw_sev_block block[PW_SEV__COUNT];
    const char *dir;
    pw_buf enc;
    /* the last record read: what a summary read without an arena (pw_report_brief, which its
     * callers never see fail) gives when a read fails; the whole read then fails the report */
    cfind last;
    int have_last;
} pw_sev_files;

/* Append f (final) to its severity's file. */
pw_status pw_sev_put(pw_sev_files *s, const cfind *f, pw_err *err);
/* Make every record readable (an error when the disk is full). */
pw_status pw_sev_flush(pw_sev_files *s, pw_err *err);
/* Record k of severity sev. */
pw_status pw_sev_get(pw_sev_files *s, int sev, size_t k, cfind *f, pw_err *err);
void pw_sev_free(pw_sev_files *s);

#endif
