/*
 * json_writer.h — (internal to report) a tiny streaming JSON writer with two-space indentation,
 * shared by the JSON and SARIF renderers. Strings go through pw_buf_json_string.
 */
#ifndef PHIWALL_REPORT_JSON_WRITER_H
#define PHIWALL_REPORT_JSON_WRITER_H

#include <stddef.h>

#include "phiwall/buf.h"

#define PW_JW_DEPTH 32

typedef struct pw_jw {
    pw_buf *b;
    int depth;
    unsigned char has_item[PW_JW_DEPTH];
    int after_key;
} pw_jw;

void pw_jw_init(pw_jw *w, pw_buf *b);
void pw_jw_obj(pw_jw *w);
void pw_jw_end_obj(pw_jw *w);
void pw_jw_arr(pw_jw *w);
void pw_jw_end_arr(pw_jw *w);
void pw_jw_key(pw_jw *w, const char *k);
void pw_jw_str(pw_jw *w, const char *s); /* NULL writes null */
void pw_jw_strn(pw_jw *w, const char *s, size_t n);
void pw_jw_int(pw_jw *w, long long v);
void pw_jw_num(pw_jw *w, double v);
void pw_jw_bool(pw_jw *w, int v);
void pw_jw_null(pw_jw *w);
/* key + value shorthands */
void pw_jw_kstr(pw_jw *w, const char *k, const char *s);
void pw_jw_kint(pw_jw *w, const char *k, long long v);

#endif
