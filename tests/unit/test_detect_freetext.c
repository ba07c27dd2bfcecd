/* test_detect_freetext.c — what a visitor types in a contact form, a chat widget, a session
 * replay's keystrokes or a search box (engine-recall branch): self-introductions ("I'm …",
 * "this is …", "call me …", "it's under …", "my partner's name …"), a child's name without "is",
 * a greeting's and a sign-off's name, a chat transcript's answer to a question for a name, an
 * address given in a sentence in any country's shape, a ZIP after a state's name or after its
 * code on the line before; and beside each the page text that must stay clear: titles and
 * buttons of capitalised words, a chat bot's persona, an organisation's sign-off, a hospital's
 * unit, directions. Every positive here failed before the branch. */
#include <stdio.h>
#include <stdlib.h>

#include "detect_helpers.h"
#include "pw_test.h"

static dt_ctx T;

/* No identifier at all (health terms may be there). */
static void expect_no_ident(const char *s)
{
    dt_scan(&T, NULL, s, PW_FT_TEXT);
    for (size_t i = 0; i < T.n; i++) {
        if (!pw_phi_is_identifier(T.h[i].category))
            continue;
        fprintf(stderr, "  unexpected %s hit \"%s\" in \"%s\"\n",
                pw_phi_category_name(T.h[i].category), dt_text(&T, &T.h[i]), s);
        CHECK(0);
    }
}

static void name_in(const char *s, const char *want)
{
    dt_expect_span(&T, NULL, s, PW_FT_TEXT, PW_PHI_NAME, want);
}

static void test_self_introductions(void)
{
    name_in("Hi, I'm Jordan Ellis and I need to move my appointment", "Jordan Ellis");
    name_in("I'm Naomi Ryan, originally from Dayton", "Naomi Ryan");
    name_in("I\xE2\x80\x99m Naomi Ryan, originally from Dayton", "Naomi Ryan");
    name_in("Hello, this is Priya Raman calling about my bill", "Priya Raman");
    name_in("this is Marcus Obi, please call me back", "Marcus Obi");
    name_in("I am Teodora Vlasic. I was seen in the ER last week", "Teodora Vlasic");
    name_in("My name is Aantje Mourik but everyone calls me Annie", "Annie");
    name_in("Sometimes people call me Csanad", "Csanad");
    name_in("Maybe it's under Mathias Ruud", "Mathias Ruud");
    name_in("Will my account stay active? It's under my partner's name Nicole Mahler",
            "Nicole Mahler");
    name_in("I would like to remove my kid Lukas from the portal.", "Lukas");
    name_in("my daughter Sofia has a fever since Monday", "Sofia");
    /* a courtesy title keeps its own trigger and span */
    name_in("Hello, this is Mr. Hans Mayer, my DOB is 03/04/1975", "Hans Mayer");
    /* inside a pixel's URL */
    dt_expect_span(&T, NULL,
                   "https://www.stmarys-example.org/contact/thanks?message=Hi%2C%20I%27m%20Jordan"
                   "%20Ellis%20and%20I%20need%20a%20refill",
                   PW_FT_URL, PW_PHI_NAME, "Jordan%20Ellis");
}

static void test_greetings_and_signoffs(void)
{
    name_in("Hi Freddy, I'm contacting you about my lab results", "Freddy");
    name_in("Hello Dana, thanks for calling me back", "Dana");
    name_in("Please cancel my visit tomorrow. Thanks, Samuel Okoro", "Samuel Okoro");
    name_in("Can someone call me back?\nThank you,\nDana Whitfield", "Dana Whitfield");
    name_in("Regards, Ingrid Solberg", "Ingrid Solberg");
    name_in("Signed, Rafael Montoya", "Rafael Montoya");
    name_in("Bot: What's the name on the account? User: Keira E. Forster", "Keira E. Forster");
}

static void test_names_in_requests(void)
{
    name_in("I want to add Edvard Petrussen as a beneficiary to my account", "Edvard Petrussen");
    name_in("In case of my child's account, we need to add Samir Jelenovic as guardian",
            "Samir Jelenovic");
    name_in("Please add Jane Roe as my emergency contact", "Jane Roe");
    name_in("The name in the account is not correct, please change it to Mary Gavrilova",
            "Mary Gavrilova");
    name_in("Follow up with Matheus Araujo in a couple of months.", "Matheus Araujo");
    static const char *const clear[] = {"Add Springfield Health as a favorite",
                                        "Add Apple Pay as a payment method",
                                        "Change it to Large Print", /* no "name" before */
                                        "Follow up with Primary Care in two weeks",
                                        "Follow Up With Your Doctor",
                                        NULL};
    for (const char *const *c = clear; *c; c++)
        expect_no_ident(*c);
}

static void test_page_text_stays_clear(void)
{
    static const char *const clear[] = {
        "I'm a First Time Visitor",
        "I'm Interested",
        "I'm Feeling Lucky",
        "This Is Springfield Medical Center",
        "Hi there! I'm your virtual assistant. How can I help?",
        "I'm Ava, your virtual assistant", /* a chat bot's persona */
        "Hello, this is Springfield Medical Center calling to confirm",
        "Hello Springfield!",
        "Hi Everyone, welcome to our new website",
        "Thanks, The Patient Experience Team",
        "Thank you,\nSpringfield Health Foundation",
        "Regards, Customer Service",
        "Call me back",
        "Call Me Maybe",
        "It's Under Review",
        "Our name Mercy says it all",
        "The brand name Kirkland is on the label",
        "User: Guest",
        "Directions: from I-90 take Exit 12, turn left onto Oak Street, then right on Main St.",
        "The Springfield Campus is at the corner of Maple Avenue and Chestnut Street",
        "My mom was moved to 3 East for surgery",
        "Please send it to 4 West Tower",
        "Our address is on the back of your card",
        "Send to a friend",
        "Founded in 1920, Springfield Medical Center serves Illinois",
        "Meet us at 5 North, the Family Birth Center",
        "Reminders sent to 3 Patients Today",
        "Unit 4 Box Office opens at 9",
        "The address of our clinic is listed below",
        "Where do I park? User: 3 Hours free",
        "Grace Chapel and Hope Lodge are on the 3rd floor",
        NULL};
    for (const char *const *s = clear; *s; s++)
        expect_no_ident(*s);
}

static void test_given_addresses(void)
{
    dt_expect_span(&T, NULL,
                   "Hello I moved, please update my new address is 30497 Ibirapita 8057 Suite "
                   "100, Dolores",
                   PW_FT_TEXT, PW_PHI_ADDRESS, "30497 Ibirapita 8057 Suite 100, Dolores");
    dt_expect_span(&T, NULL, "Tomasz Nowak lives at 86036 Rua do Arenque 1634, Goiania", PW_FT_TEXT,
                   PW_PHI_ADDRESS, "86036 Rua do Arenque 1634, Goiania");
    dt_expect_span(&T, NULL, "I live at 255 Hersnapvej 18, Copenhagen, and my phone is new",
                   PW_FT_TEXT, PW_PHI_ADDRESS, "255 Hersnapvej 18, Copenhagen");
    dt_expect_span(&T, NULL,
                   "Please send the records to 5586 Thorunnarstraeti 31, Arnsdorf, Germany",
                   PW_FT_TEXT, PW_PHI_ADDRESS, "5586 Thorunnarstraeti 31, Arnsdorf, Germany");
    dt_expect_span(&T, NULL,
                   "Please update the billing address with 27534 Kaevu 63, Nicosia for this "
                   "card",
                   PW_FT_TEXT, PW_PHI_ADDRESS, "27534 Kaevu 63, Nicosia");
    dt_expect_span(&T, NULL, "Address: 971 Kesk 53 Suite 343, Parnu", PW_FT_TEXT, PW_PHI_ADDRESS,
                   "971 Kesk 53 Suite 343, Parnu");
    dt_expect_span(&T, NULL, "The address of Persint is 6750 Koskikatu 25 Apt. 864, Artilleros",
                   PW_FT_TEXT, PW_PHI_ADDRESS, "6750 Koskikatu 25 Apt. 864, Artilleros");
    dt_expect_span(&T, NULL, "I'll meet you at 25615 Tawastintie 72 Apt. 004 after the concert.",
                   PW_FT_TEXT, PW_PHI_ADDRESS, "25615 Tawastintie 72 Apt. 004");
    dt_expect_span(&T, NULL,
                   "Bot: Where would you like this to be sent to? User: 5586 Kaevu 31, Arnsdorf",
                   PW_FT_TEXT, PW_PHI_ADDRESS, "5586 Kaevu 31, Arnsdorf");
    dt_expect_span(&T, NULL, "Caitlin Lennox lives at 846 31 Rue Al Imam Al Bakri, Cite Merzgui",
                   PW_FT_TEXT, PW_PHI_ADDRESS, "846 31 Rue Al Imam Al Bakri, Cite Merzgui");
    /* a US military address needs no cue: short and long segments (the mask walk and the
     * candidate walk) */
    dt_expect_span(&T, NULL, "PSC 0413, Box 8144\nAPO AA 42323", PW_FT_TEXT, PW_PHI_ADDRESS,
                   "PSC 0413, Box 8144\nAPO AA 42323");
    dt_expect_span(&T, NULL,
                   "Please return to Unit 4719 Box 7394 DPO AP 70942 in case of an issue with "
                   "the delivery of the parcel",
                   PW_FT_TEXT, PW_PHI_ADDRESS, "Unit 4719 Box 7394 DPO AP 70942");
}

static void test_zip_after_state(void)
{
    dt_expect_span(&T, NULL, "We are in Springfield, Illinois 62704 now", PW_FT_TEXT, PW_PHI_ZIP,
                   "62704");
    dt_expect_span(&T, NULL, "Albany, New York 12208", PW_FT_TEXT, PW_PHI_ZIP, "12208");
    dt_expect_span(&T, NULL, "Billing address:\n    Colorado Springs\n    CO\n    80903",
                   PW_FT_TEXT, PW_PHI_ZIP, "80903");
    /* a lower-case state word, a state's name inside another word: no ZIP */
    expect_no_ident("the texas 75001 promo");
    expect_no_ident("Kansasville 53139 results");
}

static void setup(void)
{
    CHECK(dt_open(&T, NULL, 0));
}

static void teardown(void)
{
    dt_close(&T);
}

PW_TEST_MAIN(PW_TEST(setup), PW_TEST(test_self_introductions), PW_TEST(test_greetings_and_signoffs),
             PW_TEST(test_names_in_requests), PW_TEST(test_page_text_stays_clear),
             PW_TEST(test_given_addresses), PW_TEST(test_zip_after_state), PW_TEST(teardown))
