/*
 * test_detect_vocab_words.c — health words written without a space or with digits glued to them
 * (engine-words): "cancer2024", "chemo2", "hivtesting", "breastcancerawareness", "HIVpositive",
 * "STDtest", hosts such as "www.hivclinic.com" are health context; words that merely contain a
 * term ("archive", "hivemind", "signals"), product and endpoint codes ("STD100", "iui3"), words
 * with a digit that are terms themselves ("covid19", "her2") and organisations named by a
 * specialty ("radiologypartners") are not split into a hit. Both vocabulary back ends, through
 * the detect API; the splitting rules (pw_vocab_digit_cut, pw_vocab_segment) on their own.
 */
#include <stdlib.h>

#include "detect/vocab.h"
#include "detect_helpers.h"
#include "pw_test.h"

static dt_ctx T;

/* The health hit of s whose text is `text` (NULL: s has no health hit at all). */
static void expect(const char *s, pw_field_type ft, const char *text)
{
    dt_scan(&T, NULL, s, ft);
    int found = 0, any = 0;
    for (size_t i = 0; i < T.n; i++) {
        if (T.h[i].category != PW_PHI_HEALTH)
            continue;
        any = 1;
        found |= text && strcmp(dt_text(&T, &T.h[i]), text) == 0;
    }
    if (text ? !found : any)
        fprintf(stderr, "  \"%s\": want %s%s\n", s, text ? "health hit " : "no health hit",
                text ? text : "");
    CHECK(text ? found : !any);
}

static void positives(void)
{
    expect("cancer2024", PW_FT_TEXT, "cancer");
    expect("mammogram2024", PW_FT_TEXT, "mammogram");
    expect("chemo2", PW_FT_TEXT, "chemo");
    expect("https://h.org/campaigns/Cancer2024/", PW_FT_URL, "Cancer");
    expect("breastcancer", PW_FT_TEXT, "breastcancer");
    expect("breastcancerawareness", PW_FT_TEXT, "breastcancer");
    expect("hivtesting", PW_FT_TEXT, "hivtesting");
    expect("HIVpositive", PW_FT_TEXT, "HIVpositive");
    expect("STDtest", PW_FT_TEXT, "STDtest");
    expect("prenatalcare", PW_FT_TEXT, "prenatalcare");
    expect("diabetescare", PW_FT_JSON_VALUE, "diabetescare");
    expect("www.hivclinic.com", PW_FT_TEXT, "hivclinic");
    expect("www.methadoneclinic.com", PW_FT_TEXT, "methadoneclinic");
    expect("www.aidsmap.com", PW_FT_TEXT, "aids");
    expect("https://h.org/lp/breastcancer2024", PW_FT_URL, "breastcancer");
    expect("Lump in my left breast, would like to see Dr. Marsh", PW_FT_TEXT,
           "Lump in my left breast");
    /* a virus and its type ("hiv2", "hcv2", "HIV-1" was found already) */
    expect("Tested for hiv2 today", PW_FT_TEXT, "hiv");
    expect("hiv1", PW_FT_JSON_VALUE, "hiv");
    expect("hcv2 genotype results", PW_FT_TEXT, "hcv");
    expect("https://h.org/conditions/hpv16-vaccine", PW_FT_URL, "hpv");
    expect("hsv2", PW_FT_TEXT, "hsv2");
    /* hashtags in text with spaces are split, as one-token fields are */
    expect("Proud to walk for #breastcancer awareness", PW_FT_TEXT, "breastcancer");
    expect("Join us for #hivtesting day", PW_FT_TEXT, "hivtesting");
    /* community words after a term ("cancerbuddies", "hivwarriors") */
    expect("www.cancerbuddies.org", PW_FT_TEXT, "cancer");
    expect("hivwarriors", PW_FT_JSON_VALUE, "hiv");
    expect("#autismmoms", PW_FT_TEXT, "autism");
    /* unchanged: a word with digits that is itself a term stays one word */
    expect("covid19", PW_FT_TEXT, "covid19");
    expect("BRCA1", PW_FT_TEXT, "BRCA1");
}

static void negatives(void)
{
    static const char *const clean[] = {"archive",
                                        "hivemind",
                                        "chemistry2024",
                                        "spacecenter",
                                        "www.thehive.com",
                                        "www.radiologypartners.com",
                                        "SKU-STD100",
                                        "MRI3000",
                                        "https://s.example.com/iui3?d=x",
                                        "signals",
                                        "ADD200X",
                                        "Apartments2024",
                                        "her2 2 children",
                                        "giftshop",
                                        "https://connect.facebook.net/signals/config/16606",
                                        "cardiologyassociates"};
    for (size_t i = 0; i < sizeof clean / sizeof clean[0]; i++)
        expect(clean[i], strncmp(clean[i], "https:", 6) ? PW_FT_TEXT : PW_FT_URL, NULL);
    /* a sentence's words are written apart: its long unknown words are not split, only its
     * hashtags, and those only into known words */
    expect("Read the hivtesting guide", PW_FT_TEXT, NULL);
    expect("Read the #archive and #hivemind posts", PW_FT_TEXT, NULL);
    expect("Dev builds: dev1 rev2 std1 iui3 abc12", PW_FT_TEXT, NULL);
}

static void test_ac(void)
{
    CHECK(dt_open(&T, NULL, 0));
    positives();
    negatives();
    dt_close(&T);
}

static void test_hyperscan(void)
{
    setenv("PHIWALL_VOCAB_BACKEND", "hyperscan", 1);
    int ok = dt_open(&T, NULL, 0);
    unsetenv("PHIWALL_VOCAB_BACKEND");
    if (!ok) { /* a build without Hyperscan */
        dt_close(&T);
        return;
    }
    positives();
    negatives();
    dt_close(&T);
}

static void test_digit_cut(void)
{
    CHECK_INT(pw_vocab_digit_cut("cancer2024", 10), 6);
    CHECK_INT(pw_vocab_digit_cut("2024cancer", 10), 4);
    CHECK_INT(pw_vocab_digit_cut("chemo2", 6), 5);
    CHECK_INT(pw_vocab_digit_cut("iui3", 4), 0); /* three letters: "iui3", "std1" */
    CHECK_INT(pw_vocab_digit_cut("std1", 4), 0);
    CHECK_INT(pw_vocab_digit_cut("hiv2", 4), 3); /* ... but a virus's type */
    CHECK_INT(pw_vocab_digit_cut("HPV16", 5), 3);
    CHECK_INT(pw_vocab_digit_cut("hiv123", 6), 0);       /* a longer number */
    CHECK_INT(pw_vocab_digit_cut("2hiv", 4), 0);         /* the number first */
    CHECK_INT(pw_vocab_digit_cut("cancer20245", 11), 0); /* an identifier's number */
    CHECK_INT(pw_vocab_digit_cut("h1n1", 4), 0);         /* several changes */
    CHECK_INT(pw_vocab_digit_cut("a8f3hiv92", 9), 0);
    CHECK_INT(pw_vocab_digit_cut("cancer", 6), 0);
    CHECK_INT(pw_vocab_digit_cut("2024", 4), 0);
}

static void test_segment(void)
{
    pw_vocab *v = NULL;
    CHECK_INT(pw_vocab_new(NULL, &v, NULL), PW_OK);
    uint8_t ends[PW_VOCAB_SEG_MAX];
    CHECK_INT(pw_vocab_segment(v, "hivclinic", 9, ends, PW_VOCAB_SEG_MAX), 2);
    CHECK_INT(ends[0], 3);
    CHECK_INT(ends[1], 9);
    CHECK_INT(pw_vocab_segment(v, "BreastCancerAwareness", 21, ends, PW_VOCAB_SEG_MAX), 3);
    CHECK_INT(pw_vocab_segment(v, "archive", 7, ends, PW_VOCAB_SEG_MAX), 0);
    CHECK_INT(pw_vocab_segment(v, "signals", 7, ends, PW_VOCAB_SEG_MAX), 0);     /* not sign+als */
    CHECK_INT(pw_vocab_segment(v, "example", 7, ends, PW_VOCAB_SEG_MAX), 0);     /* listed */
    CHECK_INT(pw_vocab_segment(v, "hiv2clinic", 10, ends, PW_VOCAB_SEG_MAX), 0); /* letters */
    CHECK_INT(pw_vocab_segment(v, "hivclinic", 9, ends, 1), 0);                  /* room */
    pw_vocab_free(v);
}

PW_TEST_MAIN(PW_TEST(test_digit_cut), PW_TEST(test_segment), PW_TEST(test_ac),
             PW_TEST(test_hyperscan))
