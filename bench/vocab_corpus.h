/*
 * vocab_corpus.h — a seeded generator of web-tracking strings for the vocabulary benchmarks:
 * page URLs with slugs and query strings, page titles and button texts from hospital and
 * non-hospital sites, about one in four carrying a health term. Output is normalised the way
 * detect normalises (lower-case, non-alphanumeric runs → one space), one field per line.
 */
#ifndef PW_BENCH_VOCAB_CORPUS_H
#define PW_BENCH_VOCAB_CORPUS_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/detect/vocab_tsv.h"

static uint64_t corpus_rng = 0x2545f4914f6cdd1dull;

static uint32_t corpus_rnd(uint32_t n)
{
    corpus_rng ^= corpus_rng << 13;
    corpus_rng ^= corpus_rng >> 7;
    corpus_rng ^= corpus_rng << 17;
    return (uint32_t)(corpus_rng % n);
}

#define PICK(a) a[corpus_rnd((uint32_t)(sizeof a / sizeof a[0]))]

static const char *const corpus_hosts[] = {
    "https://www.examplehealth.org", "https://www.stmaryshospital.org",
    "https://shop.example.com",      "https://news.example.net",
    "https://www.cityclinic.com",    "https://mychart.examplehealth.org"};
static const char *const corpus_paths[] = {"/patients-visitors/parking",
                                           "/careers/search-jobs",
                                           "/about-us/leadership",
                                           "/products/running-shoes-men",
                                           "/blog/2024/05/spring-sale",
                                           "/locations/main-campus",
                                           "/newsroom/press-releases",
                                           "/doctors/profile",
                                           "/services",
                                           "/conditions",
                                           "/health-library/article",
                                           "/cart/checkout"};
static const char *const corpus_titles[] = {"Visiting Hours and Visitor Policy",
                                            "Join Our Team | Careers",
                                            "Spring Sale: 30% off everything",
                                            "Contact Us",
                                            "Patient Portal Login",
                                            "Find a Doctor",
                                            "Pay Your Bill Online",
                                            "Maps and Directions",
                                            "Top 10 travel destinations for summer",
                                            "Annual Report 2023"};
static const char *const corpus_buttons[] = {
    "Book now", "Schedule an appointment", "Submit", "Learn more", "Add to cart",
    "Sign in",  "Download the app",        "Next",   "Search",     "Request a refill"};
static const char *const corpus_health[] = {"breast-cancer-treatment",
                                            "heart attack symptoms",
                                            "hiv testing",
                                            "depression",
                                            "knee replacement",
                                            "type 2 diabetes",
                                            "ivf",
                                            "opioid addiction",
                                            "colonoscopy prep",
                                            "prozac side effects",
                                            "abortion",
                                            "adhd evaluation",
                                            "migraine",
                                            "physical therapy",
                                            "std testing",
                                            "sleep apnea"};

/* Append one raw field to buf; returns bytes written. */
static size_t corpus_field(char *buf, size_t cap)
{
    const char *health = corpus_rnd(4) == 0 ? PICK(corpus_health) : NULL;
    switch (corpus_rnd(3)) {
    case 0:
        return (size_t)snprintf(buf, cap, "%s%s/%s?utm_source=newsletter&id=%u&q=%s",
                                PICK(corpus_hosts), PICK(corpus_paths),
                                health ? health : "overview", corpus_rnd(100000),
                                health ? health : "hours");
    case 1:
        return (size_t)snprintf(buf, cap, "%s%s%s", health ? health : "", health ? " | " : "",
                                PICK(corpus_titles));
    default:
        return (size_t)snprintf(buf, cap, "%s%s%s", PICK(corpus_buttons), health ? " " : "",
                                health ? health : "");
    }
}

/* A normalised corpus of about `size` bytes, fields separated by '\n' (also a word boundary);
 * field i spans offs[i]..offs[i+1]-1. Caller frees *text and *offs. */
static size_t corpus_make(size_t size, char **text, size_t **offs, size_t *n_fields)
{
    char *t = malloc(size + 1024);
    size_t cap_f = size / 16 + 16, nf = 0, len = 0;
    size_t *o = malloc(cap_f * sizeof *o);
    char field[1024];
    while (len < size && nf + 1 < cap_f) {
        size_t n = corpus_field(field, sizeof field);
        if (n >= sizeof field)
            n = sizeof field - 1;
        o[nf++] = len;
        len += pw_vocab_normalize(field, n, t + len);
        t[len++] = '\n';
    }
    o[nf] = len;
    *text = t;
    *offs = o;
    *n_fields = nf;
    return len;
}

#endif
