/* test_detect_ident_gaps.c — misses a gateway leak hunt found in real HAR values (engine-ident
 * branch): a provider's name before credentials without a comma or with newer credentials, name
 * keys whose first word is a person's ("guardianName", "patientFirst"), UK and other national
 * phone formats, keys that name health information ("diagnosis", "reason_for_visit") and hex
 * text ("63616e636572" is "cancer"); and the hard negatives beside each (Maryland's "MD", a
 * practice's "PA", toll-free numbers, colours, git hashes, UUIDs, hex session IDs). Every
 * positive here failed before the branch. */
#include <stdio.h>
#include <stdlib.h>

#include "detect_helpers.h"
#include "pw_test.h"

static dt_ctx T;

/* The subtype and the normalised value of the first hit of c ("" when there is none: the old
 * engine found none, and the test must fail, not crash). */
static const char *sub_of(pw_phi_category c)
{
    const pw_hit *h = dt_find(&T, c);
    return h && h->subtype ? h->subtype : "";
}

static const char *norm_of(pw_phi_category c)
{
    const pw_hit *h = dt_find(&T, c);
    return h && h->normalized ? h->normalized : "";
}

/* Nothing at all. */
static void expect_no_hit(const char *key, const char *s, pw_field_type ft)
{
    dt_scan(&T, key, s, ft);
    if (T.n)
        fprintf(stderr, "  unexpected %s hit \"%s\" in \"%s\"\n",
                pw_phi_category_name(T.h[0].category), dt_text(&T, &T.h[0]), s);
    CHECK(T.n == 0);
}

static void test_provider_credentials(void)
{
    /* a field that is a name and credentials without a comma */
    dt_expect_span(&T, NULL, "Amara Okafor-Lindqvist DO", PW_FT_TEXT, PW_PHI_NAME,
                   "Amara Okafor-Lindqvist");
    CHECK_STR(sub_of(PW_PHI_NAME), "provider");
    dt_expect_span(&T, NULL, "Jane Roe NP-C", PW_FT_JSON_VALUE, PW_PHI_NAME, "Jane Roe");
    dt_expect_span(&T, NULL, "Zelda Quillfeather MD FACP", PW_FT_TEXT, PW_PHI_NAME,
                   "Zelda Quillfeather");
    dt_expect_span(&T, NULL, " Jane Roe FNP-BC ", PW_FT_FORM_VALUE, PW_PHI_NAME, "Jane Roe");
    /* after a title, the same span as "Dr" alone gives */
    dt_expect_span(&T, NULL, "Dr Amara Okafor-Lindqvist DO", PW_FT_TEXT, PW_PHI_NAME,
                   "Amara Okafor-Lindqvist");
    /* credentials the comma form did not know */
    dt_expect_span(&T, NULL, "Jane Roe, PhD", PW_FT_TEXT, PW_PHI_NAME, "Jane Roe");
    dt_expect_span(&T, NULL, "Jane Roe, MBBS", PW_FT_TEXT, PW_PHI_NAME, "Jane Roe");
    dt_expect_span(&T, NULL, "Seen by Rowan Eberhardt, DNP, APRN today", PW_FT_TEXT, PW_PHI_NAME,
                   "Rowan Eberhardt");
    dt_expect_span(&T, NULL, "Jane Roe, CRNP", PW_FT_TEXT, PW_PHI_NAME, "Jane Roe");
    dt_expect_span(&T, NULL, "Priya Natarajan, LCSW", PW_FT_TEXT, PW_PHI_NAME, "Priya Natarajan");
    dt_expect_span(&T, NULL,
                   "https://www.facebook.com/tr/?id=1&ev=Lead&cd[doc]=Jane%20Roe%2C%20PsyD",
                   PW_FT_URL, PW_PHI_NAME, "Jane%20Roe");
    /* hard negatives: Maryland, a practice's professional association, degrees in prose */
    dt_expect_none(&T, NULL, "Chevy Chase MD", PW_FT_TEXT, PW_PHI_NAME);
    dt_expect_none(&T, NULL, "Open House MD", PW_FT_TEXT, PW_PHI_NAME);
    dt_expect_none(&T, NULL, "Silver Spring, MD 20910", PW_FT_TEXT, PW_PHI_NAME);
    dt_expect_none(&T, NULL, "Bethesda Naval, MD, USA", PW_FT_TEXT, PW_PHI_NAME);
    dt_expect_none(&T, NULL, "Our new offices in Silver Spring, MD", PW_FT_TEXT, PW_PHI_NAME);
    dt_expect_none(&T, NULL, "Pediatric Associates, PA", PW_FT_TEXT, PW_PHI_NAME);
    dt_expect_none(&T, NULL, "State College PA", PW_FT_TEXT, PW_PHI_NAME);
    dt_expect_none(&T, NULL, "Our doctors hold MD and DO degrees", PW_FT_TEXT, PW_PHI_NAME);
    dt_expect_none(&T, NULL, "PLEASE DO NOT REPLY", PW_FT_TEXT, PW_PHI_NAME);
    dt_expect_none(&T, NULL, "What We DO", PW_FT_TEXT, PW_PHI_NAME);
}

static void test_person_name_keys(void)
{
    dt_expect_span(&T, NULL, "https://x.example/t?patientFirst=Zelda&patientLast=Quillfeather",
                   PW_FT_URL, PW_PHI_NAME, "Zelda");
    CHECK(dt_find_span(&T, PW_PHI_NAME, "Quillfeather") != NULL);
    dt_expect_span(&T, NULL, "https://x.example/t?nameFirst=Zelda&nameLast=Quillfeather", PW_FT_URL,
                   PW_PHI_NAME, "Quillfeather");
    dt_expect_span(&T, "guardianName", "Odile Brackwater", PW_FT_JSON_VALUE, PW_PHI_NAME,
                   "Odile Brackwater");
    dt_expect_span(&T, "form[memberName]", "Odile Brackwater", PW_FT_FORM_VALUE, PW_PHI_NAME,
                   "Odile Brackwater");
    dt_expect_span(&T, "pt_name", "Odile", PW_FT_FORM_VALUE, PW_PHI_NAME, "Odile");
    dt_expect_span(&T, "maiden_name", "Brackwater", PW_FT_FORM_VALUE, PW_PHI_NAME, "Brackwater");
    /* organisations, partners, files, hosts and taxonomy nodes have names too */
    dt_expect_none(&T, "partnerName", "DeepIntent", PW_FT_JSON_VALUE, PW_PHI_NAME);
    dt_expect_none(&T, "parentName", "Cardiology Services", PW_FT_JSON_VALUE, PW_PHI_NAME);
    dt_expect_none(&T, "legalName", "Valley Health System", PW_FT_JSON_VALUE, PW_PHI_NAME);
    dt_expect_none(&T, "fileName", "Report Final", PW_FT_JSON_VALUE, PW_PHI_NAME);
    dt_expect_none(&T, "clientName", "Web Portal", PW_FT_JSON_VALUE, PW_PHI_NAME);
}

/* A customer's own words about their name and their family (Maison DLP's positives). */
static void test_family_names(void)
{
    dt_expect_span(&T, NULL, "My full name is Robert Alan Johnson, please check the details.",
                   PW_FT_TEXT, PW_PHI_NAME, "Robert Alan Johnson");
    dt_expect_span(&T, NULL,
                   "The product is for my spouse, Anna Lee Brown, add her to the account.",
                   PW_FT_TEXT, PW_PHI_NAME, "Anna Lee Brown");
    dt_expect_span(&T, NULL, "My child's name is Sophie Ann White, age 8.", PW_FT_TEXT, PW_PHI_NAME,
                   "Sophie Ann White");
    dt_expect_span(&T, NULL, "For the family plan, my kid is Ethan James Black, 10 years old.",
                   PW_FT_TEXT, PW_PHI_NAME, "Ethan James Black");
    /* a business partner, a state of mind, a phrase after a comma */
    dt_expect_none(&T, NULL, "my partner is Acme Health Partners, they said", PW_FT_TEXT,
                   PW_PHI_NAME);
    dt_expect_none(&T, NULL, "My wife is Happy With The Care", PW_FT_TEXT, PW_PHI_NAME);
    dt_expect_none(&T, NULL, "I told my child, Good Job", PW_FT_TEXT, PW_PHI_NAME);
    dt_expect_none(&T, NULL, "Thanks to my husband, John and I love the staff", PW_FT_TEXT,
                   PW_PHI_NAME);
}

static void test_national_phones(void)
{
    dt_expect_span(&T, NULL, "my number is 020 7946 0958", PW_FT_TEXT, PW_PHI_PHONE,
                   "020 7946 0958");
    CHECK_STR(norm_of(PW_PHI_PHONE), "+442079460958");
    dt_expect_span(&T, NULL, "07700 900123", PW_FT_JSON_VALUE, PW_PHI_PHONE, "07700 900123");
    CHECK_STR(norm_of(PW_PHI_PHONE), "+447700900123");
    dt_expect_span(&T, NULL, "text 07700 900 123 after six", PW_FT_TEXT, PW_PHI_PHONE,
                   "07700 900 123");
    dt_expect_span(&T, NULL, "0161 496 0123", PW_FT_TEXT, PW_PHI_PHONE, "0161 496 0123");
    dt_expect_span(&T, NULL, "Debra 082 490 1693", PW_FT_TEXT, PW_PHI_PHONE, "082 490 1693");
    dt_expect_span(&T, NULL, "02 9374 4000", PW_FT_TEXT, PW_PHI_PHONE, "02 9374 4000");
    dt_expect_span(&T, NULL, "ring 020-7946-0958", PW_FT_TEXT, PW_PHI_PHONE, "020-7946-0958");
    dt_expect_span(&T, NULL, "home (020) 7946 0958.", PW_FT_TEXT, PW_PHI_PHONE, "(020) 7946 0958");
    dt_expect_span(&T, NULL, "abroad: 0044 20 7946 0958", PW_FT_TEXT, PW_PHI_PHONE,
                   "0044 20 7946 0958");
    CHECK_STR(norm_of(PW_PHI_PHONE), "+442079460958");
    /* fictional 555-01xx numbers are detected: a test form's data is the canary case */
    dt_expect_span(&T, NULL, "Call me at (555) 555-0134", PW_FT_TEXT, PW_PHI_PHONE,
                   "(555) 555-0134");
    /* hard negatives: other groupings, glued digits, freephone, the organisation's own */
    dt_expect_none(&T, NULL, "Order 0123 4567 8901 shipped", PW_FT_TEXT, PW_PHI_PHONE);
    dt_expect_none(&T, NULL, "Ref 020 7946 09581", PW_FT_TEXT, PW_PHI_PHONE);
    dt_expect_none(&T, NULL, "020 7946 0958 12", PW_FT_TEXT, PW_PHI_PHONE);
    dt_expect_none(&T, NULL, "0800 123 4567", PW_FT_TEXT, PW_PHI_PHONE);
    dt_expect_none(&T, NULL, "020-7946 0958", PW_FT_TEXT, PW_PHI_PHONE);
    dt_expect_none(&T, NULL, "Item 0045 1234 5678", PW_FT_TEXT, PW_PHI_PHONE);
    dt_expect_none(&T, NULL, "ref 0049 1234", PW_FT_TEXT, PW_PHI_PHONE);
    dt_expect_none(&T, NULL, "Call our main line toll-free at +1 800 555 0199", PW_FT_TEXT,
                   PW_PHI_PHONE);
    dt_expect_none(&T, NULL, "Call us at 020 7946 0958", PW_FT_TEXT, PW_PHI_PHONE);
}

static void test_health_keys(void)
{
    dt_expect_span(&T, "diagnosis", "stage 2 thing", PW_FT_JSON_VALUE, PW_PHI_HEALTH,
                   "stage 2 thing");
    CHECK_STR(sub_of(PW_PHI_HEALTH), "condition");
    CHECK(dt_find(&T, PW_PHI_HEALTH) && dt_find(&T, PW_PHI_HEALTH)->reason == PW_REASON_CONTEXT);
    dt_expect_span(&T, "condition", "stage 2 thing", PW_FT_JSON_VALUE, PW_PHI_HEALTH,
                   "stage 2 thing");
    dt_expect_span(&T, NULL, "https://x.example/t?reason_for_visit=lumpy%20thing&ev=lead",
                   PW_FT_URL, PW_PHI_HEALTH, "lumpy%20thing");
    dt_expect_span(&T, "chiefComplaint", "weird bump", PW_FT_JSON_VALUE, PW_PHI_HEALTH,
                   "weird bump");
    dt_expect_span(&T, "cd[appointment_reason]", "follow up on the thing", PW_FT_FORM_VALUE,
                   PW_PHI_HEALTH, "follow up on the thing");
    dt_expect_span(&T, "primaryDiagnosisCode", "E11.9", PW_FT_JSON_VALUE, PW_PHI_HEALTH, "E11.9");
    dt_expect_span(&T, "current_medications", "the blue pill twice a day", PW_FT_JSON_VALUE,
                   PW_PHI_HEALTH, "the blue pill twice a day");
    dt_expect_span(&T, "allergies", "shellfish and latex", PW_FT_JSON_VALUE, PW_PHI_HEALTH,
                   "shellfish and latex");
    dt_expect_span(&T, "icd10_code", "Z34.90", PW_FT_FORM_VALUE, PW_PHI_HEALTH, "Z34.90");
    /* the vocabulary's hit is the more specific: no second hit over the whole value */
    dt_scan(&T, "diagnosis", "stage 2 breast cancer", PW_FT_JSON_VALUE);
    CHECK(dt_count(&T, PW_PHI_HEALTH) == 1);
    CHECK(dt_find_span(&T, PW_PHI_HEALTH, "stage 2 breast cancer") == NULL);
    /* yes/no, placeholders, a product's state, terms and conditions */
    expect_no_hit("condition", "new", PW_FT_JSON_VALUE);
    expect_no_hit("condition", "Refurbished", PW_FT_JSON_VALUE);
    expect_no_hit("diagnosis", "none", PW_FT_JSON_VALUE);
    expect_no_hit("diagnosis", "true", PW_FT_JSON_VALUE);
    expect_no_hit("allergies", "None", PW_FT_JSON_VALUE);
    expect_no_hit("accept_conditions", "accepted", PW_FT_FORM_VALUE);
    expect_no_hit("terms_and_conditions", "Read our terms", PW_FT_FORM_VALUE);
    expect_no_hit("complaint", "parking was slow", PW_FT_FORM_VALUE);
}

static void test_hex_text(void)
{
    dt_expect_span(&T, NULL, "https://x.example/t?c=63616e636572&ev=search", PW_FT_URL,
                   PW_PHI_HEALTH, "63616e636572");
    /* the span of a decoded term is its hex: "diabetes" is the last 16 digits */
    dt_expect_span(&T, "data", "6d792064696167206973206469616265746573", PW_FT_JSON_VALUE,
                   PW_PHI_HEALTH, "6469616265746573");
    dt_expect_span(&T, "x", "6a616e652e726f65406578616d706c652e636f6d", PW_FT_FORM_VALUE,
                   PW_PHI_EMAIL, "6a616e652e726f65406578616d706c652e636f6d");
    CHECK_STR(norm_of(PW_PHI_EMAIL), "jane.roe@example.com");
    dt_expect_span(&T, NULL, "  63616E636572 ", PW_FT_TEXT, PW_PHI_HEALTH, "63616E636572");
    /* a number whose digits read as text is still a number (a card that decodes to "Ci6 S&dY") */
    dt_expect_span(&T, NULL, "4369362053266459", PW_FT_TEXT, PW_PHI_CARD, "4369362053266459");
    /* hard negatives: colours, git hashes, UUIDs, hex session IDs, MD5s, odd lengths, short */
    expect_no_hit("color", "#ff0000", PW_FT_JSON_VALUE);
    expect_no_hit("theme", "ff0000ff", PW_FT_JSON_VALUE);
    expect_no_hit("build", "3f2a9c1e8b7d6a5f4e3d2c1b0a9f8e7d6c5b4a39", PW_FT_FORM_VALUE);
    expect_no_hit("sid", "550e8400-e29b-41d4-a716-446655440000", PW_FT_FORM_VALUE);
    expect_no_hit("session", "5e3b2a1c4d6f7a28", PW_FT_FORM_VALUE);
    expect_no_hit("h", "d41d8cd98f00b204e9800998ecf8427e", PW_FT_FORM_VALUE);
    expect_no_hit("x", "63616e63657", PW_FT_FORM_VALUE);
    expect_no_hit("x", "6361", PW_FT_FORM_VALUE);
    expect_no_hit("x", "deadbeefcafebabe", PW_FT_FORM_VALUE);
    /* text around hex is text, not hex */
    expect_no_hit(NULL, "ref 63616e636572 ok", PW_FT_TEXT);
}

static void setup(void)
{
    CHECK(dt_open(&T, NULL, 0));
}

static void teardown(void)
{
    dt_close(&T);
}

PW_TEST_MAIN(PW_TEST(setup), PW_TEST(test_provider_credentials), PW_TEST(test_person_name_keys),
             PW_TEST(test_family_names), PW_TEST(test_national_phones), PW_TEST(test_health_keys),
             PW_TEST(test_hex_text), PW_TEST(teardown))
