/* test_gw_spool_upto.c — pw_spool_lease_all_upto settles only the rows at or below a
 * pw_spool_high_water: a reload that changed a destination's endpoint dead-letters the queue
 * accepted for the old one, while the events accepted for the new one after it (same
 * destination name) stay queued for the forwarder. Before, the sweep leased every queued row.
 * And the gates a reload records (pw_spool_gate_put) survive a reopen until cleared. */
#include <stdio.h>
#include <string.h>

#include "gw_test_db.h"
#include "gw_time.h"
#include "pw_test.h"
#include "spool.h"

static void put(pw_spool *s, const char *event_id)
{
    pw_spool_put_item it = {event_id, "hook", "{}", 2, pw_gw_now_ms(), 0};
    CHECK_INT(pw_spool_put(s, &it, 1, NULL), PW_OK);
}

/* Leases every item of hook up to row upto and dead-letters it, as the reload's sweep does;
 * "a" … "e" seen, as a bit mask. */
static unsigned sweep(pw_spool *s, int64_t upto, size_t *n_out)
{
    pw_spool_item *it = NULL;
    size_t n = 0;
    CHECK_INT(pw_spool_lease_all_upto(s, "hook", upto, 100, &it, &n, NULL), PW_OK);
    unsigned seen = 0;
    for (size_t i = 0; i < n; i++) {
        seen |= 1u << (it[i].event_id[0] - 'a');
        CHECK_INT(pw_spool_dead(s, it[i].id, "endpoint changed", NULL), PW_OK);
    }
    pw_spool_items_free(it, n);
    *n_out = n;
    return seen;
}

static void test_sweep_stops_at_the_bound(void)
{
    char path[256];
    gw_test_db_path(path, sizeof path, "gw_spool_upto", "bound");
    pw_spool_opts o = {.path = path, .commit_interval_ms = 1};
    pw_spool *s = NULL;
    CHECK_INT(pw_spool_open(&o, &s, NULL), PW_OK);
    if (!s)
        return;
    CHECK_INT(pw_spool_high_water(s), 0);
    put(s, "a");
    put(s, "b");
    /* b was leased once and its lease is still running (a forwarder's request in flight). */
    pw_spool_item *it = NULL;
    size_t n = 0;
    CHECK_INT(pw_spool_lease(s, "hook", 2, 60000, &it, &n, NULL), PW_OK);
    CHECK_INT(n, 2);
    int64_t a_id = n == 2 ? it[strcmp(it[0].event_id, "a") == 0 ? 0 : 1].id : 0;
    pw_spool_items_free(it, n);
    CHECK_INT(pw_spool_ack(s, &a_id, 1, NULL), PW_OK);
    int64_t bound = pw_spool_high_water(s);
    CHECK(bound > 0);
    put(s, "c"); /* accepted after the bound */
    put(s, "d");
    CHECK(pw_spool_high_water(s) > bound);

    CHECK_INT(sweep(s, bound, &n), 1u << 1); /* b only: a was delivered, c and d are later */
    CHECK_INT(n, 1);
    CHECK_INT(sweep(s, bound, &n), 0u); /* nothing left below the bound: the sweep ends */
    CHECK_INT(n, 0);

    /* The later rows are the forwarder's, as new items (the sweep did not move past them). */
    CHECK_INT(pw_spool_lease(s, "hook", 10, 60000, &it, &n, NULL), PW_OK);
    unsigned seen = 0;
    for (size_t i = 0; i < n; i++) {
        seen |= 1u << (it[i].event_id[0] - 'a');
        CHECK_INT(it[i].attempts, 1);
    }
    pw_spool_items_free(it, n);
    CHECK_INT(seen, (1u << 2) | (1u << 3));
    pw_spool_close(s);
    gw_test_db_remove(path);
}

/* The gated destinations a reload records survive a reopen (a restart or a crash while gated),
 * with their bound, until cleared. */
static void test_gates_survive_a_reopen(void)
{
    char path[256];
    gw_test_db_path(path, sizeof path, "gw_spool_upto", "gates");
    pw_spool_opts o = {.path = path, .commit_interval_ms = 1};
    pw_spool *s = NULL;
    CHECK_INT(pw_spool_open(&o, &s, NULL), PW_OK);
    if (!s)
        return;
    pw_spool_gate *g = NULL;
    size_t n = 9;
    CHECK_INT(pw_spool_gates(s, &g, &n, NULL), PW_OK); /* none: no table yet */
    CHECK_INT(n, 0);
    const char *names[2] = {"hook", "meta"};
    CHECK_INT(pw_spool_gate_put(s, names, 2, INT64_MAX, NULL), PW_OK);
    CHECK_INT(pw_spool_gate_put(s, names, 1, 42, NULL), PW_OK); /* the bound, once known */
    pw_spool_close(s);
    CHECK_INT(pw_spool_open(&o, &s, NULL), PW_OK);
    if (!s)
        return;
    CHECK_INT(pw_spool_gates(s, &g, &n, NULL), PW_OK);
    CHECK_INT(n, 2);
    if (n == 2) {
        CHECK(strcmp(g[0].dest, "hook") == 0);
        CHECK_INT(g[0].upto, 42);
        CHECK(strcmp(g[1].dest, "meta") == 0);
        CHECK(g[1].upto == INT64_MAX);
    }
    pw_spool_gates_free(g, n);
    CHECK_INT(pw_spool_gate_clear(s, "hook", NULL), PW_OK);
    pw_spool_close(s);
    CHECK_INT(pw_spool_open(&o, &s, NULL), PW_OK);
    if (!s)
        return;
    CHECK_INT(pw_spool_gates(s, &g, &n, NULL), PW_OK);
    CHECK_INT(n, 1);
    CHECK(n == 1 && strcmp(g[0].dest, "meta") == 0);
    pw_spool_gates_free(g, n);
    pw_spool_close(s);
    gw_test_db_remove(path);
}

PW_TEST_MAIN(PW_TEST(test_sweep_stops_at_the_bound), PW_TEST(test_gates_survive_a_reopen))
