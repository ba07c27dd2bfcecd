/*
 * test_gw_spool_room.c — /healthz and the put agree on what the spool still takes. Before, /healthz
 * said "not full" while max_bytes left at least 4 KiB, and a put of a larger event (8 KiB) was
 * refused with 503 meanwhile, with nothing anywhere saying so. Now pw_spool_put_room (the
 * /metrics gauge phiwall_gateway_spool_put_room_bytes, and the /healthz reasons) is the put's own
 * rule: a put of exactly that many bytes is taken, one byte more is refused, and pw_spool_full
 * (/healthz) is "full" exactly when a 4 KiB put would be refused.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gw_test_db.h"
#include "pw_test.h"
#include "spool.h"
#include "spool_sqlite_internal.h"

static pw_status put_sized(pw_spool *s, const char *id, uint64_t bytes)
{
    /* payload length so that the item counts `bytes` (pw_spool_item_bytes) */
    uint64_t fixed = pw_spool_item_bytes(strlen(id), strlen("meta"), 0, 1);
    size_t len = bytes > fixed ? (size_t)(bytes - fixed) : 0;
    char *p = malloc(len + 1);
    if (!p)
        return PW_ERR_NOMEM;
    memset(p, 'x', len);
    p[len] = '\0';
    CHECK(pw_spool_item_bytes(strlen(id), strlen("meta"), len, 1) == bytes);
    pw_spool_put_item it = {id, "meta", p, len, 0, 0};
    pw_status st = pw_spool_put(s, &it, 1, NULL);
    free(p);
    return st;
}

static void test_healthz_and_put_agree(void)
{
    char path[256];
    gw_test_db_path(path, sizeof path, "pw_spool", "room");
    pw_spool_opts o = {.path = path, .max_bytes = 40000, .reserve_bytes = 1};
    pw_spool *s = NULL;
    CHECK_INT(pw_spool_open(&o, &s, NULL), PW_OK);
    if (!s)
        return;
    CHECK_INT(put_sized(s, "a-01", 34000), PW_OK);
    uint64_t room = pw_spool_put_room(s);
    CHECK(room == 6000); /* the disk of the test machine has far more beyond a 1-byte reserve */
    CHECK_INT(pw_spool_full(s), 0); /* a 4 KiB event is still taken... */
    /* ...and what is not is said, and is what the put does: */
    CHECK_INT(put_sized(s, "b-01", room + 1), PW_ERR_LIMIT);
    CHECK_INT(put_sized(s, "b-02", 8192), PW_ERR_LIMIT); /* refused while /healthz says ok */
    CHECK_INT(pw_spool_put_room(s), room);
    CHECK_INT(put_sized(s, "b-03", room - 3000), PW_OK);
    CHECK_INT(pw_spool_put_room(s), 3000);
    CHECK_INT(pw_spool_full(s), 1); /* a 4 KiB event would be refused now */
    CHECK_INT(put_sized(s, "b-04", PW_SPOOL_HEALTH_PUT), PW_ERR_LIMIT);
    CHECK_INT(put_sized(s, "b-05", 3000), PW_OK);
    CHECK_INT(pw_spool_put_room(s), 0);
    pw_spool_close(s);
    gw_test_db_remove(path);
}

/* The disk side of the same rule, without a disk to fill: what a put of b bytes needs. */
static void test_room_of_the_disk(void)
{
    CHECK(pw_spool_room_of(UINT64_MAX, UINT64_MAX, 0) == UINT64_MAX);
    CHECK(pw_spool_room_of(5000, UINT64_MAX, 0) == 5000);
    /* 24 KiB beyond the reserve, no free pages: b + 16 KiB and 2b + 16 KiB fit for b = 4 KiB */
    CHECK(pw_spool_room_of(UINT64_MAX, 24576, 0) == 4096);
    /* free pages take the pages, never the WAL frames (b + 16 KiB on the disk itself) */
    CHECK(pw_spool_room_of(UINT64_MAX, 24576, 1 << 20) == 8192);
    CHECK(pw_spool_room_of(UINT64_MAX, 16384, 1 << 20) == 0);
    CHECK(pw_spool_room_of(100, 24576, 0) == 100);
}

PW_TEST_MAIN(PW_TEST(test_healthz_and_put_agree), PW_TEST(test_room_of_the_disk))
