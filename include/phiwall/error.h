/*
 * error.h — the one error convention of phiwall.
 *
 * Every fallible function returns a pw_status and, when the caller passes a pw_err, fills it with
 * a message that names *where* (file, line, byte offset, field) and *what* was expected. The
 * library never prints or exits: the programs decide what to show.
 */
#ifndef PHIWALL_ERROR_H
#define PHIWALL_ERROR_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum pw_status {
    PW_OK = 0,
    PW_ERR_NOMEM,       /* allocation failed */
    PW_ERR_IO,          /* file, socket or process I/O failed */
    PW_ERR_PARSE,       /* malformed input (JSON, HAR, body, config, HTML) */
    PW_ERR_INVALID,     /* well-formed but not acceptable (bad argument, bad value) */
    PW_ERR_LIMIT,       /* a size, depth or count limit was reached */
    PW_ERR_NOTFOUND,    /* the thing asked for does not exist */
    PW_ERR_UNSUPPORTED, /* not available in this build or on this platform */
    PW_ERR_TIMEOUT,     /* a wait ran out */
    PW_ERR_STATE,       /* called in the wrong state (e.g. after close) */
    PW_ERR_REMOTE,      /* a peer (browser, upstream API) answered with an error */
    PW_ERR__COUNT
} pw_status;

/* Details of the last error. `msg` holds "where: what" ready for a user. */
typedef struct pw_err {
    pw_status code;
    char msg[512];
} pw_err;

/* A short, stable, lower-case name for a status ("parse error"). Never NULL. */
const char *pw_strerror(pw_status code);

/*
 * Record an error and return its code, so a failing path reads `return pw_err_set(err, ...)`.
 * `err` may be NULL (the caller only wants the code). printf-style formatting.
 */
pw_status pw_err_set(pw_err *err, pw_status code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Prefix the existing message with more context ("trace.har: " + "byte 1234: expected ','"). */
pw_status pw_err_prefix(pw_err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Clear to PW_OK with an empty message. */
void pw_err_clear(pw_err *err);

#ifdef __cplusplus
}
#endif
#endif
