/*
 * easyprivacy.c — a fast matcher for the network rules of an Adblock Plus filter list (Debian's
 * EasyPrivacy and EasyList by default), so an uncatalogued third party that a list knows is still
 * reported.
 *
 * Two load modes share this one parser and matcher. DK_LIST_ALL keeps every network rule below
 * (EasyPrivacy: its path rules name tracking endpoints). DK_LIST_HOSTS keeps only blocking rules
 * that name a whole host, `||host^` with options at most (EasyList: who receives the request; its
 * path and substring rules hide ad images and are not about who gets data), plus every exception.
 *
 * Supported: `||host^…` (host anchor), `|…` / `…|` (start and end anchors), `*` wildcards, `^`
 * separators, plain substrings, `@@` exceptions, `$domain=a.com|~b.com` (honoured), and
 * `$third-party` (always true here: only third-party requests are checked). Resource-type options
 * (`$script`, `$image` …) are ignored; rules with `$first-party`, regex rules (`/…/`), and
 * rules that rewrite rather than block (`$redirect`, `$removeparam`, `$csp` …) are skipped, as
 * are cosmetic rules (`##`, `#@#`, `#?#`, `#$#`) and comments.
 *
 * "||domain^" rules (most of the list) are indexed by their domain and found by looking the
 * request host up once per label suffix. Every other rule is indexed by one token (a run of
 * [a-z0-9%] that the pattern bounds on both sides), preferring long, rare tokens; a URL is split
 * into the same tokens and only the rules filed under them are tried. Only the first 2 KiB of a URL
 * are matched (bounded work on hostile input). Loaded once; read-only afterwards.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "decode_internal.h"
#include "phiwall/text.h"

typedef struct ep_rule {
    const char *text;    /* the rule as written (reported as matched_rule) */
    const char *pattern; /* lower-case, anchors and options removed */
    const char *domains; /* domain= list, or NULL */
    unsigned char host_anchor, start_anchor, end_anchor;
    int32_t tok_off;  /* the index token's offset when no '*' precedes it, else -1 */
    uint32_t dom_len; /* length of the domain a "||domain^…" rule is indexed by, else 0 */
    int32_t next;
} ep_rule;

typedef struct ep_set {
    ep_rule *rules;
    size_t n;
    dk_strmap hosts; /* "||domain^…" rules by their domain */
    dk_strmap index; /* other rules by their best token */
    int32_t *loose;  /* rules without a usable token */
    size_t n_loose;
} ep_set;

struct dk_easyprivacy {
    ep_set block, allow;
    dk_list_mode mode;
    const char *version; /* the header's "! Version:" or "! Last modified:", or NULL */
};

static int is_token_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '%';
}

static int is_separator(char c)
{
    return !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
             c == '_' || c == '-' || c == '.' || c == '%');
}

/* ---- loading ---- */

static int option_in(const char *opt, size_t n, const char *const *list)
{
    for (; *list; list++)
        if (strlen(*list) == n && memcmp(opt, *list, n) == 0)
            return 1;
    return 0;
}

/* Read "$opt,opt=…" into the rule; 0 when the rule must be skipped. */
static int parse_options(pw_arena *a, const char *opts, ep_rule *r)
{
    static const char *const skip[] = {
        "first-party",  "1p",     "~third-party", "~3p",       "redirect", "redirect-rule",
        "removeparam",  "csp",    "rewrite",      "badfilter", "replace",  "urltransform",
        "uritransform", "header", "permissions",  "popup",     "elemhide", "generichide",
        "specifichide", "ehide",  "shide",        "ghide",     "document", "doc",
        "urlskip",      NULL};
    const char *p = opts;
    while (*p) {
        size_t len = strcspn(p, ",");
        const char *eq = memchr(p, '=', len);
        size_t name_len = eq ? (size_t)(eq - p) : len;
        if (option_in(p, name_len, skip))
            return 0;
        if (eq && name_len == 6 && memcmp(p, "domain", 6) == 0)
            r->domains = pw_arena_strndup(a, eq + 1, len - 7);
        p += len + (p[len] == ',');
    }
    return 1;
}

static int is_stop_token(const char *t, size_t n)
{
    static const char *const stop[] = {"http", "https", "www", "com", "js",  "net", "org",
                                       "html", "php",   "gif", "png", "jpg", "min", NULL};
    return option_in(t, n, stop);
}

/* The best token of a pattern: bounded on both sides, longest, not a stop word. */
static int best_token(const ep_rule *r, const char **tok, size_t *tok_len)
{
    const char *p = r->pattern;
    size_t n = strlen(p), best = 0;
    long best_score = 0;
    for (size_t i = 0; i < n;) {
        if (!is_token_char(p[i])) {
            i++;
            continue;
        }
        size_t j = i;
        while (j < n && is_token_char(p[j]))
            j++;
        int left_ok = i > 0 ? p[i - 1] != '*' : (r->host_anchor || r->start_anchor);
        int right_ok = j < n ? p[j] != '*' : r->end_anchor;
        long score = is_stop_token(p + i, j - i) ? 1 : 10 * (long)(j - i);
        if (left_ok && right_ok && j - i >= 2 && score > best_score) {
            best_score = score;
            best = i;
            *tok_len = j - i;
        }
        i = j;
    }
    *tok = p + best;
    return best_score > 0;
}

static size_t anchored_domain(const ep_rule *r);

/* DK_LIST_HOSTS: a blocking rule is kept only when it is "||host^" (options aside). */
static int whole_host_rule(const ep_rule *r)
{
    size_t dom = r->dom_len;
    return dom && r->pattern[dom] == '^' && r->pattern[dom + 1] == '\0' && !r->end_anchor;
}

/* The rule is parsed in `tmp` (reset for each line) and copied into `a` only when kept: the
 * rule text once, and its pattern only when it is not the text's own tail ("||host^" rules,
 * most of both lists, are "host^" there). Same patterns, a third less memory for the lists. */
static pw_status add_rule(pw_arena *a, pw_arena *tmp, ep_set *set, dk_list_mode mode,
                          const char *line, size_t len)
{
    int allow = len >= 2 && line[0] == '@' && line[1] == '@';
    const char *body = allow ? line + 2 : line;
    size_t blen = allow ? len - 2 : len;
    ep_rule r = {0};
    char *pat = pw_lower_dup(tmp, body, blen, 1);
    if (!pat)
        return PW_ERR_NOMEM;
    char *dollar = strrchr(pat, '$');
    if (dollar) {
        *dollar = '\0';
        if (!parse_options(a, dollar + 1, &r))
            return PW_OK;
    }
    size_t n = strlen(pat);
    if (n >= 2 && pat[0] == '/' && pat[n - 1] == '/')
        return PW_OK; /* regular expression */
    if (n >= 2 && pat[0] == '|' && pat[1] == '|')
        r.host_anchor = 1, pat += 2, n -= 2;
    else if (n && pat[0] == '|')
        r.start_anchor = 1, pat++, n--;
    if (n && pat[n - 1] == '|')
        r.end_anchor = 1, pat[--n] = '\0';
    while (n && pat[0] == '*' && !r.host_anchor)
        pat++, n--, r.start_anchor = 0;
    while (n && pat[n - 1] == '*')
        pat[--n] = '\0', r.end_anchor = 0;
    if (n == 0)
        return PW_OK;
    r.pattern = pat; /* in tmp until the rule is kept */
    r.dom_len = (uint32_t)anchored_domain(&r);
    if (mode == DK_LIST_HOSTS && !allow && !whole_host_rule(&r))
        return PW_OK;
    r.text = pw_arena_strndup(a, line, len);
    if (!r.text)
        return PW_ERR_NOMEM;
    size_t tlen = strlen(r.text); /* a NUL byte in the line cuts the copy short of len */
    r.pattern = tlen >= n && memcmp(r.text + tlen - n, pat, n) == 0 ? r.text + tlen - n
                                                                    : pw_arena_strndup(a, pat, n);
    if (!r.pattern)
        return PW_ERR_NOMEM;
    set->rules[set->n] = r;
    return PW_OK;
}

/* Length of the domain a "||domain^…" rule starts with, when the domain ends at a separator
 * ('^', '/', ':') or at an end anchor, so that only hosts ending in it can match; else 0. */
static size_t anchored_domain(const ep_rule *r)
{
    if (!r->host_anchor)
        return 0;
    size_t i = 0;
    const char *p = r->pattern;
    while ((p[i] >= 'a' && p[i] <= 'z') || (p[i] >= '0' && p[i] <= '9') || p[i] == '.' ||
           p[i] == '-' || p[i] == '_')
        i++;
    if (i == 0 || p[0] == '.' || p[i - 1] == '.')
        return 0;
    int ends = p[i] == '^' || p[i] == '/' || p[i] == ':' || (p[i] == '\0' && r->end_anchor);
    return ends ? i : 0;
}

static pw_status index_set(pw_arena *a, ep_set *set)
{
    size_t n_host = 0; /* size each map for its own rules: less to clear at start-up */
    for (size_t i = 0; i < set->n; i++)
        n_host += set->rules[i].dom_len != 0;
    if (dk_strmap_init(a, &set->index, set->n - n_host) != PW_OK ||
        dk_strmap_init(a, &set->hosts, n_host) != PW_OK)
        return PW_ERR_NOMEM;
    set->loose = pw_arena_calloc(a, set->n + 1, sizeof *set->loose);
    if (!set->loose)
        return PW_ERR_NOMEM;
    for (size_t i = 0; i < set->n; i++) {
        const char *tok;
        size_t tn;
        ep_rule *r = &set->rules[i];
        r->next = -1;
        r->tok_off = -1;
        size_t dom = r->dom_len;
        if (dom) {
            r->next = dk_strmap_put(&set->hosts, r->pattern, dom, (int32_t)i);
        } else if (best_token(r, &tok, &tn)) {
            r->next = dk_strmap_put(&set->index, tok, tn, (int32_t)i);
            size_t off = (size_t)(tok - r->pattern);
            if (!memchr(r->pattern, '*', off))
                r->tok_off = (int32_t)off;
        } else
            set->loose[set->n_loose++] = (int32_t)i;
    }
    return PW_OK;
}

static int is_cosmetic(const char *s, size_t n)
{
    if (!memchr(s, '#', n))
        return 0; /* the common case, without five searches */
    return memmem(s, n, "##", 2) || memmem(s, n, "#@#", 3) || memmem(s, n, "#?#", 3) ||
           memmem(s, n, "#$#", 3) || memmem(s, n, "#%#", 3);
}

/* A line DK_LIST_HOSTS can skip before copying it: a blocking rule without a host anchor. */
static int surely_not_host_rule(const char *s, size_t n)
{
    return !(n >= 2 && ((s[0] == '|' && s[1] == '|') || (s[0] == '@' && s[1] == '@')));
}

static pw_status parse_list(pw_arena *a, pw_arena *tmp, const char *text, size_t len,
                            dk_easyprivacy *ep)
{
    size_t lines = 1, allow_lines = 1, host_lines = 1; /* bounds of the rules of each set */
    for (const char *p = text, *end = text + len; p < end;) {
        allow_lines += end - p >= 2 && p[0] == '@' && p[1] == '@';
        host_lines += end - p >= 2 && p[0] == '|' && p[1] == '|';
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        lines++;
        p = nl ? nl + 1 : end;
    }
    size_t block_lines = ep->mode == DK_LIST_HOSTS ? host_lines : lines;
    ep->block.rules = pw_arena_calloc(a, block_lines, sizeof(ep_rule));
    ep->allow.rules = pw_arena_calloc(a, allow_lines, sizeof(ep_rule));
    if (!ep->block.rules || !ep->allow.rules)
        return PW_ERR_NOMEM;
    for (size_t i = 0; i < len;) {
        const char *nl = memchr(text + i, '\n', len - i);
        size_t end = nl ? (size_t)(nl - text) : len, n = end - i;
        const char *s = text + i;
        while (n && (s[n - 1] == '\r' || s[n - 1] == ' '))
            n--;
        i = end + 1;
        if (!n || s[0] == '!' || s[0] == '[' || is_cosmetic(s, n))
            continue;
        if (ep->mode == DK_LIST_HOSTS && surely_not_host_rule(s, n))
            continue;
        ep_set *set = n >= 2 && s[0] == '@' && s[1] == '@' ? &ep->allow : &ep->block;
        pw_arena_reset(tmp);
        if (add_rule(a, tmp, set, ep->mode, s, n) != PW_OK)
            return PW_ERR_NOMEM;
        if (set->rules[set->n].pattern)
            set->n++;
    }
    if (index_set(a, &ep->block) != PW_OK || index_set(a, &ep->allow) != PW_OK)
        return PW_ERR_NOMEM;
    return PW_OK;
}

/* The value of the header line "! <name>: value" among the comment lines that open a list, in
 * the arena; NULL when absent or a template's unfilled "%timestamp%" (Debian ships one). */
static const char *header_field(pw_arena *a, const char *text, size_t len, const char *name)
{
    size_t nn = strlen(name);
    for (size_t i = 0; i < len && (text[i] == '!' || text[i] == '[');) {
        const char *nl = memchr(text + i, '\n', len - i);
        size_t e = nl ? (size_t)(nl - text) : len;
        if (e - i > nn + 2 && strncmp(text + i, "! ", 2) == 0 &&
            strncasecmp(text + i + 2, name, nn) == 0 && text[i + 2 + nn] == ':') {
            size_t v = i + 3 + nn, ve = e;
            while (v < ve && text[v] == ' ')
                v++;
            while (ve > v && (text[ve - 1] == '\r' || text[ve - 1] == ' '))
                ve--;
            return ve > v && text[v] != '%' ? pw_arena_strndup(a, text + v, ve - v) : NULL;
        }
        i = e + 1;
    }
    return NULL;
}

const char *dk_filterlist_version(const dk_easyprivacy *ep)
{
    return ep ? ep->version : NULL;
}

pw_status dk_filterlist_parse(pw_arena *a, const char *text, size_t len, dk_list_mode mode,
                              dk_easyprivacy **out)
{
    *out = NULL;
    dk_easyprivacy *ep = pw_arena_calloc(a, 1, sizeof *ep);
    if (!ep)
        return PW_ERR_NOMEM;
    ep->mode = mode;
    pw_arena tmp;
    pw_arena_init(&tmp, 0);
    pw_status st = parse_list(a, &tmp, text, len, ep);
    pw_arena_free(&tmp);
    if (st != PW_OK)
        return st;
    ep->version = header_field(a, text, len, "Version");
    if (!ep->version)
        ep->version = header_field(a, text, len, "Last modified");
    *out = ep;
    return PW_OK;
}

pw_status dk_filterlist_load(pw_arena *a, const char *path, dk_list_mode mode, dk_easyprivacy **out,
                             pw_err *err)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f)
        return pw_err_set(err, PW_ERR_IO, "%s: %s", path, strerror(errno));
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    if (size < 0 || (size_t)size > DK_MAX_BODY * 4) {
        fclose(f);
        return pw_err_set(err, PW_ERR_LIMIT, "%s: filter list too large", path);
    }
    char *text = malloc((size_t)size + 1);
    size_t got = text ? fread(text, 1, (size_t)size, f) : 0;
    fclose(f);
    if (!text)
        return pw_err_set(err, PW_ERR_NOMEM, "%s: out of memory", path);
    pw_status st = dk_filterlist_parse(a, text, got, mode, out);
    free(text);
    if (st != PW_OK)
        return pw_err_set(err, st, "%s: out of memory", path);
    return PW_OK;
}

pw_status dk_easyprivacy_load(pw_arena *a, const char *path, dk_easyprivacy **out, pw_err *err)
{
    return dk_filterlist_load(a, path, DK_LIST_ALL, out, err);
}

size_t dk_easyprivacy_count(const dk_easyprivacy *ep)
{
    return ep ? ep->block.n + ep->allow.n : 0;
}

/* ---- matching ---- */

/* Does pattern p match s at its start (anywhere up to end; to end when end_anchor)? */
static int match_here(const char *p, const char *s, const char *end, int end_anchor)
{
    const char *star_p = NULL, *star_s = NULL;
    for (;;) {
        if (*p == '\0') {
            if (!end_anchor || s == end)
                return 1;
        } else if (*p == '*') {
            star_p = ++p;
            star_s = s;
            continue;
        } else if (s < end && (*p == '^' ? is_separator(*s) : *p == *s)) {
            p++, s++;
            continue;
        } else if (*p == '^' && s == end) {
            p++;
            continue;
        }
        if (!star_p || star_s >= end)
            return 0;
        p = star_p;
        s = ++star_s;
    }
}

static int domain_allows(const char *domains, const char *page_host)
{
    if (!domains)
        return 1;
    int has_include = 0, included = 0;
    size_t hn = strlen(page_host);
    for (const char *d = domains; *d;) {
        size_t len = strcspn(d, "|");
        int neg = *d == '~';
        const char *name = d + neg;
        size_t nn = len - (size_t)neg;
        int hit = hn >= nn && memcmp(page_host + hn - nn, name, nn) == 0 &&
                  (hn == nn || page_host[hn - nn - 1] == '.');
        if (neg && hit)
            return 0;
        if (!neg) {
            has_include = 1;
            included |= hit;
        }
        d += len + (d[len] == '|');
    }
    return !has_include || included;
}

static int rule_matches(const ep_rule *r, const char *url, size_t n, const char *host_start,
                        const char *host_end, const char *page_host)
{
    const char *end = url + n;
    int hit = 0;
    if (r->host_anchor) {
        for (const char *s = host_start; s < host_end && !hit; s++)
            if (s == host_start || s[-1] == '.')
                hit = match_here(r->pattern, s, end, r->end_anchor);
    } else if (r->start_anchor) {
        hit = match_here(r->pattern, url, end, r->end_anchor);
    } else {
        char first = r->pattern[0];
        for (const char *s = url; s < end && !hit; s++)
            if (first == '^' || first == *s)
                hit = match_here(r->pattern, s, end, r->end_anchor);
    }
    return hit && domain_allows(r->domains, page_host);
}

typedef struct ep_query {
    const char *url;
    size_t n;
    const char *host_start, *host_end, *page_host;
    int truncated; /* only the first EP_MAX_URL bytes are matched */
} ep_query;

/* Hostile pages can send megabyte URLs; the host and path that rules aim at come first. */
#define EP_MAX_URL 2048

/* A rule found through the URL token at `pos`: when nothing variable precedes the rule's token,
 * the pattern can only start tok_off bytes earlier, so one alignment is tried instead of all. */
static int rule_matches_at(const ep_rule *r, const ep_query *q, size_t pos)
{
    if (r->end_anchor && q->truncated)
        return 0;
    if (r->tok_off < 0)
        return rule_matches(r, q->url, q->n, q->host_start, q->host_end, q->page_host);
    if ((size_t)r->tok_off > pos)
        return 0;
    const char *s = q->url + pos - r->tok_off;
    if (r->host_anchor &&
        (s < q->host_start || s >= q->host_end || (s != q->host_start && s[-1] != '.')))
        return 0;
    if (r->start_anchor && s != q->url)
        return 0;
    return match_here(r->pattern, s, q->url + q->n, r->end_anchor) &&
           domain_allows(r->domains, q->page_host);
}

/* "||domain^…" rules: look the request host up once per label suffix. */
static const ep_rule *host_match(const ep_set *set, const ep_query *q)
{
    const char *end = q->url + q->n;
    for (const char *s = q->host_start; s < q->host_end; s++) {
        if (s != q->host_start && s[-1] != '.')
            continue;
        for (int32_t k = dk_strmap_get(&set->hosts, s, (size_t)(q->host_end - s)); k >= 0;
             k = set->rules[k].next) {
            const ep_rule *r = &set->rules[k];
            if (!(r->end_anchor && q->truncated) && match_here(r->pattern, s, end, r->end_anchor) &&
                domain_allows(r->domains, q->page_host))
                return r;
        }
    }
    return NULL;
}

static const ep_rule *set_match(const ep_set *set, const ep_query *q)
{
    const ep_rule *hit = host_match(set, q);
    if (hit)
        return hit;
    for (size_t i = 0; i < set->n_loose; i++) {
        const ep_rule *r = &set->rules[set->loose[i]];
        if (!(r->end_anchor && q->truncated) &&
            rule_matches(r, q->url, q->n, q->host_start, q->host_end, q->page_host))
            return r;
    }
    for (size_t i = 0; i < q->n;) {
        if (!is_token_char(q->url[i])) {
            i++;
            continue;
        }
        size_t j = i;
        while (j < q->n && is_token_char(q->url[j]))
            j++;
        for (int32_t k = dk_strmap_get(&set->index, q->url + i, j - i); k >= 0;
             k = set->rules[k].next)
            if (rule_matches_at(&set->rules[k], q, i))
                return &set->rules[k];
        i = j;
    }
    return NULL;
}

const char *dk_easyprivacy_match(const dk_easyprivacy *ep, const char *url_lower,
                                 const char *page_host)
{
    if (!ep || !url_lower)
        return NULL;
    ep_query q = {url_lower, strnlen(url_lower, EP_MAX_URL + 1), NULL,
                  NULL,      page_host ? page_host : "",         0};
    if (q.n > EP_MAX_URL) {
        q.n = EP_MAX_URL;
        q.truncated = 1;
    }
    const char *scheme_end = memmem(url_lower, q.n, "://", 3);
    q.host_start = scheme_end ? scheme_end + 3 : url_lower;
    q.host_end = q.host_start;
    while (q.host_end < url_lower + q.n && !strchr("/?#:", *q.host_end))
        q.host_end++;
    const ep_rule *r = set_match(&ep->block, &q);
    if (!r || set_match(&ep->allow, &q))
        return NULL;
    return r->text;
}
