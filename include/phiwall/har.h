/*
 * har.h — capture from HAR 1.2 files, streamed: entries are parsed one at a time with yajl's
 * event parser, so memory does not grow with the file. Each entry becomes a pw_request (and each
 * page a pw_page) handed to a callback, valid only during the call.
 */
#ifndef PHIWALL_HAR_H
#define PHIWALL_HAR_H

#include <stdio.h>

#include "phiwall/error.h"
#include "phiwall/request.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct pw_har_sink {
    /* Either may be NULL. Return PW_OK to continue, anything else stops reading. */
    pw_status (*on_page)(void *ctx, const pw_page *page, pw_err *err);
    pw_status (*on_request)(void *ctx, const pw_request *req, pw_err *err);
    void *ctx;
} pw_har_sink;

/* Read a HAR from a stream; `name` is used in error messages ("trace.har: byte 123: …"). */
pw_status pw_har_read(FILE *f, const char *name, const pw_har_sink *sink, pw_err *err);
pw_status pw_har_read_file(const char *path, const pw_har_sink *sink, pw_err *err);

#ifdef __cplusplus
}
#endif
#endif
