/*
 * forward_response.c — reading upstream answers, which are untrusted input: the Graph API's
 * {"events_received":N,"messages":[],"fbtrace_id":"…"} or {"error":{"code":…,"error_subcode":…,
 * "message":…,"fbtrace_id":…}}, and GA4's /debug/mp/collect {"validationMessages":[…]}.
 * Strings are copied bounded and stripped of control characters (they end up in audit details).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "forward_internal.h"
#include "gw_json.h"

static void copy_clean(char *out, size_t cap, const char *s)
{
    size_t j = 0;
    for (; s && *s && j + 1 < cap; s++)
        out[j++] = (unsigned char)*s < 0x20 || *s == 0x7f ? ' ' : *s;
    out[j] = '\0';
}

static long long get_int(yajl_val obj, const char *key, long long dflt)
{
    yajl_val v = pw_gw_json_get(obj, key);
    if (YAJL_IS_INTEGER(v))
        return YAJL_GET_INTEGER(v);
    if (YAJL_IS_STRING(v)) { /* Graph sometimes quotes numbers */
        /* strtoll, not sscanf: a number out of range is undefined behaviour for sscanf (C17
         * 7.21.6.2p10) and a clear ERANGE here. */
        const char *s = YAJL_GET_STRING(v);
        char *end = NULL;
        errno = 0;
        long long x = strtoll(s, &end, 10);
        if (end != s && errno == 0)
            return x;
    }
    return dflt;
}

int pw_fw_parse_meta_response(const char *body, size_t n, pw_meta_response *out)
{
    memset(out, 0, sizeof *out);
    out->events_received = -1;
    yajl_val root = pw_gw_json_parse(body, n, NULL, 0);
    if (!YAJL_IS_OBJECT(root)) {
        yajl_tree_free(root);
        return 0;
    }
    yajl_val err = pw_gw_json_get(root, "error");
    if (YAJL_IS_OBJECT(err)) {
        out->has_error = 1;
        out->error_code = get_int(err, "code", 0);
        out->error_subcode = get_int(err, "error_subcode", 0);
        copy_clean(out->message, sizeof out->message, pw_gw_json_str(err, "message"));
        copy_clean(out->fbtrace_id, sizeof out->fbtrace_id, pw_gw_json_str(err, "fbtrace_id"));
    }
    out->events_received = get_int(root, "events_received", -1);
    yajl_val msgs = pw_gw_json_get(root, "messages");
    if (msgs) {
        pw_buf b;
        pw_buf_init(&b);
        pw_gw_json_emit(&b, msgs);
        if (!b.failed && pw_buf_putc(&b, '\0') == PW_OK)
            copy_clean(out->messages, sizeof out->messages, b.data);
        pw_buf_free(&b);
    }
    if (!out->fbtrace_id[0])
        copy_clean(out->fbtrace_id, sizeof out->fbtrace_id, pw_gw_json_str(root, "fbtrace_id"));
    yajl_tree_free(root);
    return 1;
}

int pw_fw_parse_ga4_response(const char *body, size_t n, pw_ga4_response *out)
{
    memset(out, 0, sizeof *out);
    if (n == 0)
        return 1; /* production answers 2xx with an empty body */
    yajl_val root = pw_gw_json_parse(body, n, NULL, 0);
    if (!YAJL_IS_OBJECT(root)) {
        yajl_tree_free(root);
        return 0;
    }
    yajl_val msgs = pw_gw_json_get(root, "validationMessages");
    if (YAJL_IS_ARRAY(msgs)) {
        out->validation_messages = msgs->u.array.len;
        if (msgs->u.array.len) {
            yajl_val m = msgs->u.array.values[0];
            copy_clean(out->first_message, sizeof out->first_message,
                       pw_gw_json_str(m, "description"));
        }
    }
    yajl_tree_free(root);
    return 1;
}

int pw_fw_meta_code_retryable(long long code)
{
    switch (code) {
    case 1:  /* unknown error, transient */
    case 2:  /* service temporarily unavailable */
    case 4:  /* application request limit */
    case 17: /* user request limit */
    case 341: /* application limit reached */ return 1;
    case 10:  /* permission denied */
    case 100: /* invalid parameter: the batch is wrong and stays wrong */
    case 190: /* invalid access token */ return 0;
    default: return code >= 200 && code <= 299 ? 0 : -1; /* 200–299: permissions */
    }
}

/* Meta's error-handling guide: 102 (API session) and 190 (access token expired, revoked or
 * invalid) want a new token; 3 (API method), 10 (permission denied) and 200–299 (permissions)
 * want the missing capability or permission granted. None of them is about the events. */
int pw_fw_meta_code_auth(long long code)
{
    return code == 3 || code == 10 || code == 102 || code == 190 || (code >= 200 && code <= 299);
}
