/*
 * test_gw_forward_scrub.c — an upstream answer that echoes the access token, percent-encoded
 * (either hex case), JSON-escaped (\/ and \u002f), cut short by the upstream, or cut short by the
 * gateway's own 159-byte copy of a Graph message (a 200-character token), never reaches the
 * dead-letter reason, the audit log or the log in a form that holds 12 or more consecutive
 * characters of the token. The check decodes those forms itself (not with the scrubber).
 */
#include "../mock/mock_upstream.c"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "audit.h"
#include "forward.h"
#include "forward_internal.h"
#include "gw_time.h"
#include "gw_test_fwenv.h"
#include "pw_test.h"
#include "spool.h"

#define TOKEN_LEN 200

/* A Meta-like token: "EAAB" then base64 characters, '+', '/' and '=' among them. */
static void make_token(char *t)
{
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=";
    unsigned x = 12345;
    memcpy(t, "EAAB", 4);
    for (size_t i = 4; i < TOKEN_LEN; i++) {
        x = x * 1103515245u + 12345u;
        t[i] = (i % 7 == 3) ? "+/="[(x >> 16) % 3] : b64[(x >> 16) % 65];
    }
    t[TOKEN_LEN] = '\0';
}

static int hexv(char c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

/* s with %XX, \/, \\ and \u00XX decoded, escapes inside escapes too (an audit line is JSON). */
static void decode_all(const char *s, char *out, size_t cap)
{
    char a[8192], b[8192];
    snprintf(a, sizeof a, "%s", s);
    for (int round = 0; round < 3; round++) {
        size_t j = 0;
        for (size_t i = 0; a[i] && j + 1 < sizeof b; j++) {
            if (a[i] == '%' && hexv(a[i + 1]) >= 0 && hexv(a[i + 2]) >= 0) {
                b[j] = (char)(hexv(a[i + 1]) * 16 + hexv(a[i + 2]));
                i += 3;
            } else if (a[i] == '\\' && a[i + 1] == 'u' && a[i + 2] == '0' && a[i + 3] == '0' &&
                       hexv(a[i + 4]) >= 0 && hexv(a[i + 5]) >= 0) {
                b[j] = (char)(hexv(a[i + 4]) * 16 + hexv(a[i + 5]));
                i += 6;
            } else if (a[i] == '\\' && a[i + 1]) {
                b[j] = a[i + 1];
                i += 2;
            } else {
                b[j] = a[i++];
            }
        }
        b[j] = '\0';
        memcpy(a, b, j + 1);
    }
    snprintf(out, cap, "%s", a);
}

/* 1 if the text holds 12 consecutive characters of the token, in any of the encoded forms. */
static int leaks(const char *text, const char *token)
{
    static char plain[1 << 16];
    decode_all(text, plain, sizeof plain);
    for (size_t i = 0; i + 12 <= strlen(token); i++) {
        char w[13];
        memcpy(w, token + i, 12);
        w[12] = '\0';
        if (strstr(plain, w))
            return 1;
    }
    return 0;
}

/* The token's first n characters written as form (0 plain, 1 %XX upper, 2 %xx lower, 3 JSON
 * text \/ inside a JSON string, so "\\/" in the body, 4 \u002f likewise). */
static void encode(char *out, size_t cap, const char *t, size_t n, int form)
{
    size_t j = 0;
    for (size_t i = 0; i < n && t[i] && j + 12 < cap; i++) {
        char c = t[i];
        int special = c == '+' || c == '/' || c == '=';
        if (form == 1 && special)
            j += (size_t)snprintf(out + j, cap - j, "%%%02X", (unsigned char)c);
        else if (form == 2 && special)
            j += (size_t)snprintf(out + j, cap - j, "%%%02x", (unsigned char)c);
        else if (form == 3 && c == '/')
            j += (size_t)snprintf(out + j, cap - j, "\\\\/");
        else if (form == 4 && c == '/')
            j += (size_t)snprintf(out + j, cap - j, "\\\\u002f");
        else
            out[j++] = c;
    }
    out[j] = '\0';
}

typedef struct echo {
    const char *id;
    int form;
    size_t n; /* characters of the token echoed */
} echo;

static void test_echoed_token_forms_scrubbed(void)
{
    char token[TOKEN_LEN + 1];
    make_token(token);
    env e;
    env_open(&e, "gw_fw_scrub", "meta");
    pw_destination d = env_meta_dest(&e, "42", token, GW_TEST_REQ_TIMEOUT_MS);
    pw_forward_opts o = {.retry_base_ms = 20, .retry_max_ms = 100, .poll_ms = 10};
    CHECK_INT(pw_forwarders_start_opts(&d, 1, e.spool, e.audit, &o, &e.fw, NULL), PW_OK);
    const echo
        echoes[] =
            {
                {"url-upper", 1, 60},  {"url-lower", 2, 60}, {"json-slash", 3, 60},
                {"json-u", 4, 60},     {"cut-14", 0, 14},    {"cut-mid", 1, 30},
                {"whole-200", 0, 200}, /* longer than the 159 bytes kept of a Graph message */
            };
    for (size_t i = 0; i < sizeof echoes / sizeof echoes[0]; i++) {
        char enc[1024], body[2048];
        encode(enc, sizeof enc, token, echoes[i].n, echoes[i].form);
        snprintf(body, sizeof body,
                 "{\"error\":{\"message\":\"Invalid OAuth access token %s...\",\"type\":"
                 "\"OAuthException\",\"code\":100,\"fbtrace_id\":\"T%zu\"}}",
                 enc, i);
        mock_reply final = {.status = 400, .body = body};
        mock_upstream_script(e.mock, &final);
        char *p = env_meta_event(echoes[i].id);
        put_raw(&e, "meta", echoes[i].id, p, 0);
        free(p);
        pw_forwarders_notify(e.fw);
        CHECK(drained(&e, "meta", GW_TEST_WAIT_MS));
        char reason[512] = "";
        CHECK_INT(pw_spool_dead_reason(e.spool, echoes[i].id, "meta", reason, sizeof reason, NULL),
                  PW_OK);
        if (leaks(reason, token) || !strstr(reason, "[redacted]"))
            fprintf(stderr, "  %s: %s\n", echoes[i].id, reason);
        CHECK(!leaks(reason, token));
        CHECK(strstr(reason, "[redacted]") != NULL);
        CHECK(strstr(reason, "code 100") != NULL); /* final (190 pauses: gw_forward_auth) */
    }

    /* A partial answer is logged once, with its messages: the log gets no token either. */
    char log_path[512];
    snprintf(log_path, sizeof log_path, "%s.log", e.audit_path);
    fflush(stderr);
    int saved = dup(2), fd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    CHECK(saved >= 0 && fd >= 0);
    dup2(fd, 2);
    char enc[1024], body[2048];
    encode(enc, sizeof enc, token, 40, 1);
    snprintf(body, sizeof body,
             "{\"events_received\":0,\"messages\":[\"bad token %s\"],\"fbtrace_id\":\"TP\"}", enc);
    mock_reply partial = {.status = 200, .body = body};
    mock_upstream_script(e.mock, &partial);
    char *p = env_meta_event("partial");
    put_raw(&e, "meta", "partial", p, 0);
    free(p);
    pw_forwarders_notify(e.fw);
    CHECK(drained(&e, "meta", GW_TEST_WAIT_MS));
    pw_forwarders_stop(e.fw);
    e.fw = NULL;
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    close(fd);
    const char *log = env_read_all(log_path);
    CHECK(strstr(log, "upstream took fewer events") != NULL);
    CHECK(!leaks(log, token));
    unlink(log_path);
    CHECK(!leaks(env_read_all(e.audit_path), token));
    env_close(&e);
}

/* The scrubber on its own: bounds, marker placement, short secrets and '%' in a secret. */
static void test_scrub_unit(void)
{
    char s[64] = "a tok-SECRET-1234 b tok-SECRET-1234";
    CHECK_INT(pw_fw_scrub_secret(s, sizeof s, "tok-SECRET-1234"), 2);
    CHECK_STR(s, "a [redacted] b [redacted]");
    char t[16] = "x abcde y";
    CHECK_INT(pw_fw_scrub_secret(t, sizeof t, "abcde"), 1);
    CHECK_STR(t, "x [redacted] y"); /* grows: 5 → 10 bytes, within cap */
    char u[12] = "xx abcde yy";
    CHECK_INT(pw_fw_scrub_secret(u, sizeof u, "abcde"), 1);
    CHECK_STR(u, "xx [redacte"); /* no room: the tail is cut, never overrun */
    char v[64] = "k=ab%cd%2Fefghijklmnop";
    CHECK_INT(pw_fw_scrub_secret(v, sizeof v, "ab%cd/efghijklmnop"), 1);
    CHECK_STR(v, "k=[redacted]");
    char w[64] = "tok abc ordinary";
    CHECK_INT(pw_fw_scrub_secret(w, sizeof w, "abc"), 0); /* under 4: not a secret to match */
    char x[64] = "first 11 ch EAABsbCS1iH then";
    CHECK_INT(pw_fw_scrub_secret(x, sizeof x, "EAABsbCS1iHgBAKZCz9"), 0);
    CHECK_INT(pw_fw_scrub_secret(x, sizeof x, NULL), 0);
}

PW_TEST_MAIN(PW_TEST(test_scrub_unit), PW_TEST(test_echoed_token_forms_scrubbed))
