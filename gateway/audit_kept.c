/*
 * audit_kept.c — the records the audit log writes again itself (see audit.c). Ingest records
 * appended without a sync (pw_audit_append_nosync: their requests were answered already, nobody
 * waits to append them again) stay here until a sync covers them, each as its middle: the bytes
 * of its line but its seq, prev_hash and hash, which change when it is written back (kept whole,
 * they were a third more bytes to copy and hold). A failed sync cuts them from the file
 * (fsyncgate, audit.c); they stay here, and the next write of anyone puts them back first,
 * re-chained onto the record the log went back to: the same bytes but for seq, prev_hash and
 * hash.
 */
#include <stdlib.h>
#include <string.h>

#include "audit_internal.h"

/* `,"prev_hash":"<64>","hash":"<64>"}`: what ends every line the log writes. */
#define LINE_TAIL (sizeof(",\"prev_hash\":\"") - 1 + 64 + sizeof("\",\"hash\":\"") - 1 + 64 + 2)
#define LINE_HEAD (sizeof("{\"seq\":") - 1)

void pw_audit_kept_free(pw_audit_kept *k)
{
    pw_buf_free(&k->middles);
    free(k->pieces);
    *k = (pw_audit_kept){.middles = {0}};
}

static void clear(pw_audit_kept *k)
{
    pw_buf_clear(&k->middles);
    k->n_pieces = 0;
    k->cut = 0;
}

int pw_audit_kept_written(pw_audit_kept *k, off_t file_end)
{
    k->cut = 0;
    size_t last = k->n_pieces ? k->pieces[k->n_pieces - 1].buf_end : 0;
    if (k->middles.failed) {
        pw_buf_free(&k->middles); /* a failed buffer stays failed */
        k->n_pieces = 0;
        return 0;
    }
    if (k->middles.len == last)
        return 1; /* nothing kept by that write */
    if (k->n_pieces == k->cap_pieces) {
        size_t cap = k->cap_pieces ? k->cap_pieces * 2 : 8;
        pw_audit_kept_piece *grown = realloc(k->pieces, cap * sizeof *grown);
        if (!grown) {
            clear(k);
            return 0;
        }
        k->pieces = grown;
        k->cap_pieces = cap;
    }
    k->pieces[k->n_pieces++] = (pw_audit_kept_piece){file_end, k->middles.len};
    return 1;
}

void pw_audit_kept_unwritten(pw_audit_kept *k, size_t len)
{
    k->middles.failed = 0; /* a failed append left the bytes before it as they were */
    k->middles.len = len;
    if (k->middles.data)
        k->middles.data[len] = '\0';
}

void pw_audit_kept_synced(pw_audit_kept *k, off_t synced_end)
{
    size_t done = 0;
    while (done < k->n_pieces && k->pieces[done].file_end <= synced_end)
        done++;
    if (done == k->n_pieces) {
        clear(k);
        if (k->middles.cap > PW_AUDIT_KEPT_KEEP)
            pw_buf_free(&k->middles);
        return;
    }
    if (!done)
        return;
    size_t gone = k->pieces[done - 1].buf_end;
    memmove(k->middles.data, k->middles.data + gone, k->middles.len - gone);
    k->middles.len -= gone;
    k->middles.data[k->middles.len] = '\0'; /* a pw_buf's data stays a string */
    k->n_pieces -= done;
    memmove(k->pieces, k->pieces + done, k->n_pieces * sizeof *k->pieces);
    for (size_t i = 0; i < k->n_pieces; i++)
        k->pieces[i].buf_end -= gone;
}

void pw_audit_kept_cut(pw_audit_kept *k)
{
    if (!k->n_pieces)
        return; /* nothing kept, or cut already and not written back since */
    k->cut = 1;
    k->n_pieces = 0;
}

int pw_audit_line_middle(const char *line, size_t n, const char **mid, size_t *mid_len)
{
    if (n < LINE_HEAD + 1 + LINE_TAIL || memcmp(line, "{\"seq\":", LINE_HEAD) != 0)
        return 0;
    size_t i = LINE_HEAD;
    while (i < n && line[i] >= '0' && line[i] <= '9')
        i++;
    if (i == LINE_HEAD || n - i < LINE_TAIL ||
        memcmp(line + n - LINE_TAIL, ",\"prev_hash\":\"", 14) != 0)
        return 0;
    *mid = line + i;
    *mid_len = n - LINE_TAIL - i;
    return 1;
}

void pw_audit_line_prev_hash(const char *line, size_t n, char out[65])
{
    memcpy(out, line + n - LINE_TAIL + 14, 64);
    out[64] = '\0';
}

/* One record: `{"seq":N`, its middle, then prev_hash and hash (pw_audit_end_line). */
static void chain_one(pw_buf *b, const char *mid, size_t mid_len, uint64_t *seq, char hash[65])
{
    size_t start = b->len;
    pw_buf_printf(b, "{\"seq\":%llu", (unsigned long long)++*seq);
    pw_buf_append(b, mid, mid_len);
    pw_audit_end_line(b, start, hash);
}

int pw_audit_rechain(pw_buf *b, const char *lines, size_t n, uint64_t *seq, char hash[65])
{
    if (!n)
        return !b->failed;
    const char *p = lines, *end = lines + n;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *mid = NULL;
        size_t mid_len = 0;
        if (!nl || !pw_audit_line_middle(p, (size_t)(nl - p), &mid, &mid_len))
            return 0;
        chain_one(b, mid, mid_len, seq, hash);
        p = nl + 1;
    }
    return !b->failed;
}

int pw_audit_rechain_middles(pw_buf *b, const char *middles, size_t n, uint64_t *seq, char hash[65])
{
    if (!n) /* middles may be NULL: no pointer arithmetic on it */
        return !b->failed;
    for (const char *p = middles, *end = middles + n; p < end;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl)
            return 0;
        chain_one(b, p, (size_t)(nl - p), seq, hash);
        p = nl + 1;
    }
    return !b->failed;
}
