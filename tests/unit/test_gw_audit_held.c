/*
 * test_gw_audit_held.c — a gateway stopped while its audit log refuses the ingest records of
 * requests it already answered (a full audit disk) does not lose them: the committer keeps them
 * in the spool's file at the stop, and they are appended to the audit log, as they were, at the
 * next start (pw_audit_restore_from_spool) — exactly once, the chain intact. Before, they were
 * logged as lost. The audit log sits on a small tmpfs of the test's own, filled by a filler
 * file; skipped (exit 77) where mounting a tmpfs is not permitted.
 */
#include "gw_test_tmpfs.h" /* first: unshare before any thread */

#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

#include "audit.h"
#include "audit_hold.h"
#include "gw_commit.h"
#include "gw_test_db.h"
#include "gw_time.h"
#include "pw_test.h"
#include "spool.h"

static gw_tmpfs fs;

#define EID "8a6e0804-2bd0-4672-b79d-d97027f9071a"

static atomic_int answered;

static void on_done(void *ctx, pw_status spool_st, pw_status audit_st, pw_gw_commit_dups dups)
{
    (void)ctx;
    (void)audit_st;
    (void)dups;
    CHECK_INT(spool_st, PW_OK); /* durable: the 200 goes out before the records are written */
    atomic_store(&answered, 1);
}

typedef struct trail {
    char actions[256];
    char fields[128];
} trail;

static int collect(const pw_audit_entry *en, void *ctx)
{
    trail *t = ctx;
    if (!en->event_id || strcmp(en->event_id, EID) != 0)
        return 0;
    size_t len = strlen(t->actions);
    snprintf(t->actions + len, sizeof t->actions - len, "%s%s/%s", len ? " " : "", en->action,
             en->destination ? en->destination : "-");
    if (en->fields_json)
        snprintf(t->fields, sizeof t->fields, "%s", en->fields_json);
    return 0;
}

static size_t held_count(pw_spool *s)
{
    char **lines = NULL;
    size_t n = 0;
    CHECK_INT(pw_spool_held_lines(s, &lines, &n, NULL), PW_OK);
    pw_spool_names_free(lines, n);
    return n;
}

static void test_held_records_survive_a_stop(void)
{
    char spool_path[128], audit_path[128];
    snprintf(spool_path, sizeof spool_path, "/tmp/gw_audit_held_%d.db", (int)getpid());
    snprintf(audit_path, sizeof audit_path, "%s/audit.log", fs.dir);
    unlink(spool_path);
    pw_spool *spool = NULL;
    pw_audit *audit = NULL;
    pw_spool_opts so = {.path = spool_path, .commit_interval_ms = 0};
    CHECK_INT(pw_spool_open(&so, &spool, NULL), PW_OK);
    CHECK_INT(pw_audit_open(audit_path, &audit, NULL), PW_OK);
    CHECK_INT(held_count(spool), 0);

    pw_gw_committer *c = NULL;
    CHECK_INT(pw_gw_committer_new(spool, audit, NULL, NULL, &c, NULL), PW_OK);
    gw_tmpfs_fill(&fs, 0);
    const char *payload = "{\"event_name\":\"Schedule\"}";
    int64_t now = pw_gw_now_ms();
    pw_spool_put_item item = {EID, "meta", payload, strlen(payload), now, 0};
    pw_audit_record recs[2] = {{.time_ms = now,
                                .event_id = EID,
                                .event_name = "Schedule",
                                .action = PW_AUDIT_ACCEPTED,
                                .rule = "ingest: valid event"},
                               {.time_ms = now,
                                .event_id = EID,
                                .event_name = "Schedule",
                                .destination = "meta",
                                .action = PW_AUDIT_QUEUED,
                                .rule = "events.appointment_request",
                                .fields_json = "{\"event_name\":\"events.appointment_request\"}"}};
    pw_gw_prepared pr = {
        .items = &item, .n_items = 1, .recs = recs, .n_recs = 2, .n_events = 1, .n_accepted = 1};
    CHECK_INT(pw_gw_commit_submit(c, &pr, on_done, NULL, NULL), PW_OK);
    for (int64_t until = pw_gw_mono_ms() + 60000; /* returns once it holds */
         !(atomic_load(&answered) && pw_gw_committer_audit_down(c)) && pw_gw_mono_ms() < until;)
        usleep(10000);
    CHECK(atomic_load(&answered));
    CHECK_INT(pw_gw_committer_audit_down(c), 1); /* the records are held in memory */
    pw_gw_committer_free(c);                     /* the stop, the log still full */

    trail t = {0};
    CHECK_INT(pw_audit_list_file(audit_path, NULL, collect, &t, NULL), PW_OK);
    CHECK_STR(t.actions, "");        /* not in the log… */
    CHECK_INT(held_count(spool), 2); /* …but kept */

    /* The next start, with room again: appended once, as they were. */
    pw_audit_close(audit);
    gw_tmpfs_free_filler(&fs);
    CHECK_INT(pw_audit_open(audit_path, &audit, NULL), PW_OK);
    size_t n = 0;
    CHECK_INT(pw_audit_restore_from_spool(spool, audit, &n, NULL), PW_OK);
    CHECK_INT(n, 2);
    CHECK_INT(held_count(spool), 0);
    CHECK_INT(pw_audit_restore_from_spool(spool, audit, &n, NULL), PW_OK);
    CHECK_INT(n, 0);
    memset(&t, 0, sizeof t);
    CHECK_INT(pw_audit_list_file(audit_path, NULL, collect, &t, NULL), PW_OK);
    CHECK_STR(t.actions, "accepted/- queued/meta");
    CHECK_STR(t.fields, "{\"event_name\":\"events.appointment_request\"}");
    pw_audit_verify_result vr;
    CHECK_INT(pw_audit_verify_file(audit_path, &vr, NULL), PW_OK);

    pw_audit_close(audit);
    pw_spool_close(spool);
    gw_test_db_remove(spool_path);
    unlink(audit_path);
}

GW_TMPFS_MAIN(fs, 512, PW_TEST(test_held_records_survive_a_stop))
