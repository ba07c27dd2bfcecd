/* gw_log.c — JSON-lines log on stderr (see gw_log.h). */
#include "gw_log.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>

#include "gw_json_writer.h"

void pw_gw_log(const char *level, const char *msg, ...)
{
    char ts[40];
    struct timespec now;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &now);
    gmtime_r(&now.tv_sec, &tm);
    size_t n = strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(ts + n, sizeof ts - n, ".%03ldZ", now.tv_nsec / 1000000);
    pw_buf b;
    pw_gw_jw w;
    pw_buf_init(&b);
    pw_gw_jw_init(&w, &b);
    pw_gw_jw_obj(&w, NULL);
    pw_gw_jw_str(&w, "ts", ts);
    pw_gw_jw_str(&w, "level", level);
    pw_gw_jw_str(&w, "msg", msg);
    va_list ap;
    va_start(ap, msg);
    for (;;) {
        const char *k = va_arg(ap, const char *);
        if (!k)
            break;
        const char *v = va_arg(ap, const char *);
        pw_gw_jw_str(&w, k, v ? v : "");
    }
    va_end(ap);
    pw_gw_jw_end_obj(&w);
    pw_buf_putc(&b, '\n');
    if (!b.failed)
        fwrite(b.data, 1, b.len, stderr);
    pw_buf_free(&b);
}
