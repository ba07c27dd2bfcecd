/*
 * scan_signal.c — Ctrl-C and SIGTERM during a browser or static scan (scan_signal.h). Everything
 * the handler does is async-signal-safe: a flag, write(2), kill, waitpid, and a directory removal
 * with openat/getdents64/unlinkat (nftw and readdir are not safe in a handler).
 */
#include "scan_signal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* The CLI's, not the library's: one scan at a time, set between catch and release. */
static pw_browser_stop *caught_stop;
static volatile sig_atomic_t caught_signo;
static struct sigaction old_int, old_term;

struct dirent64_raw {
    unsigned long long d_ino;
    long long d_off;
    unsigned short d_reclen;
    unsigned char d_type;
    char d_name[];
};

static void say(const char *s)
{
    ssize_t r = write(STDERR_FILENO, s, strlen(s));
    (void)r;
}

/* rm -r of name under the directory parent, in a handler. Entries removed while the directory
 * is read can make getdents skip others: read it again until a pass removes nothing. */
static void remove_at(int parent, const char *name, int depth)
{
    if (unlinkat(parent, name, 0) == 0 || (errno != EISDIR && errno != EPERM) || depth > 32)
        return;
    int fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    for (int pass = 0, removed = 1; fd >= 0 && removed && pass < 8; pass++) {
        removed = 0;
        lseek(fd, 0, SEEK_SET);
        char buf[2048];
        long n;
        while ((n = syscall(SYS_getdents64, fd, buf, sizeof buf)) > 0)
            for (long off = 0; off < n;) {
                struct dirent64_raw *d = (struct dirent64_raw *)(buf + off);
                off += d->d_reclen;
                if (strcmp(d->d_name, ".") != 0 && strcmp(d->d_name, "..") != 0) {
                    remove_at(fd, d->d_name, depth + 1);
                    removed = 1;
                }
            }
    }
    if (fd >= 0)
        close(fd);
    unlinkat(parent, name, AT_REMOVEDIR);
}

static void remove_profile_now(pw_browser_stop *stop)
{
    pid_t grp = (pid_t)stop->browser_pgid;
    if (grp > 0) { /* a browser still writing would put files back */
        kill(-grp, SIGKILL);
        while (waitpid(grp, NULL, 0) < 0 && errno == EINTR) {}
    }
    char dir[sizeof stop->profile_dir];
    for (size_t i = 0; i < sizeof dir; i++)
        if ((dir[i] = stop->profile_dir[i]) == '\0')
            break;
    dir[sizeof dir - 1] = '\0';
    if (dir[0] == '/')
        remove_at(AT_FDCWD, dir, 0);
}

static void on_signal(int sig)
{
    int saved = errno;
    if (!caught_signo && caught_stop) {
        caught_signo = sig;
        caught_stop->requested = 1;
        say("\nphiwall: scan: interrupted: finishing the page being read, then writing what was "
            "captured (INCOMPLETE); again to exit at once\n");
        errno = saved;
        return;
    }
    if (caught_stop)
        remove_profile_now(caught_stop);
    say("phiwall: scan: interrupted again: exiting now; no report written\n");
    signal(sig, SIG_DFL);
    raise(sig);
    errno = saved;
}

void pw_scan_signals_catch(pw_browser_stop *stop)
{
    caught_stop = stop;
    caught_signo = 0;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaddset(&sa.sa_mask, SIGINT); /* one handler at a time */
    sigaddset(&sa.sa_mask, SIGTERM);
    sa.sa_flags = SA_RESTART;
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
}

int pw_scan_signals_release(void)
{
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    caught_stop = NULL;
    return caught_signo;
}
