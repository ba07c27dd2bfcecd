/* fuzz_gw_audit.c — `phiwall audit verify` on arbitrary bytes (gateway/audit_read.c): never a
 * crash; an intact verdict counts every line; a break names a line inside the input. Also the
 * --since time parser. */
#include "pw_fuzz.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "audit_internal.h"

static size_t count_lines(const uint8_t *d, size_t n)
{
    size_t lines = 0;
    for (size_t i = 0; i < n; i++)
        lines += d[i] == '\n';
    return lines + (n && d[n - 1] != '\n');
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
