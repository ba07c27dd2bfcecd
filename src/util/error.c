/* error.c — the pw_err convention (see include/phiwall/error.h). */
#include "phiwall/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const status_names[PW_ERR__COUNT] = {
    [PW_OK] = "ok",
    [PW_ERR_NOMEM] = "out of memory",
    [PW_ERR_IO] = "i/o error",
    [PW_ERR_PARSE] = "parse error",
    [PW_ERR_INVALID] = "invalid input",
    [PW_ERR_LIMIT] = "limit reached",
    [PW_ERR_NOTFOUND] = "not found",
    [PW_ERR_UNSUPPORTED] = "unsupported",
    [PW_ERR_TIMEOUT] = "timed out",
    [PW_ERR_STATE] = "wrong state",
    [PW_ERR_REMOTE] = "remote error",
};

const char *pw_strerror(pw_status code)
{
    if ((unsigned)code >= PW_ERR__COUNT)
        return "unknown error";
    return status_names[code];
}

pw_status pw_err_set(pw_err *err, pw_status code, const char *fmt, ...)
{
    if (!err)
        return code;
    err->code = code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    return code;
}

pw_status pw_err_prefix(pw_err *err, const char *fmt, ...)
{
    if (!err)
        return PW_OK;
    char prefix[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    char old[sizeof err->msg];
    memcpy(old, err->msg, sizeof old);
    size_t plen = strlen(prefix);
    if (plen >= sizeof err->msg)
        plen = sizeof err->msg - 1;
    memcpy(err->msg, prefix, plen);
    size_t rest = strnlen(old, sizeof old);
    if (rest > sizeof err->msg - 1 - plen)
        rest = sizeof err->msg - 1 - plen;
    memcpy(err->msg + plen, old, rest);
    err->msg[plen + rest] = '\0';
    return err->code;
}

void pw_err_clear(pw_err *err)
{
    if (!err)
        return;
    err->code = PW_OK;
    err->msg[0] = '\0';
}
