/*
 * test_detect_dates.c — a date's sentence context (ident_date.c): a scheduling or birth word
 * earlier in the same sentence makes an appointment or a birth date even with a provider's name
 * or a short clause in between ("Book an appointment with Dr. Jane Smith on 03/14/2027"); a
 * title's or an initial's full stop ends no sentence; scheduling imperatives count only before
 * their object ("Schedule with", "Book your"); and general pages keep their dates quiet
 * (news dates, visiting hours, visitor policy, book clubs, class schedules, copyright years,
 * headings that offer appointments).
 */
#include <stdio.h>
#include <string.h>

#include "detect_helpers.h"
#include "pw_test.h"

static dt_ctx t;

/* The one date hit of text scanned as a field of this type: its subtype, or "" when none. */
static const char *date_in(const char *text, pw_field_type type, const char *want_text)
{
    dt_scan(&t, type == PW_FT_JSON_VALUE ? "cd[buttonText]" : NULL, text, type);
    const pw_hit *h = dt_find(&t, PW_PHI_DATE);
    CHECK(dt_count(&t, PW_PHI_DATE) <= 1);
    if (!h)
        return "";
    if (want_text)
        CHECK_STR(dt_text(&t, h), want_text);
    return h->subtype;
}

static void date_after_provider_name(void)
{
    static const pw_field_type types[] = {PW_FT_TEXT, PW_FT_JSON_VALUE};
    for (size_t k = 0; k < 2; k++) {
        pw_field_type ty = types[k];
        CHECK_STR(
            date_in("Book an appointment with Dr. Jane Smith on 03/14/2027", ty, "03/14/2027"),
            "appointment");
        CHECK_STR(date_in("Schedule with Dr. Maria Lopez, Cardiology \xe2\x80\x94 March 14, 2027",
                          ty, "March 14, 2027"),
                  "appointment");
        CHECK_STR(date_in("Book with Dr. Kwame Okafor, MD on Tuesday, March 16, 2027", ty,
                          "March 16, 2027"),
                  "appointment");
        CHECK_STR(
            date_in("Reschedule your visit with Dr. A. Patel for 2027-04-02", ty, "2027-04-02"),
            "appointment");
        CHECK_STR(date_in("Your appointment with Jane A. Smith, NP is on 04/02/2027", ty, NULL),
                  "appointment");
        CHECK_STR(
            date_in("Date of birth (as on your insurance card, Mrs. Lee): 03/14/1985", ty, NULL),
            "dob");
        /* a sentence's full stop still separates: the word is in the sentence before (a JSON
           value's date counts without context, but is no appointment) */
        CHECK_STR(date_in("Appointments are available. Posted 03/14/2027", ty, NULL),
                  ty == PW_FT_TEXT ? "" : "date");
    }
    /* the redacted button text loses the date */
    pw_buf out;
    pw_buf_init(&out);
    const char *b = "Book an appointment with Dr. Jane Smith on 03/14/2027";
    CHECK_INT(pw_redact(t.d, t.s, &t.a, "cd[buttonText]", b, strlen(b), PW_FT_TEXT, &out, NULL),
              PW_OK);
    CHECK(out.data && strstr(out.data, "03/14/2027") == NULL && strstr(out.data, "[DATE]"));
    pw_buf_free(&out);
}

static void general_page_dates_stay_quiet(void)
{
    static const char *const quiet[] = {
        "Visiting hours change March 14, 2027",
        "Visitor policy updated March 14, 2026",
        "Book Club meets March 14, 2027",
        "Class schedule for March 14, 2027",
        "Schedule of events: March 14, 2027",
        "News: Dr. Jane Smith named chief of cardiology, March 14, 2026",
        "Dr. Jane Smith joined St. Mary's on March 14, 2026",
        "Hospital News | Updated March 2026",
        "\xc2\xa9 2026 St. Mary's Hospital. All rights reserved.",
        "Posted March 14, 2026 by Dr. Lee",
        "Revisiting our parking plan on 03/14/2027",
        "Bookmark this page: 03/14/2027",
    };
    for (size_t k = 0; k < sizeof quiet / sizeof quiet[0]; k++) {
        dt_scan(&t, NULL, quiet[k], PW_FT_TEXT);
        if (dt_count(&t, PW_PHI_DATE) != 0)
            fprintf(stderr, "  dated: %s\n", quiet[k]);
        CHECK_INT(dt_count(&t, PW_PHI_DATE), 0);
    }
}

/* A heading that offers appointments ("Citas disponibles a partir del …", "Next available
 * appointment: …") lists days on a schedule, no patient's visit: no appointment date in free
 * text (a value field's date still counts, as a plain date). A patient's appointment keeps its
 * subtype even with "available" elsewhere in its sentence. */
static void offered_appointments_are_no_appointment(void)
{
    static const char *const offers[] = {
        "Citas disponibles a partir del 01/15/2026",
        "Citas disponibles: fecha 01/15/2026",
        "Disponibilidad de citas: 14 de junio de 2026",
        "Appointments available from 01/15/2026",
        "Next available appointment: March 14, 2027",
        "Available appointments \xe2\x80\x94 March 14, 2027",
        "Consultas disponibles el lunes 14 de junio",
    };
    for (size_t k = 0; k < sizeof offers / sizeof offers[0]; k++) {
        if (*date_in(offers[k], PW_FT_TEXT, NULL))
            fprintf(stderr, "  dated: %s\n", offers[k]);
        CHECK_STR(date_in(offers[k], PW_FT_TEXT, NULL), "");
    }
    CHECK_STR(date_in("Citas disponibles a partir del 01/15/2026", PW_FT_JSON_VALUE, "01/15/2026"),
              "date");
    CHECK_STR(date_in("Your lab results are available for your visit on 03/14/2027", PW_FT_TEXT,
                      "03/14/2027"),
              "appointment");
    CHECK_STR(date_in("Your appointment is on 03/14/2027", PW_FT_TEXT, "03/14/2027"),
              "appointment");
    CHECK_STR(date_in("Cita confirmada el 14 de junio de 2026", PW_FT_TEXT, "14 de junio de 2026"),
              "appointment");
}

/* The normalised value of the one date hit of text (its subtype must be sub), "" when none. */
static const char *date_norm(const char *key, const char *text, pw_field_type type,
                             const char *want_text, const char *sub)
{
    dt_scan(&t, key, text, type);
    const pw_hit *h = dt_find(&t, PW_PHI_DATE);
    CHECK(dt_count(&t, PW_PHI_DATE) <= 1);
    if (!h) {
        fprintf(stderr, "  no date in \"%s\"\n", text);
        return "";
    }
    CHECK_STR(dt_text(&t, h), want_text);
    CHECK_STR(h->subtype, sub);
    return h->normalized;
}

/* English day-first dates without a year ("14 March", "14th March", "Tuesday 14 March", "14th
 * of March"), read as the Italian and French ones are: only with an appointment or birth context
 * (2000 stands for the missing year), so page dates in the same shapes stay quiet; an ordinal
 * before a year ("14th March 1962") is the date with its year. */
static void english_day_first_without_year(void)
{
    CHECK_STR(date_norm(NULL, "Reminder: your appointment on 14 March at 10:30 with Dr. Patel",
                        PW_FT_TEXT, "14 March", "appointment"),
              "20000314");
    CHECK_STR(date_norm(NULL, "Your appointment is on Tuesday 14 March at 9:15am.", PW_FT_TEXT,
                        "14 March", "appointment"),
              "20000314");
    CHECK_STR(date_norm(NULL, "Appointment confirmed for 14th March at 2:30 PM", PW_FT_TEXT,
                        "14th March", "appointment"),
              "20000314");
    CHECK_STR(date_norm(NULL, "Your visit is booked for the 22nd of September", PW_FT_TEXT,
                        "22nd of September", "appointment"),
              "20000922");
    CHECK_STR(date_norm(NULL, "Appointment: Friday 1st May", PW_FT_TEXT, "1st May", "appointment"),
              "20000501");
    CHECK_STR(date_norm("appointmentDate", "3 June", PW_FT_FORM_VALUE, "3 June", "appointment"),
              "20000603");
    CHECK_STR(date_norm(NULL, "14 March, appointment", PW_FT_TEXT, "14 March", "appointment"),
              "20000314");
    CHECK_STR(
        date_norm(NULL, "Date of birth: 14th March 1962", PW_FT_TEXT, "14th March 1962", "dob"),
        "19620314");
    CHECK_STR(date_norm(NULL, "Born 3rd February 1958", PW_FT_TEXT, "3rd February 1958", "dob"),
              "19580203");
    CHECK_STR(date_norm(NULL, "Thank you for your visit on 14 March.", PW_FT_TEXT, "14 March",
                        "appointment"),
              "20000314");
    CHECK_STR(date_norm(NULL, "Visit on 14 March confirmed", PW_FT_TEXT, "14 March", "appointment"),
              "20000314");
    CHECK_STR(date_norm(NULL, "Visits us 14 March", PW_FT_TEXT, "14 March", "appointment"),
              "20000314"); /* a plural is a noun */
    /* the time after the date is no day: "Monday 1st June, 08:45" was read as June 8 */
    CHECK_STR(
        date_norm(NULL, "Booked: Monday 1st June, 08:45", PW_FT_TEXT, "1st June", "appointment"),
        "20000601");
    /* an English month abbreviated, with its capital, reads as the full name does */
    CHECK_STR(
        date_norm(NULL, "Your appointment on 14 Mar at 10:30", PW_FT_TEXT, "14 Mar", "appointment"),
        "20000314");
    CHECK_STR(date_norm(NULL, "Appointment: Tuesday 3 Sept", PW_FT_TEXT, "3 Sept", "appointment"),
              "20000903");
    CHECK_STR(date_norm(NULL, "DOB: 3 FEB", PW_FT_TEXT, "3 FEB", "dob"), "20000203");
    /* a day before the time still is one */
    CHECK_STR(date_norm(NULL, "Appointment: June 8, 08:45", PW_FT_TEXT, "June 8", "appointment"),
              "20000608");
    /* the noun "visit" with the visitor's own words around it */
    CHECK_STR(
        date_norm(NULL, "Visit with Dr. Rao on 14 March", PW_FT_TEXT, "14 March", "appointment"),
        "20000314");
    static const char *const quiet[] = {
        /* a time after a month is no day: "June, 08:45" was June 8 */
        "Appointment: June, 08:45",
        "Your appointment: June 08:45",
        /* "Visit" and an article or a determiner: the page's invitation to every reader */
        "Visit a clinic near you on 14 March",
        "Visit an urgent care location on 14 March for a free flu shot",
        "Visit any of our locations on 3 May",
        "Visit your nearest clinic on 14 March",
        "Visit one of our pharmacies on 14 Mar",
        "Updated 14 March",
        "Last updated: 14th March",
        "News | 14 March: New parking garage opens",
        "Visiting hours change from 1 April",
        "Events calendar: Wednesday 18 March \xe2\x80\x93 Family fun run, 9am",
        "Book Club meets Thursday 12 March in the staff library",
        "Schedule of events \xe2\x80\x93 Saturday 9 May",
        "Next available appointment: Tuesday 14 March",
        "Appointments available from 1st April",
        "The gift shop is closed on 25 December.",
        "Your appointment: up to 3 may attend",   /* "may" without its capital is a verb */
        "Your appointment is in 14 mar",          /* an abbreviation without its capital */
        "Your appointment lasts 14th minutes",    /* no month */
        "Your appointment is on the 3th of June", /* a suffix the number does not take */
        /* "Visit" inviting to a page's event names no patient's visit, month first or day first */
        "Visit us on Saturday 14 March for our open day",
        "Visit us on Saturday, March 14 for our open house",
        "Visit our stand at the county fair on 3rd May",
        "Visit the gift shop \xe2\x80\x93 open from 1 April",
        "Visit www.example.org on 14 March",
    };
    for (size_t k = 0; k < sizeof quiet / sizeof quiet[0]; k++) {
        if (*date_in(quiet[k], PW_FT_TEXT, NULL))
            fprintf(stderr, "  dated: %s\n", quiet[k]);
        CHECK_STR(date_in(quiet[k], PW_FT_TEXT, NULL), "");
    }
    CHECK_STR(date_in("Open day 14 March", PW_FT_JSON_VALUE, NULL), ""); /* a value, no context */
}

static void setup(void)
{
    CHECK(dt_open(&t, NULL, 0));
}

static void teardown(void)
{
    dt_close(&t);
}

PW_TEST_MAIN(PW_TEST(setup), PW_TEST(date_after_provider_name),
             PW_TEST(general_page_dates_stay_quiet),
             PW_TEST(offered_appointments_are_no_appointment),
             PW_TEST(english_day_first_without_year), PW_TEST(teardown))
