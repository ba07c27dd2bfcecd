/*
 * context.c — context for identifiers: what a field name says its value is ("ud[em]" is an
 * email, "patient_id" a record number, "ts" a timestamp) and what the words just before a value
 * say ("DOB: 03/14/1985", "MRN #", "Call us at"). Names and words are compared in a compact form:
 * lower-case letters and digits only.
 */
#include <string.h>

#include "detect/internal.h"

typedef struct ctx_word {
    const char *word; /* compact form */
    pw_ctx ctx;
} ctx_word;

/* Field names, compared exactly after compaction. */
static const ctx_word key_exact[] = {{"em", PW_CTX_EMAIL},
                                     {"email", PW_CTX_EMAIL},
                                     {"mail", PW_CTX_EMAIL},
                                     {"uhem", PW_CTX_EMAIL},
                                     {"ph", PW_CTX_PHONE},
                                     {"phone", PW_CTX_PHONE},
                                     {"tel", PW_CTX_PHONE},
                                     {"telephone", PW_CTX_PHONE},
                                     {"mobile", PW_CTX_PHONE},
                                     {"cell", PW_CTX_PHONE},
                                     {"uhpn", PW_CTX_PHONE},
                                     {"fax", PW_CTX_FAX},
                                     {"ssn", PW_CTX_SSN},
                                     {"db", PW_CTX_DOB},
                                     {"dob", PW_CTX_DOB},
                                     {"bday", PW_CTX_DOB},
                                     {"birthday", PW_CTX_DOB},
                                     {"appt", PW_CTX_APPT},
                                     {"date", PW_CTX_DATE},
                                     {"zp", PW_CTX_ZIP},
                                     {"zip", PW_CTX_ZIP},
                                     {"postcode", PW_CTX_ZIP},
                                     {"addr", PW_CTX_ADDRESS},
                                     {"address1", PW_CTX_ADDRESS},
                                     {"address2", PW_CTX_ADDRESS},
                                     {"street", PW_CTX_ADDRESS},
                                     {"fn", PW_CTX_FIRST_NAME},
                                     {"fname", PW_CTX_FIRST_NAME},
                                     {"first", PW_CTX_FIRST_NAME},
                                     {"ln", PW_CTX_LAST_NAME},
                                     {"lname", PW_CTX_LAST_NAME},
                                     {"last", PW_CTX_LAST_NAME},
                                     {"surname", PW_CTX_LAST_NAME},
                                     {"name", PW_CTX_NAME},
                                     {"yourname", PW_CTX_NAME},
                                     {"provider", PW_CTX_PROVIDER},
                                     {"doctor", PW_CTX_PROVIDER},
                                     {"physician", PW_CTX_PROVIDER},
                                     {"mrn", PW_CTX_MRN},
                                     {"chart", PW_CTX_MRN},
                                     {"member", PW_CTX_MEMBER},
                                     {"members", PW_CTX_MEMBER},
                                     {"acct", PW_CTX_ACCOUNT},
                                     {"account", PW_CTX_ACCOUNT},
                                     {"accounts", PW_CTX_ACCOUNT},
                                     {"policy", PW_CTX_POLICY},
                                     {"patient", PW_CTX_PATIENT_ID},
                                     {"patients", PW_CTX_PATIENT_ID},
                                     {"ptid", PW_CTX_PATIENT_ID},
                                     {"record", PW_CTX_PATIENT_ID},
                                     {"records", PW_CTX_PATIENT_ID},
                                     {"charts", PW_CTX_PATIENT_ID},
                                     {"npi", PW_CTX_NPI},
                                     {"dea", PW_CTX_DEA},
                                     {"mbi", PW_CTX_MBI},
                                     {"ip", PW_CTX_IP},
                                     {"ipaddress", PW_CTX_IP},
                                     {"clientip", PW_CTX_IP},
                                     {"clientipaddress", PW_CTX_IP},
                                     {"ge", PW_CTX_GENDER},
                                     {"gender", PW_CTX_GENDER},
                                     {"sex", PW_CTX_GENDER},
                                     {"q", PW_CTX_SEARCH},
                                     {"s", PW_CTX_SEARCH},
                                     {"query", PW_CTX_SEARCH},
                                     {"search", PW_CTX_SEARCH},
                                     {"term", PW_CTX_SEARCH},
                                     {"keyword", PW_CTX_SEARCH},
                                     {"keywords", PW_CTX_SEARCH},
                                     {"searchterm", PW_CTX_SEARCH},
                                     {"searchquery", PW_CTX_SEARCH},
                                     {"kw", PW_CTX_SEARCH},
                                     {"ts", PW_CTX_TIME},
                                     {"time", PW_CTX_TIME},
                                     {"cb", PW_CTX_TIME},
                                     {"rnd", PW_CTX_TIME},
                                     {"random", PW_CTX_TIME},
                                     {"it", PW_CTX_TIME},
                                     {"z", PW_CTX_TIME},
                                     {"v", PW_CTX_TIME},
                                     {"ver", PW_CTX_TIME},
                                     {"version", PW_CTX_TIME},
                                     {"sw", PW_CTX_TIME},
                                     {"sh", PW_CTX_TIME},
                                     {"sr", PW_CTX_TIME},
                                     {"vp", PW_CTX_TIME},
                                     {"id", PW_CTX_NEGATIVE},
                                     {"tid", PW_CTX_NEGATIVE},
                                     {"cid", PW_CTX_NEGATIVE},
                                     {"eid", PW_CTX_NEGATIVE},
                                     {"fbp", PW_CTX_NEGATIVE},
                                     {"fbc", PW_CTX_NEGATIVE},
                                     {"gclid", PW_CTX_NEGATIVE},
                                     {"fbclid", PW_CTX_NEGATIVE},
                                     {"pid", PW_CTX_NEGATIVE},
                                     {"sku", PW_CTX_NEGATIVE},
                                     {NULL, PW_CTX_NONE}};

/* Field names containing these (checked in order, after the exact table). */
static const ctx_word key_contains[] = {{"ipaddress", PW_CTX_IP},
                                        {"email", PW_CTX_EMAIL},
                                        {"phone", PW_CTX_PHONE},
                                        {"fax", PW_CTX_FAX},
                                        {"socialsecurity", PW_CTX_SSN},
                                        {"ssn", PW_CTX_SSN},
                                        {"birth", PW_CTX_DOB},
                                        {"appointment", PW_CTX_APPT},
                                        {"apptdate", PW_CTX_APPT},
                                        {"visitdate", PW_CTX_APPT},
                                        {"timestamp", PW_CTX_TIME},
                                        {"zip", PW_CTX_ZIP},
                                        {"postal", PW_CTX_ZIP},
                                        {"address", PW_CTX_ADDRESS},
                                        {"street", PW_CTX_ADDRESS},
                                        {"firstname", PW_CTX_FIRST_NAME},
                                        {"givenname", PW_CTX_FIRST_NAME},
                                        {"lastname", PW_CTX_LAST_NAME},
                                        {"familyname", PW_CTX_LAST_NAME},
                                        {"patientname", PW_CTX_NAME},
                                        {"fullname", PW_CTX_NAME},
                                        {"contactname", PW_CTX_NAME},
                                        {"providername", PW_CTX_PROVIDER},
                                        {"doctorname", PW_CTX_PROVIDER},
                                        {"medicalrecord", PW_CTX_MRN},
                                        {"mrn", PW_CTX_MRN},
                                        {"memberid", PW_CTX_MEMBER},
                                        {"membernumber", PW_CTX_MEMBER},
                                        {"subscriber", PW_CTX_MEMBER},
                                        {"insuranceid", PW_CTX_MEMBER},
                                        {"policy", PW_CTX_POLICY},
                                        {"patientid", PW_CTX_PATIENT_ID},
                                        {"account", PW_CTX_ACCOUNT},
                                        {"medicare", PW_CTX_MBI},
                                        {"npi", PW_CTX_NPI},
                                        {"searchterm", PW_CTX_SEARCH},
                                        {"order", PW_CTX_NEGATIVE},
                                        {"invoice", PW_CTX_NEGATIVE},
                                        {"tracking", PW_CTX_NEGATIVE},
                                        {"confirmation", PW_CTX_NEGATIVE},
                                        {"transaction", PW_CTX_NEGATIVE},
                                        {NULL, PW_CTX_NONE}};

/* Words before a value (compact, matched as the end of the preceding words). */
static const ctx_word before_words[] = {{"dateofbirth", PW_CTX_DOB},
                                        {"birthdate", PW_CTX_DOB},
                                        {"birthday", PW_CTX_DOB},
                                        {"dob", PW_CTX_DOB},
                                        {"born", PW_CTX_DOB},
                                        {"bornon", PW_CTX_DOB},
                                        {"appointment", PW_CTX_APPT},
                                        {"appointmenton", PW_CTX_APPT},
                                        {"appt", PW_CTX_APPT},
                                        {"scheduledfor", PW_CTX_APPT},
                                        {"visiton", PW_CTX_APPT},
                                        {"faxnumber", PW_CTX_FAX},
                                        {"fax", PW_CTX_FAX},
                                        {"callus", PW_CTX_ORG_PHONE},
                                        {"callusat", PW_CTX_ORG_PHONE},
                                        {"contactus", PW_CTX_ORG_PHONE},
                                        {"contactusat", PW_CTX_ORG_PHONE},
                                        {"tollfree", PW_CTX_ORG_PHONE},
                                        {"hotline", PW_CTX_ORG_PHONE},
                                        {"helpline", PW_CTX_ORG_PHONE},
                                        {"mainline", PW_CTX_ORG_PHONE},
                                        {"switchboard", PW_CTX_ORG_PHONE},
                                        {"tty", PW_CTX_ORG_PHONE},
                                        {"phonenumber", PW_CTX_PHONE},
                                        {"callme", PW_CTX_PHONE},
                                        {"callmeat", PW_CTX_PHONE},
                                        {"callmeon", PW_CTX_PHONE},
                                        {"reachmeat", PW_CTX_PHONE},
                                        {"textme", PW_CTX_PHONE},
                                        {"textmeat", PW_CTX_PHONE},
                                        {"answeringat", PW_CTX_PHONE},
                                        {"messagesto", PW_CTX_PHONE},
                                        {"date", PW_CTX_DATE},
                                        {"when", PW_CTX_DATE},
                                        {"phone", PW_CTX_PHONE},
                                        {"telephone", PW_CTX_PHONE},
                                        {"tel", PW_CTX_PHONE},
                                        {"mobile", PW_CTX_PHONE},
                                        {"cell", PW_CTX_PHONE},
                                        {"socialsecuritynumber", PW_CTX_SSN},
                                        {"socialsecurity", PW_CTX_SSN},
                                        {"ssn", PW_CTX_SSN},
                                        {"zipcode", PW_CTX_ZIP},
                                        {"zip", PW_CTX_ZIP},
                                        {"postalcode", PW_CTX_ZIP},
                                        {"medicalrecordnumber", PW_CTX_MRN},
                                        {"medicalrecord", PW_CTX_MRN},
                                        {"recordnumber", PW_CTX_MRN},
                                        {"mrn", PW_CTX_MRN},
                                        {"chartnumber", PW_CTX_MRN},
                                        {"patientid", PW_CTX_MRN},
                                        {"patientnumber", PW_CTX_MRN},
                                        {"memberid", PW_CTX_MEMBER},
                                        {"membernumber", PW_CTX_MEMBER},
                                        {"member", PW_CTX_MEMBER},
                                        {"subscriberid", PW_CTX_MEMBER},
                                        {"insuranceid", PW_CTX_MEMBER},
                                        {"groupnumber", PW_CTX_POLICY},
                                        {"accountnumber", PW_CTX_ACCOUNT},
                                        {"account", PW_CTX_ACCOUNT},
                                        {"acct", PW_CTX_ACCOUNT},
                                        {"policynumber", PW_CTX_POLICY},
                                        {"policy", PW_CTX_POLICY},
                                        {"npi", PW_CTX_NPI},
                                        {"dea", PW_CTX_DEA},
                                        {"medicareid", PW_CTX_MBI},
                                        {"medicarenumber", PW_CTX_MBI},
                                        {"mbi", PW_CTX_MBI},
                                        {"ipaddress", PW_CTX_IP},
                                        {"ip", PW_CTX_IP},
                                        {"ordernumber", PW_CTX_NEGATIVE},
                                        {"order", PW_CTX_NEGATIVE},
                                        {"invoice", PW_CTX_NEGATIVE},
                                        {"trackingnumber", PW_CTX_NEGATIVE},
                                        {"tracking", PW_CTX_NEGATIVE},
                                        {"confirmation", PW_CTX_NEGATIVE},
                                        {"confirmationnumber", PW_CTX_NEGATIVE},
                                        {"reference", PW_CTX_NEGATIVE},
                                        {"ref", PW_CTX_NEGATIVE},
                                        {"sku", PW_CTX_NEGATIVE},
                                        {"serial", PW_CTX_NEGATIVE},
                                        {"serialnumber", PW_CTX_NEGATIVE},
                                        {"model", PW_CTX_NEGATIVE},
                                        {"part", PW_CTX_NEGATIVE},
                                        {"version", PW_CTX_NEGATIVE},
                                        {"build", PW_CTX_NEGATIVE},
                                        {"release", PW_CTX_NEGATIVE},
                                        {"timestamp", PW_CTX_TIME},
                                        {NULL, PW_CTX_NONE}};

/* Words that may sit between the context word and the value ("phone number is"). */
static const char *const fillers[] = {"is", "was", "number", "no", "num",
                                      "nr", "at",  "on",     "id", NULL};

/* The field name's last bracketed or dotted component, compacted: "ud[em]" -> "em". */
static size_t compact_key(const char *key, size_t n, char *out, size_t cap)
{
    size_t b = 0, e = n;
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
    return o;
}

pw_ctx pw_ctx_from_key(const char *key, size_t n)
{
    char k[64];
    if (compact_key(key, n, k, sizeof k) == 0)
        return PW_CTX_NONE;
    for (const ctx_word *w = key_exact; w->word; w++)
        if (strcmp(k, w->word) == 0)
            return w->ctx;
    for (const ctx_word *w = key_contains; w->word; w++)
        if (strstr(k, w->word))
            return w->ctx;
    return PW_CTX_NONE;
}

/* Compact the up to three words before s[i] (stopping at a digit or a line break). Writes the
 * letters in order and, for each, whether it starts a word. */
static size_t words_before(const char *s, size_t i, char *out, unsigned char *word_start,
                           size_t cap)
{
    char rev[40];
    unsigned char rev_ws[40];
    size_t o = 0, words = 0;
    size_t j = i, limit = i > 48 ? i - 48 : 0;
    while (j > limit && o < sizeof rev) {
        int c = (unsigned char)s[j - 1];
        if (pw_isdigit(c) || c == '\n')
            break;
        if (!pw_isalpha(c)) {
            j--;
            continue;
        }
        size_t w_end = j;
        while (j > limit && pw_isalpha((unsigned char)s[j - 1]))
            j--;
        for (size_t k = w_end; k > j && o < sizeof rev; k--) {
            rev[o] = (char)pw_tolower((unsigned char)s[k - 1]);
            rev_ws[o++] = (k - 1 == j);
        }
        if (++words == 3)
            break;
    }
    size_t n = o < cap ? o : cap;
    for (size_t k = 0; k < n; k++) {
        out[k] = rev[o - 1 - k];
        word_start[k] = rev_ws[o - 1 - k];
    }
    return n;
}

static pw_ctx match_suffix(const char *w, const unsigned char *ws, size_t n)
{
    for (const ctx_word *c = before_words; c->word; c++) {
        size_t l = strlen(c->word);
        if (l <= n && ws[n - l] && memcmp(w + n - l, c->word, l) == 0)
            return c->ctx;
    }
    return PW_CTX_NONE;
}

pw_ctx pw_ctx_before(const char *s, size_t i)
{
    char w[40];
    unsigned char ws[40];
    size_t n = words_before(s, i, w, ws, sizeof w);
    for (int round = 0; round < 3 && n > 0; round++) {
        pw_ctx c = match_suffix(w, ws, n);
        if (c != PW_CTX_NONE)
            return c;
        size_t cut = 0;
        for (const char *const *f = fillers; *f; f++) {
            size_t l = strlen(*f);
            if (l < n && ws[n - l] && memcmp(w + n - l, *f, l) == 0) {
                cut = l;
                break;
            }
        }
        if (!cut)
            break;
        n -= cut;
    }
    return PW_CTX_NONE;
}

pw_ctx pw_ctx_at(const pw_seg *g, size_t i)
{
    pw_ctx c = pw_ctx_before(g->s, i);
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
