/*
 * forward_compact.c — spooled payloads that are already in the forwarders' output form. The
 * forwarders send each event re-emitted compactly from its parsed JSON (pw_gw_json_emit), so
 * that what is sent is always canonical whatever the spooled bytes looked like. The policy
 * writes payloads in exactly that form, so re-emitting them reproduces their bytes: when a
 * payload passes pw_fw_compact, its bytes are copied instead (and its top-level members are
 * found by a scan instead of being re-emitted one by one). Same bytes, less work per event.
 *
 * pw_fw_compact is deliberately strict: no white space or comments outside strings, and inside
 * strings only printable ASCII and the escapes \" \\ \n \r \t, which decode and re-encode to
 * themselves (pw_buf_json_string writes exactly those). Anything else — \u escapes, "\/", bytes
 * >= 0x80, control bytes — takes the re-emitting path. Numbers and literals are copied by the
 * emitter too (yajl keeps a number's text). The payload must also parse (the caller parsed it).
 * tests/fuzz/fuzz_gw_forward_compact.c checks copy == re-emission on arbitrary input.
 */
#include <string.h>

#include "forward_internal.h"
#include "gw_json_writer.h"

/* Most of a payload's bytes are inside strings (hashes, ids, URLs): the scans below skip runs
 * of plain string bytes (pw_gw_jw_plain) with one table look-up per byte. */

/* Past the plain run of a string starting at i. */
static size_t skip_plain(const unsigned char *u, size_t n, size_t i)
{
    while (i < n && pw_gw_jw_plain[u[i]])
        i++;
    return i;
}

int pw_fw_compact(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = u[i];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '/' || c < 0x20 || c >= 0x7f)
            return 0;
        if (c != '"')
            continue;
        for (i = skip_plain(u, n, i + 1); i < n && u[i] != '"'; i = skip_plain(u, n, i + 1)) {
            if (u[i] != '\\')
                return 0; /* a control byte or a byte >= 0x7f */
            unsigned char e = i + 1 < n ? u[i + 1] : '\0';
            if (e != '"' && e != '\\' && e != 'n' && e != 'r' && e != 't')
                return 0;
            i++;
        }
        if (i >= n)
            return 0; /* unterminated */
    }
    return 1;
}

/* End (exclusive) of the value starting at i in compact JSON: the next ',' ']' or '}' at its
 * own level. */
static size_t value_end(const char *s, size_t n, size_t i)
{
    const unsigned char *u = (const unsigned char *)s;
    int depth = 0;
    for (; i < n; i++) {
        char c = s[i];
        if (c == '"') {
            for (i = skip_plain(u, n, i + 1); i < n && u[i] != '"'; i = skip_plain(u, n, i + 1))
                if (u[i] == '\\')
                    i++;
        } else if (c == '{' || c == '[') {
            depth++;
        } else if (c == '}' || c == ']') {
            if (depth == 0)
                return i;
            depth--;
        } else if (c == ',' && depth == 0) {
            return i;
        }
    }
    return n;
}

int pw_fw_compact_next(const char *s, size_t n, size_t *pos, fw_span *member, fw_span *key,
                       fw_span *value)
{
    size_t i = *pos;
    if (i == 0) {
        if (n < 2 || s[0] != '{')
            return 0;
        i = 1;
    }
    if (i >= n || s[i] != '"')
        return 0; /* '}' : no more members */
    size_t k_end = i + 1;
    while (k_end < n && s[k_end] != '"')
        k_end += s[k_end] == '\\' ? 2 : 1;
    if (k_end + 1 >= n || s[k_end + 1] != ':')
        return 0;
    size_t v = k_end + 2, v_end = value_end(s, n, v);
    *member = (fw_span){i, v_end};
    *key = (fw_span){i, k_end + 1};
    *value = (fw_span){v, v_end};
    *pos = v_end < n && s[v_end] == ',' ? v_end + 1 : v_end;
    return 1;
}

int pw_fw_compact_key_is(const char *s, fw_span key, const char *name)
{
    size_t len = strlen(name);
    return key.end - key.start == len + 2 && memcmp(s + key.start + 1, name, len) == 0;
}
