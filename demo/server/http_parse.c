/*
 * http_parse.c — HTTP/1.x request-head parser and decoders for the demo server (see
 * http_parse.h). Strict where strictness is cheap (token characters in the method and header
 * names, CRLF or LF line ends, one Content-Length), forgiving nowhere it matters for safety.
 */
#include "http_parse.h"

#include <string.h>

static int is_tchar(unsigned char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return 1;
    return c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static int lower(int c)
{
    return (c >= 'A' && c <= 'Z') ? c + 32 : c;
}

static int slice_ieq(dh_slice s, const char *z)
{
    size_t n = strlen(z);
    if (s.n != n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (lower((unsigned char)s.p[i]) != lower((unsigned char)z[i]))
            return 0;
    return 1;
}

/* Finds the end of the head (index just past the blank line), or 0 if not yet present. */
static size_t find_head_end(const char *buf, size_t len)
{
    for (size_t i = 0; i + 1 < len; i++) {
        if (buf[i] != '\n')
            continue;
        if (buf[i + 1] == '\n')
            return i + 2;
        if (buf[i + 1] == '\r' && i + 2 < len && buf[i + 2] == '\n')
            return i + 3;
    }
    return 0;
}

/* Returns the line [start, end) without its CR/LF; *next is the start of the next line. */
static size_t line_at(const char *buf, size_t start, size_t end, size_t *next)
{
    size_t i = start;
    while (i < end && buf[i] != '\n')
        i++;
    *next = i < end ? i + 1 : end;
    if (i > start && buf[i - 1] == '\r')
        i--;
    return i - start;
}

static dh_status bad(dh_request *req, const char *why)
{
    req->error = why;
    return DH_BAD;
}

static dh_status parse_request_line(const char *p, size_t n, dh_request *req)
{
    size_t i = 0;
    while (i < n && is_tchar((unsigned char)p[i]))
        i++;
    if (i == 0 || i > 16 || i >= n || p[i] != ' ')
        return bad(req, "malformed method");
    req->method = (dh_slice){p, i};
    size_t t = ++i;
    while (i < n && p[i] != ' ') {
        unsigned char c = (unsigned char)p[i];
        if (c <= 0x20 || c == 0x7f)
            return bad(req, "control character in request target");
        i++;
    }
    if (i == t || i >= n)
        return bad(req, "missing request target or version");
    req->target = (dh_slice){p + t, i - t};
    const char *v = p + i + 1;
    size_t vn = n - i - 1;
    if (vn == 8 && memcmp(v, "HTTP/2.0", 8) == 0) {
        req->error = "HTTP/2 is not supported";
        return DH_UNSUPPORTED;
    }
    if (vn != 8 || memcmp(v, "HTTP/1.", 7) != 0 || (v[7] != '0' && v[7] != '1'))
        return bad(req, "unsupported HTTP version");
    req->version_minor = v[7] - '0';
    if (req->target.p[0] != '/')
        return bad(req, "request target is not origin-form");
    const char *q = memchr(req->target.p, '?', req->target.n);
    size_t plen = q ? (size_t)(q - req->target.p) : req->target.n;
    req->path = (dh_slice){req->target.p, plen};
    req->query = q ? (dh_slice){q + 1, req->target.n - plen - 1} : (dh_slice){q, 0};
    return DH_OK;
}

static dh_slice trim(const char *p, size_t n)
{
    while (n > 0 && (p[0] == ' ' || p[0] == '\t'))
        p++, n--;
    while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
        n--;
    return (dh_slice){p, n};
}

static dh_status parse_header_line(const char *p, size_t n, dh_request *req)
{
    size_t i = 0;
    while (i < n && is_tchar((unsigned char)p[i]))
        i++;
    if (i == 0 || i >= n || p[i] != ':')
        return bad(req, "malformed header line");
    for (size_t k = i + 1; k < n; k++) {
        unsigned char c = (unsigned char)p[k];
        if ((c < 0x20 && c != '\t') || c == 0x7f)
            return bad(req, "control character in header value");
    }
    if (req->n_headers >= DH_MAX_HEADERS) {
        req->error = "too many headers";
        return DH_TOO_LARGE;
    }
    dh_header *h = &req->headers[req->n_headers++];
    h->name = (dh_slice){p, i};
    h->value = trim(p + i + 1, n - i - 1);
    return DH_OK;
}

static dh_status parse_content_length(dh_request *req)
{
    req->content_length = -1;
    for (size_t i = 0; i < req->n_headers; i++) {
        const dh_header *h = &req->headers[i];
        if (slice_ieq(h->name, "transfer-encoding")) {
            req->error = "Transfer-Encoding is not supported";
            return DH_UNSUPPORTED;
        }
        if (!slice_ieq(h->name, "content-length"))
            continue;
        if (req->content_length >= 0 || h->value.n == 0 || h->value.n > 12)
            return bad(req, "bad or repeated Content-Length");
        long long v = 0;
        for (size_t k = 0; k < h->value.n; k++) {
            char c = h->value.p[k];
            if (c < '0' || c > '9')
                return bad(req, "bad Content-Length");
            v = v * 10 + (c - '0');
        }
        req->content_length = v;
    }
    return DH_OK;
}

dh_status dh_parse_head(const char *buf, size_t len, dh_request *req)
{
    memset(req, 0, sizeof *req);
    req->content_length = -1;
    size_t end = find_head_end(buf, len > DH_MAX_HEAD ? DH_MAX_HEAD : len);
    if (end == 0) {
        if (len >= DH_MAX_HEAD) {
            req->error = "request head too large";
            return DH_TOO_LARGE;
        }
        return DH_INCOMPLETE;
    }
    req->head_len = end;
    if (memchr(buf, '\0', end))
        return bad(req, "NUL byte in request head");
    size_t next = 0;
    size_t n = line_at(buf, 0, end, &next);
    dh_status st = parse_request_line(buf, n, req);
    if (st != DH_OK)
        return st;
    for (;;) {
        size_t start = next;
        n = line_at(buf, start, end, &next);
        if (n == 0)
            break;
        if (buf[start] == ' ' || buf[start] == '\t')
            return bad(req, "obsolete header folding");
        st = parse_header_line(buf + start, n, req);
        if (st != DH_OK)
            return st;
    }
    if (req->version_minor == 1 && dh_header_get(req, "host") == NULL)
        return bad(req, "HTTP/1.1 request without Host");
    return parse_content_length(req);
}

const dh_slice *dh_header_get(const dh_request *req, const char *name)
{
    for (size_t i = 0; i < req->n_headers; i++)
        if (slice_ieq(req->headers[i].name, name))
            return &req->headers[i].value;
    return NULL;
}

static int hexval(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = (unsigned char)lower(c);
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

long dh_pct_decode(const char *in, size_t n, int plus_is_space, char *out, size_t cap)
{
    if (cap == 0)
        return -1;
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        int c = (unsigned char)in[i];
        if (c == '%') {
            if (i + 2 >= n)
                return -1;
            int hi = hexval((unsigned char)in[i + 1]), lo = hexval((unsigned char)in[i + 2]);
            if (hi < 0 || lo < 0)
                return -1;
            c = hi * 16 + lo;
            i += 2;
        } else if (c == '+' && plus_is_space) {
            c = ' ';
        }
        if (c == 0 || o + 1 >= cap)
            return -1;
        out[o++] = (char)c;
    }
    out[o] = '\0';
    return (long)o;
}

long dh_form_get(const char *form, size_t n, const char *name, char *out, size_t cap)
{
    size_t nl = strlen(name);
    size_t i = 0;
    while (i < n) {
        size_t j = i;
        while (j < n && form[j] != '&')
            j++;
        const char *eq = memchr(form + i, '=', j - i);
        size_t klen = eq ? (size_t)(eq - (form + i)) : j - i;
        char key[128];
        long kd = klen < sizeof key ? dh_pct_decode(form + i, klen, 1, key, sizeof key) : -1;
        if (kd == (long)nl && memcmp(key, name, nl) == 0) {
            const char *v = eq ? eq + 1 : form + j;
            return dh_pct_decode(v, (size_t)(form + j - v), 1, out, cap);
        }
        i = j + 1;
    }
    return -1;
}

long dh_cookie_get(const char *header, size_t n, const char *name, char *out, size_t cap)
{
    size_t nl = strlen(name);
    size_t i = 0;
    while (i < n) {
        while (i < n && (header[i] == ' ' || header[i] == ';'))
            i++;
        size_t j = i;
        while (j < n && header[j] != ';')
            j++;
        if (j - i > nl && memcmp(header + i, name, nl) == 0 && header[i + nl] == '=') {
            size_t vn = j - i - nl - 1;
            if (vn + 1 > cap)
                return -1;
            for (size_t k = 0; k < vn; k++)
                if ((unsigned char)header[i + nl + 1 + k] < 0x20)
                    return -1; /* NUL or control byte: not a cookie value */
            memcpy(out, header + i + nl + 1, vn);
            out[vn] = '\0';
            return (long)vn;
        }
        i = j;
    }
    return -1;
}

long dh_path_clean(const char *raw, size_t n, char *out, size_t cap)
{
    char tmp[2048];
    long dn = dh_pct_decode(raw, n, 0, tmp, sizeof tmp);
    if (dn <= 0 || tmp[0] != '/' || memchr(tmp, '\\', (size_t)dn) || cap < 2)
        return -1;
    size_t o = 0;
    size_t i = 0;
    while (i < (size_t)dn) {
        while (i < (size_t)dn && tmp[i] == '/')
            i++;
        size_t j = i;
        while (j < (size_t)dn && tmp[j] != '/')
            j++;
        size_t seg = j - i;
        if (seg == 0)
            break;
        if ((seg == 1 && tmp[i] == '.') || (seg == 2 && tmp[i] == '.' && tmp[i + 1] == '.'))
            return -1;
        if (o + 1 + seg + 1 > cap)
            return -1;
        out[o++] = '/';
        memcpy(out + o, tmp + i, seg);
        o += seg;
        i = j;
    }
    if (o == 0)
        out[o++] = '/';
    out[o] = '\0';
    return (long)o;
}
