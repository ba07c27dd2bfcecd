/*
 * gw_lock.h — one gateway per spool and per audit log. A second process on the same files would
 * interleave audit records (an honest chain then verifies as tampered), cut the other's records
 * when it trims a failed write, and lease the same spool rows as the first. The lock is an
 * advisory flock(2) on an open file description: the kernel drops it when the process dies, so
 * a kill -9 never leaves a stale lock behind, and it is independent of SQLite's POSIX locks.
 */
#ifndef PW_GW_LOCK_H
#define PW_GW_LOCK_H

#include "phiwall/error.h"

/* Take the exclusive lock on fd, the open file named path (for the message), without waiting.
 * PW_ERR_STATE when another process holds it; PW_ERR_IO when the file system refuses locks. */
pw_status pw_gw_lock_exclusive(int fd, const char *path, pw_err *err);

/* Open path (which must exist) and take the lock on it, for a file another library writes
 * through its own descriptors (the SQLite spool). *fd_out is the descriptor to close after
 * that library has closed the file, never before: closing a descriptor of a file drops every
 * POSIX lock the process holds on it, SQLite's included. */
pw_status pw_gw_lock_path(const char *path, int *fd_out, pw_err *err);

#endif
