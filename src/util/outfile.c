/*
 * outfile.c — output files that appear whole or not at all (include/phiwall/outfile.h): a
 * temporary file beside the target, fsync, rename, then the directory synced so the new name
 * survives a power cut too.
 */
#include "phiwall/outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Where the temporary file goes: beside what it is renamed over, a link's target. */
static pw_status set_target(pw_outfile *o, const char *path, pw_err *err)
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

/* A fresh ".<name>.tmp-<pid>-<n>" beside the target, created with O_EXCL: open's 0666 less the
 * umask is the mode fopen would give a new file (no umask() call, which would change the
 * process's state), and an existing target's mode is copied. */
static pw_status create_tmp(pw_outfile *o, const char *path, int *fd, pw_err *err)
{
    char d[PATH_MAX], b[PATH_MAX]; /* dirname and basename may change their argument */
    memcpy(d, o->target, sizeof d);
    memcpy(b, o->target, sizeof b);
    const char *dir = dirname(d), *base = basename(b);
    struct stat st;
    int keep_mode = stat(o->target, &st) == 0;
    *fd = -1;
    int e = EEXIST; /* what is said when every name is taken */
    for (unsigned n = 0; n < 1000 && *fd < 0; n++) {
        if ((size_t)snprintf(o->tmp, sizeof o->tmp, "%s/.%s.tmp-%ld-%u", dir, base, (long)getpid(),
                             n) >= sizeof o->tmp) {
            e = ENAMETOOLONG;
            break;
        }
        *fd = open(o->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (*fd < 0 && errno != EEXIST) {
            e = errno;
            break;
        }
    }
    if (*fd < 0) {
        o->tmp[0] = '\0';
        if (e == ENOENT || e == ENOTDIR) /* the usual slip: the directory is not there */
            return pw_err_set(err, PW_ERR_IO, "%s: its directory %s: %s", path, dir, strerror(e));
        return pw_err_set(err, PW_ERR_IO, "%s: cannot create a temporary file beside it: %s", path,
                          strerror(e));
    }
    if (keep_mode && fchmod(*fd, st.st_mode & 07777) != 0) {
        e = errno;
        close(*fd);
        unlink(o->tmp);
        o->tmp[0] = '\0';
        return pw_err_set(err, PW_ERR_IO, "%s: %s", path, strerror(e));
    }
    return PW_OK;
}

pw_status pw_outfile_open(pw_outfile *o, const char *path, pw_err *err)
{
    memset(o, 0, sizeof *o);
    pw_status st = set_target(o, path, err);
    if (st != PW_OK)
        return st;
    if (o->in_place) {
        memcpy(o->tmp, o->target, sizeof o->target);
        o->f = fopen(o->tmp, "wb");
        if (!o->f)
            return pw_err_set(err, PW_ERR_IO, "%s: %s", path, strerror(errno));
        return PW_OK;
    }
    int fd;
    st = create_tmp(o, path, &fd, err);
    if (st != PW_OK)
        return st;
    o->f = fdopen(fd, "wb");
    if (!o->f) {
        int e = errno;
        close(fd);
        unlink(o->tmp);
        o->tmp[0] = '\0';
        return pw_err_set(err, PW_ERR_IO, "%s: %s", path, strerror(e));
    }
    return PW_OK;
}

static void sync_dir_of(const char *path)
{
    char d[PATH_MAX];
    snprintf(d, sizeof d, "%s", path);
    int fd = open(dirname(d), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return;
    fsync(fd); /* best effort: some filesystems cannot sync a directory */
    close(fd);
}

pw_status pw_outfile_commit(pw_outfile *o, pw_err *err)
{
    FILE *f = o->f;
    o->f = NULL;
    int e = 0;
    if (!f)
        e = EBADF;
    else if (fflush(f) != 0)
        e = errno;
    else if (ferror(f)) /* an earlier write failed; errno now belongs to whatever ran since */
        e = EIO;
    else if (!o->in_place && fsync(fileno(f)) != 0)
        e = errno;
    if (f && fclose(f) != 0 && !e)
        e = errno;
    if (o->in_place) {
        o->tmp[0] = '\0';
        return e ? pw_err_set(err, PW_ERR_IO, "%s: write failed: %s", o->target, strerror(e))
                 : PW_OK;
    }
    if (!e && rename(o->tmp, o->target) != 0)
        e = errno;
    if (e) {
        unlink(o->tmp);
        o->tmp[0] = '\0';
        return pw_err_set(err, PW_ERR_IO, "%s: write failed: %s", o->target, strerror(e));
    }
    o->tmp[0] = '\0';
    sync_dir_of(o->target);
    return PW_OK;
}

void pw_outfile_discard(pw_outfile *o)
{
    if (o->f)
        fclose(o->f);
    o->f = NULL;
    if (!o->in_place && o->tmp[0])
        unlink(o->tmp);
    o->tmp[0] = '\0';
}

pw_status pw_outfile_write(const char *path, const void *data, size_t len, pw_err *err)
{
    pw_outfile o;
    pw_status st = pw_outfile_open(&o, path, err);
    if (st != PW_OK)
        return st;
    if (len && fwrite(data, 1, len, o.f) != len) {
        int e = errno;
        pw_outfile_discard(&o);
        return pw_err_set(err, PW_ERR_IO, "%s: write failed: %s", path, strerror(e));
    }
    return pw_outfile_commit(&o, err);
}
