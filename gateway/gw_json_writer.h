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

#endif
