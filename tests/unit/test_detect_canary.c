/*
 * test_detect_canary.c — caller-supplied values found in every encoding. Expected digests were
 * computed outside phiwall (Python hashlib/base64) and are written here as constants.
 */
#include "detect_helpers.h"
#include "pw_test.h"

static dt_ctx T;

static const pw_canary canaries[] = {
    {"email", "  Jane.Doe@Example.com ", PW_CANARY_EMAIL},
    {"phone", "+1 (617) 555-0123", PW_CANARY_PHONE},
    {"dob", "03/14/1985", PW_CANARY_DATE},
    {"zip", "02115-1234", PW_CANARY_ZIP},
    {"gender", "Female", PW_CANARY_GENDER},
    {"first name", "Jane", PW_CANARY_NAME},
};

/* One canary hit with this encoding and label covering exactly `want`. */
static void expect_canary(const char *key, const char *s, const char *enc, const char *label,
                          const char *want)
{
    dt_scan(&T, key, s, PW_FT_URL);
    const pw_hit *found = NULL;
    for (size_t i = 0; i < T.n; i++)
        if (T.h[i].category == PW_PHI_CANARY && strcmp(T.h[i].subtype, enc) == 0)
            found = &T.h[i];
    if (!found)
        fprintf(stderr, "  no %s canary in %s\n", enc, s);
    CHECK(found != NULL);
    if (!found)
        return;
    CHECK_STR(found->reason_detail, label);
    CHECK_INT(found->reason, PW_REASON_CANARY);
    CHECK_STR(dt_text(&T, found), want);
}

static void test_hashes(void)
{
    expect_canary(NULL,
                  "https://www.facebook.com/tr/?id=1&ev=Lead&ud[em]="
                  "86e0b9e56c17cc4d12387e1949b85053fbe73bc3ce5a1188713a9d300cc6133d",
                  "sha256", "email",
                  "86e0b9e56c17cc4d12387e1949b85053fbe73bc3ce5a1188713a9d300cc6133d");
    expect_canary(NULL, "https://t.example/p?u_hem=0CBA00CA3DA1B283A57287BCCEB17E35", "md5",
                  "email", "0CBA00CA3DA1B283A57287BCCEB17E35");
    expect_canary(NULL, "https://t.example/p?x=a3caddb38202511eab803116294dc020f7c4f8a2", "sha1",
                  "email", "a3caddb38202511eab803116294dc020f7c4f8a2");
    /* phone: 10 digits and with the country code 1 */
    expect_canary(NULL,
                  "https://t.example/p?udff[ph]="
                  "959a065f91f39e86f9e4df5fbf1b9a7005aa92f795d1cdf8318f3c1707701651",
                  "sha256", "phone",
                  "959a065f91f39e86f9e4df5fbf1b9a7005aa92f795d1cdf8318f3c1707701651");
    expect_canary(NULL,
                  "https://t.example/p?ph="
                  "a7a662f2f32fdc1938d1c740aeb232c70bfef019d4bc1481215601590e394e03",
                  "sha256", "phone",
                  "a7a662f2f32fdc1938d1c740aeb232c70bfef019d4bc1481215601590e394e03");
    /* date as YYYYMMDD, ZIP5, gender f */
    expect_canary(NULL,
                  "https://t.example/p?db="
                  "c4b764d299880a206e9e10853d86d1310e72a9f9a818094615797d62bea2dd6c",
                  "sha256", "dob",
                  "c4b764d299880a206e9e10853d86d1310e72a9f9a818094615797d62bea2dd6c");
    expect_canary(NULL,
                  "https://t.example/p?zp="
                  "20ec61f3ed1ad73b23d92be3cfa03d02ce0e62af40a5346b54febd85584f3435",
                  "sha256", "zip",
                  "20ec61f3ed1ad73b23d92be3cfa03d02ce0e62af40a5346b54febd85584f3435");
    expect_canary(NULL,
                  "https://t.example/p?ge="
                  "252f10c83610ebca1a059c0bae8255eba2f95be4d1d7bcfa89d7248a82d9f111",
                  "sha256", "gender",
                  "252f10c83610ebca1a059c0bae8255eba2f95be4d1d7bcfa89d7248a82d9f111");
}

static void test_plain_and_encoded(void)
{
    expect_canary(NULL, "https://h.org/book?email=jane.doe%40example.com&x=1", "urlencoded",
                  "email", "jane.doe%40example.com");
    expect_canary(NULL, "https://h.org/book?e=amFuZS5kb2VAZXhhbXBsZS5jb20", "base64", "email",
                  "amFuZS5kb2VAZXhhbXBsZS5jb20");
    expect_canary(NULL, "https://h.org/book?n=JANE&z=1", "plain", "first name", "JANE");
    /* a formatted phone is matched through its normalised digits */
    dt_scan(&T, NULL, "call (617) 555-0123", PW_FT_TEXT);
    const pw_hit *h = dt_find(&T, PW_PHI_CANARY);
    CHECK(h != NULL);
    if (h) {
        CHECK_STR(h->reason_detail, "phone");
        CHECK_STR(dt_text(&T, h), "(617) 555-0123");
    }
    /* double-encoded inside a nested URL */
    expect_canary(NULL,
                  "https://www.facebook.com/tr/?dl=https%3A%2F%2Fh.org%2Fbook%3Femail%3Djane.doe%"
                  "2540example.com",
                  "urlencoded", "email", "jane.doe%2540example.com");
}

static void test_no_false_canary(void)
{
    /* gender "f" is only ever matched hashed; "Jane" not inside "Janet" */
    dt_scan(&T, NULL, "https://h.org/a?f=f&name=Janet", PW_FT_URL);
    CHECK(dt_find(&T, PW_PHI_CANARY) == NULL);
    dt_scan(&T, NULL,
            "https://h.org/a?h=0000000000000000000000000000000000000000000000000000000000000000",
            PW_FT_URL);
    CHECK(dt_find(&T, PW_PHI_CANARY) == NULL);
}

static void setup(void)
{
    CHECK(dt_open(&T, canaries, sizeof canaries / sizeof canaries[0]));
}

static void teardown(void)
{
    dt_close(&T);
}

PW_TEST_MAIN(PW_TEST(setup), PW_TEST(test_hashes), PW_TEST(test_plain_and_encoded),
             PW_TEST(test_no_false_canary), PW_TEST(teardown))
