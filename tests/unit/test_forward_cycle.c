/* test_forward_cycle.c — the forwarders' cheaper cycle keeps its behaviour: payloads copied when
 * already compact and re-emitted otherwise give the same bytes; GA4 visitors beyond one wave of
 * requests are all delivered, each in its own exact request; disclosed-field lists follow the
 * substring rule even for keys with quotes or commas, and payloads share a list only when their
 * shapes make the lists equal; a notification always wakes an idle
 * forwarder (no lost wake-up) while the forwarder polls rarely; forwarder threads run at the
 * configured nice value. */
#include "../mock/mock_upstream.c"

#include <dirent.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

#include "audit.h"
#include "forward.h"
#include "forward_internal.h"
#include "forward_plan.h"
#include "gw_json.h"
#include "gw_time.h"
#include "phiwall/text.h"
#include "gw_test_fwenv.h"
#include "pw_test.h"
#include "spool.h"

static void start(env *e, const pw_destination *d, unsigned poll_ms, int nice)
{
    pw_forward_opts o = {
        .retry_base_ms = 20, .retry_max_ms = 100, .poll_ms = poll_ms, .nice = nice};
    CHECK_INT(pw_forwarders_start_opts(d, 1, e->spool, e->audit, &o, &e->fw, NULL), PW_OK);
}

/* ---- compact payloads ---------------------------------------------------------------- */

static void test_compact_rule(void)
{
    const char *ok = "{\"a\":[1,-2.5e3,true,null],\"b\":\"x\\\"y\\\\z\\n\\t\\r\"}";
    CHECK(pw_fw_compact(ok, strlen(ok)));
    const char *not_compact[] = {
        "{\"a\": 1}",     "{\"a\":\"\\/\"}", "{\"a\":\"\\u0041\"}", "{\"a\":\"caf\xc3\xa9\"}",
        "{\"a\":1/*c*/}", "[1,\n2]",         "{\"a\":\"\\b\"}",     "{\"a\":\"\x7f\"}"};
    for (size_t i = 0; i < sizeof not_compact / sizeof not_compact[0]; i++)
        CHECK(!pw_fw_compact(not_compact[i], strlen(not_compact[i])));
    const char *cut[] = {"{\"a\":\"abc", "{\"a\":\"x\\", "{\"a\":\"\x01\"}", "{\"a\":\"x\\\""};
    for (size_t i = 0; i < sizeof cut / sizeof cut[0]; i++)
        CHECK(!pw_fw_compact(cut[i], strlen(cut[i])));
    /* Brackets, commas and escaped quotes inside strings do not end a member. */
    const char *q = "{\"a\":\"],}\\\"\",\"b\":[\"\\\\\",{\"c\":\"}\"}],\"d\":1}";
    CHECK(pw_fw_compact(q, strlen(q)));
    size_t qpos = 0, qn = 0;
    fw_span qm, qk, qv;
    const char *q_values[] = {"\"],}\\\"\"", "[\"\\\\\",{\"c\":\"}\"}]", "1"};
    while (pw_fw_compact_next(q, strlen(q), &qpos, &qm, &qk, &qv) && qn < 3) {
        CHECK_INT(qv.end - qv.start, strlen(q_values[qn]));
        CHECK(memcmp(q + qv.start, q_values[qn], strlen(q_values[qn])) == 0);
        qn++;
    }
    CHECK_INT(qn, 3);
    /* The nesting limit counts brackets outside strings only (escaped quotes stay inside). */
    const char *deep = "[\"[[[\\\"[[\",\"\\\\\",[[]]]";
    CHECK(pw_gw_json_nesting_ok(deep, strlen(deep), 3));
    CHECK(!pw_gw_json_nesting_ok(deep, strlen(deep), 2));
    CHECK(pw_gw_json_nesting_ok("[\"\\", 3, 1));
    const char *s =
        "{\"client_id\":\"c\",\"events\":[{\"name\":\"x\"},{\"a\":[1,{\"b\":2}]}],\"z\":{}}";
    size_t pos = 0, n = 0;
    fw_span m, k, v;
    const char *want_keys[] = {"client_id", "events", "z"};
    while (pw_fw_compact_next(s, strlen(s), &pos, &m, &k, &v)) {
        CHECK(n < 3);
        if (n < 3)
            CHECK(pw_fw_compact_key_is(s, k, want_keys[n]));
        n++;
    }
    CHECK_INT(n, 3);
}

#define META_TOKEN "tok-CYCLE-1"

static pw_destination meta_dest(env *e)
{
    return env_meta_dest(e, "77", META_TOKEN, GW_TEST_REQ_TIMEOUT_MS);
}

/* A compact payload is copied, a spaced one with escapes re-emitted: the body holds both in
 * canonical form, in lease order. */
static void test_compact_and_reemitted_same_body(void)
{
    env e;
    env_open(&e, "pw_fwc", "compact");
    long long t = pw_gw_now_ms() / 1000 - 30;
    char a[512], b[512], b_canon[512];
    const char *ud =
        "\"user_data\":{\"em\":[\"a665a45920422f9d417e4867efdc4fb8a04a1f3fff1fa07e998e8"
        "6f7f7a27ae3\"]}";
    snprintf(a, sizeof a,
             "{\"event_name\":\"Lead\",\"event_time\":%lld,\"event_id\":\"c-a\",\"action_source\":"
             "\"website\",%s,\"custom_data\":{\"note\":\"say \\\"hi\\\"\\n\"}}",
             t, ud);
    snprintf(b, sizeof b,
             "{ \"event_name\" : \"Lead\", \"event_time\": %lld, \"event_id\":\"c-b\","
             "\"action_source\":\"website\", %s, \"custom_data\":{\"note\":\"caf\\u00e9 \\/\"}}",
             t, ud);
    snprintf(b_canon, sizeof b_canon,
             "{\"event_name\":\"Lead\",\"event_time\":%lld,\"event_id\":\"c-b\",\"action_source\":"
             "\"website\",%s,\"custom_data\":{\"note\":\"caf\xc3\xa9 /\"}}",
             t, ud);
    put_raw(&e, "meta", "c-a", a, pw_gw_now_ms());
    put_raw(&e, "meta", "c-b", b, pw_gw_now_ms());
    pw_destination d = meta_dest(&e);
    start(&e, &d, 10, 0);
    CHECK(drained(&e, "meta", GW_TEST_WAIT_MS));
    CHECK_INT(mock_upstream_count(e.mock), 1);
    const mock_request *r = mock_upstream_request(e.mock, 0);
    char want[2048];
    snprintf(want, sizeof want, "{\"data\":[%s,%s],\"access_token\":\"" META_TOKEN "\"}", a,
             b_canon);
    if (r)
        CHECK_STR(r->body, want);
    env_close(&e);
}

/* ---- GA4: more visitors than one wave ------------------------------------------------ */

static void test_ga4_visitors_beyond_one_wave(void)
{
    env e;
    env_open(&e, "pw_fwc", "ga4wave");
    enum { N = 250 };
    long long t = pw_gw_now_ms() / 1000;
    char id[32], p[512];
    for (int i = 0; i < N; i++) {
        snprintf(id, sizeof id, "v-%03d", i);
        snprintf(p, sizeof p,
                 "{\"client_id\":\"visitor-%03d\",\"timestamp_micros\":%lld000000,\"events\":[{"
                 "\"name\":\"generate_lead\",\"params\":{\"value\":%d}}]}",
                 i, t, i);
        put_raw(&e, "ga4", id, p, pw_gw_now_ms());
    }
    pw_destination d = {.name = "ga4",
                        .kind = PW_DEST_GA4_MP,
                        .base_url = mock_upstream_base(e.mock),
                        .measurement_id = "G-W",
                        .api_secret = "sec-W",
                        .timeout_ms = GW_TEST_REQ_TIMEOUT_MS};
    start(&e, &d, 10, 0);
    CHECK(drained(&e, "ga4", GW_TEST_WAIT_MS));
    CHECK_INT(mock_upstream_count(e.mock), N);
    int seen[N] = {0};
    for (size_t i = 0; i < mock_upstream_count(e.mock); i++) {
        const mock_request *r = mock_upstream_request(e.mock, i);
        int v = -1;
        if (!r ||
            sscanf(r->body,
                   "{\"consent\":{\"ad_user_data\":\"DENIED\",\"ad_personalization\":"
                   "\"DENIED\"},\"client_id\":\"visitor-%d\"",
                   &v) != 1 ||
            v < 0 || v >= N) {
            CHECK(0);
            continue;
        }
        snprintf(p, sizeof p,
                 "{\"consent\":{\"ad_user_data\":\"DENIED\",\"ad_personalization\":\"DENIED\"},"
                 "\"client_id\":\"visitor-%03d\",\"timestamp_micros\":%lld000000,\"events\":[{"
                 "\"name\":\"generate_lead\",\"params\":{\"value\":%d}}]}",
                 v, t, v);
        CHECK_STR(r->body, p);
        seen[v]++;
    }
    for (int i = 0; i < N; i++)
        CHECK_INT(seen[i], 1);
    pw_forward_stats st;
    CHECK_INT(pw_forwarders_stats(e.fw, "ga4", &st), PW_OK);
    CHECK_INT((int)st.sent, N);
    CHECK_INT((int)st.batches, N);
    pw_forwarders_stop(e.fw);
    e.fw = NULL;
    pw_audit_verify_result res;
    CHECK_INT(pw_audit_verify_file(e.audit_path, &res, NULL), PW_OK);
    CHECK_INT((int)res.records, 2 * N); /* per event: "sending" before the request, "sent" */
    env_close(&e);
}

/* ---- disclosed fields: the substring rule, hash set or not --------------------------- */

/* The rule as first written: a path is listed unless `"path":` occurs in the list so far. */
static void ref_walk(yajl_val v, pw_buf *path, pw_buf *out)
{
    size_t mark = path->len;
    if (YAJL_IS_OBJECT(v) || YAJL_IS_ARRAY(v)) {
        size_t n = YAJL_IS_OBJECT(v) ? v->u.object.len : v->u.array.len;
        if (YAJL_IS_ARRAY(v))
            pw_buf_puts(path, "[]");
        size_t arr_mark = path->len;
        for (size_t i = 0; i < n; i++) {
            if (YAJL_IS_OBJECT(v)) {
                if (mark)
                    pw_buf_putc(path, '.');
                pw_buf_puts(path, v->u.object.keys[i]);
            }
            ref_walk(YAJL_IS_OBJECT(v) ? v->u.object.values[i] : v->u.array.values[i], path, out);
            path->len = YAJL_IS_OBJECT(v) ? mark : arr_mark;
            if (path->data)
                path->data[path->len] = '\0';
        }
        path->len = mark;
        if (path->data)
            path->data[mark] = '\0';
        return;
    }
    pw_buf key;
    pw_buf_init(&key);
    pw_buf_json_string(&key, path->data ? path->data : "", path->len);
    pw_buf_putc(&key, ':');
    if (!(out->data && strstr(out->data, key.data))) {
        pw_buf_putc(out, out->len ? ',' : '{');
        pw_buf_append(out, key.data, key.len);
        const char *s = YAJL_IS_STRING(v) ? YAJL_GET_STRING(v) : NULL;
        pw_buf_puts(out, s && pw_is_sha256_hex(s, strlen(s)) ? "\"sha256\"" : "\"value\"");
    }
    pw_buf_free(&key);
}

#define EMPTY_SHA256 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

static void test_fields_same_as_substring_rule(void)
{
    const char *payloads[] = {
        "{\"a\\\"b\":1,\"b\":2,\"dup\":1,\"dup\":2,\":x\":1,\",\":2,\"arr\":[{\"k\":1},{\"k\":2}]}",
        "{\"x\":{\"y\":[1,2,{\"z\":\"" EMPTY_SHA256 "\"}]},\"x.y\":1,\"x\":{\"y\":2},\"n\":[[[]]],"
        "\"e\":{}}",
        "{\"user_data\":{\"em\":[\"a\",\"b\"],\"ph\":[]},\"custom_data\":{\"v\":1}}",
        "[1,[2],{\"a\":[{\"a\":1}]}]",
        "\"top\"",
    };
    for (size_t i = 0; i < sizeof payloads / sizeof payloads[0]; i++) {
        yajl_val v = pw_gw_json_parse(payloads[i], strlen(payloads[i]), NULL, 0);
        CHECK(v != NULL);
        pw_buf got, want, path;
        pw_buf_init(&got);
        pw_buf_init(&want);
        pw_buf_init(&path);
        pw_fw_fields_disclosed(v, &got);
        ref_walk(v, &path, &want);
        if (want.len == 0)
            pw_buf_putc(&want, '{');
        pw_buf_putc(&want, '}');
        CHECK_STR(got.data, want.data);
        pw_buf_free(&got);
        pw_buf_free(&want);
        pw_buf_free(&path);
        yajl_tree_free(v);
    }
    /* more leaves than the hash set holds */
    pw_buf big, got, want, path;
    pw_buf_init(&big);
    pw_buf_puts(&big, "{");
    for (int i = 0; i < 80; i++)
        pw_buf_printf(&big, "%s\"k%d\":%d,\"k%d\":1", i ? "," : "", i % 50, i, i % 7);
    pw_buf_puts(&big, "}");
    yajl_val v = pw_gw_json_parse(big.data, big.len, NULL, 0);
    pw_buf_init(&got);
    pw_buf_init(&want);
    pw_buf_init(&path);
    pw_fw_fields_disclosed(v, &got);
    ref_walk(v, &path, &want);
    pw_buf_putc(&want, '}');
    CHECK_STR(got.data, want.data);
    pw_buf_free(&got);
    pw_buf_free(&want);
    pw_buf_free(&path);
    pw_buf_free(&big);
    yajl_tree_free(v);
}

static int fields_equal(yajl_val a, yajl_val b)
{
    pw_buf fa, fb;
    pw_buf_init(&fa);
    pw_buf_init(&fb);
    pw_fw_fields_disclosed(a, &fa);
    pw_fw_fields_disclosed(b, &fb);
    int same = fa.len == fb.len && memcmp(fa.data, fb.data, fa.len) == 0;
    pw_buf_free(&fa);
    pw_buf_free(&fb);
    return same;
}

/* Items of the same shape reuse one field list: the shape test says "same" only when the lists
 * are equal, and tells apart what changes a list (key order, a hash in place of a value, array
 * lengths, nesting). */
static void test_same_fields_only_when_lists_equal(void)
{
    const char *payloads[] = {
        "{\"client_id\":\"1\",\"events\":[{\"name\":\"a\",\"params\":{\"v\":1}}]}",
        "{\"client_id\":\"2\",\"events\":[{\"name\":\"b\",\"params\":{\"v\":\"x\"}}]}",
        "{\"events\":[{\"name\":\"a\",\"params\":{\"v\":1}}],\"client_id\":\"1\"}",
        "{\"client_id\":\"1\",\"events\":[{\"name\":\"a\",\"params\":{\"v\":1}},{\"name\":"
        "\"a\",\"params\":{\"v\":1}}]}",
        "{\"user_data\":{\"em\":[\"" EMPTY_SHA256 "\"]},\"e\":1}",
        "{\"user_data\":{\"em\":[\"" EMPTY_SHA256 "\"]},\"e\":\"" EMPTY_SHA256 "\"}",
        "{\"user_data\":{\"em\":[\"nothash\"]},\"e\":1}",
        "{\"user_data\":{\"em\":[]},\"e\":1}",
        "{\"user_data\":{\"em\":{}},\"e\":1}",
        "{\"user_data\":{\"em\":1},\"e\":1}",
        "{\"a\":{\"b\":1}}",
        "{\"a.b\":1}",
        "{\"a\":[1,2]}",
        "{\"a\":[1,null]}",
        "[1,{\"a\":2}]",
        "\"top\"",
        "7",
    };
    enum { N = sizeof payloads / sizeof payloads[0] };
    yajl_val v[N];
    for (size_t i = 0; i < N; i++)
        CHECK((v[i] = pw_gw_json_parse(payloads[i], strlen(payloads[i]), NULL, 0)) != NULL);
    for (size_t i = 0; i < N; i++)
        for (size_t j = 0; j < N; j++)
            if (pw_fw_same_fields(v[i], v[j]))
                CHECK(fields_equal(v[i], v[j]));
    CHECK(pw_fw_same_fields(v[0], v[1])); /* other values, same shape */
    CHECK(pw_fw_same_fields(v[12], v[13]));
    CHECK(pw_fw_same_fields(v[15], v[16]));
    CHECK(!pw_fw_same_fields(v[0], v[2])); /* key order */
    CHECK(!pw_fw_same_fields(v[0], v[3])); /* array length (the list happens to be equal) */
    CHECK(!pw_fw_same_fields(v[4], v[5])); /* a hash in place of a value */
    CHECK(!pw_fw_same_fields(v[4], v[6]));
    CHECK(!pw_fw_same_fields(v[7], v[8]));
    CHECK(!pw_fw_same_fields(v[8], v[9]));
    CHECK(!pw_fw_same_fields(v[10], v[11])); /* same path text, other nesting */
    for (size_t i = 0; i < N; i++) {
        CHECK(pw_fw_same_fields(v[i], v[i]));
        yajl_tree_free(v[i]);
    }
}

/* ---- wake-ups and priority ------------------------------------------------------------ */

static pw_destination hook_dest(env *e, char *url, size_t cap)
{
    pw_buf u;
    pw_buf_init(&u);
    pw_buf_printf(&u, "%s/hook", mock_upstream_base(e->mock));
    snprintf(url, cap, "%.*s", (int)(cap - 1), u.data ? u.data : "");
    pw_buf_free(&u);
    pw_destination d = {.name = "hook", .kind = PW_DEST_WEBHOOK, .url = url};
    return d;
}

/* The forwarder's idle poll (120 s) is longer than the test may run (CTest's TIMEOUT 120): each
 * delivery comes from a notification. (It polled every 10 s and each delivery had to come
 * within 1 s, which a loaded machine or valgrind exceeded.) */
static void test_notify_wakes_idle_forwarder(void)
{
    env e;
    env_open(&e, "pw_fwc", "notify");
    char url[256], id[32];
    pw_destination d = hook_dest(&e, url, sizeof url);
    start(&e, &d, 120000, 0);
    usleep(50000); /* asleep in its idle poll */
    for (int i = 0; i < 20; i++) {
        snprintf(id, sizeof id, "n-%d", i);
        put_raw(&e, "hook", id, "{\"n\":1}", pw_gw_now_ms());
        pw_forwarders_notify(e.fw);
        pw_forwarders_notify(e.fw); /* a second one while it works costs no extra wake-up */
        if (!drained(&e, "hook", 30000)) {
            CHECK(0);
            break;
        }
        if (i % 4 == 0)
            usleep(60000); /* past the linger: asleep again */
    }
    CHECK_INT(mock_upstream_count(e.mock), 20);
    env_close(&e);
}

/* nice of the thread named `name` in this process, -100 when not found. */
static int thread_nice(const char *name)
{
    char path[320], buf[1024];
    snprintf(path, sizeof path, "/proc/%d/task", (int)getpid());
    DIR *d = opendir(path);
    struct dirent *de;
    int nice = -100;
    while (d && (de = readdir(d))) {
        if (de->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "/proc/%d/task/%.32s/stat", (int)getpid(), de->d_name);
        FILE *f = fopen(path, "r");
        if (!f)
            continue;
        size_t n = fread(buf, 1, sizeof buf - 1, f);
        fclose(f);
        buf[n] = '\0';
        char *open = strchr(buf, '('), *close = strrchr(buf, ')');
        if (!open || !close || (size_t)(close - open - 1) != strlen(name) ||
            strncmp(open + 1, name, strlen(name)) != 0)
            continue;
        char *p = close + 2; /* field 3 */
        for (int field = 3; field < 19 && p; field++)
            p = strchr(p, ' ') ? strchr(p, ' ') + 1 : NULL;
        if (p)
            nice = atoi(p); /* field 19 */
    }
    if (d)
        closedir(d);
    return nice;
}

static void test_forwarder_nice(void)
{
    int base = getpriority(PRIO_PROCESS, 0);
    int cases[][2] = {{7, base + 7 > 19 ? 19 : base + 7}, {0, base}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        env e;
        env_open(&e, "pw_fwc", "nice");
        char url[256];
        pw_destination d = hook_dest(&e, url, sizeof url);
        start(&e, &d, 10, cases[i][0]);
        int got = -100;
        for (int64_t until = pw_gw_mono_ms() + GW_TEST_WAIT_MS;
             got != cases[i][1] && pw_gw_mono_ms() < until;) {
            usleep(5000);
            got = thread_nice("pw-fwd-hook");
        }
        CHECK_INT(got, cases[i][1]);
        env_close(&e);
    }
}

PW_TEST_MAIN(PW_TEST(test_compact_rule), PW_TEST(test_compact_and_reemitted_same_body),
             PW_TEST(test_ga4_visitors_beyond_one_wave),
             PW_TEST(test_fields_same_as_substring_rule),
             PW_TEST(test_same_fields_only_when_lists_equal),
             PW_TEST(test_notify_wakes_idle_forwarder), PW_TEST(test_forwarder_nice))
