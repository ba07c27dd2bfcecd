/*
 * gw_test_server.h — the whole gateway in-process for tests: a temp directory with the config,
 * spool and audit paths, a server on a free loopback port, and one HTTP request at a time.
 */
#ifndef PW_GW_TEST_SERVER_H
#define PW_GW_TEST_SERVER_H

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>

#include "gw_server.h"

typedef struct gw_test_dir {
    char dir[64], config[128], spool[128], audit[128];
} gw_test_dir;

/* A fresh /tmp/pw_gw_<tag>_XXXXXX with the paths inside it; 0 when it cannot be made. */
static int gw_test_dir_make(gw_test_dir *d, const char *tag)
{
    snprintf(d->dir, sizeof d->dir, "/tmp/pw_gw_%s_XXXXXX", tag);
    if (!mkdtemp(d->dir))
        return 0;
    snprintf(d->config, sizeof d->config, "%s/gateway.yaml", d->dir);
    snprintf(d->spool, sizeof d->spool, "%s/spool.db", d->dir);
    snprintf(d->audit, sizeof d->audit, "%s/audit.log", d->dir);
    return 1;
}

/* Start a gateway on 127.0.0.1 (a free port, 2 HTTP threads) with d's config, spool and audit
 * log; NULL (the error printed) when it does not start. */
static pw_gw_server *gw_test_server_start(const gw_test_dir *d, pw_err *err)
{
    pw_gw_server_opts o = {.config = d->config,
                           .host = "127.0.0.1",
                           .port = 0,
                           .spool_path = d->spool,
                           .audit_path = d->audit,
                           .threads = 2};
    pw_gw_server *s = NULL;
    if (pw_gw_server_start(&o, &s, err) != PW_OK) {
        fprintf(stderr, "gateway: %s\n", err->msg);
        return NULL;
    }
    return s;
}

/* GET path, or POST body to it (body non-NULL) as the site's tag does; the status (0: no
 * answer) and the answer in out. */
static long gw_test_request(unsigned port, const char *path, const char *body, char *out,
                            size_t cap)
{
    CURL *c = curl_easy_init();
    char url[96];
    snprintf(url, sizeof url, "http://127.0.0.1:%u%s", port, path);
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: text/plain");
    h = curl_slist_append(h, "Origin: https://www.example-hospital.org");
    FILE *mem = fmemopen(out, cap, "w");
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    if (body)
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, mem);
    long status = 0;
    if (curl_easy_perform(c) == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    fclose(mem);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    return status;
}

/* rm -rf the directory; 1 when it went. */
static int gw_test_dir_remove(const gw_test_dir *d)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", d->dir);
    return system(cmd) == 0;
}

#endif
