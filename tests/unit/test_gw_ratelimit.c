/*
 * test_gw_ratelimit.c — the per-client token buckets under slot collisions: the slot hash is
 * keyed per process, and a colliding address shares the slot's bucket instead of resetting it
 * to full (two colliding addresses alternating once got 19 of 20 requests past per_second 1,
 * burst 2).
 */
#include <stdio.h>
#include <string.h>

#include "gw_runtime.h"
#include "pw_test.h"

static double clock_of(void *ctx)
{
    return *(double *)ctx;
}

static const unsigned char key[16] = "fixed-test-key!";

/* Two IPv4 addresses whose buckets share a slot under key (a birthday search over 10.0.x.y). */
static int colliding_pair(const pw_gw_ratelimit *r, char *a, char *b, size_t cap)
{
    enum { N = 4096 };
    static size_t slot[N];
    char ip[32];
    for (int i = 0; i < N; i++) {
        snprintf(ip, sizeof ip, "10.0.%d.%d", i / 256, i % 256);
        slot[i] = pw_gw_ratelimit_slot(r, ip);
        for (int j = 0; j < i; j++)
            if (slot[j] == slot[i]) {
                snprintf(a, cap, "10.0.%d.%d", j / 256, j % 256);
                snprintf(b, cap, "%s", ip);
                return 1;
            }
    }
    return 0;
}

static void test_colliding_addresses_share(void)
{
    double now = 1000.0;
    pw_gw_ratelimit *r = pw_gw_ratelimit_new_keyed(clock_of, &now, key);
    CHECK(r != NULL);
    if (!r)
        return;
    char a[32], b[32];
    CHECK(colliding_pair(r, a, b, sizeof a));
    CHECK(strcmp(a, b) != 0);
    CHECK_INT(pw_gw_ratelimit_slot(r, a), pw_gw_ratelimit_slot(r, b));
    /* 20 requests in one second, alternating: the burst (2) and one token of refill. */
    int ok = 0;
    for (int i = 0; i < 20; i++, now += 0.05)
        ok += pw_gw_ratelimit_take(r, i % 2 ? b : a, 1, 2);
    CHECK(ok <= 3);
    CHECK(ok >= 2);
    /* Idle long enough to refill: the other address takes the slot over with a full bucket. */
    now += 10;
    CHECK(pw_gw_ratelimit_take(r, b, 1, 2));
    CHECK(pw_gw_ratelimit_take(r, b, 1, 2));
    CHECK(!pw_gw_ratelimit_take(r, b, 1, 2));
    CHECK(!pw_gw_ratelimit_take(r, a, 1, 2)); /* still shared while it is not full again */
    pw_gw_ratelimit_free(r);
}

/* The key is per process and random: two limiters place the same addresses differently. */
static void test_key_is_random(void)
{
    pw_gw_ratelimit *x = pw_gw_ratelimit_new(), *y = pw_gw_ratelimit_new();
    CHECK(x && y);
    int differ = 0;
    char ip[32];
    for (int i = 0; x && y && i < 64; i++) {
        snprintf(ip, sizeof ip, "192.0.2.%d", i);
        differ += pw_gw_ratelimit_slot(x, ip) != pw_gw_ratelimit_slot(y, ip);
    }
    CHECK(differ > 32);
    pw_gw_ratelimit_free(x);
    pw_gw_ratelimit_free(y);
}

PW_TEST_MAIN(PW_TEST(test_colliding_addresses_share), PW_TEST(test_key_is_random))
