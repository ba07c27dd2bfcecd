/* test_decode_body.c — the body parsers on their own: form, multipart, JSON flattening, limits
 * (pairs, depth, body size) and hostile input giving errors with offsets. */
#include <stdlib.h>

#include "decode/decode_internal.h"
#include "pw_test.h"

static const char *get(const dk_pairs *p, const char *k)
{
    const char *v = dk_pairs_get(p, k);
    return v ? v : "(missing)";
}

static void form(void)
{
    pw_arena a;
    pw_arena_init(&a, 0);
    dk_pairs p = {0};
    const char *s = "a=1&b=x+y%2Bz&empty=&flag&c=%25252F&u=%E2%9C%93";
    CHECK_INT(dk_body_form(&a, s, strlen(s), &p, NULL), PW_OK);
    CHECK_INT(p.n, 6);
    CHECK_STR(get(&p, "b"), "x y+z");
    CHECK_STR(get(&p, "empty"), "");
    CHECK_STR(get(&p, "flag"), "");
    CHECK_STR(get(&p, "c"), "%252F"); /* exactly one layer */
    CHECK_STR(get(&p, "u"), "\xe2\x9c\x93");
    /* more pairs than the limit */
    size_t n = DK_MAX_PAIRS + 5;
    char *many = malloc(n * 2 + 1);
    for (size_t i = 0; i < n; i++) {
        many[2 * i] = 'k';
        many[2 * i + 1] = '&';
    }
    many[2 * n] = '\0';
    dk_pairs q = {0};
    pw_err err;
    CHECK_INT(dk_body_form(&a, many, 2 * n, &q, &err), PW_ERR_LIMIT);
    free(many);
    pw_arena_free(&a);
}

static void multipart(void)
{
    pw_arena a;
    pw_arena_init(&a, 0);
    const char *ct = "multipart/form-data; charset=utf-8; boundary=\"XyZ\"";
    const char *body = "preamble\r\n--XyZ\r\nContent-Disposition: form-data; name=\"id\"\r\n\r\n"
                       "42\r\n--XyZ\r\ncontent-disposition: form-data; name=ev; filename=\"a.txt\""
                       "\r\nContent-Type: text/plain\r\n\r\nline1\r\nline2\r\n--XyZ\r\n"
                       "Content-Disposition: form-data; name=\"pct\"\r\n\r\n%41+b\r\n--XyZ--\r\n";
    dk_pairs p = {0};
    CHECK_INT(dk_body_multipart(&a, ct, body, strlen(body), &p, NULL), PW_OK);
    CHECK_INT(p.n, 3);
    CHECK_STR(get(&p, "id"), "42");
    CHECK_STR(get(&p, "ev"), "line1\r\nline2");
    CHECK_STR(get(&p, "pct"), "%41+b"); /* multipart has no percent layer */
    /* LF-only line ends are accepted too */
    const char *lf = "--b\nContent-Disposition: form-data; name=\"k\"\n\nv\n--b--";
    dk_pairs q = {0};
    CHECK_INT(dk_body_multipart(&a, "multipart/form-data; boundary=b", lf, strlen(lf), &q, NULL),
              PW_OK);
    CHECK_STR(get(&q, "k"), "v");
    pw_err err;
    dk_pairs r = {0};
    CHECK_INT(dk_body_multipart(&a, "multipart/form-data", body, strlen(body), &r, &err),
              PW_ERR_PARSE); /* a preamble hides the boundary */
    CHECK(strstr(err.msg, "no boundary") != NULL);
    dk_pairs guessed = {0};
    CHECK_INT(dk_body_multipart(&a, "multipart/form-data", lf, strlen(lf), &guessed, NULL), PW_OK);
    CHECK_STR(get(&guessed, "k"), "v");
    CHECK_INT(
        dk_body_multipart(&a, "multipart/form-data; boundary=nope", body, strlen(body), &r, &err),
        PW_ERR_PARSE);
    const char *cut = "--XyZ\r\nContent-Disposition: form-data; name=\"id\"\r\n\r\n42";
    CHECK_INT(dk_body_multipart(&a, ct, cut, strlen(cut), &r, &err), PW_ERR_PARSE);
    CHECK(strstr(err.msg, "byte 52") != NULL);
    CHECK(strstr(err.msg, "'id'") != NULL);
    const char *nohdr = "--XyZ\r\nContent-Disposition: form-data; name=\"id\"";
    CHECK_INT(dk_body_multipart(&a, ct, nohdr, strlen(nohdr), &r, &err), PW_ERR_PARSE);
    pw_arena_free(&a);
}

static void json(void)
{
    pw_arena a;
    pw_arena_init(&a, 0);
    const char *s = "{\"a\":{\"b\":[1,{\"c\":\"d\\u00e9\"},[true,null]],\"e\":-1.5e3},\"f\":\"\"}";
    dk_pairs p = {0};
    CHECK_INT(dk_body_json(&a, "", s, strlen(s), &p, NULL), PW_OK);
    CHECK_INT(p.n, 6);
    CHECK_STR(get(&p, "a.b.0"), "1");
    CHECK_STR(get(&p, "a.b.1.c"), "d\xc3\xa9");
    CHECK_STR(get(&p, "a.b.2.0"), "true");
    CHECK_STR(get(&p, "a.b.2.1"), "null");
    CHECK_STR(get(&p, "a.e"), "-1.5e3");
    CHECK_STR(get(&p, "f"), "");
    dk_pairs q = {0};
    CHECK_INT(dk_body_json(&a, "cd[x]", "[\"v\",{\"k\":2}]", 13, &q, NULL), PW_OK);
    CHECK_STR(get(&q, "cd[x].0"), "v");
    CHECK_STR(get(&q, "cd[x].1.k"), "2");
    dk_pairs r = {0};
    CHECK_INT(dk_body_json(&a, "", "\"top\"", 5, &r, NULL), PW_OK);
    CHECK_STR(get(&r, ""), "top");
    /* errors: offset for syntax, field for depth */
    pw_err err;
    dk_pairs e = {0};
    CHECK_INT(dk_body_json(&a, "", "{\"a\":[1,2,}", 11, &e, &err), PW_ERR_PARSE);
    CHECK(strstr(err.msg, "json: byte") != NULL);
    CHECK_INT(dk_body_json(&a, "", "{\"a\":1} x", 9, &e, &err), PW_ERR_PARSE);
    CHECK_INT(dk_body_json(&a, "", "", 0, &e, &err), PW_ERR_PARSE);
    char deep[200];
    size_t n = 0;
    n += (size_t)snprintf(deep, sizeof deep, "{\"outer\":");
    for (int i = 0; i < 70; i++)
        deep[n++] = '[';
    CHECK_INT(dk_body_json(&a, "", deep, n, &e, &err), PW_ERR_LIMIT);
    CHECK(strstr(err.msg, "outer.0.0") != NULL);
    /* 64 levels are fine */
    n = 0;
    for (int i = 0; i < 63; i++)
        deep[n++] = '[';
    for (int i = 0; i < 63; i++)
        deep[n++] = ']';
    dk_pairs ok = {0};
    CHECK_INT(dk_body_json(&a, "", deep, n, &ok, &err), PW_OK);
    pw_arena_free(&a);
}

static void json_many_values(void)
{
    pw_arena a;
    pw_arena_init(&a, 0);
    size_t cap = DK_MAX_PAIRS * 2 + 16, n = 0;
    char *s = malloc(cap);
    s[n++] = '[';
    for (size_t i = 0; i <= DK_MAX_PAIRS; i++) {
        s[n++] = '1';
        s[n++] = ',';
    }
    s[n - 1] = ']';
    dk_pairs p = {0};
    pw_err err;
    CHECK_INT(dk_body_json(&a, "batch", s, n, &p, &err), PW_ERR_LIMIT);
    CHECK(strstr(err.msg, "batch.10000") != NULL);
    free(s);
    pw_arena_free(&a);
}

static void body_limit(void)
{
    pw_catalog_options o = {.easyprivacy_file = ""};
    pw_catalog *c;
    pw_err err;
    CHECK_INT(pw_catalog_open(&o, &c, &err), PW_OK);
    pw_arena a;
    pw_arena_init(&a, 0);
    size_t n = DK_MAX_BODY + 1;
    char *big = calloc(1, n);
    memset(big, 'a', n);
    pw_request r = {.method = "POST",
                    .url = "https://www.facebook.com/tr/",
                    .body = (const unsigned char *)big,
                    .body_len = n,
                    .content_type = "application/x-www-form-urlencoded"};
    pw_beacon *b;
    size_t nb;
    CHECK_INT(pw_decode(c, &a, &r, &b, &nb, &err), PW_ERR_LIMIT);
    CHECK(strstr(err.msg, "body") != NULL);
    free(big);
    pw_arena_free(&a);
    pw_catalog_free(c);
}

/* The kind of the object a pair sits in directly, by key (-1: no such pair). */
static int object_of(const dk_pairs *p, const char *k)
{
    const pw_kv *kv = dk_pairs_find(p, k);
    return kv ? (int)dk_pairs_object(p, kv) : -1;
}

/* Each member gets its own object's kind from that object's keys, whatever comes before or after
 * and whatever the parent: nested containers' pairs get theirs, an array's scalars none. */
static void json_object_kinds(void)
{
    pw_arena a;
    pw_arena_init(&a, 0);
    dk_pairs p = {0};
    const char *s = "{\"name\":\"Knee Brace\",\"data\":{\"name\":\"Jane Smith\",\"tags\":[\"a\"],"
                    "\"email\":\"j@example.org\"},\"items\":[{\"item_name\":\"Gel\"},"
                    "{\"note\":\"x\"}],\"price\":\"34.99\",\"ref\":{\"name\":\"Home\"}}";
    CHECK_INT(dk_body_json(&a, "", s, strlen(s), &p, NULL), PW_OK);
    CHECK_INT(object_of(&p, "name"), PW_OBJECT_THING); /* "price" comes later */
    CHECK_INT(object_of(&p, "price"), PW_OBJECT_THING);
    CHECK_INT(object_of(&p, "data.name"), PW_OBJECT_PERSON); /* "email" comes later */
    CHECK_INT(object_of(&p, "data.email"), PW_OBJECT_PERSON);
    CHECK_INT(object_of(&p, "data.tags.0"), PW_OBJECT_UNKNOWN);
    CHECK_INT(object_of(&p, "items.0.item_name"), PW_OBJECT_THING);
    CHECK_INT(object_of(&p, "items.1.note"), PW_OBJECT_UNKNOWN);
    CHECK_INT(object_of(&p, "ref.name"), PW_OBJECT_UNKNOWN);
    /* pairs pushed after the parse keep in step (no kind) */
    CHECK_INT(dk_pairs_push(&a, &p, "extra", 5, "v", 1, NULL), PW_OK);
    CHECK_INT(object_of(&p, "extra"), PW_OBJECT_UNKNOWN);
    CHECK_INT(object_of(&p, "data.name"), PW_OBJECT_PERSON);
    /* no object with a known kind: no list at all */
    dk_pairs q = {0};
    const char *t = "{\"a\":{\"b\":1},\"c\":[2]}";
    CHECK_INT(dk_body_json(&a, "", t, strlen(t), &q, NULL), PW_OK);
    CHECK(q.object == NULL);
    CHECK_INT(object_of(&q, "a.b"), PW_OBJECT_UNKNOWN);
    pw_arena_free(&a);
}

PW_TEST_MAIN(PW_TEST(form), PW_TEST(multipart), PW_TEST(json), PW_TEST(json_many_values),
             PW_TEST(json_object_kinds), PW_TEST(body_limit))
