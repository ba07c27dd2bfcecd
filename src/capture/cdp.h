/*
 * cdp.h — internal interface of the DevTools-protocol layer under the browser capture source:
 * the JSON message layer (cdp_msg.c), the Chromium process (cdp_proc.c) and the connection that
 * sends commands, matches responses by id and dispatches events (cdp_conn.c). Only src/capture/
 * uses it; the public face is include/phiwall/browser.h.
 */
#ifndef PW_CAPTURE_CDP_H
#define PW_CAPTURE_CDP_H

#include <signal.h>
#include <stddef.h>
#include <sys/types.h>
#include <yajl/yajl_tree.h>

#include "phiwall/buf.h"
#include "phiwall/error.h"

/* ---- messages ---------------------------------------------------------------------------- */

/* One incoming message, parsed with yajl's tree API. Strings point into `root`. */
typedef struct cdp_msg {
    yajl_val root;
    long id;             /* -1 for events */
    const char *method;  /* events: "Network.requestWillBeSent"; NULL for responses */
    const char *session; /* sessionId or NULL (browser target) */
    yajl_val params;     /* events */
    yajl_val result;     /* responses */
    const char *error;   /* responses: error.message, or NULL */
} cdp_msg;

/* Parse one NUL-terminated message. PW_ERR_PARSE names the byte/field on bad input. */
pw_status cdp_msg_parse(const char *text, cdp_msg *out, pw_err *err);
void cdp_msg_free(cdp_msg *m);

/* Field access on a parsed tree; NULL/0 when absent or of another type. `path` is dotted:
 * "request.url". */
const char *cdp_str(yajl_val v, const char *path);
int cdp_num(yajl_val v, const char *path, double *out);
int cdp_bool(yajl_val v, const char *path);
yajl_val cdp_get(yajl_val v, const char *path);

/* ---- the browser process ------------------------------------------------------------------ */

typedef struct cdp_proc {
    pid_t pid;                             /* process group leader; 0 when not running */
    int wfd;                               /* our end of the child's fd 3 (commands) */
    int rfd;                               /* our end of the child's fd 4 (responses, events) */
    char *profile_dir;                     /* fresh mkdtemp profile, removed on stop */
    volatile char *published;              /* cdp_launch.publish_profile: kept naming profile_dir */
    volatile sig_atomic_t *published_pgid; /* cdp_launch.publish_pgid: kept naming pid */
    int status; /* its wait status once cdp_proc_exited said so; -1 if unknown */
} cdp_proc;

typedef struct cdp_launch {
    const char *browser_path;      /* NULL: /usr/bin/chromium */
    const char *const *extra_args; /* --browser-arg values, passed as is */
    size_t n_extra_args;
    int mobile;             /* narrow window */
    const char *user_agent; /* --user-agent, or NULL for the browser's own */
    /* pw_browser_stop.profile_dir (512 bytes), or NULL: where the profile's path is published
     * for a signal handler */
    volatile char *publish_profile;
    volatile sig_atomic_t *publish_pgid; /* pw_browser_stop.browser_pgid, or NULL */
} cdp_launch;

/* A path that cannot be executed (ENOENT, EACCES, ENOEXEC…) is PW_ERR_IO "cannot execute",
 * the child reaped: the exec's failure is reported back through a close-on-exec pipe. */
pw_status cdp_proc_start(cdp_proc *p, const cdp_launch *l, pw_err *err);
/* Kill the whole process group (SIGKILL), reap it, close pipes, remove the profile. Idempotent. */
void cdp_proc_stop(cdp_proc *p);
/* 1 if the child has exited (reaps it). */
int cdp_proc_exited(cdp_proc *p);
/* Why a browser that closed its pipe went away, for an error message: "it exited with status N
 * before answering", "it was killed by signal N …", or "no DevTools answer" if it still runs
 * half a second later. */
void cdp_proc_exit_reason(cdp_proc *p, char *buf, size_t n);

/* ---- the connection ----------------------------------------------------------------------- */

typedef struct cdp_conn cdp_conn;

/* Events go to one handler; it may send commands (cdp_send*) but not wait (cdp_call). */
typedef void (*cdp_event_fn)(void *ctx, const cdp_msg *m);
/* Asynchronous response: called once with the response, or with NULL if the connection died. */
typedef void (*cdp_reply_fn)(void *ctx, const cdp_msg *m);
typedef void (*cdp_log_fn)(void *ctx, const char *dir, const char *text, size_t n);

pw_status cdp_conn_new(int rfd, int wfd, cdp_conn **out, pw_err *err);
void cdp_conn_free(cdp_conn *c);
void cdp_conn_on_event(cdp_conn *c, cdp_event_fn fn, void *ctx);
void cdp_conn_on_log(cdp_conn *c, cdp_log_fn fn, void *ctx);
int cdp_conn_dead(const cdp_conn *c);

/* Send a command; params is a JSON object text or NULL. Fire and forget unless reply is set. */
pw_status cdp_send(cdp_conn *c, const char *session, const char *method, const char *params,
                   cdp_reply_fn reply, void *reply_ctx, pw_err *err);
/* Send and wait up to timeout_ms for the response (events are dispatched meanwhile). On PW_OK
 * *resp holds the response (free with cdp_msg_free); a protocol error gives PW_ERR_REMOTE. */
pw_status cdp_call(cdp_conn *c, const char *session, const char *method, const char *params,
                   int timeout_ms, cdp_msg *resp, pw_err *err);
/* Read and dispatch whatever arrives until deadline (ms, monotonic) or one batch was handled. */
pw_status cdp_pump(cdp_conn *c, long long deadline_ms, pw_err *err);

/* Monotonic milliseconds. */
long long cdp_now_ms(void);

#endif
