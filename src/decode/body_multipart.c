/*
 * body_multipart.c — multipart/form-data bodies (navigator.sendBeacon with a FormData, as Meta's
 * pixel sends long events). The boundary comes from the Content-Type; each part's name comes from
 * its Content-Disposition header and its value is taken verbatim (multipart has no
 * percent-encoding layer). A part without its closing boundary is PW_ERR_PARSE with the offset.
 */
#include <string.h>

#include "decode_internal.h"
#include "phiwall/text.h"

char *dk_multipart_boundary(pw_arena *a, const char *content_type)
{
    if (!content_type)
        return NULL;
    const char *b = pw_strcasestr_n(content_type, strlen(content_type), "boundary=");
    if (!b)
        return NULL;
    b += 9;
    size_t n;
    if (*b == '"') {
        b++;
        const char *q = strchr(b, '"');
        n = q ? (size_t)(q - b) : strlen(b);
    } else {
        n = strcspn(b, "; \t");
    }
    if (n == 0 || n > 200)
        return NULL;
    return pw_arena_strndup(a, b, n);
}

/* Value of `param` ("name") in a Content-Disposition line [s, s+n); NULL if absent. */
static char *disposition_param(pw_arena *a, const char *s, size_t n, const char *param)
{
    size_t plen = strlen(param);
    for (size_t i = 0; i + plen + 1 <= n; i++) {
        if ((i > 0 && s[i - 1] != ';' && s[i - 1] != ' ' && s[i - 1] != '\t') ||
            !pw_strncaseeq(s + i, param, plen) || s[i + plen] != '=')
            continue;
        const char *v = s + i + plen + 1;
        size_t left = n - (i + plen + 1), len = 0;
        if (left && *v == '"') {
            v++, left--;
            while (len < left && v[len] != '"')
                len += (v[len] == '\\' && len + 1 < left) ? 2 : 1;
        } else {
            while (len < left && v[len] != ';' && v[len] != ' ' && v[len] != '\t')
                len++;
        }
        return pw_arena_strndup(a, v, len);
    }
    return NULL;
}

/* Headers of one part from `off`; sets *name (may stay NULL) and returns the body offset, or
 * (size_t)-1 when the header block does not end. */
static size_t part_headers(pw_arena *a, const char *s, size_t n, size_t off, char **name)
{
    *name = NULL;
    while (off < n) {
        const char *nl = memchr(s + off, '\n', n - off);
        if (!nl)
            return (size_t)-1;
        size_t end = (size_t)(nl - s), len = end - off;
        if (len && s[end - 1] == '\r')
            len--;
        if (len == 0)
            return end + 1;
        if (len > 20 && pw_strncaseeq(s + off, "content-disposition:", 20))
            *name = disposition_param(a, s + off + 20, len - 20, "name");
        off = end + 1;
    }
    return (size_t)-1;
}

pw_status dk_body_multipart(pw_arena *a, const char *content_type, const char *s, size_t n,
                            dk_pairs *out, pw_err *err)
{
    char *boundary = dk_multipart_boundary(a, content_type);
    if (!boundary)
        return pw_err_set(err, PW_ERR_PARSE, "multipart: no boundary in Content-Type '%.100s'",
                          content_type ? content_type : "");
    char *delim = pw_arena_sprintf(a, "--%s", boundary);
    char *inner = pw_arena_sprintf(a, "\n--%s", boundary); /* CR before it is trimmed */
    if (!delim || !inner)
        return pw_err_set(err, PW_ERR_NOMEM, "multipart: out of memory");
    size_t dlen = strlen(delim), ilen = strlen(inner);
    const char *first = memmem(s, n, delim, dlen);
    if (!first)
        return pw_err_set(err, PW_ERR_PARSE, "multipart: byte 0: boundary '%.80s' not found",
                          boundary);
    size_t off = (size_t)(first - s) + dlen;
    for (;;) {
        if (off + 2 <= n && s[off] == '-' && s[off + 1] == '-')
            return PW_OK; /* closing delimiter */
        while (off < n && (s[off] == ' ' || s[off] == '\t'))
            off++;
        if (off < n && s[off] == '\r')
            off++;
        if (off >= n || s[off] != '\n')
            return pw_err_set(err, PW_ERR_PARSE,
                              "multipart: byte %zu: expected a line break after the boundary", off);
        char *name;
        size_t body = part_headers(a, s, n, off + 1, &name);
        if (body == (size_t)-1)
            return pw_err_set(err, PW_ERR_PARSE, "multipart: byte %zu: part headers do not end",
                              off + 1);
        const char *next = memmem(s + body, n - body, inner, ilen);
        if (!next)
            return pw_err_set(err, PW_ERR_PARSE,
                              "multipart: byte %zu: part '%.64s' has no closing boundary", body,
                              name ? name : "");
        size_t vend = (size_t)(next - s);
        size_t vlen = vend - body;
        if (vlen && s[vend - 1] == '\r')
            vlen--;
        if (name) {
            char *value = dk_dup(a, s + body, vlen);
            if (!value)
                return pw_err_set(err, PW_ERR_NOMEM, "multipart: out of memory");
            pw_status st = dk_pairs_push(a, out, name, strlen(name), value, vlen, err);
            if (st != PW_OK)
                return st;
        }
        off = vend + ilen;
    }
}
