/*
 * gw_commit.h — the asynchronous commit of accepted requests: spool rows first (the spool's
 * group commit, pw_spool_put_async), then their audit records, gathered from every request that
 * completed meanwhile into one audit append (one sync). Lets the HTTP threads suspend a request
 * instead of blocking on fsync, so many requests share each commit.
 */
#ifndef PHIWALL_GW_COMMIT_H
#define PHIWALL_GW_COMMIT_H

#include "gw_ingest.h"

typedef struct pw_gw_committer pw_gw_committer;

/* Runs on the committer's thread once the request is durable (or refused). Must be quick. */
typedef void (*pw_gw_commit_done)(void *ctx, pw_status spool_st, pw_status audit_st);

pw_status pw_gw_committer_new(pw_spool *spool, pw_audit *audit, void (*notify)(void *ctx),
                              void *notify_ctx, pw_gw_committer **out, pw_err *err);
/* pr (and the records it points to) must stay valid until done runs. A non-OK return means
 * done will not run. */
pw_status pw_gw_commit_submit(pw_gw_committer *c, const pw_gw_prepared *pr, pw_gw_commit_done done,
                              void *ctx, pw_err *err);
/* Completes every submitted request (its spool puts must be able to finish), then frees. */
void pw_gw_committer_free(pw_gw_committer *c);

#endif
