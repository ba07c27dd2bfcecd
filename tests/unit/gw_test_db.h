/*
 * gw_test_db.h — TEST-ONLY: SQLite files of the spool tests under /tmp. A database path per
 * program, tag and process, and removal of the database with its WAL and shared-memory files.
 */
#ifndef GW_TEST_DB_H
#define GW_TEST_DB_H

#include <stdio.h>
#include <unistd.h>

#include "spool.h"

static inline void gw_test_db_remove(const char *path)
{
    char side[300];
    unlink(path);
    snprintf(side, sizeof side, "%s-wal", path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", path);
    unlink(side);
}

/* "/tmp/<prefix>_<tag>_<pid>.db", with any leftover of an earlier run removed. */
static inline void gw_test_db_path(char *out, size_t cap, const char *prefix, const char *tag)
{
    snprintf(out, cap, "/tmp/%s_%s_%d.db", prefix, tag, (int)getpid());
    gw_test_db_remove(out);
}

/* A spool at a fresh gw_test_db_path(prefix, tag) with no disk reserve (a put near the reserve
 * may truncate the WAL, which would hide what a test counts); NULL, err set, if it cannot open. */
static inline pw_spool *gw_test_spool_open(char *path, size_t cap, const char *prefix,
                                           const char *tag, pw_err *err)
{
    gw_test_db_path(path, cap, prefix, tag);
    pw_spool_opts o = {.path = path, .reserve_bytes = PW_SPOOL_NO_RESERVE};
    pw_spool *s = NULL;
    return pw_spool_open(&o, &s, err) == PW_OK ? s : NULL;
}

#endif
