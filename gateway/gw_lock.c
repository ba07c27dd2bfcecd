/*
 * gw_lock.c — the exclusive lock that keeps a second gateway off a spool or an audit log that one
 * already uses (see gw_lock.h for why).
 */
#include "gw_lock.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

pw_status pw_gw_lock_exclusive(int fd, const char *path, pw_err *err)
{
    int r;
    do
        r = flock(fd, LOCK_EX | LOCK_NB);
    while (r != 0 && errno == EINTR);
    if (r == 0)
        return PW_OK;
    if (errno == EWOULDBLOCK)
        return pw_err_set(err, PW_ERR_STATE,
                          "%s: in use by another phiwall gateway (it holds the file's lock); "
                          "one gateway per spool and audit log",
                          path);
    return pw_err_set(err, PW_ERR_IO, "%s: cannot lock: %s", path, strerror(errno));
}

pw_status pw_gw_lock_path(const char *path, int *fd_out, pw_err *err)
{
    *fd_out = -1;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return pw_err_set(err, PW_ERR_IO, "%s: cannot open to lock: %s", path, strerror(errno));
    pw_status st = pw_gw_lock_exclusive(fd, path, err);
    if (st != PW_OK) {
        close(fd);
        return st;
    }
    *fd_out = fd;
    return PW_OK;
}
