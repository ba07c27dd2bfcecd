/* fuzz_gw_audit.c — `phiwall audit verify` on arbitrary bytes (gateway/audit_read.c): never a
 * crash; an intact verdict counts every line; a break names a line inside the input. The same
 * bytes cut at a line boundary into two files (a rotated log and its successor) and verified
 * together give the one-file verdict: the same records, head and break, the break named in the
 * file and at the line where it is. Also the --since time parser. */
#include "pw_fuzz.h"
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit.h"
#include "audit_internal.h"

static size_t count_lines(const uint8_t *d, size_t n)
{
    size_t lines = 0;
    for (size_t i = 0; i < n; i++)
        lines += d[i] == '\n';
    return lines + (n && d[n - 1] != '\n');
}

/* Two scratch files, made once per process in $TMPDIR (libFuzzer runs inputs one at a time). */
static char g_dir[256], g_old[300], g_new[300];

static void remove_scratch(void)
{
    unlink(g_old);
    unlink(g_new);
    rmdir(g_dir);
}

static int scratch_ready(void)
{
    if (g_dir[0])
        return 1;
    const char *tmp = getenv("TMPDIR");
    snprintf(g_dir, sizeof g_dir, "%s/fuzz-audit-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(g_dir)) {
        g_dir[0] = '\0';
        return 0;
    }
    snprintf(g_old, sizeof g_old, "%s/audit.log.1", g_dir);
    snprintf(g_new, sizeof g_new, "%s/audit.log", g_dir);
    atexit(remove_scratch);
    return 1;
}

static int write_whole(const char *path, const uint8_t *d, size_t n)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0)
        return 0;
    size_t off = 0;
    while (off < n) {
        ssize_t w = write(fd, d + off, n - off);
        if (w <= 0)
            break;
        off += (size_t)w;
    }
    close(fd);
    return off == n;
}

/* Where the k-th newline ends (0: the start). */
static size_t cut_after_newline(const uint8_t *d, size_t n, size_t k)
{
    size_t off = 0;
    for (size_t seen = 0; seen < k && off < n; off++)
        seen += d[off] == '\n';
    return off;
}

/* What follows "NAME:LINE: " in a verdict's message. */
static const char *after_place(const char *msg)
{
    const char *colon = strchr(msg, ':');
    colon = colon ? strchr(colon + 1, ':') : NULL;
    return colon ? colon : msg;
}

static void check_two_files(const uint8_t *data, size_t size, pw_status whole_st,
                            const pw_audit_verify_result *whole, const pw_err *whole_err)
{
    size_t full_lines = 0; /* lines ending in a newline: only those can end the first file */
    for (size_t i = 0; i < size; i++)
        full_lines += data[i] == '\n';
    size_t k = size % (full_lines + 1);
    size_t cut = cut_after_newline(data, size, k);
    if (!scratch_ready() || !write_whole(g_old, data, cut) ||
        !write_whole(g_new, data + cut, size - cut))
        return; /* no scratch space: nothing to compare (the one-file checks still ran) */
    const char *paths[2] = {g_old, g_new};
    pw_audit_verify_result res;
    pw_err err = {0};
    pw_status st = pw_audit_verify_files(paths, 2, &res, &err);
    FUZZ_ASSERT(st == whole_st);
    FUZZ_ASSERT(res.records == whole->records);
    FUZZ_ASSERT(strcmp(res.head_hash, whole->head_hash) == 0);
    if (st == PW_OK)
        return;
    FUZZ_ASSERT(res.bad_seq == whole->bad_seq);
    FUZZ_ASSERT(strcmp(after_place(err.msg), after_place(whole_err->msg)) == 0);
    const char *in = whole->bad_line <= k ? g_old : g_new;
    size_t line = whole->bad_line <= k ? whole->bad_line : whole->bad_line - k;
    char place[320];
    snprintf(place, sizeof place, "%s:%zu:", in, line);
    FUZZ_ASSERT(res.bad_line == line);
    FUZZ_ASSERT(strncmp(err.msg, place, strlen(place)) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    pw_audit_verify_result res;
    pw_err err = {0};
    pw_status st = pw_audit_verify_buf((const char *)data, size, "fuzz.log", &res, &err);
    size_t lines = count_lines(data, size);
    if (st == PW_OK) {
        FUZZ_ASSERT(res.records == lines);
        FUZZ_ASSERT(res.bad_line == 0);
    } else {
        FUZZ_ASSERT(st == PW_ERR_INVALID);
        FUZZ_ASSERT(res.bad_line >= 1 && res.bad_line <= lines);
        FUZZ_ASSERT(res.records == res.bad_line - 1);
        FUZZ_ASSERT(strncmp(err.msg, "fuzz.log:", 9) == 0);
    }
    check_two_files(data, size, st, &res, &err);
    uint64_t seq;
    char hash[65];
    pw_audit_parse_chain_link((const char *)data, size, &seq, hash, NULL);
    char *text = malloc(size + 1);
    if (text) {
        memcpy(text, data, size);
        text[size] = '\0';
        int64_t ms;
        pw_audit_parse_time(text, &ms, NULL);
        free(text);
    }
    return 0;
}
