/* fuzz_gw_audit_fields.c — which fields maps the audit log writes as they are given
 * (pw_audit_fields_compact, gateway/audit_fields.c), on arbitrary bytes: never a crash, and a map
 * it takes is one that parsing and emitting it again (the general way: pw_gw_json_parse and
 * pw_gw_json_emit) gives back byte for byte, so a record says the same either way. */
#include "pw_fuzz.h"
#include <string.h>

#include "audit_internal.h"
#include "gw_json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *in = (const char *)data;
    if (!pw_audit_fields_compact(in, size))
        return 0;
    yajl_val v = pw_gw_json_parse(in, size, NULL, 0);
    FUZZ_ASSERT(v != NULL);
    pw_buf out;
    pw_buf_init(&out);
    FUZZ_ASSERT(pw_gw_json_emit(&out, v) == PW_OK);
    FUZZ_ASSERT(out.len == size && memcmp(out.data, in, size) == 0);
    pw_buf_free(&out);
    yajl_tree_free(v);
    return 0;
}
