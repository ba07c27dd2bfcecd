/* fuzz_decode_common.h — shared by the decode fuzz targets: a catalog loaded once per process
 * and the properties every decoded result must keep whatever the input. */
#ifndef FUZZ_DECODE_COMMON_H
#define FUZZ_DECODE_COMMON_H

#include <string.h>

#include "phiwall/decode.h"
#include "pw_fuzz.h"

static const pw_catalog *fuzz_catalog(const char *easyprivacy)
{
    static pw_catalog *c;
    if (!c) {
        pw_catalog_options o = {.easyprivacy_file = easyprivacy};
        if (pw_catalog_open(&o, &c, NULL) != PW_OK) {
            o.easyprivacy_file = "";
            o.easylist_file = "";
            FUZZ_ASSERT(pw_catalog_open(&o, &c, NULL) == PW_OK);
        }
    }
    return c;
}

/* Decode and check: a known status, sane beacons, every field NUL-terminated at value_len. */
static void fuzz_decode_check(const pw_catalog *c, pw_arena *a, const pw_request *r)
{
    pw_beacon *b = NULL;
    size_t n = 0;
    pw_err err;
    pw_status st = pw_decode(c, a, r, &b, &n, &err);
    FUZZ_ASSERT(st == PW_OK || st == PW_ERR_PARSE || st == PW_ERR_LIMIT);
    if (st != PW_OK)
        FUZZ_ASSERT(err.msg[0] != '\0');
    for (size_t i = 0; i < n; i++) {
        FUZZ_ASSERT(b[i].tracker && b[i].tracker->id);
        FUZZ_ASSERT(b[i].fields || b[i].n_fields == 0);
        for (size_t k = 0; k < b[i].n_fields; k++) {
            const pw_field *f = &b[i].fields[k];
            FUZZ_ASSERT(f->key && f->value && f->value[f->value_len] == '\0');
            FUZZ_ASSERT((unsigned)f->kind < PW_FIELD__COUNT);
            FUZZ_ASSERT((unsigned)f->object <= PW_OBJECT_PERSON);
        }
    }
}

#endif
