/*
 * test_gw_policy_decode.c — the guard's escape and look-alike readings (gw_policy_unescape.c,
 * pw_detect_fold_lookalikes):
 * HTML character references, backslash escapes, %uXXXX and quoted-printable passed the PHI
 * check as written, and so did a word spelled wholly in Cyrillic/Greek look-alikes under
 * text_scripts: any. Each is now decoded and scanned again, and refused on a hit.
 */
#include <stdint.h>
#include <string.h>

#include "gw_policy.h"
#include "gw_policy_guard.h"
#include "gw_policy_unescape.h"
#include "gw_test_guard.h"
#include "gw_test_phi.h"
#include "phiwall/detect.h"
#include "pw_test.h"

static const char *decoded(pw_arena *a, const char *s)
{
    size_t n = 0;
    const char *v = pw_gw_unescape(a, s, strlen(s), &n);
    return v ? v : "(none)";
}

static void test_unescape(void)
{
    pw_arena a;
    pw_arena_init(&a, 0);
    CHECK_STR(decoded(&a, "&#72;&#73;&#86; positive"), "HIV positive");
    CHECK_STR(decoded(&a, "&#x48;&#X49;&#x56"), "HIV");
    CHECK_STR(decoded(&a, "h&#105;v"), "hiv");
    CHECK_STR(decoded(&a, "c&aacute;ncer &amp; &lt;b&gt; &szlig;"), "cancer & <b> ss");
    CHECK_STR(decoded(&a, "\\u0068\\u0069\\u0076"), "hiv");
    CHECK_STR(decoded(&a, "\\x68\\x69\\x76 \\u{1F600}"), "hiv \xF0\x9F\x98\x80");
    CHECK_STR(decoded(&a, "\\ud83d\\ude00"), "\xF0\x9F\x98\x80"); /* a surrogate pair */
    CHECK_STR(decoded(&a, "%u0068%U0069%u0076"), "hiv");
    CHECK_STR(decoded(&a, "=48=49=56 pos=\r\nitive"), "HIV positive");
    CHECK_STR(decoded(&a, "&#x41f;"), "\xD0\x9F"); /* П */
    /* Left as written: no escape, U+0000, a lone surrogate, beyond Unicode, unknown names. */
    CHECK_STR(decoded(&a, "Tom & Jerry; a=b; 50% off; C:\\path"), "(none)");
    CHECK_STR(decoded(&a, "&#0;&#xD800;\\udc00&#x110000;&bogus;\\x00=00"), "(none)");
    CHECK_STR(decoded(&a, "&#"), "(none)");
    CHECK_STR(decoded(&a, "\\u12"), "(none)");
    CHECK_STR(decoded(&a, "="), "(none)");
    pw_arena_free(&a);
}

static void test_escapes_refused(void)
{
    pw_arena a;
    pw_arena_init(&a, 0);
    static const char *const bad[] = {"&#72;&#73;&#86; positive",
                                      "&#x48;&#x49;&#x56;",
                                      "h&#105;v",
                                      "c&aacute;ncer",
                                      "\\u0068\\u0069\\u0076",
                                      "\\x68\\x69\\x76",
                                      "%u0068%u0069%u0076",
                                      "=48=49=56",
                                      "\\u{68}iv",
                                      "&amp;#72;&amp;#73;&amp;#86;",
                                      "%48&#73;\\x56",
                                      "=68=69=76 =00"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *why = guard(&a, bad[i], PW_GW_SCRIPTS_ANY);
        CHECK(why != NULL);
        if (!why)
            fprintf(stderr, "  passed: %s\n", bad[i]);
    }
    CHECK_STR(guard(&a, "h&#105;v", PW_GW_SCRIPTS_LATIN),
              "guard: escaped text (HTML references, \\u, %u, =XX), decoded, carries PHI: refused");
    /* Escapes of text that carries nothing, and bytes that are no text, refuse nothing. */
    static const char *const fine[] = {"Tom &amp; Jerry", "caf&eacute; hours", "x=10 y=FF",
                                       "\\u00e9t\\u00e9", "50% off; a=b"};
    for (size_t i = 0; i < sizeof fine / sizeof fine[0]; i++) {
        const char *why = guard(&a, fine[i], PW_GW_SCRIPTS_LATIN);
        CHECK(why == NULL);
        if (why)
            fprintf(stderr, "  refused: %s (%s)\n", fine[i], why);
    }
    pw_arena_free(&a);
}

static void test_lookalike_words(void)
{
    pw_arena a;
    pw_arena_init(&a, 0);
    size_t n = 0;
    /* Н І Ѵ (Cyrillic En, Byelorussian I, Izhitsa) */
    const char *hiv = "\xD0\x9D\xD0\x86\xD1\xB4 positive";
    CHECK_STR(pw_detect_fold_lookalikes(&a, hiv, strlen(hiv), &n), "HIV positive");
    CHECK_STR(guard(&a, hiv, PW_GW_SCRIPTS_ANY),
              "guard: look-alike letters (Cyrillic, Greek…), read as Latin, carry PHI: refused");
    /* Greek capitals: Η Ι (and a Latin-looking Cyrillic small і) */
    const char *greek = "\xCE\x97\xCE\x99\xD0\x92 test";
    CHECK_STR(pw_detect_fold_lookalikes(&a, greek, strlen(greek), &n), "HIB test");
    /* Real Russian and Greek text is left alone: words with letters that look like no Latin
     * one ("Привет": П, и, в… ; "καλημέρα": λ, η, μ) are not rewritten. */
    const char *ru = "\xD0\x9F\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82 "
                     "\xCE\xBA\xCE\xB1\xCE\xBB\xCE\xB7\xCE\xBC\xCE\xAD\xCF\x81\xCE\xB1";
    CHECK(pw_detect_fold_lookalikes(&a, ru, strlen(ru), &n) == NULL);
    CHECK(guard(&a, ru, PW_GW_SCRIPTS_ANY) == NULL);
    /* Cyrillic that folds to no term passes: "рак" (р а к) reads "pak". */
    const char *rak = "\xD1\x80\xD0\xB0\xD0\xBA";
    CHECK_STR(pw_detect_fold_lookalikes(&a, rak, strlen(rak), &n), "pak");
    CHECK(guard(&a, rak, PW_GW_SCRIPTS_ANY) == NULL);
    pw_arena_free(&a);
}

PW_TEST_MAIN(PW_TEST(test_unescape), PW_TEST(test_escapes_refused), PW_TEST(test_lookalike_words))
