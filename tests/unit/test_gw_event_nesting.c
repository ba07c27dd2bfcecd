/*
 * test_gw_event_nesting.c — the body's nesting limit (16) and the order of its errors. A plain
 * body is parsed in one pass that also bounds the nesting; any other body is checked for nesting
 * first and parsed after, so a body both too deep and malformed (or not plain) is refused for
 * its nesting, at the byte of the 17th bracket, as it always was.
 */
#include <string.h>

#include "gw_event.h"
#include "pw_test.h"

/* The message pw_gw_events_parse gives for body (a static copy). */
static const char *parse_error(const char *body)
{
    static char msg[512];
    pw_arena a;
    pw_arena_init(&a, 0);
    pw_gw_event *evs = NULL;
    size_t n = 0;
    pw_err err = {0};
    pw_status st = pw_gw_events_parse(&a, body, strlen(body), NULL, &evs, &n, &err);
    snprintf(msg, sizeof msg, "%s", st == PW_OK ? "ok" : err.msg);
    pw_arena_free(&a);
    return msg;
}

/* prefix, then `depth` opening brackets, then what follows. */
static const char *nested(const char *prefix, int depth, const char *rest)
{
    static char b[512];
    size_t k = strlen(prefix);
    memcpy(b, prefix, k);
    for (int i = 0; i < depth; i++)
        b[k++] = i % 2 ? '[' : '{';
    snprintf(b + k, sizeof b - k, "%s", rest);
    return b;
}

#define EV "\"event_id\":\"00000001-0001-4001-8001-000000000001\",\"name\":\"page_view\""

static void test_limit_and_its_byte(void)
{
    char deep[64] = "";
    for (int i = 0; i < 17; i++)
        strcat(deep, "[");
    for (int i = 0; i < 17; i++)
        strcat(deep, "]");
    CHECK_STR(parse_error(deep), "body: byte 16: nesting deeper than 16");
    /* 16 deep: not refused for its nesting */
    CHECK(strstr(parse_error("[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]"), "nesting") == NULL);
    /* a valid event, 16 deep in a param: accepted as far as nesting goes */
    CHECK(strstr(parse_error("{" EV ",\"params\":{\"a\":[[[[[[[[[[[[[[1]]]]]]]]]]]]]]}}"),
                 "nesting") == NULL);
}

static void test_nesting_before_other_errors(void)
{
    /* malformed before the 17th bracket: still the nesting error, at its byte */
    CHECK_STR(parse_error(nested("{\"a\" x ", 17, "")), "body: byte 22: nesting deeper than 16");
    /* not plain JSON (a \u escape, a comment) before it: the same */
    CHECK_STR(parse_error(nested("{\"a\":\"\\u0041\",\"b\":", 17, "")),
              "body: byte 33: nesting deeper than 16");
    CHECK_STR(parse_error(nested("/* c */ [", 17, "")), "body: byte 24: nesting deeper than 16");
    /* brackets inside strings, escaped quotes included, do not count */
    CHECK(strstr(parse_error("{" EV ",\"params\":{\"a\":\"[[[[[[[[[[[[[[[[[[[[\\\"[[[[[\"}}"),
                 "nesting") == NULL);
    /* not plain and not too deep: parsed (yajl), the event accepted */
    CHECK_STR(parse_error("{" EV ",\"params\":{\"a\":\"\\u00e9\"}}"), "ok");
    CHECK_STR(parse_error("{" EV ",\"params\":{\"a\":\"x\"}}"), "ok");
}

PW_TEST_MAIN(PW_TEST(test_limit_and_its_byte), PW_TEST(test_nesting_before_other_errors))
