/* fuzz_gw_audit_rechain.c — the audit log's re-chaining of record lines (gateway/audit_kept.c),
 * which the restore of held records and the write-back of cut records use on lines read back
 * from the spool or the log, on arbitrary bytes: never a crash; a middle found lies inside its
 * line; re-chained lines keep their middles, get seqs from 1 on and each prev_hash is the hash of
 * the line before (the first chains onto zeros). The same from the lines' middles (what the log
 * keeps of unsynced records: pw_audit_rechain_middles) gives the same bytes, and on the input
 * taken as middles it never crashes. */
#include "pw_fuzz.h"
#include <string.h>

#include "audit_internal.h"

static void check_rechained(const char *in, size_t n, const pw_buf *out, uint64_t last_seq)
{
    char prev[65];
    pw_audit_hash_zero(prev);
    if (!n) {
        FUZZ_ASSERT(out->len == 0 && last_seq == 0);
        return;
    }
    const char *p = in, *q = out->data, *q_end = out->data + out->len;
    uint64_t seq = 0;
    while (p < in + n) {
        const char *nl = memchr(p, '\n', (size_t)(in + n - p));
        const char *qnl = memchr(q, '\n', (size_t)(q_end - q));
        FUZZ_ASSERT(nl && qnl);
        const char *mid, *qmid;
        size_t mid_len, qmid_len;
        FUZZ_ASSERT(pw_audit_line_middle(p, (size_t)(nl - p), &mid, &mid_len));
        FUZZ_ASSERT(pw_audit_line_middle(q, (size_t)(qnl - q), &qmid, &qmid_len));
        FUZZ_ASSERT(mid_len == qmid_len && memcmp(mid, qmid, mid_len) == 0);
        char ph[65], h[65];
        uint64_t s;
        pw_audit_line_prev_hash(q, (size_t)(qnl - q), ph);
        FUZZ_ASSERT(strcmp(ph, prev) == 0);
        size_t body;
        FUZZ_ASSERT(pw_audit_split_line(q, (size_t)(qnl - q), &body, h));
        char want[65];
        pw_audit_chain_hash(prev, q, body, want);
        FUZZ_ASSERT(strcmp(h, want) == 0);
        if (pw_audit_parse_chain_link(q, (size_t)(qnl - q), &s, h, NULL) == PW_OK)
            FUZZ_ASSERT(s == seq + 1);
        seq++;
        memcpy(prev, h, 65);
        p = nl + 1;
        q = qnl + 1;
    }
    FUZZ_ASSERT(q == q_end && seq == last_seq);
}

/* The middles of the lines in (each with a newline), re-chained, give want's bytes. */
static void check_from_middles(const char *in, size_t n, const pw_buf *want)
{
    pw_buf mids, out;
    pw_buf_init(&mids);
    pw_buf_init(&out);
    for (const char *p = in; p < in + n;) {
        const char *nl = memchr(p, '\n', (size_t)(in + n - p));
        const char *mid;
        size_t mid_len;
        FUZZ_ASSERT(nl && pw_audit_line_middle(p, (size_t)(nl - p), &mid, &mid_len));
        pw_buf_append(&mids, mid, mid_len);
        pw_buf_putc(&mids, '\n');
        p = nl + 1;
    }
    uint64_t seq = 0;
    char hash[65];
    pw_audit_hash_zero(hash);
    FUZZ_ASSERT(pw_audit_rechain_middles(&out, mids.data, mids.len, &seq, hash));
    FUZZ_ASSERT(out.len == want->len && (!out.len || memcmp(out.data, want->data, out.len) == 0));
    pw_buf_free(&mids);
    pw_buf_free(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *in = (const char *)data;
    for (const char *p = in; p < in + size;) { /* every line, terminated or not */
        const char *nl = memchr(p, '\n', (size_t)(in + size - p));
        size_t len = nl ? (size_t)(nl - p) : (size_t)(in + size - p);
        const char *mid = NULL;
        size_t mid_len = 0;
        if (pw_audit_line_middle(p, len, &mid, &mid_len))
            FUZZ_ASSERT(mid > p && mid + mid_len <= p + len);
        p += len + 1;
    }
    pw_buf out;
    pw_buf_init(&out);
    uint64_t seq = 0;
    char hash[65];
    pw_audit_hash_zero(hash);
    if (pw_audit_rechain(&out, in, size, &seq, hash)) {
        check_rechained(in, size, &out, seq);
        check_from_middles(in, size, &out);
    }
    pw_buf_free(&out);
    pw_buf_init(&out);
    seq = 0;
    pw_audit_hash_zero(hash);
    pw_audit_rechain_middles(&out, in, size, &seq, hash);
    pw_buf_free(&out);
    return 0;
}
