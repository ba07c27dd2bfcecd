/*
 * write_file.c — the commands' output files appear whole or not at all: written to a temporary
 * file beside the target, flushed to disk, then renamed over it. A kill, a crash or a full disk
 * mid-write leaves the old file (or none), never a cut one that `scan --sites` would take for a
 * finished report.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

/* The mode the file gets: the one it had, or what fopen would give a new file (0666 less the
 * umask); mkstemp's 0600 would otherwise change it on every run. */
static mode_t file_mode(const char *path)
{
    struct stat st;
    if (stat(path, &st) == 0)
        return st.st_mode & 07777;
    mode_t mask = umask(0);
    umask(mask);
    return 0666 & ~mask;
}

/* Where the temporary file goes: beside what it is renamed over, a link's target (replacing the
 * link itself would leave what it points at stale). A device or a FIFO (/dev/null, /dev/stdout,
 * a named pipe) has no directory entry to replace: it is written in place. */
static pw_status set_target(pw_cli_outfile *o, const char *path, pw_err *err)
{
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        return pw_err_set(err, PW_ERR_IO, "%s: %s", path, strerror(EISDIR));
    o->in_place = stat(path, &st) == 0 && !S_ISREG(st.st_mode);
    char resolved[PATH_MAX];
    if (!o->in_place && lstat(path, &st) == 0 && S_ISLNK(st.st_mode) && realpath(path, resolved))
        path = resolved;
    if ((size_t)snprintf(o->target, sizeof o->target, "%s", path) >= sizeof o->target)
        return pw_err_set(err, PW_ERR_IO, "%s: %s", path, strerror(ENAMETOOLONG));
    return PW_OK;
}

pw_status pw_cli_outfile_open(pw_cli_outfile *o, const char *path, pw_err *err)
{
    memset(o, 0, sizeof *o);
    pw_status st = set_target(o, path, err);
    if (st != PW_OK)
        return st;
    if (o->in_place) {
        memcpy(o->tmp, o->target, sizeof o->target);
        return PW_OK;
    }
    char d[PATH_MAX], b[PATH_MAX]; /* dirname and basename may change their argument */
    memcpy(d, o->target, sizeof d);
    memcpy(b, o->target, sizeof b);
    if ((size_t)snprintf(o->tmp, sizeof o->tmp, "%s/.%s.tmp-XXXXXX", dirname(d), basename(b)) >=
        sizeof o->tmp)
        return pw_err_set(err, PW_ERR_IO, "%s: %s", path, strerror(ENAMETOOLONG));
    int fd = mkstemp(o->tmp);
    if (fd < 0)
        return pw_err_set(err, PW_ERR_IO, "%s: cannot create a temporary file beside it: %s", path,
                          strerror(errno));
    int bad = fchmod(fd, file_mode(o->target)) != 0 ? errno : 0;
    close(fd);
    if (bad) {
        unlink(o->tmp);
        return pw_err_set(err, PW_ERR_IO, "%s: %s", o->tmp, strerror(bad));
    }
    return PW_OK;
}

/* The new name must survive a power cut as well as the data: the directory is synced too. */
static void sync_dir_of(const char *path)
{
    char d[PATH_MAX];
    snprintf(d, sizeof d, "%s", path);
    int fd = open(dirname(d), O_RDONLY | O_DIRECTORY);
    if (fd < 0)
        return;
    fsync(fd); /* best effort: some filesystems cannot sync a directory */
    close(fd);
}

pw_status pw_cli_outfile_commit(pw_cli_outfile *o, pw_err *err)
{
    if (o->in_place)
        return PW_OK;
    int fd = open(o->tmp, O_RDONLY);
    int e = fd < 0 ? errno : 0;
    if (fd >= 0) {
        if (fsync(fd) != 0)
            e = errno;
        close(fd);
    }
    if (!e && rename(o->tmp, o->target) != 0)
        e = errno;
    if (e) {
        unlink(o->tmp);
        return pw_err_set(err, PW_ERR_IO, "%s: %s", o->target, strerror(e));
    }
    sync_dir_of(o->target);
    return PW_OK;
}

void pw_cli_outfile_discard(pw_cli_outfile *o)
{
    if (!o->in_place && o->tmp[0])
        unlink(o->tmp);
}

static pw_status write_fd(int fd, const char *path, const char *data, size_t len, pw_err *err)
{
    while (len > 0) {
        ssize_t n = write(fd, data, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return pw_err_set(err, PW_ERR_IO, "%s: write failed: %s", path,
                              n < 0 ? strerror(errno) : "nothing written");
        data += n;
        len -= (size_t)n;
    }
    return PW_OK;
}

pw_status pw_cli_write_file(const char *path, const void *data, size_t len, pw_err *err)
{
    pw_cli_outfile o;
    pw_status st = pw_cli_outfile_open(&o, path, err);
    if (st != PW_OK)
        return st;
    int fd = open(o.tmp, O_WRONLY | O_TRUNC | (o.in_place ? O_CREAT : 0), 0666);
    if (fd < 0)
        st = pw_err_set(err, PW_ERR_IO, "%s: %s", path, strerror(errno));
    else
        st = write_fd(fd, path, data, len, err);
    if (fd >= 0 && close(fd) != 0 && st == PW_OK)
        st = pw_err_set(err, PW_ERR_IO, "%s: write failed: %s", path, strerror(errno));
    if (st != PW_OK) {
        pw_cli_outfile_discard(&o);
        return st;
    }
    return pw_cli_outfile_commit(&o, err);
}
