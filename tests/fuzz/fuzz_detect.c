/*
 * fuzz_detect.c — the PHI engine on arbitrary input: scan and redact must not crash, every span
 * lies inside the input and hits are sorted, and no hit's text is left in the redacted copy
 * (it occurs there no more often than it occurred outside every hit). The first byte picks the
 * field type and whether a key is given. The input split at newlines is also scanned as one
 * event (pw_detect_scan_event), which must give every line exactly its pw_detect_scan hits
 * (every member equal), each span inside its own line. A name hit is a whole name: it never
 * starts or ends inside a word (next to an ASCII letter, inside a UTF-8 sequence, or next to a
 * Latin letter outside ASCII), so its redaction leaves no part of the name in clear. The lines as
 * an object's member keys: "name" scanned as a member of that object (pw_detect_scan_member)
 * gives what "product.name" gives when the keys say a thing, else what "name" gives.
 */
#include <string.h>

#include "phiwall/detect.h"
#include "pw_fuzz.h"

static const pw_canary canaries[] = {{"email", "jane.doe@example.com", PW_CANARY_EMAIL},
                                     {"phone", "617-555-0123", PW_CANARY_PHONE},
                                     {"dob", "1985-03-14", PW_CANARY_DATE}};
static const char *const keys[] = {NULL, "q", "fn", "email", "ph", "patient_id", "dl", "zp"};

/* How often t (tl bytes) occurs in hay, overlapping occurrences included; with cov (cov[i] = the
 * bytes of hay[0..i) inside some hit), only the occurrences that touch no hit. memmem jumps from
 * one occurrence to the next, so a text is counted in one pass over hay. */
static size_t count_in(const char *hay, size_t n, const char *t, size_t tl, const size_t *cov)
{
    size_t c = 0;
    for (size_t i = 0; i + tl <= n;) {
        const char *p = memmem(hay + i, n - i, t, tl);
        if (!p)
            break;
        i = (size_t)(p - hay);
        c += !cov || cov[i + tl] == cov[i];
        i++;
    }
    return c;
}

/* The output with each "[TAG]" blanked, so tags never count as left-behind text. */
static char *blank_tags(const char *out, size_t on)
{
    char *c = malloc(on + 1);
    FUZZ_ASSERT(c != NULL);
    memcpy(c, out, on);
    for (size_t i = 0; i < on; i++) {
        if (c[i] != '[')
            continue;
        size_t j = i + 1;
        while (j < on && ((c[j] >= 'A' && c[j] <= 'Z') || c[j] == '-'))
            j++;
        if (j < on && c[j] == ']' && j > i + 1)
            memset(c + i, 0, j - i + 1);
    }
    return c;
}

/* Hits ordered by their text in the input base (length, then bytes): equal texts side by side. */
static int by_text(const void *x, const void *y, void *base)
{
    const pw_hit *a = *(pw_hit *const *)x, *b = *(pw_hit *const *)y;
    size_t la = a->end - a->start, lb = b->end - b->start;
    if (la != lb)
        return la < lb ? -1 : 1;
    return memcmp((const char *)base + a->start, (const char *)base + b->start, la);
}

/* Each hit's text occurs in the output no more often than it occurred outside any hit. Each
 * distinct text is counted once, and "outside any hit" is read from a prefix count of the bytes
 * the hits cover: comparing every occurrence with every hit, for every hit, was cubic in the
 * hits (a 4 KiB input of one repeated e-mail, ~600 hits, cost ~2*10^8 steps: most of the
 * fuzzer's time went here, not into the engine). */
static int text_redacted(const char *in, size_t n, const pw_hit *h, size_t nh, const char *out,
                         size_t on)
{
    char *blanked = blank_tags(out, on);
    size_t *cov = calloc(n + 2, sizeof *cov);
    const pw_hit **order = malloc((nh ? nh : 1) * sizeof *order);
    FUZZ_ASSERT(cov != NULL && order != NULL);
    for (size_t k = 0; k < nh; k++) { /* difference array of the covered bytes */
        cov[h[k].start + 1]++;
        cov[h[k].end + 1]--;
        order[k] = &h[k];
    }
    /* cov[i + 1] holds the change of the depth at byte i: turn it into the prefix count. */
    for (size_t i = 0, depth = 0, sum = 0; i < n; i++) {
        depth += cov[i + 1]; /* unsigned: the wrapped -1s add back exactly */
        sum += depth > 0;
        cov[i + 1] = sum;
    }
    qsort_r(order, nh, sizeof *order, by_text, (void *)in);
    int ok = 1;
    for (size_t k = 0; k < nh && ok; k++) {
        const char *t = in + order[k]->start;
        size_t tl = order[k]->end - order[k]->start;
        if (tl < 4 || (k > 0 && by_text(&order[k - 1], &order[k], (void *)in) == 0))
            continue;
        if (count_in(blanked, on, t, tl, NULL) > count_in(in, n, t, tl, cov)) {
            fprintf(stderr, "left behind: %s \"%.*s\"\n", pw_phi_category_name(order[k]->category),
                    (int)tl, t);
            ok = 0;
        }
    }
    free(order);
    free(cov);
    free(blanked);
    return ok;
}

/* The byte s[i] starts or continues a letter that a name word would take: an ASCII letter, a
 * UTF-8 continuation byte, or the lead of a Latin letter U+00C0..U+024F (but × ÷). */
static int wordish_at(const unsigned char *s, size_t n, size_t i)
{
    int c = s[i];
    if (((c | 32) >= 'a' && (c | 32) <= 'z') || (c & 0xC0) == 0x80)
        return 1;
    if (c < 0xC3 || c > 0xC9 || i + 1 >= n || (s[i + 1] & 0xC0) != 0x80)
        return 0;
    unsigned cp = (unsigned)(c & 0x1F) << 6 | (s[i + 1] & 0x3F);
    return cp != 0xD7 && cp != 0xF7;
}

/* The offset i (0 < i < n) falls inside a UTF-8 sequence: the lead before it announces more
 * bytes than lie between it and i, and s[i] is one of them (a stray continuation byte is none). */
static int inside_utf8(const unsigned char *s, size_t n, size_t i)
{
    size_t k = i;
    while (k > 0 && i - k < 3 && (s[k - 1] & 0xC0) == 0x80)
        k--;
    if (k == 0 || (s[i] & 0xC0) != 0x80)
        return 0;
    unsigned lead = s[k - 1];
    size_t len = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
    return i < n && i - (k - 1) < len;
}

/* s[0..i) ends with a percent escape ("%3D", "%253D"): a name decoded after it starts there. */
static int escape_before(const unsigned char *s, size_t i)
{
    return (i >= 3 && s[i - 3] == '%') ||
           (i >= 5 && s[i - 5] == '%' && s[i - 4] == '2' && s[i - 3] == '5');
}

/* Every name hit starts and ends at a word boundary of the input. */
static int names_whole(const char *str, size_t n, const pw_hit *h, size_t nh)
{
    const unsigned char *s = (const unsigned char *)str;
    for (size_t k = 0; k < nh; k++) {
        if (h[k].category != PW_PHI_NAME)
            continue;
        int cut_end = h[k].end < n && wordish_at(s, n, h[k].end) &&
                      (s[h[k].end] & 0xC0) != 0x80 /* a letter after the name */;
        int split = h[k].end < n && inside_utf8(s, n, h[k].end);
        int cut_start =
            h[k].start > 0 && (inside_utf8(s, n, h[k].start) ||
                               (s[h[k].start - 1] < 0x80 && wordish_at(s, n, h[k].start - 1) &&
                                !escape_before(s, h[k].start)));
        if (cut_end || split || cut_start) {
            fprintf(stderr, "name cut: \"%.*s\" at [%zu,%zu)\n", (int)(h[k].end - h[k].start),
                    str + h[k].start, (size_t)h[k].start, (size_t)h[k].end);
            return 0;
        }
    }
    return 1;
}

#define EVENT_MAX 8

/* The lines of str as one event, their object kinds unknown, a thing's and a person's in turn;
 * each field's hits equal pw_detect_scan_member's with its kind (pw_detect_scan's when unknown). */
static void check_event(pw_detector *d, pw_detect_scratch *s, pw_arena *a, const char *str,
                        size_t n, int first)
{
    pw_detect_field f[EVENT_MAX];
    size_t nf = 0;
    for (size_t i = 0; i <= n && nf < EVENT_MAX;) {
        const char *nl = i < n ? memchr(str + i, '\n', n - i) : NULL;
        size_t e = nl ? (size_t)(nl - str) : n;
        int k = first + (int)nf;
        f[nf++] = (pw_detect_field){
            keys[k % 8], str + i, e - i, (pw_field_type)(k % 5), (pw_detect_object)(k % 3),
            NULL,        0};
        i = e + 1;
    }
    FUZZ_ASSERT(pw_detect_scan_event(d, s, a, f, nf, NULL) == PW_OK);
    for (size_t k = 0; k < nf; k++) {
        pw_hit *h = NULL;
        size_t nh = 0;
        FUZZ_ASSERT(pw_detect_scan_member(d, s, a, f[k].key, f[k].object, f[k].str, f[k].n,
                                          f[k].type, &h, &nh, NULL) == PW_OK);
        FUZZ_ASSERT(nh == f[k].n_hits);
        for (size_t i = 0; i < nh; i++) {
            const pw_hit *e = &f[k].hits[i];
            FUZZ_ASSERT(e->start < e->end && e->end <= f[k].n); /* inside its own field */
            FUZZ_ASSERT(h[i].start == e->start && h[i].end == e->end &&
                        h[i].category == e->category && strcmp(h[i].subtype, e->subtype) == 0 &&
                        strcmp(h[i].normalized, e->normalized) == 0 &&
                        h[i].confidence == e->confidence && h[i].reason == e->reason &&
                        h[i].sensitivity == e->sensitivity &&
                        (h[i].reason_detail == e->reason_detail ||
                         (h[i].reason_detail && e->reason_detail &&
                          strcmp(h[i].reason_detail, e->reason_detail) == 0)));
        }
    }
}

/* The lines of str as an object's member keys: a "name" scanned as a member of that object gives
 * what "product.name" gives when the keys say a thing, else what a lone "name" gives. */
static void check_member(pw_detector *d, pw_detect_scratch *s, pw_arena *a, const char *str,
                         size_t n, pw_field_type ft)
{
    const char *k[EVENT_MAX];
    size_t nk = 0;
    for (size_t i = 0; i <= n && nk < EVENT_MAX;) {
        const char *nl = i < n ? memchr(str + i, '\n', n - i) : NULL;
        size_t e = nl ? (size_t)(nl - str) : n;
        char *key = pw_arena_alloc(a, e - i + 1);
        FUZZ_ASSERT(key != NULL);
        memcpy(key, str + i, e - i);
        key[e - i] = '\0';
        k[nk++] = key;
        i = e + 1;
    }
    pw_detect_object kind = pw_detect_object_kind(k, nk);
    FUZZ_ASSERT(kind == PW_OBJECT_UNKNOWN || kind == PW_OBJECT_THING || kind == PW_OBJECT_PERSON);
    pw_hit *h = NULL, *w = NULL;
    size_t nh = 0, nw = 0;
    FUZZ_ASSERT(pw_detect_scan_member(d, s, a, "name", kind, str, n, ft, &h, &nh, NULL) == PW_OK);
    const char *same = kind == PW_OBJECT_THING ? "product.name" : "name";
    FUZZ_ASSERT(pw_detect_scan(d, s, a, same, str, n, ft, &w, &nw, NULL) == PW_OK);
    FUZZ_ASSERT(nh == nw);
    for (size_t i = 0; i < nh; i++)
        FUZZ_ASSERT(h[i].start == w[i].start && h[i].end == w[i].end &&
                    h[i].category == w[i].category);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static pw_detector *d;
    static pw_detect_scratch *s;
    if (!d) {
        pw_detector_opts o = {.canaries = canaries, .n_canaries = 3};
        FUZZ_ASSERT(pw_detector_new(&o, &d, NULL) == PW_OK);
        FUZZ_ASSERT(pw_detect_scratch_new(d, &s, NULL) == PW_OK);
    }
    if (size < 1)
        return 0;
    pw_field_type ft = (pw_field_type)(data[0] % 5);
    const char *key = keys[(data[0] >> 3) % 8];
    const char *str = (const char *)data + 1;
    size_t n = size - 1;
    pw_arena a;
    pw_arena_init(&a, 0);
    pw_hit *h = NULL;
    size_t nh = 0;
    FUZZ_ASSERT(pw_detect_scan(d, s, &a, key, str, n, ft, &h, &nh, NULL) == PW_OK);
    for (size_t i = 0; i < nh; i++) {
        FUZZ_ASSERT(h[i].start < h[i].end && h[i].end <= n);
        FUZZ_ASSERT(i == 0 || h[i - 1].start <= h[i].start);
        FUZZ_ASSERT(h[i].normalized && h[i].subtype);
    }
    FUZZ_ASSERT(names_whole(str, n, h, nh));
    pw_buf out;
    pw_buf_init(&out);
    FUZZ_ASSERT(pw_redact(d, s, &a, key, str, n, ft, &out, NULL) == PW_OK);
    FUZZ_ASSERT(text_redacted(str, n, h, nh, out.data ? out.data : "", out.len));
    check_event(d, s, &a, str, n, data[0]);
    check_member(d, s, &a, str, n, ft);
    pw_buf_free(&out);
    pw_arena_free(&a);
    return 0;
}
