/*
 * gw_test_hook.h — TEST-ONLY: the whole-gateway tests' policy of one webhook "hook" (the event
 * appointment_request as Schedule, param value), written into a gw_test_dir, a gateway started
 * on it, and a count of a string in a file (the audit log).
 */
#ifndef PW_GW_TEST_HOOK_H
#define PW_GW_TEST_HOOK_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../mock/mock_upstream.h"
#include "gw_test_server.h"

/* The policy: site origin https://www.example-hospital.org, the webhook at url (a request
 * timeout of 30 s: a test's held answer, or a loaded machine, is not a timeout). */
static inline void gw_test_hook_config(const gw_test_dir *d, const char *url)
{
    setenv("GW_TEST_HOOK_KEY", "0123456789abcdef-site-key", 1);
    FILE *f = fopen(d->config, "w");
    if (!f)
        return;
    fprintf(f,
            "site:\n  origins: [https://www.example-hospital.org]\n"
            "  hmac_key_env: GW_TEST_HOOK_KEY\n"
            "destinations:\n"
            "  hook:\n    type: webhook\n    url: %s\n    events: {appointment_request: "
            "Schedule}\n    allow_params: [value]\n    timeout_ms: 30000\n",
            url);
    fclose(f);
}

/* The policy with its webhook at the mock m under path ("/new"): the file a reload then reads. */
static inline void gw_test_hook_move(const gw_test_dir *d, mock_upstream *m, const char *path)
{
    char url[128];
    snprintf(url, sizeof url, "%s%s", mock_upstream_base(m), path);
    gw_test_hook_config(d, url);
}

/* A gateway on that policy, its webhook at the mock m under path ("/old"): the server, or NULL
 * when it did not start (the mock is stopped then; the caller CHECKs and returns). */
static inline pw_gw_server *gw_test_hook_server(const gw_test_dir *d, mock_upstream *m,
                                                const char *path)
{
    gw_test_hook_move(d, m, path);
    pw_err err = {0};
    pw_gw_server *s = gw_test_server_start(d, &err);
    if (!s)
        mock_upstream_stop(m);
    return s;
}

/* How often needle occurs in the first 256 KiB of path (0 when it cannot be read). */
static inline size_t gw_test_file_count(const char *path, const char *needle)
{
    static char buf[1 << 18];
    FILE *f = fopen(path, "r");
    size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0, count = 0;
    if (f)
        fclose(f);
    buf[n] = '\0';
    for (const char *p = buf; (p = strstr(p, needle)) != NULL; p += strlen(needle))
        count++;
    return count;
}

#endif
