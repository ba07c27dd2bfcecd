/*
 * context.c — context for identifiers: what a field name says its value is ("ud[em]" is an
 * email, "patient_id" a record number, "ts" a timestamp) and what the words just before a value
 * say ("DOB: 03/14/1985", "MRN #", "Call us at"). Names and words are compared in a compact form:
 * lower-case letters and digits only.
 */
#include <stddef.h>
#include <string.h>

#include "detect/context_index.h"
#include "detect/context_may.h"
#include "detect/context_pairs.h"
#include "detect/internal.h"
#include "detect/vocab_tsv.h"

typedef struct ctx_word {
    const char *word; /* compact form */
    pw_ctx ctx;
    unsigned char len;
} ctx_word;

#define W(word, ctx)                \
    {                               \
        word, ctx, sizeof(word) - 1 \
    }

/* Field names, compared exactly after compaction; sorted by (length, bytes) for binary search
 * (no duplicates, so the lookup does not depend on order). English and Spanish (the forms of
 * /es/ pages: nombre, apellido, telefono, correo, cuenta, paciente, expediente), Spanish without
 * accents since HTML field names are written in ASCII. */
static const ctx_word key_exact[] = {
    W("q", PW_CTX_SEARCH),
    W("s", PW_CTX_SEARCH),
    W("v", PW_CTX_TIME),
    W("z", PW_CTX_TIME),
    W("cb", PW_CTX_TIME),
    W("cc", PW_CTX_CARD),
    W("db", PW_CTX_DOB),
    W("em", PW_CTX_EMAIL),
    W("fn", PW_CTX_FIRST_NAME),
    W("ge", PW_CTX_GENDER),
    W("id", PW_CTX_NEGATIVE),
    W("ip", PW_CTX_IP),
    W("it", PW_CTX_TIME),
    W("kw", PW_CTX_SEARCH),
    W("ln", PW_CTX_LAST_NAME),
    W("ph", PW_CTX_PHONE),
    W("sh", PW_CTX_TIME),
    W("sr", PW_CTX_TIME),
    W("sw", PW_CTX_TIME),
    W("ts", PW_CTX_TIME),
    W("vp", PW_CTX_TIME),
    W("zp", PW_CTX_ZIP),
    W("cid", PW_CTX_NEGATIVE),
    W("dea", PW_CTX_DEA),
    W("dob", PW_CTX_DOB),
    W("eid", PW_CTX_NEGATIVE),
    W("fax", PW_CTX_FAX),
    W("fbc", PW_CTX_NEGATIVE),
    W("fbp", PW_CTX_NEGATIVE),
    W("mbi", PW_CTX_MBI),
    W("mrn", PW_CTX_MRN),
    W("npi", PW_CTX_NPI),
    W("pid", PW_CTX_NEGATIVE),
    W("rnd", PW_CTX_TIME),
    W("sex", PW_CTX_GENDER),
    W("sku", PW_CTX_NEGATIVE),
    W("ssn", PW_CTX_SSN),
    W("tel", PW_CTX_PHONE),
    W("tid", PW_CTX_NEGATIVE),
    W("ver", PW_CTX_TIME),
    W("zip", PW_CTX_ZIP),
    W("acct", PW_CTX_ACCOUNT),
    W("addr", PW_CTX_ADDRESS),
    W("appt", PW_CTX_APPT),
    W("bday", PW_CTX_DOB),
    W("card", PW_CTX_CARD),
    W("cell", PW_CTX_PHONE),
    W("cita", PW_CTX_APPT),
    W("date", PW_CTX_DATE),
    W("last", PW_CTX_LAST_NAME),
    W("mail", PW_CTX_EMAIL),
    W("name", PW_CTX_NAME),
    W("ptid", PW_CTX_PATIENT_ID),
    W("sexo", PW_CTX_GENDER),
    W("term", PW_CTX_SEARCH),
    W("time", PW_CTX_TIME),
    W("uhem", PW_CTX_EMAIL),
    W("uhpn", PW_CTX_PHONE),
    W("calle", PW_CTX_ADDRESS),
    W("ccnum", PW_CTX_CARD),
    W("chart", PW_CTX_MRN),
    W("citas", PW_CTX_APPT),
    W("email", PW_CTX_EMAIL),
    W("fecha", PW_CTX_DATE),
    W("first", PW_CTX_FIRST_NAME),
    W("fname", PW_CTX_FIRST_NAME),
    W("gclid", PW_CTX_NEGATIVE),
    W("icd10", PW_CTX_HEALTH),
    W("lname", PW_CTX_LAST_NAME),
    W("movil", PW_CTX_PHONE),
    W("phone", PW_CTX_PHONE),
    W("query", PW_CTX_SEARCH),
    W("buscar", PW_CTX_SEARCH),
    W("charts", PW_CTX_PATIENT_ID),
    W("correo", PW_CTX_EMAIL),
    W("cuenta", PW_CTX_ACCOUNT),
    W("doctor", PW_CTX_PROVIDER),
    W("fbclid", PW_CTX_NEGATIVE),
    W("gender", PW_CTX_GENDER),
    W("genero", PW_CTX_GENDER),
    W("member", PW_CTX_MEMBER),
    W("mobile", PW_CTX_PHONE),
    W("nombre", PW_CTX_NAME),
    W("policy", PW_CTX_POLICY),
    W("random", PW_CTX_TIME),
    W("record", PW_CTX_PATIENT_ID),
    W("search", PW_CTX_SEARCH),
    W("street", PW_CTX_ADDRESS),
    W("account", PW_CTX_ACCOUNT),
    W("allergy", PW_CTX_HEALTH),
    W("celular", PW_CTX_PHONE),
    W("icdcode", PW_CTX_HEALTH),
    W("keyword", PW_CTX_SEARCH),
    W("members", PW_CTX_MEMBER),
    W("patient", PW_CTX_PATIENT_ID),
    W("records", PW_CTX_PATIENT_ID),
    W("surname", PW_CTX_LAST_NAME),
    W("symptom", PW_CTX_HEALTH),
    W("version", PW_CTX_TIME),
    W("accounts", PW_CTX_ACCOUNT),
    W("address1", PW_CTX_ADDRESS),
    W("address2", PW_CTX_ADDRESS),
    W("apellido", PW_CTX_LAST_NAME),
    W("birthday", PW_CTX_DOB),
    W("busqueda", PW_CTX_SEARCH),
    W("clientip", PW_CTX_IP),
    W("keywords", PW_CTX_SEARCH),
    W("paciente", PW_CTX_PATIENT_ID),
    W("patients", PW_CTX_PATIENT_ID),
    W("postcode", PW_CTX_ZIP),
    W("provider", PW_CTX_PROVIDER),
    W("symptoms", PW_CTX_HEALTH),
    W("telefono", PW_CTX_PHONE),
    W("yourname", PW_CTX_NAME),
    W("allergies", PW_CTX_HEALTH),
    W("apellidos", PW_CTX_LAST_NAME),
    W("condition", PW_CTX_HEALTH),
    W("diagnoses", PW_CTX_HEALTH),
    W("diagnosis", PW_CTX_HEALTH),
    W("direccion", PW_CTX_ADDRESS),
    W("domicilio", PW_CTX_ADDRESS),
    W("ipaddress", PW_CTX_IP),
    W("pacientes", PW_CTX_PATIENT_ID),
    W("physician", PW_CTX_PROVIDER),
    W("telephone", PW_CTX_PHONE),
    W("expediente", PW_CTX_MRN),
    W("medication", PW_CTX_HEALTH),
    W("nacimiento", PW_CTX_DOB),
    W("searchterm", PW_CTX_SEARCH),
    W("medications", PW_CTX_HEALTH),
    W("searchquery", PW_CTX_SEARCH),
    W("clientipaddress", PW_CTX_IP),
};

/* Field names containing these (checked in order, after the exact table). */
static const ctx_word key_contains[] = {W("ipaddress", PW_CTX_IP),
                                        W("cardnumber", PW_CTX_CARD),
                                        W("creditcard", PW_CTX_CARD),
                                        W("email", PW_CTX_EMAIL),
                                        W("phone", PW_CTX_PHONE),
                                        W("fax", PW_CTX_FAX),
                                        W("socialsecurity", PW_CTX_SSN),
                                        W("ssn", PW_CTX_SSN),
                                        W("birth", PW_CTX_DOB),
                                        W("appointment", PW_CTX_APPT),
                                        W("apptdate", PW_CTX_APPT),
                                        W("visitdate", PW_CTX_APPT),
                                        W("timestamp", PW_CTX_TIME),
                                        W("zip", PW_CTX_ZIP),
                                        W("postal", PW_CTX_ZIP),
                                        W("address", PW_CTX_ADDRESS),
                                        W("street", PW_CTX_ADDRESS),
                                        W("firstname", PW_CTX_FIRST_NAME),
                                        W("givenname", PW_CTX_FIRST_NAME),
                                        W("lastname", PW_CTX_LAST_NAME),
                                        W("familyname", PW_CTX_LAST_NAME),
                                        W("nacimiento", PW_CTX_DOB),
                                        /* Italian and French: data_di_nascita, date_naissance,
                                         * data_appuntamento, date_rendez_vous */
                                        W("nascita", PW_CTX_DOB),
                                        W("naissance", PW_CTX_DOB),
                                        W("appuntament", PW_CTX_APPT),
                                        W("rendezvous", PW_CTX_APPT),
                                        W("telefono", PW_CTX_PHONE),
                                        W("celular", PW_CTX_PHONE),
                                        W("correo", PW_CTX_EMAIL),
                                        W("codigopostal", PW_CTX_ZIP),
                                        W("direccion", PW_CTX_ADDRESS),
                                        W("segurosocial", PW_CTX_SSN),
                                        W("expediente", PW_CTX_MRN),
                                        W("primernombre", PW_CTX_FIRST_NAME),
                                        W("segundonombre", PW_CTX_FIRST_NAME),
                                        W("apellido", PW_CTX_LAST_NAME),
                                        W("nombrecompleto", PW_CTX_NAME),
                                        W("patientname", PW_CTX_NAME),
                                        W("fullname", PW_CTX_NAME),
                                        W("contactname", PW_CTX_NAME),
                                        W("providername", PW_CTX_PROVIDER),
                                        W("doctorname", PW_CTX_PROVIDER),
                                        W("medicalrecord", PW_CTX_MRN),
                                        W("mrn", PW_CTX_MRN),
                                        W("memberid", PW_CTX_MEMBER),
                                        W("membernumber", PW_CTX_MEMBER),
                                        W("subscriber", PW_CTX_MEMBER),
                                        W("insuranceid", PW_CTX_MEMBER),
                                        W("policy", PW_CTX_POLICY),
                                        W("patientid", PW_CTX_PATIENT_ID),
                                        W("account", PW_CTX_ACCOUNT),
                                        W("medicare", PW_CTX_MBI),
                                        W("npi", PW_CTX_NPI),
                                        W("searchterm", PW_CTX_SEARCH),
                                        W("order", PW_CTX_NEGATIVE),
                                        W("invoice", PW_CTX_NEGATIVE),
                                        W("tracking", PW_CTX_NEGATIVE),
                                        W("confirmation", PW_CTX_NEGATIVE),
                                        W("transaction", PW_CTX_NEGATIVE),
                                        W("pedido", PW_CTX_NEGATIVE),
                                        W("factura", PW_CTX_NEGATIVE),
                                        W("fecha", PW_CTX_DATE), /* after "nacimiento" */
                                        {NULL, PW_CTX_NONE, 0}};

/* engine-ident: field names containing these name health information ("primary_diagnosis",
 * "chiefComplaint", "reason_for_visit", "visitReason", "medical_conditions", "icd10_code",
 * "current_medications"; exactly: "condition", "symptoms", "medications", "allergies"): whatever
 * the value says, a diagnosis or a reason for a visit sent to an ad platform is health context.
 * Checked before key_contains (whose first/last-letter tables hold 64 words at most):
 * "appointment_reason" is the reason, not a date, and the date of a diagnosis tells the diagnosis
 * was made. Not a bare "complaint" or "conditions" (a feedback form, "terms_and_conditions"). */
static const ctx_word key_health[] = {W("diagnos", PW_CTX_HEALTH),
                                      W("chiefcomplaint", PW_CTX_HEALTH),
                                      W("reasonforvisit", PW_CTX_HEALTH),
                                      W("visitreason", PW_CTX_HEALTH),
                                      W("reasonforappointment", PW_CTX_HEALTH),
                                      W("appointmentreason", PW_CTX_HEALTH),
                                      W("medicalcondition", PW_CTX_HEALTH),
                                      W("healthcondition", PW_CTX_HEALTH),
                                      W("presentingproblem", PW_CTX_HEALTH),
                                      W("icd10", PW_CTX_HEALTH),
                                      W("currentmedication", PW_CTX_HEALTH),
                                      W("knownallerg", PW_CTX_HEALTH),
                                      {NULL, PW_CTX_NONE, 0}};

/* engine-ident: whose name a compact key ending in "name", "first" or "last" holds when a word
 * of a person comes first ("guardianName", "memberName", "patientFirst", "nameLast",
 * "pt_name", "spouse_last"). Not "parent", "child", "legal", "client", "user", "referrer",
 * "partner" or "sender": taxonomy nodes, organisations, OAuth clients, logins, sites, ad
 * partners ("partnerName":"DeepIntent", a Blacklight capture) and mailers have those names. */
static const char *const person_name_owners[] = {
    "patient",   "pt",        "member",  "guardian",  "spouse",    "mother",    "father",
    "caregiver", "dependent", "insured", "guarantor", "emergency", "preferred", "maiden",
    "middle",    "applicant", "caller",  "visitor",   "customer",  "recipient", "requester",
    "name",      "husband",   "wife",    "son",       "daughter",  "baby",      "infant",
    "newborn",   "resident",  NULL};

/* The context of the compact key k when it is a person's name key of that shape, else NONE. */
static pw_ctx person_name_key(const char *k, size_t kl)
{
    static const struct {
        const char *w;
        size_t len;
        pw_ctx ctx;
    } tails[] = {
        {"name", 4, PW_CTX_NAME}, {"first", 5, PW_CTX_FIRST_NAME}, {"last", 4, PW_CTX_LAST_NAME}};
    for (size_t t = 0; t < sizeof tails / sizeof tails[0]; t++) {
        size_t l = tails[t].len;
        if (kl <= l || memcmp(k + kl - l, tails[t].w, l) != 0)
            continue;
        size_t pl = kl - l;
        if (pl == 4 && memcmp(k, "name", 4) == 0 && tails[t].ctx == PW_CTX_NAME)
            return PW_CTX_NONE; /* "namename" */
        for (const char *const *o = person_name_owners; *o; o++)
            if (strlen(*o) == pl && memcmp(k, *o, pl) == 0)
                return tails[t].ctx;
        return PW_CTX_NONE;
    }
    return PW_CTX_NONE;
}

/* Words before a value (compact, matched as the end of the preceding words), grouped by their
 * last letter; within a group the first match wins, so a longer word that ends in a shorter
 * one with another meaning comes first ("birthdate" before "date"). Spanish words too, without
 * their accents: an accented letter is read as its base letter ("Teléfono" is "telefono",
 * "Versión" "version"; words_before). The phone words of the other languages US hospitals
 * translate their forms into (German Telefon, Handy, Rufnummer; French portable; Italian
 * cellulare; Portuguese telefone, telemóvel) and chat's "my number (is)". */
static const ctx_word before_a[] = {
    W("dea", PW_CTX_DEA),          W("cuenta", PW_CTX_ACCOUNT),      W("cita", PW_CTX_APPT),
    W("factura", PW_CTX_NEGATIVE), W("referencia", PW_CTX_NEGATIVE), W("fecha", PW_CTX_DATE),
    {NULL, PW_CTX_NONE, 0}};
static const ctx_word before_b[] = {W("dob", PW_CTX_DOB), {NULL, PW_CTX_NONE, 0}};
/* "f. nac.", "Fecha nac." (fecha de nacimiento) */
static const ctx_word before_c[] = {W("nac", PW_CTX_DOB), {NULL, PW_CTX_NONE, 0}};
static const ctx_word before_d[] = {W("card", PW_CTX_CARD),
                                    W("creditcard", PW_CTX_CARD),
                                    W("switchboard", PW_CTX_ORG_PHONE),
                                    W("medicalrecord", PW_CTX_MRN),
                                    W("patientid", PW_CTX_MRN),
                                    W("memberid", PW_CTX_MEMBER),
                                    W("subscriberid", PW_CTX_MEMBER),
                                    W("insuranceid", PW_CTX_MEMBER),
                                    W("medicareid", PW_CTX_MBI),
                                    W("build", PW_CTX_NEGATIVE),
                                    {NULL, PW_CTX_NONE, 0}};
static const ctx_word before_e[] = {
    W("birthdate", PW_CTX_DOB),      W("tollfree", PW_CTX_ORG_PHONE),
    W("hotline", PW_CTX_ORG_PHONE),  W("helpline", PW_CTX_ORG_PHONE),
    W("mainline", PW_CTX_ORG_PHONE), W("callme", PW_CTX_PHONE),
    W("textme", PW_CTX_PHONE),       W("date", PW_CTX_DATE),
    W("phone", PW_CTX_PHONE),        W("telephone", PW_CTX_PHONE),
    W("mobile", PW_CTX_PHONE),       W("portable", PW_CTX_PHONE),
    W("telefone", PW_CTX_PHONE),     W("cellulare", PW_CTX_PHONE),
    W("zipcode", PW_CTX_ZIP),        W("postalcode", PW_CTX_ZIP),
    W("reachme", PW_CTX_PHONE),      W("mejoindre", PW_CTX_PHONE),
    W("invoice", PW_CTX_NEGATIVE),   W("reference", PW_CTX_NEGATIVE),
    W("release", PW_CTX_NEGATIVE),   W("firmware", PW_CTX_NEGATIVE),
    W("expediente", PW_CTX_MRN),     W("serie", PW_CTX_NEGATIVE),
    {NULL, PW_CTX_NONE, 0}};
static const ctx_word before_f[] = {W("ref", PW_CTX_NEGATIVE), {NULL, PW_CTX_NONE, 0}};
static const ctx_word before_g[] = {W("tracking", PW_CTX_NEGATIVE), {NULL, PW_CTX_NONE, 0}};
static const ctx_word before_h[] = {W("dateofbirth", PW_CTX_DOB), {NULL, PW_CTX_NONE, 0}};
static const ctx_word before_i[] = {
    W("npi", PW_CTX_NPI), W("mbi", PW_CTX_MBI), {NULL, PW_CTX_NONE, 0}};
static const ctx_word before_l[] = {W("segurosocial", PW_CTX_SSN), W("codigopostal", PW_CTX_ZIP),
                                    W("movil", PW_CTX_PHONE),      W("tel", PW_CTX_PHONE),
                                    W("cell", PW_CTX_PHONE),       W("mobil", PW_CTX_PHONE),
                                    W("telemovel", PW_CTX_PHONE),  W("serial", PW_CTX_NEGATIVE),
                                    W("model", PW_CTX_NEGATIVE),   {NULL, PW_CTX_NONE, 0}};
static const ctx_word before_n[] = {W("born", PW_CTX_DOB),
                                    W("bornon", PW_CTX_DOB),
                                    W("appointmenton", PW_CTX_APPT),
                                    W("visiton", PW_CTX_APPT),
                                    W("callmeon", PW_CTX_PHONE),
                                    W("telefon", PW_CTX_PHONE),
                                    W("when", PW_CTX_DATE),
                                    W("ssn", PW_CTX_SSN),
                                    W("mrn", PW_CTX_MRN),
                                    W("confirmation", PW_CTX_NEGATIVE),
                                    W("version", PW_CTX_NEGATIVE),
                                    W("confirmacion", PW_CTX_NEGATIVE),
                                    {NULL, PW_CTX_NONE, 0}};
static const ctx_word before_o[] = {W("messagesto", PW_CTX_PHONE), W("nacimiento", PW_CTX_DOB),
                                    W("telefono", PW_CTX_PHONE),   W("pedido", PW_CTX_NEGATIVE),
                                    W("modelo", PW_CTX_NEGATIVE),  {NULL, PW_CTX_NONE, 0}};
static const ctx_word before_p[] = {W("zip", PW_CTX_ZIP),
                                    W("ip", PW_CTX_IP),
                                    W("timestamp", PW_CTX_TIME),
                                    W("whatsapp", PW_CTX_PHONE),
                                    {NULL, PW_CTX_NONE, 0}};
static const ctx_word before_r[] = {W("cardnumber", PW_CTX_CARD),
                                    W("creditcardnumber", PW_CTX_CARD),
                                    W("scheduledfor", PW_CTX_APPT),
                                    W("faxnumber", PW_CTX_FAX),
                                    W("phonenumber", PW_CTX_PHONE),
                                    W("socialsecuritynumber", PW_CTX_SSN),
                                    W("medicalrecordnumber", PW_CTX_MRN),
                                    W("recordnumber", PW_CTX_MRN),
                                    W("chartnumber", PW_CTX_MRN),
                                    W("patientnumber", PW_CTX_MRN),
                                    W("membernumber", PW_CTX_MEMBER),
                                    W("member", PW_CTX_MEMBER),
                                    W("groupnumber", PW_CTX_POLICY),
                                    W("accountnumber", PW_CTX_ACCOUNT),
                                    W("policynumber", PW_CTX_POLICY),
                                    W("medicarenumber", PW_CTX_MBI),
                                    W("ordernumber", PW_CTX_NEGATIVE),
                                    W("order", PW_CTX_NEGATIVE),
                                    W("trackingnumber", PW_CTX_NEGATIVE),
                                    W("confirmationnumber", PW_CTX_NEGATIVE),
                                    W("serialnumber", PW_CTX_NEGATIVE),
                                    W("celular", PW_CTX_PHONE),
                                    W("telefonnummer", PW_CTX_PHONE),
                                    W("rufnummer", PW_CTX_PHONE),
                                    W("handynummer", PW_CTX_PHONE),
                                    W("mobilnummer", PW_CTX_PHONE),
                                    W("mynumber", PW_CTX_PHONE),
                                    W("bestnumber", PW_CTX_PHONE),
                                    {NULL, PW_CTX_NONE, 0}};
static const ctx_word before_s[] = {W("callus", PW_CTX_ORG_PHONE),
                                    W("contactus", PW_CTX_ORG_PHONE),
                                    W("ipaddress", PW_CTX_IP),
                                    {NULL, PW_CTX_NONE, 0}};
static const ctx_word before_t[] = {
    W("appointment", PW_CTX_APPT),   W("appt", PW_CTX_APPT),
    W("callusat", PW_CTX_ORG_PHONE), W("contactusat", PW_CTX_ORG_PHONE),
    W("callmeat", PW_CTX_PHONE),     W("reachmeat", PW_CTX_PHONE),
    W("textmeat", PW_CTX_PHONE),     W("answeringat", PW_CTX_PHONE),
    W("account", PW_CTX_ACCOUNT),    W("acct", PW_CTX_ACCOUNT),
    W("part", PW_CTX_NEGATIVE),      {NULL, PW_CTX_NONE, 0}};
static const ctx_word before_u[] = {
    W("sku", PW_CTX_NEGATIVE), W("mejoindreau", PW_CTX_PHONE), {NULL, PW_CTX_NONE, 0}};
static const ctx_word before_x[] = {W("fax", PW_CTX_FAX), {NULL, PW_CTX_NONE, 0}};
static const ctx_word before_y[] = {W("birthday", PW_CTX_DOB),  W("tty", PW_CTX_ORG_PHONE),
                                    W("handy", PW_CTX_PHONE),   W("socialsecurity", PW_CTX_SSN),
                                    W("policy", PW_CTX_POLICY), {NULL, PW_CTX_NONE, 0}};

/* The group of words ending in a letter (NULL when none does). */
static const ctx_word *const before_by_last[26] = {
    ['a' - 'a'] = before_a, ['b' - 'a'] = before_b, ['c' - 'a'] = before_c, ['d' - 'a'] = before_d,
    ['e' - 'a'] = before_e, ['f' - 'a'] = before_f, ['g' - 'a'] = before_g, ['h' - 'a'] = before_h,
    ['i' - 'a'] = before_i, ['l' - 'a'] = before_l, ['n' - 'a'] = before_n, ['o' - 'a'] = before_o,
    ['p' - 'a'] = before_p, ['r' - 'a'] = before_r, ['s' - 'a'] = before_s, ['t' - 'a'] = before_t,
    ['u' - 'a'] = before_u, ['x' - 'a'] = before_x, ['y' - 'a'] = before_y,
};

/* The groups by length (context_index.h; pw_ctx_index_ok checks it: unit test, which prints it
 * as it should read after a word change). engine-text7 */
const uint32_t pw_ctx_before_index[26][PW_CTX_INDEX_LEN] = {
    ['a' - 'a'] = {[3] = 0x1, [4] = 0x4, [5] = 0x20, [6] = 0x2, [7] = 0x8, [10] = 0x10},
    ['b' - 'a'] = {[3] = 0x1},
    ['c' - 'a'] = {[3] = 0x1},
    ['d' - 'a'] = {[4] = 0x1,
                   [5] = 0x200,
                   [8] = 0x20,
                   [9] = 0x10,
                   [10] = 0x102,
                   [11] = 0x84,
                   [12] = 0x40,
                   [13] = 0x8},
    ['e' - 'a'] = {[4] = 0x80,
                   [5] = 0x800100,
                   [6] = 0x460,
                   [7] = 0x154004,
                   [8] = 0x20181a,
                   [9] = 0xa2201,
                   [10] = 0x408000},
    ['f' - 'a'] = {[3] = 0x1},
    ['g' - 'a'] = {[8] = 0x1},
    ['h' - 'a'] = {[11] = 0x1},
    ['i' - 'a'] = {[3] = 0x3},
    ['l' - 'a'] = {[3] = 0x8, [4] = 0x10, [5] = 0x124, [6] = 0x80, [9] = 0x40, [12] = 0x3},
    ['n' - 'a'] =
        {[3] = 0x180, [4] = 0x41, [6] = 0x2, [7] = 0x428, [8] = 0x10, [12] = 0xa00, [13] = 0x4},
    ['o' - 'a'] = {[6] = 0x18, [8] = 0x4, [10] = 0x3},
    ['p' - 'a'] = {[2] = 0x2, [3] = 0x1, [8] = 0x8, [9] = 0x4},
    ['r' - 'a'] = {[5] = 0x20000,
                   [6] = 0x800,
                   [7] = 0x200000,
                   [8] = 0x4000000,
                   [9] = 0x800008,
                   [10] = 0x8000001,
                   [11] = 0x3011110,
                   [12] = 0x104484,
                   [13] = 0x402200,
                   [14] = 0x48000,
                   [16] = 0x2,
                   [18] = 0x80000,
                   [19] = 0x40,
                   [20] = 0x20},
    ['s' - 'a'] = {[6] = 0x1, [9] = 0x6},
    ['t' - 'a'] = {[4] = 0x602, [7] = 0x100, [8] = 0x54, [9] = 0x20, [11] = 0x89},
    ['u' - 'a'] = {[3] = 0x1, [11] = 0x2},
    ['x' - 'a'] = {[3] = 0x1},
    ['y' - 'a'] = {[3] = 0x2, [5] = 0x4, [6] = 0x10, [8] = 0x1, [14] = 0x8},
};

/* Words that may sit between the context word and the value ("phone number is"). */
static const ctx_word fillers[] = {
    W("is", PW_CTX_NONE),  W("was", PW_CTX_NONE), W("number", PW_CTX_NONE), W("no", PW_CTX_NONE),
    W("num", PW_CTX_NONE), W("nr", PW_CTX_NONE),  W("at", PW_CTX_NONE),     W("on", PW_CTX_NONE),
    W("id", PW_CTX_NONE),  {NULL, PW_CTX_NONE, 0}};

/* The fillers by last letter: bit x of [letter - 'a'] when fillers[x] ends in it (checked with
 * pw_ctx_before_index by pw_ctx_index_ok). engine-text7 */
const uint32_t pw_ctx_filler_index[26] = {
    ['d' - 'a'] = 0x100, ['m' - 'a'] = 0x10, ['n' - 'a'] = 0x80, ['o' - 'a'] = 0x8,
    ['r' - 'a'] = 0x24,  ['s' - 'a'] = 0x3,  ['t' - 'a'] = 0x40,
};

/* The component of a bracketed or dotted field name that ends at e, compacted ("ud[em]" with e
 * at the end -> "em"); *begin is where it starts. */
static size_t compact_component(const char *key, size_t e, size_t *begin, char *out, size_t cap)
{
    size_t b = 0;
    while (e > 0 && (key[e - 1] == ']' || key[e - 1] == ' '))
        e--;
    for (size_t i = e; i > 0; i--)
        if (key[i - 1] == '[' || key[i - 1] == '.') {
            b = i;
            break;
        }
    size_t o = 0;
    for (size_t i = b; i < e && o + 1 < cap; i++)
        if (pw_isalnum((unsigned char)key[i]))
            out[o++] = (char)pw_tolower((unsigned char)key[i]);
    out[o] = '\0';
    *begin = b;
    return o;
}

/* Objects whose "name" member is a person's name; any other parent ("product.name",
 * "event.name", "contents.0.name") names a thing. */
static const char *const person_parents[] = {
    "user",    "userdata",  "ud",        "patient", "contact",    "customer",  "person",
    "member",  "visitor",   "guest",     "profile", "subscriber", "billing",   "shipping",
    "caller",  "applicant", "guarantor", "insured", "dependent",  "guardian",  "emergencycontact",
    "sender",  "recipient", "owner",     "client",  "lead",       "requester", "paciente",
    "usuario", "cliente",   "contacto",  NULL};

/* Objects whose "name" member names a place or an organisation whatever members sit beside it:
 * a list of locations, clinics or offices has a city, a state, a phone as a contact has
 * ({"locations":[{"name":"Hilltop Commons","city":"Auburn"}]}). A plural 's' is dropped when
 * the word as written is not listed ("facilities" and "branches" are). */
static const char *const place_parents[] = {
    "location", "clinic",       "office",       "facility", "facilities",
    "practice", "site",         "branch",       "branches", "venue",
    "place",    "store",        "hospital",     "pharmacy", "pharmacies",
    "campus",   "campuses",     "department",   "dept",     "center",
    "centre",   "organization", "organisation", "org",      "providerlocation",
    NULL};

/* The parent component of the key whose last component starts at key[b], array indexes skipped,
 * compacted into parent; its length, 0 at the top level. */
static size_t name_parent(const char *key, size_t b, char *parent, size_t cap)
{
    while (b > 0) {
        size_t pb;
        size_t pl = compact_component(key, b - 1, &pb, parent, cap);
        if (pl > 0 && pw_digits_at(parent, pl, 0) == pl) { /* an array index: look further up */
            b = pb;
            continue;
        }
        return pl;
    }
    return 0;
}

/* w[0..len) (NUL-terminated) is in the list, as written or without a plural 's'
 * ("patients.0.name", "locations"). */
static int word_listed(char *w, size_t len, const char *const *list)
{
    for (int pass = 0; pass < 2; pass++) {
        for (const char *const *x = list; *x; x++)
            if (strcmp(w, *x) == 0)
                return 1;
        if (len <= 3 || w[len - 1] != 's')
            return 0;
        w[--len] = '\0';
    }
    return 0;
}

/* A bare "name" key is a person's name at the top level or under a person-like parent. */
static int name_parent_is_person(const char *key, size_t b)
{
    char parent[64];
    size_t pl = name_parent(key, b, parent, sizeof parent);
    return pl == 0 || word_listed(parent, pl, person_parents);
}

int pw_ctx_key_is_place_list(const char *key, size_t n)
{
    char k[64], parent[64];
    size_t b, kl = key ? compact_component(key, n, &b, k, sizeof k) : 0;
    if (kl == 0)
        return 0;
    /* the key itself ("locations" before a '{' in text) or, for an array index ("locations.0"),
     * its parent */
    if (pw_digits_at(k, kl, 0) != kl)
        return word_listed(k, kl, place_parents);
    size_t pl = name_parent(key, b, parent, sizeof parent);
    return pl > 0 && word_listed(parent, pl, place_parents);
}

/* w occurs in k[0..kl) (keys are short: a plain first-byte loop beats memchr calls). */
static int contains(const char *k, size_t kl, const ctx_word *w)
{
    size_t len = w->len;
    if (len > kl)
        return 0;
    /* engine-real10: the last letter too before the memcmp call (a first sight of a tracker's
     * parameter name, ~800 instructions, was a third memcmp calls on first letters alone) */
    char first = w->word[0], last = w->word[len - 1];
    for (size_t p = 0; p + len <= kl; p++)
        if (k[p] == first && k[p + len - 1] == last && memcmp(k + p, w->word, len) == 0)
            return 1;
    return 0;
}

/* Order of a compact key against a table word: by length, then bytes. */
static int exact_cmp(const char *k, size_t kl, const ctx_word *w)
{
    if (kl != w->len)
        return kl < w->len ? -1 : 1;
    if (k[0] != w->word[0]) /* most probes differ at once: no memcmp call */
        return (unsigned char)k[0] < (unsigned char)w->word[0] ? -1 : 1;
    return memcmp(k, w->word, kl);
}

static pw_ctx exact_lookup(const char *k, size_t kl)
{
    size_t lo = 0, hi = sizeof key_exact / sizeof key_exact[0];
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = exact_cmp(k, kl, &key_exact[mid]);
        if (c == 0)
            return key_exact[mid].ctx;
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return PW_CTX_NONE;
}

/* key_contains words by their first and by their last letter: bit x of contains_first[c & 31] is
 * set when word x of key_contains starts with c (indexed by the byte's low five bits: a digit
 * shares a letter's entry, which only adds candidates; contains decides). A key's candidates, the
 * words whose first and last letters it holds, come from two ors per key byte instead of a pass
 * over the 57 words (a first sight of a key cost ~800 instructions, most of them that pass). The
 * tables are checked against key_contains by pw_ctx_key_tables_ok (unit test), which prints
 * them as they should read when a word was added (pw_ctx_key_tables_build). */
static const uint64_t contains_first[32] = {
    ['a' & 31] = 0x4000801008600ull,
    ['b' & 31] = 0x100ull,
    ['c' & 31] = 0x200008038000006ull,
    ['d' & 31] = 0x20040000000ull,
    ['e' & 31] = 0x100000008ull,
    ['f' & 31] = 0x3000004000120020ull,
    ['g' & 31] = 0x40000ull,
    ['i' & 31] = 0x80800000000001ull,
    ['l' & 31] = 0x80000ull,
    ['m' & 31] = 0x83c0000000000ull,
    ['n' & 31] = 0x10001000e00000ull,
    ['o' & 31] = 0x40000000000000ull,
    ['p' & 31] = 0x803012200004010ull,
    ['r' & 31] = 0x2000000ull,
    ['s' & 31] = 0x204004800100c0ull,
    ['t' & 31] = 0x500000004001000ull,
    ['v' & 31] = 0x800ull,
    ['z' & 31] = 0x2000ull,
};
static const uint64_t contains_last[32] = {
    ['a' & 31] = 0x3000000000400000ull,
    ['d' & 31] = 0x2940000000004ull,
    ['e' & 31] = 0x8803e7009e0c10ull,
    ['g' & 31] = 0x100000000000000ull,
    ['h' & 31] = 0x100ull,
    ['i' & 31] = 0x10000000000000ull,
    ['l' & 31] = 0xa0004008ull,
    ['m' & 31] = 0x20000000000000ull,
    ['n' & 31] = 0x600080040000080ull,
    ['o' & 31] = 0x800001814200000ull,
    ['p' & 31] = 0x3000ull,
    ['r' & 31] = 0x40600008000002ull,
    ['s' & 31] = 0x2008001ull,
    ['t' & 31] = 0x4000001010200ull,
    ['x' & 31] = 0x20ull,
    ['y' & 31] = 0x1000000000040ull,
};

int pw_ctx_key_tables_build(uint64_t first[32], uint64_t last[32])
{
    memset(first, 0, 32 * sizeof *first);
    memset(last, 0, 32 * sizeof *last);
    size_t x = 0;
    for (const ctx_word *w = key_contains; w->word; w++, x++) {
        if (x >= 64)
            return 0;
        first[(unsigned char)w->word[0] & 31] |= (uint64_t)1 << x;
        last[(unsigned char)w->word[w->len - 1] & 31] |= (uint64_t)1 << x;
    }
    return 1;
}

int pw_ctx_key_tables_ok(void)
{
    uint64_t first[32], last[32];
    return pw_ctx_key_tables_build(first, last) &&
           memcmp(first, contains_first, sizeof first) == 0 &&
           memcmp(last, contains_last, sizeof last) == 0;
}

int pw_ctx_key_last_is(const char *key, size_t n, const char *word)
{
    char k[16];
    size_t b, l = strlen(word);
    return key && l < sizeof k && compact_component(key, n, &b, k, sizeof k) == l &&
           memcmp(k, word, l) == 0;
}

/* compact_component(key) == "name" read from the end, stopping at the first byte that differs:
 * every member key of an object is asked, most end in another letter ("price", "currency"). */
int pw_detect_key_reads_object(const char *key)
{
    static const char rev[] = "eman";
    if (!key)
        return 0;
    size_t e = strlen(key), got = 0;
    while (e > 0 && (key[e - 1] == ']' || key[e - 1] == ' '))
        e--;
    for (size_t i = e; i > 0 && key[i - 1] != '[' && key[i - 1] != '.'; i--) {
        unsigned char ch = (unsigned char)key[i - 1];
        if (!pw_isalnum(ch))
            continue;
        if (got == 4 || pw_tolower(ch) != rev[got])
            return 0;
        got++;
    }
    return got == 4;
}

pw_ctx pw_ctx_in_object(pw_ctx c, const char *key, size_t n, pw_detect_object object)
{
    char k[8];
    size_t b;
    if (object == PW_OBJECT_UNKNOWN || compact_component(key, n, &b, k, sizeof k) != 4 ||
        memcmp(k, "name", 4) != 0)
        return c;
    /* a thing's: only a "name" without a parent; a person-like parent ("patient.name") still
     * decides */
    if (object == PW_OBJECT_THING)
        return c == PW_CTX_NAME && b == 0 ? PW_CTX_NONE : c;
    /* a contact's: its own members (email, phone, dob…) say so whatever its parent
     * ({"data":{"name":…,"email":…}}, "lead.0.name", "payload.name"), but for a list of places
     * ("locations.0.name", "clinics[2][name]"), whose entries have a city and a phone too */
    if (b > 0 && pw_ctx_key_is_place_list(key, b - 1))
        return c;
    return c == PW_CTX_NONE ? PW_CTX_NAME : c;
}

/* Who a phone key's number belongs to, when a word says it is a place's or a unit's of the
 * organisation: "location_phone", "clinicPhone", "department_phone_number" (the compact key is the
 * word, then "phone") is the number the site publishes for it, not a person's. Not "office",
 * "work", "business" or "home": a patient's work number identifies the patient. */
static const char *const org_phone_owners[] = {
    "location", "locations", "clinic", "department", "dept",   "facility", "hospital",
    "practice", "pharmacy",  "branch", "campus",     "center", "centre",   NULL};

/* A phone key (compact k, its last component, starting at key[b]) of a place: its owner word just
 * before "phone", or the key's parent a list of places ("locations.0.phone", "clinics[2][tel]"),
 * as for a "name" (pw_ctx_in_object). */
static int place_phone_key(const char *key, const char *k, size_t kl, size_t b)
{
    for (const char *const *w = org_phone_owners; *w; w++) {
        size_t wl = strlen(*w);
        if (kl >= wl + 5 && memcmp(k, *w, wl) == 0 && memcmp(k + wl, "phone", 5) == 0)
            return 1;
    }
    return b > 0 && pw_ctx_key_is_place_list(key, b - 1);
}

pw_ctx pw_ctx_from_key(const char *key, size_t n)
{
    char k[64];
    size_t b;
    size_t kl = compact_component(key, n, &b, k, sizeof k);
    if (kl == 0)
        return PW_CTX_NONE;
    pw_ctx exact = exact_lookup(k, kl);
    if (exact == PW_CTX_NAME && !name_parent_is_person(key, b))
        return PW_CTX_NONE;
    if (exact == PW_CTX_PHONE && place_phone_key(key, k, kl, b))
        return PW_CTX_ORG_PHONE;
    if (exact != PW_CTX_NONE)
        return exact;
    if (kl < 6) /* short keys are all in the exact table */
        return PW_CTX_NONE;
    pw_ctx person = person_name_key(k, kl);
    if (person != PW_CTX_NONE)
        return person;
    for (const ctx_word *w = key_health; w->word; w++) /* before "appointment", "date" */
        if (contains(k, kl, w))
            return PW_CTX_HEALTH;
    uint64_t starts = 0, ends = 0;
    for (size_t i = 0; i < kl; i++) {
        starts |= contains_first[(unsigned char)k[i] & 31];
        ends |= contains_last[(unsigned char)k[i] & 31];
    }
    for (uint64_t cand = starts & ends; cand; cand &= cand - 1) { /* table order decides */
        const ctx_word *w = &key_contains[__builtin_ctzll(cand)];
        if (contains(k, kl, w))
            return w->ctx == PW_CTX_PHONE && place_phone_key(key, k, kl, b) ? PW_CTX_ORG_PHONE
                                                                            : w->ctx;
    }
    return PW_CTX_NONE;
}

/* Letters kept of the words before a value. */
#define BEFORE_CAP 40

/* One of the words before a value, as a span of the text (letters only) or, for a word written
 * with an accented letter, of its folded copy (before_words.fold). */
typedef struct before_word {
    const char *s;
    size_t len;
} before_word;

/* The words before a value, last first: a suffix of their compact form (lower-case letters,
 * concatenated) that starts a word is the last k of them, k <= full. */
typedef struct before_words {
    before_word w[3];
    size_t nw;   /* words (at most 3) */
    size_t full; /* words that start a word in the compact form: all but a word cut by the cap */
    size_t n;    /* letters kept: the compact form's length */
    char fold[BEFORE_CAP]; /* words_before_folded: the letters, filled from the end */
} before_words;

/* The accented Latin-1 letter in UTF-8 that ends at s[j - 1] (s[j - 1] >= 0x80), reading no
 * byte before s[limit]: its base letter in lower case ("é" and "É" are 'e', "ñ" 'n', as the
 * folded layer reads them: pw_vocab_latin1_base), 0 when none. It takes two bytes. */
static char accented_before(const char *s, size_t limit, size_t j)
{
    if (j < limit + 2 || (unsigned char)s[j - 2] != 0xC3 ||
        ((unsigned char)s[j - 1] & 0xC0) != 0x80)
        return 0;
    char base = pw_vocab_latin1_base(0xC0u + ((unsigned char)s[j - 1] & 0x3Fu));
    return base ? (char)(base | 0x20) : 0;
}

/* s[j - 1] is a line break met before any word: the look-back goes on to the line before when the
 * value starts its line (only spaces, tabs or a '\r' between the break and s[i]) and that line
 * ends in a label's colon ("Phone:\n467 3395", "Mobile:\r\n0160 1234567": a form's or a
 * contact card's lines, a textarea sent whole). Returns the offset after the colon, where the
 * look-back goes on (0: it stops, as at any other line break). engine-recall2 */
static size_t label_line_before(const char *s, size_t limit, size_t j, size_t i)
{
    for (size_t k = j; k < i; k++)
        if (s[k] != ' ' && s[k] != '\t' && s[k] != '\r')
            return 0;
    size_t p = j - 1; /* the break */
    while (p > limit && (s[p - 1] == '\r' || s[p - 1] == ' ' || s[p - 1] == '\t'))
        p--;
    return p > limit + 1 && s[p - 1] == ':' ? p : 0;
}

/* The letter that ends at s[j - 1]: its lower-case ASCII form (0: none) and *len its bytes. */
static char letter_before(const char *s, size_t limit, size_t j, size_t *len)
{
    unsigned char c = (unsigned char)s[j - 1];
    *len = 1;
    if (c < 0x80)
        return pw_isalpha(c) ? (char)(c | 0x20) : 0;
    *len = 2;
    return accented_before(s, limit, j);
}

/* words_before for text with a byte >= 0x80 before the value: the same words, read code point by
 * code point, an accented letter as its base letter; the letters are copied into b->fold. */
static void words_before_folded(const char *s, size_t i, before_words *b)
{
    size_t j = i, limit = i > 48 ? i - 48 : 0, pos = BEFORE_CAP, len;
    b->nw = b->full = b->n = 0;
    while (j > limit && b->n < BEFORE_CAP) {
        unsigned c = (unsigned char)s[j - 1];
        if (c == '\n' && b->nw == 0) {
            size_t at = label_line_before(s, limit, j, i);
            if (at) {
                j = at;
                continue;
            }
        }
        if (pw_isdigit(c) || c == '\n')
            break;
        char l = letter_before(s, limit, j, &len);
        if (!l) {
            j--;
            continue;
        }
        size_t w_end = pos; /* pos == BEFORE_CAP - b->n */
        while (l && pos > 0) {
            b->fold[--pos] = l;
            j -= len;
            l = j > limit ? letter_before(s, limit, j, &len) : 0;
        }
        size_t keep = w_end - pos;
        b->w[b->nw++] = (before_word){b->fold + pos, keep};
        b->n += keep;
        if (l) /* it lost letters to the cap: the compact form does not start it */
            break;
        b->full++;
        if (b->nw == 3)
            break;
    }
}

/* The up to three words before s[i] (stopping at a digit or a line break — but for a label's
 * line right before the value, label_line_before — looking back 48 bytes
 * at most, keeping the last BEFORE_CAP letters; a word cut by the 48-byte limit counts from the
 * limit). Spans of the text: nothing is copied, unless a byte >= 0x80 is met (an accented letter
 * is part of its word: words_before_folded). */
static inline __attribute__((always_inline)) void words_before(const char *s, size_t i,
                                                               before_words *b)
{
    size_t j = i, limit = i > 48 ? i - 48 : 0;
    b->nw = b->full = b->n = 0;
    while (j > limit && b->n < BEFORE_CAP) {
        unsigned c = (unsigned char)s[j - 1], cl = pw_char_class[c];
        if (!(cl & (PW_CC_UPPER | PW_CC_LOWER))) {
            if (c == '\n' && b->nw == 0) {
                size_t at = label_line_before(s, limit, j, i);
                if (at) {
                    j = at;
                    continue;
                }
            }
            if ((cl & PW_CC_DIGIT) || c == '\n')
                break;
            if (c >= 0x80) { /* the first byte >= 0x80: read again, letter by letter */
                words_before_folded(s, i, b);
                return;
            }
            j--;
            continue;
        }
        size_t w_end = j;
        while (j > limit && pw_isalpha((unsigned char)s[j - 1]))
            j--;
        size_t len = w_end - j, room = BEFORE_CAP - b->n, keep = len < room ? len : room;
        b->w[b->nw++] = (before_word){s + w_end - keep, keep};
        b->n += keep;
        if (keep < len) /* it lost letters to the cap: the compact form does not start it */
            break;
        b->full++;
        if (b->nw == 3) {
            if (j > limit && (unsigned char)s[j - 1] >= 0x80) /* the word may go on: "Código" */
                words_before_folded(s, i, b);
            break;
        }
    }
}

/* c's compact word equals the last k words of b (lower-cased, concatenated). */
static int equals_last_words(const ctx_word *c, const before_words *b, size_t k)
{
    size_t pos = c->len;
    for (size_t x = 0; x < k; x++) {
        const before_word *w = &b->w[x];
        pos -= w->len;
        for (size_t y = w->len; y-- > 0;) /* from the end: most candidates differ there at once */
            if ((w->s[y] | 0x20) != c->word[pos + y])
                return 0;
    }
    return 1;
}

/* Bit L set when the last k <= full words of b hold L letters in all: the lengths a table word
 * may have to be a suffix of the compact form that starts a word (L <= BEFORE_CAP < 64). */
static uint64_t suffix_lengths(const before_words *b)
{
    uint64_t bits = 0;
    size_t total = 0;
    for (size_t k = 0; k < b->full; k++) {
        total += b->w[k].len;
        bits |= (uint64_t)1 << total;
    }
    return bits;
}

/* How many of the last words of b c's word is (0: it is no suffix of them starting a word);
 * c->len is one of the lengths in suffix_lengths. */
static size_t words_of_length(const before_words *b, size_t len)
{
    size_t k = 0, total = 0;
    while (total < len)
        total += b->w[k++].len;
    return k;
}

/* The words of a group (before_by_last) by length: bit x of pw_ctx_before_index[letter][len] is
 * set when entry x of the letter's group has len letters (written out below; pw_ctx_index_ok
 * checks it against the groups: unit test). match_suffix visits only the entries whose length is
 * one of the suffix lengths, in table order, so the first match is the one a walk over the whole
 * group finds. engine-text7 */
static void index_build(uint32_t out[26][PW_CTX_INDEX_LEN], uint32_t fill[26])
{
    memset(out, 0, 26 * sizeof out[0]);
    memset(fill, 0, 26 * sizeof fill[0]);
    for (size_t k = 0; k < 26; k++)
        for (size_t x = 0; before_by_last[k] && before_by_last[k][x].word; x++)
            out[k][before_by_last[k][x].len] |= (uint32_t)1 << x;
    for (size_t x = 0; fillers[x].word; x++)
        fill[(fillers[x].word[fillers[x].len - 1] - 'a') % 26] |= (uint32_t)1 << x;
}

static pw_ctx match_suffix(const before_words *b, uint64_t lengths)
{
    const before_word *last = &b->w[0];
    unsigned k = (unsigned char)((last->s[last->len - 1] | 0x20) - 'a') % 26;
    const uint32_t *by_len = pw_ctx_before_index[k];
    uint32_t cand = 0;
    for (uint64_t l = lengths & ((1ull << PW_CTX_INDEX_LEN) - 1); l; l &= l - 1)
        cand |= by_len[__builtin_ctzll(l)];
    for (; cand; cand &= cand - 1) {
        const ctx_word *c = &before_by_last[k][__builtin_ctz(cand)];
        if (equals_last_words(c, b, words_of_length(b, c->len)))
            return c->ctx;
    }
    return PW_CTX_NONE;
}

/* Drop the filler word ending b ("number", "is"); 0 when there is none. A filler never makes up
 * all the letters. */
static int drop_filler(before_words *b, uint64_t lengths)
{
    const before_word *last = &b->w[0];
    unsigned l = (unsigned char)((last->s[last->len - 1] | 0x20) - 'a') % 26;
    for (uint32_t cand = pw_ctx_filler_index[l]; cand; cand &= cand - 1) {
        const ctx_word *f = &fillers[__builtin_ctz(cand)];
        if (!(lengths >> f->len & 1) || f->len >= b->n)
            continue;
        size_t k = words_of_length(b, f->len);
        if (!equals_last_words(f, b, k))
            continue;
        for (size_t x = k; x < b->nw; x++)
            b->w[x - k] = b->w[x];
        b->nw -= k;
        b->full -= k;
        b->n -= f->len;
        return 1;
    }
    return 0;
}

static inline pw_ctx ctx_of_words(before_words *b)
{
    for (int round = 0; round < 3 && b->n > 0; round++) {
        uint64_t lengths = suffix_lengths(b);
        pw_ctx c = match_suffix(b, lengths);
        if (c != PW_CTX_NONE)
            return c;
        if (!drop_filler(b, lengths))
            break;
    }
    return PW_CTX_NONE;
}

/* The word w (lower case, ASCII) ends at s[j - 1], a whole word: j - strlen(w), else 0. */
static size_t word_ending_at(const char *s, size_t j, const char *w)
{
    size_t l = strlen(w);
    if (j < l || !word_eq(s + j - l, l, w))
        return 0;
    return j - l == 0 || !pw_isalpha((unsigned char)s[j - l - 1]) ? j - l : 0;
}

/* French "est le" / "c'est le" right before s[i] ("Mon portable est le 07 98 76 54 32",
 * "portable : c'est le 06 12 34 56 78"): where the words before them end, so the look-back reads
 * the phone word there; 0 when the value follows no "est le". Only after a last word "le": the
 * fillers' table keeps "est" and "le" out (two endings as common as English "first", "table"
 * would make the two-letter test of pw_ctx_before_may say "may" far more often). engine-recall3 */
static size_t french_est_le(const char *s, size_t i, const before_words *b)
{
    if (b->nw < 2 || b->w[0].len != 2 || b->w[1].len != 3)
        return 0;
    size_t j = i;
    while (j > 0 && (s[j - 1] == ' ' || s[j - 1] == ':'))
        j--;
    if (!(j = word_ending_at(s, j, "le")))
        return 0;
    while (j > 0 && s[j - 1] == ' ')
        j--;
    if (!(j = word_ending_at(s, j, "est")))
        return 0;
    if (j >= 2 && s[j - 1] == '\'' && (s[j - 2] | 32) == 'c' &&
        (j == 2 || !pw_isalpha((unsigned char)s[j - 3])))
        j -= 2; /* c'est */
    else if (j >= 4 && memcmp(s + j - 3, "\xe2\x80\x99", 3) == 0 && (s[j - 4] | 32) == 'c' &&
             (j == 4 || !pw_isalpha((unsigned char)s[j - 5])))
        j -= 4; /* c’est */
    return j;
}

/* pw_ctx_before; *wide set when the answer read bytes outside the look-back's window (French
 * "est le": the words before them are read from where they start). */
static pw_ctx ctx_before(const char *s, size_t i, int *wide)
{
    before_words b;
    *wide = 0;
    words_before(s, i, &b);
    pw_ctx c = ctx_of_words(&b);
    if (c != PW_CTX_NONE)
        return c;
    if (b.nw < 2 || b.w[0].len != 2 || b.w[1].len != 3)
        return PW_CTX_NONE; /* french_est_le's first test, inline */
    *wide = 1;
    size_t j = french_est_le(s, i, &b);
    if (!j)
        return PW_CTX_NONE;
    words_before(s, j, &b);
    return ctx_of_words(&b);
}

pw_ctx pw_ctx_before(const char *s, size_t i)
{
    int wide;
    return ctx_before(s, i, &wide);
}

/* The last two letters of the words before a value that may give a context of a set (see
 * pw_ctx_before_may): bit ('x' - 'a') of entry ('y' - 'a') when a table word of the set or a filler
 * ends in "xy". Written out (pw_ctx_pairs_ok checks them against the tables: unit test, which
 * prints them as they should read after a word change: pw_ctx_pairs_build). */
const uint32_t pw_ctx_pairs_phone[26] = {
    ['d' - 'a'] = 0x100,  ['e' - 'a'] = 0x23800, ['l' - 'a'] = 0x910,  ['m' - 'a'] = 0x100000,
    ['n' - 'a'] = 0x4000, ['o' - 'a'] = 0x82000, ['p' - 'a'] = 0x8000, ['r' - 'a'] = 0x2011,
    ['s' - 'a'] = 0x101,  ['t' - 'a'] = 0x1,     ['u' - 'a'] = 0x1,    ['y' - 'a'] = 0x8,
};
const uint32_t pw_ctx_pairs_id[26] = {
    ['a' - 'a'] = 0x80000, ['d' - 'a'] = 0x20100, ['e' - 'a'] = 0x80000, ['m' - 'a'] = 0x100000,
    ['n' - 'a'] = 0x24000, ['o' - 'a'] = 0x2000,  ['r' - 'a'] = 0x2010,  ['s' - 'a'] = 0x101,
    ['t' - 'a'] = 0x2005,  ['y' - 'a'] = 0x4,
};

/* Entry (last letter) of `pairs` for the table words whose context is in `want` and the fillers. */
static void pairs_of(uint32_t *pairs, uint64_t want)
{
    for (size_t k = 0; k < 26; k++)
        for (const ctx_word *w = before_by_last[k]; w && w->word; w++)
            if (want >> w->ctx & 1)
                pairs[k] |= (uint32_t)1 << (w->word[w->len - 2] - 'a');
    for (const ctx_word *f = fillers; f->word; f++)
        pairs[f->word[f->len - 1] - 'a'] |= (uint32_t)1 << (f->word[f->len - 2] - 'a');
}

/* The same for a ZIP code's context (context_pairs.h; pw_ctx_pairs_zip_ok checks it). */
const uint32_t pw_ctx_pairs_zip[26] = {
    ['d' - 'a'] = 0x100,  ['e' - 'a'] = 0x8,    ['l' - 'a'] = 0x1,   ['m' - 'a'] = 0x100000,
    ['n' - 'a'] = 0x4000, ['o' - 'a'] = 0x2000, ['p' - 'a'] = 0x100, ['r' - 'a'] = 0x2010,
    ['s' - 'a'] = 0x101,  ['t' - 'a'] = 0x1,
};

void pw_ctx_pairs_zip_build(uint32_t zip[26])
{
    memset(zip, 0, 26 * sizeof *zip);
    pairs_of(zip, PW_CTX_WANT_ZIP);
}

int pw_ctx_pairs_zip_ok(void)
{
    uint32_t zip[26];
    pw_ctx_pairs_zip_build(zip);
    return memcmp(zip, pw_ctx_pairs_zip, sizeof zip) == 0;
}

void pw_ctx_pairs_build(uint32_t phone[26], uint32_t id[26])
{
    memset(phone, 0, 26 * sizeof *phone);
    memset(id, 0, 26 * sizeof *id);
    pairs_of(phone, PW_CTX_WANT_PHONE);
    pairs_of(id, PW_CTX_WANT_ID);
}

int pw_ctx_pairs_ok(void)
{
    uint32_t phone[26], id[26];
    pw_ctx_pairs_build(phone, id);
    return memcmp(phone, pw_ctx_pairs_phone, sizeof phone) == 0 &&
           memcmp(id, pw_ctx_pairs_id, sizeof id) == 0;
}

void pw_ctx_index_build(uint32_t out[26][PW_CTX_INDEX_LEN], uint32_t fill[26])
{
    index_build(out, fill);
}

int pw_ctx_index_ok(void)
{
    uint32_t t[26][PW_CTX_INDEX_LEN], f[26];
    index_build(t, f);
    for (size_t k = 0; k < 26; k++)
        for (size_t x = 0; before_by_last[k] && before_by_last[k][x].word; x++)
            if (x >= 32 || before_by_last[k][x].len >= PW_CTX_INDEX_LEN)
                return 0;
    return memcmp(t, pw_ctx_before_index, sizeof t) == 0 &&
           memcmp(f, pw_ctx_filler_index, sizeof f) == 0;
}

int pw_ctx_before_may(const pw_seg *g, size_t i, const uint32_t *pairs, uint64_t want)
{
    return pw_ctx_before_may_inline(g, i, pairs, want);
}

size_t pw_ctx_label_line_before(const char *s, size_t limit, size_t j, size_t i)
{
    return label_line_before(s, limit, j, i);
}

/* The bytes s[0..n) (n < 8) as one number, the same for the same bytes and n: two overlapping
 * 4-byte loads from 4 bytes on, which cover every byte (engine-text9: no byte loop for the
 * short look-backs, "SSN ", "DEA ", "NPI "). */
static inline uint64_t short_text(const char *s, size_t n)
{
    if (n >= 4) {
        uint32_t lo, hi;
        memcpy(&lo, s, 4);
        memcpy(&hi, s + n - 4, 4);
        return (uint64_t)hi << 32 | lo;
    }
    uint64_t x = 0;
    for (size_t k = 0; k < n; k++)
        x = x << 8 | (unsigned char)s[k];
    return x;
}

/* The hash of the look-back's text s[0..n) (n <= PW_CTX_CACHE_LEN). */
static uint32_t text_hash(const char *s, size_t n)
{
    uint64_t h = (uint64_t)n * 0x9E3779B97F4A7C15ull, x;
    size_t k = 0;
    if (n >= 8) {
        for (; k + 8 <= n; k += 8) {
            memcpy(&x, s + k, 8);
            h = (h ^ x) * 0xff51afd7ed558ccdull;
        }
        if (k < n) { /* the last 8 bytes, overlapping the chunk before */
            memcpy(&x, s + n - 8, 8);
            h = (h ^ x) * 0xff51afd7ed558ccdull;
        }
    } else {
        h = (h ^ short_text(s, n)) * 0xff51afd7ed558ccdull;
    }
    return (uint32_t)(h >> 32);
}

/* a[0..n) == b[0..n) (n <= PW_CTX_CACHE_LEN). */
static int text_eq(const char *a, const char *b, size_t n)
{
    uint64_t x, y;
    if (n < 8)
        return short_text(a, n) == short_text(b, n);
    for (size_t k = 0; k + 8 <= n; k += 8) {
        memcpy(&x, a + k, 8);
        memcpy(&y, b + k, 8);
        if (x != y)
            return 0;
    }
    memcpy(&x, a + n - 8, 8);
    memcpy(&y, b + n - 8, 8);
    return x == y;
}

/* pw_ctx_before through the scratch's cache (context_cache.h). The look-back reads only
 * s[from..i): from is after the last digit before i (a digit ends the walk: words_before, the
 * label line before a value, the accented letters — none reads past it) and at most 48 bytes
 * back (the window's limit, which no part of the walk reads below either). Only the French
 * "est le" reads further (ctx_before's *wide): that answer is not stored. engine-text7 */
static pw_ctx ctx_before_cached(pw_ctx_cache *cache, const pw_seg *g, size_t i)
{
    const char *s = g->s;
    const pw_seg_masks *m = g->sum ? g->sum->masks : NULL;
    size_t limit = i > PW_CTX_CACHE_LEN ? i - PW_CTX_CACHE_LEN : 0, from = i;
    if (m && m->words == 1) { /* i <= n <= 64: the last digit before i from the digit mask */
        uint64_t d = pw_mask(m, PW_MK_DIGIT, 0) & (i < 64 ? ((uint64_t)1 << i) - 1 : ~(uint64_t)0);
        from = d ? 64 - (size_t)__builtin_clzll(d) : 0;
        if (from < limit)
            from = limit;
    } else if (m) { /* the last digit in [limit, i): i - limit <= 48 bits from limit */
        uint64_t d = pw_mask_at(m, PW_MK_DIGIT, limit) & (((uint64_t)1 << (i - limit)) - 1);
        from = d ? limit + 64 - (size_t)__builtin_clzll(d) : limit;
    } else {
        while (from > limit && !(pw_char_class[(unsigned char)s[from - 1]] & PW_CC_DIGIT))
            from--;
    }
    size_t n = i - from;
    if (n == 0)
        return PW_CTX_NONE; /* no letter before the value: pw_ctx_before finds no word */
    uint32_t h = text_hash(s + from, n);
    pw_ctx_cache_entry *e = &cache->e[h % PW_CTX_CACHE_SLOTS];
    if (e->len == n && e->hash == h && text_eq(e->text, s + from, n))
        return (pw_ctx)e->ctx;
    int wide;
    pw_ctx c = ctx_before(s, i, &wide);
    if (!wide) {
        e->hash = h;
        e->len = (unsigned char)n;
        e->ctx = (unsigned char)c;
        memcpy(e->text, s + from, n);
    }
    return c;
}

pw_ctx pw_ctx_before_seg(const pw_seg *g, size_t i)
{
    if (!g->memo)
        return pw_ctx_before(g->s, i);
    pw_ctx_memo *m = &g->memo[i % PW_CTX_MEMO_SLOTS];
    if (m->at == g->s + i && m->seg == g->s)
        return m->ctx;
    pw_ctx c = g->ctx_cache ? ctx_before_cached(g->ctx_cache, g, i) : pw_ctx_before(g->s, i);
    *m = (pw_ctx_memo){g->s, g->s + i, c};
    return c;
}

pw_ctx pw_ctx_at(const pw_seg *g, size_t i)
{
    pw_ctx c = pw_ctx_before_seg(g, i);
    if (c != PW_CTX_NONE)
        return c;
    return g->ctx;
}

char *pw_lower_ascii_dup(pw_arena *a, const char *s, size_t n)
{
    char *o = pw_arena_strndup(a, s, n);
    if (o)
        for (size_t i = 0; i < n; i++)
            o[i] = (char)pw_tolower((unsigned char)o[i]);
    return o;
}
