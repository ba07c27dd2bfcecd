/* test_detect_recall3.c — the engine-recall3 branch: names as tracker data carries them without a
 * capitalised context word (typed in lower case after "my name is", "name:", "Patient:", in a
 * name form field or a GET form's query string; a signature after a message, "— Naomi Ryan"),
 * "I'm Naomi Ryan, and so is my question" (a name, where "I am Springfield Strong and so are
 * you" is a slogan), French small words between "portable" and the number, street addresses
 * written on several lines, careers pages whose slugs are percent-encoded Cyrillic or Chinese.
 * Hard negatives beside each. Every positive here failed on the code before the branch (main
 * f4bbeaa), and so did every negative marked "failed before". */
#include <stdio.h>
#include <stdlib.h>

#include "detect_helpers.h"
#include "pw_test.h"

static dt_ctx T;

static void test_lower_case_names(void)
{
    dt_expect_span(&T, NULL, "My name is naomi ryan and I need to reschedule", PW_FT_TEXT,
                   PW_PHI_NAME, "naomi ryan");
    dt_expect_span(&T, NULL, "my name is dana whitfield", PW_FT_TEXT, PW_PHI_NAME,
                   "dana whitfield");
    dt_expect_span(&T, NULL, "hi, my full name is hugo de la cruz. thanks", PW_FT_TEXT, PW_PHI_NAME,
                   "hugo de la cruz");
    dt_expect_span(&T, NULL, "Patient: naomi ryan", PW_FT_TEXT, PW_PHI_NAME, "naomi ryan");
    dt_expect_span(&T, NULL, "Name: dana o'brien\nPhone: 467 3395", PW_FT_TEXT, PW_PHI_NAME,
                   "dana o'brien");
    dt_expect_span(&T, "name", "naomi ryan", PW_FT_FORM_VALUE, PW_PHI_NAME, "naomi ryan");
    dt_expect_span(&T, NULL, "https://www.stmarys-example.org/thanks?name=naomi+ryan&topic=billing",
                   PW_FT_URL, PW_PHI_NAME, "naomi+ryan");
    /* words, not names; an event's "name" in JSON is not typed */
    dt_expect_none(&T, NULL, "my name is on the volunteer list", PW_FT_TEXT, PW_PHI_NAME);
    dt_expect_none(&T, NULL, "my name is spelled wrong on the bill", PW_FT_TEXT, PW_PHI_NAME);
    dt_expect_none(&T, NULL, "name: first last", PW_FT_TEXT, PW_PHI_NAME);
    dt_expect_none(&T, NULL, "patient: flu shot", PW_FT_TEXT, PW_PHI_NAME);
    dt_expect_none(&T, "name", "newsletter signup", PW_FT_FORM_VALUE, PW_PHI_NAME);
    dt_expect_none(&T, "name", "page view", PW_FT_FORM_VALUE, PW_PHI_NAME);
    dt_expect_none(&T, "name", "form submission", PW_FT_FORM_VALUE, PW_PHI_NAME);
    dt_expect_none(&T, "name", "naomi ryan", PW_FT_JSON_VALUE, PW_PHI_NAME);
    /* failed before: a menu's words after "Patient:" */
    dt_expect_none(&T, NULL, "Patient: Experience Survey", PW_FT_TEXT, PW_PHI_NAME);
    dt_expect_none(&T, NULL, "Patient: Portal Login", PW_FT_TEXT, PW_PHI_NAME);
}

static void test_signature(void)
{
    dt_expect_span(&T, NULL, "Please call me back about my results.\n\xe2\x80\x94 Naomi Ryan",
                   PW_FT_TEXT, PW_PHI_NAME, "Naomi Ryan");
    dt_expect_span(&T, NULL, "Can someone reschedule my visit?\n-- Dana Whitfield\n", PW_FT_TEXT,
                   PW_PHI_NAME, "Dana Whitfield");
    dt_expect_span(&T, "message", "I need a copy of my records.\n- Hugo Mart\xc3\xadnez",
                   PW_FT_FORM_VALUE, PW_PHI_NAME, "Hugo Mart\xc3\xadnez");
    /* an organisation or a team signs; a dash inside a line; no message before */
    dt_expect_none(&T, NULL,
                   "Thank you for your gift!\n\xe2\x80\x94 The Springfield Health Foundation",
                   PW_FT_TEXT, PW_PHI_NAME);
    dt_expect_none(&T, NULL, "Questions about parking?\n\xe2\x80\x94 Patient Experience Team",
                   PW_FT_TEXT, PW_PHI_NAME);
    dt_expect_none(&T, NULL, "Visiting hours are 8 to 8.\n\xe2\x80\x94 Springfield Medical Center",
                   PW_FT_TEXT, PW_PHI_NAME);
    dt_expect_none(&T, NULL, "Cardiology - Springfield Heart", PW_FT_TEXT, PW_PHI_NAME);
    dt_expect_none(&T, NULL, "\xe2\x80\x94 Naomi Ryan", PW_FT_TEXT, PW_PHI_NAME);
    dt_expect_none(&T, NULL, "Our new wing opens soon.\n\xe2\x80\x94 Breast Cancer", PW_FT_TEXT,
                   PW_PHI_NAME);
}

static void test_shared_name(void)
{
    dt_expect_span(&T, NULL, "I'm Naomi Ryan, and so is my question about billing", PW_FT_TEXT,
                   PW_PHI_NAME, "Naomi Ryan");
    dt_expect_span(&T, NULL, "I am Dana Whitfield and so is my husband", PW_FT_TEXT, PW_PHI_NAME,
                   "Dana Whitfield");
    dt_expect_none(&T, NULL, "I am Springfield Strong and so are you", PW_FT_TEXT, PW_PHI_NAME);
    dt_expect_none(&T, NULL, "I'm Mercy Proud, and so is our whole team", PW_FT_TEXT, PW_PHI_NAME);
    dt_expect_none(&T, NULL, "This is Springfield Strong, and so is every nurse here", PW_FT_TEXT,
                   PW_PHI_NAME);
}

static void test_french_portable(void)
{
    dt_expect_span(&T, NULL, "portable : c'est le 06 12 34 56 78", PW_FT_TEXT, PW_PHI_PHONE,
                   "06 12 34 56 78");
    dt_expect_span(&T, NULL, "Mon portable est le 07 98 76 54 32", PW_FT_TEXT, PW_PHI_PHONE,
                   "07 98 76 54 32");
    dt_expect_span(&T, NULL,
                   "mon portable c\xe2\x80\x99"
                   "est le 06 11 22 33 44, merci",
                   PW_FT_TEXT, PW_PHI_PHONE, "06 11 22 33 44");
    dt_expect_span(&T, NULL, "Mon num\xc3\xa9ro de portable est le 06 55 44 33 22", PW_FT_TEXT,
                   PW_PHI_PHONE, "06 55 44 33 22");
    /* "est le" after no phone word; a laptop's model */
    dt_expect_none(&T, NULL, "Le code est le 06 12 34 56 78", PW_FT_TEXT, PW_PHI_PHONE);
    dt_expect_none(&T, NULL, "Ordinateur portable : c'est le mod\xc3\xa8le 1234 5678", PW_FT_TEXT,
                   PW_PHI_PHONE);
    dt_expect_none(&T, NULL, "Mon portable est le plus rapide", PW_FT_TEXT, PW_PHI_PHONE);
}

/* A street line, then a unit's, a city's and a postal code's lines: a billing or shipping
 * form's textarea, a contact card. */
static void test_block_address(void)
{
    dt_expect_span(&T, NULL, "28030 Edeby 55\n Apt. 297\n TYSTBERGA\n Sweden 99178", PW_FT_TEXT,
                   PW_PHI_ADDRESS, "28030 Edeby 55\n Apt. 297\n TYSTBERGA\n Sweden 99178");
    dt_expect_span(
        &T, NULL,
        "Please send it to:\n4844 S\xc3\xb8ndergade 52\nBr\xc3\xb8nderslev\nDenmark 35018",
        PW_FT_TEXT, PW_PHI_ADDRESS, "4844 S\xc3\xb8ndergade 52\nBr\xc3\xb8nderslev\nDenmark 35018");
    dt_expect_span(&T, NULL, "42 Elm\nApt 3B\nSpringfield, IL 62704", PW_FT_TEXT, PW_PHI_ADDRESS,
                   "42 Elm\nApt 3B\nSpringfield, IL 62704");
    dt_expect_span(
        &T, NULL, "William Hughes\n\n20789 Allika 46\n Suite 501\n Riisa\n\n Estonia 62488",
        PW_FT_TEXT, PW_PHI_ADDRESS, "20789 Allika 46\n Suite 501\n Riisa\n\n Estonia 62488");
    dt_expect_span(&T, "comments",
                   "Ship to:\n03751 Gerrit Achterberghove 137\nColorado Springs\n, CO\n 70079",
                   PW_FT_FORM_VALUE, PW_PHI_ADDRESS,
                   "03751 Gerrit Achterberghove 137\nColorado Springs\n, CO\n 70079");
    /* a hospital's own street, its buildings and floors, a report's lines, a year */
    dt_expect_none(&T, NULL, "1 Hospital Drive\nSpringfield\nIllinois 62704", PW_FT_TEXT,
                   PW_PHI_ADDRESS);
    dt_expect_none(&T, NULL, "Building 4\nFloor 2\nParking Garage 3", PW_FT_TEXT, PW_PHI_ADDRESS);
    dt_expect_none(&T, NULL, "2024 Annual Report\nHighlights\nJune 2025", PW_FT_TEXT,
                   PW_PHI_ADDRESS);
    dt_expect_none(&T, NULL, "3 West Tower\nCardiology\nRoom 4120", PW_FT_TEXT, PW_PHI_ADDRESS);
    dt_expect_none(&T, NULL, "12 Tips for Better Sleep\nRead More\nPosted 12345", PW_FT_TEXT,
                   PW_PHI_ADDRESS);
    dt_expect_none(&T, NULL, "Call 555 1234 to book\nOpen Daily\nSuite 5", PW_FT_TEXT,
                   PW_PHI_ADDRESS);
}

/* The careers, parking or news section of a translated site, its slug in Cyrillic, Chinese or
 * Arabic letters, raw or percent-encoded: the slugs after it are quiet, as after "/careers/". */
static void test_script_slugs(void)
{
    static const char *const quiet[] = {
        /* вакансии/онкология (jobs/oncology) */
        "https://www.stmarys-example.org/ru/%D0%B2%D0%B0%D0%BA%D0%B0%D0%BD%D1%81%D0%B8%D0%B8/"
        "%D0%BE%D0%BD%D0%BA%D0%BE%D0%BB%D0%BE%D0%B3%D0%B8%D1%8F/",
        "https://www.stmarys-example.org/ru/\xd0\xb2\xd0\xb0\xd0\xba\xd0\xb0\xd0\xbd\xd1\x81"
        "\xd0\xb8\xd0\xb8/"
        "\xd0\xbe\xd0\xbd\xd0\xba\xd0\xbe\xd0\xbb\xd0\xbe\xd0\xb3\xd0\xb8\xd1\x8f/",
        /* Новости (News, a capital) / онкология */
        "https://www.stmarys-example.org/ru/%D0%9D%D0%BE%D0%B2%D0%BE%D1%81%D1%82%D0%B8/"
        "%D0%BE%D0%BD%D0%BA%D0%BE%D0%BB%D0%BE%D0%B3%D0%B8%D1%8F",
        /* 招聘/肿瘤科护士 (jobs/oncology nurse) */
        "https://www.stmarys-example.org/zh/%E6%8B%9B%E8%81%98/"
        "%E8%82%BF%E7%98%A4%E7%A7%91%E6%8A%A4%E5%A3%AB/",
        /* وظائف/الأورام (jobs/oncology) */
        "https://www.stmarys-example.org/ar/%D9%88%D8%B8%D8%A7%D8%A6%D9%81/"
        "%D8%A7%D9%84%D8%A3%D9%88%D8%B1%D8%A7%D9%85",
        NULL};
    for (const char *const *u = quiet; *u; u++)
        dt_expect_none(&T, NULL, *u, PW_FT_URL, PW_PHI_HEALTH);
    /* a condition page keeps its hit, before a page word too (онкология/вакансии, диабет/новости)
     */
    dt_expect_span(
        &T, NULL,
        "https://www.stmarys-example.org/ru/%D0%BE%D0%BD%D0%BA%D0%BE%D0%BB%D0%BE%D0%B3%D0%B8%D1%8F/"
        "%D0%B2%D0%B0%D0%BA%D0%B0%D0%BD%D1%81%D0%B8%D0%B8/",
        PW_FT_URL, PW_PHI_HEALTH, "%D0%BE%D0%BD%D0%BA%D0%BE%D0%BB%D0%BE%D0%B3%D0%B8%D1%8F");
    dt_expect_span(&T, NULL, "https://www.stmarys-example.org/zh/%E7%B3%96%E5%B0%BF%E7%97%85/",
                   PW_FT_URL, PW_PHI_HEALTH, "%E7%B3%96%E5%B0%BF%E7%97%85");
    static const char jobs[] = "https://www.stmarys-example.org/zh/%E6%8B%9B%E8%81%98/x";
    static const char diabetes[] =
        "https://www.stmarys-example.org/zh/%E7%B3%96%E5%B0%BF%E7%97%85/";
    size_t slug = 0;
    CHECK(pw_detect_general_page(jobs, strlen(jobs), &slug) == 1);
    CHECK(slug == 2);
    CHECK(pw_detect_general_page(diabetes, strlen(diabetes), &slug) == 0);
}

static void setup(void)
{
    CHECK(dt_open(&T, NULL, 0));
}

static void teardown(void)
{
    dt_close(&T);
}

PW_TEST_MAIN(PW_TEST(setup), PW_TEST(test_lower_case_names), PW_TEST(test_signature),
             PW_TEST(test_shared_name), PW_TEST(test_french_portable), PW_TEST(test_block_address),
             PW_TEST(test_script_slugs), PW_TEST(teardown))
