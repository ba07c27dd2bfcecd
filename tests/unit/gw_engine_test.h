/*
 * gw_engine_test.h — a policy bound to the real PHI engine (gw_phi_detect.c) for the gateway's
 * unit tests that check what the engine decides inside the policy (test_gw_policy_es.c,
 * test_gw_policy_kind.c): parse the YAML, build a detector and a pool, borrow one scratch.
 */
#ifndef GW_ENGINE_TEST_H
#define GW_ENGINE_TEST_H

#include <stdlib.h>
#include <string.h>

#include "gw_phi_detect.h"
#include "gw_policy.h"
#include "gw_test_policy.h"
#include "pw_test.h"

typedef struct gw_engine {
    pw_gw_policy *p;
    pw_detector *d;
    pw_gw_phi_pool *pool;
    pw_gw_phi phi;
    void *token;
} gw_engine;

/* 1 when e is ready; the YAML names the test secrets (gw_test_policy.h). */
static int gw_engine_open(gw_engine *e, const char *yaml)
{
    pw_err err = {0};
    memset(e, 0, sizeof *e);
    e->p = gw_test_policy_load(yaml, &err);
    CHECK_STR(err.msg, "");
    CHECK_INT(pw_detector_new(NULL, &e->d, &err), PW_OK);
    CHECK_INT(pw_gw_phi_pool_new(e->d, &e->pool, &err), PW_OK);
    if (!e->p || !e->pool) {
        fprintf(stderr, "setup: %s\n", err.msg);
        return 0;
    }
    pw_gw_phi_source src = pw_gw_phi_pool_source(e->pool);
    CHECK_INT(src.borrow(src.ctx, &e->phi, &e->token, &err), PW_OK);
    return e->token != NULL;
}

static void gw_engine_close(gw_engine *e)
{
    if (e->pool && e->token) {
        pw_gw_phi_source src = pw_gw_phi_pool_source(e->pool);
        src.give_back(src.ctx, e->token);
    }
    pw_gw_phi_pool_free(e->pool);
    pw_detector_free(e->d);
    pw_gw_policy_free(e->p);
    memset(e, 0, sizeof *e);
}

#endif
