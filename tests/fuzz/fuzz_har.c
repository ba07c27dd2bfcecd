/* fuzz_har.c — libFuzzer target for the streaming HAR reader (capture/har.c + har_limit.c +
 * har_pages.c): any bytes must give PW_OK or an error message, never a crash, leak or unbounded
 * memory, also when an allocation inside yajl fails; a failed read names the file; every page and
 * request delivered has a URL. Odd-sized inputs are read with a site_of hook, even-sized ones with
 * the built-in site guess. Plain text (no allocation refused) is read again as gzip members of a
 * few bytes to a few hundred each, the size and bytes choosing where they end: each member's end
 * is a chunk the reader gets short, so a token is carried across it (har.c's parse_chunk), as
 * at a 64 KiB chunk's end a fuzz input never reaches; the pages, requests, gaps, status and
 * error must be the plain read's. */
#include <string.h>
#if defined(__has_include) && __has_include(<zlib.h>)
#include <zlib.h>
#define FUZZ_HAR_GZIP 1
#endif

#include "phiwall/har.h"
#include "phiwall/json_reserve.h"
#include "../unit/nomem_test.h"
#include "pw_fuzz.h"

/* What a read delivered, as a running hash of every field and a count of each kind. */
typedef struct seen {
    size_t sum;
    uint64_t h;
    size_t pages, requests, gaps;
} seen;

static void mix(seen *v, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++)
        v->h = (v->h ^ *p) * 1099511628211u;
    v->h = (v->h ^ (s ? 0x100u : 0x200u)) * 1099511628211u; /* the end, and NULL from "" */
}

static void mix_n(seen *v, size_t n)
{
    v->h = (v->h ^ n) * 1099511628211u;
}

static size_t touch(const char *s)
{
    return s ? strlen(s) : 0;
}

static pw_status touch_page(void *ctx, const pw_page *p, pw_err *err)
{
    seen *v = ctx;
    FUZZ_ASSERT(p->url != NULL);
    v->sum += strlen(p->url) + touch(p->title) + (size_t)p->has_login_form + (size_t)p->after_login;
    v->pages++;
    mix(v, p->url);
    mix(v, p->title);
    mix_n(v, (size_t)p->has_login_form * 2 + (size_t)p->after_login);
    return PW_OK;
}

static pw_status touch_request(void *ctx, const pw_request *r, pw_err *err)
{
    seen *v = ctx;
    FUZZ_ASSERT(r->url != NULL && r->method != NULL);
    v->sum += strlen(r->url) + strlen(r->method) + r->body_len;
    v->requests++;
    mix(v, r->url);
    mix(v, r->method);
    mix_n(v, r->body_len);
    for (size_t i = 0; i < r->body_len; i++)
        mix_n(v, (unsigned char)r->body[i]);
    for (size_t i = 0; i < r->n_headers; i++) {
        v->sum += strlen(r->headers[i].name) + strlen(r->headers[i].value);
        mix(v, r->headers[i].name);
        mix(v, r->headers[i].value);
    }
    v->sum += touch(r->page_url) + touch(r->frame_url) + touch(r->content_type) +
              touch(r->initiator) + touch(r->resource_type);
    mix(v, r->page_url);
    mix(v, r->frame_url);
    mix(v, r->content_type);
    mix(v, r->initiator);
    mix(v, r->resource_type);
    return PW_OK;
}

/* log._phiwall.gaps: a known kind, strings that end */
static void touch_gap(void *ctx, const pw_capture_gap *g)
{
    seen *v = ctx;
    FUZZ_ASSERT(g->kind >= 0 && g->kind < PW_GAP__COUNT);
    v->sum += g->pages + touch(g->url) + touch(g->page_url) + touch(g->error) +
              touch(g->tracker_id) + touch(g->tracker);
    v->gaps++;
    mix_n(v, (size_t)g->kind);
    mix_n(v, g->pages);
    mix(v, g->url);
    mix(v, g->page_url);
    mix(v, g->error);
    mix(v, g->tracker_id);
    mix(v, g->tracker);
}

/* A registrable-domain stand-in: the host without its first label. */
static char *site_of(void *ctx, pw_arena *a, const char *host)
{
    const char *dot = strchr(host, '.');
    return dot && strchr(dot + 1, '.') ? pw_arena_strdup(a, dot + 1) : NULL;
}

static pw_status read_har(const uint8_t *data, size_t size, const pw_har_opts *opts, seen *v,
                          pw_err *err)
{
    FILE *f = fmemopen((void *)data, size, "r");
    FUZZ_ASSERT(f != NULL);
    memset(v, 0, sizeof *v);
    v->h = 14695981039346656037u;
    pw_capture_sink sink = {touch_page, touch_request, v, touch_gap};
    pw_err_clear(err);
    pw_status st = pw_har_read_ex(f, "fuzz.har", &sink, opts, NULL, err);
    fclose(f);
    return st;
}

#ifdef FUZZ_HAR_GZIP
/* data as gzip members of 1 to 256 bytes each (stored, no compression), malloc'd; NULL when it
 * cannot be made. The member sizes come from a generator seeded by the size and first bytes; the
 * first member holds at least `first` bytes. */
static unsigned char *as_gzip_members(const uint8_t *data, size_t size, size_t first, size_t *out_n)
{
    size_t cap = size + (size + 1) * 40 + 64, n = 0; /* 18 B of gzip frame + 5 B a block */
    unsigned char *out = malloc(cap);
    if (!out)
        return NULL;
    uint32_t x = (uint32_t)size * 2654435761u ^ (uint32_t)data[0] << 8 ^ data[size - 1];
    for (size_t off = 0; off < size;) {
        x = x * 1103515245u + 12345u;
        size_t len = (x >> 16) % 4 ? 1 + (x >> 8) % 16 : 1 + (x >> 8) % 256;
        if (off == 0 && len < first)
            len = first;
        if (len > size - off)
            len = size - off;
        z_stream z;
        memset(&z, 0, sizeof z);
        if (deflateInit2(&z, 0, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
            free(out);
            return NULL;
        }
        z.next_in = (unsigned char *)data + off;
        z.avail_in = (uInt)len;
        z.next_out = out + n;
        z.avail_out = (uInt)(cap - n);
        int rc = deflate(&z, Z_FINISH);
        n = cap - z.avail_out;
        deflateEnd(&z);
        if (rc != Z_STREAM_END) {
            free(out);
            return NULL;
        }
        off += len;
    }
    *out_n = n;
    return out;
}

/* The plain read's outcome again from the same text in short gzip members. */
static void same_in_members(const uint8_t *data, size_t size, const pw_har_opts *plain_opts,
                            pw_status st, const seen *v, const pw_err *err)
{
    /* gzip magic is no plain text. A byte-order mark is looked for in the first read only, which
     * a gzip'd file's first member ends: that member holds the whole mark (a mark split across
     * members is not skipped; the plain read skips it), and the error offsets after it must
     * count it as the plain read's do (they counted from after it until fuzz9). */
    if (size < 3 || (data[0] == 0x1f && data[1] == 0x8b))
        return;
    size_t gn = 0;
    size_t first = memcmp(data, "\xef\xbb\xbf", 3) == 0 ? 3 : 1;
    unsigned char *gz = as_gzip_members(data, size, first, &gn);
    if (!gz)
        return;
    pw_har_opts opts = *plain_opts;
    opts.alloc_probe = NULL;
    seen w;
    pw_err gerr;
    pw_status gst = read_har(gz, gn, &opts, &w, &gerr);
    if (gst != st || strcmp(gerr.msg, err->msg) != 0 || w.h != v->h || w.pages != v->pages ||
        w.requests != v->requests || w.gaps != v->gaps)
        fprintf(stderr,
                "plain: %d \"%s\" %zu pages %zu requests %zu gaps\n"
                "gzip members: %d \"%s\" %zu pages %zu requests %zu gaps\n",
                (int)st, err->msg, v->pages, v->requests, v->gaps, (int)gst, gerr.msg, w.pages,
                w.requests, w.gaps);
    FUZZ_ASSERT(gst == st && strcmp(gerr.msg, err->msg) == 0);
    FUZZ_ASSERT(w.pages == v->pages && w.requests == v->requests && w.gaps == v->gaps);
    FUZZ_ASSERT(w.h == v->h);
    free(gz);
}
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    pw_har_opts opts = {.max_string = 64}; /* small, so the limiter is exercised */
    if (size % 2)
        opts.site_of = site_of;
    /* Inputs whose size is a multiple of 3 refuse yajl's allocation number size / 3 % 64 + 1
     * (counted through the reader's allocation probe): out of memory mid-stream must be an error
     * naming the file, never a crash, and what yajl asked for after the failure stays within the
     * spare set aside for it. */
    countdown c = {0, size % 3 ? 0 : (long)(size / 3 % 64) + 1};
    pw_json_probe probe = {.fail = fail_kth, .ctx = &c};
    opts.alloc_probe = &probe;
    seen v;
    pw_err err;
    pw_status st = read_har(data, size, &opts, &v, &err);
    if (st != PW_OK)
        FUZZ_ASSERT(strncmp(err.msg, "fuzz.har: ", 10) == 0);
    FUZZ_ASSERT(!probe.overflow && probe.peak <= probe.reserve);
#ifdef FUZZ_HAR_GZIP
    if (size % 3)
        same_in_members(data, size, &opts, st, &v, &err);
#endif
    return 0;
}
