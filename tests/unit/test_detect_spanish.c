/*
 * test_detect_spanish.c — Spanish health context (data/vocab/es/) through the whole engine: a
 * term matches with and without its accents, in raw UTF-8 and percent-encoded, upper case, on
 * whole words, and each hit covers the original bytes; care intent in Spanish has its subtypes;
 * sensitivity follows DESIGN §3; Spanish general hospital pages, short English words that are
 * Spanish abbreviations ("its") and Spanish words that fold to other words give nothing;
 * identifiers named by Spanish keys and words (nombre=, Dra., Fecha de nacimiento) are found.
 */
#include "detect_helpers.h"
#include "pw_test.h"

static dt_ctx T;

/* s scanned as ft has a hit of category c and subtype sub whose span is exactly `covered` (its
 * first occurrence in s), normalised to norm. */
static const pw_hit *expect(const char *s, pw_field_type ft, pw_phi_category c, const char *sub,
                            const char *norm, const char *covered)
{
    dt_scan(&T, NULL, s, ft);
    const pw_hit *h = dt_find_span(&T, c, covered);
    if (h) {
        CHECK_STR(h->subtype, sub);
        CHECK_STR(h->normalized, norm);
        return h;
    }
    fprintf(stderr, "  no %s hit over \"%s\" in \"%s\"\n", pw_phi_category_name(c), covered, s);
    CHECK(!"expected hit");
    return NULL;
}

static void test_accents_either_way(void)
{
    /* "depresión" (UTF-8 ó = C3 B3) and the slug form "depresion" are the same term */
    expect("Tratamiento para la depresi\xc3\xb3n", PW_FT_TEXT, PW_PHI_HEALTH, "sensitive-service",
           "tratamiento de la depresion", "Tratamiento para la depresi\xc3\xb3n");
    expect("Tratamiento para la depresion", PW_FT_TEXT, PW_PHI_HEALTH, "sensitive-service",
           "tratamiento de la depresion", "Tratamiento para la depresion");
    expect("Oncolog\xc3\xad"
           "a",
           PW_FT_TEXT, PW_PHI_HEALTH, "specialty", "oncologia",
           "Oncolog\xc3\xad"
           "a");
    expect("Oncologia", PW_FT_TEXT, PW_PHI_HEALTH, "specialty", "oncologia", "Oncologia");
    expect("ONCOLOG\xc3\x8d"
           "A PEDI\xc3\x81TRICA",
           PW_FT_TEXT, PW_PHI_HEALTH, "specialty", "oncologia",
           "ONCOLOG\xc3\x8d"
           "A");
    expect("C\xc3\xa1ncer de mama", PW_FT_TEXT, PW_PHI_HEALTH, "condition", "cancer de mama",
           "C\xc3\xa1ncer de mama");
    expect("embarazo y parto", PW_FT_TEXT, PW_PHI_HEALTH, "condition", "embarazo", "embarazo");
    expect("embarazo y parto", PW_FT_TEXT, PW_PHI_HEALTH, "procedure", "parto", "parto");
}

static void test_urls(void)
{
    /* percent-encoded UTF-8: the hit covers the escapes */
    expect("https://h.example.org/es/servicios/c%C3%A1ncer-de-mama/", PW_FT_URL, PW_PHI_HEALTH,
           "condition", "cancer de mama", "c%C3%A1ncer-de-mama");
    expect("https://h.example.org/es/buscar-un-medico?especialidad=Oncolog%C3%ADa", PW_FT_URL,
           PW_PHI_HEALTH, "specialty", "oncologia", "Oncolog%C3%ADa");
    expect("https://h.example.org/es/buscar-un-medico?especialidad=Oncolog%C3%ADa", PW_FT_URL,
           PW_PHI_CARE_INTENT, "find-a-doctor", "buscar un medico", "buscar-un-medico");
    expect("https://h.example.org/es/servicios/interrupcion-del-embarazo/", PW_FT_URL,
           PW_PHI_HEALTH, "sensitive-service", "interrupcion del embarazo",
           "interrupcion-del-embarazo");
    expect("https://h.example.org/es/fertilidad/fiv", PW_FT_URL, PW_PHI_HEALTH, "procedure",
           "fertilizacion in vitro", "fiv");
}

static void test_care_intent(void)
{
    static const struct {
        const char *text, *sub;
    } cases[] = {{"Solicitar una cita", "scheduling"},
                 {"Agendar cita", "scheduling"},
                 {"Pedir una cita", "scheduling"},
                 {"Programar una cita", "scheduling"},
                 {"Buscar un m\xc3\xa9\x64ico", "find-a-doctor"},
                 {"Portal del paciente", "portal"},
                 {"Pagar mi factura", "bill-pay"},
                 {"Resurtir receta", "refill"},
                 {"Telemedicina", "telehealth"},
                 {"Verificador de s\xc3\xadntomas", "symptom-checker"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        dt_scan(&T, NULL, cases[i].text, PW_FT_TEXT);
        const pw_hit *h = dt_find(&T, PW_PHI_CARE_INTENT);
        CHECK(h != NULL);
        if (!h) {
            fprintf(stderr, "  no care intent in \"%s\"\n", cases[i].text);
            continue;
        }
        CHECK_STR(h->subtype, cases[i].sub);
        CHECK_INT(h->start, 0);
        CHECK_INT(h->end, strlen(cases[i].text));
    }
}

static void test_sensitivity(void)
{
    static const char *const high[] = {"Prueba de VIH",
                                       "aborto con medicamentos",
                                       "Quimioterapia",
                                       "Pruebas gen\xc3\xa9ticas",
                                       "Salud mental",
                                       "anticonceptivos",
                                       "rehabilitaci\xc3\xb3n de drogas",
                                       "pruebas de ITS",
                                       "Ginecolog\xc3\xad\x61"};
    for (size_t i = 0; i < sizeof high / sizeof high[0]; i++) {
        dt_scan(&T, NULL, high[i], PW_FT_TEXT);
        const pw_hit *h = dt_find(&T, PW_PHI_HEALTH);
        CHECK(h && h->sensitivity == PW_SENS_HIGH);
        if (!h || h->sensitivity != PW_SENS_HIGH)
            fprintf(stderr, "  \"%s\" is not high-sensitivity health context\n", high[i]);
    }
    dt_scan(&T, NULL,
            "Cardiolog\xc3\xad"
            "a",
            PW_FT_TEXT);
    const pw_hit *h = dt_find(&T, PW_PHI_HEALTH);
    CHECK(h && h->sensitivity == PW_SENS_NORMAL);
}

static void test_no_hits(void)
{
    static const char *const none[] = {
        /* general hospital pages */
        "Horario de visitas", "Estacionamiento", "Empleos", "Noticias", "Donar",
        "Cont\xc3\xa1\x63tenos", "Mapa del sitio", "Inicio", "Hospital", "Salud", "Cl\xc3\xadnica",
        "M\xc3\xa9\x64ico", "Atenci\xc3\xb3n al paciente", "Urgencias",
        "https://h.example.org/es/atencion-al-paciente",
        "https://h.example.org/es/empleos/oncologia/enfermera",
        /* "its"/"ets" are Spanish abbreviations only in their phrases ("pruebas de ITS") */
        "Its treatment of its data", "ITS department", "The hospital and its staff",
        /* Spanish words that fold to other words: "año" is no "ano", "apartó" no "parto" */
        "Feliz a\xc3\xb1o nuevo", "Se apart\xc3\xb3 del grupo", "Mama and papa",
        /* "tos" (terms of service), "gripe" (a complaint), "recetas" (recipes) alone */
        "Read the TOS", "My gripe with it", "Recetas saludables"};
    for (size_t i = 0; i < sizeof none / sizeof none[0]; i++) {
        dt_scan(&T, NULL, none[i], PW_FT_TEXT);
        int health = dt_count(&T, PW_PHI_HEALTH) + dt_count(&T, PW_PHI_CARE_INTENT);
        CHECK_INT(health, 0);
        if (health)
            fprintf(stderr, "  \"%s\" gave health context\n", none[i]);
    }
    /* "ITS" in its Spanish phrase is found */
    expect("Pruebas de ITS y VIH", PW_FT_TEXT, PW_PHI_HEALTH, "condition",
           "infecciones de transmision sexual", "Pruebas de ITS");
}

/* An address glued to a word by a hyphen ends at its top-level domain, whether the word is ASCII
 * or accented (the folded layer reads "-über" as "-uber"). */
static void test_email_before_accented_word(void)
{
    expect("jane.doe@example.com-\xc3\xbc"
           "ber",
           PW_FT_TEXT, PW_PHI_EMAIL, "email", "jane.doe@example.com", "jane.doe@example.com");
    expect("escriba a jane.doe@example.com-uber", PW_FT_TEXT, PW_PHI_EMAIL, "email",
           "jane.doe@example.com", "jane.doe@example.com");
    expect("Correo: mar\xc3\xad"
           "a.lopez@example.org",
           PW_FT_TEXT, PW_PHI_EMAIL, "email", "maria.lopez@example.org",
           "mar\xc3\xad"
           "a.lopez@example.org");
}

/* Identifiers named by Spanish words: the form keys of /es/ pages, "Dra." and "Nombre:" before a
 * name, "Fecha de nacimiento", "Teléfono", "expediente" before a value. */
static void test_identifier_context(void)
{
    const char *url = "https://h.example.org/gracias?nombre=Rosa&apellido=Delgado"
                      "&telefono=%28413%29+555-0148&fecha_nacimiento=07%2F22%2F1961"
                      "&cuenta=448812937";
    expect(url, PW_FT_URL, PW_PHI_NAME, "patient", "Rosa", "Rosa");
    expect(url, PW_FT_URL, PW_PHI_NAME, "patient", "Delgado", "Delgado");
    const pw_hit *h =
        expect(url, PW_FT_URL, PW_PHI_PHONE, "phone", "4135550148", "%28413%29+555-0148");
    CHECK(h && h->reason == PW_REASON_CONTEXT);
    expect(url, PW_FT_URL, PW_PHI_DATE, "dob", "19610722", "07%2F22%2F1961");
    expect(url, PW_FT_URL, PW_PHI_RECORD_ID, "account", "448812937", "448812937");
    expect("Conozca a la Dra. Anita Rao, Cardiolog\xc3\xad"
           "a",
           PW_FT_TEXT, PW_PHI_NAME, "provider", "Anita Rao", "Anita Rao");
    expect("Nombre: Rosa Delgado", PW_FT_TEXT, PW_PHI_NAME, "patient", "Rosa Delgado",
           "Rosa Delgado");
    expect("Fecha de nacimiento: 03/04/1958", PW_FT_TEXT, PW_PHI_DATE, "dob", "19580403",
           "03/04/1958");
    h = expect("Tel\xc3\xa9"
               "fono: 508 555 0177",
               PW_FT_TEXT, PW_PHI_PHONE, "phone", "5085550177", "508 555 0177");
    CHECK(h && h->reason == PW_REASON_CONTEXT);
    expect("N\xc3\xba"
           "mero de expediente 88213377",
           PW_FT_TEXT, PW_PHI_RECORD_ID, "mrn", "88213377", "88213377");
    dt_scan(&T, "contacto.nombre", "Rosa Delgado", PW_FT_JSON_VALUE);
    CHECK_INT(dt_count(&T, PW_PHI_NAME), 1);
    dt_scan(&T, "producto.nombre", "Plan Dental Plus", PW_FT_JSON_VALUE);
    CHECK_INT(dt_count(&T, PW_PHI_NAME), 0);
}

/* Spanish shapes of the English negatives: an order or invoice number, a firmware version. */
static void test_identifier_negatives(void)
{
    static const char *const none[] = {
        "Pedido #123-45-6789 enviado", "Versi\xc3\xb3n del firmware 10.2.3.4 publicada",
        "Firmware 10.2.3.4", "N\xc3\xbamero de factura 448812937" /* \xba then m: no hex digit */};
    for (size_t i = 0; i < sizeof none / sizeof none[0]; i++) {
        dt_scan(&T, NULL, none[i], PW_FT_TEXT);
        CHECK_INT((int)T.n, 0);
        if (T.n)
            fprintf(stderr, "  \"%s\" gave a hit\n", none[i]);
    }
}

/* Names and dates that only the sentence announces: "para" after "cita" or "consulta" before two
 * or more name words, a date in a sentence with one of those words. Titles after "para" and
 * dates after "el" without an appointment word stay clean. */
static void test_appointment_sentences(void)
{
    const char *s = "Cita confirmada para Rosa Delgado el 06/14/2026 a las 9:30";
    expect(s, PW_FT_TEXT, PW_PHI_NAME, "patient", "Rosa Delgado", "Rosa Delgado");
    expect(s, PW_FT_TEXT, PW_PHI_DATE, "appointment", "20260614", "06/14/2026");
    s = "Consulta programada para Mar\xc3\xad"
        "a Jos\xc3\xa9 P\xc3\xa9rez el 08/03/2026";
    expect(s, PW_FT_TEXT, PW_PHI_NAME, "patient", "Maria Jose Perez",
           "Mar\xc3\xad"
           "a Jos\xc3\xa9 P\xc3\xa9rez");
    expect(s, PW_FT_TEXT, PW_PHI_DATE, "appointment", "20260308", "08/03/2026"); /* day first */
    expect("Recordatorio: su cita para Ana L\xc3\xb3pez es ma\xc3\xb1"
           "ana",
           PW_FT_TEXT, PW_PHI_NAME, "patient", "Ana Lopez", "Ana L\xc3\xb3pez");
    expect("Su consulta es el 07/02/2026 a las 10:00", PW_FT_TEXT, PW_PHI_DATE, "appointment",
           "20260207", "07/02/2026");
    static const char *const no_name[] = {"Solicite una cita para Nuevos Pacientes",
                                          "Citas para Adultos Mayores",
                                          "Cita para Cirug\xc3\xad"
                                          "a Card\xc3\xad"
                                          "aca",
                                          "Estacionamiento para Pacientes y Visitantes",
                                          "Programa para Rosa Delgado",
                                          "Cita. Para Rosa Delgado",
                                          "Cita para Rosa"};
    for (size_t i = 0; i < sizeof no_name / sizeof no_name[0]; i++) {
        dt_scan(&T, NULL, no_name[i], PW_FT_TEXT);
        CHECK_INT(dt_count(&T, PW_PHI_NAME), 0);
        if (dt_count(&T, PW_PHI_NAME))
            fprintf(stderr, "  \"%s\" gave a name\n", no_name[i]);
    }
    static const char *const no_date[] = {"Horario especial para visitantes el 12/24/2026",
                                          "Actualizado el 03/02/2026"};
    for (size_t i = 0; i < sizeof no_date / sizeof no_date[0]; i++) {
        dt_scan(&T, NULL, no_date[i], PW_FT_TEXT);
        CHECK_INT(dt_count(&T, PW_PHI_DATE), 0);
    }
}

/* Spanish and Portuguese long dates ("14 de junio de 2026", "el 3 de marzo", "lunes 14 de
 * junio"): an appointment or a birth date by the sentence or the words before, like the English
 * "March 14, 2026"; without a year only with such context; a news or page date stays quiet. */
static void test_long_dates(void)
{
    expect("Su cita es el 14 de junio de 2026 a las 9:30", PW_FT_TEXT, PW_PHI_DATE, "appointment",
           "20260614", "14 de junio de 2026");
    expect("Cita confirmada para Rosa Delgado el 3 de marzo", PW_FT_TEXT, PW_PHI_DATE,
           "appointment", "20000303", "3 de marzo");
    expect("Su consulta es el lunes 14 de junio", PW_FT_TEXT, PW_PHI_DATE, "appointment",
           "20000614", "14 de junio");
    expect("Su cita es el lunes, 14 de Junio del 2026", PW_FT_TEXT, PW_PHI_DATE, "appointment",
           "20260614", "14 de Junio del 2026");
    expect("Fecha de nacimiento: 14 de junio de 1985", PW_FT_TEXT, PW_PHI_DATE, "dob", "19850614",
           "14 de junio de 1985");
    expect("Naci\xc3\xb3 el 3 de marzo de 1961", PW_FT_TEXT, PW_PHI_DATE, "dob", "19610303",
           "3 de marzo de 1961");
    expect("14 de septiembre de 1985", PW_FT_TEXT, PW_PHI_DATE, "date", "19850914",
           "14 de septiembre de 1985");
    expect("Data de nascimento: 7 de mar\xc3\xa7o de 1980", PW_FT_TEXT, PW_PHI_DATE, "dob",
           "19800307", "7 de mar\xc3\xa7o de 1980");
    expect("Sua consulta \xc3\xa9 no dia 14 de junho de 2026", PW_FT_TEXT, PW_PHI_DATE,
           "appointment", "20260614", "14 de junho de 2026");
    /* "Dra." ends no sentence: the appointment word before it still counts */
    expect("Su cita con la Dra. Rao es el martes 16 de marzo de 2027", PW_FT_TEXT, PW_PHI_DATE,
           "appointment", "20270316", "16 de marzo de 2027");
    expect("Su cita con la Dra. Rao es el 03/16/2027", PW_FT_TEXT, PW_PHI_DATE, "appointment",
           "20270316", "03/16/2027");
    expect("14 de junio de 2026", PW_FT_FORM_VALUE, PW_PHI_DATE, "date", "20260614",
           "14 de junio de 2026");
    static const char *const quiet[] = {
        "Actualizado el 14 de junio de 2026", "Publicado el 3 de marzo de 2026",
        "Evento: lunes 14 de junio", "Cita el 31 de febrero de 2026", "Unidad 14 de Marco Polo"};
    for (size_t i = 0; i < sizeof quiet / sizeof quiet[0]; i++) {
        dt_scan(&T, NULL, quiet[i], PW_FT_TEXT);
        CHECK_INT(dt_count(&T, PW_PHI_DATE), 0);
        if (dt_count(&T, PW_PHI_DATE))
            fprintf(stderr, "  \"%s\" gave a date\n", quiet[i]);
    }
}

/* Numeric dates in Spanish fields: a first number over 12 is a day in any language
 * ("15/01/2026"); one that reads either way is day first when the field shows Spanish or
 * Portuguese (a date word in its key or text: fecha, nacimiento, cita, consulta, a month or
 * weekday name), month first otherwise (US pages). The normalised value follows the reading. */
static void test_numeric_day_first(void)
{
    expect("15/01/2026", PW_FT_FORM_VALUE, PW_PHI_DATE, "date", "20260115", "15/01/2026");
    expect("Appointment on 15/01/2026", PW_FT_TEXT, PW_PHI_DATE, "appointment", "20260115",
           "15/01/2026");
    expect("Fecha de la cita: 01/02/2026", PW_FT_TEXT, PW_PHI_DATE, "appointment", "20260201",
           "01/02/2026");
    expect("Fecha de nacimiento: 04/03/1985", PW_FT_TEXT, PW_PHI_DATE, "dob", "19850304",
           "04/03/1985");
    expect("Su cita es el martes 02/03/2026", PW_FT_TEXT, PW_PHI_DATE, "appointment", "20260302",
           "02/03/2026");
    expect("Data de nascimento: 05/06/1970", PW_FT_TEXT, PW_PHI_DATE, "dob", "19700605",
           "05/06/1970");
    dt_scan(&T, "fecha_nacimiento", "03/04/1958", PW_FT_FORM_VALUE);
    const pw_hit *h = dt_find(&T, PW_PHI_DATE);
    CHECK(h != NULL);
    if (h) {
        CHECK_STR(h->subtype, "dob");
        CHECK_STR(h->normalized, "19580403");
    }
    /* no Spanish word: the month-first reading of US pages, even next to "Mayo" or "Marco" */
    expect("Appointment on 01/02/2026", PW_FT_TEXT, PW_PHI_DATE, "appointment", "20260102",
           "01/02/2026");
    expect("Mayo Clinic appointment on 01/02/2026", PW_FT_TEXT, PW_PHI_DATE, "appointment",
           "20260102", "01/02/2026");
    expect("01/02/2026", PW_FT_FORM_VALUE, PW_PHI_DATE, "date", "20260102", "01/02/2026");
    dt_scan(&T, NULL, "Cita el 31/02/2026", PW_FT_TEXT); /* no such day either way */
    CHECK_INT(dt_count(&T, PW_PHI_DATE), 0);
}

/* Abbreviated months ("14 de jun. de 2026", "14-ene-2026"), ordinal days ("1º de mayo",
 * "1.º"), a long date in a URL slug after an appointment slug ("/citas/14-de-junio-de-2026"),
 * and "fecha", "f. nac." as the date context before a value. */
static void test_short_and_slug_dates(void)
{
    expect("Su cita es el 14 de jun. de 2026", PW_FT_TEXT, PW_PHI_DATE, "appointment", "20260614",
           "14 de jun. de 2026");
    expect("Su cita es el 3 de dic. de 2026", PW_FT_TEXT, PW_PHI_DATE, "appointment", "20261203",
           "3 de dic. de 2026");
    expect("14-ene-2026", PW_FT_FORM_VALUE, PW_PHI_DATE, "date", "20260114", "14-ene-2026");
    expect("Cita: 9 ago. 2026", PW_FT_TEXT, PW_PHI_DATE, "appointment", "20260809", "9 ago. 2026");
    expect("Su cita es el 1\xc2\xba de mayo", PW_FT_TEXT, PW_PHI_DATE, "appointment", "20000501",
           "1\xc2\xba de mayo");
    expect("Su cita es el 1.\xc2\xba de mayo de 2026", PW_FT_TEXT, PW_PHI_DATE, "appointment",
           "20260501", "1.\xc2\xba de mayo de 2026");
    expect("https://www.example-hospital.org/es/citas/14-de-junio-de-2026", PW_FT_URL, PW_PHI_DATE,
           "appointment", "20260614", "14-de-junio-de-2026");
    expect("Fecha: 14/01/2026", PW_FT_TEXT, PW_PHI_DATE, "date", "20260114", "14/01/2026");
    expect("F. nac.: 03/04/1985", PW_FT_TEXT, PW_PHI_DATE, "dob", "19850403", "03/04/1985");
    expect("Fecha de la cita: 14 de junio", PW_FT_TEXT, PW_PHI_DATE, "appointment", "20000614",
           "14 de junio");
    static const char *const quiet[] = {
        "Su cita es el 14 de mar en la playa",
        "https://www.example-hospital.org/es/noticias/14-de-junio-de-2026",
        "Publicado el 1\xc2\xba de mayo de 2026"};
    for (size_t i = 0; i < sizeof quiet / sizeof quiet[0]; i++) {
        dt_scan(&T, NULL, quiet[i], i == 1 ? PW_FT_URL : PW_FT_TEXT);
        CHECK_INT(dt_count(&T, PW_PHI_DATE), 0);
        if (dt_count(&T, PW_PHI_DATE))
            fprintf(stderr, "  \"%s\" gave a date\n", quiet[i]);
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

PW_TEST_MAIN(PW_TEST(setup), PW_TEST(test_accents_either_way), PW_TEST(test_urls),
             PW_TEST(test_care_intent), PW_TEST(test_sensitivity), PW_TEST(test_no_hits),
             PW_TEST(test_email_before_accented_word), PW_TEST(test_identifier_context),
             PW_TEST(test_identifier_negatives), PW_TEST(test_appointment_sentences),
             PW_TEST(test_long_dates), PW_TEST(test_numeric_day_first),
             PW_TEST(test_short_and_slug_dates), PW_TEST(teardown))
