/* test_detect_ident.c — identifier detectors: positives with exact spans and hard negatives. */
#include <stdio.h>
#include <stdlib.h>

#include "detect_helpers.h"
#include "pw_test.h"

static dt_ctx T;

/* One hit of category c whose text is exactly want. */
static void expect_hit(const char *key, const char *s, pw_field_type ft, pw_phi_category c,
                       const char *want)
{
    dt_scan(&T, key, s, ft);
    const pw_hit *h = dt_find(&T, c);
    if (!h)
        fprintf(stderr, "  no %s hit in \"%s\"\n", pw_phi_category_name(c), s);
    CHECK(h != NULL);
    if (h)
        CHECK_STR(dt_text(&T, h), want);
}

static void test_email(void)
{
    expect_hit(NULL, "Contact: Jane.Doe+test@Example.co.uk.", PW_FT_TEXT, PW_PHI_EMAIL,
               "Jane.Doe+test@Example.co.uk");
    CHECK_STR(dt_find(&T, PW_PHI_EMAIL)->normalized, "jane.doe+test@example.co.uk");
    dt_expect_none(&T, NULL, "follow us @hospital on social", PW_FT_TEXT, PW_PHI_EMAIL);
    dt_expect_none(&T, NULL, "user@localhost", PW_FT_TEXT, PW_PHI_EMAIL);
    dt_expect_none(&T, NULL, "image@2x.png", PW_FT_TEXT, PW_PHI_EMAIL);
    /* the image extensions in any case, and only as the whole last label */
    dt_expect_none(&T, NULL, "logo@2x.WEBP", PW_FT_TEXT, PW_PHI_EMAIL);
    dt_expect_none(&T, NULL, "bundle@1.js", PW_FT_TEXT, PW_PHI_EMAIL);
    expect_hit(NULL, "write to Ana@Clinic.PHOTOS", PW_FT_TEXT, PW_PHI_EMAIL, "Ana@Clinic.PHOTOS");
    CHECK_STR(dt_find(&T, PW_PHI_EMAIL)->normalized, "ana@clinic.photos");
    expect_hit(NULL, "a@b.jsx", PW_FT_TEXT, PW_PHI_EMAIL, "a@b.jsx");
    expect_hit(NULL, "ME@X.IO", PW_FT_TEXT, PW_PHI_EMAIL, "ME@X.IO");
    CHECK_STR(dt_find(&T, PW_PHI_EMAIL)->normalized, "me@x.io");
}

static void test_phone(void)
{
    expect_hit(NULL, "call me at (617) 555-0123 tonight", PW_FT_TEXT, PW_PHI_PHONE,
               "(617) 555-0123");
    CHECK_STR(dt_find(&T, PW_PHI_PHONE)->normalized, "6175550123");
    expect_hit(NULL, "mobile 617.555.0123", PW_FT_TEXT, PW_PHI_PHONE, "617.555.0123");
    expect_hit(NULL, "+1 617 555 0123", PW_FT_TEXT, PW_PHI_PHONE, "+1 617 555 0123");
    expect_hit(NULL, "+16175550123", PW_FT_TEXT, PW_PHI_PHONE, "+16175550123");
    expect_hit(NULL, "+44 20 7946 0958", PW_FT_TEXT, PW_PHI_PHONE, "+44 20 7946 0958");
    expect_hit("ph", "6175550123", PW_FT_FORM_VALUE, PW_PHI_PHONE, "6175550123");
    /* an extension belongs to the number (and to its redaction); "001" is the call prefix */
    expect_hit(NULL, "reach me at 345-899-3560x4587", PW_FT_TEXT, PW_PHI_PHONE,
               "345-899-3560x4587");
    CHECK_STR(dt_find(&T, PW_PHI_PHONE)->normalized, "3458993560");
    expect_hit(NULL, "(898)666-3621 ext. 135, evenings", PW_FT_TEXT, PW_PHI_PHONE,
               "(898)666-3621 ext. 135");
    expect_hit(NULL, "617.555.0123 X12", PW_FT_TEXT, PW_PHI_PHONE, "617.555.0123 X12");
    expect_hit(NULL, "001-518-640-0854", PW_FT_TEXT, PW_PHI_PHONE, "001-518-640-0854");
    CHECK_STR(dt_find(&T, PW_PHI_PHONE)->normalized, "5186400854");
    expect_hit(NULL, "617-555-0123 xray", PW_FT_TEXT, PW_PHI_PHONE, "617-555-0123");
    dt_expect_none(&T, NULL, "617-555-0123x", PW_FT_TEXT, PW_PHI_PHONE);
    dt_expect_none(&T, NULL, "617-555-0123x1234567", PW_FT_TEXT, PW_PHI_PHONE);
    expect_hit(NULL, "Fax: 617-555-0199", PW_FT_TEXT, PW_PHI_PHONE, "617-555-0199");
    CHECK_STR(dt_find(&T, PW_PHI_PHONE)->subtype, "fax");
    /* hard negatives: timestamps, bare numbers, mixed separators, invalid area codes */
    dt_expect_none(&T, "ts", "1699999999", PW_FT_FORM_VALUE, PW_PHI_PHONE);
    dt_expect_none(&T, NULL, "event at 1699999999123", PW_FT_TEXT, PW_PHI_PHONE);
    dt_expect_none(&T, NULL, "id 6175550123", PW_FT_TEXT, PW_PHI_PHONE);
    dt_expect_none(&T, NULL, "617-555.0123", PW_FT_TEXT, PW_PHI_PHONE);
    dt_expect_none(&T, NULL, "123-456-7890", PW_FT_TEXT, PW_PHI_PHONE);
    dt_expect_none(&T, NULL, "2023-10-12", PW_FT_TEXT, PW_PHI_PHONE);
    dt_expect_none(&T, NULL, "Call us at 617-555-0100 for directions", PW_FT_TEXT, PW_PHI_PHONE);
    dt_expect_none(&T, NULL, "1-800-555-0199", PW_FT_TEXT, PW_PHI_PHONE);
    /* under a phone key the whole number counts, parentheses and '+' included (the exchange
     * 014 is not valid NANP, so only the key makes it a phone) */
    expect_hit("tel", "(555) 014-2398", PW_FT_FORM_VALUE, PW_PHI_PHONE, "(555) 014-2398");
    CHECK_STR(dt_find(&T, PW_PHI_PHONE)->normalized, "5550142398");
    expect_hit(NULL, "https://h.example/appt?tel=%28555%29+014-2398", PW_FT_URL, PW_PHI_PHONE,
               "%28555%29+014-2398");
    expect_hit(NULL, "phone: +1 (555) 014-2398", PW_FT_TEXT, PW_PHI_PHONE, "+1 (555) 014-2398");
    dt_expect_none(&T, NULL, "room (555) 014-2398", PW_FT_TEXT, PW_PHI_PHONE);
    /* a clinic location's or a department's number, as its key names it, is the number the site
     * publishes, not a patient's: before, "location_phone" held "phone" and was critical */
    const char *place_keys[] = {"ep.location_phone", "location_phone_number",
                                "locationPhone",     "cd[department_phone]",
                                "clinic_phone",      "dept_phone",
                                "locations.0.phone", "clinics[2][phone]",
                                "locations.1.tel",   NULL};
    for (const char *const *k = place_keys; *k; k++) {
        dt_expect_none(&T, *k, "(816) 931-4234", PW_FT_TEXT, PW_PHI_PHONE);
        dt_expect_none(&T, *k, "816-931-4234", PW_FT_JSON_VALUE, PW_PHI_PHONE);
    }
    /* a person's numbers stay phones, a work or office number included; so does one a visitor
     * typed with a context word into a location's key */
    const char *person_keys[] = {"ep.patient_phone", "ep.phone",   "office_phone",
                                 "work_phone",       "home_phone", "phone_location",
                                 "contact.phone",    NULL};
    for (const char *const *k = person_keys; *k; k++)
        expect_hit(*k, "(816) 931-4234", PW_FT_TEXT, PW_PHI_PHONE, "(816) 931-4234");
    expect_hit("ep.location_phone", "call me at 816-931-4234", PW_FT_TEXT, PW_PHI_PHONE,
               "816-931-4234");
}

static void test_ssn(void)
{
    expect_hit(NULL, "my ssn is 123-45-6789.", PW_FT_TEXT, PW_PHI_SSN, "123-45-6789");
    expect_hit(NULL, "123 45 6789", PW_FT_TEXT, PW_PHI_SSN, "123 45 6789");
    expect_hit("ssn", "123456789", PW_FT_FORM_VALUE, PW_PHI_SSN, "123456789");
    dt_expect_none(&T, NULL, "000-12-3456", PW_FT_TEXT, PW_PHI_SSN);
    dt_expect_none(&T, NULL, "666-12-3456", PW_FT_TEXT, PW_PHI_SSN);
    dt_expect_none(&T, NULL, "912-34-5678", PW_FT_TEXT, PW_PHI_SSN);
    dt_expect_none(&T, NULL, "123-00-4567", PW_FT_TEXT, PW_PHI_SSN);
    dt_expect_none(&T, NULL, "123-45-0000", PW_FT_TEXT, PW_PHI_SSN);
    dt_expect_none(&T, NULL, "Order #123-45-6789 shipped", PW_FT_TEXT, PW_PHI_SSN);
    dt_expect_none(&T, NULL, "ORD-123-45-6789", PW_FT_TEXT, PW_PHI_SSN);
    dt_expect_none(&T, NULL, "123456789", PW_FT_TEXT, PW_PHI_SSN);
    dt_expect_none(&T, NULL, "1123-45-67890", PW_FT_TEXT, PW_PHI_SSN);
}

static void test_date(void)
{
    expect_hit(NULL, "DOB: 03/14/1985", PW_FT_TEXT, PW_PHI_DATE, "03/14/1985");
    CHECK_STR(dt_find(&T, PW_PHI_DATE)->subtype, "dob");
    CHECK_STR(dt_find(&T, PW_PHI_DATE)->normalized, "19850314");
    expect_hit(NULL, "born March 14, 1985 in Ohio", PW_FT_TEXT, PW_PHI_DATE, "March 14, 1985");
    expect_hit(NULL, "14 Mar 1985", PW_FT_TEXT, PW_PHI_DATE, "14 Mar 1985");
    expect_hit("db", "19850314", PW_FT_FORM_VALUE, PW_PHI_DATE, "19850314");
    expect_hit(NULL, "your appointment is on 2026-05-01", PW_FT_TEXT, PW_PHI_DATE, "2026-05-01");
    CHECK_STR(dt_find(&T, PW_PHI_DATE)->subtype, "appointment");
    expect_hit("appt_date", "05/01/2026", PW_FT_FORM_VALUE, PW_PHI_DATE, "05/01/2026");
    expect_hit(NULL, "14.03.1985", PW_FT_TEXT, PW_PHI_DATE, "14.03.1985");
    /* not calendar days, timestamps, news dates, bare digits */
    dt_expect_none(&T, NULL, "02/30/1985", PW_FT_TEXT, PW_PHI_DATE);
    dt_expect_none(&T, NULL, "13/13/1985", PW_FT_TEXT, PW_PHI_DATE);
    dt_expect_none(&T, NULL, "2024-01-15T10:30:00Z", PW_FT_JSON_VALUE, PW_PHI_DATE);
    dt_expect_none(&T, NULL, "News - posted January 5, 2024", PW_FT_TEXT, PW_PHI_DATE);
    dt_expect_none(&T, NULL, "19850314", PW_FT_TEXT, PW_PHI_DATE);
    dt_expect_none(&T, NULL, "version 1.2.2024", PW_FT_TEXT, PW_PHI_DATE);
}

static void test_zip_address(void)
{
    expect_hit("zp", "02115", PW_FT_FORM_VALUE, PW_PHI_ZIP, "02115");
    expect_hit(NULL, "Boston, MA 02115-1234", PW_FT_TEXT, PW_PHI_ZIP, "02115-1234");
    dt_expect_none(&T, NULL, "we have 02115 reasons", PW_FT_TEXT, PW_PHI_ZIP);
    expect_hit(NULL, "I live at 1200 North Elm Street Apt 4B, Boston, MA 02115 now", PW_FT_TEXT,
               PW_PHI_ADDRESS, "1200 North Elm Street Apt 4B, Boston, MA 02115");
    expect_hit(NULL, "55 Fruit St.", PW_FT_TEXT, PW_PHI_ADDRESS, "55 Fruit St.");
    expect_hit("address1", "12 Main", PW_FT_FORM_VALUE, PW_PHI_ADDRESS, "12 Main");
    dt_expect_none(&T, NULL, "5 Ways to Lower Your Risk", PW_FT_TEXT, PW_PHI_ADDRESS);
    dt_expect_none(&T, NULL, "Parking is on level 3 of garage B", PW_FT_TEXT, PW_PHI_ADDRESS);
}

static void test_ip(void)
{
    expect_hit(NULL, "client 192.168.10.5 connected", PW_FT_TEXT, PW_PHI_IP, "192.168.10.5");
    expect_hit(NULL, "from 2001:db8::8a2e:370:7334.", PW_FT_TEXT, PW_PHI_IP,
               "2001:db8::8a2e:370:7334");
    dt_expect_none(&T, NULL, "version 1.2.3.4", PW_FT_TEXT, PW_PHI_IP);
    dt_expect_none(&T, NULL, "v10.0.0.1", PW_FT_TEXT, PW_PHI_IP);
    dt_expect_none(&T, NULL, "Chrome/120.0.6099.109", PW_FT_TEXT, PW_PHI_IP);
    dt_expect_none(&T, NULL, "1.2.3.4.5", PW_FT_TEXT, PW_PHI_IP);
    dt_expect_none(&T, NULL, "256.1.1.1", PW_FT_TEXT, PW_PHI_IP);
    dt_expect_none(&T, NULL, "meet at 10:30:00", PW_FT_TEXT, PW_PHI_IP);
    dt_expect_none(&T, NULL, "mac 00:1a:2b:3c:4d:5e", PW_FT_TEXT, PW_PHI_IP);
    /* glued to letters (typed text): still the address; a small-number version is not */
    expect_hit(NULL, "my ip is 198.51.100.231h ok", PW_FT_TEXT, PW_PHI_IP, "198.51.100.231");
    dt_expect_none(&T, NULL, "release 1.2.3.4b", PW_FT_TEXT, PW_PHI_IP);
    dt_expect_none(&T, NULL, "198.51.100.2311", PW_FT_TEXT, PW_PHI_IP);
    /* a URL's host is a server's address, wherever the URL sits (a JSON value, a decoded
     * parameter, text); the visitor's address in the same URL's query still counts */
    dt_expect_none(&T, NULL, "http://127.0.0.1:33021/a", PW_FT_JSON_VALUE, PW_PHI_IP);
    dt_expect_none(&T, NULL, "next=http%3A%2F%2F10.1.2.3%2Fportal", PW_FT_TEXT, PW_PHI_IP);
    dt_expect_none(&T, NULL, "see https://[2001:db8::1]:8443/x", PW_FT_TEXT, PW_PHI_IP);
    expect_hit(NULL, "http://10.1.2.3/portal?client_ip=203.0.113.9", PW_FT_JSON_VALUE, PW_PHI_IP,
               "203.0.113.9");
    expect_hit(NULL, "ip /203.0.113.9", PW_FT_TEXT, PW_PHI_IP, "203.0.113.9");
}

/* engine-text8: a segment of 16..64 bytes with two colons goes the IPv4 way unless some run of
 * hex digits, colons and dots holds two of them (v6_possible): IPv6 addresses are still found
 * there, at the start, the end, beside other colons, and an IPv4 beside far-apart colons. */
static void test_ip_colons(void)
{
    expect_hit(NULL, "Patient: Ana Ruiz, seen: 203.0.113.7 today", PW_FT_TEXT, PW_PHI_IP,
               "203.0.113.7");
    expect_hit(NULL, "Note: client fe80::1ff:fe23:4567:890a logged in", PW_FT_TEXT, PW_PHI_IP,
               "fe80::1ff:fe23:4567:890a");
    expect_hit(NULL, "2001:db8::8a2e:370:7334 was the client's address", PW_FT_TEXT, PW_PHI_IP,
               "2001:db8::8a2e:370:7334");
    expect_hit(NULL, "the client's address was 2001:db8:0:0:0:0:2:1", PW_FT_TEXT, PW_PHI_IP,
               "2001:db8:0:0:0:0:2:1");
    expect_hit(NULL, "Time: 10:30, client ::ffff:192.0.2.128 connected", PW_FT_TEXT, PW_PHI_IP,
               "::ffff:192.0.2.128");
    dt_expect_none(&T, NULL, "Patient: Ana Ruiz, DOB: 09/27/1972 here", PW_FT_TEXT, PW_PHI_IP);
}

static void test_ids(void)
{
    expect_hit(NULL, "MRN: 00123456", PW_FT_TEXT, PW_PHI_RECORD_ID, "00123456");
    CHECK_STR(dt_find(&T, PW_PHI_RECORD_ID)->subtype, "mrn");
    expect_hit(NULL, "Member ID XJH123456789", PW_FT_TEXT, PW_PHI_RECORD_ID, "XJH123456789");
    CHECK_STR(dt_find(&T, PW_PHI_RECORD_ID)->subtype, "member");
    expect_hit("policyNumber", "P-1234-5678", PW_FT_FORM_VALUE, PW_PHI_RECORD_ID, "P-1234-5678");
    CHECK_STR(dt_find(&T, PW_PHI_RECORD_ID)->subtype, "policy");
    expect_hit(NULL, "https://portal.example.org/patients/12345/visits", PW_FT_URL,
               PW_PHI_RECORD_ID, "12345");
    CHECK_STR(dt_find(&T, PW_PHI_RECORD_ID)->subtype, "url-id");
    expect_hit(NULL, "https://x.org/chart?patient_id=A998877", PW_FT_URL, PW_PHI_RECORD_ID,
               "A998877");
    dt_expect_none(&T, NULL, "https://x.org/news/12345/new-wing", PW_FT_URL, PW_PHI_RECORD_ID);
    dt_expect_none(&T, NULL, "Room 12345", PW_FT_TEXT, PW_PHI_RECORD_ID);
    /* NPI: check digit; 1234567893 is valid, 1234567890 is not */
    expect_hit(NULL, "NPI 1234567893", PW_FT_TEXT, PW_PHI_NPI, "1234567893");
    dt_expect_none(&T, NULL, "NPI 1234567890", PW_FT_TEXT, PW_PHI_NPI);
    dt_expect_none(&T, "ts", "1234567893", PW_FT_FORM_VALUE, PW_PHI_NPI);
    /* DEA: AB1234563 passes (1+3+5 + 2*(2+4+6) = 33 -> 3), AB1234567 fails */
    expect_hit(NULL, "DEA AB1234563", PW_FT_TEXT, PW_PHI_DEA, "AB1234563");
    dt_expect_none(&T, NULL, "DEA AB1234567", PW_FT_TEXT, PW_PHI_DEA);
    /* MBI format; S, L, O, I, B, Z never appear in letter positions */
    expect_hit(NULL, "Medicare 1EG4-TE5-MK73", PW_FT_TEXT, PW_PHI_MBI, "1EG4-TE5-MK73");
    expect_hit(NULL, "1EG4TE5MK73", PW_FT_TEXT, PW_PHI_MBI, "1EG4TE5MK73");
    dt_expect_none(&T, NULL, "1SG4TE5MK73", PW_FT_TEXT, PW_PHI_MBI);
    dt_expect_none(&T, NULL, "1eg4te5mk73", PW_FT_TEXT, PW_PHI_MBI);
}

static void test_card(void)
{
    expect_hit(NULL, "card 4111 1111 1111 1111 exp", PW_FT_TEXT, PW_PHI_CARD,
               "4111 1111 1111 1111");
    expect_hit(NULL, "5500-0000-0000-0004", PW_FT_TEXT, PW_PHI_CARD, "5500-0000-0000-0004");
    expect_hit(NULL, "amex 378282246310005", PW_FT_TEXT, PW_PHI_CARD, "378282246310005");
    dt_expect_none(&T, NULL, "card 4111 1111 1111 1112", PW_FT_TEXT, PW_PHI_CARD);
    dt_expect_none(&T, NULL, "4111-1111 1111-1111", PW_FT_TEXT, PW_PHI_CARD);
    dt_expect_none(&T, "id", "4111111111111111", PW_FT_FORM_VALUE, PW_PHI_CARD);
    dt_expect_none(&T, NULL, "ts 1700000000123", PW_FT_TEXT, PW_PHI_CARD);
    /* grouped like a card, it is one whatever word precedes it; a plain run after "order" is
     * an order number */
    expect_hit(NULL, "Order 4539 1488 0343 6467 exp 12/27", PW_FT_TEXT, PW_PHI_CARD,
               "4539 1488 0343 6467");
    dt_expect_none(&T, NULL, "order 4539148803436467", PW_FT_TEXT, PW_PHI_CARD);
}

static void test_names(void)
{
    expect_hit("fn", "Jane", PW_FT_FORM_VALUE, PW_PHI_NAME, "Jane");
    CHECK_STR(dt_find(&T, PW_PHI_NAME)->subtype, "patient");
    expect_hit("ud[ln]", " O'Neil ", PW_FT_FORM_VALUE, PW_PHI_NAME, "O'Neil");
    expect_hit("patientName", "Jane Q. Public", PW_FT_FORM_VALUE, PW_PHI_NAME, "Jane Q. Public");
    expect_hit(NULL, "Book with Dr. Maria Lopez today", PW_FT_TEXT, PW_PHI_NAME, "Maria Lopez");
    CHECK_STR(dt_find(&T, PW_PHI_NAME)->subtype, "provider");
    expect_hit(NULL, "Patient name: John Smith", PW_FT_TEXT, PW_PHI_NAME, "John Smith");
    CHECK_STR(dt_find(&T, PW_PHI_NAME)->subtype, "patient");
    expect_hit(NULL, "Alan Grant, MD", PW_FT_TEXT, PW_PHI_NAME, "Alan Grant");
    /* a bare "patient" announces a name only inside a sentence, never in a title or a menu */
    expect_hit(NULL, "Patient John Smith called about chemo", PW_FT_TEXT, PW_PHI_NAME,
               "John Smith");
    CHECK_STR(dt_find(&T, PW_PHI_NAME)->subtype, "patient");
    expect_hit(NULL, "spoke with patient Mary Jones.", PW_FT_TEXT, PW_PHI_NAME, "Mary Jones");
    expect_hit(NULL, "Our patient Anna Lee, 45, had surgery", PW_FT_TEXT, PW_PHI_NAME, "Anna Lee");
    dt_expect_none(&T, NULL, "Patient Financial Services, Billing", PW_FT_TEXT, PW_PHI_NAME);
    dt_expect_none(&T, NULL, "Patient Rights and Responsibilities", PW_FT_TEXT, PW_PHI_NAME);
    dt_expect_none(&T, NULL, "Patient Stories: Jane Doe beat cancer", PW_FT_TEXT, PW_PHI_NAME);
    dt_expect_none(&T, NULL, "Patient Portal Login | Example Hospital", PW_FT_TEXT, PW_PHI_NAME);
    dt_expect_none(&T, NULL, "Find a Doctor", PW_FT_TEXT, PW_PHI_NAME);
    dt_expect_none(&T, NULL, "Visiting Hours and Parking", PW_FT_TEXT, PW_PHI_NAME);
    dt_expect_none(&T, "fn", "a3f1c2", PW_FT_FORM_VALUE, PW_PHI_NAME);
    /* a bare "name" member is a person's name only at the top or under a person-like parent */
    expect_hit("name", "Jane Doe", PW_FT_JSON_VALUE, PW_PHI_NAME, "Jane Doe");
    expect_hit("patient.name", "Jane Doe", PW_FT_JSON_VALUE, PW_PHI_NAME, "Jane Doe");
    expect_hit("patients.0.name", "Jane Doe", PW_FT_JSON_VALUE, PW_PHI_NAME, "Jane Doe");
    expect_hit("contact[name]", "Jane Doe", PW_FT_FORM_VALUE, PW_PHI_NAME, "Jane Doe");
    dt_expect_none(&T, "product.name", "Knee Brace", PW_FT_JSON_VALUE, PW_PHI_NAME);
    dt_expect_none(&T, "event.name", "Page View", PW_FT_JSON_VALUE, PW_PHI_NAME);
    dt_expect_none(&T, "cd[contents].0.name", "Gift Card", PW_FT_JSON_VALUE, PW_PHI_NAME);
}

/* A name that a record line, a salutation or a key inside text announces (reviewer's cases),
 * and the titles, menus, group salutations and control names that must stay clean. */
static void test_names_in_context(void)
{
    /* a patient's name followed by an identifier label is a record line, not a title */
    expect_hit(NULL, "patient John Smith MRN 4482913", PW_FT_TEXT, PW_PHI_NAME, "John Smith");
    CHECK_STR(dt_find(&T, PW_PHI_NAME)->subtype, "patient");
    CHECK(dt_find(&T, PW_PHI_RECORD_ID) != NULL);
    expect_hit(NULL, "Patient Maria Garcia DOB 03/14/1985", PW_FT_TEXT, PW_PHI_NAME,
               "Maria Garcia");
    expect_hit(NULL, "Patient Maria Garcia #4482913", PW_FT_TEXT, PW_PHI_NAME, "Maria Garcia");
    dt_expect_none(&T, NULL, "Patient Access ID Card", PW_FT_TEXT, PW_PHI_NAME);
    dt_expect_none(&T, NULL, "Patient Portal MRN Lookup", PW_FT_TEXT, PW_PHI_NAME);
    /* a sentence may end with the name; a title or a menu item ends with its words */
    expect_hit(NULL, "Reminder sent to patient John Smith", PW_FT_TEXT, PW_PHI_NAME, "John Smith");
    expect_hit(NULL, "Message from Patient José Núñez", PW_FT_TEXT, PW_PHI_NAME, "José Núñez");
    dt_expect_none(&T, NULL, "Home | Patient Engagement Specialist", PW_FT_TEXT, PW_PHI_NAME);
    dt_expect_none(&T, NULL, "Patient Financial Services", PW_FT_TEXT, PW_PHI_NAME);
    dt_expect_none(&T, NULL, "Contact the patient Care Team", PW_FT_TEXT, PW_PHI_NAME);
    /* the whole text "Patient First Last" (a subject line, an event parameter) is a name; a title
     * of that shape ends in a job's or a place's word, holds a word made like a noun or a term */
    expect_hit(NULL, "Patient John Smith", PW_FT_TEXT, PW_PHI_NAME, "John Smith");
    expect_hit(NULL, "Patient John A. Smith", PW_FT_TEXT, PW_PHI_NAME, "John A. Smith");
    expect_hit(NULL,
               "Patient Mar\xc3\xad"
               "a Pe\xc3\xb1"
               "a",
               PW_FT_TEXT, PW_PHI_NAME,
               "Mar\xc3\xad"
               "a Pe\xc3\xb1"
               "a");
    expect_hit(NULL, "Patient Grace Fleming", PW_FT_TEXT, PW_PHI_NAME, "Grace Fleming");
    expect_hit("cd[content_name]", "Patient Rosa Delgado", PW_FT_JSON_VALUE, PW_PHI_NAME,
               "Rosa Delgado");
    static const char *const titles[] = {
        "Patient Engagement Specialist", "Patient Parking Garage",   "Patient Dining Options",
        "Patient Blood Drive",           "Patient Art Gallery",      "Patient Tower Construction",
        "Patient Room Amenities",        "Patient Lift Equipment",   "Patient Advisory Council",
        "Patient Welcome Packet",        "Patient Cancer Navigator", "Patient Portal Login",
        "Patient Quiet Hours",           "Patient Gift Shop",        "Patient John"};
    for (size_t k = 0; k < sizeof titles / sizeof titles[0]; k++)
        dt_expect_none(&T, NULL, titles[k], PW_FT_TEXT, PW_PHI_NAME);
    /* the addressee of a salutation; a provider after it stays a provider */
    expect_hit(NULL, "Dear Maria Garcia, your appointment with Dr. Patel is on Monday", PW_FT_TEXT,
               PW_PHI_NAME, "Maria Garcia");
    CHECK_STR(dt_find(&T, PW_PHI_NAME)->subtype, "patient");
    CHECK_INT(dt_count(&T, PW_PHI_NAME), 2);
    CHECK_STR(T.h[T.n - 1].subtype, "provider");
    CHECK_STR(dt_text(&T, &T.h[T.n - 1]), "Patel");
    expect_hit(NULL, "Dear John A. Smith: your results are ready", PW_FT_TEXT, PW_PHI_NAME,
               "John A. Smith");
    expect_hit(NULL, "Dear Dr. Patel, thank you", PW_FT_TEXT, PW_PHI_NAME, "Patel");
    CHECK_STR(dt_find(&T, PW_PHI_NAME)->subtype, "provider");
    dt_expect_none(&T, NULL, "Dear Valued Patient,", PW_FT_TEXT, PW_PHI_NAME);
    dt_expect_none(&T, NULL, "Dear Patients and Visitors,", PW_FT_TEXT, PW_PHI_NAME);
    dt_expect_none(&T, NULL, "Dear Sir or Madam,", PW_FT_TEXT, PW_PHI_NAME);
    dt_expect_none(&T, NULL, "Dear Hiring Manager:", PW_FT_TEXT, PW_PHI_NAME);
    dt_expect_none(&T, NULL, "Dear Community Members,", PW_FT_TEXT, PW_PHI_NAME);
    /* one capitalised first name is an addressee too; a group, a role or a relative is not */
    expect_hit(NULL, "Dear Maria, your appointment is confirmed", PW_FT_TEXT, PW_PHI_NAME, "Maria");
    CHECK_STR(dt_find(&T, PW_PHI_NAME)->subtype, "patient");
    expect_hit(NULL, "Dear Zoë:", PW_FT_TEXT, PW_PHI_NAME, "Zoë");
    static const char *const groups[] = {
        "Dear Patients,", "Dear Friends,",        "Dear Colleagues,",
        "Dear Neighbor,", "Dear Diary,",          "Dear Mom,",
        "Dear Team,",     "Dear Alumni,",         "Dear Everyone!",
        "Dear Sir:",      "Dear Valued Patient,", "Dear Kids,",
        "Dear Mr,",       "Dear Cancer,",         "Dear Breast Cancer, you picked the wrong woman"};
    for (size_t k = 0; k < sizeof groups / sizeof groups[0]; k++)
        dt_expect_none(&T, NULL, groups[k], PW_FT_TEXT, PW_PHI_NAME);
    dt_expect_none(&T, NULL, "Dear Evan Hansen tickets", PW_FT_TEXT, PW_PHI_NAME);
    /* a query string inside text: its name keys say what their values are */
    expect_hit(NULL, "name=John+Smith&reason=chest+pain", PW_FT_TEXT, PW_PHI_NAME, "John+Smith");
    CHECK_STR(dt_find(&T, PW_PHI_NAME)->subtype, "patient");
    expect_hit(NULL, "POST /contact body: name=John%20Smith&x=1", PW_FT_TEXT, PW_PHI_NAME,
               "John%20Smith");
    expect_hit(NULL, "form first_name=dana&ln=whitaker sent", PW_FT_TEXT, PW_PHI_NAME, "dana");
    CHECK_INT(dt_count(&T, PW_PHI_NAME), 2);
    expect_hit(NULL, "?fn=Dana&patientName=Rosa+Delgado", PW_FT_TEXT, PW_PHI_NAME, "Dana");
    CHECK_STR(dt_text(&T, &T.h[T.n - 1]), "Rosa+Delgado");
    expect_hit(NULL, "doctorName=Jane+Smith", PW_FT_TEXT, PW_PHI_NAME, "Jane+Smith");
    CHECK_STR(dt_find(&T, PW_PHI_NAME)->subtype, "provider");
    dt_expect_none(&T, NULL, "name=appointment_form", PW_FT_TEXT, PW_PHI_NAME);
    dt_expect_none(&T, NULL, "name=contact&email_opt=1", PW_FT_TEXT, PW_PHI_NAME);
    dt_expect_none(&T, NULL, "name=Contact+Us&x=1", PW_FT_TEXT, PW_PHI_NAME);
    dt_expect_none(&T, NULL, "ln=en&fn=null", PW_FT_TEXT, PW_PHI_NAME);
    dt_expect_none(&T, NULL, "ep.form_name=Appointment+Request", PW_FT_TEXT, PW_PHI_NAME);
    /* an encoded space belongs to the value: the value holds digits, so it is no name */
    dt_expect_none(&T, NULL, "a b?user.name=xsalivary%2520duplication%252012345", PW_FT_TEXT,
                   PW_PHI_NAME);
    /* JSON inside text */
    expect_hit(NULL, "payload {\"name\":\"John Smith\",\"reason\":\"chest pain\"}", PW_FT_TEXT,
               PW_PHI_NAME, "John Smith");
    expect_hit(NULL, "{\"firstName\":\"Dana\",\"lastName\":\"Whitaker\"}", PW_FT_TEXT, PW_PHI_NAME,
               "Dana");
    CHECK_INT(dt_count(&T, PW_PHI_NAME), 2);
    expect_hit(NULL, "{\"patient\": {\"name\": \"Jane Doe\"}}", PW_FT_TEXT, PW_PHI_NAME,
               "Jane Doe");
    dt_expect_none(&T, NULL,
                   "[{\"id\":\"first_name\",\"name\":\"first_name\"},{\"name\":\"email\"}]",
                   PW_FT_TEXT, PW_PHI_NAME);
    dt_expect_none(&T, NULL, "[{\"name\":\"Jane Doe\"}]", PW_FT_TEXT,
                   PW_PHI_NAME); /* a list: things */
    dt_expect_none(&T, NULL, "{\"product\":{\"name\":\"Knee Brace\"}}", PW_FT_TEXT, PW_PHI_NAME);
    dt_expect_none(&T, NULL, "{\"@type\":\"Hospital\",\"name\":\"Mercy General\"}", PW_FT_TEXT,
                   PW_PHI_NAME);
    dt_expect_none(&T, NULL,
                   "{\"classList\":\"btn\",\"innerText\":\"Go\",\"name\":\"Quick Pay\",\"tag\":"
                   "\"button\"}",
                   PW_FT_TEXT, PW_PHI_NAME);
    dt_expect_none(&T, NULL, "{\"name\":\"Submit Form\"}", PW_FT_TEXT, PW_PHI_NAME);
    /* an object about a product, a campaign, a form, an event or an organisation names a thing;
     * one with a person's members (email, phone) names the person */
    dt_expect_none(&T, NULL,
                   "{\"event\":\"view_item\",\"name\":\"Knee Brace\",\"price\":\"19.99\"}",
                   PW_FT_TEXT, PW_PHI_NAME);
    dt_expect_none(&T, NULL, "{\"campaign\":\"spring\",\"name\":\"Heart Walk\"}", PW_FT_TEXT,
                   PW_PHI_NAME);
    dt_expect_none(&T, NULL, "{\"name\":\"Valley Heart Institute\",\"url\":\"https://v.org\"}",
                   PW_FT_TEXT, PW_PHI_NAME);
    dt_expect_none(&T, NULL, "{\"name\":\"Summer Gala\",\"startDate\":\"2027-06-01\"}", PW_FT_TEXT,
                   PW_PHI_NAME);
    dt_expect_none(&T, NULL, "{\"formId\":\"12\",\"name\":\"Nurse Residency\"}", PW_FT_TEXT,
                   PW_PHI_NAME);
    expect_hit(NULL,
               "{\"event\":\"form_submit\",\"type\":\"lead\",\"name\":\"Jane Doe\",\"email\":"
               "\"jd@example.com\"}",
               PW_FT_TEXT, PW_PHI_NAME, "Jane Doe");
    expect_hit(NULL, "{\"patient\":{\"name\":\"John Smith\"},\"type\":\"visit\"}", PW_FT_TEXT,
               PW_PHI_NAME, "John Smith");
}

/* Names outside ASCII, with apostrophes, hyphens, inner capitals and particles are one span in
 * every context (test_detect_redact's test_names_whole checks the redaction of many more). */
static void test_names_utf8(void)
{
    expect_hit(NULL, "Solicitar una cita con el Dr. García, Oncología", PW_FT_TEXT, PW_PHI_NAME,
               "García");
    expect_hit(NULL, "Appointment with Dr. José Núñez", PW_FT_TEXT, PW_PHI_NAME, "José Núñez");
    expect_hit(NULL, "Dr. Nguyễn Văn An", PW_FT_TEXT, PW_PHI_NAME, "Nguyễn Văn An");
    expect_hit(NULL, "Dr. Conor O’Brien, Cardiology", PW_FT_TEXT, PW_PHI_NAME, "Conor O’Brien");
    expect_hit(NULL, "Meet Dr. Anna Smith-Jones today", PW_FT_TEXT, PW_PHI_NAME,
               "Anna Smith-Jones");
    expect_hit(NULL, "Dr. McDonald and Dr. DeLeon", PW_FT_TEXT, PW_PHI_NAME, "McDonald");
    CHECK_STR(dt_text(&T, &T.h[T.n - 1]), "DeLeon");
    expect_hit(NULL, "Dr. St. John sees patients", PW_FT_TEXT, PW_PHI_NAME, "St. John");
    expect_hit(NULL, "Dr. Juan de la Cruz said", PW_FT_TEXT, PW_PHI_NAME, "Juan de la Cruz");
    expect_hit(NULL, "Dr. María José García López", PW_FT_TEXT, PW_PHI_NAME,
               "María José García López");
    expect_hit(NULL, "Ángel Muñoz, MD - Oncology", PW_FT_TEXT, PW_PHI_NAME, "Ángel Muñoz");
    CHECK_STR(dt_find(&T, PW_PHI_NAME)->subtype, "provider");
    expect_hit(NULL, "Patient Name: Chloé Hernández", PW_FT_TEXT, PW_PHI_NAME, "Chloé Hernández");
    /* four words may make a name, but a record line's next label is none of them */
    expect_hit(NULL, "Name: Chise T. Horiguchi Phone: 0378 3549890", PW_FT_TEXT, PW_PHI_NAME,
               "Chise T. Horiguchi");
    expect_hit(NULL, "log: name=Jos%C3%A9+N%C3%BA%C3%B1ez&x=1", PW_FT_TEXT, PW_PHI_NAME,
               "Jos%C3%A9+N%C3%BA%C3%B1ez");
    expect_hit(NULL, "{\"name\":\"Zoë Peña\"}", PW_FT_TEXT, PW_PHI_NAME, "Zoë Peña");
    expect_hit(NULL, "form: name=José Ángel sent", PW_FT_TEXT, PW_PHI_NAME, "José Ángel");
    expect_hit(NULL, "Patient José Núñez ésta semana", PW_FT_TEXT, PW_PHI_NAME, "José Núñez");
    expect_hit("fn", "王小明", PW_FT_FORM_VALUE, PW_PHI_NAME, "王小明");
    expect_hit("name", "Ольга Иванова", PW_FT_FORM_VALUE, PW_PHI_NAME, "Ольга Иванова");
    /* a word that goes on in letters the span cannot take is no name word: never half of it */
    dt_expect_none(&T, NULL, "Dr. JOHN", PW_FT_TEXT, PW_PHI_NAME);
    dt_expect_none(&T, NULL, "Dr. Smith2", PW_FT_TEXT, PW_PHI_NAME);
    /* a capital inside a word follows a surname prefix (Mc, Mac, De, La …), never a brand's */
    dt_expect_none(&T, NULL, "{\"name\":\"HealthStream Learning\"}", PW_FT_TEXT, PW_PHI_NAME);
    dt_expect_none(&T, NULL, "Dear MyChart User,", PW_FT_TEXT, PW_PHI_NAME);
    expect_hit(NULL, "Dr. Ana Ruiz × 2", PW_FT_TEXT, PW_PHI_NAME, "Ana Ruiz");
}

static void test_hashed_under_key(void)
{
    /* sha256("jane.doe@example.com") under Meta's ud[em] is still an email identifier */
    const char *h = "b9bb6d5d4b4c1d1b4bd0ad1c5e7e0d9c2f0ed3a1b8f9e4bd8e1f1a2b3c4d5e6f";
    expect_hit("ud[em]", h, PW_FT_FORM_VALUE, PW_PHI_EMAIL, h);
    dt_expect_none(&T, "ev", h, PW_FT_FORM_VALUE, PW_PHI_EMAIL);
}

static void test_quick_reject(void)
{
    CHECK_INT(dt_scan(&T, NULL, "   ---   ///", PW_FT_TEXT), 0);
    CHECK_INT(dt_scan(&T, NULL, "", PW_FT_TEXT), 0);
    CHECK_INT(dt_scan(&T, NULL, "Visiting hours are 9am to 8pm daily", PW_FT_TEXT), 0);
}

/* A long field with many hits (more than 16: resolve_overlaps looks only at the kept hits near
 * each one) gives every repetition of a sentence exactly the hits the sentence gets alone, and
 * its search-query hit (key "q") still holds them all. */
static void test_many_hits(void)
{
    const char *unit = "Pt DOB 03/14/1985, call 617-555-0123 re HIV test and breast cancer. ";
    size_t ul = strlen(unit), reps = 40;
    size_t n1 = dt_scan(&T, NULL, unit, PW_FT_TEXT);
    CHECK(n1 >= 4); /* date, phone, health terms: not vacuous */
    pw_hit one[16];
    CHECK(n1 <= 16);
    memcpy(one, T.h, n1 * sizeof *one);
    char text[4096];
    for (size_t r = 0; r < reps; r++)
        memcpy(text + r * ul, unit, ul);
    text[reps * ul] = '\0';
    CHECK_INT(dt_scan(&T, NULL, text, PW_FT_TEXT), (long)(n1 * reps));
    for (size_t k = 0; k < T.n && k < n1 * reps; k++) {
        const pw_hit *a = &T.h[k], *b = &one[k % n1];
        size_t shift = (k / n1) * ul;
        CHECK(a->category == b->category && a->start == b->start + shift &&
              a->end == b->end + shift);
    }
    CHECK_INT(dt_scan(&T, "q", text, PW_FT_TEXT), (long)(n1 * reps + 1));
    CHECK(T.h[0].category == PW_PHI_CARE_INTENT && T.h[0].start == 0);
}

/* "Dear <illness>," is no salutation with either vocabulary back end: the check that no word of
 * the addressee is a health term once ran on the automaton only, so "Dear Cancer," gave the name
 * "Cancer" with Hyperscan. */
static void test_salutation_illness_backends(void)
{
    static const char *const backends[] = {"ac", "hyperscan"};
    dt_ctx keep = T;
    for (size_t b = 0; b < 2; b++) {
        setenv("PHIWALL_VOCAB_BACKEND", backends[b], 1);
        int opened = dt_open(&T, NULL, 0);
        unsetenv("PHIWALL_VOCAB_BACKEND");
        if (!opened) {
            printf("skipped %s: not in this build\n", backends[b]);
            continue;
        }
        dt_expect_none(&T, NULL, "Dear Cancer,", PW_FT_TEXT, PW_PHI_NAME);
        dt_expect_none(&T, NULL, "Dear Breast Cancer, you picked the wrong woman", PW_FT_TEXT,
                       PW_PHI_NAME);
        dt_expect_none(&T, NULL, "Dear Depression: I am done with you", PW_FT_TEXT, PW_PHI_NAME);
        expect_hit(NULL, "Dear Maria Garcia, your results are ready", PW_FT_TEXT, PW_PHI_NAME,
                   "Maria Garcia");
        expect_hit(NULL, "Dear Zo\xc3\xab:", PW_FT_TEXT, PW_PHI_NAME, "Zo\xc3\xab");
        dt_close(&T);
    }
    T = keep;
}

static void setup(void)
{
    CHECK(dt_open(&T, NULL, 0));
}

/* The whole text "Patient X Y" on general hospital pages (services, programmes, places, page
 * adjectives: "Patient Shuttle Service", "Patient Reported Outcomes") gives no name; real names,
 * also those spelt like nouns ("Sterling", "Clement", "McGuinness"), still do. */
static void test_patient_title_shapes(void)
{
    static const char *const titles[] = {"Patient Family Advisory",
                                         "Patient Financial Services",
                                         "Patient Rights Responsibilities",
                                         "Patient Lounge Piano",
                                         "Patient Shuttle Service",
                                         "Patient Reported Outcomes",
                                         "Patient Drop Off",
                                         "Patient Pick Up",
                                         "Patient Price Estimates",
                                         "Patient Discharge Planning",
                                         "Patient Reviews Ratings",
                                         "Patient Tribute Gifts",
                                         "Patient Comfort Kits",
                                         "Patient Speakers Bureau",
                                         "Patient Hospitality House",
                                         "Patient Ronald McDonald House",
                                         "Patient Newsletter Signup",
                                         "Patient Social Work",
                                         "Patient No Surprises Act",
                                         "Patient Story Maria"};
    for (size_t k = 0; k < sizeof titles / sizeof titles[0]; k++)
        dt_expect_none(&T, NULL, titles[k], PW_FT_TEXT, PW_PHI_NAME);
    static const char *const names[] = {"Sterling Brown",  "Irving Cohen", "Mary Clement",
                                        "Sean McGuinness", "Jordan Price", "Emily Hall",
                                        "Bill Murray",     "Hope Davis"};
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
        char text[64];
        snprintf(text, sizeof text, "Patient %s", names[k]);
        expect_hit(NULL, text, PW_FT_TEXT, PW_PHI_NAME, names[k]);
    }
}

/* A form's label aligned with spaces, the answer to a question for a name, a maiden name:
 * context that announces a name as surely as "Name: " does; the question without an answer
 * and a lower-case or other word after it give none. */
static void test_name_labels_and_answers(void)
{
    expect_hit(NULL, "Name:    Abby M. Laidlaw\nAddress:     12 Elm St", PW_FT_TEXT, PW_PHI_NAME,
               "Abby M. Laidlaw");
    expect_hit(NULL, "Patient name:   Rosa Delgado", PW_FT_TEXT, PW_PHI_NAME, "Rosa Delgado");
    expect_hit(NULL, "What's your name? Pauline Geisler", PW_FT_TEXT, PW_PHI_NAME,
               "Pauline Geisler");
    expect_hit(NULL, "What's your last name? Magnusson", PW_FT_TEXT, PW_PHI_NAME, "Magnusson");
    expect_hit(NULL, "My mother's maiden name is Davis, as per the setup.", PW_FT_TEXT, PW_PHI_NAME,
               "Davis");
    dt_expect_none(&T, NULL, "What's your name? Tell us below", PW_FT_TEXT, PW_PHI_NAME);
    dt_expect_none(&T, NULL, "What's your name? we'd love to know", PW_FT_TEXT, PW_PHI_NAME);
    dt_expect_none(&T, NULL, "What's your name? Submit", PW_FT_TEXT, PW_PHI_NAME);
    dt_expect_none(&T, NULL, "Name:    ", PW_FT_TEXT, PW_PHI_NAME);
}

/* engine-text8: the record-id and date detectors skip the word starts before the first digit's
 * token and after the last digit; a token that starts with letters and dashes before its digits
 * is still read from its first letter, and a month name before the digits still starts a date. */
static void test_tokens_before_digits(void)
{
    expect_hit(NULL, "Medical record number MRN-A-0012345 on file", PW_FT_TEXT, PW_PHI_RECORD_ID,
               "MRN-A-0012345");
    expect_hit(NULL, "Medical record MR-00-12345 on file", PW_FT_TEXT, PW_PHI_RECORD_ID,
               "MR-00-12345");
    expect_hit(NULL, "Medical record no. AB12-345 today", PW_FT_TEXT, PW_PHI_RECORD_ID, "AB12-345");
    expect_hit(NULL, "Born on the day of March 14, 1962", PW_FT_TEXT, PW_PHI_DATE,
               "March 14, 1962");
}

/* engine-text8: a ZIP after a state code, for every pair of capital letters: a hit exactly after
 * the 50 states' codes, DC and PR (the codes are looked up in a table of bits; a wrong bit adds
 * or loses a ZIP here). */
static void test_zip_every_state_code(void)
{
    static const char *const codes[] = {
        "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID",
        "IL", "IN", "IA", "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO",
        "MT", "NE", "NV", "NH", "NJ", "NM", "NY", "NC", "ND", "OH", "OK", "OR", "PA",
        "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV", "WI", "WY", "PR"};
    int wrong = 0;
    for (char a = 'A'; a <= 'Z'; a++)
        for (char b = 'A'; b <= 'Z'; b++) {
            int state = 0;
            for (size_t k = 0; k < sizeof codes / sizeof codes[0]; k++)
                state |= codes[k][0] == a && codes[k][1] == b;
            char text[48];
            snprintf(text, sizeof text, "Ship it to Springfield, %c%c 02115 today", a, b);
            dt_scan(&T, NULL, text, PW_FT_TEXT);
            if ((dt_find(&T, PW_PHI_ZIP) != NULL) != state) {
                fprintf(stderr, "  %c%c: zip %s\n", a, b, state ? "missed" : "found");
                wrong++;
            }
        }
    CHECK_INT(wrong, 0);
}

static void teardown(void)
{
    dt_close(&T);
}

PW_TEST_MAIN(PW_TEST(setup), PW_TEST(test_email), PW_TEST(test_phone), PW_TEST(test_ssn),
             PW_TEST(test_date), PW_TEST(test_zip_address), PW_TEST(test_ip),
             PW_TEST(test_ip_colons), PW_TEST(test_ids), PW_TEST(test_card), PW_TEST(test_names),
             PW_TEST(test_names_in_context), PW_TEST(test_names_utf8),
             PW_TEST(test_hashed_under_key), PW_TEST(test_quick_reject), PW_TEST(test_many_hits),
             PW_TEST(test_salutation_illness_backends), PW_TEST(test_patient_title_shapes),
             PW_TEST(test_name_labels_and_answers), PW_TEST(test_zip_every_state_code),
             PW_TEST(test_tokens_before_digits), PW_TEST(teardown))
