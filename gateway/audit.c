/*
 * audit.c — writing the accounting of disclosures (pw_audit, see audit.h): an append-only file
 * of JSON lines, each record chained to the one before it.
 *
 * Record format (one line, members in this order, absent values omitted):
 *   {"seq":N,"time":"2026-11-28T17:53:00.123Z","action":"sent","event_id":…,"event_name":…,
 *    "destination":…,"rule":…,"fields":{…},"payload_sha256":…,"http_status":N,"detail":…,
 *    "prev_hash":"<64 hex>","hash":"<64 hex>"}
 * The canonical bytes of a record are the line up to (not including) `,"hash":"`; its hash is
 * SHA-256(prev_hash_hex || canonical bytes), prev_hash of the first record is 64 zeros. Because
 * the hash covers the exact bytes written, verification (audit_read.c) needs no re-serialisation.
 *
 * Durability: appends are written with O_APPEND under a mutex, then made durable by a group
 * fdatasync (whoever syncs covers every record written so far, so concurrent appenders share one
 * sync). pw_audit_append returns after its record is on disk. A failed fdatasync cuts the log
 * back to its last durable record (cut_unsynced): synced appenders are told and append again;
 * the records appended without a sync are kept and written back by the log (audit_kept.c).
 * A torn last line (crash in the middle of a write that was therefore never acknowledged) is cut
 * off when the log is reopened.
 * Records are written from post-policy data only; tokens never reach them (forwarders scrub).
 */
#include "audit.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>
#if defined(__SSE2__) && !defined(PW_NO_SSE2)
#include <emmintrin.h>
#endif

#include "audit_internal.h"
#include "gw_json.h"
#include "gw_digest.h"
#include "gw_lock.h"
#include "gw_time.h"
#include "phiwall/buf.h"
#include "phiwall/text.h"

#define FIELDS_MEMO     8          /* field maps remembered (a policy has a few per destination) */
#define FIELDS_MEMO_MAX 4096       /* longer maps are written afresh each time */
#define RECORD_GUESS    512        /* bytes reserved per record of a batch (most are 300-500) */
#define OUT_KEEP        (4u << 20) /* the batch buffer is kept up to this capacity */
#define OUT_FLOOR                                                                         \
    (64u << 10)          /* …and from its open on at least this much (a synced batch is \
                            written in pieces that fit: write_records) */
#define RECORD_FIXED 320 /* a record's bytes besides its strings, at most (record_bound) */
#define CUT_MEMO     64  /* cuts whose durable end is remembered (sync_upto) */

typedef struct fields_memo {
    char *src; /* fields_json as given */
    size_t src_len;
    char *out; /* as written into a record */
    size_t out_len;
    uint64_t used;
} fields_memo;

struct pw_audit {
    int fd;
    char *path;
    pthread_mutex_t mu;      /* seq, last_hash, the file offset */
    pthread_mutex_t sync_mu; /* one fdatasync at a time */
    uint64_t seq;            /* of the last record written */
    uint64_t synced_seq;     /* every record up to this one is durable */
    char last_hash[65];
    off_t end;            /* size of the file up to the last record written in full (under mu) */
    off_t synced_end;     /* the file's size after record synced_seq (sync_mu and mu) */
    char synced_hash[65]; /* record synced_seq's hash (sync_mu and mu) */
    uint64_t cuts; /* records cut after a failed sync, times (sync_mu and mu): an appender whose
                      record was written before a cut may not count it durable… */
    uint64_t cut_to[CUT_MEMO]; /* …unless it was durable by then: cut number c went back to record
                                  cut_to[c % CUT_MEMO] (synced_seq then; sync_mu and mu) */
    int cut_pending;           /* the file's size since such a cut is not synced yet (sync_mu) */
    int torn;           /* a failed write left bytes past `end` that could not be cut yet (mu) */
    atomic_int failing; /* the last write or sync failed (pw_audit_failing) */
    atomic_ullong failures;   /* writes and syncs that failed */
    atomic_int last_write_ok; /* the last write succeeded: a sync may clear failing */
    off_t torn_cut_at_open;   /* bytes of a torn last record cut when opened */
    /* formatting state, under mu */
    fields_memo fields[FIELDS_MEMO];
    uint64_t fields_clock;
    int64_t time_sec;
    char time_prefix[20];
    pw_buf out;         /* the lines of the batch being appended, kept for the next one */
    pw_audit_kept kept; /* unsynced ingest records, written again after a cut (audit_kept.c) */
    pw_audit_gate gate; /* ingest records before forwarders' outcomes (audit_gate.c) */
    pw_audit_head_fn head_sink; /* told the durable head (sync_mu): pw_audit_set_head_sink */
    void *head_ctx;
    unsigned head_interval_ms;
    int64_t head_told_ms; /* when it was last told (monotonic; sync_mu) */
    uint64_t head_told;   /* the seq it was last told, UINT64_MAX: never (sync_mu) */
};

static const char *const action_names[] = {"accepted",  "dropped", "queued",
                                           "sent",      "retry",   "dead",
                                           "duplicate", "sending", "chain_continued"};

const char *pw_audit_action_name(pw_audit_action a)
{
    if ((unsigned)a >= sizeof action_names / sizeof action_names[0])
        return "unknown";
    return action_names[a];
}

void pw_audit_format_time(int64_t ms, char out[32])
{
    time_t secs = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&secs, &tm);
    size_t n = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out + n, 32 - n, ".%03dZ", (int)(ms % 1000));
}

/* ---- opening: find where the chain ends --------------------------------------------------- */

/* Read the last `want` bytes (or the whole file if smaller) into a malloc'd buffer. */
static char *read_tail(int fd, off_t size, off_t want, off_t *start)
{
    *start = size > want ? size - want : 0;
    size_t n = (size_t)(size - *start);
    char *buf = malloc(n + 1);
    if (!buf)
        return NULL;
    if (pread(fd, buf, n, *start) != (ssize_t)n) {
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    return buf;
}

/* Cut a torn (unterminated) last line; *end = size of the file after. */
static pw_status cut_torn_tail(pw_audit *a, const char *tail, off_t start, off_t size, off_t *end,
                               pw_err *err)
{
    *end = size;
    if (size == 0 || tail[size - start - 1] == '\n')
        return PW_OK;
    const char *nl = memrchr(tail, '\n', (size_t)(size - start));
    if (!nl && start > 0)
        return pw_err_set(err, PW_ERR_PARSE, "%s: last record longer than the tail window",
                          a->path);
    *end = nl ? start + (nl - tail) + 1 : 0;
    a->torn_cut_at_open += size - *end;
    if (ftruncate(a->fd, *end) != 0 || fsync(a->fd) != 0)
        return pw_err_set(err, PW_ERR_IO, "%s: cutting a torn last record: %s", a->path,
                          strerror(errno));
    return PW_OK;
}

static pw_status load_chain_end(pw_audit *a, pw_err *err)
{
    struct stat stt;
    if (fstat(a->fd, &stt) != 0)
        return pw_err_set(err, PW_ERR_IO, "%s: %s", a->path, strerror(errno));
    pw_audit_hash_zero(a->last_hash);
    memcpy(a->synced_hash, a->last_hash, 65);
    a->end = 0;
    if (stt.st_size == 0)
        return PW_OK;
    for (off_t want = 1 << 16;; want *= 4) {
        off_t start = 0, end = 0;
        char *tail = read_tail(a->fd, stt.st_size, want, &start);
        if (!tail)
            return pw_err_set(err, PW_ERR_IO, "%s: reading the last record failed", a->path);
        pw_status st = cut_torn_tail(a, tail, start, stt.st_size, &end, err);
        if (st != PW_OK || end == 0) {
            free(tail);
            return st;
        }
        a->end = end;
        stt.st_size = end; /* a wider window on the next pass reads the file as cut */
        /* The last complete line ends at end-1; it starts after the newline before it. */
        size_t last_end = (size_t)(end - start) - 1;
        const char *prev_nl = last_end ? memrchr(tail, '\n', last_end) : NULL;
        if (!prev_nl && start > 0) {
            free(tail);
            continue; /* the line is longer than the window: read more */
        }
        const char *line = prev_nl ? prev_nl + 1 : tail;
        st = pw_audit_parse_chain_link(line, (size_t)(tail + last_end - line), &a->seq,
                                       a->last_hash, err);
        free(tail);
        if (st != PW_OK)
            return pw_err_prefix(err, "%s: last record: ", a->path);
        a->synced_seq = a->seq;
        a->synced_end = a->end;
        memcpy(a->synced_hash, a->last_hash, 65);
        return PW_OK;
    }
}

/* 0 when syncing the directory failed (errno set). A directory that cannot be opened (no read
 * permission) or whose file system does not sync directories (EINVAL) is let pass, as before. */
static int sync_parent_dir(const char *path)
{
    char *copy = strdup(path);
    if (!copy)
        return 0;
    const char *dir = ".";
    char *slash = strrchr(copy, '/');
    if (slash == copy) {
        dir = "/";
    } else if (slash) {
        *slash = '\0';
        dir = copy;
    }
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int ok = fd < 0 || fsync(fd) == 0 || errno == EINVAL;
    int e = errno;
    if (fd >= 0)
        close(fd);
    free(copy);
    errno = e;
    return ok;
}

pw_status pw_audit_open(const char *path, pw_audit **out, pw_err *err)
{
    *out = NULL;
    pw_audit *a = calloc(1, sizeof *a);
    if (!a || !(a->path = strdup(path))) {
        free(a);
        return pw_err_set(err, PW_ERR_NOMEM, "audit: out of memory");
    }
    int created = access(path, F_OK) != 0;
    a->fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    /* The new file's name must survive a power loss too, or every record synced into it goes
     * with it: a directory that cannot be synced is an error, and the empty file is removed so
     * that the next open tries again. */
    if (a->fd >= 0 && created && !sync_parent_dir(path)) {
        int e = errno;
        close(a->fd);
        unlink(path);
        a->fd = -1;
        errno = e;
    }
    if (a->fd < 0) {
        pw_status st = pw_err_set(err, PW_ERR_IO, "%s: %s", path, strerror(errno));
        free(a->path);
        free(a);
        return st;
    }
    /* Locked before the chain's end is read: that read cuts a torn last record, which in a file
     * another gateway is still writing would be that gateway's record in flight. */
    pw_status st = pw_gw_lock_exclusive(a->fd, path, err);
    if (st == PW_OK)
        st = load_chain_end(a, err);
    if (st != PW_OK) {
        close(a->fd);
        free(a->path);
        free(a);
        return st;
    }
    if (pw_buf_reserve(&a->out, OUT_FLOOR - 1) != PW_OK) {
        close(a->fd);
        free(a->path);
        free(a);
        return pw_err_set(err, PW_ERR_NOMEM, "audit: out of memory");
    }
    pthread_mutex_init(&a->mu, NULL);
    pthread_mutex_init(&a->sync_mu, NULL);
    pw_audit_gate_init(&a->gate);
    a->head_told = UINT64_MAX;
    *out = a;
    return PW_OK;
}

void pw_audit_close(pw_audit *a)
{
    if (!a)
        return;
    pw_audit_sync(a, NULL); /* and kept records a failed sync cut are written back first */
    close(a->fd);
    pthread_mutex_destroy(&a->mu);
    pthread_mutex_destroy(&a->sync_mu);
    pw_audit_gate_destroy(&a->gate);
    for (size_t i = 0; i < FIELDS_MEMO; i++) {
        free(a->fields[i].src);
        free(a->fields[i].out);
    }
    pw_buf_free(&a->out);
    pw_audit_kept_free(&a->kept);
    free(a->path);
    free(a);
}

/* ---- formatting one record ------------------------------------------------------------------ */

/* Appends of the hot path: no printf, JSON strings copied as they are when nothing in them
 * needs escaping (the same bytes pw_buf_json_string writes then). A record is some twenty
 * pieces: append_records reserves room for the batch once, so a piece is a bounds check and a
 * copy (the buffer is NUL-terminated once per record, in format_record). */
static inline void put(pw_buf *b, const void *p, size_t n)
{
    if (n < b->cap - b->len && !b->failed) {
        memcpy(b->data + b->len, p, n);
        b->len += n;
        return;
    }
    pw_buf_append(b, p, n);
}
#define PUT_LIT(b, lit) put(b, lit, sizeof(lit) - 1)

static void put_u64(pw_buf *b, uint64_t v)
{
    char tmp[24];
    size_t i = sizeof tmp;
    do {
        tmp[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    put(b, tmp + i, sizeof tmp - i);
}

/* 1 when no byte of s[0..n) needs escaping in JSON as pw_buf_json_string writes it: none below
 * 0x20, none from 0x7f on, no '"' and no '\\'. Eight bytes at a time (each test below is exact
 * for "some byte of the word"): a record's strings are ~150 bytes, checked a byte and four
 * comparisons at a time before. */
int pw_audit_json_plain(const char *s, size_t n)
{
    const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
    size_t i = 0;
#if defined(__SSE2__) && !defined(PW_NO_SSE2)
    /* sixteen bytes at a time first (every x86-64 has SSE2): the same four tests */
    const __m128i quote = _mm_set1_epi8('"'), bslash = _mm_set1_epi8('\\'),
                  space = _mm_set1_epi8(0x20), del = _mm_set1_epi8(0x7f);
    while (i < n && n >= 16) {
        if (i + 16 > n)
            i = n - 16; /* the last sixteen, overlapping bytes already seen: no tail loop */
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
        __m128i bad = _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, bslash));
        bad = _mm_or_si128(bad, _mm_cmplt_epi8(v, space)); /* signed: also 0x80-0xff */
        bad = _mm_or_si128(bad, _mm_cmpeq_epi8(v, del));
        if (_mm_movemask_epi8(bad))
            return 0;
        i += 16;
    }
#endif
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        uint64_t q = w ^ (ones * '"'), bs = w ^ (ones * '\\');
        uint64_t bad = ((w - ones * 0x20) & ~w) /* a byte below 0x20 */
                       | (w + ones) | w         /* 0x7f and up: the high bit after + 1 */
                       | ((q - ones) & ~q)      /* a '"' */
                       | ((bs - ones) & ~bs);   /* a '\\' */
        if (bad & highs)
            return 0;
    }
    for (; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\')
            return 0;
    }
    return 1;
}

static void put_json_string(pw_buf *b, const char *s, size_t n)
{
    if (!pw_audit_json_plain(s, n)) {
        pw_buf_json_string(b, s, n);
        return;
    }
    put(b, "\"", 1);
    put(b, s, n);
    put(b, "\"", 1);
}

/* `key` is the literal `,"name":`. */
static void put_str_member(pw_buf *b, const char *key, size_t key_len, const char *val)
{
    if (!val)
        return;
    put(b, key, key_len);
    put_json_string(b, val, strlen(val));
}
#define PUT_STR(b, name, val) put_str_member(b, ",\"" name "\":", sizeof(",\"" name "\":") - 1, val)

/* The fields map is embedded as JSON when it is JSON, else kept as a string. */
static void format_fields(pw_buf *b, const char *fields_json, size_t n)
{
    yajl_val v = pw_gw_json_parse(fields_json, n, NULL, 0);
    if (v)
        pw_gw_json_emit(b, v);
    else
        pw_buf_json_string(b, fields_json, n);
    yajl_tree_free(v);
}

/* A policy yields the same few field maps over and over: remember how each was written. */
static void put_fields(pw_audit *a, pw_buf *b, const char *fields_json)
{
    if (!fields_json)
        return;
    PUT_LIT(b, ",\"fields\":");
    size_t n = strlen(fields_json);
    fields_memo *oldest = &a->fields[0];
    for (size_t i = 0; i < FIELDS_MEMO; i++) {
        fields_memo *m = &a->fields[i];
        if (m->src && m->src_len == n && memcmp(m->src, fields_json, n) == 0) {
            m->used = ++a->fields_clock;
            put(b, m->out, m->out_len);
            return;
        }
        if (m->used < oldest->used)
            oldest = m;
    }
    size_t start = b->len;
    if (pw_audit_fields_compact(fields_json, n))
        put(b, fields_json, n); /* what format_fields would write, with no parse */
    else
        format_fields(b, fields_json, n);
    if (b->failed || n > FIELDS_MEMO_MAX)
        return;
    /* Not remembered if out of memory: written the same, only not faster next time. */
    char *src = malloc(n + 1), *out = malloc(b->len - start + 1);
    if (!src || !out) {
        free(src);
        free(out);
        return;
    }
    free(oldest->src);
    free(oldest->out);
    memcpy(src, fields_json, n + 1);
    memcpy(out, b->data + start, b->len - start);
    *oldest = (fields_memo){
        .src = src, .src_len = n, .out = out, .out_len = b->len - start, .used = ++a->fields_clock};
}

/* `"time":"…"` value: the part up to the seconds changes once a second. */
static void put_time(pw_audit *a, pw_buf *b, int64_t ms)
{
    if (ms < 0) {
        char when[32];
        pw_audit_format_time(ms, when);
        pw_buf_puts(b, when);
        return;
    }
    if (ms / 1000 != a->time_sec || !a->time_prefix[0]) {
        char when[32];
        pw_audit_format_time(ms, when);
        memcpy(a->time_prefix, when, 19); /* "2026-11-28T17:53:00" */
        a->time_prefix[19] = '\0';
        a->time_sec = ms / 1000;
    }
    char frac[6] = {
        '.', (char)('0' + ms % 1000 / 100), (char)('0' + ms % 100 / 10), (char)('0' + ms % 10), 'Z',
        '\0'};
    put(b, a->time_prefix, 19);
    put(b, frac, 5);
}

/* Append one full line for rec as record `seq` chained to prev_hash; updates prev_hash
 * (a->mu held: the memos are the log's). middles (not NULL): its middle is kept there too. */
static void format_record(pw_audit *a, pw_buf *b, uint64_t seq, const pw_audit_record *rec,
                          char prev_hash[65], pw_buf *middles)
{
    size_t start = b->len;
    PUT_LIT(b, "{\"seq\":");
    put_u64(b, seq);
    size_t mid = b->len;
    PUT_LIT(b, ",\"time\":\"");
    put_time(a, b, rec->time_ms ? rec->time_ms : pw_gw_now_ms());
    PUT_LIT(b, "\",\"action\":\"");
    const char *action = pw_audit_action_name(rec->action);
    put(b, action, strlen(action));
    put(b, "\"", 1);
    PUT_STR(b, "event_id", rec->event_id);
    PUT_STR(b, "event_name", rec->event_name);
    PUT_STR(b, "destination", rec->destination);
    PUT_STR(b, "rule", rec->rule);
    put_fields(a, b, rec->fields_json);
    PUT_STR(b, "payload_sha256", rec->payload_sha256);
    if (rec->http_status) {
        PUT_LIT(b, ",\"http_status\":");
        if (rec->http_status < 0)
            put(b, "-", 1);
        put_u64(b, rec->http_status < 0 ? (uint64_t)(-(int64_t)rec->http_status)
                                        : (uint64_t)rec->http_status);
    }
    PUT_STR(b, "detail", rec->detail);
    if (middles && !b->failed) {
        pw_buf_append(middles, b->data + mid, b->len - mid);
        pw_buf_putc(middles, '\n');
    }
    pw_audit_end_line(b, start, prev_hash);
}

void pw_audit_end_line(pw_buf *b, size_t start, char prev_hash[65])
{
    PUT_LIT(b, ",\"prev_hash\":\"");
    put(b, prev_hash, 64);
    put(b, "\"", 1);
    if (b->failed)
        return;
    char hash[65];
    pw_gw_sha256_hex2(prev_hash, 64, b->data + start, b->len - start, hash);
    PUT_LIT(b, ",\"hash\":\"");
    put(b, hash, 64);
    if (b->cap - b->len > 3 && !b->failed) { /* room for the NUL after the record too */
        memcpy(b->data + b->len, "\"}\n", 4);
        b->len += 3;
    } else {
        pw_buf_append(b, "\"}\n", 3); /* and the NUL after the record */
    }
    memcpy(prev_hash, hash, 65);
}

void pw_audit_hash_zero(char out[65])
{
    memset(out, '0', 64);
    out[64] = '\0';
}

void pw_audit_chain_hash(const char prev_hash[65], const char *body, size_t n, char out[65])
{
    pw_gw_sha256_hex2(prev_hash, 64, body, n, out);
}

/* ---- appending ------------------------------------------------------------------------------ */

static pw_status write_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w ==
            0) /* no error from write(2) itself: name one, or the message names a stale errno */
            errno = EIO;
        if (w <= 0)
            return PW_ERR_IO;
        p += w;
        n -= (size_t)w;
    }
    return PW_OK;
}

/* A failed write or sync: the log is failing until a later write and sync succeed. */
static void note_failure(pw_audit *a)
{
    atomic_store(&a->failing, 1);
    atomic_fetch_add(&a->failures, 1);
}

/* Cut what a failed write left past the last full record (a->mu held), so that the chain on
 * disk ends with a whole record and the next append continues it. 0 when it could not be cut
 * (the next append tries again first). */
static int cut_failed_write(pw_audit *a)
{
    if (ftruncate(a->fd, a->end) != 0) {
        a->torn = 1;
        return 0;
    }
    a->torn = 0;
    return 1;
}

/* A failed fdatasync (a->sync_mu held): the records written since the last good sync may never
 * reach the disk, and Linux reports that once — the next fdatasync returns 0 without writing
 * them (fsyncgate). So they are cut from the log, which goes back to the last record known
 * durable (its seq and hash: the next record chains onto it), and their appenders are told
 * (`cuts`): each appends its records again. Ingest records appended without a sync (nobody
 * waits to append them again) are cut too, but the log keeps them (audit_kept.c) and its next
 * write puts them back first. */
static void cut_unsynced(pw_audit *a)
{
    pthread_mutex_lock(&a->mu);
    a->seq = a->synced_seq;
    a->end = a->synced_end;
    memcpy(a->last_hash, a->synced_hash, 65);
    a->cuts++;
    a->cut_to[a->cuts % CUT_MEMO] = a->synced_seq;
    pw_audit_kept_cut(&a->kept);
    cut_failed_write(a); /* if it fails, the next append (or probe) cuts first */
    pthread_mutex_unlock(&a->mu);
    a->cut_pending = 1; /* the next sync makes the shorter file durable, even with nothing new */
}

/* Whether a cut took the records up to `mine`, written when `cuts` cuts had been made (sync_mu
 * held). Only the first cut after they were written can: it went back to the last durable
 * record, and if that was theirs or a later one they are durable for good (later cuts go back no
 * further). Seqs are no help after that: the records appended after a cut take the cut ones'
 * seqs again. Too many cuts ago to tell: taken (the caller appends again, a duplicate at worst). */
static int cut_took(const pw_audit *a, uint64_t mine, uint64_t cuts)
{
    if (a->cuts == cuts)
        return 0;
    if (a->cuts - cuts > CUT_MEMO)
        return 1;
    return a->cut_to[(cuts + 1) % CUT_MEMO] < mine;
}

/* Tell the head sink the durable head (sync_mu held): when it moved and the interval passed, or
 * whenever it moved when `force`. */
static void tell_head(pw_audit *a, int force)
{
    if (!a->head_sink || a->head_told == a->synced_seq)
        return;
    int64_t now = pw_gw_mono_ms();
    if (!force && a->head_told != UINT64_MAX &&
        now - a->head_told_ms < (int64_t)a->head_interval_ms)
        return;
    a->head_told = a->synced_seq;
    a->head_told_ms = now;
    a->head_sink(a->head_ctx, a->synced_seq, a->synced_hash);
}

/* Make every record up to `mine` durable, sharing the sync with concurrent appenders. A failed
 * sync cuts what it did not make durable (cut_unsynced); `cuts` is what the caller saw when it
 * wrote its records: if a cut took them since, they are gone and the sync fails. */
static pw_status sync_upto(pw_audit *a, uint64_t mine, uint64_t cuts, pw_err *err)
{
    pw_status st = PW_OK;
    pthread_mutex_lock(&a->sync_mu);
    if (cut_took(a, mine, cuts)) {
        st = pw_err_set(err, PW_ERR_IO,
                        "%s: records cut after a failed fdatasync: appended again when retried",
                        a->path);
    } else if (a->synced_seq < mine || a->cut_pending) {
        pthread_mutex_lock(&a->mu);
        uint64_t written = a->seq;
        off_t written_end = a->end;
        char written_hash[65];
        memcpy(written_hash, a->last_hash, 65);
        pthread_mutex_unlock(&a->mu);
        if (fdatasync(a->fd) == 0) {
            a->cut_pending = 0;
            pthread_mutex_lock(&a->mu);
            a->synced_seq = written;
            a->synced_end = written_end;
            memcpy(a->synced_hash, written_hash, 65);
            pw_audit_kept_synced(&a->kept, written_end);
            pthread_mutex_unlock(&a->mu);
            tell_head(a, 0);
        } else {
            st = pw_err_set(err, PW_ERR_IO,
                            "%s: fdatasync: %s (the records not yet durable were cut)", a->path,
                            strerror(errno));
            note_failure(a);
            cut_unsynced(a);
        }
    }
    pthread_mutex_unlock(&a->sync_mu);
    return st;
}

/* Bytes a record can take: RECORD_FIXED (seq, time, action, http_status, the two hashes and the
 * keys) and each string escaped at worst (6 bytes a byte: \u001f, \ufffd). */
static size_t record_bound(const pw_audit_record *r)
{
    const char *strs[] = {r->event_id,    r->event_name,     r->destination, r->rule,
                          r->fields_json, r->payload_sha256, r->detail};
    size_t n = RECORD_FIXED;
    for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++)
        n += strs[i] ? 6 * strlen(strs[i]) + 24 : 0;
    return n;
}

/* Write what b holds of a batch so far (whole records) and empty it; *written counts it. */
static pw_status write_piece(pw_audit *a, pw_buf *b, off_t *written)
{
    pw_status st = b->failed ? PW_ERR_NOMEM : write_all(a->fd, b->data, b->len);
    if (st == PW_OK) {
        *written += (off_t)b->len;
        pw_buf_clear(b);
    }
    return st;
}

/* The batch buffer after an append: empty, and back to OUT_FLOOR when it grew past OUT_KEEP or
 * an append into it failed (its bytes are still there), so that the next batch finds its room. */
static void reset_out(pw_buf *b)
{
    if (b->cap > OUT_KEEP) {
        char *smaller = realloc(b->data, OUT_FLOOR);
        if (smaller) {
            b->data = smaller;
            b->cap = OUT_FLOOR;
        }
    }
    b->failed = 0;
    pw_buf_clear(b);
}

/* Write recs after the kept records a failed sync cut (they go back first, so they stay ahead of
 * whatever was written after them). keep: recs are the log's to write again if a cut takes them
 * (pw_audit_append_nosync), so the batch is written in one piece, kept whole in the buffer.
 * Otherwise (a synced append: a forwarder writes its outcomes after the upstream answered) it is
 * written in pieces whenever the next record might not fit in the buffer's room: no allocation
 * for records up to about 10 KiB each (OUT_FLOOR) and a fields map of the kind
 * pw_audit_fields_compact takes. *must_sync: they could not be kept (out of memory), so the
 * caller makes them durable now. *t: what to wait for. */
static pw_status write_records(pw_audit *a, const pw_audit_record *recs, size_t n,
                               const pw_buf *lines, int keep, pw_audit_ticket *t, int *must_sync,
                               pw_err *err)
{
    *must_sync = 0;
    pthread_mutex_lock(&a->mu);
    *t = (pw_audit_ticket){a->seq, a->cuts};
    if (n == 0 && !a->kept.cut && !(lines && lines->len)) {
        pthread_mutex_unlock(&a->mu);
        return PW_OK;
    }
    pw_buf *b = &a->out;
    if (a->torn && !cut_failed_write(a)) {
        int e = errno;
        pthread_mutex_unlock(&a->mu);
        note_failure(a);
        return pw_err_set(err, PW_ERR_IO, "%s: cutting a failed write: %s", a->path, strerror(e));
    }
    char hash[65];
    memcpy(hash, a->last_hash, 65);
    uint64_t seq = a->seq;
    pw_audit_kept *k = &a->kept;
    size_t kept_len = k->middles.len; /* what is kept without this write */
    int in_pieces = !keep && !k->cut; /* no record of the batch is the log's to keep */
    pw_buf_clear(b);
    if (!in_pieces)
        pw_buf_reserve(b, k->cut * 2 * k->middles.len + n * RECORD_GUESS);
    if (k->cut && !pw_audit_rechain_middles(b, k->middles.data, k->middles.len, &seq, hash))
        b->failed = 1; /* out of memory */
    if (lines && !pw_audit_rechain(b, lines->data, lines->len, &seq, hash))
        b->failed = 1; /* out of memory, or not lines of the log (pw_audit_append_lines) */
    off_t written = 0; /* bytes of the batch written in earlier pieces */
    /* The last sequence number of the whole write (kept records, lines, then recs): a failure
     * names the batch's count, not how many were formatted before a failing piece (none of it
     * stays in the log, and all of it is appended again). */
    uint64_t last_seq = seq + n;
    pw_status st = PW_OK;
    for (size_t i = 0; i < n && st == PW_OK; i++) {
        if (in_pieces && b->len && b->cap - b->len < record_bound(&recs[i]))
            st = write_piece(a, b, &written);
        if (st == PW_OK)
            format_record(a, b, ++seq, &recs[i], hash, keep ? &k->middles : NULL);
    }
    if (st == PW_OK)
        st = b->failed ? PW_ERR_NOMEM : write_all(a->fd, b->data, b->len);
    int saved_errno = errno;
    if (st == PW_OK) {
        a->seq = seq;
        a->end += written + (off_t)b->len;
        atomic_store(&a->last_write_ok, 1);
        memcpy(a->last_hash, hash, 65);
        if ((keep || k->cut) && !pw_audit_kept_written(k, a->end))
            *must_sync = 1;
    } else {
        pw_audit_kept_unwritten(k, kept_len);
        if (st == PW_ERR_IO)
            atomic_store(&a->last_write_ok, 0);
        if (st == PW_ERR_IO || written) /* a full disk may have taken part of the batch */
            cut_failed_write(a);
    }
    *t = (pw_audit_ticket){a->seq, a->cuts};
    reset_out(b);
    pthread_mutex_unlock(&a->mu);
    if (st != PW_OK) {
        note_failure(a);
        return pw_err_set(err, st, "%s: appending %llu record(s): %s", a->path,
                          (unsigned long long)(last_seq - t->seq),
                          st == PW_ERR_NOMEM ? "out of memory" : strerror(saved_errno));
    }
    return PW_OK;
}

pw_status pw_audit_write(pw_audit *a, const pw_audit_record *recs, size_t n, pw_audit_ticket *t,
                         pw_err *err)
{
    int must_sync;
    return write_records(a, recs, n, NULL, 0, t, &must_sync, err);
}

pw_status pw_audit_wait_durable(pw_audit *a, const pw_audit_ticket *t, pw_err *err)
{
    pw_status st = sync_upto(a, t->seq, t->cuts, err);
    if (st == PW_OK)
        atomic_store(&a->failing, 0);
    return st;
}

static pw_status append_records(pw_audit *a, const pw_audit_record *recs, size_t n, int sync,
                                pw_err *err)
{
    if (n == 0)
        return PW_OK;
    pw_audit_ticket t;
    int must_sync;
    pw_status st = write_records(a, recs, n, NULL, !sync, &t, &must_sync, err);
    return st == PW_OK && (sync || must_sync) ? pw_audit_wait_durable(a, &t, err) : st;
}

pw_status pw_audit_append_lines(pw_audit *a, const pw_buf *lines, pw_err *err)
{
    pw_audit_ticket t;
    int must_sync;
    pw_status st = write_records(a, NULL, 0, lines, 0, &t, &must_sync, err);
    return st == PW_OK ? pw_audit_wait_durable(a, &t, err) : st;
}

pw_status pw_audit_format_line_locked(pw_audit *a, const pw_audit_record *rec, pw_buf *out)
{
    char zero[65];
    pw_audit_hash_zero(zero);
    format_record(a, out, 0, rec, zero, NULL);
    return out->failed ? PW_ERR_NOMEM : PW_OK;
}

pw_status pw_audit_format_line(pw_audit *a, const pw_audit_record *rec, pw_buf *out)
{
    pthread_mutex_lock(&a->mu); /* the field memos are the log's */
    pw_status st = pw_audit_format_line_locked(a, rec, out);
    pthread_mutex_unlock(&a->mu);
    return st;
}

void pw_audit_head(pw_audit *a, uint64_t *seq, char hash[65], long long *end)
{
    pthread_mutex_lock(&a->mu);
    *seq = a->seq;
    memcpy(hash, a->last_hash, 65);
    *end = (long long)a->end;
    pthread_mutex_unlock(&a->mu);
}

pw_status pw_audit_read_at(pw_audit *a, long long off, size_t want, pw_buf *out, pw_err *err)
{
    pthread_mutex_lock(&a->mu);
    long long end = (long long)a->end;
    pthread_mutex_unlock(&a->mu);
    if (off < 0 || off >= end)
        return PW_OK;
    if ((long long)want > end - off)
        want = (size_t)(end - off);
    if (pw_buf_reserve(out, want + 1) != PW_OK)
        return pw_err_set(err, PW_ERR_NOMEM, "audit: out of memory");
    ssize_t got = pread(a->fd, out->data + out->len, want, (off_t)off);
    if (got < 0)
        return pw_err_set(err, PW_ERR_IO, "%s: %s", a->path, strerror(errno));
    out->len += (size_t)got;
    out->data[out->len] = '\0';
    return PW_OK;
}

pw_status pw_audit_hand_over_cut(pw_audit *a, pw_audit_keep_fn keep, void *ctx, size_t *n,
                                 pw_err *err)
{
    pthread_mutex_lock(&a->mu);
    *n = 0;
    pw_status st = PW_OK;
    if (a->kept.cut) { /* their lines, chained from 1 on (only their middles count) */
        pw_buf lines;
        pw_buf_init(&lines);
        uint64_t seq = 0;
        char hash[65];
        pw_audit_hash_zero(hash);
        if (!pw_audit_rechain_middles(&lines, a->kept.middles.data, a->kept.middles.len, &seq,
                                      hash))
            st = pw_err_set(err, PW_ERR_NOMEM, "audit: out of memory");
        else
            st = keep(ctx, lines.data, lines.len, err);
        pw_buf_free(&lines);
        *n = st == PW_OK ? (size_t)seq : 0;
        if (st == PW_OK)
            pw_audit_kept_free(&a->kept);
        else
            *n = 0;
    }
    pthread_mutex_unlock(&a->mu);
    return st;
}

pw_status pw_audit_append_batch(pw_audit *a, const pw_audit_record *recs, size_t n, pw_err *err)
{
    return append_records(a, recs, n, 1, err);
}

pw_status pw_audit_append_nosync(pw_audit *a, const pw_audit_record *recs, size_t n, pw_err *err)
{
    return append_records(a, recs, n, 0, err);
}

pw_status pw_audit_sync(pw_audit *a, pw_err *err)
{
    pw_audit_ticket t;
    int must_sync;
    pw_status st = write_records(a, NULL, 0, NULL, 0, &t, &must_sync, err); /* what a cut took */
    if (st != PW_OK)
        return st;
    pthread_mutex_lock(&a->mu);
    int torn = a->torn;
    pthread_mutex_unlock(&a->mu);
    st = sync_upto(a, t.seq, t.cuts, err);
    if (st == PW_OK && torn) /* what a failed write or sync left is not cut yet */
        st = pw_err_set(err, PW_ERR_IO, "%s: a failed write or sync is not cut yet", a->path);
    if (st == PW_OK && atomic_load(&a->last_write_ok))
        atomic_store(&a->failing, 0);
    return st;
}

const char *pw_audit_path(const pw_audit *a)
{
    return a && a->path ? a->path : "";
}

int pw_audit_failing(pw_audit *a)
{
    return a ? atomic_load(&a->failing) : 0;
}

unsigned long long pw_audit_failures(pw_audit *a)
{
    return a ? atomic_load(&a->failures) : 0;
}

long long pw_audit_torn_bytes_cut(pw_audit *a)
{
    return a ? (long long)a->torn_cut_at_open : 0;
}

/* Room for at least this much is asked of the disk before a failing log is tried again. */
#define PROBE_FREE_BYTES (64 * 1024)

pw_status pw_audit_probe(pw_audit *a, pw_err *err)
{
    if (!pw_audit_failing(a))
        return PW_OK;
    pthread_mutex_lock(&a->mu);
    int cut = !a->torn || cut_failed_write(a);
    pthread_mutex_unlock(&a->mu);
    if (!cut)
        return pw_err_set(err, PW_ERR_IO, "%s: cutting a failed write: %s", a->path,
                          strerror(errno));
    struct statvfs vs;
    if (fstatvfs(a->fd, &vs) == 0 &&
        (unsigned long long)vs.f_bavail * vs.f_frsize < (unsigned long long)PROBE_FREE_BYTES)
        return pw_err_set(err, PW_ERR_LIMIT, "%s: %llu bytes free on its disk", a->path,
                          (unsigned long long)vs.f_bavail * vs.f_frsize);
    pw_status st = pw_audit_sync(a, err); /* what was written before the failure */
    if (st == PW_OK)
        atomic_store(&a->failing, 0);
    return st;
}

pw_status pw_audit_append(pw_audit *a, const pw_audit_record *rec, pw_err *err)
{
    return pw_audit_append_batch(a, rec, 1, err);
}

uint64_t pw_audit_ingest_begin(pw_audit *a)
{
    return a ? pw_audit_gate_begin(&a->gate) : 0;
}

void pw_audit_ingest_end(pw_audit *a, const uint64_t *tickets, size_t n)
{
    if (a && n)
        pw_audit_gate_end(&a->gate, tickets, n);
}

uint64_t pw_audit_ingest_mark(pw_audit *a)
{
    return a ? pw_audit_gate_mark(&a->gate) : 0;
}

int pw_audit_ingest_wait(pw_audit *a, uint64_t mark, unsigned timeout_ms)
{
    return a ? pw_audit_gate_wait(&a->gate, mark, timeout_ms) : 1;
}

const char *pw_audit_resolve_path(const char *given)
{
    if (given)
        return given;
    const char *env = getenv(PW_AUDIT_PATH_ENV);
    return env && env[0] ? env : PW_AUDIT_DEFAULT_PATH;
}

void pw_audit_set_head_sink(pw_audit *a, pw_audit_head_fn sink, void *ctx, unsigned min_interval_ms)
{
    pthread_mutex_lock(&a->sync_mu);
    if (!sink && a->head_sink)
        tell_head(a, 1); /* the last head before the sink goes */
    a->head_sink = sink;
    a->head_ctx = ctx;
    a->head_interval_ms = min_interval_ms;
    a->head_told = UINT64_MAX;
    pthread_mutex_unlock(&a->sync_mu);
}

void pw_audit_durable_head(pw_audit *a, uint64_t *seq, char hash[65])
{
    pthread_mutex_lock(&a->sync_mu);
    pthread_mutex_lock(&a->mu);
    *seq = a->synced_seq;
    memcpy(hash, a->synced_hash, 65);
    pthread_mutex_unlock(&a->mu);
    pthread_mutex_unlock(&a->sync_mu);
}

pw_status pw_audit_continue_chain(pw_audit *a, uint64_t head_seq, const char head_hash[65],
                                  const pw_audit_record *rec, pw_err *err)
{
    pthread_mutex_lock(&a->sync_mu);
    pthread_mutex_lock(&a->mu);
    if (a->seq == 0 && a->end == 0 && !a->kept.cut && strlen(head_hash) == 64) {
        /* an empty file: its first record links to the remembered head */
        a->seq = a->synced_seq = head_seq;
        memcpy(a->last_hash, head_hash, 65);
        memcpy(a->synced_hash, head_hash, 65);
    }
    pthread_mutex_unlock(&a->mu);
    pthread_mutex_unlock(&a->sync_mu);
    return pw_audit_append_batch(a, rec, 1, err);
}

/* The file at the path, opened and locked for a reopen: *fd -1 when it is the open one. */
static pw_status open_rotated(pw_audit *a, int *fd, pw_err *err)
{
    *fd = -1;
    struct stat now, open_st;
    if (fstat(a->fd, &open_st) != 0)
        return pw_err_set(err, PW_ERR_IO, "%s: %s", a->path, strerror(errno));
    if (stat(a->path, &now) == 0 && now.st_dev == open_st.st_dev && now.st_ino == open_st.st_ino)
        return PW_OK;
    int created = access(a->path, F_OK) != 0;
    int nfd = open(a->path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (nfd < 0)
        return pw_err_set(err, PW_ERR_IO, "%s: %s", a->path, strerror(errno));
    pw_status st = PW_OK;
    if (created && !sync_parent_dir(a->path))
        st = pw_err_set(err, PW_ERR_IO, "%s: syncing its directory: %s", a->path, strerror(errno));
    if (st == PW_OK)
        st = pw_gw_lock_exclusive(nfd, a->path, err);
    if (st == PW_OK && (fstat(nfd, &now) != 0 || now.st_size != 0))
        st = pw_err_set(err, PW_ERR_INVALID,
                        "%s: the file now at the path is not empty (%lld bytes): not another "
                        "chain's file to append to; the log stays in the open (moved) file",
                        a->path, (long long)now.st_size);
    if (st != PW_OK) {
        close(nfd);
        return st;
    }
    *fd = nfd;
    return PW_OK;
}

pw_status pw_audit_reopen(pw_audit *a, int *reopened, pw_err *err)
{
    *reopened = 0;
    int fd;
    pw_status st = open_rotated(a, &fd, err);
    if (st != PW_OK || fd < 0)
        return st;
    st = pw_audit_sync(a, err); /* every record durable in the old file first */
    pthread_mutex_lock(&a->sync_mu);
    pthread_mutex_lock(&a->mu);
    if (st == PW_OK && !a->torn && !a->kept.cut && a->synced_seq != a->seq) {
        /* appended since the sync above: made durable here, with the appenders held */
        if (fdatasync(a->fd) == 0) {
            a->synced_seq = a->seq;
            a->synced_end = a->end;
            memcpy(a->synced_hash, a->last_hash, 65);
            pw_audit_kept_synced(&a->kept, a->end);
        }
    }
    if (st == PW_OK && (a->torn || a->kept.cut || a->kept.n_pieces || a->synced_seq != a->seq))
        st = pw_err_set(err, PW_ERR_IO,
                        "%s: records not yet durable in the old file: reopened at the next SIGHUP",
                        a->path);
    if (st == PW_OK) {
        /* The new file's first record chains onto the old file's last (seq and last_hash go on) */
        int old = a->fd;
        a->fd = fd;
        a->end = a->synced_end = 0;
        a->cut_pending = 0;
        close(old);
        *reopened = 1;
    }
    pthread_mutex_unlock(&a->mu);
    pthread_mutex_unlock(&a->sync_mu);
    if (st != PW_OK)
        close(fd);
    return st;
}
