/* test_gw_spool_io.c — what the spool writes to its WAL per commit. Delivering the last event of
 * a group deletes its body row (the group's payloads, an overflow chain); the pages that chain
 * frees go on the free list without being rewritten: the ack's commit writes a few B-tree pages,
 * not the payload bytes again as zeros (SQLite built with SQLITE_SECURE_DELETE, as Debian's is,
 * zeroed every freed page through the WAL, and the checkpointer then copied the zeros into the
 * database file: as many bytes as the put had written). Counted from the -wal file's size,
 * which only grows while no checkpoint runs (a WAL frame: a 24-byte header and a page). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "gw_test_db.h"
#include "pw_test.h"
#include "spool.h"

#define PAYLOAD (200 * 1024) /* 50 pages of overflow chain */
#define FRAME   (24 + 4096)

static long long wal_size(const char *db)
{
    char wal[320];
    struct stat st;
    snprintf(wal, sizeof wal, "%s-wal", db);
    return stat(wal, &st) == 0 ? (long long)st.st_size : -1;
}

static void ack_rewrites_no_freed_page(void)
{
    char path[256];
    gw_test_db_path(path, sizeof path, "pw_spool_io", "ack");
    /* No reserve: a put near it may truncate the WAL (put_room), which would hide the count. */
    pw_spool_opts o = {.path = path, .reserve_bytes = PW_SPOOL_NO_RESERVE};
    pw_spool *s = NULL;
    pw_err err = {0};
    CHECK_INT(pw_spool_open(&o, &s, &err), PW_OK);
    if (!s)
        return;
    char *payload = malloc(PAYLOAD);
    CHECK(payload != NULL);
    if (!payload) {
        pw_spool_close(s);
        return;
    }
    for (size_t i = 0; i < PAYLOAD; i++)
        payload[i] = (char)('a' + i % 26);
    pw_spool_put_item it = {"io-1", "meta", payload, PAYLOAD, 0, 0};
    long long w0 = wal_size(path);
    CHECK_INT(pw_spool_put(s, &it, 1, &err), PW_OK);
    long long w1 = wal_size(path);
    /* The put wrote the payload's pages (the measure sees them). */
    CHECK(w0 >= 0 && w1 - w0 >= (long long)(PAYLOAD / 4096) * FRAME);

    pw_spool_item *items = NULL;
    size_t n = 0;
    CHECK_INT(pw_spool_lease(s, "meta", 10, 60000, &items, &n, &err), PW_OK);
    CHECK_INT((int)n, 1);
    if (n == 1) {
        CHECK_INT((int)items[0].payload_len, PAYLOAD);
        int64_t id = items[0].id;
        CHECK_INT(pw_spool_ack(s, &id, 1, &err), PW_OK);
    }
    pw_spool_items_free(items, n);
    long long w2 = wal_size(path);
    long long frames = (w2 - w1) / FRAME;
    if (frames >= 8)
        fprintf(stderr, "the ack wrote %lld WAL frames\n", frames);
    /* Before: the 50 freed overflow pages were written again, zeroed (53 frames). */
    CHECK(frames > 0 && frames < 8);

    pw_spool_stats st = {0};
    CHECK_INT(pw_spool_stats_get(s, NULL, &st, &err), PW_OK);
    CHECK_INT((int)st.depth, 0);
    pw_spool_close(s);

    /* The freed pages are reused: a second event of the same size leaves the file as it was. */
    struct stat a, b;
    CHECK_INT(stat(path, &a), 0);
    CHECK_INT(pw_spool_open(&o, &s, &err), PW_OK);
    if (s) {
        pw_spool_put_item it2 = {"io-2", "meta", payload, PAYLOAD, 0, 0};
        CHECK_INT(pw_spool_put(s, &it2, 1, &err), PW_OK);
        pw_spool_close(s);
    }
    CHECK_INT(stat(path, &b), 0);
    CHECK(b.st_size <= a.st_size + 4 * 4096);
    free(payload);
    gw_test_db_remove(path);
}

PW_TEST_MAIN(PW_TEST(ack_rewrites_no_freed_page))
