/*
 * cdp_proc.c — the Chromium process: launched headless with --remote-debugging-pipe (we write
 * its fd 3, read its fd 4) in its own process group and a fresh mkdtemp profile, a failed exec
 * reported back with its errno; stopped by SIGKILL to the whole group, reaped (no zombies) and
 * its profile removed. Its TMPDIR is inside the profile: what Chromium makes there
 * (org.chromium.Chromium.XXXXXX, its process-singleton socket, never removed when it is killed)
 * goes with the profile.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "capture/cdp.h"

#define CDP_MAX_ARGS 64

extern char **environ;

static const char *const base_args[] = {
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-breakpad",
    "--disable-extensions",
    "--mute-audio",
    "--hide-scrollbars",
    /* parallel tabs (--jobs) are background tabs: keep their timers, rendering and
     * screenshots running as if each were in front */
    "--disable-background-timer-throttling",
    "--disable-renderer-backgrounding",
    "--disable-backgrounding-occluded-windows",
    "--remote-debugging-pipe",
};

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    remove(path);
    return 0;
}

static void remove_tree(const char *dir)
{
    if (dir)
        nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* ---- the profile's owner: a profile left by a killed phiwall is removed at the next launch */

#define PROFILE_PREFIX   "phiwall-chromium-"
#define PROFILE_PID_FILE "phiwall.pid"

static void write_owner(const char *dir)
{
    char path[600], pid[32];
    snprintf(path, sizeof path, "%s/" PROFILE_PID_FILE, dir);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        return; /* without it the profile is only never cleaned up by a later launch */
    int n = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
    if (write(fd, pid, (size_t)n) != n)
        unlink(path);
    close(fd);
}

/* A profile whose phiwall.pid names a process that no longer exists (phiwall killed, or
 * interrupted twice): what Chromium kept there (history, local storage, a --cookie session) must
 * not stay behind. Only directories phiwall marked are touched. */
static void remove_stale_profiles(const char *parent)
{
    DIR *d = opendir(parent);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (strncmp(e->d_name, PROFILE_PREFIX, strlen(PROFILE_PREFIX)) != 0)
            continue;
        char dir[600], path[700], buf[32] = {0};
        snprintf(dir, sizeof dir, "%s/%s", parent, e->d_name);
        struct stat st; /* a directory of ours, not a link planted in a shared /tmp */
        if (lstat(dir, &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != geteuid())
            continue;
        snprintf(path, sizeof path, "%s/" PROFILE_PID_FILE, dir);
        int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
            continue;
        ssize_t n = read(fd, buf, sizeof buf - 1);
        close(fd);
        char *end;
        long pid = n > 0 ? strtol(buf, &end, 10) : 0;
        if (pid > 0 && *end == '\n' && kill((pid_t)pid, 0) != 0 && errno == ESRCH)
            remove_tree(dir);
    }
    closedir(d);
}

/* The path for a signal handler: the first byte last, so a handler sees all of it or "". */
static void publish(cdp_proc *p, volatile char *to)
{
    p->published = to;
    if (!to)
        return;
    size_t n = strlen(p->profile_dir);
    if (n >= 512)
        return;
    to[0] = '\0';
    for (size_t i = 1; i <= n; i++)
        to[i] = p->profile_dir[i];
    to[0] = p->profile_dir[0];
}

static void drop_profile(cdp_proc *p)
{
    if (p->published)
        p->published[0] = '\0';
    p->published = NULL;
    if (p->profile_dir) {
        remove_tree(p->profile_dir);
        rmdir(p->profile_dir);
    }
    free(p->profile_dir);
    p->profile_dir = NULL;
}

/* Child side, when the exec (or the setup before it) failed: errno to the parent, then end
 * here — never back into the caller's code. */
static void exec_failed(int err_w)
{
    int e = errno;
    ssize_t n = write(err_w, &e, sizeof e);
    (void)n;
    _exit(127);
}

/* Child side: wire the pipes to fds 3 and 4, silence stdio, exec. Never returns. err_w (close on
 * exec) gets errno if the exec fails, so the parent can say why instead of waiting for a
 * DevTools answer that never comes. */
static void exec_child(int cmd_r, int ev_w, int err_w, char **argv, char **envp)
{
    setpgid(0, 0);
    /* Move the ends above 5 first so the dup2 calls cannot clobber each other. */
    int a = fcntl(cmd_r, F_DUPFD, 10), b = fcntl(ev_w, F_DUPFD, 10);
    int c = fcntl(err_w, F_DUPFD_CLOEXEC, 10);
    if (c < 0)
        exec_failed(err_w);
    if (a < 0 || b < 0 || dup2(a, 3) < 0 || dup2(b, 4) < 0 || dup2(c, 5) < 0 ||
        fcntl(5, F_SETFD, FD_CLOEXEC) < 0)
        exec_failed(c);
    int devnull = open("/dev/null", O_RDWR);
    if (devnull >= 0) {
        dup2(devnull, 0);
        dup2(devnull, 1);
        dup2(devnull, 2);
    }
    for (int fd = 6; fd < 1024; fd++)
        close(fd);
    signal(SIGPIPE, SIG_DFL);
    execve(argv[0], argv, envp);
    exec_failed(5);
}

/* The parent's side of exec_child's report: 0 once the exec succeeded (the pipe closed on exec),
 * else the child's errno (the child is reaped). */
static int exec_error(pid_t pid, int err_r)
{
    int e = 0;
    ssize_t n;
    while ((n = read(err_r, &e, sizeof e)) < 0 && errno == EINTR) {}
    close(err_r);
    if (n != (ssize_t)sizeof e)
        return 0;
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) {}
    return e ? e : ENOEXEC;
}

/* ua_arg: "--user-agent=…" or NULL; before the --browser-arg values, so that one of those wins. */
static size_t build_argv(const cdp_launch *l, char *user_dir_arg, char *ua_arg, char **argv)
{
    size_t n = 0;
    argv[n++] = (char *)(l->browser_path ? l->browser_path : "/usr/bin/chromium");
    for (size_t i = 0; i < sizeof base_args / sizeof base_args[0]; i++)
        argv[n++] = (char *)base_args[i];
    argv[n++] = user_dir_arg;
    argv[n++] = (char *)(l->mobile ? "--window-size=412,915" : "--window-size=1366,900");
    if (ua_arg)
        argv[n++] = ua_arg;
    for (size_t i = 0; i < l->n_extra_args && n < CDP_MAX_ARGS - 2; i++)
        argv[n++] = (char *)l->extra_args[i];
    argv[n++] = (char *)"about:blank";
    argv[n] = NULL;
    return n;
}

/* The environment the child runs with: ours, with TMPDIR set to `tmp` ("TMPDIR=…"); built
 * before the fork (malloc is no call for a forked child). The strings stay ours. */
static char **child_env(char *tmp)
{
    size_t n = 0;
    while (environ && environ[n])
        n++;
    char **env = malloc((n + 2) * sizeof *env);
    if (!env)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (strncmp(environ[i], "TMPDIR=", 7) != 0)
            env[k++] = environ[i];
    env[k++] = tmp;
    env[k] = NULL;
    return env;
}

pw_status cdp_proc_start(cdp_proc *p, const cdp_launch *l, pw_err *err)
{
    memset(p, 0, sizeof *p);
    p->wfd = p->rfd = -1;
    const char *path = l->browser_path ? l->browser_path : "/usr/bin/chromium";
    if (access(path, X_OK) != 0)
        return pw_err_set(err, PW_ERR_NOTFOUND, "browser %s: %s", path, strerror(errno));
    const char *tmp = getenv("TMPDIR");
    tmp = tmp && tmp[0] ? tmp : "/tmp";
    remove_stale_profiles(tmp);
    char tmpl[512];
    snprintf(tmpl, sizeof tmpl, "%s/" PROFILE_PREFIX "XXXXXX", tmp);
    if (!mkdtemp(tmpl))
        return pw_err_set(err, PW_ERR_IO, "profile directory %s: %s", tmpl, strerror(errno));
    p->profile_dir = strdup(tmpl);
    if (!p->profile_dir) {
        rmdir(tmpl);
        return pw_err_set(err, PW_ERR_NOMEM, "profile directory: out of memory");
    }
    write_owner(tmpl);
    publish(p, l->publish_profile);
    char user_dir_arg[600], tmp_env[600];
    snprintf(user_dir_arg, sizeof user_dir_arg, "--user-data-dir=%s", tmpl);
    snprintf(tmp_env, sizeof tmp_env, "TMPDIR=%s/tmp", tmpl);
    char **envp = NULL;
    char *ua_arg = l->user_agent ? malloc(strlen(l->user_agent) + 16) : NULL;
    if (l->user_agent && !ua_arg) {
        errno = ENOMEM;
        goto fail_errno;
    }
    if (ua_arg)
        sprintf(ua_arg, "--user-agent=%s", l->user_agent);
    if (mkdir(tmp_env + 7, 0700) != 0 || !(envp = child_env(tmp_env)))
        goto fail_errno;
    char *argv[CDP_MAX_ARGS];
    build_argv(l, user_dir_arg, ua_arg, argv);

    int cmd[2], ev[2], ex[2];
    if (pipe2(cmd, O_CLOEXEC) != 0)
        goto fail_errno;
    if (pipe2(ev, O_CLOEXEC) != 0) {
        close(cmd[0]), close(cmd[1]);
        goto fail_errno;
    }
    if (pipe2(ex, O_CLOEXEC) != 0) {
        close(cmd[0]), close(cmd[1]), close(ev[0]), close(ev[1]);
        goto fail_errno;
    }
    pid_t pid = fork();
    if (pid < 0) {
        close(cmd[0]), close(cmd[1]), close(ev[0]), close(ev[1]), close(ex[0]), close(ex[1]);
        goto fail_errno;
    }
    if (pid == 0)
        exec_child(cmd[0], ev[1], ex[1], argv, envp);
    free(ua_arg);
    ua_arg = NULL;
    free(envp);
    envp = NULL;
    setpgid(pid, pid); /* also in the child: whichever runs first wins the race */
    close(cmd[0]);
    close(ev[1]);
    close(ex[1]);
    int exec_errno = exec_error(pid, ex[0]);
    if (exec_errno) {
        close(cmd[1]), close(ev[0]);
        drop_profile(p);
        return pw_err_set(err, PW_ERR_IO, "browser %s: cannot execute: %s", path,
                          strerror(exec_errno));
    }
    p->pid = pid;
    if ((p->published_pgid = l->publish_pgid))
        *p->published_pgid = (sig_atomic_t)pid;
    p->wfd = cmd[1];
    p->rfd = ev[0];
    fcntl(p->wfd, F_SETFL, fcntl(p->wfd, F_GETFL) | O_NONBLOCK);
    fcntl(p->rfd, F_SETFL, fcntl(p->rfd, F_GETFL) | O_NONBLOCK);
    return PW_OK;

fail_errno:;
    int e = errno;
    free(ua_arg);
    free(envp);
    drop_profile(p);
    return pw_err_set(err, PW_ERR_IO, "launching %s: %s", path, strerror(e));
}

int cdp_proc_exited(cdp_proc *p)
{
    if (p->pid <= 0)
        return 1;
    int st;
    pid_t r = waitpid(p->pid, &st, WNOHANG);
    if (r == p->pid || (r < 0 && errno == ECHILD)) {
        p->status = r == p->pid ? st : -1;
        p->pid = -p->pid; /* remember the group for the final kill */
        return 1;
    }
    return 0;
}

void cdp_proc_stop(cdp_proc *p)
{
    if (p->pid != 0) {
        pid_t grp = p->pid > 0 ? p->pid : -p->pid;
        kill(-grp, SIGKILL);
        if (p->published_pgid)
            *p->published_pgid = 0;
        p->published_pgid = NULL;
        if (p->pid > 0)
            while (waitpid(p->pid, NULL, 0) < 0 && errno == EINTR) {}
        /* Reap any grandchild that got reparented to us (we may be a subreaper). */
        while (waitpid(-grp, NULL, WNOHANG) > 0) {}
        p->pid = 0;
    }
    if (p->wfd >= 0)
        close(p->wfd);
    if (p->rfd >= 0)
        close(p->rfd);
    p->wfd = p->rfd = -1;
    /* Chromium's helpers may still be writing for a moment after SIGKILL: the rmdir again */
    drop_profile(p);
}

/* Why a browser that closed its pipe before answering went away: its exit status (a wrapper
 * script whose exec failed exits 127) when it has ended, which it does at once after its pipe
 * closed (a short wait, not more). */
void cdp_proc_exit_reason(cdp_proc *p, char *buf, size_t n)
{
    long long deadline = cdp_now_ms() + 500;
    while (!cdp_proc_exited(p) && cdp_now_ms() < deadline)
        usleep(10000);
    int st = p->pid < 0 ? p->status : -1;
    if (st != -1 && WIFEXITED(st))
        snprintf(buf, n, "it exited with status %d before answering%s", WEXITSTATUS(st),
                 WEXITSTATUS(st) == 127 ? ": a program it runs was not found" : "");
    else if (st != -1 && WIFSIGNALED(st))
        snprintf(buf, n, "it was killed by signal %d before answering", WTERMSIG(st));
    else
        snprintf(buf, n, "no DevTools answer");
}
