/* test_detect_recall2.c — the engine-recall2 branch: phone numbers typed after the phone words of
 * the languages US hospitals translate their forms into (German Telefon, Handy, Rufnummer; French
 * portable; Italian cellulare; Portuguese telefone) and chat's "my number is"; a campaign slogan
 * after "I am" ("I am Springfield Strong and so are you": a statement others share is no name);
 * French "IST" (STI) in the phrases pages use; the general-page rule on Chinese, Korean, Russian
 * and Arabic titles (careers, parking, news). Hard negatives beside each. Every positive here and
 * every negative marked "failed before" failed on the code before the branch. */
#include <stdio.h>
#include <stdlib.h>

#include "detect_helpers.h"
#include "pw_test.h"

static dt_ctx T;

static void test_phone_words(void)
{
    dt_expect_span(&T, NULL, "Telefon: 0151 23456789", PW_FT_TEXT, PW_PHI_PHONE, "0151 23456789");
    dt_expect_span(&T, NULL, "Mein Handy: 0171 9876543", PW_FT_TEXT, PW_PHI_PHONE, "0171 9876543");
    dt_expect_span(&T, NULL, "Rufnummer 089 12 34 56 78", PW_FT_TEXT, PW_PHI_PHONE,
                   "089 12 34 56 78");
    dt_expect_span(&T, NULL, "Telefonnummer: 030 1234567", PW_FT_TEXT, PW_PHI_PHONE, "030 1234567");
    dt_expect_span(&T, NULL, "Mobil: 0160 1234567", PW_FT_TEXT, PW_PHI_PHONE, "0160 1234567");
    dt_expect_span(&T, NULL, "portable : 06 12 34 56 78", PW_FT_TEXT, PW_PHI_PHONE,
                   "06 12 34 56 78");
    dt_expect_span(&T, NULL, "cellulare 347 123 4567", PW_FT_TEXT, PW_PHI_PHONE, "347 123 4567");
    dt_expect_span(&T, NULL, "telefone: (11) 98765-4321", PW_FT_TEXT, PW_PHI_PHONE,
                   "(11) 98765-4321");
    dt_expect_span(&T, NULL, "Telem\xc3\xb3vel 912 345 678", PW_FT_TEXT, PW_PHI_PHONE,
                   "912 345 678");
    dt_expect_span(&T, NULL, "my number is 467 3395, after 5", PW_FT_TEXT, PW_PHI_PHONE,
                   "467 3395");
    dt_expect_span(&T, NULL, "whatsapp: 0612 345 678", PW_FT_TEXT, PW_PHI_PHONE, "0612 345 678");
    /* numbers after other words, and "my member number" (an ID's) */
    dt_expect_none(&T, NULL, "Order number 0151 23456789", PW_FT_TEXT, PW_PHI_PHONE);
    dt_expect_none(&T, NULL, "Handy tips: 0151 23456789 is our order line", PW_FT_TEXT,
                   PW_PHI_PHONE);
    dt_expect_none(&T, NULL, "Portable charger model 1234 5678 90", PW_FT_TEXT, PW_PHI_PHONE);
    dt_expect_none(&T, NULL, "my member number is 4673 3951", PW_FT_TEXT, PW_PHI_PHONE);
    dt_expect_none(&T, NULL, "Telefon: Mo-Fr 8 - 17 Uhr", PW_FT_TEXT, PW_PHI_PHONE);
}

static void test_shared_slogan(void)
{
    /* failed before: a slogan in a sentence read as a self-introduction */
    dt_expect_none(&T, NULL, "I am Springfield Strong and so are you", PW_FT_TEXT, PW_PHI_NAME);
    dt_expect_none(&T, NULL, "I'm Boston Strong, and so is my family", PW_FT_TEXT, PW_PHI_NAME);
    dt_expect_none(&T, NULL, "This is Mercy Proud and so are we!", PW_FT_TEXT, PW_PHI_NAME);
    /* self-introductions stay */
    dt_expect_span(&T, NULL, "I am Dana Whitfield and I need to reschedule", PW_FT_TEXT,
                   PW_PHI_NAME, "Dana Whitfield");
    dt_expect_span(&T, NULL, "I'm Naomi Ryan and so I wrote again", PW_FT_TEXT, PW_PHI_NAME,
                   "Naomi Ryan");
}

static void test_french_ist(void)
{
    dt_expect_span(&T, NULL, "Les IST : sympt\xc3\xb4mes et traitement", PW_FT_TEXT, PW_PHI_HEALTH,
                   "Les IST");
    dt_expect_span(&T, NULL, "Qu'est-ce qu'une IST ?", PW_FT_TEXT, PW_PHI_HEALTH, "une IST");
    dt_expect_span(&T, NULL, "Traitement des IST", PW_FT_TEXT, PW_PHI_HEALTH, "des IST");
    dt_expect_span(&T, NULL, "https://www.stmarys-example.org/fr/les-ist", PW_FT_URL, PW_PHI_HEALTH,
                   "les-ist");
    /* German "ist", the Indian time zone */
    dt_expect_none(&T, NULL, "Das ist unser Krankenhaus", PW_FT_TEXT, PW_PHI_HEALTH);
    dt_expect_none(&T, NULL, "Was ist des Pudels Kern", PW_FT_TEXT, PW_PHI_HEALTH);
    dt_expect_none(&T, NULL, "Webinar at 10:00 IST on Monday", PW_FT_TEXT, PW_PHI_HEALTH);
}

/* A label's colon at the end of the line before the value ("Phone:\n467 3395"): a form's or a
 * contact card's lines, a textarea sent whole. */
static void test_label_line(void)
{
    dt_expect_span(&T, NULL, "Name: Dana Whitfield\nPhone:\n467 3395", PW_FT_TEXT, PW_PHI_PHONE,
                   "467 3395");
    dt_expect_span(&T, NULL, "Mobile:\r\n0160 1234567", PW_FT_TEXT, PW_PHI_PHONE, "0160 1234567");
    dt_expect_span(&T, NULL, "Telefon:\n  60-56-85-91", PW_FT_TEXT, PW_PHI_PHONE, "60-56-85-91");
    dt_expect_span(&T, NULL, "T\xc3\xa9l\xc3\xa9phone :\n06 12 34 56 78", PW_FT_TEXT, PW_PHI_PHONE,
                   "06 12 34 56 78");
    dt_expect_span(&T, "message", "Phone:\n467 3395", PW_FT_FORM_VALUE, PW_PHI_PHONE, "467 3395");
    /* a label that is no phone's, a blank line, a word or no colon between */
    dt_expect_none(&T, NULL, "Order number:\n467 3395", PW_FT_TEXT, PW_PHI_PHONE);
    dt_expect_none(&T, NULL, "Phone:\n\n467 3395", PW_FT_TEXT, PW_PHI_PHONE);
    dt_expect_none(&T, NULL, "Phone:\nRoom 467 3395", PW_FT_TEXT, PW_PHI_PHONE);
    dt_expect_none(&T, NULL, "Phone\n467 3395", PW_FT_TEXT, PW_PHI_PHONE);
    dt_expect_none(&T, NULL, "Phone hours:\n8 30 17 00", PW_FT_TEXT, PW_PHI_PHONE);
    /* an organisation's number on the line after "Call us:" is none (NANP shape and all) */
    dt_expect_none(&T, NULL, "Call us:\n(617) 555-0100", PW_FT_TEXT, PW_PHI_PHONE);
}

/* No health context nor care intent (failed before: each named a specialty or a condition). */
static void expect_quiet(const char *s)
{
    dt_expect_none(&T, NULL, s, PW_FT_TEXT, PW_PHI_HEALTH);
    dt_expect_none(&T, NULL, s, PW_FT_TEXT, PW_PHI_CARE_INTENT);
}

static void test_script_general_pages(void)
{
    /* careers, parking, news titles in Chinese, Korean, Russian, Arabic */
    expect_quiet("\xe8\x82\xbf\xe7\x98\xa4\xe7\xa7\x91\xe6\x8a\xa4\xe5\xa3\xab"
                 "\xe6\x8b\x9b\xe8\x81\x98"); /* 肿瘤科护士招聘 */
    expect_quiet("\xe6\x8b\x9b\xe8\x81\x98\xef\xbc\x9a\xe8\x82\xbf\xe7\x98\xa4"
                 "\xe7\xa7\x91"); /* 招聘：肿瘤科 */
    expect_quiet("\xe7\x99\x8c\xe7\x97\x87\xe4\xb8\xad\xe5\xbf\x83\xe5\x81\x9c"
                 "\xe8\xbd\xa6\xe5\x9c\xba"); /* 癌症中心停车场 */
    expect_quiet("\xec\xa2\x85\xec\x96\x91\xeb\x82\xb4\xea\xb3\xbc \xea\xb0\x84"
                 "\xed\x98\xb8\xec\x82\xac \xec\xb1\x84\xec\x9a\xa9"); /* 종양내과 간호사 채용 */
    expect_quiet("\xd0\x92\xd0\xb0\xd0\xba\xd0\xb0\xd0\xbd\xd1\x81\xd0\xb8\xd1\x8f: "
                 "\xd0\xb2\xd1\x80\xd0\xb0\xd1\x87-\xd0\xbe\xd0\xbd\xd0\xba\xd0\xbe"
                 "\xd0\xbb\xd0\xbe\xd0\xb3"); /* Вакансия: врач-онколог */
    expect_quiet("\xd9\x88\xd8\xb8\xd8\xa7\xd8\xa6\xd9\x81 \xd8\xaa\xd9\x85\xd8\xb1"
                 "\xd9\x8a\xd8\xb6 \xd8\xa7\xd9\x84\xd8\xa3\xd9\x88\xd8\xb1\xd8\xa7"
                 "\xd9\x85"); /* وظائف تمريض الأورام */
    /* health pages of the same shapes keep their hit: "Diabetes News" (a news word at the end of a
     * component naming a condition), "news about diabetes", week 12 of pregnancy (주차 after a
     * digit is a week, not parking) */
    dt_expect_span(&T, NULL, "\xe7\xb3\x96\xe5\xb0\xbf\xe7\x97\x85\xe6\x96\xb0\xe9\x97\xbb",
                   PW_FT_TEXT, PW_PHI_HEALTH,
                   "\xe7\xb3\x96\xe5\xb0\xbf\xe7\x97\x85"); /* 糖尿病新闻 */
    dt_expect_span(
        &T, NULL,
        "\xd0\x9d\xd0\xbe\xd0\xb2\xd0\xbe\xd1\x81\xd1\x82\xd0\xb8 \xd0\xbe "
        "\xd0\xb4\xd0\xb8\xd0\xb0\xd0\xb1\xd0\xb5\xd1\x82\xd0\xb5",
        PW_FT_TEXT, PW_PHI_HEALTH,
        "\xd0\xb4\xd0\xb8\xd0\xb0\xd0\xb1\xd0\xb5\xd1\x82\xd0\xb5"); /* Новости о диабете */
    dt_expect_span(&T, NULL, "\xec\x9e\x84\xec\x8b\xa0 12\xec\xa3\xbc\xec\xb0\xa8", PW_FT_TEXT,
                   PW_PHI_HEALTH, "\xec\x9e\x84\xec\x8b\xa0"); /* 임신 12주차 */
    /* a visitor's words are not judged as a title: a search for parking after a condition */
    dt_expect_span(&T, "q", "\xe7\xb3\x96\xe5\xb0\xbf\xe7\x97\x85 \xe5\x81\x9c\xe8\xbd\xa6",
                   PW_FT_FORM_VALUE, PW_PHI_HEALTH, "\xe7\xb3\x96\xe5\xb0\xbf\xe7\x97\x85");
}

static void setup(void)
{
    CHECK(dt_open(&T, NULL, 0));
}

static void teardown(void)
{
    dt_close(&T);
}

PW_TEST_MAIN(PW_TEST(setup), PW_TEST(test_phone_words), PW_TEST(test_shared_slogan),
             PW_TEST(test_french_ist), PW_TEST(test_script_general_pages), PW_TEST(test_label_line),
             PW_TEST(teardown))
