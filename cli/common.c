/* common.c — terminal detection and messages shared by the commands. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

int pw_cli_use_color(FILE *f)
{
    const char *nc = getenv("NO_COLOR");
    if (nc && nc[0])
        return 0;
    const char *term = getenv("TERM");
    if (term && strcmp(term, "dumb") == 0)
        return 0;
    return isatty(fileno(f));
}

int pw_cli_use_progress(FILE *f)
{
    return isatty(fileno(f));
}

void pw_cli_errorf(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "phiwall: %s%s", cmd ? cmd : "", cmd ? ": " : "");
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

int pw_cli_fail(const char *cmd, const pw_err *err)
{
    pw_cli_errorf(cmd, "%s: %s", pw_strerror(err->code), err->msg[0] ? err->msg : "(no detail)");
    return PW_EXIT_RUNTIME;
}

int pw_cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "phiwall: %s: ", cmd);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    fprintf(stderr, "Try 'phiwall %s --help'.\n", cmd);
    return PW_EXIT_USAGE;
}

int pw_cli_read_file(const char *path, char **data, size_t *len, pw_err *err)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!f)
        return pw_err_set(err, PW_ERR_IO, "%s: %s", path, strerror(errno));
    size_t cap = 65536, n = 0;
    char *buf = malloc(cap + 1);
    while (buf) {
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
        if (n == cap) {
            char *p = realloc(buf, cap * 2 + 1);
            if (!p) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = p;
            cap *= 2;
        }
    }
    int bad = buf ? ferror(f) : 0;
    if (f != stdin)
        fclose(f);
    if (!buf)
        return pw_err_set(err, PW_ERR_NOMEM, "%s: out of memory", path);
    if (bad) {
        free(buf);
        return pw_err_set(err, PW_ERR_IO, "%s: read error", path);
    }
    buf[n] = '\0';
    *data = buf;
    *len = n;
    return PW_OK;
}
