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

/* Read a HAR from a stream; `name` is used in error messages ("trace.har: byte 123: …"). */
pw_status pw_har_read(FILE *f, const char *name, const pw_capture_sink *sink, pw_err *err);
pw_status pw_har_read_file(const char *path, const pw_capture_sink *sink, pw_err *err);

#ifdef __cplusplus
}
#endif
#endif
