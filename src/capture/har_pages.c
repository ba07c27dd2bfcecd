/*
 * har_pages.c — the HAR reader's page table: log.pages[] records (id, title, startedDateTime)
 * and the page URL each entry is attributed to. Chrome writes the page URL as the page's title;
 * Firefox and Safari write the document title, so the URL comes from the page's first document
 * request. A page is delivered to the sink once, as soon as its URL is known. Also the site
 * comparison that keeps a vendor's iframe document from starting a page of its own.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "capture/har_internal.h"
#include "phiwall/url.h"

/* ---- packed records ----
 * A packed page: a flags byte (PK_*), a byte saying which strings follow (PS_*), its time (a
 * double, unaligned), then its id, URL and title, each with its NUL, when present. */

enum {
    PK_EMITTED = 1,
    PK_FIXED_URL = 2,
    PK_TITLE_URL = 4,
    PK_ENTRIES = 8, /* n_entries > 0 */
    PK_LOGIN_FORM = 16,
    PK_AFTER_LOGIN = 32,
    PK_SESSION_COOKIE = 64,
    PK_SPLIT = 128
};
enum { PS_ID = 1, PS_URL = 2, PS_TITLE = 4 };
#define PK_HEAD 10

/* v[i]: a live page's pointer (malloc'd: the low bits clear), a record in `packed`, or one in
 * the page file (with its settled bit: har_pages_settled reads no file). A record in the file is
 * its size (4 bytes) then the packed record. */
#define IS_PACKED(x)   ((x)&1u)
#define IS_DISK(x)     (((x)&3u) == 3u)
#define IS_MEM(x)      (((x)&3u) == 1u)
#define PACKED_AT(x)   ((size_t)((x) >> 2))
#define MEM_REF(off)   (((uintptr_t)(off) << 2) | 1u)
#define DISK_AT(x)     ((uint64_t)((x) >> 3))
#define DISK_REF(o, s) (((uintptr_t)(o) << 3) | ((uintptr_t)(s) << 2) | 3u)
#define DISK_HEAD      4

void har_pages_init(har_pages *t)
{
    memset(t, 0, sizeof *t);
    t->fd = -1;
}

static void free_hops(har_page *p);

static void free_live(har_page *p)
{
    free_hops(p);
    free(p->id);
    free(p->url);
    free(p->title);
    free(p);
}

void har_pages_free(har_pages *t)
{
    for (size_t i = 0; i < t->n; i++) /* pages the read never delivered (an error, a cut log) */
        if (!IS_PACKED(t->v[i]))
            free_live((har_page *)t->v[i]);
    for (size_t i = 0; i < HAR_RECENT; i++)
        free(t->recent[i].url);
    free(t->v);
    free(t->by_id);
    free(t->packed);
    free(t->live);
    free(t->rd);
    if (t->fd >= 0)
        close(t->fd);
    memset(t, 0, sizeof *t);
    t->fd = -1;
}

static int set_str(char **dst, const char *s)
{
    char *d = NULL;
    if (s && !(d = strdup(s)))
        return 0;
    free(*dst);
    *dst = d;
    return 1;
}

int har_page_set_url(har_page *p, const char *s)
{
    p->url_gen++;
    return set_str(&p->url, s);
}

int har_page_set_title(har_page *p, const char *s)
{
    return set_str(&p->title, s);
}

/* The packed record at off: its id (NULL when none) and its size. */
static const char *packed_id(const har_pages *t, size_t off)
{
    const unsigned char *r = t->packed + off;
    return r[1] & PS_ID ? (const char *)r + PK_HEAD : NULL;
}

static size_t packed_size(const har_pages *t, size_t off)
{
    const unsigned char *r = t->packed + off;
    const char *w = (const char *)r + PK_HEAD;
    for (int bit = PS_ID; bit <= PS_TITLE; bit <<= 1)
        if (r[1] & bit)
            w += strlen(w) + 1;
    return (size_t)((const unsigned char *)w - r);
}

/* ---- the page file ---- */

static int io_fail(har_pages *t, const char *what, uint64_t at, int e)
{
    if (!t->io_errno) {
        t->io_errno = e ? e : EIO;
        t->io_what = what;
        t->io_at = at;
    }
    return 0;
}

pw_status har_pages_error(const har_pages *t, const char *name, pw_err *err)
{
    if (!t->io_errno)
        return PW_OK;
    if (strcmp(t->io_what, "create") == 0)
        return pw_err_set(err, PW_ERR_IO,
                          "%s: %s: cannot create the HAR reader's page file: %s (set TMPDIR to a "
                          "writable directory)",
                          name, t->dir, strerror(t->io_errno));
    return pw_err_set(err, PW_ERR_IO,
                      "%s: %s: cannot %s the HAR reader's page file at byte %llu: %s (free space "
                      "there or set TMPDIR to another directory)",
                      name, t->dir, t->io_what, (unsigned long long)t->io_at,
                      strerror(t->io_errno));
}

static int disk_open(har_pages *t)
{
    if (t->fd >= 0)
        return 1;
    if (t->io_errno)
        return 0;
    const char *dir = getenv("TMPDIR");
    if (!dir || !*dir)
        dir = "/tmp";
    snprintf(t->dir, sizeof t->dir, "%s", dir);
    char path[600];
    snprintf(path, sizeof path, "%s/phiwall-har-pages-XXXXXX", dir);
    t->fd = mkstemp(path);
    if (t->fd < 0)
        return io_fail(t, "create", 0, errno);
    unlink(path); /* gone with the process, whatever happens */
    return 1;
}

static int disk_write(har_pages *t, const void *p, size_t n, uint64_t at)
{
    t->rd_at = 0; /* the record kept may be the one overwritten */
    const unsigned char *c = p;
    while (n) {
        ssize_t w = pwrite(t->fd, c, n, (off_t)at);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return io_fail(t, "write", at, w < 0 ? errno : ENOSPC);
        c += w;
        n -= (size_t)w;
        at += (uint64_t)w;
    }
    return 1;
}

static int disk_read(har_pages *t, void *p, size_t n, uint64_t at)
{
    unsigned char *c = p;
    while (n) {
        ssize_t r = pread(t->fd, c, n, (off_t)at);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return io_fail(t, "read", at, r < 0 ? errno : EIO);
        c += r;
        n -= (size_t)r;
        at += (uint64_t)r;
    }
    return 1;
}

/* The record at page file offset `at` (its size in *n), in t->rd (valid until the next read);
 * NULL on failure. One pread for a record of up to DISK_FIRST bytes (most: a crawler's page is
 * ~60), and the last one read is kept: the index's check of its id and its unpacking read it
 * once. */
#define DISK_FIRST 256
static const unsigned char *disk_record(har_pages *t, uint64_t at, uint32_t *n)
{
    if (t->rd_at == at + 1) {
        *n = t->rd_n;
        return t->rd + DISK_HEAD;
    }
    if (t->rd_cap < DISK_FIRST) {
        unsigned char *b = realloc(t->rd, DISK_FIRST);
        if (!b)
            return NULL;
        t->rd = b;
        t->rd_cap = DISK_FIRST;
    }
    uint64_t end = t->disk_len - at; /* a record never goes past the file's end */
    size_t first = end < DISK_FIRST ? (size_t)end : DISK_FIRST;
    if (first < DISK_HEAD) {
        io_fail(t, "read", at, EIO);
        return NULL;
    }
    if (!disk_read(t, t->rd, first, at))
        return NULL;
    memcpy(n, t->rd, sizeof *n);
    if (DISK_HEAD + (size_t)*n > first) {
        if (t->rd_cap < DISK_HEAD + (size_t)*n) {
            unsigned char *b = realloc(t->rd, DISK_HEAD + (size_t)*n);
            if (!b)
                return NULL;
            t->rd = b;
            t->rd_cap = DISK_HEAD + (size_t)*n;
        }
        if (!disk_read(t, t->rd + first, DISK_HEAD + *n - first, at + first))
            return NULL;
    }
    t->rd_at = at + 1;
    t->rd_n = *n;
    return t->rd + DISK_HEAD;
}

static int record_settled(const unsigned char *r)
{
    return (r[0] & PK_EMITTED) || !(r[1] & PS_URL);
}

/* Page i's id is id: 1, 0, or -1 when its record cannot be read. */
static int page_id_is(har_pages *t, size_t i, const char *id)
{
    uintptr_t x = t->v[i];
    if (!IS_PACKED(x)) {
        const char *pid = ((har_page *)x)->id;
        return pid && strcmp(pid, id) == 0;
    }
    if (IS_MEM(x)) {
        const char *pid = packed_id(t, PACKED_AT(x));
        return pid && strcmp(pid, id) == 0;
    }
    uint32_t n;
    const unsigned char *r = disk_record(t, DISK_AT(x), &n);
    if (!r)
        return -1;
    return (r[1] & PS_ID) && strcmp((const char *)r + PK_HEAD, id) == 0;
}

/* Drop the packed records made dead by unpacking once they are an eighth of the buffer (most
 * pages are unpacked once when their entries come: without this the buffer would hold each twice;
 * the copies cost ~8 bytes copied a dead byte, amortized: nothing beside a page's JSON). */
static void compact_packed(har_pages *t, int force)
{
    if (!t->packed_dead ||
        (!force && (t->packed_dead < HAR_PACK_SLACK || t->packed_dead * 8 < t->packed_len)))
        return;
    size_t len = t->packed_len - t->packed_dead;
    unsigned char *nb = malloc(len ? len : 1);
    if (!nb)
        return; /* kept as it is: only room lost */
    size_t w = 0;
    for (size_t i = 0; i < t->n; i++) {
        if (!IS_MEM(t->v[i]))
            continue;
        size_t off = PACKED_AT(t->v[i]), n = packed_size(t, off);
        memcpy(nb + w, t->packed + off, n);
        t->v[i] = MEM_REF(w);
        w += n;
    }
    free(t->packed);
    t->packed = nb;
    t->packed_len = t->packed_cap = w;
    t->packed_dead = 0;
}

/* The older half of the packed records (the first ones in the buffer, once compacted) to the
 * page file, each as its size and its record; the others moved down. 0 when the file cannot be
 * made or written (the records stay in memory, the failure is kept: the read stops). */
static int spill_packed(har_pages *t)
{
    compact_packed(t, 1);
    if (!t->packed_len || !disk_open(t))
        return 0;
    size_t cut = 0, count = 0;
    while (cut < t->packed_len / 2 || !count) {
        cut += packed_size(t, cut);
        count++;
    }
    unsigned char *out = malloc(cut + count * DISK_HEAD);
    if (!out)
        return 0;
    size_t w = 0;
    for (size_t off = 0; off < cut;) {
        uint32_t n = (uint32_t)packed_size(t, off);
        memcpy(out + w, &n, sizeof n);
        memcpy(out + w + DISK_HEAD, t->packed + off, n);
        w += DISK_HEAD + n;
        off += n;
    }
    int ok = disk_write(t, out, w, t->disk_len);
    free(out);
    if (!ok)
        return 0;
    /* each record written keeps its place in the file where its time was (read back from the
     * file when it is needed), so that its page's slot can say where it went */
    uint64_t at = t->disk_len;
    for (size_t off = 0; off < cut;) {
        size_t n = packed_size(t, off);
        memcpy(t->packed + off + 2, &at, sizeof at);
        at += DISK_HEAD + n;
        off += n;
    }
    for (size_t i = 0; i < t->n; i++) {
        if (!IS_MEM(t->v[i]))
            continue;
        size_t off = PACKED_AT(t->v[i]);
        if (off >= cut) {
            t->v[i] = MEM_REF(off - cut);
            continue;
        }
        const unsigned char *r = t->packed + off;
        uint64_t d;
        memcpy(&d, r + 2, sizeof d);
        t->v[i] = DISK_REF(d, record_settled(r));
    }
    t->disk_len = at;
    memmove(t->packed, t->packed + cut, t->packed_len - cut);
    t->packed_len -= cut;
    return 1;
}

static int packed_reserve(har_pages *t, size_t n)
{
    if (t->packed_len + n > HAR_PACK_MEM && t->packed_len && !spill_packed(t) && t->io_errno)
        return 0;
    if (t->packed_len + n <= t->packed_cap)
        return 1;
    size_t cap = t->packed_cap > 4096 ? t->packed_cap : 4096;
    while (cap < t->packed_len + n)
        cap += cap / 4; /* by a quarter: realloc moves a large block's pages, no copy */
    unsigned char *nb = realloc(t->packed, cap);
    if (!nb)
        return 0;
    t->packed = nb;
    t->packed_cap = cap;
    return 1;
}

static void put_packed_str(unsigned char **w, const char *s)
{
    size_t n = strlen(s) + 1;
    memcpy(*w, s, n);
    *w += n;
}

/* Pack live page p (no hops held): its record appended, the har_page freed. 0 without memory
 * (p stays live). */
static int pack(har_pages *t, har_page *p)
{
    size_t n = PK_HEAD + (p->id ? strlen(p->id) + 1 : 0) + (p->url ? strlen(p->url) + 1 : 0) +
               (p->title ? strlen(p->title) + 1 : 0);
    /* a page read from the file goes back to its place there when it fits (most do: a page's
     * record only loses its title once delivered), so the file does not grow at each visit */
    int in_file = p->disk_at && n <= p->disk_room;
    unsigned char *tmp = NULL;
    if (in_file && !(tmp = malloc(DISK_HEAD + n)))
        return 0;
    if (!in_file && !packed_reserve(t, n))
        return 0;
    unsigned char *r = in_file ? tmp + DISK_HEAD : t->packed + t->packed_len, *w = r + PK_HEAD;
    r[0] = (unsigned char)((p->emitted ? PK_EMITTED : 0) | (p->fixed_url ? PK_FIXED_URL : 0) |
                           (p->title_url ? PK_TITLE_URL : 0) | (p->n_entries ? PK_ENTRIES : 0) |
                           (p->has_login_form ? PK_LOGIN_FORM : 0) |
                           (p->after_login ? PK_AFTER_LOGIN : 0) |
                           (p->has_session_cookie ? PK_SESSION_COOKIE : 0) |
                           (p->split ? PK_SPLIT : 0));
    r[1] = (unsigned char)((p->id ? PS_ID : 0) | (p->url ? PS_URL : 0) | (p->title ? PS_TITLE : 0));
    memcpy(r + 2, &p->ts, sizeof p->ts);
    if (p->id)
        put_packed_str(&w, p->id);
    if (p->url)
        put_packed_str(&w, p->url);
    if (p->title)
        put_packed_str(&w, p->title);
    if (in_file) {
        uint32_t n32 = (uint32_t)n;
        memcpy(tmp, &n32, sizeof n32);
        int settled = record_settled(r); /* r is in tmp */
        int ok = disk_write(t, tmp, DISK_HEAD + n, p->disk_at - 1);
        free(tmp);
        if (!ok)
            return 0;
        t->v[p->index] = DISK_REF(p->disk_at - 1, settled);
    } else {
        t->v[p->index] = MEM_REF(t->packed_len);
        t->packed_len += n;
    }
    free_live(p);
    return 1;
}

static const char *take_str(const char **w, int present)
{
    if (!present)
        return NULL;
    const char *s = *w;
    *w += strlen(s) + 1;
    return s;
}

/* Page i's packed record as a live har_page (the record then dead). */
static har_page *unpack(har_pages *t, size_t i)
{
    uintptr_t x = t->v[i];
    uint32_t room = 0;
    const unsigned char *file = IS_DISK(x) ? disk_record(t, DISK_AT(x), &room) : NULL;
    if (IS_DISK(x) && !file)
        return NULL;
    const unsigned char *r = file ? file : t->packed + PACKED_AT(x);
    const char *w = (const char *)r + PK_HEAD;
    const char *id = take_str(&w, r[1] & PS_ID), *url = take_str(&w, r[1] & PS_URL),
               *title = take_str(&w, r[1] & PS_TITLE);
    har_page *p = calloc(1, sizeof *p);
    if (!p || !set_str(&p->id, id) || !set_str(&p->url, url) || !set_str(&p->title, title)) {
        if (p)
            free_live(p);
        return NULL;
    }
    memcpy(&p->ts, r + 2, sizeof p->ts);
    if (file) {
        p->disk_at = DISK_AT(x) + 1;
        p->disk_room = room;
    }
    p->index = i;
    p->n_entries = r[0] & PK_ENTRIES ? 1 : 0;
    p->emitted = !!(r[0] & PK_EMITTED);
    p->fixed_url = !!(r[0] & PK_FIXED_URL);
    p->title_url = !!(r[0] & PK_TITLE_URL);
    p->has_login_form = !!(r[0] & PK_LOGIN_FORM);
    p->after_login = !!(r[0] & PK_AFTER_LOGIN);
    p->has_session_cookie = !!(r[0] & PK_SESSION_COOKIE);
    p->split = !!(r[0] & PK_SPLIT);
    if (!file)
        t->packed_dead += (size_t)((const unsigned char *)w - r);
    t->v[i] = (uintptr_t)p;
    return p;
}

/* A live page that must stay so: pointers to it are kept (the current page of a HAR without
 * pageref, the remembered ones), or it holds hops, or it is the one looked up last. */
static int pinned(const har_pages *t, const har_page *p)
{
    if (p == t->anon || p->hops || p->hop_pending || (t->last < t->n && p->index == t->last))
        return 1;
    for (size_t k = 0; k < t->n_recent; k++)
        if (t->recent[k].p == p)
            return 1;
    return 0;
}

/* Room for one more live page: past HAR_LIVE_MAX, the live pages not pinned are packed. */
static int live_reserve(har_pages *t)
{
    if (t->n_live >= HAR_LIVE_MAX) {
        size_t keep = 0;
        for (size_t k = 0; k < t->n_live; k++) {
            har_page *p = (har_page *)t->v[t->live[k]];
            if (pinned(t, p) || !pack(t, p))
                t->live[keep++] = t->live[k];
        }
        t->n_live = keep;
        compact_packed(t, 0);
    }
    if (t->n_live == t->cap_live) {
        size_t cap = t->cap_live ? t->cap_live * 2 : HAR_LIVE_MAX * 2;
        size_t *nl = realloc(t->live, cap * sizeof *nl);
        if (!nl)
            return 0;
        t->live = nl;
        t->cap_live = cap;
    }
    return 1;
}

har_page *har_pages_at(har_pages *t, size_t i)
{
    if (t->io_errno)
        return NULL;
    if (!IS_PACKED(t->v[i]))
        return (har_page *)t->v[i];
    if (!live_reserve(t))
        return NULL;
    har_page *p = unpack(t, i);
    if (p)
        t->live[t->n_live++] = i;
    return p;
}

int har_pages_settled(const har_pages *t, size_t i)
{
    if (!IS_PACKED(t->v[i]))
        return 0;
    if (IS_DISK(t->v[i]))
        return (int)((t->v[i] >> 2) & 1u);
    const unsigned char *r = t->packed + PACKED_AT(t->v[i]);
    return (r[0] & PK_EMITTED) || !(r[1] & PS_URL);
}

size_t har_pages_bytes(const har_pages *t)
{
    size_t n = t->cap * sizeof *t->v + t->by_id_cap * sizeof *t->by_id + t->packed_cap +
               t->cap_live * sizeof *t->live + t->rd_cap;
    for (size_t k = 0; k < t->n_live; k++) {
        const har_page *p = (const har_page *)t->v[t->live[k]];
        n += sizeof *p + (p->id ? strlen(p->id) + 1 : 0) + (p->url ? strlen(p->url) + 1 : 0) +
             (p->title ? strlen(p->title) + 1 : 0);
    }
    return n;
}

static har_page *push_page(har_pages *t)
{
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 16;
        uintptr_t *v = realloc(t->v, cap * sizeof *v);
        if (!v)
            return NULL;
        t->v = v;
        t->cap = cap;
    }
    if (!live_reserve(t))
        return NULL;
    har_page *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->index = t->n;
    t->last = t->n;
    t->v[t->n++] = (uintptr_t)p;
    t->live[t->n_live++] = p->index;
    return p;
}

static uint32_t id_hash(const char *id) /* FNV-1a */
{
    uint64_t h = 14695981039346656037u;
    for (const unsigned char *c = (const unsigned char *)id; *c; c++)
        h = (h ^ *c) * 1099511628211u;
    return (uint32_t)(h ^ (h >> 29));
}

/* The slot of id (hash h) in the index: the one holding it, or the empty one where it would go;
 * NULL when a page's record cannot be read from the page file. */
static har_id_slot *id_slot(har_pages *t, const char *id, uint32_t h)
{
    size_t mask = t->by_id_cap - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        har_id_slot *slot = &t->by_id[i];
        if (!slot->idx1)
            return slot;
        if (slot->h32 != h)
            continue;
        int same = page_id_is(t, slot->idx1 - 1, id);
        if (same < 0)
            return NULL;
        if (same)
            return slot;
    }
}

/* Room in the index for one more id (rebuilt twice as large past half full, from the hashes). */
static int index_reserve(har_pages *t)
{
    if (t->n >= UINT32_MAX / 2)
        return 0;
    if ((t->n_ids + 1) * 2 <= t->by_id_cap)
        return 1;
    size_t cap = t->by_id_cap ? t->by_id_cap * 2 : 64, mask = cap - 1;
    har_id_slot *nv = calloc(cap, sizeof *nv);
    if (!nv)
        return 0;
    for (size_t k = 0; k < t->by_id_cap; k++) {
        if (!t->by_id[k].idx1)
            continue;
        size_t i = t->by_id[k].h32 & mask;
        while (nv[i].idx1)
            i = (i + 1) & mask;
        nv[i] = t->by_id[k];
    }
    free(t->by_id);
    t->by_id = nv;
    t->by_id_cap = cap;
    return 1;
}

har_page *har_pages_get(har_pages *t, const char *id, int create)
{
    if (t->io_errno)
        return NULL;
    if (t->last < t->n && !IS_PACKED(t->v[t->last])) { /* the last one is kept live */
        const char *last_id = ((har_page *)t->v[t->last])->id;
        if (last_id && strcmp(last_id, id) == 0)
            return har_pages_at(t, t->last);
    }
    uint32_t h = id_hash(id);
    har_id_slot *slot = NULL;
    if (t->by_id_cap && !(slot = id_slot(t, id, h)))
        return NULL;
    if (slot && slot->idx1) {
        t->last = slot->idx1 - 1;
        return har_pages_at(t, t->last);
    }
    if (!create || !index_reserve(t))
        return NULL;
    har_page *p = push_page(t);
    if (!p || !(p->id = strdup(id)))
        return NULL;
    if (!(slot = id_slot(t, id, h)))
        return NULL;
    *slot = (har_id_slot){(uint32_t)t->n, h};
    t->n_ids++;
    return p;
}

har_page *har_pages_add_anonymous(har_pages *t, const char *url, double ts)
{
    if (t->io_errno)
        return NULL;
    har_page *p = push_page(t);
    if (!p || !(p->url = strdup(url)))
        return NULL;
    p->ts = ts;
    return p;
}

int har_pages_note(har_pages *t, har_page *p)
{
    for (size_t i = 0; i < t->n_recent; i++) { /* the latest first: most entries stop there */
        const har_recent *r = &t->recent[(t->next + HAR_RECENT - 1 - i) % HAR_RECENT];
        if (r->p == p && r->url_gen == p->url_gen) /* the same naming: a URL given again is
                                                    * remembered again, as the latest */
            return 1;
    }
    char *url = strdup(p->url);
    if (!url)
        return 0;
    free(t->recent[t->next].url);
    t->recent[t->next] = (har_recent){p, url, p->url_gen};
    t->next = (t->next + 1) % HAR_RECENT;
    if (t->n_recent < HAR_RECENT)
        t->n_recent++;
    return 1;
}

size_t har_origin_len(const char *u)
{
    const char *host = strncmp(u, "https://", 8) == 0  ? u + 8
                       : strncmp(u, "http://", 7) == 0 ? u + 7
                                                       : NULL;
    return host ? (size_t)(host + strcspn(host, "/?#") - u) : 0;
}

const har_recent *har_pages_find(const har_pages *t, const har_page *only, const char *url,
                                 size_t origin_len)
{
    for (size_t i = 0; i < t->n_recent; i++) {
        const har_recent *r = &t->recent[(t->next + HAR_RECENT - 1 - i) % HAR_RECENT];
        if ((only && r->p != only) || r->p->fixed_url)
            continue;
        if (origin_len
                ? har_origin_len(r->url) == origin_len && strncmp(r->url, url, origin_len) == 0
                : strcmp(r->url, url) == 0)
            return r;
    }
    return NULL;
}

int har_page_hold(har_page *p, const pw_request *r)
{
    har_held *hop = har_held_copy(r, NULL, NULL, NULL);
    if (!hop)
        return 0;
    hop->next = NULL;
    if (!p->hops_tail)
        p->hops_tail = &p->hops;
    *p->hops_tail = hop;
    p->hops_tail = &hop->next;
    return 1;
}

static void free_hops(har_page *p)
{
    for (har_held *h = p->hops, *next; h; h = next) {
        next = h->next;
        free(h);
    }
    p->hops = NULL;
    p->hops_tail = NULL;
}

pw_status har_page_emit(har_page *p, const pw_capture_sink *sink, size_t *n_emitted, pw_err *err)
{
    if (p->emitted || !p->url)
        return PW_OK;
    p->emitted = 1;
    (*n_emitted)++;
    pw_page page = {.url = p->url,
                    .title = p->title,
                    .timestamp = p->ts,
                    .has_login_form = p->has_login_form,
                    .after_login = p->after_login,
                    .has_session_cookie = p->has_session_cookie};
    pw_status st = sink->on_page ? sink->on_page(sink->ctx, &page, err) : PW_OK;
    /* the title is read nowhere after this (a page delivered again is one a navigation split,
     * which drops its title): not kept for the rest of the read */
    free(p->title);
    p->title = NULL;
    for (har_held *h = p->hops; h && st == PW_OK; h = h->next) {
        h->r.page_url = p->url;
        st = sink->on_request ? sink->on_request(sink->ctx, &h->r, err) : PW_OK;
    }
    free_hops(p);
    return st;
}

/* ---- the time-order window ---- */

static size_t str_size(const char *s)
{
    return s ? strlen(s) + 1 : 0;
}

/* Copy s to *w (moved on past it); NULL stays NULL. */
static const char *put_str(char **w, const char *s)
{
    if (!s)
        return NULL;
    size_t n = strlen(s) + 1;
    char *d = memcpy(*w, s, n);
    *w += n;
    return d;
}

har_held *har_held_copy(const pw_request *r, const char *pageref, const char *content_mime,
                        const char *init_type)
{
    size_t size = sizeof(har_held) + r->n_headers * sizeof(pw_header) + r->body_len +
                  str_size(r->method) + str_size(r->url) + str_size(r->content_type) +
                  str_size(r->frame_url) + str_size(r->resource_type) + str_size(r->initiator) +
                  str_size(r->error) + str_size(r->redirect_url) + str_size(pageref) +
                  str_size(content_mime) + str_size(init_type);
    for (size_t i = 0; i < r->n_headers; i++)
        size += str_size(r->headers[i].name) + str_size(r->headers[i].value);
    har_held *x = malloc(size);
    if (!x)
        return NULL;
    x->r = *r;
    x->r.page_url = NULL;
    pw_header *hd = (pw_header *)(x + 1);
    char *w = (char *)(hd + r->n_headers);
    x->r.headers = r->n_headers ? hd : NULL;
    for (size_t i = 0; i < r->n_headers; i++)
        hd[i] = (pw_header){put_str(&w, r->headers[i].name), put_str(&w, r->headers[i].value)};
    if (r->body_len) {
        x->r.body = memcpy(w, r->body, r->body_len);
        w += r->body_len;
    } else {
        x->r.body =
            r->body ? (const unsigned char *)"" : NULL; /* an empty body is no body-less request */
    }
    x->r.method = put_str(&w, r->method);
    x->r.url = put_str(&w, r->url);
    x->r.content_type = put_str(&w, r->content_type);
    x->r.frame_url = put_str(&w, r->frame_url);
    x->r.resource_type = put_str(&w, r->resource_type);
    x->r.initiator = put_str(&w, r->initiator);
    x->r.error = put_str(&w, r->error);
    x->r.redirect_url = put_str(&w, r->redirect_url);
    x->pageref = put_str(&w, pageref);
    x->content_mime = put_str(&w, content_mime);
    x->init_type = put_str(&w, init_type);
    x->cost = size;
    x->t = 0;
    x->serial = 0;
    return x;
}

static int held_before(const har_held *a, const har_held *b)
{
    return a->t < b->t || (a->t == b->t && a->serial < b->serial);
}

int har_window_push(har_window *w, har_held *x)
{
    if (w->n == w->cap) {
        size_t cap = w->cap ? w->cap * 2 : 64;
        har_held **v = realloc(w->v, cap * sizeof *v);
        if (!v) {
            free(x);
            return 0;
        }
        w->v = v;
        w->cap = cap;
    }
    /* a time the recorder did not give (or one outside 1990–2200: a placeholder) sorts as the
     * latest before it: the entry keeps its place among its neighbours */
    double t = x->r.timestamp;
    if (!(t >= 631152000.0 && t < 7258118400.0))
        t = w->latest;
    else if (t > w->latest)
        w->latest = t;
    x->t = t;
    x->serial = w->serial++;
    size_t i = w->n++;
    for (; i > 0 && held_before(x, w->v[(i - 1) / 2]); i = (i - 1) / 2)
        w->v[i] = w->v[(i - 1) / 2];
    w->v[i] = x;
    w->bytes += x->cost;
    return 1;
}

int har_window_full(const har_window *w)
{
    return w->n > HAR_WINDOW_MAX || w->bytes > HAR_WINDOW_BYTES;
}

har_held *har_window_pop(har_window *w)
{
    if (!w->n)
        return NULL;
    har_held *top = w->v[0], *last = w->v[--w->n];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= w->n)
            break;
        if (c + 1 < w->n && held_before(w->v[c + 1], w->v[c]))
            c++;
        if (!held_before(w->v[c], last))
            break;
        w->v[i] = w->v[c];
        i = c;
    }
    if (w->n)
        w->v[i] = last;
    w->bytes -= top->cost;
    return top;
}

void har_window_free(har_window *w)
{
    for (size_t i = 0; i < w->n; i++)
        free(w->v[i]);
    free(w->v);
    memset(w, 0, sizeof *w);
}

int har_looks_like_url(const char *s)
{
    return s && (strncmp(s, "http://", 7) == 0 || strncmp(s, "https://", 8) == 0);
}

static int is_ip(const char *host)
{
    if (host[0] == '[' || strchr(host, ':'))
        return 1;
    return strspn(host, "0123456789.") == strlen(host);
}

/* The guessed site of a host without a public-suffix list: its last two labels, or three when
 * the last is a two-letter country code under a short second level (co.uk, com.au, org.br). */
static const char *guess_site(const char *host)
{
    if (is_ip(host))
        return host;
    const char *dots[3] = {NULL, NULL, NULL}; /* last, second-last, third-last dot */
    for (const char *p = host; *p; p++)
        if (*p == '.') {
            dots[2] = dots[1];
            dots[1] = dots[0];
            dots[0] = p;
        }
    if (!dots[1])
        return host;
    size_t tld = strlen(dots[0] + 1), second = (size_t)(dots[0] - dots[1] - 1);
    if (tld == 2 && second <= 3)
        return dots[2] ? dots[2] + 1 : host;
    return dots[1] + 1;
}

static const char *site_key(pw_arena *a, const char *url, har_site_fn site_of, void *ctx)
{
    pw_url u;
    if (!url || pw_url_parse(url, strlen(url), &u, NULL) != PW_OK)
        return NULL;
    char *host = pw_url_host_dup(a, &u);
    if (!host)
        return NULL;
    char *key = site_of ? site_of(ctx, a, host) : NULL;
    return key ? key : guess_site(host);
}

int har_same_site(pw_arena *a, const char *url_a, const char *url_b, har_site_fn site_of, void *ctx)
{
    const char *ka = site_key(a, url_a, site_of, ctx);
    const char *kb = site_key(a, url_b, site_of, ctx);
    return !ka || !kb || strcmp(ka, kb) == 0;
}

static int digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return 0;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 1;
}

double har_parse_time(const char *s)
{
    int Y, M, D, h, m, sec;
    if (!s || strlen(s) < 19 || !digits(s, 4, &Y) || s[4] != '-' || !digits(s + 5, 2, &M) ||
        s[7] != '-' || !digits(s + 8, 2, &D) || (s[10] != 'T' && s[10] != ' ') ||
        !digits(s + 11, 2, &h) || s[13] != ':' || !digits(s + 14, 2, &m) || s[16] != ':' ||
        !digits(s + 17, 2, &sec))
        return 0;
    struct tm tm = {.tm_year = Y - 1900,
                    .tm_mon = M - 1,
                    .tm_mday = D,
                    .tm_hour = h,
                    .tm_min = m,
                    .tm_sec = sec};
    double t = (double)timegm(&tm);
    const char *p = s + 19;
    if (*p == '.') {
        double scale = 0.1;
        for (p++; *p >= '0' && *p <= '9'; p++, scale /= 10)
            t += (*p - '0') * scale;
    }
    /* the offset: "+02:00", "-0500" or "+02" (ISO 8601 allows all three; "Z" or none is UTC) */
    int oh, om = 0;
    if ((*p == '+' || *p == '-') && digits(p + 1, 2, &oh)) {
        const char *mm = p[3] == ':' ? p + 4 : p + 3;
        if ((*mm && !digits(mm, 2, &om)) || oh > 23 || om > 59)
            return t; /* not an offset we can read: as before, UTC */
        t -= (*p == '+' ? 1 : -1) * (oh * 3600.0 + om * 60.0);
    }
    return t;
}
