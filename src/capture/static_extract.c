/*
 * static_extract.c — reads one HTML document (libgumbo) for what trackers it installs, without
 * running it: <script src> and <iframe src> tags, <noscript> beacons (<img src>), and inline
 * snippets — fbq('init', ID, {advanced matching}), fbq('set','autoConfig',false,ID),
 * gtag('config', ID), GTM container IDs, ttq.load(ID). Each becomes a pw_request with source
 * PW_SOURCE_STATIC whose URL is the beacon the snippet would send (so the decode stage reads it
 * like traffic) and whose X-Phiwall-Inferred header says what it was inferred from.
 * Untrusted input: iterative traversal, bounded sizes, no assumptions about well-formedness.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "capture/static_bound.h"
#include "capture/static_int.h"
#include "phiwall/buf.h"
#include "phiwall/static_scan.h"
#include "phiwall/text.h"
#include "phiwall/url.h"

/* ---- the bound on what the parser is given (static_bound.h) ------------------------------- */

static int name_in(const char *name, size_t n, const char *const *list)
{
    for (; *list; list++)
        if (strlen(*list) == n && pw_strncaseeq(name, *list, n))
            return 1;
    return 0;
}

/* Elements that never nest: void, or closed by the parser when a sibling or parent starts. */
static const char *const sx_flat[] = {
    "area",   "base",     "br",     "col",   "embed",  "hr",       "img",     "input", "link",
    "meta",   "param",    "source", "track", "wbr",    "p",        "li",      "dt",    "dd",
    "option", "optgroup", "tr",     "td",    "th",     "thead",    "tbody",   "tfoot", "colgroup",
    "rb",     "rt",       "rp",     "rtc",   "keygen", "basefont", "bgsound", "frame", NULL};
/* Elements whose content is text up to their end tag: no tags inside. */
static const char *const sx_raw[] = {"script", "style", "textarea", "title", "xmp", NULL};

/* The end of the raw-text element `name` from p: just after "</name", or end. */
static const char *skip_raw(const char *p, const char *end, const char *name, size_t nn)
{
    for (; p + 2 + nn <= end; p++)
        if (p[0] == '<' && p[1] == '/' && pw_strncaseeq(p + 2, name, nn))
            return p + 2 + nn;
    return end;
}

void pw_sx_bound_html(const char *html, size_t n, pw_sx_bound *out)
{
    memset(out, 0, sizeof *out);
    out->keep = n;
    const char *p = html, *end = html + n;
    size_t depth = 0;
    while ((p = memchr(p, '<', (size_t)(end - p)))) {
        const char *lt = p++;
        if (end - p >= 3 && memcmp(p, "!--", 3) == 0) {
            const char *c = pw_strcasestr_n(p + 3, (size_t)(end - p - 3), "-->");
            p = c ? c + 3 : end;
            continue;
        }
        int close = p < end && *p == '/';
        p += close;
        const char *name = p;
        while (p < end && (isalnum((unsigned char)*p) || *p == '-'))
            p++;
        size_t nn = (size_t)(p - name);
        if (nn == 0 || !isalpha((unsigned char)name[0]))
            continue;
        const char *gt = memchr(p, '>', (size_t)(end - p));
        int self_closing = gt && gt > p && gt[-1] == '/';
        p = gt ? gt + 1 : end;
        if (close) {
            if (depth && !name_in(name, nn, sx_flat))
                depth--;
            continue;
        }
        if (++out->tags > PW_SX_MAX_TAGS) {
            out->tags--;
            out->keep = (size_t)(lt - html);
            out->why = "more than " PW_SX_STR(PW_SX_MAX_TAGS) " tags";
            return;
        }
        if (name_in(name, nn, sx_raw)) {
            p = skip_raw(p, end, name, nn);
            continue;
        }
        if (self_closing || name_in(name, nn, sx_flat))
            continue;
        if (++depth > PW_SX_MAX_DEPTH) {
            out->keep = (size_t)(lt - html);
            out->why = "elements nested deeper than " PW_SX_STR(PW_SX_MAX_DEPTH);
            return;
        }
        if (depth > out->max_depth)
            out->max_depth = depth;
    }
}

#ifdef PW_HAVE_GUMBO
#include <gumbo.h>

#define SX_MAX_HTML     (16u << 20)
#define SX_MAX_REQUESTS 2000
#define SX_MAX_ARGS     32

typedef struct sx {
    const char *page_url; /* the document's URL: where it landed */
    const char *base;     /* what its URLs resolve against: <base href>, or page_url */
    const pw_sx_encoding *enc;
    const pw_capture_sink *sink;
    pw_static_link_fn on_link;
    void *link_ctx;
    pw_arena *a;
    double now;
    size_t n_requests;
    pw_status st;
    pw_err *err;
    const char *title;
    int refresh_seen; /* the first <meta http-equiv=refresh> counts, as in a browser */
    const char *refresh;
    double refresh_delay;
} sx;

static pw_header inferred_header(const char *what)
{
    pw_header h = {"X-Phiwall-Inferred", what};
    return h;
}

static void emit(sx *x, const char *url, const char *rtype, const char *what)
{
    if (x->st != PW_OK || !url || x->n_requests >= SX_MAX_REQUESTS || !x->sink->on_request)
        return;
    pw_header h[1] = {inferred_header(what)};
    pw_request r = {0};
    r.method = "GET";
    r.url = url;
    r.headers = h;
    r.n_headers = 1;
    r.page_url = x->page_url;
    r.frame_url = x->page_url;
    r.resource_type = rtype;
    r.initiator = "parser";
    r.timestamp = x->now;
    r.source = PW_SOURCE_STATIC;
    x->n_requests++;
    x->st = x->sink->on_request(x->sink->ctx, &r, x->err);
}

static const char *resolve(sx *x, const char *ref)
{
    if (!ref || !ref[0])
        return NULL;
    /* cleaned the WHATWG way there (a newline inside a pixel URL is not sent by a browser),
     * then percent-encoded as the page's browser sends it (its query in the page's encoding) */
    const char *abs = pw_url_resolve(x->a, x->base, ref);
    if (!abs || strncmp(abs, "data:", 5) == 0 || strncmp(abs, "javascript:", 11) == 0)
        return NULL;
    return pw_sx_encode_url(x->a, x->enc, abs);
}

/* ---- inline snippets ---------------------------------------------------------------------- */

/* One argument of a call: a quoted string (unescaped naively), a number/identifier, or an
 * object literal kept as raw text. */
typedef struct arg {
    const char *p;
    size_t n;
    int quoted, object;
} arg;

static const char *skip_ws(const char *p, const char *end)
{
    while (p < end && isspace((unsigned char)*p))
        p++;
    return p;
}

/* Parse "(a, b, {…})" starting at p (just after the name); returns the count. */
static size_t parse_args(const char *p, const char *end, arg *args, size_t max)
{
    p = skip_ws(p, end);
    if (p >= end || *p != '(')
        return 0;
    p++;
    size_t n = 0;
    while (n < max) {
        p = skip_ws(p, end);
        if (p >= end || *p == ')')
            break;
        arg *a = &args[n];
        memset(a, 0, sizeof *a);
        if (*p == '\'' || *p == '"' || *p == '`') {
            char q = *p++;
            const char *s = p;
            while (p < end && *p != q)
                p += (*p == '\\' && p + 1 < end) ? 2 : 1;
            a->p = s;
            a->n = (size_t)((p < end ? p : end) - s);
            a->quoted = 1;
            if (p < end)
                p++;
        } else if (*p == '{') {
            const char *s = p;
            int depth = 0;
            for (; p < end; p++) {
                if (*p == '{')
                    depth++;
                else if (*p == '}' && --depth == 0) {
                    p++;
                    break;
                }
            }
            a->p = s;
            a->n = (size_t)(p - s);
            a->object = 1;
        } else {
            const char *s = p;
            while (p < end && *p != ',' && *p != ')')
                p++;
            a->p = s;
            a->n = (size_t)(p - s);
            while (a->n && isspace((unsigned char)a->p[a->n - 1]))
                a->n--;
        }
        n++;
        p = skip_ws(p, end);
        if (p < end && *p == ',')
            p++;
        else
            break;
    }
    return n;
}

static int arg_is(const arg *a, const char *s)
{
    return a->n == strlen(s) && memcmp(a->p, s, a->n) == 0;
}

/* {em: 'a@b.c', "fn": x} → "&ud[em]=a%40b.c&ud[fn]=(dynamic)" */
static void advanced_matching(sx *x, const arg *obj, pw_buf *q)
{
    const char *p = obj->p + 1, *end = obj->p + obj->n - 1;
    while (p < end) {
        p = skip_ws(p, end);
        const char *ks = p;
        char kq = (*p == '\'' || *p == '"') ? *p++ : 0;
        if (kq)
            ks = p;
        while (p < end && (kq ? *p != kq : (isalnum((unsigned char)*p) || *p == '_')))
            p++;
        size_t kn = (size_t)(p - ks);
        if (kq && p < end)
            p++;
        p = skip_ws(p, end);
        if (p >= end || *p != ':' || kn == 0 || kn > 40)
            break;
        p = skip_ws(p + 1, end);
        arg v = {0};
        if (p < end && (*p == '\'' || *p == '"')) {
            char vq = *p++;
            v.p = p;
            while (p < end && *p != vq)
                p++;
            v.n = (size_t)(p - v.p);
            v.quoted = 1;
            if (p < end)
                p++;
        }
        while (p < end && *p != ',')
            p++;
        if (p < end)
            p++;
        pw_buf_puts(q, "&ud%5B");
        char *k = pw_pct_encode(x->a, ks, kn);
        pw_buf_puts(q, k ? k : "");
        pw_buf_puts(q, "%5D=");
        char *val = v.quoted ? pw_pct_encode(x->a, v.p, v.n) : NULL;
        pw_buf_puts(q, val ? val : "(dynamic)");
    }
}

static const char *id_of(sx *x, const arg *a)
{
    if (a->n == 0 || a->n > 64)
        return NULL;
    for (size_t i = 0; i < a->n; i++)
        if (!isalnum((unsigned char)a->p[i]) && a->p[i] != '-' && a->p[i] != '_')
            return NULL;
    return pw_arena_strndup(x->a, a->p, a->n);
}

static void fbq_call(sx *x, const arg *args, size_t n, const char *script, size_t len)
{
    if (n >= 2 && arg_is(&args[0], "init")) {
        const char *id = id_of(x, &args[1]);
        if (!id)
            return;
        pw_buf q;
        pw_buf_init(&q);
        char *dl = pw_pct_encode(x->a, x->page_url, strlen(x->page_url));
        pw_buf_printf(&q, "https://www.facebook.com/tr?id=%s&ev=PageView&dl=%s", id, dl ? dl : "");
        if (n >= 3 && args[2].object)
            advanced_matching(x, &args[2], &q);
        int auto_off = pw_strcasestr_n(script, len, "autoConfig") &&
                       (pw_strcasestr_n(script, len, "'autoConfig', false") ||
                        pw_strcasestr_n(script, len, "\"autoConfig\", false") ||
                        pw_strcasestr_n(script, len, "'autoConfig',false") ||
                        pw_strcasestr_n(script, len, "\"autoConfig\",false"));
        const char *what = auto_off ? "fbq('init') snippet; autoConfig=false"
                                    : "fbq('init') snippet; autoConfig=on (automatic events)";
        if (!q.failed)
            emit(x, pw_arena_strdup(x->a, q.data), "image", what);
        pw_buf_free(&q);
    }
}

static void scan_calls(sx *x, const char *s, size_t len, const char *name,
                       void (*fn)(sx *, const arg *, size_t, const char *, size_t))
{
    const char *end = s + len;
    size_t nl = strlen(name);
    for (const char *p = s; x->st == PW_OK && p < end;) {
        const char *hit = pw_strcasestr_n(p, (size_t)(end - p), name);
        if (!hit)
            break;
        p = hit + nl;
        arg args[SX_MAX_ARGS];
        size_t n = parse_args(p, end, args, SX_MAX_ARGS);
        if (n)
            fn(x, args, n, s, len);
    }
}

static void gtag_call(sx *x, const arg *args, size_t n, const char *script, size_t len)
{
    (void)script, (void)len;
    if (n < 2 || !arg_is(&args[0], "config"))
        return;
    const char *id = id_of(x, &args[1]);
    if (!id)
        return;
    char *dl = pw_pct_encode(x->a, x->page_url, strlen(x->page_url));
    if (strncmp(id, "G-", 2) == 0)
        emit(x,
             pw_arena_sprintf(x->a,
                              "https://www.google-analytics.com/g/collect?v=2&tid=%s"
                              "&en=page_view&dl=%s",
                              id, dl ? dl : ""),
             "image", "gtag('config') snippet");
    else if (strncmp(id, "AW-", 3) == 0)
        emit(x,
             pw_arena_sprintf(x->a,
                              "https://googleads.g.doubleclick.net/pagead/"
                              "viewthroughconversion/%s/?url=%s",
                              id + 3, dl ? dl : ""),
             "image", "gtag('config') snippet");
}

static void ttq_call(sx *x, const arg *args, size_t n, const char *script, size_t len)
{
    (void)script, (void)len;
    const char *id = n >= 1 ? id_of(x, &args[0]) : NULL;
    if (id)
        emit(x,
             pw_arena_sprintf(x->a, "https://analytics.tiktok.com/i18n/pixel/events.js?sdkid=%s",
                              id),
             "script", "ttq.load() snippet");
}

static void gtm_ids(sx *x, const char *s, size_t len)
{
    const char *end = s + len;
    for (const char *p = s; x->st == PW_OK && p + 4 < end; p++) {
        if (memcmp(p, "GTM-", 4) != 0 || (p > s && isalnum((unsigned char)p[-1])))
            continue;
        const char *q = p + 4;
        while (q < end && isalnum((unsigned char)*q) && q - p < 20)
            q++;
        if (q - p < 6)
            continue;
        emit(x,
             pw_arena_sprintf(x->a, "https://www.googletagmanager.com/gtm.js?id=%.*s", (int)(q - p),
                              p),
             "script", "Google Tag Manager snippet");
        p = q;
    }
}

static void inline_script(sx *x, const char *s, size_t len)
{
    scan_calls(x, s, len, "fbq", fbq_call);
    scan_calls(x, s, len, "gtag", gtag_call);
    scan_calls(x, s, len, "ttq.load", ttq_call);
    gtm_ids(x, s, len);
}

/* ---- tree walk ---------------------------------------------------------------------------- */

static const char *attr(GumboNode *n, const char *name)
{
    GumboAttribute *a = gumbo_get_attribute(&n->v.element.attributes, name);
    return a ? a->value : NULL;
}

static const char *text_of(GumboNode *n)
{
    if (n->v.element.children.length == 0)
        return NULL;
    GumboNode *c = n->v.element.children.data[0];
    return c->type == GUMBO_NODE_TEXT || c->type == GUMBO_NODE_WHITESPACE ? c->v.text.text : NULL;
}

/* <noscript> may come back as raw text: find <img src="…"> in it by hand. */
static void noscript_text(sx *x, const char *t)
{
    for (const char *p = t; (p = pw_strcasestr_n(p, strlen(p), "<img"));) {
        p += 4;
        const char *src = pw_strcasestr_n(p, strlen(p), "src=");
        const char *close = strchr(p, '>');
        if (!src || (close && src > close))
            continue;
        src += 4;
        char q = (*src == '"' || *src == '\'') ? *src++ : ' ';
        size_t n = strcspn(src, q == ' ' ? " >" : (q == '"' ? "\"" : "'"));
        char *raw = pw_arena_strndup(x->a, src, n);
        /* HTML entities in attributes: &amp; is the one that matters in beacon URLs */
        pw_buf u;
        pw_buf_init(&u);
        for (const char *c = raw; c && *c; c++) {
            if (strncmp(c, "&amp;", 5) == 0) {
                pw_buf_putc(&u, '&');
                c += 4;
            } else
                pw_buf_putc(&u, *c);
        }
        if (!u.failed && u.len)
            emit(x, resolve(x, u.data), "image", "<noscript> beacon");
        pw_buf_free(&u);
    }
}

static int ws(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
}

/* <meta http-equiv="refresh" content="5; url=/home">: HTML's "shared declarative refresh
 * steps". A refresh without a URL reloads the page itself: nothing to follow. */
static void meta_refresh(sx *x, const char *content)
{
    const char *p = content;
    while (ws(*p))
        p++;
    if (!(*p >= '0' && *p <= '9') && *p != '.')
        return;
    double delay = 0;
    for (; *p >= '0' && *p <= '9'; p++)
        delay = delay < 1e9 ? delay * 10 + (*p - '0') : delay;
    while ((*p >= '0' && *p <= '9') || *p == '.')
        p++;
    if (*p && *p != ';' && *p != ',' && !ws(*p))
        return;
    while (ws(*p))
        p++;
    if (*p == ';' || *p == ',')
        p++;
    while (ws(*p))
        p++;
    if (!*p)
        return;
    const char *url = p;
    if ((p[0] | 32) == 'u' && (p[1] | 32) == 'r' && (p[2] | 32) == 'l') {
        p += 3;
        while (ws(*p))
            p++;
        if (*p == '=') {
            p++;
            while (ws(*p))
                p++;
            url = p;
        }
    }
    size_t n = strlen(url);
    if (*url == '\'' || *url == '"') {
        const char *q = strchr(url + 1, *url);
        n = q ? (size_t)(q - url - 1) : n - 1;
        url++;
    }
    char *ref = pw_arena_strndup(x->a, url, n);
    x->refresh = ref && ref[0] ? resolve(x, ref) : NULL;
    x->refresh_delay = delay;
}

static void element(sx *x, GumboNode *n, int in_noscript)
{
    GumboTag tag = n->v.element.tag;
    const char *src;
    switch (tag) {
    case GUMBO_TAG_TITLE:
        if (!x->title && text_of(n))
            x->title = pw_arena_strdup(x->a, text_of(n));
        break;
    case GUMBO_TAG_SCRIPT:
        if ((src = attr(n, "src")))
            emit(x, resolve(x, src), "script", "<script src> tag");
        else if (text_of(n))
            inline_script(x, text_of(n), strlen(text_of(n)));
        break;
    case GUMBO_TAG_IFRAME:
        if ((src = attr(n, "src")))
            emit(x, resolve(x, src), "document", "<iframe src> tag");
        break;
    case GUMBO_TAG_IMG:
        if (in_noscript && (src = attr(n, "src")))
            emit(x, resolve(x, src), "image", "<noscript> beacon");
        break;
    case GUMBO_TAG_NOSCRIPT:
        if (text_of(n))
            noscript_text(x, text_of(n));
        break;
    case GUMBO_TAG_META:
        /* inside <noscript> it is for browsers without JavaScript: not for the one audited */
        if (!in_noscript && !x->refresh_seen && (src = attr(n, "http-equiv")) &&
            pw_strncaseeq(src, "refresh", 8) && (src = attr(n, "content"))) {
            x->refresh_seen = 1;
            meta_refresh(x, src);
        }
        break;
    case GUMBO_TAG_A:
        if (x->on_link && (src = attr(n, "href"))) {
            const char *abs = resolve(x, src);
            const char *t = text_of(n);
            if (abs)
                x->on_link(x->link_ctx, abs, t ? t : "");
        }
        break;
    default: break;
    }
}

/* The document's base URL: the first <base href> in tree order, resolved against the document's
 * URL (HTML's "frozen base URL"; data: and javascript: ones are ignored), or the URL. Links a
 * page calls relative ("oncology") are where a browser goes only when resolved against it. */
static const char *base_url(sx *x, GumboNode *root)
{
    size_t cap = 256, n = 0;
    GumboNode **stack = malloc(cap * sizeof *stack);
    const char *href = NULL;
    if (!stack)
        return x->page_url;
    stack[n++] = root;
    while (n > 0 && !href) {
        GumboNode *node = stack[--n];
        if (node->type != GUMBO_NODE_ELEMENT && node->type != GUMBO_NODE_TEMPLATE)
            continue;
        if (node->v.element.tag == GUMBO_TAG_BASE && (href = attr(node, "href")))
            break;
        GumboVector *kids = &node->v.element.children;
        for (size_t i = kids->length; i-- > 0;) {
            if (n == cap) {
                GumboNode **more = realloc(stack, cap * 2 * sizeof *stack);
                if (!more)
                    break;
                stack = more;
                cap *= 2;
            }
            stack[n++] = kids->data[i];
        }
    }
    free(stack);
    if (!href)
        return x->page_url;
    const char *abs = pw_url_resolve(x->a, x->page_url, href);
    if (!abs || pw_strncaseeq(abs, "data:", 5) || pw_strncaseeq(abs, "javascript:", 11))
        return x->page_url;
    return abs;
}

/* Depth-first without recursion (hostile nesting depth). */
static void walk(sx *x, GumboNode *root)
{
    typedef struct frame {
        GumboNode *node;
        int in_noscript;
    } frame;
    size_t cap = 256, n = 0;
    frame *stack = malloc(cap * sizeof *stack);
    if (!stack) {
        x->st = pw_err_set(x->err, PW_ERR_NOMEM, "%s: out of memory", x->page_url);
        return;
    }
    stack[n++] = (frame){root, 0};
    while (n > 0 && x->st == PW_OK) {
        frame f = stack[--n];
        if (f.node->type != GUMBO_NODE_ELEMENT && f.node->type != GUMBO_NODE_TEMPLATE)
            continue;
        element(x, f.node, f.in_noscript);
        int ns = f.in_noscript || f.node->v.element.tag == GUMBO_TAG_NOSCRIPT;
        GumboVector *kids = &f.node->v.element.children;
        for (size_t i = kids->length; i-- > 0;) {
            if (n == cap) {
                frame *more = realloc(stack, cap * 2 * sizeof *stack);
                if (!more) {
                    x->st = pw_err_set(x->err, PW_ERR_NOMEM, "%s: out of memory", x->page_url);
                    break;
                }
                stack = more;
                cap *= 2;
            }
            stack[n++] = (frame){kids->data[i], ns};
        }
    }
    free(stack);
}

/* The document's bytes as UTF-8 for libgumbo: as they are when the page is UTF-8 (most), else
 * decoded (*owned: the copy to free). A system without the encoding reads the bytes as they are. */
static const char *as_utf8(const pw_sx_encoding *e, size_t bom, const char *bytes, size_t *n,
                           char **owned, pw_err *err, pw_status *st)
{
    *owned = NULL;
    *st = PW_OK;
    bytes += bom;
    *n -= bom;
    if (pw_sx_encoding_is_utf8(e))
        return bytes;
    if (*n > SX_MAX_HTML)
        *n = SX_MAX_HTML; /* decode what is read below, no more */
    size_t len;
    pw_err e2;
    pw_status rc = pw_sx_decode(e, bytes, *n, owned, &len, &e2);
    if (rc == PW_ERR_NOMEM) {
        *st = pw_err_set(err, rc, "%s", e2.msg);
        return NULL;
    }
    if (rc != PW_OK)
        return bytes;
    *n = len;
    return *owned;
}

pw_status pw_sx_extract(const pw_sx_doc *doc, const pw_capture_sink *sink,
                        pw_static_link_fn on_link, void *link_ctx, pw_sx_result *res, pw_err *err)
{
    const char *page_url = doc->url;
    if (res)
        memset(res, 0, sizeof *res);
    size_t bom, n = doc->n;
    const pw_sx_encoding *enc = pw_sx_sniff(doc->bytes, n, doc->content_type, &bom, NULL);
    if (res)
        res->encoding = pw_sx_encoding_name(enc);
    char *owned;
    pw_status st;
    const char *html = as_utf8(enc, bom, doc->bytes, &n, &owned, err, &st);
    if (!html)
        return st;
    if (n > SX_MAX_HTML)
        n = SX_MAX_HTML; /* the head of a huge page is where trackers are installed */
    pw_sx_bound bound;
    pw_sx_bound_html(html, n, &bound);
    if (bound.why) { /* what comes after the cut was not read: the page's result is partial */
        char why[160];
        snprintf(why, sizeof why, "%s: HTML read up to byte %zu of %zu only", bound.why, bound.keep,
                 n);
        pw_capture_gap g = {.kind = PW_GAP_PAGE, .url = page_url, .error = why, .pages = 1};
        if (sink->on_gap)
            sink->on_gap(sink->ctx, &g);
        n = bound.keep;
    }
    pw_arena a;
    pw_arena_init(&a, 0);
    struct timeval tv;
    gettimeofday(&tv, NULL);
    sx x = {0};
    x.page_url = x.base = page_url;
    x.enc = enc;
    x.sink = sink;
    x.on_link = on_link;
    x.link_ctx = link_ctx;
    x.a = &a;
    x.now = (double)tv.tv_sec;
    x.st = PW_OK;
    x.err = err;
    GumboOutput *out = gumbo_parse_with_options(&kGumboDefaultOptions, html, n);
    if (!out) {
        pw_arena_free(&a);
        free(owned);
        return pw_err_set(err, PW_ERR_PARSE, "%s: HTML parser failed", page_url);
    }
    x.base = base_url(&x, out->root);
    /* Requests first, then the page: its title is known only after the walk. */
    walk(&x, out->root);
    if (x.st == PW_OK && sink->on_page) {
        pw_page pg = {0};
        pg.url = page_url;
        pg.title = x.title;
        pg.timestamp = x.now;
        x.st = sink->on_page(sink->ctx, &pg, err);
    }
    if (x.st == PW_OK && res && x.refresh) {
        res->refresh = strdup(x.refresh);
        res->refresh_delay = x.refresh_delay;
        if (!res->refresh)
            x.st = pw_err_set(err, PW_ERR_NOMEM, "%s: out of memory", page_url);
    }
    gumbo_destroy_output(&kGumboDefaultOptions, out);
    pw_arena_free(&a);
    free(owned);
    return x.st;
}

pw_status pw_static_extract(const char *page_url, const char *html, size_t n,
                            const pw_capture_sink *sink, pw_static_link_fn on_link, void *link_ctx,
                            pw_err *err)
{
    pw_sx_doc d = {page_url, NULL, html, n};
    return pw_sx_extract(&d, sink, on_link, link_ctx, NULL, err);
}

#else

pw_status pw_sx_extract(const pw_sx_doc *doc, const pw_capture_sink *sink,
                        pw_static_link_fn on_link, void *link_ctx, pw_sx_result *res, pw_err *err)
{
    (void)sink, (void)on_link, (void)link_ctx;
    if (res)
        memset(res, 0, sizeof *res);
    return pw_err_set(err, PW_ERR_UNSUPPORTED, "%s: built without libgumbo", doc->url);
}

pw_status pw_static_extract(const char *page_url, const char *html, size_t n,
                            const pw_capture_sink *sink, pw_static_link_fn on_link, void *link_ctx,
                            pw_err *err)
{
    (void)html, (void)n, (void)sink, (void)on_link, (void)link_ctx;
    return pw_err_set(err, PW_ERR_UNSUPPORTED, "%s: built without libgumbo", page_url);
}

#endif
