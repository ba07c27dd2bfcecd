/* test_detect_recall4.c — the engine-recall4 branch: a name typed in lower case after a sentence
 * that starts with a capital ("Hello. my name is naomi ryan"), a person's name on the line before
 * an address block, French street addresses in a sentence without a cue word (number, "rue", a
 * name, postal code and city), phone cues in English and French free text ("best number to reach
 * me", "meilleur numéro pour me joindre", "me joindre au"). Hard negatives beside each. Every
 * positive here failed on the code before the branch (main d139f18), and so did the negative
 * marked "failed before". test_news_title guards a decision and passed before as well: a news
 * section's title about a condition is a general page's, in Chinese as in English. */
#include <stdio.h>
#include <stdlib.h>

#include "detect/internal.h"
#include "detect_helpers.h"
#include "pw_test.h"

static dt_ctx T;

static void test_lower_after_capital(void)
{
    dt_expect_span(&T, NULL, "Hello. my name is naomi ryan", PW_FT_TEXT, PW_PHI_NAME, "naomi ryan");
    dt_expect_span(&T, NULL, "Thanks for the help. my name is hugo martin", PW_FT_TEXT, PW_PHI_NAME,
                   "hugo martin");
    dt_expect_span(&T, NULL, "I called yesterday. patient name: naomi ryan", PW_FT_TEXT,
                   PW_PHI_NAME, "naomi ryan");
    dt_expect_span(&T, NULL, "Re: Billing. my full name is dana whitfield", PW_FT_TEXT, PW_PHI_NAME,
                   "dana whitfield");
    /* the same words as the rule's negatives, after a capitalised sentence */
    dt_expect_none(&T, NULL, "Hello. my name is on the volunteer list", PW_FT_TEXT, PW_PHI_NAME);
    dt_expect_none(&T, NULL, "Thank you. my name is spelled wrong on my badge", PW_FT_TEXT,
                   PW_PHI_NAME);
    dt_expect_none(&T, NULL, "Visiting Hours. name: visitor badge", PW_FT_TEXT, PW_PHI_NAME);
    /* failed before (with or without the capitalised sentence): a parking notice's words */
    dt_expect_none(&T, NULL, "Parking Update. patient: drop off at door 3", PW_FT_TEXT,
                   PW_PHI_NAME);
    dt_expect_none(&T, NULL, "patient: drop off at door 3", PW_FT_TEXT, PW_PHI_NAME);
}

static void test_name_before_address(void)
{
    dt_expect_span(&T, NULL, "Naomi Ryan\n12 Elm St\nSpringfield, IL 62704", PW_FT_TEXT,
                   PW_PHI_NAME, "Naomi Ryan");
    dt_expect_span(&T, NULL, "Ship to:\nDana Whitfield\n88 Oak Avenue\nPeoria, IL 61602",
                   PW_FT_TEXT, PW_PHI_NAME, "Dana Whitfield");
    dt_expect_span(&T, NULL, "Hugo Mart\xc3\xadnez\n42 Elm\nApt 3B\nSpringfield, IL 62704",
                   PW_FT_TEXT, PW_PHI_NAME, "Hugo Mart\xc3\xadnez");
    dt_expect_span(
        &T, "message",
        "Keira Forster\r\n4844 S\xc3\xb8ndergade 52\r\nBr\xc3\xb8nderslev\r\nDenmark 35018",
        PW_FT_FORM_VALUE, PW_PHI_NAME, "Keira Forster");
    /* a blank line between, a quote's "> ", a label before the name on its line */
    dt_expect_span(&T, NULL,
                   "William Hughes\n\n20789 Allika 46\n Suite 501\n Riisa\n\n Estonia 62488",
                   PW_FT_TEXT, PW_PHI_NAME, "William Hughes");
    dt_expect_span(&T, NULL,
                   ">Ella H. Snider\n>228 Ringvej 144\n>Apt. 902\n>Qaqortoq\n>Greenlander 96817",
                   PW_FT_TEXT, PW_PHI_NAME, "Ella H. Snider");
    dt_expect_span(
        &T, NULL,
        "Billing address: Sara Schwarz\n    28245 Puruntie 82 Apt. 595\n   LAPPEENRANTA\n"
        "    SK\n    53650",
        PW_FT_TEXT, PW_PHI_NAME, "Sara Schwarz");
    /* a clinic list's locations (the Blacklight capture of a rehab provider's site) and a
     * business's; two blank lines; a label that is no address's */
    dt_expect_none(&T, NULL,
                   "Squirrel Hill\n5818 Forbes Avenue,\nPittsburgh, PA 15217\n(412) 697-0928",
                   PW_FT_TEXT, PW_PHI_NAME);
    dt_expect_none(&T, NULL, "Closed\nNorth Hills\n105 Bradford Rd,\nWexford, PA 15090", PW_FT_TEXT,
                   PW_PHI_NAME);
    dt_expect_none(&T, NULL, "Cece's Place\n426 George Street,\nBraddock, PA 15104", PW_FT_TEXT,
                   PW_PHI_NAME);
    dt_expect_none(&T, NULL, "Naomi Ryan\n\n\n12 Elm St\nSpringfield, IL 62704", PW_FT_TEXT,
                   PW_PHI_NAME);
    dt_expect_none(&T, NULL, "Visiting hours: Naomi Ryan\n12 Elm St\nSpringfield, IL 62704",
                   PW_FT_TEXT, PW_PHI_NAME);
    /* a department's or a building's line above an address; a name line above no address; a
     * name inside a sentence on the line before */
    dt_expect_none(&T, NULL, "Emergency Department\n12 Elm St\nSpringfield, IL 62704", PW_FT_TEXT,
                   PW_PHI_NAME);
    dt_expect_none(&T, NULL,
                   "Heart Center\n4844 S\xc3\xb8ndergade 52\nBr\xc3\xb8nderslev\nDenmark 35018",
                   PW_FT_TEXT, PW_PHI_NAME);
    dt_expect_none(&T, NULL, "Naomi Ryan\nCareers Coordinator\nHuman Resources", PW_FT_TEXT,
                   PW_PHI_NAME);
    dt_expect_none(&T, NULL, "Jane Smith Pavilion\nBuilding 4\nFloor 2", PW_FT_TEXT, PW_PHI_NAME);
    dt_expect_none(&T, NULL, "Visit Springfield Medical Center\n12 Elm St\nSpringfield, IL 62704",
                   PW_FT_TEXT, PW_PHI_NAME);
}

static void test_french_street(void)
{
    dt_expect_span(&T, NULL, "Je suis au 12 rue Victor Hugo, 69002 Lyon cette semaine", PW_FT_TEXT,
                   PW_PHI_ADDRESS, "12 rue Victor Hugo, 69002 Lyon");
    dt_expect_span(&T, NULL, "Mes parents habitent 7 avenue des Lilas, 33000 Bordeaux", PW_FT_TEXT,
                   PW_PHI_ADDRESS, "7 avenue des Lilas, 33000 Bordeaux");
    dt_expect_span(&T, NULL, "Come by 4 Rue de la Paix, 75002 Paris after five", PW_FT_TEXT,
                   PW_PHI_ADDRESS, "4 Rue de la Paix, 75002 Paris");
    dt_expect_span(&T, "message", "Nouvelle adresse 15 bis boulevard Voltaire, 75011 Paris merci",
                   PW_FT_FORM_VALUE, PW_PHI_ADDRESS, "15 bis boulevard Voltaire, 75011 Paris");
    /* found by its shape alone: a pattern hit, which the assess stage reads as the site's own
     * address outside a field the visitor types into (rules.c, typed_pattern) */
    dt_scan(&T, NULL, "Je suis au 12 rue Victor Hugo, 69002 Lyon", PW_FT_TEXT);
    const pw_hit *h = dt_find(&T, PW_PHI_ADDRESS);
    CHECK(h != NULL && h->reason == PW_REASON_PATTERN);
    /* no postal code and city; a street type that is no street; a year after the comma */
    dt_expect_none(&T, NULL, "Le service est au 3 rue de l'H\xc3\xb4pital, b\xc3\xa2timent B",
                   PW_FT_TEXT, PW_PHI_ADDRESS);
    dt_expect_none(&T, NULL, "Rendez-vous au 2 place du March\xc3\xa9 pour le d\xc3\xa9part",
                   PW_FT_TEXT, PW_PHI_ADDRESS);
    dt_expect_none(&T, NULL, "Top 10 Places, 2024 Edition", PW_FT_TEXT, PW_PHI_ADDRESS);
    dt_expect_none(&T, NULL, "Le 3 cours Yoga, 12345 inscrits", PW_FT_TEXT, PW_PHI_ADDRESS);
}

static void test_phone_cues(void)
{
    dt_expect_span(&T, NULL, "Best number to reach me: 06 12 34 56 78", PW_FT_TEXT, PW_PHI_PHONE,
                   "06 12 34 56 78");
    dt_expect_span(&T, NULL, "Best number to reach me is 07 98 76 54 32", PW_FT_TEXT, PW_PHI_PHONE,
                   "07 98 76 54 32");
    dt_expect_span(&T, NULL, "meilleur num\xc3\xa9ro pour me joindre : 06 12 34 56 78", PW_FT_TEXT,
                   PW_PHI_PHONE, "06 12 34 56 78");
    dt_expect_span(&T, NULL, "Le meilleur num\xc3\xa9ro pour me joindre est le 07 98 76 54 32",
                   PW_FT_TEXT, PW_PHI_PHONE, "07 98 76 54 32");
    dt_expect_span(&T, NULL, "Vous pouvez me joindre au 06 11 22 33 44", PW_FT_TEXT, PW_PHI_PHONE,
                   "06 11 22 33 44");
    dt_expect_span(&T, "message", "Please call. Best number: 467 3395", PW_FT_FORM_VALUE,
                   PW_PHI_PHONE, "467 3395");
    /* the organisation's number, and numbers that are no phone's */
    dt_expect_none(&T, NULL, "Pour nous joindre : 01 23 45 67 89", PW_FT_TEXT, PW_PHI_PHONE);
    dt_expect_none(&T, NULL, "You can reach us at 01 23 45 67 89 from 8 to 5", PW_FT_TEXT,
                   PW_PHI_PHONE);
    dt_expect_none(&T, NULL, "Best number of visitors per room: 2 4 6", PW_FT_TEXT, PW_PHI_PHONE);
    /* the two-letter gate of the look-back knows the new endings (checked against the tables) */
    CHECK(pw_ctx_pairs_ok());
}

static void test_news_title(void)
{
    /* a news section's title about a condition: a general page's, in both languages; the
     * condition alone keeps its hit */
    dt_scan(&T, NULL,
            "\xe4\xb9\xb3\xe8\x85\xba\xe7\x99\x8c\xe7\xad\x9b\xe6\x9f\xa5 | "
            "\xe6\x96\xb0\xe9\x97\xbb",
            PW_FT_TEXT);
    CHECK(T.n == 0);
    dt_scan(&T, NULL, "Breast cancer screening | News", PW_FT_TEXT);
    CHECK(T.n == 0);
    dt_expect_span(&T, NULL, "\xe4\xb9\xb3\xe8\x85\xba\xe7\x99\x8c\xe7\xad\x9b\xe6\x9f\xa5",
                   PW_FT_TEXT, PW_PHI_HEALTH,
                   "\xe4\xb9\xb3\xe8\x85\xba\xe7\x99\x8c\xe7\xad\x9b\xe6\x9f\xa5");
    dt_expect_span(&T, NULL, "Breast cancer screening", PW_FT_TEXT, PW_PHI_HEALTH,
                   "Breast cancer screening");
}

static void setup(void)
{
    CHECK(dt_open(&T, NULL, 0));
}

static void teardown(void)
{
    dt_close(&T);
}

PW_TEST_MAIN(PW_TEST(setup), PW_TEST(test_lower_after_capital), PW_TEST(test_name_before_address),
             PW_TEST(test_french_street), PW_TEST(test_phone_cues), PW_TEST(test_news_title),
             PW_TEST(teardown))
