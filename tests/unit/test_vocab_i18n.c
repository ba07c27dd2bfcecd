/*
 * test_vocab_i18n.c — health context on the translated pages of US hospitals (data/vocab/fr, zh,
 * vi, de, it; docs/detect.md, "Languages"), through the whole engine and with both vocabulary
 * back ends (PHIWALL_VOCAB_BACKEND=ac|hyperscan):
 *  - Chinese terms match inside a run of ideographs with no space ("乳腺癌筛查", "肺癌治疗"),
 *    raw and percent-encoded in a URL, mixed with ASCII ("HIV检测"), simplified and traditional;
 *  - Vietnamese terms match with their marks and in slugs without them ("ung-thu-vu");
 *  - German compounds count by a listed part ("Darmkrebsvorsorge", "Lungenkrebszentrum"), the
 *    harmless ones do not ("Flusskrebs", "Eifersucht");
 *  - French and Italian terms, accents optional;
 *  - the harmless words of each language (hospital, visiting hours, parking, careers) give no
 *    health context.
 *  - Korean terms before a particle ("유방암을") and not inside another word ("암호"); Russian
 *    and Arabic terms in their inflected and prefixed forms ("рака молочной железы",
 *    "وسرطان الرئة"), not in words that share their start ("раковина"); Tagalog, Haitian Creole
 *    and Portuguese; punctuation ends a CJK term ("乳腺、癌"); ß is ss ("Eßstörungen").
 * Hits of scripts matched as tokens (Chinese, Korean, Russian, Arabic) report the term as written.
 * And checks on the data: every Vietnamese term is two syllables or more, every German
 * compound part is a term; and on the light stems of Cyrillic and Arabic words.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect/vocab.h"
#include "detect/vocab_tsv.h"
#include "detect_helpers.h"
#include "pw_test.h"

static dt_ctx T;

/* s (of field type ft) has a HEALTH or CARE_INTENT hit (cat) over exactly `covered`. */
static void expect_span(const char *s, pw_field_type ft, pw_phi_category cat, const char *covered)
{
    CHECK(dt_scan(&T, NULL, s, ft) != (size_t)-1);
    const pw_hit *h = dt_find_span(&T, cat, covered);
    CHECK(h != NULL);
    if (!h)
        fprintf(stderr, "  backend %s: no %s hit over \"%s\" in \"%s\"\n",
                getenv("PHIWALL_VOCAB_BACKEND"), pw_phi_category_name(cat), covered, s);
}

static void expect_health(const char *s, const char *covered)
{
    expect_span(s, PW_FT_TEXT, PW_PHI_HEALTH, covered);
}

/* s gives no health and no care-intent hit. */
static void expect_none(const char *s, pw_field_type ft)
{
    CHECK(dt_scan(&T, NULL, s, ft) != (size_t)-1);
    int n = dt_count(&T, PW_PHI_HEALTH) + dt_count(&T, PW_PHI_CARE_INTENT);
    CHECK_INT(n, 0);
    if (n)
        fprintf(stderr, "  backend %s: \"%s\" gave \"%s\"\n", getenv("PHIWALL_VOCAB_BACKEND"), s,
                dt_text(&T, dt_find(&T, PW_PHI_HEALTH) ? dt_find(&T, PW_PHI_HEALTH)
                                                       : dt_find(&T, PW_PHI_CARE_INTENT)));
}

static void chinese(void)
{
    expect_health("\xe4\xb9\xb3\xe8\x85\xba\xe7\x99\x8c", "\xe4\xb9\xb3\xe8\x85\xba\xe7\x99\x8c");
    /* 乳腺癌筛查 (a term) and 肺癌 inside 肺癌治疗 (no space between words) */
    expect_health("\xe4\xb9\xb3\xe8\x85\xba\xe7\x99\x8c\xe7\xad\x9b\xe6\x9f\xa5 | "
                  "\xe5\x9c\xa3\xe7\x8e\x9b\xe4\xb8\xbd\xe5\x8c\xbb\xe9\x99\xa2",
                  "\xe4\xb9\xb3\xe8\x85\xba\xe7\x99\x8c\xe7\xad\x9b\xe6\x9f\xa5");
    expect_health("\xe8\x82\xba\xe7\x99\x8c\xe6\xb2\xbb\xe7\x96\x97", "\xe8\x82\xba\xe7\x99\x8c");
    /* traditional 乳癌篩檢, 2型糖尿病 (digits and ideographs, no ASCII letter) */
    expect_health("\xe4\xb9\xb3\xe7\x99\x8c\xe7\xaf\xa9\xe6\xaa\xa2",
                  "\xe4\xb9\xb3\xe7\x99\x8c\xe7\xaf\xa9\xe6\xaa\xa2");
    expect_health("2\xe5\x9e\x8b\xe7\xb3\x96\xe5\xb0\xbf\xe7\x97\x85",
                  "2\xe5\x9e\x8b\xe7\xb3\x96\xe5\xb0\xbf\xe7\x97\x85");
    /* HIV检测: the ASCII word and the ideographs are one term */
    expect_health("HIV\xe6\xa3\x80\xe6\xb5\x8b", "HIV\xe6\xa3\x80\xe6\xb5\x8b");
    /* a URL slug, raw and percent-encoded */
    expect_span("https://www.example.org/zh/\xe4\xb9\xb3\xe8\x85\xba\xe7\x99\x8c", PW_FT_URL,
                PW_PHI_HEALTH, "\xe4\xb9\xb3\xe8\x85\xba\xe7\x99\x8c");
    expect_span("https://www.example.org/zh/%E4%B9%B3%E8%85%BA%E7%99%8C", PW_FT_URL, PW_PHI_HEALTH,
                "%E4%B9%B3%E8%85%BA%E7%99%8C");
    /* 预约挂号: book an appointment */
    expect_span("\xe9\xa2\x84\xe7\xba\xa6\xe6\x8c\x82\xe5\x8f\xb7", PW_FT_TEXT, PW_PHI_CARE_INTENT,
                "\xe9\xa2\x84\xe7\xba\xa6\xe6\x8c\x82\xe5\x8f\xb7");
    /* 圣玛丽医院 (St Mary's Hospital), 探视时间 (visiting hours), 停车 (parking), 招聘信息 */
    expect_none("\xe5\x9c\xa3\xe7\x8e\x9b\xe4\xb8\xbd\xe5\x8c\xbb\xe9\x99\xa2", PW_FT_TEXT);
    expect_none("\xe6\x8e\xa2\xe8\xa7\x86\xe6\x97\xb6\xe9\x97\xb4", PW_FT_TEXT);
    expect_none("\xe5\x81\x9c\xe8\xbd\xa6", PW_FT_TEXT);
    expect_none("\xe6\x8b\x9b\xe8\x81\x98\xe4\xbf\xa1\xe6\x81\xaf", PW_FT_TEXT);
}

static void vietnamese(void)
{
    /* Ung thư vú (breast cancer) with its marks, and the slug without them */
    expect_health("Ung th\xc6\xb0 v\xc3\xba", "Ung th\xc6\xb0 v\xc3\xba");
    expect_span("https://www.example.org/vi/ung-thu-vu", PW_FT_URL, PW_PHI_HEALTH, "ung-thu-vu");
    /* Xét nghiệm HIV (HIV test): ệ is U+1EC7 */
    expect_health("X\xc3\xa9t nghi\xe1\xbb\x87m HIV cho thanh thi\xe1\xba\xbfu ni\xc3\xaan",
                  "X\xc3\xa9t nghi\xe1\xbb\x87m HIV");
    expect_health("Mang thai v\xc3\xa0 sinh con", "Mang thai");
    /* Bệnh viện (hospital), Giờ thăm bệnh (visiting hours), "Thu và thư" (autumn and letter:
     * thư alone is no term) */
    expect_none("B\xe1\xbb\x87nh vi\xe1\xbb\x87n St Mary", PW_FT_TEXT);
    expect_none("Gi\xe1\xbb\x9d th\xc4\x83m b\xe1\xbb\x87nh", PW_FT_TEXT);
    expect_none("Thu v\xc3\xa0 th\xc6\xb0", PW_FT_TEXT);
}

static void german(void)
{
    expect_health("Brustkrebs", "Brustkrebs");
    expect_health("Darmkrebsvorsorge", "Darmkrebsvorsorge");
    expect_health("Lungenkrebszentrum", "Lungenkrebszentrum");
    expect_health("Hilfe bei Alkoholsucht", "Alkoholsucht");
    expect_span("https://www.example.org/de/leistungen/darmkrebsvorsorge/", PW_FT_URL,
                PW_PHI_HEALTH, "darmkrebsvorsorge");
    expect_health("Schwangerschaft und Geburt", "Schwangerschaft");
    expect_health("Prostatakrebs-Fr\xc3\xbcherkennung", "Prostatakrebs");
    expect_none("Taschenkrebs und Flusskrebs in der Cafeteria", PW_FT_TEXT);
    expect_none("Eifersucht und Sehnsucht", PW_FT_TEXT);
    expect_none("Krankenhaus St. Mary: Besuchszeiten", PW_FT_TEXT);
    expect_none("Karriere: Stellenangebote", PW_FT_TEXT);
}

/* engine-speed5: German compounds and run-together words are found from the segment's letter
 * masks (64 bytes a word): the word at every offset from 0 to 80 — inside the first word of the
 * masks, across its end, inside the second, right after a run that ends the first word. */
static void offsets(void)
{
    char buf[160];
    for (size_t off = 0; off <= 80; off++) {
        for (size_t k = 0; k < off; k++) /* "zz zz zz ": the byte before the word is a space */
            buf[k] = (off - 1 - k) % 3 == 0 ? ' ' : 'z';
        snprintf(buf + off, sizeof buf - off, "Darmkrebsvorsorge und mehr");
        expect_health(buf, "Darmkrebsvorsorge");
        for (size_t k = 0; k < off; k++) /* a value without spaces: "zz_zz_hivclinic" */
            buf[k] = (off - 1 - k) % 3 == 0 ? '_' : 'z';
        snprintf(buf + off, sizeof buf - off, "hivclinic");
        expect_span(buf, PW_FT_FORM_VALUE, PW_PHI_HEALTH, "hivclinic");
    }
}

static void french_italian(void)
{
    expect_health("Cancer du sein", "Cancer du sein");
    expect_health("Grossesse et accouchement", "Grossesse");
    expect_health("D\xc3\xa9pistage du VIH", "D\xc3\xa9pistage du VIH");
    expect_span("https://www.example.org/fr/interruption-volontaire-de-grossesse", PW_FT_URL,
                PW_PHI_HEALTH, "interruption-volontaire-de-grossesse");
    expect_span("Prendre rendez-vous", PW_FT_TEXT, PW_PHI_CARE_INTENT, "Prendre rendez-vous");
    expect_health("Gravidanza e parto", "Gravidanza");
    expect_health("Tumore al seno", "Tumore al seno");
    expect_none("Heures de visite", PW_FT_TEXT);
    expect_none("H\xc3\xb4pital St Mary \xe2\x80\x93 Stationnement", PW_FT_TEXT);
    expect_none("Ospedale St. Mary: orari di visita e parcheggio", PW_FT_TEXT);
}

/* Korean: a term starts a word and ends it, or ends before a particle or another term. */
static void korean(void)
{
    expect_health("유방암", "유방암");
    expect_health("유방암을 조기에 발견하는 방법", "유방암");
    expect_health("임신중절은 안전한가요?", "임신중절");
    expect_health("암센터 안내", "암센터");
    expect_health("알코올 중독 치료", "알코올 중독");
    expect_span("https://www.example.org/ko/%EC%9C%A0%EB%B0%A9%EC%95%94", PW_FT_URL, PW_PHI_HEALTH,
                "%EC%9C%A0%EB%B0%A9%EC%95%94");
    expect_span("진료 예약하기", PW_FT_TEXT, PW_PHI_CARE_INTENT, "진료 예약");
    /* 암호 (password), 암기 (memorising), 비임신 (not pregnant: 임신 inside a word), a hospital,
     * visiting hours, parking */
    expect_none("비밀번호 암호화 안내", PW_FT_TEXT);
    expect_none("암기 과목", PW_FT_TEXT);
    expect_none("비임신", PW_FT_TEXT);
    expect_none("세인트 메리 병원 면회 시간과 주차", PW_FT_TEXT);
}

/* Russian: the forms of a word are its stem's ("рака", "беременности"). */
static void russian(void)
{
    expect_health("Рак молочной железы", "Рак молочной железы");
    expect_health("Лечение рака молочной железы", "рака молочной железы");
    expect_health("Ведение беременности", "Ведение беременности");
    expect_health("Беременность и депрессия", "Беременность");
    expect_health("Лечение депрессии", "депрессии");
    expect_health("Врач сказал, что рак излечим", "рак");
    expect_span("https://www.example.org/ru/%D0%B0%D0%B1%D0%BE%D1%80%D1%82", PW_FT_URL,
                PW_PHI_HEALTH, "%D0%B0%D0%B1%D0%BE%D1%80%D1%82");
    expect_span("Записаться на приём", PW_FT_TEXT, PW_PHI_CARE_INTENT, "Записаться на приём");
    /* раковина (sink), ракетный (rocket), своего рода (kind of), a hospital's visiting hours */
    expect_none("Раковина на кухне", PW_FT_TEXT);
    expect_none("Ракетный двигатель", PW_FT_TEXT);
    expect_none("своего рода", PW_FT_TEXT);
    expect_none("Больница Святой Марии: часы посещения", PW_FT_TEXT);
}

/* Arabic: article, conjunction and preposition prefixes, letter variants, tashkeel. */
static void arabic(void)
{
    expect_health("الكشف المبكر عن سرطان الثدي", "سرطان الثدي");
    expect_health("علاج وسرطان الرئة", "وسرطان الرئة");
    expect_health("التوعية بالسرطان", "بالسرطان");
    expect_health("سَرَطَانُ الثَّدْيِ", "سَرَطَانُ الثَّدْيِ");
    expect_health("رعاية الحمل", "رعاية الحمل");
    expect_span("احجز موعداً", PW_FT_TEXT, PW_PHI_CARE_INTENT, "احجز موعداً");
    /* the hospital, downloading the app, Dr Adam (آدم: not الإدمان addiction) */
    expect_none("مستشفى سانت ماري", PW_FT_TEXT);
    expect_none("تحميل التطبيق", PW_FT_TEXT);
    expect_none("الدكتور آدم", PW_FT_TEXT);
    /* a blood donation campaign (حملة: the stem of الحمل), the cardholder's name (حامل),
     * date of birth (الولادة) */
    expect_none("حملة التبرع بالدم", PW_FT_TEXT);
    expect_none("اسم حامل البطاقة", PW_FT_TEXT);
    expect_none("تاريخ الولادة", PW_FT_TEXT);
}

/* Tagalog, Haitian Creole, Portuguese: Latin letters, accents optional. */
static void latin_languages(void)
{
    expect_health("Kanser sa suso", "Kanser sa suso");
    expect_span("Maghanap ng Doktor", PW_FT_TEXT, PW_PHI_CARE_INTENT, "Maghanap ng Doktor");
    expect_none("Oras ng Pagbisita", PW_FT_TEXT);
    expect_health("Kansè nan tete", "Kansè nan tete");
    expect_span("https://www.example.org/ht/kanse-nan-tete", PW_FT_URL, PW_PHI_HEALTH,
                "kanse-nan-tete");
    expect_none("Lè vizit", PW_FT_TEXT);
    expect_health("Câncer de mama", "Câncer de mama");
    expect_health("Tratamento da depressão", "depressão");
    expect_none("Horário de visitas e estacionamento", PW_FT_TEXT);
}

/* The last round's leftovers: punctuation ends a CJK term, ß is "ss". */
static void leftovers(void)
{
    /* 乳腺、癌: no term across the ideographic comma */
    CHECK(dt_scan(&T, NULL, "乳腺、癌", PW_FT_TEXT) != (size_t)-1);
    CHECK(dt_find_span(&T, PW_PHI_HEALTH, "乳腺、癌") == NULL);
    CHECK(dt_scan(&T, NULL, "乳腺|癌", PW_FT_TEXT) != (size_t)-1);
    CHECK(dt_find_span(&T, PW_PHI_HEALTH, "乳腺|癌") == NULL);
    expect_health("乳腺癌 筛查", "乳腺癌 筛查");
    /* ß is ss in the text and in the terms */
    expect_health("Hilfe bei Magersucht und Eßstörungen", "Eßstörungen");
    expect_health("Fußpilz behandeln", "Fußpilz"); /* the term is written with ß */
    expect_span("https://www.example.org/de/fusspilz", PW_FT_URL, PW_PHI_HEALTH, "fusspilz");
    expect_none("Blutdruckmeßgerät und Blutdruckmessgerät", PW_FT_TEXT); /* a device */
}

/* Cut and odd sequences of the new scripts: scanned without a fault (the sanitizer build runs
 * this), and no health context from them. */
static void odd_inputs(void)
{
    char long_cyr[2 * 60 + 1], syllables[4 * 200 + 1];
    for (size_t k = 0; k < 60; k++)
        memcpy(long_cyr + 2 * k, "\xd0\xb0", 2); /* а × 60: longer than a token holds */
    long_cyr[120] = '\0';
    for (size_t k = 0; k < 200; k++)
        memcpy(syllables + 4 * k, k % 2 ? "\xe4\xb9\xb3," : "\xea\xb0\x80,", 4); /* 乳 가 */
    syllables[800] = '\0';
    const char *odd[] = {"\xd0",
                         "\xd0\xb0",
                         "\xd8",
                         "\xd9\x80\xd9\x80\xd9\x80",
                         "\xd9\x8e",
                         "\xd9\x88",
                         "\xd9\x88\xd9\x84",
                         "\xec\x9c\xa0\xea\xb0",
                         "\xd1\x80\xcc\x81\xd0\xb0\xcc",
                         "abc\xd0\xb0\xd8\xb3\xea\xb0\x80\xe4\xb9\xb3",
                         long_cyr,
                         syllables};
    for (size_t k = 0; k < sizeof odd / sizeof odd[0]; k++)
        expect_none(odd[k], PW_FT_TEXT);
}

/* The hit over `covered` in s reports the term as the vocabulary writes it, in its script —
 * never the tokens the matcher uses ("zcdbdfea…", "zheohd zhibhk…"). */
static void expect_shown(const char *s, const char *covered, const char *shown)
{
    CHECK(dt_scan(&T, NULL, s, PW_FT_TEXT) != (size_t)-1);
    const pw_hit *h = dt_find_span(&T, PW_PHI_HEALTH, covered);
    CHECK(h && h->normalized && h->reason_detail);
    if (!h || !h->normalized || !h->reason_detail)
        return;
    CHECK_STR(h->normalized, shown);
    CHECK(!pw_vocab_has_script_token(h->reason_detail));
    if (pw_vocab_has_script_token(h->reason_detail))
        fprintf(stderr, "  detail \"%s\" over \"%s\"\n", h->reason_detail, covered);
}

static void shown_terms(void)
{
    expect_shown("乳腺癌筛查预约", "乳腺癌筛查", "乳腺癌筛查");
    expect_shown("유방암을 진단받았습니다", "유방암", "유방암");
    expect_shown("беременность и роды", "беременность и роды", "беременность и роды");
    expect_shown("علاج سرطان الثدي", "سرطان الثدي", "سرطان الثدي");
    expect_shown("cancer du sein", "cancer du sein", "cancer du sein"); /* Latin: as before */
}

static void run_backend(const char *backend)
{
    setenv("PHIWALL_VOCAB_BACKEND", backend, 1);
    CHECK(dt_open(&T, NULL, 0));
    chinese();
    vietnamese();
    german();
    offsets();
    french_italian();
    korean();
    russian();
    arabic();
    latin_languages();
    leftovers();
    odd_inputs();
    shown_terms();
    dt_close(&T);
}

static void test_ac(void)
{
    run_backend("ac");
}

static void test_hyperscan(void)
{
    pw_vocab *v = NULL;
    pw_vocab_opts o = {.backend = PW_VOCAB_BACKEND_HYPERSCAN};
    if (pw_vocab_new_opts(&o, &v, NULL) != PW_OK) {
        fprintf(stderr, "  (no Hyperscan in this build)\n");
        return;
    }
    pw_vocab_free(v);
    run_backend("hyperscan");
    unsetenv("PHIWALL_VOCAB_BACKEND");
}

/* Each non-comment line's first column in data/vocab/<dir>/<file>.tsv, normalised, to fn. */
static void each_term(const char *dir, const char *file, void (*fn)(const char *, const char *))
{
    char path[512];
    snprintf(path, sizeof path, PW_SRC_DIR "/data/vocab/%s/%s", dir, file);
    FILE *f = fopen(path, "r");
    CHECK(f != NULL);
    if (!f)
        return;
    char line[1024];
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#' || line[0] == '\n')
            continue;
        char *tab = strchr(line, '\t');
        if (tab)
            *tab = '\0';
        char norm[1024];
        size_t n = pw_vocab_normalize_term(line, strlen(line), norm, sizeof norm - 1);
        norm[n] = '\0';
        fn(line, norm);
    }
    fclose(f);
}

/* A Vietnamese term without its marks is two words or more: one syllable is many words. */
static void two_syllables(const char *raw, const char *norm)
{
    int ok = strchr(norm, ' ') != NULL;
    CHECK(ok);
    if (!ok)
        fprintf(stderr, "  vi: one syllable: %s\n", raw);
}

static void test_vietnamese_terms(void)
{
    static const char *const files[] = {
        "care_intent.tsv",        "care_services.tsv", "conditions.tsv", "procedures.tsv",
        "sensitive_services.tsv", "specialties.tsv",   "symptoms.tsv"};
    for (size_t k = 0; k < sizeof files / sizeof files[0]; k++)
        each_term("vi", files[k], two_syllables);
    /* the marks fold: ư, ệ, đ, ơ, ă, ỹ */
    char out[64];
    const char *s = "th\xc6\xb0 nghi\xe1\xbb\x87m \xc4\x91\xc6\xa1n \xc4\x83n M\xe1\xbb\xb9";
    size_t n = pw_vocab_normalize(s, strlen(s), out);
    out[n] = '\0';
    CHECK_STR(out, "thu nghiem don an my");
    CHECK_INT(pw_vocab_fold_base(0x1EC7), 'e');
    CHECK_INT(pw_vocab_fold_base(0x1EA0), 'A');
    CHECK_INT(pw_vocab_fold_base(0x1EF9), 'y');
    CHECK_INT(pw_vocab_fold_base(0x0111), 'd');
    CHECK_INT(pw_vocab_fold_base(0x0101), 0);
}

static void test_cjk_terms(void)
{
    char out[64];
    /* 乳腺癌 is three words; pw_vocab_normalize (n bytes at most) leaves ideographs out */
    const char *s = "HIV\xe4\xb9\xb3\xe8\x85\xba\xe7\x99\x8c";
    size_t n = pw_vocab_normalize_term(s, strlen(s), out, sizeof out - 1);
    out[n] = '\0';
    CHECK_STR(out, "hiv zheohd zhibhk zhhgem");
    n = pw_vocab_normalize(s, strlen(s), out);
    out[n] = '\0';
    CHECK_STR(out, "hiv");
}

/* The term normaliser writes a Cyrillic or Arabic word as its light stem's token: the forms
 * of one word are one token, other words that share its start are not. */
static void same_token(const char *a, const char *b, int same)
{
    char ta[PW_VOCAB_TERM_MAX], tb[PW_VOCAB_TERM_MAX];
    size_t na = pw_vocab_normalize_term(a, strlen(a), ta, sizeof ta);
    size_t nb = pw_vocab_normalize_term(b, strlen(b), tb, sizeof tb);
    int eq = na == nb && memcmp(ta, tb, na) == 0;
    CHECK_INT(eq, same);
    CHECK(na > 0 && nb > 0);
    if (eq != same)
        fprintf(stderr, "  %s / %s: tokens %.*s / %.*s\n", a, b, (int)na, ta, (int)nb, tb);
}

static void test_script_words(void)
{
    same_token("беременность", "беременности", 1);
    same_token("беременность", "беременностью", 1);
    same_token("рак молочной железы", "рака молочной железы", 1);
    same_token("Психиатрия", "психиатрии", 1);
    same_token("приём", "прием", 1);
    same_token("рак", "раковина", 0);
    same_token("рак", "ракета", 0);
    same_token("سرطان", "السرطان", 1);
    same_token("سرطان الثدي", "سَرَطَانُ الثَّدْيِ", 1);
    same_token("عيادة", "العيادات", 1);
    same_token("أمراض", "امراض", 1);
    same_token("الإدمان", "آدم", 0);
    same_token("الحمل", "تحميل", 0);
    /* ß is ss */
    same_token("Fußpilz", "Fusspilz", 1);
    /* a Korean syllable is a word, as an ideograph is */
    char t[64];
    CHECK_INT((int)pw_vocab_normalize_term("유방암", strlen("유방암"), t, sizeof t),
              3 * PW_VOCAB_CJK_TOKEN + 2);
}

static void test_german_parts(void)
{
    pw_vocab *v = NULL;
    CHECK_INT(pw_vocab_new(NULL, &v, NULL), PW_OK);
    FILE *f = fopen(PW_SRC_DIR "/data/vocab/de/compound_parts.txt", "r");
    CHECK(f != NULL && v != NULL);
    pw_vocab_scratch *s = NULL;
    CHECK(v && pw_vocab_scratch_new(v, &s, NULL) == PW_OK);
    char line[256];
    pw_arena a;
    pw_arena_init(&a, 0);
    while (f && s && fgets(line, sizeof line, f)) {
        size_t len = strcspn(line, "\r\n");
        line[len] = '\0';
        if (line[0] == '#' || len == 0)
            continue;
        pw_vocab_match *m = NULL;
        size_t nm = 0, whole = 0;
        CHECK_INT(pw_vocab_scan(v, s, &a, line, len, &m, &nm, NULL), PW_OK);
        for (size_t k = 0; k < nm; k++) {
            const pw_vocab_entry *e = pw_vocab_entry_at(v, m[k].entry);
            whole += m[k].start == 0 && m[k].end == len && e && e->cls != PW_VOCAB_GENERIC;
        }
        CHECK(whole > 0);
        if (!whole)
            fprintf(stderr, "  de: part %s is no term\n", line);
    }
    if (f)
        fclose(f);
    pw_arena_free(&a);
    pw_vocab_scratch_free(s);
    pw_vocab_free(v);
}

PW_TEST_MAIN(PW_TEST(test_ac), PW_TEST(test_hyperscan), PW_TEST(test_vietnamese_terms),
             PW_TEST(test_cjk_terms), PW_TEST(test_german_parts), PW_TEST(test_script_words))
