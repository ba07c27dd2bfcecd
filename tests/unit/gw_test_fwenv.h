/*
 * gw_test_fwenv.h — TEST-ONLY environment of the forwarder tests: a fresh SQLite spool and audit
 * log under /tmp, a loopback mock upstream (tests/mock/mock_upstream.c, included by the test
 * before this header), the forwarders once a test starts them; put a raw payload, wait until a
 * destination has drained, remove everything again.
 */
#ifndef GW_TEST_FWENV_H
#define GW_TEST_FWENV_H

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit.h"
#include "forward.h"
#include "gw_test_db.h"
#include "gw_time.h"
#include "pw_test.h"
#include "spool.h"

/* A request timeout for the tests whose subject is not the timeout: the mock upstream runs in
 * the test's process, a thread per connection, so under valgrind (threads run one at a time) or
 * on a loaded machine a wave of 100 requests took over the default 1500 ms, and the timed-out
 * requests were retried (more requests and "retry" records than the test counts). */
#define GW_TEST_REQ_TIMEOUT_MS 30000
/* How long a test waits for a condition it polls for (drained, paused…): returned early once it
 * holds, so only a failing test waits this long. */
#define GW_TEST_WAIT_MS 60000

typedef struct env {
    char spool_path[256], audit_path[256];
    pw_spool *spool;
    pw_audit *audit;
    mock_upstream *mock;
    pw_forwarders *fw;
} env;

/* prefix keeps two test programs running in parallel apart, tag two tests of one program. */
static inline void env_open(env *e, const char *prefix, const char *tag)
{
    memset(e, 0, sizeof *e);
    snprintf(e->spool_path, sizeof e->spool_path, "/tmp/%s_%s_%d.db", prefix, tag, (int)getpid());
    snprintf(e->audit_path, sizeof e->audit_path, "/tmp/%s_%s_%d.log", prefix, tag, (int)getpid());
    unlink(e->spool_path);
    unlink(e->audit_path);
    pw_spool_opts o = {.path = e->spool_path, .commit_interval_ms = 0};
    CHECK_INT(pw_spool_open(&o, &e->spool, NULL), PW_OK);
    CHECK_INT(pw_audit_open(e->audit_path, &e->audit, NULL), PW_OK);
    e->mock = mock_upstream_start();
    CHECK(e->mock != NULL);
}

static inline void env_close(env *e)
{
    pw_forwarders_stop(e->fw);
    mock_upstream_stop(e->mock);
    pw_audit_close(e->audit);
    pw_spool_close(e->spool);
    gw_test_db_remove(e->spool_path);
    unlink(e->audit_path);
}

static inline void put_raw(env *e, const char *dest, const char *id, const char *payload,
                           int64_t created_ms)
{
    pw_spool_put_item it = {id, dest, payload, strlen(payload), created_ms, 0};
    CHECK_INT(pw_spool_put(e->spool, &it, 1, NULL), PW_OK);
}

/* A Meta Conversions API destination at the mock (v21.0); timeout_ms 0 takes the default. */
static inline pw_destination env_meta_dest(const env *e, const char *pixel_id, const char *token,
                                           unsigned timeout_ms)
{
    pw_destination d = {.name = "meta",
                        .kind = PW_DEST_META_CAPI,
                        .base_url = mock_upstream_base(e->mock),
                        .api_version = "v21.0",
                        .pixel_id = pixel_id,
                        .access_token = token,
                        .timeout_ms = timeout_ms};
    return d;
}

/* Wait until the destination has nothing queued (delivered or dead). */
static inline int drained(env *e, const char *dest, unsigned timeout_ms)
{
    int64_t until = pw_gw_mono_ms() + timeout_ms;
    pw_spool_stats st;
    while (pw_gw_mono_ms() < until) {
        if (pw_spool_stats_get(e->spool, dest, &st, NULL) == PW_OK && st.depth == 0)
            return 1;
        usleep(2000);
    }
    return 0;
}

/* A valid Meta event accepted 30 s ago (malloc'd): event_id id, a hashed email. */
static inline char *env_meta_event(const char *id)
{
    char *s = malloc(512);
    if (s)
        snprintf(s, 512,
                 "{\"event_name\":\"Lead\",\"event_time\":%lld,\"event_id\":\"%s\","
                 "\"action_source\":\"website\",\"user_data\":{\"em\":"
                 "[\"a665a45920422f9d417e4867efdc4fb8a04a1f3fff1fa07e998e86f7f7a27ae3\"]}}",
                 (long long)(pw_gw_now_ms() / 1000) - 30, id);
    return s;
}

/* Records of the audit log at path whose line holds `needle`. */
typedef struct env_grep {
    const char *needle;
    size_t n;
} env_grep;

static inline int env_grep_line(const pw_audit_entry *e, void *ctx)
{
    env_grep *g = ctx;
    if (memmem(e->line, e->line_len, g->needle, strlen(g->needle)))
        g->n++;
    return 0;
}

static inline size_t count_records(const char *path, const char *needle)
{
    env_grep g = {needle, 0};
    pw_audit_list_file(path, NULL, env_grep_line, &g, NULL);
    return g.n;
}

/* The first MiB of a file (a log, the audit file), "" when it cannot be read; one static buffer:
 * the next call overwrites it. */
static inline char *env_read_all(const char *path)
{
    static char buf[1 << 20];
    buf[0] = '\0';
    FILE *f = fopen(path, "rb");
    if (!f)
        return buf;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

/* How often needle occurs in hay. */
static inline size_t env_occurrences(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = hay; p && (p = strstr(p, needle)) != NULL; p += strlen(needle))
        n++;
    return n;
}

/* The destination's pause (PW_FORWARD_PAUSED_*, 0 running; -1 unknown). */
static inline int env_paused_of(env *e, const char *dest)
{
    pw_forward_stats st;
    return pw_forwarders_stats(e->fw, dest, &st) == PW_OK ? st.paused : -1;
}

/* stderr into a file for the duration of a test, to read the gateway's log. */
typedef struct env_capture {
    char path[300];
    int saved;
} env_capture;

static inline int env_capture_start(env_capture *c, const env *e)
{
    snprintf(c->path, sizeof c->path, "%s.stderr", e->audit_path);
    fflush(stderr);
    c->saved = dup(2);
    int fd = open(c->path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (c->saved < 0 || fd < 0)
        return 0;
    dup2(fd, 2);
    close(fd);
    return 1;
}

/* The log written since env_capture_start (env_read_all's buffer); stderr restored. */
static inline const char *env_capture_end(env_capture *c)
{
    fflush(stderr);
    dup2(c->saved, 2);
    close(c->saved);
    const char *log = env_read_all(c->path);
    unlink(c->path);
    return log;
}

#endif
