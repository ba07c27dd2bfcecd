/* fuzz_gw_upstream_response.c — what the forwarders read from upstreams and from the spool:
 * Graph API and GA4 answers (gateway/forward_response.c), and the Meta/GA4/webhook validators,
 * group keys and disclosed-field lists run on arbitrary JSON. Strings copied out of answers must
 * stay bounded and free of control characters (they reach the audit log). A payload that
 * pw_fw_compact accepts must be byte for byte its own re-emission, its members as the scan finds
 * them must be those of the tree, and its GA4 group key the same by either path. Payloads of
 * the same shape (pw_fw_same_fields) must have the same disclosed-field list. The secret scrubber
 * (forward_scrub.c) run on the raw answer stays within its buffer and leaves no plain copy of the
 * secret. */
#include "pw_fuzz.h"
#include <stdint.h>
#include <string.h>

#include "forward_internal.h"
#include "forward_plan.h"
#include "gw_json.h"

static void check_clean(const char *s, size_t cap)
{
    size_t n = strnlen(s, cap);
    FUZZ_ASSERT(n < cap);
    for (size_t i = 0; i < n; i++)
        FUZZ_ASSERT((unsigned char)s[i] >= 0x20 && s[i] != 0x7f);
}

/* Payloads the shape test calls the same get the same disclosed-field list. */
static void check_same_fields(yajl_val a, yajl_val b)
{
    pw_buf fa, fb;
    pw_buf_init(&fa);
    pw_buf_init(&fb);
    pw_fw_fields_disclosed(a, &fa);
    pw_fw_fields_disclosed(b, &fb);
    FUZZ_ASSERT(fa.failed || fb.failed ||
                (fa.len == fb.len && memcmp(fa.data, fb.data, fa.len) == 0));
    pw_buf_free(&fa);
    pw_buf_free(&fb);
}

/* The compact path writes what re-emission writes. */
static void check_compact(const char *s, size_t n, yajl_val v, fw_item *it, const pw_buf *key)
{
    pw_buf b;
    pw_buf_init(&b);
    pw_gw_json_emit(&b, v);
    FUZZ_ASSERT(b.failed || (b.len == n && memcmp(b.data, s, n) == 0));
    if (YAJL_IS_OBJECT(v)) {
        size_t pos = 0, i = 0;
        fw_span m, k, val;
        for (; pw_fw_compact_next(s, n, &pos, &m, &k, &val); i++) {
            FUZZ_ASSERT(i < v->u.object.len);
            pw_buf_clear(&b);
            pw_gw_json_emit(&b, v->u.object.values[i]);
            FUZZ_ASSERT(b.failed || (b.len == val.end - val.start &&
                                     memcmp(b.data, s + val.start, b.len) == 0));
            FUZZ_ASSERT(pw_fw_compact_key_is(s, k, "events") ==
                        (strcmp(v->u.object.keys[i], "events") == 0));
        }
        FUZZ_ASSERT(i == v->u.object.len);
    }
    pw_buf_clear(&b);
    it->compact = 1;
    pw_fw_ga4_driver.group_key(it, &b);
    it->compact = 0;
    FUZZ_ASSERT(b.failed || key->failed ||
                (b.len == key->len && (b.len == 0 || memcmp(b.data, key->data, b.len) == 0)));
    pw_buf_free(&b);
}

static void run_drivers(const char *s, size_t n)
{
    yajl_val v = pw_gw_json_parse(s, n, NULL, 0);
    if (!v)
        return;
    const fw_driver *drivers[] = {&pw_fw_meta_driver, &pw_fw_ga4_driver, &pw_fw_webhook_driver};
    for (size_t i = 0; i < 3; i++) {
        char why[256] = "";
        size_t events = 0;
        if (drivers[i]->validate(v, 1795000000000LL, &events, why, sizeof why))
            FUZZ_ASSERT(strnlen(why, sizeof why) < sizeof why && why[0]);
        else
            FUZZ_ASSERT(events >= 1 && events <= 1000);
    }
    pw_buf b;
    pw_buf_init(&b);
    pw_spool_item sp = {.payload = s, .payload_len = n};
    fw_item it = {.spool = &sp, .json = v};
    pw_fw_ga4_driver.group_key(&it, &b);
    if (pw_fw_compact(s, n))
        check_compact(s, n, v, &it, &b);
    pw_buf_clear(&b);
    pw_fw_fields_disclosed(v, &b);
    FUZZ_ASSERT(b.failed || (b.len >= 2 && b.data[0] == '{' && b.data[b.len - 1] == '}'));
    pw_buf_clear(&b);
    pw_gw_json_emit(&b, v);
    yajl_val again = b.failed ? NULL : pw_gw_json_parse(b.data, b.len, NULL, 0);
    FUZZ_ASSERT(b.failed || again); /* compact re-emission is valid JSON */
    FUZZ_ASSERT(pw_fw_same_fields(v, v));
    if (again && pw_fw_same_fields(v, again)) /* a shared field list is the same list */
        check_same_fields(v, again);
    yajl_tree_free(again);
    pw_buf_free(&b);
    yajl_tree_free(v);
}

static void check_scrub(const char *s, size_t n)
{
    static const char secret[] = "EAAB+x/y=tok%SECRET\\1234";
    char buf[385];
    size_t k = n < sizeof buf - 1 ? n : sizeof buf - 1;
    memcpy(buf, s, k);
    buf[k] = '\0';
    pw_fw_scrub_secret(buf, sizeof buf, secret);
    FUZZ_ASSERT(strnlen(buf, sizeof buf) < sizeof buf);
    FUZZ_ASSERT(strstr(buf, secret) == NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    check_scrub(s, size);
    pw_meta_response m;
    if (pw_fw_parse_meta_response(s, size, &m)) {
        check_clean(m.fbtrace_id, sizeof m.fbtrace_id);
        check_clean(m.message, sizeof m.message);
    }
    pw_ga4_response g;
    if (pw_fw_parse_ga4_response(s, size, &g))
        check_clean(g.first_message, sizeof g.first_message);
    run_drivers(s, size);
    return 0;
}
