/*
 * test_detect_redact.c — redaction: tags in place of hits, URL structure kept, and the property
 * that matters: re-scanning redacted output finds no identifier at all.
 */
#include "detect_helpers.h"
#include "pw_test.h"

static dt_ctx T;

static const char *redact(const char *key, const char *s, pw_field_type ft)
{
    pw_buf b;
    pw_buf_init(&b);
    pw_status st = pw_redact(T.d, T.s, &T.a, key, s, strlen(s), ft, &b, NULL);
    CHECK_INT(st, PW_OK);
    const char *out = pw_arena_strndup(&T.a, b.data ? b.data : "", b.len);
    pw_buf_free(&b);
    return out;
}

static void test_text(void)
{
    CHECK_STR(redact(NULL, "Email jane@x.org or call 617-555-0123.", PW_FT_TEXT),
              "Email [EMAIL] or call [PHONE].");
    CHECK_STR(redact(NULL, "nothing here", PW_FT_TEXT), "nothing here");
    CHECK_STR(redact("fn", "Jane", PW_FT_FORM_VALUE), "[NAME]");
    CHECK_STR(redact(NULL, "DOB 03/14/1985 SSN 123-45-6789", PW_FT_TEXT), "DOB [DATE] SSN [SSN]");
}

static void test_url_shape(void)
{
    CHECK_STR(
        redact(NULL, "https://h.org/patients/12345/visits?email=a%40b.org&lang=en#top", PW_FT_URL),
        "https://h.org/patients/[ID]/visits?email=[EMAIL]&lang=en#top");
    CHECK_STR(redact(NULL, "https://h.org/search?q=knee+pain&page=2", PW_FT_URL),
              "https://h.org/search?q=[SEARCH]&page=2");
    /* a nested URL is redacted as a URL and re-encoded */
    CHECK_STR(redact(NULL,
                     "https://www.facebook.com/tr/"
                     "?ev=Lead&dl=https%3A%2F%2Fh.org%2Fbook%3Fph%3D6175550123%26x%3D1",
                     PW_FT_URL),
              "https://www.facebook.com/tr/"
              "?ev=Lead&dl=https%3A%2F%2Fh.org%2Fbook%3Fph%3D%5BPHONE%5D%26x%3D1");
}

static const char *const samples[] = {
    "Email jane.doe@example.com or call (617) 555-0123, SSN 123-45-6789",
    "DOB: 03/14/1985, MRN: 00123456, card 4111 1111 1111 1111",
    "https://h.org/patients/12345/visit?fn=Jane&email=jane%40example.com&q=breast+cancer&dl="
    "https%3A%2F%2Fx.org%2Fp%3Fphone%3D6175550123",
    "See Dr. Jane Smith at 1200 North Elm Street, Boston, MA 02115. Medicare 1EG4-TE5-MK73, "
    "NPI 1234567893, DEA AB1234563",
    "{\"user\":{\"email\":\"a.b@c.org\",\"ip\":\"192.168.1.20\",\"ipv6\":\"2001:db8::1\"}}",
    "jane%2540example.com and 617%2D555%2D0123",
};

static void test_nothing_left(void)
{
    for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
        dt_scan(&T, NULL, samples[i], PW_FT_TEXT);
        CHECK(dt_identifiers(&T) > 0);
        const char *out = redact(NULL, samples[i], PW_FT_TEXT);
        dt_scan(&T, NULL, out, PW_FT_TEXT);
        if (dt_identifiers(&T))
            fprintf(stderr, "  left behind in \"%s\": %s\n", out, dt_text(&T, &T.h[0]));
        CHECK_INT(dt_identifiers(&T), 0);
    }
}

/* ==== Names are redacted whole: the engine must never leave part of a name in clear ("Dr.
 * [NAME]ía" once left the "ía" of "García"). Each name in each context it is announced in, raw,
 * form-encoded ('+' for spaces) or percent-encoded, must redact to exactly what the plain ASCII
 * name "John Smith" redacts to there. */

/* s with spaces as '+' (form) and, when pct, every byte outside [A-Za-z0-9-] but ' ' as %XX. */
static const char *encode_name(const char *s, int pct)
{
    char buf[256];
    size_t o = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p && o + 4 < sizeof buf; p++) {
        if (*p == ' ')
            buf[o++] = '+';
        else if (pct && !((*p | 32) >= 'a' && (*p | 32) <= 'z') && *p != '-')
            o += (size_t)snprintf(buf + o, sizeof buf - o, "%%%02X", *p);
        else
            buf[o++] = (char)*p;
    }
    return pw_arena_strndup(&T.a, buf, o);
}

/* The template t with its one "%s" replaced by the name encoded as enc says (0 raw, 1 form,
 * 2 percent). */
static const char *fill(const char *t, const char *name, int enc)
{
    const char *at = strstr(t, "%s"), *v = enc ? encode_name(name, enc == 2) : name;
    char buf[512];
    snprintf(buf, sizeof buf, "%.*s%s%s", (int)(at - t), t, v, at + 2);
    return pw_arena_strndup(&T.a, buf, strlen(buf));
}

static void test_names_whole(void)
{
    static const char *const names[] = {
        "José Núñez",          "María José García López", "Zoë Chloé Peña",
        "Conor O'Brien",       "Conor O’Brien",           "Anna Smith-Jones",
        "Maria DeLeon",        "Ronald McDonald",         "Nguyễn Thị Mai",
        "Łukasz Żółć",         "Ștefan Țurcanu",          "Juan de la Cruz",
        "Ángel Muñoz",         "Émile Hernández",         "Jürgen Weiß",
        "Ægir Þórsson",        "Ольга Иванова",           "Søren Kierkegård",
        "Ludwig van Beethoven"};
    static const struct {
        const char *key, *t;
        pw_field_type ft;
        int enc;
    } ctx[] = {
        {NULL, "Appointment with Dr. %s on Monday", PW_FT_TEXT, 0},
        {NULL, "Meet Dr. %s, Cardiology", PW_FT_TEXT, 0},
        {NULL, "%s, MD - Oncology", PW_FT_TEXT, 0},
        {NULL, "Patient name: %s", PW_FT_TEXT, 0},
        {NULL, "Hi, my name is %s and I need help", PW_FT_TEXT, 0},
        {NULL, "Dear %s, your results are ready", PW_FT_TEXT, 0},
        {NULL, "patient %s MRN 4482913", PW_FT_TEXT, 0},
        {NULL, "Reminder sent to patient %s", PW_FT_TEXT, 0},
        {NULL, "payload {\"name\":\"%s\",\"reason\":\"x\"}", PW_FT_TEXT, 0},
        {NULL, "{\"patient\":{\"name\":\"%s\"}}", PW_FT_TEXT, 0},
        {NULL, "log: name=%s&x=1", PW_FT_TEXT, 1},
        {NULL, "log: name=%s&x=1", PW_FT_TEXT, 2},
        {NULL, "https://h.org/contact?name=%s&x=1", PW_FT_URL, 2},
        {NULL, "https://h.org/contact?patientName=%s", PW_FT_URL, 1},
        {"patientName", "%s", PW_FT_FORM_VALUE, 0},
    };
    for (size_t c = 0; c < sizeof ctx / sizeof ctx[0]; c++) {
        const char *want = redact(ctx[c].key, fill(ctx[c].t, "John Smith", ctx[c].enc), ctx[c].ft);
        CHECK(strstr(want, "[NAME]") != NULL);
        for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
            const char *in = fill(ctx[c].t, names[k], ctx[c].enc);
            const char *out = redact(ctx[c].key, in, ctx[c].ft);
            if (strcmp(out, want) != 0)
                fprintf(stderr, "  \"%s\" -> \"%s\", want \"%s\"\n", in, out, want);
            CHECK_STR(out, want);
        }
    }
}

static void setup(void)
{
    CHECK(dt_open(&T, NULL, 0));
}

static void teardown(void)
{
    dt_close(&T);
}

PW_TEST_MAIN(PW_TEST(setup), PW_TEST(test_text), PW_TEST(test_url_shape),
             PW_TEST(test_nothing_left), PW_TEST(test_names_whole), PW_TEST(teardown))
