/* url.c — zero-copy URL splitting, relative resolution and query/form parsing. */
#include "phiwall/url.h"

#include <ctype.h>
#include <string.h>

#include "phiwall/text.h"

static pw_slice slice(const char *p, size_t n)
{
    pw_slice s = {p, n};
    return s;
}

pw_status pw_url_parse(const char *s, size_t n, pw_url *out, pw_err *err)
{
    memset(out, 0, sizeof *out);
    size_t i = 0;
    while (i < n && (isalnum((unsigned char)s[i]) || s[i] == '+' || s[i] == '-' || s[i] == '.'))
        i++;
    if (i == 0 || !isalpha((unsigned char)s[0]) || i + 3 > n || memcmp(s + i, "://", 3) != 0)
        return pw_err_set(err, PW_ERR_PARSE, "url: expected scheme://host at offset %zu", i);
    out->scheme = slice(s, i);
    size_t auth = i + 3, end = auth;
    while (end < n && s[end] != '/' && s[end] != '?' && s[end] != '#')
        end++;
    /* authority = [userinfo@]host[:port] */
    size_t host_start = auth;
    for (size_t k = end; k > auth; k--) {
        if (s[k - 1] == '@') {
            out->userinfo = slice(s + auth, k - 1 - auth);
            host_start = k;
            break;
        }
    }
    size_t host_end = end;
    if (host_start < end && s[host_start] == '[') {
        const char *rb = memchr(s + host_start, ']', end - host_start);
        if (!rb)
            return pw_err_set(err, PW_ERR_PARSE, "url: unclosed '[' in host at offset %zu",
                              host_start);
        host_end = (size_t)(rb - s) + 1;
    } else {
        for (size_t k = host_start; k < end; k++)
            if (s[k] == ':') {
                host_end = k;
                break;
            }
    }
    if (host_end == host_start)
        return pw_err_set(err, PW_ERR_PARSE, "url: empty host at offset %zu", host_start);
    out->host = slice(s + host_start, host_end - host_start);
    if (host_end < end && s[host_end] == ':')
        out->port = slice(s + host_end + 1, end - host_end - 1);
    size_t p = end;
    size_t q = p;
    while (q < n && s[q] != '?' && s[q] != '#')
        q++;
    out->path = slice(s + p, q - p);
    if (q < n && s[q] == '?') {
        size_t f = q + 1;
        while (f < n && s[f] != '#')
            f++;
        out->query = slice(s + q + 1, f - q - 1);
        q = f;
    }
    if (q < n && s[q] == '#')
        out->fragment = slice(s + q + 1, n - q - 1);
    return PW_OK;
}

char *pw_url_host_dup(pw_arena *a, const pw_url *u)
{
    const char *p = u->host.p;
    size_t n = u->host.n;
    if (n >= 2 && p[0] == '[' && p[n - 1] == ']') {
        p++;
        n -= 2;
    }
    while (n && p[n - 1] == '.')
        n--;
    return pw_lower_dup(a, p, n, 0);
}

/* Append n bytes of s to out[*len..cap), cut at cap - 1; *len counts them all. */
static void key_put(char *out, size_t cap, size_t *len, const char *s, size_t n, int lower)
{
    for (size_t i = 0; i < n; i++, (*len)++)
        if (*len + 1 < cap)
            out[*len] = lower ? (char)tolower((unsigned char)s[i]) : s[i];
}

size_t pw_url_page_key(const char *url, char *out, size_t cap)
{
    size_t len = 0, n = url ? strlen(url) : 0;
    pw_url u;
    if (!url || pw_url_parse(url, n, &u, NULL) != PW_OK) {
        key_put(out, cap, &len, url ? url : "", n, 0);
    } else {
        key_put(out, cap, &len, u.host.p, u.host.n, 1);
        if (u.port.n) {
            key_put(out, cap, &len, ":", 1, 0);
            key_put(out, cap, &len, u.port.p, u.port.n, 0);
        }
        key_put(out, cap, &len, u.path.n ? u.path.p : "/", u.path.n ? u.path.n : 1, 0);
        const char *f = u.fragment.p;
        size_t fn = u.fragment.n;
        size_t route = fn ? strcspn(f, "?") : 0; /* the route, not its parameters */
        if (route > fn)
            route = fn;
        size_t lead = route && f[0] == '!' ? 1 : 0; /* "#!/…" */
        /* a hash route "#/x" is a page of its own; the router's root "#/" (or "#!/") alone is
         * the document itself (docs/scan-browser.md, hash routes) */
        if (route > lead && f[lead] == '/' && route > lead + 1) {
            key_put(out, cap, &len, "#", 1, 0);
            key_put(out, cap, &len, f, route, 0);
        }
    }
    if (cap)
        out[len < cap ? len : cap - 1] = '\0';
    return len;
}

/* Remove "." and ".." segments (RFC 3986 §5.2.4) in place; path starts with '/'. */
static void remove_dot_segments(char *path)
{
    size_t out = 0, i = 0, n = strlen(path);
    while (i < n) {
        size_t seg = i + 1, end = seg;
        while (end < n && path[end] != '/')
            end++;
        size_t len = end - seg;
        int last = end >= n;
        if (len == 1 && path[seg] == '.') {
            if (last)
                path[out++] = '/';
        } else if (len == 2 && path[seg] == '.' && path[seg + 1] == '.') {
            while (out > 0 && path[--out] != '/') {}
            if (last)
                path[out++] = '/';
        } else {
            path[out++] = '/';
            memmove(path + out, path + seg, len);
            out += len;
        }
        i = end;
    }
    path[out] = '\0';
}

/* The WHATWG URL parser's first step, which every browser applies to an href or src before it
 * requests it: strip leading and trailing C0 controls and spaces, then remove every ASCII tab
 * and newline inside ("…ev=PageView\n&noscript=1" is sent as "…ev=PageView&noscript=1").
 * A copy in the arena; NULL when out of memory. */
static char *whatwg_clean(pw_arena *a, const char *ref)
{
    while (*ref && (unsigned char)*ref <= 0x20)
        ref++;
    size_t n = strlen(ref);
    while (n && (unsigned char)ref[n - 1] <= 0x20)
        n--;
    char *out = pw_arena_strndup(a, ref, n);
    if (!out)
        return NULL;
    size_t w = 0;
    for (size_t i = 0; i < n; i++)
        if (out[i] != '\t' && out[i] != '\n' && out[i] != '\r')
            out[w++] = out[i];
    out[w] = '\0';
    return out;
}

const char *pw_url_public(pw_arena *a, const char *url)
{
    const char *p = url ? strstr(url, "://") : NULL;
    if (!p)
        return url;
    p += 3;
    size_t authority = strcspn(p, "/?#");
    const char *at = NULL; /* the last '@' of the authority ends the userinfo */
    for (const char *c = p; c < p + authority; c++)
        if (*c == '@')
            at = c;
    if (!at)
        return url;
    return pw_arena_sprintf(a, "%.*s%s", (int)(p - url), url, at + 1);
}

char *pw_url_resolve(pw_arena *a, const char *base, const char *ref)
{
    if (!ref || !(ref = whatwg_clean(a, ref)))
        return NULL;
    size_t rn = strlen(ref);
    pw_url r;
    if (pw_url_parse(ref, rn, &r, NULL) == PW_OK)
        return pw_arena_strndup(a, ref, rn);
    /* a non-hierarchical scheme ("mailto:", "tel:", "javascript:") is not a page */
    for (size_t i = 0; i < rn && ref[i] != '/' && ref[i] != '?' && ref[i] != '#'; i++)
        if (ref[i] == ':')
            return NULL;
    pw_url b;
    if (!base || pw_url_parse(base, strlen(base), &b, NULL) != PW_OK)
        return NULL;
    const char *origin_end = b.host.p + b.host.n + (b.port.n ? b.port.n + 1 : 0);
    size_t origin_len = (size_t)(origin_end - base);
    if (rn >= 2 && ref[0] == '/' && ref[1] == '/')
        return pw_arena_sprintf(a, "%.*s:%.*s", (int)b.scheme.n, b.scheme.p, (int)rn, ref);
    if (rn == 0)
        return pw_arena_strndup(
            a, base, (size_t)(b.path.p - base) + b.path.n + (b.query.n ? b.query.n + 1 : 0));
    if (ref[0] == '#')
        return pw_arena_sprintf(
            a, "%.*s%.*s", (int)((b.path.p - base) + b.path.n + (b.query.n ? b.query.n + 1 : 0)),
            base, (int)rn, ref);
    if (ref[0] == '?')
        return pw_arena_sprintf(a, "%.*s%.*s%.*s", (int)origin_len, base, (int)b.path.n, b.path.p,
                                (int)rn, ref);
    char *path;
    if (ref[0] == '/') {
        path = pw_arena_strndup(a, ref, rn);
    } else {
        size_t dir = b.path.n;
        while (dir && b.path.p[dir - 1] != '/')
            dir--;
        path = pw_arena_sprintf(a, "%s%.*s%.*s", dir ? "" : "/", (int)dir, b.path.p, (int)rn, ref);
    }
    if (!path)
        return NULL;
    /* dot segments only apply to the path part, before any ? or # */
    size_t plen = strcspn(path, "?#");
    char *tail = pw_arena_strdup(a, path + plen);
    path[plen] = '\0';
    remove_dot_segments(path);
    return pw_arena_sprintf(a, "%.*s%s%s", (int)origin_len, base, path[0] ? path : "/", tail);
}

pw_status pw_form_parse(pw_arena *a, const char *s, size_t n, size_t max_pairs, pw_kv **out,
                        size_t *n_out, pw_err *err)
{
    size_t count = 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] == '&')
            count++;
    count++;
    *out = NULL;
    *n_out = 0;
    if (n == 0)
        return PW_OK;
    if (count > max_pairs)
        return pw_err_set(err, PW_ERR_LIMIT, "form: %zu pairs exceed the limit of %zu", count,
                          max_pairs);
    pw_kv *kv = pw_arena_calloc(a, count, sizeof *kv);
    if (!kv)
        return pw_err_set(err, PW_ERR_NOMEM, "form: out of memory");
    size_t k = 0, start = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i < n && s[i] != '&')
            continue;
        if (i > start) {
            const char *pair = s + start;
            size_t len = i - start;
            const char *eq = memchr(pair, '=', len);
            size_t klen = eq ? (size_t)(eq - pair) : len;
            kv[k].key = pw_pct_decode(a, pair, klen, 1, &kv[k].key_len);
            kv[k].value = eq ? pw_pct_decode(a, eq + 1, len - klen - 1, 1, &kv[k].value_len)
                             : pw_pct_decode(a, "", 0, 1, &kv[k].value_len);
            if (!kv[k].key || !kv[k].value)
                return pw_err_set(err, PW_ERR_NOMEM, "form: out of memory");
            k++;
        }
        start = i + 1;
    }
    *out = kv;
    *n_out = k;
    return PW_OK;
}
