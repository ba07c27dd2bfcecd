/* test_detect_recall5.c — the engine-recall5 branch: a company's line between a person's name and
 * the address block below it, the name before "lives at <address>", a name typed in lower case
 * after "follow up with" (a middle initial too), and street lines whose street word is written in
 * small letters ("2224 Trenerys gate 232", "255 hersnapvej 18"). Hard negatives beside each: a
 * staff member's card (a role's line between), a department above the hospital's name, a slogan
 * that "lives at" the hospital, a team or an office to follow up with, a parking garage's gates.
 * Every positive here failed on the code before the branch (e33f608); the negatives passed before
 * and guard the new rules. */
#include <stdio.h>
#include <stdlib.h>

#include "detect/internal.h"
#include "detect_helpers.h"
#include "pw_test.h"

static dt_ctx T;

static void test_company_line(void)
{
    dt_expect_span(&T, NULL, "Dreux Joly\nPaxata\n12 Elm St\nSpringfield, IL 62704", PW_FT_TEXT,
                   PW_PHI_NAME, "Dreux Joly");
    dt_expect_span(&T, NULL,
                   "Ship to:\nDana Whitfield\nAcme Logistics\n88 Oak Avenue\nPeoria, IL 61602",
                   PW_FT_TEXT, PW_PHI_NAME, "Dana Whitfield");
    dt_expect_span(&T, NULL,
                   "Hugo Martin\nBlue Harbor Consulting\n42 Maple Avenue\nDayton, OH 45402",
                   PW_FT_TEXT, PW_PHI_NAME, "Hugo Martin");
    /* a staff member's card: a role's or a department's line between */
    dt_expect_none(&T, NULL, "Naomi Ryan\nCareers Coordinator\n12 Elm St\nSpringfield, IL 62704",
                   PW_FT_TEXT, PW_PHI_NAME);
    dt_expect_none(&T, NULL, "Dana Whitfield\nHuman Resources\n12 Elm St\nSpringfield, IL 62704",
                   PW_FT_TEXT, PW_PHI_NAME);
    dt_expect_none(&T, NULL,
                   "Patient Services\nSpringfield Medical Center\n12 Elm St\nSpringfield, IL 62704",
                   PW_FT_TEXT, PW_PHI_NAME);
    /* two company-like lines: only the line right above the company's is asked */
    dt_expect_none(&T, NULL, "Gift Shop\nPaxata\n12 Elm St\nSpringfield, IL 62704", PW_FT_TEXT,
                   PW_PHI_NAME);
}

static void test_lower_street_word(void)
{
    const char *q = "> \n> Lina Artemova\n> Irecycle\n> 2224 Trenerys gate 232\n> Apt. 342\n"
                    "> TRONDHEIM\n> Norway 64389";
    dt_expect_span(&T, NULL, q, PW_FT_TEXT, PW_PHI_ADDRESS,
                   "2224 Trenerys gate 232\n> Apt. 342\n> TRONDHEIM\n> Norway 64389");
    dt_expect_span(&T, NULL, q, PW_FT_TEXT, PW_PHI_NAME, "Lina Artemova");
    dt_expect_span(&T, NULL, "Ola Nordmann\n17 Kongens gate 4\nOslo\nNorway 0153", PW_FT_TEXT,
                   PW_PHI_NAME, "Ola Nordmann");
    dt_expect_span(&T, NULL,
                   "Mette Hansen\n255 hersnapvej 18\nK\xc3\xb8"
                   "benhavn K\nDenmark 2100",
                   PW_FT_TEXT, PW_PHI_NAME, "Mette Hansen");
    /* a parking garage's gates: no postal code line */
    dt_expect_none(&T, NULL, "Visitor Parking\n2 North gate 3\nLevel 2", PW_FT_TEXT,
                   PW_PHI_ADDRESS);
    dt_expect_none(&T, NULL, "Garage B\n4 gate 2\nOpen 24 hours", PW_FT_TEXT, PW_PHI_ADDRESS);
    /* a small word that is no street's still ends a street line */
    dt_expect_none(&T, NULL, "2024 annual report\nHighlights\nJune 2025", PW_FT_TEXT,
                   PW_PHI_ADDRESS);
}

static void test_lives_at(void)
{
    dt_expect_span(&T, NULL, "Naomi Ryan lives at 12 Elm Street, Springfield", PW_FT_TEXT,
                   PW_PHI_NAME, "Naomi Ryan");
    dt_expect_span(&T, NULL, "Her son Hugo Martin lives at 42 Maple Avenue in Dayton", PW_FT_TEXT,
                   PW_PHI_NAME, "Hugo Martin");
    dt_expect_span(&T, NULL, "Tomomi Nishiyama lives at 86036 Rua do Arenque 1634, Goi\xc3\xa2nia",
                   PW_FT_TEXT, PW_PHI_NAME, "Tomomi Nishiyama");
    /* a middle initial without its full stop, here and above an address block */
    dt_expect_span(&T, NULL, "Juliusz A Kwiatkowski lives at 28919 136 Filadelfeos Str., Klirou",
                   PW_FT_TEXT, PW_PHI_NAME, "Juliusz A Kwiatkowski");
    dt_expect_span(
        &T, NULL,
        "Stephan M Urner\n\n4844 S\xc3\xb8ndergade 52\n Apt. 656\n Br\xc3\xb8nderslev\n\n "
        "Denmark 35018",
        PW_FT_TEXT, PW_PHI_NAME, "Stephan M Urner");
    dt_expect_none(&T, NULL, "Tower B East\n12 Elm St\nSpringfield, IL 62704", PW_FT_TEXT,
                   PW_PHI_NAME);
    dt_expect_none(&T, NULL, "Excellence lives at Springfield Medical Center", PW_FT_TEXT,
                   PW_PHI_NAME);
    dt_expect_none(&T, NULL, "Our Heart Center lives at 12 Elm Street, Springfield", PW_FT_TEXT,
                   PW_PHI_NAME);
    dt_expect_none(&T, NULL, "The patient in room 4 lives at 12 Elm Street", PW_FT_TEXT,
                   PW_PHI_NAME);
}

static void test_follow_up_with(void)
{
    dt_expect_span(&T, NULL, "follow up with patricia desrosiers in a couple of months.",
                   PW_FT_TEXT, PW_PHI_NAME, "patricia desrosiers");
    dt_expect_span(&T, NULL, "Please follow up with naomi ryan next week", PW_FT_TEXT, PW_PHI_NAME,
                   "naomi ryan");
    dt_expect_span(&T, NULL, "follow up with benjamin a seiler in a couple of months.", PW_FT_TEXT,
                   PW_PHI_NAME, "benjamin a seiler");
    dt_expect_none(&T, NULL, "Please follow up with human resources about your application",
                   PW_FT_TEXT, PW_PHI_NAME);
    dt_expect_none(&T, NULL, "follow up with your recruiter in a couple of weeks", PW_FT_TEXT,
                   PW_PHI_NAME);
    dt_expect_none(&T, NULL, "follow up with the front desk", PW_FT_TEXT, PW_PHI_NAME);
    dt_expect_none(&T, NULL, "follow up with john a week later", PW_FT_TEXT, PW_PHI_NAME);
}

static void setup(void)
{
    CHECK(dt_open(&T, NULL, 0));
}

static void teardown(void)
{
    dt_close(&T);
}

PW_TEST_MAIN(PW_TEST(setup), PW_TEST(test_company_line), PW_TEST(test_lower_street_word),
             PW_TEST(test_lives_at), PW_TEST(test_follow_up_with), PW_TEST(teardown))
