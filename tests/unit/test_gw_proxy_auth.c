/*
 * test_gw_proxy_auth.c — an egress proxy's 407 is a configuration error, read like a refused
 * token (FW_AUTH: the destination pauses, its events stay queued), whether the proxy answered
 * a forwarded request (http destination: the 407 is the transfer's status) or the CONNECT of a
 * tunnel (https: the transfer fails and the 407 is the CONNECT's status). Before, the first was
 * dead-lettered as "http 407" and the second retried as a transport error until its window
 * ended. Other CONNECT refusals stay transport failures (retried). The Meta driver does not
 * read a 407's body as a Graph answer (a proxy's JSON error there turned it into a dead letter).
 */
#include <curl/curl.h>
#include <string.h>

#include "forward_internal.h"
#include "pw_test.h"

static fw_outcome classify(long http_status, long connect_status, int curl_code)
{
    fw_request q;
    memset(&q, 0, sizeof q);
    q.http_status = http_status;
    q.connect_status = connect_status;
    q.curl_code = curl_code;
    fw_outcome out;
    pw_fw_classify_http(&q, 1000, &out);
    return out;
}

static void test_forwarded_407_pauses(void)
{
    fw_outcome out = classify(407, 0, CURLE_OK);
    CHECK_INT(out.verdict, FW_AUTH);
    CHECK(strstr(out.detail, "proxy http 407") != NULL);
    CHECK(strstr(out.detail, "proxy_auth_file") != NULL);
}

static void test_connect_407_pauses(void)
{
    fw_outcome out = classify(0, 407, CURLE_COULDNT_CONNECT);
    CHECK_INT(out.verdict, FW_AUTH);
    CHECK(strstr(out.detail, "proxy http 407") != NULL);
    out = classify(0, 407, CURLE_RECV_ERROR); /* whichever code a libcurl version gives */
    CHECK_INT(out.verdict, FW_AUTH);
}

static void test_other_connect_refusal_retried(void)
{
    fw_outcome out = classify(0, 403, CURLE_COULDNT_CONNECT);
    CHECK_INT(out.verdict, FW_RETRY);
    CHECK(strstr(out.detail, "transport") != NULL);
    out = classify(200, 200, CURLE_OK); /* a tunnel that went through */
    CHECK_INT(out.verdict, FW_DELIVERED);
}

static void test_meta_407_body_not_graph(void)
{
    pw_destination d = {.name = "meta", .kind = PW_DEST_META_CAPI, .timeout_ms = 1000};
    fw_request q;
    memset(&q, 0, sizeof q);
    q.http_status = 407;
    pw_buf_init(&q.response);
    pw_buf_puts(&q.response, "{\"error\":{\"code\":100,\"message\":\"proxy says no\"}}");
    fw_outcome out;
    pw_fw_meta_driver.classify(&d, &q, &out);
    CHECK_INT(out.verdict, FW_AUTH);
    CHECK(strstr(out.detail, "proxy http 407") != NULL);
    pw_buf_free(&q.response);
}

PW_TEST_MAIN(PW_TEST(test_forwarded_407_pauses), PW_TEST(test_connect_407_pauses),
             PW_TEST(test_other_connect_refusal_retried), PW_TEST(test_meta_407_body_not_graph))
