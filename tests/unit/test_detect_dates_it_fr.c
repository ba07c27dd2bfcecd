/*
 * test_detect_dates_it_fr.c — Italian and French dates, written day-month-year without Spanish
 * "de" ("14 giugno 2026", "le 3 août 2026", "3 aout 2026", "1er mai 1980", "1° marzo 2026"),
 * under the rules of the English and Spanish ones: a value field counts them, free text only
 * with an appointment or birth word in the sentence ("appuntamento", "rendez-vous", "nascita",
 * "naissance") or a birth year, so page dates ("Aggiornato il 3 marzo 2026", "Mis à jour le …")
 * stay quiet; a numeric date that reads either way is day first in an Italian or French field.
 */
#include "detect/internal.h"
#include "detect_helpers.h"
#include "pw_test.h"

static dt_ctx T;

/* key/s scanned as ft gives a date hit over exactly `covered` with subtype sub, normalised to
 * norm. */
static void expect_date(const char *key, const char *s, pw_field_type ft, const char *covered,
                        const char *sub, const char *norm)
{
    dt_scan(&T, key, s, ft);
    const pw_hit *h = dt_find_span(&T, PW_PHI_DATE, covered);
    if (!h)
        fprintf(stderr, "  no date over \"%s\" in \"%s\"\n", covered, s);
    CHECK(h != NULL);
    if (h) {
        CHECK_STR(h->subtype, sub);
        CHECK_STR(h->normalized, norm);
    }
}

static void expect_no_date(const char *s, pw_field_type ft)
{
    dt_scan(&T, NULL, s, ft);
    if (dt_count(&T, PW_PHI_DATE))
        fprintf(stderr, "  \"%s\" gave a date\n", s);
    CHECK_INT(dt_count(&T, PW_PHI_DATE), 0);
}

/* Every month of both languages, full and abbreviated, in a value field (which counts a date
 * without context). */
static void test_month_names(void)
{
    static const struct {
        const char *text, *norm;
    } cases[] = {
        {"14 gennaio 2026", "20260114"},
        {"14 febbraio 2026", "20260214"},
        {"14 marzo 2026", "20260314"},
        {"14 aprile 2026", "20260414"},
        {"14 maggio 2026", "20260514"},
        {"14 giugno 2026", "20260614"},
        {"14 luglio 2026", "20260714"},
        {"14 agosto 2026", "20260814"},
        {"14 settembre 2026", "20260914"},
        {"14 ottobre 2026", "20261014"},
        {"14 novembre 2026", "20261114"},
        {"14 dicembre 2026", "20261214"},
        {"14 gen 2026", "20260114"},
        {"14 giu. 2026", "20260614"},
        {"14 lug 2026", "20260714"},
        {"14 ott. 2026", "20261014"},
        {"14 janvier 2026", "20260114"},
        {"14 f\xc3\xa9vrier 2026", "20260214"},
        {"14 mars 2026", "20260314"},
        {"14 avril 2026", "20260414"},
        {"14 mai 2026", "20260514"},
        {"14 juin 2026", "20260614"},
        {"14 juillet 2026", "20260714"},
        {"14 ao\xc3\xbbt 2026", "20260814"},
        {"14 aout 2026", "20260814"},
        {"14 septembre 2026", "20260914"},
        {"14 octobre 2026", "20261014"},
        {"14 d\xc3\xa9"
         "cembre 2026",
         "20261214"},
        {"14 janv. 2026", "20260114"},
        {"14 f\xc3\xa9vr. 2026", "20260214"},
        {"14 juil. 2026", "20260714"},
        {"14-juin-2026", "20260614"},
        {"1er mai 1980", "19800501"},
        {"1\xc2\xb0 marzo 2026", "20260301"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        expect_date(NULL, cases[i].text, PW_FT_FORM_VALUE, cases[i].text, "date", cases[i].norm);
    expect_no_date("31 giugno 2026", PW_FT_FORM_VALUE); /* no such day */
    expect_no_date("14 giugno", PW_FT_FORM_VALUE);      /* no year: not read */
}

/* Free text: an appointment or birth word in the sentence gives the subtype and makes a date of
 * a later year count; the weekday stays out of the span. */
static void test_sentences(void)
{
    expect_date(NULL, "Il suo appuntamento \xc3\xa8 il 14 giugno 2026 alle 10:30", PW_FT_TEXT,
                "14 giugno 2026", "appointment", "20260614");
    expect_date(NULL, "Votre rendez-vous est confirm\xc3\xa9 le 3 ao\xc3\xbbt 2026 \xc3\xa0 9h30",
                PW_FT_TEXT, "3 ao\xc3\xbbt 2026", "appointment", "20260803");
    expect_date(NULL,
                "Votre prochain RDV : mardi 2 d\xc3\xa9"
                "cembre 2026",
                PW_FT_TEXT,
                "2 d\xc3\xa9"
                "cembre 2026",
                "appointment", "20261202");
    expect_date(NULL, "Data di nascita: 2 marzo 1958", PW_FT_TEXT, "2 marzo 1958", "dob",
                "19580302");
    expect_date(NULL, "Date de naissance : 12 f\xc3\xa9vrier 1974", PW_FT_TEXT,
                "12 f\xc3\xa9vrier 1974", "dob", "19740212");
    expect_date(NULL, "Visita prenotata per il 9 gennaio 2027", PW_FT_TEXT, "9 gennaio 2027",
                "appointment", "20270109");
    expect_date(NULL, "Rendez-vous le 14/06/2026 \xc3\xa0 10h00", PW_FT_TEXT, "14/06/2026",
                "appointment", "20260614");
}

/* Without a year ("il 14 giugno", "le 3 août", "1er mai"), a date counts only with a date
 * context, as Spanish "3 de marzo" does: an appointment or birth word in the sentence, the key, or
 * one right after the date as its label ("3 août, date de naissance"), which also gives a date
 * with a year its subtype. The span ends with the month; "2000" stands for the missing year. */
static void test_without_year_and_label_after(void)
{
    expect_date(NULL, "Il suo appuntamento \xc3\xa8 il 14 giugno alle 10:30", PW_FT_TEXT,
                "14 giugno", "appointment", "20000614");
    expect_date(NULL, "Votre rendez-vous est confirm\xc3\xa9 le 3 ao\xc3\xbbt \xc3\xa0 9h30",
                PW_FT_TEXT, "3 ao\xc3\xbbt", "appointment", "20000803");
    expect_date(NULL, "Rappel : votre rdv le 1er mai \xc3\xa0 10h", PW_FT_TEXT, "1er mai",
                "appointment", "20000501");
    expect_date("date_rendez_vous", "3 ao\xc3\xbbt", PW_FT_FORM_VALUE, "3 ao\xc3\xbbt",
                "appointment", "20000803");
    expect_date(NULL, "3 ao\xc3\xbbt, date de naissance", PW_FT_TEXT, "3 ao\xc3\xbbt", "dob",
                "20000803");
    expect_date(NULL, "2 marzo, data di nascita", PW_FT_TEXT, "2 marzo", "dob", "20000302");
    expect_date(NULL, "14 giugno 2026, appuntamento confermato", PW_FT_TEXT, "14 giugno 2026",
                "appointment", "20260614");
    expect_date(NULL, "12 f\xc3\xa9vrier 1974 (date de naissance)", PW_FT_TEXT,
                "12 f\xc3\xa9vrier 1974", "dob", "19740212");
    static const char *const quiet[] = {
        "Aggiornato il 3 marzo",
        "Mis \xc3\xa0 jour le 14 juin",
        "Le 14 juillet, le service sera ferm\xc3\xa9",
        "Appuntamenti disponibili dal 14 giugno",
        "14 giugno: appuntamenti disponibili in tutte le sedi",
        "Publi\xc3\xa9 le 3 ao\xc3\xbbt \xc2\xb7 Prendre rendez-vous en ligne",
        "Le 14 juin, journ\303\251e portes ouvertes : prenez rendez-vous",
        "3 days, 10 minutes, 2 adults", /* numbers before words that are no month */
        "14 juil, rendez-vous",         /* an abbreviation without its '.' or a year: none */
    };
    for (size_t i = 0; i < sizeof quiet / sizeof quiet[0]; i++)
        expect_no_date(quiet[i], PW_FT_TEXT);
}

/* Page dates in the same shapes: no appointment or birth word, or one that a heading only
 * offers ("Appuntamenti disponibili", "Rendez-vous disponibles"), as in Spanish. */
static void test_page_dates_stay_quiet(void)
{
    static const char *const quiet[] = {
        "Aggiornato il 3 marzo 2026",
        "Mis \xc3\xa0 jour le 3 mars 2026",
        "Mis \xc3\xa0 jour le 14/06/2026",
        "Publi\xc3\xa9 le 3 ao\xc3\xbbt 2026 \xc2\xb7 Actualit\xc3\xa9s",
        "Comunicato stampa del 5 luglio 2026",
        "Orari di visita dal 1 settembre 2026",
        "Appuntamenti disponibili dal 14 giugno 2026",
        "Rendez-vous disponibles \xc3\xa0 partir du 14 juin 2026",
        "Prenotazioni online dal 14 giugno 2026",
        "Actualizado el 3 de marzo de 2026", /* the Spanish equivalent, quiet before */
        "The 14 gen 2026 build",             /* no Italian word: still only a value's date */
    };
    for (size_t i = 0; i < sizeof quiet / sizeof quiet[0]; i++)
        expect_no_date(quiet[i], PW_FT_TEXT);
}

/* A numeric date that reads either way is day first in an Italian or French field (its key or a
 * word around it), month first elsewhere; "Mardi Gras" and "Mars" are English too. */
static void test_numeric_order(void)
{
    /* (the key orders the date and, an appointment key, gives the subtype) */
    expect_date("data_appuntamento", "03/06/2026", PW_FT_FORM_VALUE, "03/06/2026", "appointment",
                "20260603");
    expect_date("date_rendez_vous", "03/06/2026", PW_FT_FORM_VALUE, "03/06/2026", "appointment",
                "20260603");
    expect_date("data_di_nascita", "03/06/1958", PW_FT_FORM_VALUE, "03/06/1958", "dob", "19580603");
    expect_date(NULL, "Rendez-vous le 03/06/2026", PW_FT_TEXT, "03/06/2026", "appointment",
                "20260603");
    expect_date(NULL, "Appuntamento: gioved\xc3\xac 04/06/2026", PW_FT_TEXT, "04/06/2026",
                "appointment", "20260604");
    expect_date(NULL, "Mardi Gras appointment 03/06/2026", PW_FT_TEXT, "03/06/2026", "appointment",
                "20260306");
    expect_date(NULL, "Mars Hill Clinic appointment 03/06/2026", PW_FT_TEXT, "03/06/2026",
                "appointment", "20260306");
}

/* sentence_ctx's words carry their letter masks, written by hand beside them. */
static void test_word_masks(void)
{
    CHECK_INT(pw_date_words_ok(), 1);
}

static void setup(void)
{
    CHECK(dt_open(&T, NULL, 0));
}

static void teardown(void)
{
    dt_close(&T);
}

PW_TEST_MAIN(PW_TEST(setup), PW_TEST(test_month_names), PW_TEST(test_sentences),
             PW_TEST(test_without_year_and_label_after), PW_TEST(test_page_dates_stay_quiet),
             PW_TEST(test_numeric_order), PW_TEST(test_word_masks), PW_TEST(teardown))
