/*
 * gw_json_writer.h — a minimal streaming JSON writer over pw_buf for the gateway's payloads,
 * /metrics-adjacent JSON answers and logs: keys and strings are always escaped.
 */
#ifndef PHIWALL_GW_JSON_WRITER_H
#define PHIWALL_GW_JSON_WRITER_H

#include <stddef.h>

#include "phiwall/buf.h"

typedef struct pw_gw_jw {
    pw_buf *b;
    int depth;
    int count[16]; /* members written at each depth */
} pw_gw_jw;

/* 1 for a byte a JSON string holds as it is: printable ASCII but '"' and '\\'. */
extern const unsigned char pw_gw_jw_plain[256];

void pw_gw_jw_init(pw_gw_jw *w, pw_buf *b);
void pw_gw_jw_obj(pw_gw_jw *w, const char *key); /* key NULL inside arrays / at top */
void pw_gw_jw_arr(pw_gw_jw *w, const char *key);
void pw_gw_jw_end_obj(pw_gw_jw *w);
void pw_gw_jw_end_arr(pw_gw_jw *w);
void pw_gw_jw_str(pw_gw_jw *w, const char *key, const char *s);
void pw_gw_jw_strn(pw_gw_jw *w, const char *key, const char *s, size_t n);
void pw_gw_jw_raw(pw_gw_jw *w, const char *key, const char *raw); /* numbers, true/false */
void pw_gw_jw_int(pw_gw_jw *w, const char *key, long long v);

/* The same with a key that is a string literal of plain bytes (pw_gw_jw_plain: the writer's own
 * keys), written as it is with no length to take and no check: the same bytes as the functions
 * above. The macros pass the literal's quoted form `"key":` and its length; a key that is not
 * a literal does not compile. */
void pw_gw_jw_obj_lit(pw_gw_jw *w, const char *qkey, size_t n);
void pw_gw_jw_arr_lit(pw_gw_jw *w, const char *qkey, size_t n);
void pw_gw_jw_str_lit(pw_gw_jw *w, const char *qkey, size_t n, const char *s);
void pw_gw_jw_int_lit(pw_gw_jw *w, const char *qkey, size_t n, long long v);
#define PW_GW_JW_QKEY(lit)      "\"" lit "\":", sizeof("\"" lit "\":") - 1
#define PW_GW_JW_OBJ(w, lit)    pw_gw_jw_obj_lit((w), PW_GW_JW_QKEY(lit))
#define PW_GW_JW_ARR(w, lit)    pw_gw_jw_arr_lit((w), PW_GW_JW_QKEY(lit))
#define PW_GW_JW_STR(w, lit, s) pw_gw_jw_str_lit((w), PW_GW_JW_QKEY(lit), (s))
#define PW_GW_JW_INT(w, lit, v) pw_gw_jw_int_lit((w), PW_GW_JW_QKEY(lit), (v))

#endif
