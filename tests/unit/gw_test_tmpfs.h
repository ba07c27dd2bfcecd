/*
 * gw_test_tmpfs.h — TEST-ONLY: a small tmpfs of its own for the full-disk tests, and a filler
 * file that takes its free space and gives it back. The process enters a private mount
 * namespace first (before any thread starts: unshare refuses a threaded process), so the mount
 * is its own and goes away with it. Without the privilege (not root, no user namespaces), the
 * test says so and exits 77, which CTest reports as skipped (tests/CMakeLists.txt).
 */
#ifndef GW_TEST_TMPFS_H
#define GW_TEST_TMPFS_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/statvfs.h>
#include <unistd.h>

typedef struct gw_tmpfs {
    char dir[64];
    char filler[96];
} gw_tmpfs;

/* Mount a tmpfs of `kib` KiB on a new directory under /tmp; 0 when not permitted. */
static inline int gw_tmpfs_mount(gw_tmpfs *t, unsigned kib)
{
    memset(t, 0, sizeof *t);
    if (unshare(CLONE_NEWNS) != 0)
        return 0;
    if (mount("none", "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0)
        return 0;
    snprintf(t->dir, sizeof t->dir, "/tmp/pw_tmpfs_XXXXXX");
    if (!mkdtemp(t->dir))
        return 0;
    char opts[32];
    snprintf(opts, sizeof opts, "size=%uk,mode=0700", kib);
    if (mount("tmpfs", t->dir, "tmpfs", 0, opts) != 0) {
        rmdir(t->dir);
        return 0;
    }
    snprintf(t->filler, sizeof t->filler, "%s/filler", t->dir);
    return 1;
}

static inline void gw_tmpfs_unmount(gw_tmpfs *t)
{
    if (!t->dir[0])
        return;
    umount2(t->dir, MNT_DETACH);
    rmdir(t->dir);
}

static inline unsigned long long gw_tmpfs_free(const gw_tmpfs *t)
{
    struct statvfs vs;
    return statvfs(t->dir, &vs) == 0 ? (unsigned long long)vs.f_bavail * vs.f_frsize : 0;
}

/* Take every free byte of the tmpfs but `leave` (rounded to pages) with the filler file. */
static inline void gw_tmpfs_fill(gw_tmpfs *t, unsigned long long leave)
{
    int fd = open(t->filler, O_WRONLY | O_CREAT | O_APPEND, 0600);
    if (fd < 0)
        return;
    static const char zeros[4096];
    while (gw_tmpfs_free(t) > leave && write(fd, zeros, sizeof zeros) == (ssize_t)sizeof zeros) {}
    close(fd);
}

/* Give the filler's space back. */
static inline void gw_tmpfs_free_filler(gw_tmpfs *t)
{
    unlink(t->filler);
}

/* main() of a full-disk test: mount a tmpfs of `kib` KiB at fs (skipped, exit 77, when that is
 * not permitted), run the cases like PW_TEST_MAIN, unmount. Include pw_test.h first. */
#define GW_TMPFS_MAIN(fs, kib, ...)                                               \
    int main(void)                                                                \
    {                                                                             \
        if (!gw_tmpfs_mount(&(fs), (kib))) {                                      \
            printf("skipped: cannot mount a tmpfs here (%s)\n", strerror(errno)); \
            return 77;                                                            \
        }                                                                         \
        static const pw_test_case cases[] = {__VA_ARGS__};                        \
        int rc = pw_test_run(cases, sizeof cases / sizeof cases[0]);              \
        gw_tmpfs_unmount(&(fs));                                                  \
        return rc;                                                                \
    }

#endif
