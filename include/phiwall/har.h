/*
 * har.h — capture from HAR 1.2 files, streamed: entries are parsed one at a time with yajl's
 * event parser, so memory does not grow with the file. Each entry becomes a pw_request (and each
 * page a pw_page) handed to a callback, valid only during the call.
 */
#ifndef PHIWALL_HAR_H
#define PHIWALL_HAR_H

#include <stdio.h>

#include "phiwall/arena.h"
#include "phiwall/error.h"
#include "phiwall/request.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Read a HAR from a stream; `name` is used in error messages ("trace.har: byte 123: …"). */
pw_status pw_har_read(FILE *f, const char *name, const pw_capture_sink *sink, pw_err *err);
pw_status pw_har_read_file(const char *path, const pw_capture_sink *sink, pw_err *err);

/* Default cap on one JSON string (a POST body, a URL, a response body): longer strings are
 * truncated to this many bytes and counted in pw_har_stats, so memory stays bounded. */
#define PW_HAR_MAX_STRING ((size_t)8 << 20)

typedef struct pw_har_opts {
    size_t max_string; /* 0 = PW_HAR_MAX_STRING */
    /* Site key of a host (its registrable domain: pw_registrable_domain), allocated in the
     * arena. It tells a site's own navigations from vendors' iframe documents when one pageref
     * spans several navigations. NULL hook or result: a guess from the host's last labels. */
    char *(*site_of)(void *ctx, pw_arena *a, const char *host);
    void *site_ctx;
    /* Tests: every allocation of yajl's and of its spare asks it first and fails when it says
     * so (phiwall/json_reserve.h); NULL: none. */
    struct pw_json_probe *alloc_probe;
} pw_har_opts;

/* What a read saw; filled even when the read fails part way. */
typedef struct pw_har_stats {
    size_t bytes;            /* bytes read from the stream */
    size_t n_entries;        /* entries delivered as requests */
    size_t n_pages;          /* pages delivered */
    size_t n_truncated;      /* strings cut to max_string */
    size_t first_truncation; /* byte offset of the first truncated string (if n_truncated) */
} pw_har_stats;

/* pw_har_read with options and statistics; opts and stats may be NULL. */
pw_status pw_har_read_ex(FILE *f, const char *name, const pw_capture_sink *sink,
                         const pw_har_opts *opts, pw_har_stats *stats, pw_err *err);

#ifdef __cplusplus
}
#endif
#endif
