/*
 * detect.h — the PHI engine shared by the scanner and the gateway.
 *
 * A pw_detector is compiled once (health vocabulary, identifier patterns) and is read-only and
 * thread-safe afterwards. Each thread scans with its own pw_detect_scratch. Hits carry byte spans
 * into the caller's original string, so reports can highlight and redaction can replace exactly.
 */
#ifndef PHIWALL_DETECT_H
#define PHIWALL_DETECT_H

#include <stddef.h>

#include "phiwall/arena.h"
#include "phiwall/buf.h"
#include "phiwall/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum pw_phi_category {
    PW_PHI_EMAIL = 0,
    PW_PHI_PHONE, /* subtype "phone" or "fax" */
    PW_PHI_SSN,
    PW_PHI_DATE, /* subtype "dob", "appointment", "date" */
    PW_PHI_ZIP,
    PW_PHI_ADDRESS,
    PW_PHI_IP,
    PW_PHI_RECORD_ID, /* subtype "mrn", "member", "account", "policy", "url-id" */
    PW_PHI_NPI,
    PW_PHI_DEA,
    PW_PHI_MBI,
    PW_PHI_CARD,
    PW_PHI_NAME,        /* subtype "patient" or "provider" */
    PW_PHI_CANARY,      /* a caller-supplied value; subtype = encoding ("plain", "sha256"…) */
    PW_PHI_HEALTH,      /* subtype = vocabulary category: condition, symptom, procedure, … */
    PW_PHI_CARE_INTENT, /* subtype: scheduling, find-a-doctor, portal, bill-pay, refill, … */
    PW_PHI__COUNT
} pw_phi_category;

const char *pw_phi_category_name(pw_phi_category c); /* "email", "health", … */
/* 1 for identifiers (everything but HEALTH and CARE_INTENT). */
int pw_phi_is_identifier(pw_phi_category c);

typedef enum pw_reason {
    PW_REASON_PATTERN = 0, /* shape alone */
    PW_REASON_CHECKSUM,    /* shape + check digit (Luhn, NPI, DEA) */
    PW_REASON_CONTEXT,     /* shape + a context word or key name */
    PW_REASON_VOCABULARY,  /* health vocabulary entry */
    PW_REASON_CANARY       /* caller-supplied value */
} pw_reason;

const char *pw_reason_name(pw_reason r);

/* What kind of string is being scanned: changes decoding layers and context rules. */
typedef enum pw_field_type {
    PW_FT_TEXT = 0,   /* free text: titles, button text */
    PW_FT_URL,        /* a URL: path slugs and query parameters are decoded and scanned */
    PW_FT_FORM_NAME,  /* a form field's name/id/placeholder */
    PW_FT_FORM_VALUE, /* a value typed into a form */
    PW_FT_JSON_VALUE  /* a string value inside JSON */
} pw_field_type;

typedef enum pw_sensitivity {
    PW_SENS_NORMAL = 0,
    PW_SENS_HIGH /* reproductive, sexual, mental/behavioral, substance use, HIV/STI,
                    genetic, oncology */
} pw_sensitivity;

typedef struct pw_hit {
    pw_phi_category category;
    const char *subtype;    /* static string */
    size_t start, end;      /* byte span in the scanned string, end exclusive */
    const char *normalized; /* normalised value (arena) e.g. "5551234567", "breast cancer" */
    float confidence;       /* 0..1 */
    pw_reason reason;
    const char *reason_detail; /* the pattern name, context word or vocabulary term (arena) */
    pw_sensitivity sensitivity;
} pw_hit;

/* Caller-supplied values to find in any encoding (scanner canaries, a visitor's own data). */
typedef enum pw_canary_kind {
    PW_CANARY_TEXT = 0,
    PW_CANARY_NAME,
    PW_CANARY_EMAIL,
    PW_CANARY_PHONE,
    PW_CANARY_DATE,
    PW_CANARY_ZIP,
    PW_CANARY_GENDER,
    PW_CANARY_ADDRESS,
    PW_CANARY_ID
} pw_canary_kind;

typedef struct pw_canary {
    const char *label; /* "email", "first name", … shown in findings */
    const char *value; /* as typed */
    pw_canary_kind kind;
} pw_canary;

typedef struct pw_detector pw_detector;
typedef struct pw_detect_scratch pw_detect_scratch;

typedef struct pw_detector_opts {
    const char *vocab_file;    /* extra vocabulary (--vocab), or NULL */
    const pw_canary *canaries; /* values to find in every encoding, or NULL */
    size_t n_canaries;
} pw_detector_opts;

pw_status pw_detector_new(const pw_detector_opts *opts, pw_detector **out, pw_err *err);
void pw_detector_free(pw_detector *d);
size_t pw_detector_vocab_size(const pw_detector *d);

/* One scratch per thread. */
pw_status pw_detect_scratch_new(const pw_detector *d, pw_detect_scratch **out, pw_err *err);
void pw_detect_scratch_free(pw_detect_scratch *s);

/*
 * Scan s[0..n) as a field of the given type. `key` (may be NULL) is the field's name ("dl",
 * "cd[buttonText]", "email") and gives context ("fn=" means a first name). Hits are allocated in
 * `a`, sorted by start, overlaps resolved to the most specific hit. A scan keeps at most
 * PW_DETECT_MAX_HITS hits: a caller that must not pass PHI on treats a string that reaches it as
 * holding more past the last hit.
 */
#define PW_DETECT_MAX_HITS 4096

pw_status pw_detect_scan(const pw_detector *d, pw_detect_scratch *s, pw_arena *a, const char *key,
                         const char *str, size_t n, pw_field_type type, pw_hit **hits,
                         size_t *n_hits, pw_err *err);

/*
 * What the member keys of a JSON object say the object is about. A bare "name" member is a
 * person's in a contact record and a product's beside "price", "sku", "quantity", "item_id",
 * "content_type"… (docs/detect.md, "Names under a name key"); members a lead or a contact form
 * has as well (event, value, currency, category, label, type) leave it unknown. A walker that
 * sees the whole object passes its kind with each string member it scans.
 */
typedef enum pw_detect_object {
    PW_OBJECT_UNKNOWN = 0, /* not known (a lone field): the key decides, as pw_detect_scan does */
    PW_OBJECT_THING,       /* a member names a thing and none a person's record */
    PW_OBJECT_PERSON       /* a member is a person's (email, phone, dob, zip, mrn…) */
} pw_detect_object;

/* The kind of an object from its member keys (the object's own, not nested ones). */
pw_detect_object pw_detect_object_kind(const char *const *keys, size_t n_keys);

/* 1 when the kind of its object can change what pw_detect_scan_member finds under this key (its
 * last component is "name": "name", "data.name", "contact[name]"), else 0 (NULL: 0). A walker
 * whose object has no such member need not compute the object's kind: every kind gives the
 * same hits. */
int pw_detect_key_reads_object(const char *key);

/* pw_detect_scan for a member of an object of the given kind: a top-level "name" member of a
 * PW_OBJECT_THING is no name key ({"name":"Knee Brace","price":"25.00"}); a "name" member of a
 * PW_OBJECT_PERSON is a person's name whatever its parent ({"data":{"name":…,"email":…}}: the
 * key "data.name" alone says nothing); PW_OBJECT_UNKNOWN leaves the key's rule as it is. */
pw_status pw_detect_scan_member(const pw_detector *d, pw_detect_scratch *s, pw_arena *a,
                                const char *key, pw_detect_object object, const char *str, size_t n,
                                pw_field_type type, pw_hit **hits, size_t *n_hits, pw_err *err);

/* One field of an event for pw_detect_scan_event: the inputs of pw_detect_scan_member, and its
 * output. */
typedef struct pw_detect_field {
    const char *key; /* field name, or NULL */
    const char *str;
    size_t n;
    pw_field_type type;
    /* the kind of the JSON object the field is a member of (pw_detect_object_kind of its
     * members' keys), PW_OBJECT_UNKNOWN (0) for a field outside one or when the caller does not
     * know: then the field is scanned as pw_detect_scan scans it */
    pw_detect_object object;
    pw_hit *hits; /* out: what pw_detect_scan_member gives this field (arena), NULL when none */
    size_t n_hits;
} pw_detect_field;

/*
 * Scan all fields of one event in one call: every field gets exactly the hits
 * pw_detect_scan_member (pw_detect_scan when its object is PW_OBJECT_UNKNOWN) would give it, for
 * at most what separate calls cost (the context memo is cleared once per event;
 * docs/detect-event.md). On an error the fields before the failing one keep their hits; err names
 * the failing field's index and key.
 */
pw_status pw_detect_scan_event(const pw_detector *d, pw_detect_scratch *s, pw_arena *a,
                               pw_detect_field *fields, size_t n_fields, pw_err *err);

/* Redact: a copy of str with each hit replaced by "[EMAIL]", "[CONDITION]"…; URL mode keeps
 * scheme, host and path shape. The result is appended to out. A field holding more hits than one
 * scan keeps (4,096) is redacted piece by piece, cut at separators, as text; PW_ERR_LIMIT (and
 * nothing appended) when a piece without a separator still holds too many. */
pw_status pw_redact(const pw_detector *d, pw_detect_scratch *s, pw_arena *a, const char *key,
                    const char *str, size_t n, pw_field_type type, pw_buf *out, pw_err *err);
/* pw_redact for a member of an object of the given kind (pw_detect_scan_member). */
pw_status pw_redact_member(const pw_detector *d, pw_detect_scratch *s, pw_arena *a, const char *key,
                           pw_detect_object object, const char *str, size_t n, pw_field_type type,
                           pw_buf *out, pw_err *err);

/* 1 if url[0..n) is a general hospital page's (careers, news, giving…: docs/detect.md "General
 * hospital pages"), whose query and later path slugs the engine scans without the vocabulary (a
 * job search's keyword=oncology). *slug (may be NULL) gets 0 when the host decides
 * (careers.example.org, a job board), else the 1-based position of the path slug that is a page
 * word ("/careers/search" gives 1). */
int pw_detect_general_page(const char *url, size_t n, size_t *slug);

/*
 * s with each word written only in ASCII letters and digits and letters drawn like Latin ones —
 * Greek, Cyrillic, Armenian, Cherokee ("НІѴ", "ΗΙV", "cаncer") — rewritten in those Latin
 * letters ("HIV", "cancer"), NUL-terminated in the arena; NULL when no word is (*out_n = 0) or out
 * of memory (*out_n = SIZE_MAX). A word with any other non-ASCII letter or sign is left as
 * written: real Russian or Greek text is not turned into Latin. The table is the one the engine's
 * own folding reads (docs/detect.md, "Folding"), which folds such a word only beside a Latin
 * letter or when it is a whole vocabulary term; this view folds every such word, for a caller
 * that only scans the result again (the gateway's guard).
 */
char *pw_detect_fold_lookalikes(pw_arena *a, const char *s, size_t n, size_t *out_n);

#ifdef __cplusplus
}
#endif
#endif
