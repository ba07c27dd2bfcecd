/*
 * test_gw_policy_nomem.c — the gateway's policy loader under memory exhaustion. libyaml checks
 * its allocations and reports YAML_MEMORY_ERROR, and the loader checks its own, but that path was
 * never run: here every allocation of a load (the file's buffer, libyaml's, the policy's) is
 * refused in turn — the k-th, for each k up to the number a successful load makes — and the load
 * must end in an error that names the file and says out of memory (or the file's I/O error when
 * fopen's own buffer is the one refused), never a crash, a parse error or a half-built policy.
 *
 * TEST-ONLY fault injection: this executable defines malloc, calloc and realloc (libyaml's
 * allocations reach them), which refuse the fail_at-th call while armed and otherwise call
 * glibc's. Skipped under ASan (its runtime defines them).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gw_policy.h"
#include "pw_test.h"

#ifndef PW_TEST_ASAN
/* A policy with a site, a webhook and its lists: about 150 allocations to load. */
static const char policy[] = "site:\n  origins: [https://www.example-hospital.org]\n"
                             "  hmac_key_env: PW_POLICY_NOMEM_KEY\n"
                             "destinations:\n"
                             "  hook:\n    type: webhook\n    url: http://127.0.0.1:9/hook\n"
                             "    events: {appointment_request: Schedule, page_view: View}\n"
                             "    allow_params: [value, currency]\n    timeout_ms: 30000\n";

static int armed;           /* count (and maybe refuse) allocations while set */
static long calls, fail_at; /* single-threaded: the loader runs on this thread alone */

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);

static int refused(void)
{
    if (!armed || ++calls != fail_at)
        return 0;
    errno = ENOMEM; /* as glibc's would */
    return 1;
}

void *malloc(size_t n)
{
    return refused() ? NULL : __libc_malloc(n);
}

void *calloc(size_t n, size_t size)
{
    return refused() ? NULL : __libc_calloc(n, size);
}

void *realloc(void *p, size_t n)
{
    return refused() ? NULL : __libc_realloc(p, n);
}

/* Load path with the k-th allocation refused (0: none); the number made. */
static pw_status load_failing(const char *path, long k, long *made, pw_err *err)
{
    pw_gw_policy *p = NULL;
    calls = 0;
    fail_at = k;
    armed = 1;
    pw_status st = pw_gw_policy_load(path, &p, err);
    armed = 0;
    *made = calls;
    CHECK((st == PW_OK) == (p != NULL));
    pw_gw_policy_free(p);
    return st;
}
#endif

static void test_each_allocation_of_a_load_fails(void)
{
#ifndef PW_TEST_ASAN
    setenv("PW_POLICY_NOMEM_KEY", "0123456789abcdef-site-key", 1);
    char dir[] = "/tmp/pw_policy_nomem_XXXXXX", path[64];
    CHECK(mkdtemp(dir) != NULL);
    snprintf(path, sizeof path, "%s/gateway.yaml", dir);
    FILE *f = fopen(path, "w");
    CHECK(f && fputs(policy, f) >= 0);
    if (f)
        fclose(f);
    pw_err err;
    long total = 0;
    CHECK_INT(load_failing(path, 0, &total, &err), PW_OK);
    CHECK(total > 10); /* the file's buffer, libyaml's tokens and nodes, the policy */
    size_t n = strlen(path);
    long nomem = 0;
    for (long k = 1; k <= total; k++) {
        long made = 0;
        pw_err_clear(&err);
        pw_status st = load_failing(path, k, &made, &err);
        if (st == PW_OK) /* one it does without (stdio's buffer; the directory's copy: ".") */
            continue;
        nomem += st == PW_ERR_NOMEM;
        if (st != PW_ERR_NOMEM && st != PW_ERR_IO)
            fprintf(stderr, "allocation %ld of %ld: %s\n", k, total, err.msg);
        CHECK(st == PW_ERR_NOMEM || st == PW_ERR_IO);
        CHECK(strncmp(err.msg, path, n) == 0 && err.msg[n] == ':');
        if (st == PW_ERR_IO) /* fopen's FILE refused: "PATH: Cannot allocate memory" */
            CHECK(strstr(err.msg, "Cannot allocate memory") != NULL);
        else
            CHECK(strstr(err.msg, ": out of memory") != NULL);
    }
    CHECK(nomem > total - 5);
    unlink(path);
    rmdir(dir);
#else
    printf("skipped under ASan: its runtime defines malloc\n");
#endif
}

PW_TEST_MAIN(PW_TEST(test_each_allocation_of_a_load_fails))
