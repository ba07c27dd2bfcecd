/* test_gw_spool_consent.c — the spool keeps the consent each event arrived with
 * (pw_spool_put_item.consent → pw_spool_item.consent) across a reopen, for every destination of
 * the event's row; a file written before the column (ev.consent dropped here, as a file of an
 * older phiwall lacks it) opens, its rows reading 0 (not recorded), and new rows record it again.
 * Before, the spool kept no consent: a reload that made a destination require consent could not
 * refuse the backlog spooled without it (integration/gateway_narrow_consent). */
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "gw_test_db.h"
#include "gw_time.h"
#include "pw_test.h"
#include "spool.h"

enum { ADS_ANALYTICS = PW_SPOOL_CONSENT_KNOWN | PW_SPOOL_CONSENT_ADS | PW_SPOOL_CONSENT_ANALYTICS };

static void put(pw_spool *s, const char *event_id, unsigned consent)
{
    int64_t now = pw_gw_now_ms();
    pw_spool_put_item it[2] = {{event_id, "meta", "{}", 2, now, consent},
                               {event_id, "ga4", "{}", 2, now, consent}};
    CHECK_INT(pw_spool_put(s, it, 2, NULL), PW_OK);
}

/* The consent of each leased item of dest, by event_id "a", "b", "c"… (-1: not leased). */
static void lease_consents(pw_spool *s, const char *dest, int out[4])
{
    for (int i = 0; i < 4; i++)
        out[i] = -1;
    pw_spool_item *it = NULL;
    size_t n = 0;
    CHECK_INT(pw_spool_lease(s, dest, 10, 1, &it, &n, NULL), PW_OK);
    for (size_t i = 0; i < n; i++) {
        int k = it[i].event_id[0] - 'a';
        if (k >= 0 && k < 4)
            out[k] = (int)it[i].consent;
    }
    pw_spool_items_free(it, n);
}

static void test_kept_across_a_reopen(void)
{
    char path[256];
    gw_test_db_path(path, sizeof path, "gw_spool_consent", "kept");
    pw_spool_opts o = {.path = path, .commit_interval_ms = 1};
    pw_spool *s = NULL;
    CHECK_INT(pw_spool_open(&o, &s, NULL), PW_OK);
    if (!s)
        return;
    put(s, "a", ADS_ANALYTICS);
    put(s, "b", PW_SPOOL_CONSENT_KNOWN | PW_SPOOL_CONSENT_ANALYTICS);
    put(s, "c", PW_SPOOL_CONSENT_KNOWN); /* no consent at all */
    put(s, "d", 0);                      /* not recorded (a caller that does not say) */
    int c[4];
    lease_consents(s, "meta", c);
    CHECK_INT(c[0], ADS_ANALYTICS);
    CHECK_INT(c[1], PW_SPOOL_CONSENT_KNOWN | PW_SPOOL_CONSENT_ANALYTICS);
    CHECK_INT(c[2], PW_SPOOL_CONSENT_KNOWN);
    CHECK_INT(c[3], 0);
    pw_spool_close(s);
    CHECK_INT(pw_spool_open(&o, &s, NULL), PW_OK); /* leases end with the process */
    if (!s)
        return;
    lease_consents(s, "ga4", c); /* the row's second destination: the same consent */
    CHECK_INT(c[0], ADS_ANALYTICS);
    CHECK_INT(c[1], PW_SPOOL_CONSENT_KNOWN | PW_SPOOL_CONSENT_ANALYTICS);
    CHECK_INT(c[2], PW_SPOOL_CONSENT_KNOWN);
    CHECK_INT(c[3], 0);
    lease_consents(s, "meta", c);
    CHECK_INT(c[0], ADS_ANALYTICS);
    CHECK_INT(c[2], PW_SPOOL_CONSENT_KNOWN);
    pw_spool_close(s);
    gw_test_db_remove(path);
}

static void test_file_without_the_column(void)
{
    char path[256];
    gw_test_db_path(path, sizeof path, "gw_spool_consent", "old");
    pw_spool_opts o = {.path = path, .commit_interval_ms = 1};
    pw_spool *s = NULL;
    CHECK_INT(pw_spool_open(&o, &s, NULL), PW_OK);
    if (!s)
        return;
    put(s, "a", ADS_ANALYTICS);
    pw_spool_close(s);
    sqlite3 *db = NULL;
    CHECK_INT(sqlite3_open(path, &db), SQLITE_OK);
    CHECK_INT(sqlite3_exec(db, "ALTER TABLE ev DROP COLUMN consent", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    CHECK_INT(pw_spool_open(&o, &s, NULL), PW_OK);
    if (!s)
        return;
    put(s, "b", PW_SPOOL_CONSENT_KNOWN);
    int c[4];
    lease_consents(s, "meta", c);
    CHECK_INT(c[0], 0); /* written before the column: not recorded */
    CHECK_INT(c[1], PW_SPOOL_CONSENT_KNOWN);
    pw_spool_close(s);
    gw_test_db_remove(path);
}

PW_TEST_MAIN(PW_TEST(test_kept_across_a_reopen), PW_TEST(test_file_without_the_column))
