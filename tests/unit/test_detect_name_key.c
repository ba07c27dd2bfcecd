/* test_detect_name_key.c — names where a field's key is the only evidence: a bare "name" key
 * holds a button, an event, a page or a product as often as a person, so its value must read as
 * a name; a specific name key ("fn", "first_name", "patient_name") keeps any value but a form's
 * placeholder. */
#include <stdio.h>
#include <string.h>

#include "detect/internal.h"
#include "detect_helpers.h"
#include "pw_test.h"

static dt_ctx T;

static void setup(void)
{
    CHECK(dt_open(&T, NULL, 0));
}

static void teardown(void)
{
    dt_close(&T);
}

/* The field key/s (of type ft) gives a name hit whose text is want. */
static void expect_name(const char *key, const char *s, pw_field_type ft, const char *want)
{
    dt_scan(&T, key, s, ft);
    const pw_hit *h = dt_find(&T, PW_PHI_NAME);
    if (!h)
        fprintf(stderr, "  no name hit for %s=\"%s\"\n", key ? key : "(none)", s);
    CHECK(h != NULL);
    if (h)
        CHECK_STR(dt_text(&T, h), want);
}

static void expect_no_name(const char *key, const char *s, pw_field_type ft)
{
    dt_scan(&T, key, s, ft);
    const pw_hit *h = dt_find(&T, PW_PHI_NAME);
    if (h)
        fprintf(stderr, "  unexpected name \"%s\" for %s=\"%s\"\n", dt_text(&T, h),
                key ? key : "(none)", s);
    CHECK(h == NULL);
}

/* Which keys are a bare "name": the last component, compacted, any case. */
static void test_bare_name_key(void)
{
    CHECK(pw_ctx_key_last_is("name", 4, "name"));
    CHECK(pw_ctx_key_last_is("Name", 4, "name"));
    CHECK(pw_ctx_key_last_is("contact[name]", 13, "name"));
    CHECK(pw_ctx_key_last_is("user.name", 9, "name"));
    CHECK(!pw_ctx_key_last_is("first_name", 10, "name"));
    CHECK(!pw_ctx_key_last_is("patientName", 11, "name"));
    CHECK(!pw_ctx_key_last_is("names", 5, "name"));
    CHECK(!pw_ctx_key_last_is("nameplate_xyz", 13, "name"));
    CHECK(!pw_ctx_key_last_is(NULL, 0, "name"));
}

/* One field and what it must give: want is the name hit's text, NULL for no name hit. */
typedef struct name_case {
    const char *key, *value;
    pw_field_type ft;
    const char *want;
} name_case;

static void check_cases(const name_case *c, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (c[i].want)
            expect_name(c[i].key, c[i].value, c[i].ft, c[i].want);
        else
            expect_no_name(c[i].key, c[i].value, c[i].ft);
}

#define CHECK_CASES(c) check_cases(c, sizeof c / sizeof c[0])

/* Buttons, links, events and pages under a top-level "name" (a dataLayer push, a form's button,
 * an event's label) are no person; the old rule took any letters. */
static void test_bare_name_labels(void)
{
    static const char *const labels[] = {
        "Contact Us", "Learn More", "Get Directions", "Video Play", "Newsletter Signup", "Submit",
        "Thank You", "Home Page", "Find a Doctor", "Outbound Click", "Scroll Depth",
        "Form Submission", "Add To Cart", "Give Today", "DONATE NOW", "Checkout", "Main Navigation",
        "Más Información", "Enviar Formulario", "Página Principal",
        /* a single word cannot be told from a label: a cookie's, a browser's, a first name */
        "Dana", "Chromium", "ARRAffinity", "sessionid", NULL};
    for (const char *const *l = labels; *l; l++) {
        expect_no_name("name", *l, PW_FT_JSON_VALUE);
        expect_no_name("name", *l, PW_FT_FORM_VALUE);
    }
    static const name_case more[] = {
        {"contact[name]", "Sign Up", PW_FT_FORM_VALUE, NULL},
        /* inside text, the same rule */
        {NULL, "name=Get+Directions&x=1", PW_FT_TEXT, NULL},
        {NULL, "{\"name\":\"Video Play\",\"value\":1}", PW_FT_TEXT, NULL},
        /* a word in capitals that is a label stays one */
        {NULL, "name=CONTACT+US&x=1", PW_FT_TEXT, NULL},
    };
    CHECK_CASES(more);
}

/* Names under a bare "name" key, in every shape a form or a record writes them. */
static void test_bare_name_people(void)
{
    static const name_case cases[] = {
        {"name", "Jordan Smith", PW_FT_JSON_VALUE, "Jordan Smith"},
        {"name", " Maria Lopez ", PW_FT_FORM_VALUE, "Maria Lopez"},
        {"user.name", "Priya Okafor", PW_FT_JSON_VALUE, "Priya Okafor"},
        {"name", "Juan de la Cruz", PW_FT_FORM_VALUE, "Juan de la Cruz"},
        {"name", "Siobhan O'Neill-Park", PW_FT_JSON_VALUE, "Siobhan O'Neill-Park"},
        {"name", "Ronald McDonald", PW_FT_JSON_VALUE, "Ronald McDonald"},
        {"name", "Bill Chase", PW_FT_JSON_VALUE, "Bill Chase"}, /* given names kept off the lists */
        {"name", "JORDAN SMITH", PW_FT_FORM_VALUE, "JORDAN SMITH"},
        {"name", "JOSÉ NÚÑEZ", PW_FT_FORM_VALUE, "JOSÉ NÚÑEZ"},
        {"name", "María José García López", PW_FT_JSON_VALUE, "María José García López"},
        /* capitals inside text: the old rule wanted capitalised words only */
        {NULL, "name=PRIYA+OKAFOR&email=", PW_FT_TEXT, "PRIYA+OKAFOR"},
        {NULL, "{\"name\":\"MARIA LOPEZ\",\"phone\":\"6175550148\"}", PW_FT_TEXT, "MARIA LOPEZ"},
    };
    CHECK_CASES(cases);
}

/* A specific name key keeps single words, lower case and capitals, but not a placeholder. */
static void test_specific_keys(void)
{
    static const name_case cases[] = {
        {"fn", "MARIA", PW_FT_FORM_VALUE, "MARIA"},
        {"first_name", "jordan", PW_FT_FORM_VALUE, "jordan"},
        {"patient_name", "Priya Okafor", PW_FT_JSON_VALUE, "Priya Okafor"},
        {"lastName", "Okonkwo-Smith", PW_FT_FORM_VALUE, "Okonkwo-Smith"},
        {"ln", "Page", PW_FT_FORM_VALUE, "Page"}, /* a page word, and a surname */
        {"first_name", "First Name", PW_FT_FORM_VALUE, NULL},
        {"fn", "Enter your name", PW_FT_FORM_VALUE, NULL},
        {"fullName", "Your Name", PW_FT_JSON_VALUE, NULL},
        {"nombre", "Nombre", PW_FT_FORM_VALUE, NULL},
        {NULL, "first_name=Your+Name&last_name=Last+Name", PW_FT_TEXT, NULL},
        /* two words or more of a control or a page; one such word alone may be a name */
        {"contactName", "Contact Us", PW_FT_JSON_VALUE, NULL},
        {"fullname", "Learn More", PW_FT_JSON_VALUE, NULL},
        {"ln", "Son", PW_FT_FORM_VALUE, "Son"},
        {"last_name", "Guest", PW_FT_FORM_VALUE, "Guest"},
    };
    CHECK_CASES(cases);
}

/* JSON pasted into text: an object with an "event", "params" or "properties" member is a
 * tracking event, whose "name" is the event's or its button's, unless a person's member sits
 * beside it. */
static void test_event_objects(void)
{
    static const name_case cases[] = {
        {NULL, "{\"event\":\"cta_click\",\"name\":\"Mercy Westbrook\"}", PW_FT_TEXT, NULL},
        {NULL, "{\"name\":\"Mercy Westbrook\",\"params\":{\"page_location\":\"https://x.org/\"}}",
         PW_FT_TEXT, NULL},
        {NULL, "{\"properties\":{\"plan\":\"b\"},\"name\":\"Mercy Westbrook\"}", PW_FT_TEXT, NULL},
        {NULL, "{\"event\":\"form_submit\",\"name\":\"Jane Doe\",\"email\":\"j@x.org\"}",
         PW_FT_TEXT, "Jane Doe"},
        {NULL, "webhook body: {\"name\":\"Tom Becker\",\"reason\":\"refill\"}", PW_FT_TEXT,
         "Tom Becker"},
    };
    CHECK_CASES(cases);
}

/* What an object's member keys say it is about: a thing's member (price, sku, event, GA4's
 * item_*, Meta's content_*, products) without a person's, or a person's member (email, phone,
 * dob) whatever else sits beside it. */
static size_t member_names(const char *key, pw_detect_object object, const char *value);

static void test_object_kind(void)
{
    const char *product[] = {"name", "price", "currency"};
    const char *ga4[] = {"item_name", "item_id", "index"};
    const char *meta[] = {"name", "content_ids", "num_items"};
    const char *camel[] = {"productId", "name"};
    const char *lead[] = {"event", "name", "email"};
    const char *contact[] = {"name", "phone"};
    const char *message[] = {"name", "content", "item"}; /* a body and an entry: no thing */
    const char *lone[] = {"name"};
    CHECK(pw_detect_object_kind(product, 3) == PW_OBJECT_THING);
    CHECK(pw_detect_object_kind(ga4, 3) == PW_OBJECT_THING);
    CHECK(pw_detect_object_kind(meta, 3) == PW_OBJECT_THING);
    CHECK(pw_detect_object_kind(camel, 2) == PW_OBJECT_THING);
    CHECK(pw_detect_object_kind(lead, 3) == PW_OBJECT_PERSON);
    CHECK(pw_detect_object_kind(contact, 2) == PW_OBJECT_PERSON);
    CHECK(pw_detect_object_kind(message, 3) == PW_OBJECT_UNKNOWN);
    CHECK(pw_detect_object_kind(lone, 1) == PW_OBJECT_UNKNOWN);
    CHECK(pw_detect_object_kind(NULL, 0) == PW_OBJECT_UNKNOWN);
    /* a lead's or a contact form's members are no product's: the name stays a name there */
    const char *form[] = {"form_id", "name", "message"};
    const char *lead_value[] = {"name", "value", "currency"};
    const char *visit[] = {"name", "type", "location"};
    const char *labelled[] = {"event_category", "event_label", "name"};
    CHECK(pw_detect_object_kind(form, 3) == PW_OBJECT_UNKNOWN);
    CHECK(pw_detect_object_kind(lead_value, 3) == PW_OBJECT_UNKNOWN);
    CHECK(pw_detect_object_kind(visit, 3) == PW_OBJECT_UNKNOWN);
    CHECK(pw_detect_object_kind(labelled, 3) == PW_OBJECT_UNKNOWN);
    CHECK(member_names("name", pw_detect_object_kind(lead_value, 3), "Jane Smith") == 1);
}

/* The value of a member scanned with its object's kind: name hits of "Knee Brace" under name. */
static size_t member_names(const char *key, pw_detect_object object, const char *value)
{
    pw_hit *h = NULL;
    size_t nh = 0, names = 0;
    CHECK(pw_detect_scan_member(T.d, T.s, &T.a, key, object, value, strlen(value), PW_FT_JSON_VALUE,
                                &h, &nh, NULL) == PW_OK);
    for (size_t i = 0; i < nh; i++)
        names += h[i].category == PW_PHI_NAME;
    return names;
}

/* A top-level "name" member of an object about a thing is a product's or an event's; an unknown
 * object and a person-like parent keep the key's rule; a person's object makes any "name" member
 * a name key. Each scan twice: the remembered segment of one kind must not answer for the
 * other. */
static void test_member_of_object(void)
{
    for (int round = 0; round < 2; round++) {
        CHECK(member_names("name", PW_OBJECT_THING, "Knee Brace") == 0);
        CHECK(member_names("name", PW_OBJECT_UNKNOWN, "Knee Brace") == 1);
        CHECK(member_names("name", PW_OBJECT_PERSON, "Jane Smith") == 1);
        CHECK(member_names("name", PW_OBJECT_THING, "Jane Smith") == 0);
        CHECK(member_names("patient.name", PW_OBJECT_THING, "Jane Smith") == 1);
        CHECK(member_names("first_name", PW_OBJECT_THING, "Jane") == 1);
        /* a contact's own members say so whatever its parent: "data.name" alone is no name key
         * (a webhook's data, a thing's), beside "data.email" it is */
        CHECK(member_names("data.name", PW_OBJECT_PERSON, "Jane Smith") == 1);
        CHECK(member_names("data.name", PW_OBJECT_UNKNOWN, "Jane Smith") == 0);
        CHECK(member_names("data.name", PW_OBJECT_THING, "Jane Smith") == 0);
        CHECK(member_names("items.0.name", PW_OBJECT_PERSON, "Jane Smith") == 1);
        CHECK(member_names("data.title", PW_OBJECT_PERSON, "Jane Smith") == 0);
    }
    pw_buf out = {0};
    const char *v = "Knee Brace";
    CHECK(pw_redact_member(T.d, T.s, &T.a, "name", PW_OBJECT_THING, v, strlen(v), PW_FT_JSON_VALUE,
                           &out, NULL) == PW_OK);
    CHECK_STR(out.data ? out.data : "", "Knee Brace");
    pw_buf_clear(&out);
    CHECK(pw_redact_member(T.d, T.s, &T.a, "name", PW_OBJECT_PERSON, "Jane Smith", 10,
                           PW_FT_JSON_VALUE, &out, NULL) == PW_OK);
    CHECK_STR(out.data ? out.data : "", "[NAME]");
    pw_buf_free(&out);
}

/* Which keys the object's kind can change: the last component, compacted, is "name". */
static void test_key_reads_object(void)
{
    static const char *const yes[] = {"name",      "Name",          "NAME",
                                      "data.name", "contact[name]", "items.0.name",
                                      "na-me",     "cd[name] ",     NULL};
    static const char *const no[] = {"first_name", "names", "surname", "name.first", "price",
                                     "name.",      "nam",   "",        NULL};
    for (const char *const *k = yes; *k; k++) {
        CHECK(pw_detect_key_reads_object(*k));
        CHECK(pw_ctx_key_last_is(*k, strlen(*k), "name"));
    }
    for (const char *const *k = no; *k; k++) {
        CHECK(!pw_detect_key_reads_object(*k));
        CHECK(!pw_ctx_key_last_is(*k, strlen(*k), "name"));
    }
    CHECK(!pw_detect_key_reads_object(NULL));
}

/* JSON pasted into text, shaped as e-commerce pages send it: Meta's custom data and GA4's and
 * Universal Analytics' product members beside a "name" make it a product's. */
static void test_ecommerce_objects(void)
{
    static const name_case cases[] = {
        {NULL, "{\"name\":\"Knee Brace\",\"content_ids\":[\"8812\"],\"content_type\":\"product\"}",
         PW_FT_TEXT, NULL},
        {NULL, "{\"name\":\"Knee Brace\",\"productId\":\"8812\"}", PW_FT_TEXT, NULL},
        {NULL, "{\"name\":\"Knee Brace\",\"item_category\":\"Braces\"}", PW_FT_TEXT, NULL},
        {NULL, "{\"name\":\"Jane Smith\",\"content_type\":\"lead\",\"phone\":\"617-555-0148\"}",
         PW_FT_TEXT, "Jane Smith"},
        {NULL, "{\"name\":\"Jane Smith\",\"content\":\"please call\"}", PW_FT_TEXT, "Jane Smith"},
    };
    CHECK_CASES(cases);
}

/* An address's members ("city", "state", "region", "country") make a contact form's or a lead's
 * object a person's, as an email does, but not beside a product's member or a place's (a
 * Schema.org type, a url, a venue, a start date: a clinic, an event listing); the same rule for
 * a walker's object and for JSON pasted into text. */
static void test_address_members(void)
{
    const char *city[] = {"name", "city"};
    const char *lead[] = {"form_id", "name", "city", "state"};
    const char *region[] = {"name", "region", "country"};
    const char *product[] = {"name", "price", "city"};
    const char *event[] = {"name", "startDate", "location", "city"};
    const char *place[] = {"@type", "name", "state"};
    const char *site[] = {"name", "url", "city", "state"};
    const char *lone_country[] = {"Country"};
    CHECK(pw_detect_object_kind(city, 2) == PW_OBJECT_PERSON);
    CHECK(pw_detect_object_kind(lead, 4) == PW_OBJECT_PERSON);
    CHECK(pw_detect_object_kind(region, 3) == PW_OBJECT_PERSON);
    CHECK(pw_detect_object_kind(product, 3) == PW_OBJECT_THING);
    CHECK(pw_detect_object_kind(event, 4) == PW_OBJECT_UNKNOWN);
    CHECK(pw_detect_object_kind(place, 3) == PW_OBJECT_UNKNOWN);
    CHECK(pw_detect_object_kind(site, 4) == PW_OBJECT_UNKNOWN);
    CHECK(pw_detect_object_kind(lone_country, 1) == PW_OBJECT_PERSON);
    /* the kind decides a nested "name" ("data.name" is no name key alone) */
    CHECK(member_names("data.name", pw_detect_object_kind(city, 2), "Jane Doe") == 1);
    CHECK(member_names("data.name", pw_detect_object_kind(event, 4), "Spring Gala") == 0);
    /* a person's object still asks a bare "name" to read as a name */
    CHECK(member_names("name", pw_detect_object_kind(region, 3), "Checkout") == 0);
    static const name_case cases[] = {
        {NULL, "{\"data\":{\"name\":\"Jane Doe\",\"city\":\"Springfield\"}}", PW_FT_TEXT,
         "Jane Doe"},
        {NULL,
         "{\"form_id\":\"contact-us\",\"name\":\"Marcus Bell\",\"city\":\"Springfield\","
         "\"state\":\"IL\"}",
         PW_FT_TEXT, "Marcus Bell"},
        {NULL, "[{\"name\":\"Elena Ruiz\",\"country\":\"US\"}]", PW_FT_TEXT, "Elena Ruiz"},
        {NULL, "{\"items\":[{\"name\":\"Walker Glides\",\"sku\":\"WG-77\",\"country\":\"US\"}]}",
         PW_FT_TEXT, NULL},
        {NULL,
         "{\"name\":\"Westbrook Commons\",\"url\":\"https://westbrook.example.org\","
         "\"city\":\"Springfield\"}",
         PW_FT_TEXT, NULL},
        {NULL,
         "{\"data\":{\"name\":\"Spring "
         "Gala\",\"startDate\":\"2027-03-14\",\"city\":\"Springfield\"}}",
         PW_FT_TEXT, NULL},
    };
    CHECK_CASES(cases);
}

/* A list of places ("locations", "clinics", "offices"…) holds no person's record: an entry's
 * name beside a city, a state, a phone is the place's, for a walker's object ("locations.0.name"
 * of a PW_OBJECT_PERSON kind) and for JSON pasted into text; and a place's own words ("Commons",
 * "Plaza", "Pavilion") make no person's name under a bare "name" key. A person's list entry keeps
 * its name. */
static void test_place_lists(void)
{
    const char *entry[] = {"name", "city", "state"};
    pw_detect_object kind = pw_detect_object_kind(entry, 3);
    CHECK(kind == PW_OBJECT_PERSON);
    CHECK(member_names("locations.0.name", kind, "Mercy Westbrook") == 0);
    CHECK(member_names("locations.name", kind, "Mercy Westbrook") == 0);
    CHECK(member_names("data.clinics[2][name]", kind, "Mercy Westbrook") == 0);
    CHECK(member_names("facilities.name", kind, "Mercy Westbrook") == 0);
    CHECK(member_names("contacts.0.name", kind, "Mercy Westbrook") == 1);
    CHECK(member_names("name", kind, "Hilltop Commons") == 0);
    CHECK(member_names("name", kind, "Riverside Plaza") == 0);
    CHECK(member_names("name", kind, "Mercy Westbrook") == 1);
    static const name_case cases[] = {
        {NULL,
         "{\"locations\":[{\"name\":\"Lakeside Family\",\"city\":\"Worcester\",\"state\":\"MA\"},"
         "{\"name\":\"Mercy Westbrook\",\"city\":\"Auburn\",\"state\":\"MA\"}]}",
         PW_FT_TEXT, NULL},
        {NULL,
         "{\"clinic\":{\"name\":\"Mercy Westbrook\",\"phone\":\"(508) 555-0100\",\"city\":"
         "\"Auburn\"}}",
         PW_FT_TEXT, NULL},
        {NULL, "[{\"name\":\"Hilltop Commons\",\"city\":\"Auburn\",\"state\":\"MA\"}]", PW_FT_TEXT,
         NULL},
        {NULL, "{\"contacts\":[{\"name\":\"Mercy Westbrook\",\"city\":\"Auburn\"}]}", PW_FT_TEXT,
         "Mercy Westbrook"},
        {NULL, "[{\"name\":\"Elena Ruiz\",\"city\":\"Worcester\",\"state\":\"MA\"}]", PW_FT_TEXT,
         "Elena Ruiz"},
    };
    CHECK_CASES(cases);
}

/* JSON pasted into text: a contact object's own members (email, phone) make its "name" a
 * person's wherever it sits (a webhook's "data", a list), as for a walker passing
 * PW_OBJECT_PERSON; under a parent that is not person-like and without them it stays no name. */
static void test_contact_objects_anywhere(void)
{
    static const name_case cases[] = {
        {NULL, "{\"data\":{\"name\":\"Jane Smith\",\"email\":\"jane@example.org\"}}", PW_FT_TEXT,
         "Jane Smith"},
        {NULL, "[{\"name\":\"Jane Smith\",\"phone\":\"617-555-0148\"}]", PW_FT_TEXT, "Jane Smith"},
        {NULL,
         "{\"event\":\"lead\",\"payload\":{\"phone\":\"617-555-0148\",\"name\":\"Jane Smith\"}}",
         PW_FT_TEXT, "Jane Smith"},
        {NULL, "{\"data\":{\"name\":\"Jane Smith\"}}", PW_FT_TEXT, NULL},
        {NULL, "{\"data\":{\"name\":\"Knee Brace\",\"price\":\"3\"}}", PW_FT_TEXT, NULL},
    };
    CHECK_CASES(cases);
}

/* A bare "provider", "doctor" or "physician" key names a login, payment or map service as often
 * as a clinician; a clinician's name in any shape is kept. */
static void test_provider_keys(void)
{
    static const name_case cases[] = {
        {"provider", "google", PW_FT_JSON_VALUE, NULL},
        {"provider", "Facebook", PW_FT_JSON_VALUE, NULL},
        {"ud[provider]", "Stripe", PW_FT_FORM_VALUE, NULL},
        {"doctor", "Find a Doctor", PW_FT_FORM_VALUE, NULL},
        {"physician", "All Providers", PW_FT_FORM_VALUE, NULL},
        {"provider", "dr-anita-rao", PW_FT_FORM_VALUE, "dr-anita-rao"},
        {"provider", "Anita Rao", PW_FT_JSON_VALUE, "Anita Rao"},
        {"doctor", "Patel", PW_FT_FORM_VALUE, "Patel"},
        {"providerName", "Google Health", PW_FT_JSON_VALUE, "Google Health"}, /* not a bare key */
    };
    CHECK_CASES(cases);
    CHECK(pw_ctx_key_last_is("ud[provider]", 12, "provider"));
    CHECK(!pw_ctx_key_last_is("providerName", 12, "provider"));
}

PW_TEST_MAIN(PW_TEST(setup), PW_TEST(test_bare_name_key), PW_TEST(test_bare_name_labels),
             PW_TEST(test_bare_name_people), PW_TEST(test_specific_keys),
             PW_TEST(test_event_objects), PW_TEST(test_object_kind), PW_TEST(test_member_of_object),
             PW_TEST(test_key_reads_object), PW_TEST(test_ecommerce_objects),
             PW_TEST(test_contact_objects_anywhere), PW_TEST(test_address_members),
             PW_TEST(test_place_lists), PW_TEST(test_provider_keys), PW_TEST(teardown))
