/*
 * decode_testlib.h — helpers shared by the decode stage's unit tests (test_decode_*.c): a
 * catalog without EasyPrivacy (fast, deterministic), one-call decoding of a request, field
 * lookup, and reading files under tests/data/decode/.
 */
#ifndef DECODE_TESTLIB_H
#define DECODE_TESTLIB_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "phiwall/decode.h"

static inline pw_catalog *test_catalog(void)
{
    pw_catalog_options o = {.easyprivacy_file = ""};
    pw_catalog *c = NULL;
    pw_err err;
    if (pw_catalog_open(&o, &c, &err) != PW_OK) {
        fprintf(stderr, "catalog: %s\n", err.msg);
        exit(1);
    }
    return c;
}

/* Read tests/data/decode/<name> (malloc'd, NUL-terminated); exits when missing. */
static inline char *test_data(const char *name, size_t *len)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/tests/data/decode/%s", PW_SRC_DIR, name);
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "missing test data %s\n", path);
        exit(1);
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    size_t got = fread(buf, 1, (size_t)n, f);
    fclose(f);
    buf[got] = '\0';
    if (len)
        *len = got;
    return buf;
}

static inline char *test_data_path(const char *name)
{
    static char path[1024];
    snprintf(path, sizeof path, "%s/tests/data/decode/%s", PW_SRC_DIR, name);
    return path;
}

typedef struct decoded {
    pw_beacon *b;
    size_t n;
    pw_status st;
    pw_err err;
} decoded;

static inline decoded decode_req(const pw_catalog *c, pw_arena *a, const char *method,
                                 const char *url, const char *page, const char *ct,
                                 const char *body, size_t body_len)
{
    pw_request *r = pw_arena_calloc(a, 1, sizeof *r);
    r->method = method;
    r->url = url;
    r->page_url = page;
    r->content_type = ct;
    r->body = (const unsigned char *)body;
    r->body_len = body_len;
    decoded d;
    memset(&d, 0, sizeof d);
    d.st = pw_decode(c, a, r, &d.b, &d.n, &d.err);
    return d;
}

static inline decoded decode_get(const pw_catalog *c, pw_arena *a, const char *url)
{
    return decode_req(c, a, "GET", url, "https://www.example-hospital.org/", NULL, NULL, 0);
}

static inline const pw_field *field(const pw_beacon *b, const char *key)
{
    for (size_t i = 0; b && i < b->n_fields; i++)
        if (strcmp(b->fields[i].key, key) == 0)
            return &b->fields[i];
    return NULL;
}

static inline const char *field_value(const pw_beacon *b, const char *key)
{
    const pw_field *f = field(b, key);
    return f ? f->value : NULL;
}

static inline int field_kind(const pw_beacon *b, const char *key)
{
    const pw_field *f = field(b, key);
    return f ? (int)f->kind : -1;
}

static inline size_t count_kind(const pw_beacon *b, pw_field_kind k)
{
    size_t n = 0;
    for (size_t i = 0; b && i < b->n_fields; i++)
        n += b->fields[i].kind == k;
    return n;
}

#endif
