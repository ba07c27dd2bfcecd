/*
 * cdp_conn.c — a DevTools-protocol connection over the browser's pipe: writes NUL-terminated
 * JSON commands with increasing ids, reads NUL-delimited messages, matches responses to waiting
 * callers or reply callbacks by id, and hands events to one handler. Every wait is a poll() with
 * a deadline; EOF or an I/O error marks the connection dead so the caller restarts the browser.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "capture/cdp.h"

#define CDP_MAX_PENDING 256
#define CDP_MAX_MESSAGE (256u << 20) /* screenshots of huge pages are large; cap at 256 MiB */

typedef struct pending {
    long id; /* 0: free slot */
    cdp_reply_fn reply;
    void *ctx;
    int waiting; /* a cdp_call is waiting: store the message instead of calling back */
    int done;
    cdp_msg msg;
} pending;

struct cdp_conn {
    int rfd, wfd;
    long next_id;
    int dead;
    pw_buf in;
    size_t scan_from; /* bytes of `in` already known to hold no NUL */
    pending slots[CDP_MAX_PENDING];
    cdp_event_fn on_event;
    void *event_ctx;
    cdp_log_fn log;
    void *log_ctx;
};

long long cdp_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

pw_status cdp_conn_new(int rfd, int wfd, cdp_conn **out, pw_err *err)
{
    cdp_conn *c = calloc(1, sizeof *c);
    if (!c)
        return pw_err_set(err, PW_ERR_NOMEM, "devtools connection: out of memory");
    c->rfd = rfd;
    c->wfd = wfd;
    /* Non-blocking both ways: reads drain what poll() announced, writes wait with a deadline. */
    fcntl(rfd, F_SETFL, fcntl(rfd, F_GETFL) | O_NONBLOCK);
    fcntl(wfd, F_SETFL, fcntl(wfd, F_GETFL) | O_NONBLOCK);
    c->next_id = 1;
    pw_buf_init(&c->in);
    *out = c;
    return PW_OK;
}

static void fail_pending(cdp_conn *c)
{
    for (size_t i = 0; i < CDP_MAX_PENDING; i++) {
        pending *s = &c->slots[i];
        if (!s->id || s->waiting)
            continue;
        cdp_reply_fn fn = s->reply;
        void *ctx = s->ctx;
        s->id = 0;
        if (fn)
            fn(ctx, NULL);
    }
}

void cdp_conn_free(cdp_conn *c)
{
    if (!c)
        return;
    c->dead = 1;
    fail_pending(c);
    for (size_t i = 0; i < CDP_MAX_PENDING; i++)
        cdp_msg_free(&c->slots[i].msg);
    pw_buf_free(&c->in);
    free(c);
}

void cdp_conn_on_event(cdp_conn *c, cdp_event_fn fn, void *ctx)
{
    c->on_event = fn;
    c->event_ctx = ctx;
}

void cdp_conn_on_log(cdp_conn *c, cdp_log_fn fn, void *ctx)
{
    c->log = fn;
    c->log_ctx = ctx;
}

int cdp_conn_dead(const cdp_conn *c)
{
    return c->dead;
}

static pw_status mark_dead(cdp_conn *c, pw_err *err, const char *what)
{
    if (!c->dead) {
        c->dead = 1;
        fail_pending(c);
    }
    return pw_err_set(err, PW_ERR_IO, "browser connection: %s", what);
}

/* A browser that died has closed its end of the pipe, and writing to it raises SIGPIPE, whose
 * default action kills the whole process (exit 141, no message). The library does not change
 * the process's signal dispositions: SIGPIPE is blocked in this thread for the write, and one the
 * write raised is taken off the thread's pending set before the mask is restored, so the write
 * fails with EPIPE and the scan reports it. */
static ssize_t write_no_sigpipe(int fd, const char *p, size_t n)
{
    sigset_t pipe_set, old, raised;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    sigemptyset(&raised);
    sigpending(&raised);
    int was_pending = sigismember(&raised, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
    ssize_t w = write(fd, p, n);
    int saved = errno;
    if (w < 0 && saved == EPIPE && !was_pending) {
        const struct timespec now = {0, 0};
        while (sigtimedwait(&pipe_set, NULL, &now) < 0 && errno == EINTR)
            ;
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    errno = saved;
    return w;
}

static pw_status write_all(cdp_conn *c, const char *p, size_t n, pw_err *err)
{
    long long deadline = cdp_now_ms() + 10000;
    while (n > 0) {
        ssize_t w = write_no_sigpipe(c->wfd, p, n);
        if (w > 0) {
            p += w;
            n -= (size_t)w;
            continue;
        }
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0 && errno != EAGAIN)
            return mark_dead(c, err, strerror(errno));
        long long left = deadline - cdp_now_ms();
        if (left <= 0)
            return mark_dead(c, err, "browser does not read its commands (hung)");
        struct pollfd pf = {.fd = c->wfd, .events = POLLOUT};
        poll(&pf, 1, (int)left);
    }
    return PW_OK;
}

static pending *slot_for(cdp_conn *c, long id)
{
    for (size_t i = 0; i < CDP_MAX_PENDING; i++)
        if (c->slots[i].id == id)
            return &c->slots[i];
    return NULL;
}

static pw_status send_raw(cdp_conn *c, const char *session, const char *method, const char *params,
                          long *id_out, pw_err *err)
{
    if (c->dead)
        return pw_err_set(err, PW_ERR_STATE, "browser connection is closed");
    pw_buf b;
    pw_buf_init(&b);
    long id = c->next_id++;
    pw_buf_printf(&b, "{\"id\":%ld,", id);
    if (session) {
        pw_buf_puts(&b, "\"sessionId\":");
        pw_buf_json_string(&b, session, strlen(session));
        pw_buf_putc(&b, ',');
    }
    pw_buf_puts(&b, "\"method\":");
    pw_buf_json_string(&b, method, strlen(method));
    if (params) {
        pw_buf_puts(&b, ",\"params\":");
        pw_buf_puts(&b, params);
    }
    pw_buf_putc(&b, '}');
    if (b.failed) {
        pw_buf_free(&b);
        return pw_err_set(err, PW_ERR_NOMEM, "devtools command %s: out of memory", method);
    }
    if (c->log)
        c->log(c->log_ctx, ">>", b.data, b.len);
    pw_status st = write_all(c, b.data, b.len + 1, err); /* + the NUL terminator */
    pw_buf_free(&b);
    if (st == PW_OK && id_out)
        *id_out = id;
    return st;
}

pw_status cdp_send(cdp_conn *c, const char *session, const char *method, const char *params,
                   cdp_reply_fn reply, void *reply_ctx, pw_err *err)
{
    pending *s = NULL;
    if (reply) {
        s = slot_for(c, 0);
        if (!s)
            return pw_err_set(err, PW_ERR_LIMIT, "devtools: too many commands in flight");
    }
    long id;
    pw_status st = send_raw(c, session, method, params, &id, err);
    if (st != PW_OK || !s)
        return st;
    s->id = id;
    s->reply = reply;
    s->ctx = reply_ctx;
    s->waiting = 0;
    s->done = 0;
    return PW_OK;
}

static void dispatch(cdp_conn *c, const char *text, size_t n)
{
    if (c->log)
        c->log(c->log_ctx, "<<", text, n);
    cdp_msg m;
    if (cdp_msg_parse(text, &m, NULL) != PW_OK)
        return; /* a message we cannot read is skipped, never fatal */
    if (m.id >= 0) {
        pending *s = m.id > 0 ? slot_for(c, m.id) : NULL;
        if (s && s->waiting) {
            s->msg = m;
            s->done = 1;
            return;
        }
        if (s) {
            cdp_reply_fn fn = s->reply;
            void *ctx = s->ctx;
            s->id = 0;
            fn(ctx, &m);
        }
    } else if (m.method && c->on_event) {
        c->on_event(c->event_ctx, &m);
    }
    cdp_msg_free(&m);
}

/* Split complete messages off the input buffer and dispatch each. */
static void dispatch_complete(cdp_conn *c)
{
    size_t start = 0;
    for (size_t i = c->scan_from; i < c->in.len; i++) {
        if (c->in.data[i] != '\0')
            continue;
        dispatch(c, c->in.data + start, i - start);
        start = i + 1;
    }
    if (start > 0) {
        memmove(c->in.data, c->in.data + start, c->in.len - start);
        c->in.len -= start;
        c->in.data[c->in.len] = '\0';
    }
    c->scan_from = c->in.len;
}

pw_status cdp_pump(cdp_conn *c, long long deadline_ms, pw_err *err)
{
    if (c->dead)
        return pw_err_set(err, PW_ERR_STATE, "browser connection is closed");
    long long left = deadline_ms - cdp_now_ms();
    struct pollfd pf = {.fd = c->rfd, .events = POLLIN};
    int r = poll(&pf, 1, left > 0 ? (int)(left > 1000000 ? 1000000 : left) : 0);
    if (r < 0 && errno != EINTR)
        return mark_dead(c, err, strerror(errno));
    if (r <= 0)
        return PW_OK;
    for (int rounds = 0; rounds < 64; rounds++) {
        if (pw_buf_reserve(&c->in, 65536) != PW_OK)
            return mark_dead(c, err, "out of memory");
        ssize_t got = read(c->rfd, c->in.data + c->in.len, c->in.cap - c->in.len - 1);
        if (got == 0)
            return mark_dead(c, err, "browser closed its pipe (exited or crashed)");
        if (got < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN)
                break;
            return mark_dead(c, err, strerror(errno));
        }
        c->in.len += (size_t)got;
        c->in.data[c->in.len] = '\0';
        if (c->in.len > CDP_MAX_MESSAGE)
            return mark_dead(c, err, "message larger than 256 MiB");
    }
    dispatch_complete(c);
    return PW_OK;
}

pw_status cdp_call(cdp_conn *c, const char *session, const char *method, const char *params,
                   int timeout_ms, cdp_msg *resp, pw_err *err)
{
    pending *s = slot_for(c, 0);
    if (!s)
        return pw_err_set(err, PW_ERR_LIMIT, "devtools: too many commands in flight");
    long id;
    pw_status st = send_raw(c, session, method, params, &id, err);
    if (st != PW_OK)
        return st;
    s->id = id;
    s->waiting = 1;
    s->done = 0;
    s->reply = NULL;
    long long deadline = cdp_now_ms() + timeout_ms;
    while (!s->done && !c->dead && cdp_now_ms() < deadline) {
        st = cdp_pump(c, deadline, err);
        if (st != PW_OK)
            break;
    }
    if (!s->done) {
        s->id = 0;
        s->waiting = 0;
        if (c->dead)
            return pw_err_set(err, PW_ERR_IO, "%s: browser connection lost", method);
        return pw_err_set(err, PW_ERR_TIMEOUT, "%s: no answer from the browser in %d ms", method,
                          timeout_ms);
    }
    cdp_msg m = s->msg;
    memset(&s->msg, 0, sizeof s->msg);
    s->id = 0;
    s->waiting = 0;
    s->done = 0;
    if (m.error) {
        pw_err_set(err, PW_ERR_REMOTE, "%s: %s", method, m.error);
        cdp_msg_free(&m);
        return PW_ERR_REMOTE;
    }
    if (resp)
        *resp = m;
    else
        cdp_msg_free(&m);
    return PW_OK;
}
