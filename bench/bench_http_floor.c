/*
 * bench_http_floor.c — the floor under the gateway's HTTP front: the candidate libraries answering
 * POST /e with a fixed 200 and no work. libmicrohttpd with the gateway's settings (internal epoll
 * thread pool, TURBO, 16 KiB per connection, suspend/resume), and libh2o's evloop (one loop per
 * thread, each with its own SO_REUSEPORT listening socket), built when libh2o-evloop-dev is
 * installed. bench/gateway.sh runs wrk against it in the same run as nginx and the gateway and
 * prints its CPU per request next to theirs.
 *
 *   bench_http_floor MODE THREADS    prints "port N", serves until stdin closes. MODE:
 *     direct        MHD, answer at once
 *     suspend       MHD, suspend the request; a second thread resumes every waiting request (the
 *                   commit's part)
 *     block         MHD, a thread per connection that waits for the second thread instead
 *     poll, poll-suspend   direct and suspend with poll() instead of epoll
 *     loop          MHD, one daemon per thread run by its own epoll loop (MHD's epoll fd and an
 *                   eventfd; the daemons share one listening socket); suspend as above, but the
 *                   second thread hands waiting requests back to their thread's queue, waking it
 *                   once per batch, and that thread resumes them itself (measured for the
 *                   gateway and not adopted: gateway.md, "The HTTP threads on their own event
 *                   loops")
 *     loop-direct   the same loops, answer at once
 *     h2o           h2o, answer at once
 *     h2o-hop       h2o, hand the request to a second thread, which sends it back to its loop
 *                   through an h2o_multithread queue to be answered
 *   PW_FLOOR_COMMIT_US=N: the second thread sleeps N us per round (a stand-in for fdatasync), so
 *   that answers come back in batches as they do after the spool's group commit.
 */
#include <arpa/inet.h>
#ifdef PW_HAVE_H2O
#include <h2o.h>
#endif
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

/* PW_FLOOR_COMMIT_US: the hop thread sleeps this long per round, as the committer waits for the
 * spool's fdatasync, so that answers come back in batches as they do in the gateway (0: none). */
static unsigned commit_us;

static const char reply_body[] = "{\"received\":1,\"accepted\":1,\"queued\":2}";

typedef struct loop loop;

typedef struct waiting {
    struct MHD_Connection *c; /* suspended; NULL: a blocked thread waits for done */
    int done;
    pthread_cond_t done_cv;
    loop *l; /* loop mode: the thread whose daemon has the connection */
    struct waiting *next;
} waiting;

/* loop mode: one daemon per thread, run by that thread; requests come back through `back`. */
struct loop {
    struct MHD_Daemon *d;
    pthread_t tid;
    pthread_mutex_t mu;
    waiting *back; /* committed, to be resumed by this thread */
    int wake_sent; /* the thread was woken for `back` and has not taken it yet */
    int wake_fd;   /* eventfd in the loop's epoll set, next to libmicrohttpd's epoll fd */
};

static struct {
    struct MHD_Response *resp;
    int suspend, block, loops;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    waiting *queue;
    int stop;
} g = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};

/* Hand w back to its loop: the loop is woken (its eventfd) once per batch, by the first request
 * queued since it last took its queue. Without an internal polling thread libmicrohttpd has no
 * eventfd of its own, so the loop's MHD_resume_connection of each is a mutex and no syscall. */
static void loop_hand_back(waiting *w)
{
    loop *l = w->l;
    pthread_mutex_lock(&l->mu);
    w->next = l->back;
    l->back = w;
    int wake = !l->wake_sent;
    l->wake_sent = 1;
    pthread_mutex_unlock(&l->mu);
    if (wake) {
        uint64_t one = 1;
        if (write(l->wake_fd, &one, sizeof one) < 0)
            perror("bench_http_floor: eventfd");
    }
}

static volatile int loops_stop;
static __thread loop *this_loop; /* loop mode: the loop of the calling thread */

static void *loop_thread(void *arg)
{
    loop *l = arg;
    this_loop = l;
    pthread_setname_np(pthread_self(), "pw-http");
    int ep = epoll_create1(EPOLL_CLOEXEC);
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(l->d, MHD_DAEMON_INFO_EPOLL_FD);
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = di->epoll_fd};
    epoll_ctl(ep, EPOLL_CTL_ADD, di->epoll_fd, &ev);
    ev.data.fd = l->wake_fd;
    epoll_ctl(ep, EPOLL_CTL_ADD, l->wake_fd, &ev);
    while (!loops_stop) {
        MHD_UNSIGNED_LONG_LONG to = 0;
        int ms = MHD_get_timeout(l->d, &to) == MHD_YES ? (to > 60000 ? 60000 : (int)to) : -1;
        struct epoll_event got[2];
        int n = ms == 0 ? 0 : epoll_wait(ep, got, 2, ms);
        for (int i = 0; i < n; i++) {
            uint64_t v;
            if (got[i].data.fd == l->wake_fd && read(l->wake_fd, &v, sizeof v) < 0)
                perror("bench_http_floor: eventfd");
        }
        pthread_mutex_lock(&l->mu);
        waiting *w = l->back;
        l->back = NULL;
        l->wake_sent = 0;
        pthread_mutex_unlock(&l->mu);
        for (; w; w = w->next)
            MHD_resume_connection(w->c);
        MHD_run(l->d);
    }
    return NULL;
}

/* The stand-in for the commit: resume whatever waits, all at once. */
static void *resumer(void *arg)
{
    (void)arg;
    pthread_setname_np(pthread_self(), "floor-hop");
    pthread_mutex_lock(&g.mu);
    while (!g.stop) {
        while (!g.queue && !g.stop)
            pthread_cond_wait(&g.cv, &g.mu);
        pthread_mutex_unlock(&g.mu);
        if (commit_us)
            usleep(commit_us);
        pthread_mutex_lock(&g.mu);
        waiting *w = g.queue;
        g.queue = NULL;
        pthread_mutex_unlock(&g.mu);
        while (w) {
            waiting *next = w->next;
            if (w->l) {
                loop_hand_back(w);
            } else if (w->c) {
                MHD_resume_connection(w->c);
            } else {
                pthread_mutex_lock(&g.mu);
                w->done = 1;
                pthread_cond_signal(&w->done_cv);
                pthread_mutex_unlock(&g.mu);
            }
            w = next;
        }
        pthread_mutex_lock(&g.mu);
    }
    pthread_mutex_unlock(&g.mu);
    return NULL;
}

typedef struct req {
    waiting w;
    int state; /* 0 new, 1 suspended, 2 resumed */
} mhd_req;

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls)
{
    (void)cls, (void)url, (void)method, (void)version, (void)upload;
    mhd_req *r = *con_cls;
    if (!r) {
        r = calloc(1, sizeof *r);
        *con_cls = r;
        return r ? MHD_YES : MHD_NO;
    }
    if (*upload_size) {
        *upload_size = 0;
        return MHD_YES;
    }
    if (g.suspend && r->state == 0) {
        r->state = 1;
        r->w.c = c;
        r->w.l = this_loop;
        MHD_suspend_connection(c);
        pthread_mutex_lock(&g.mu);
        r->w.next = g.queue;
        g.queue = &r->w;
        pthread_cond_signal(&g.cv);
        pthread_mutex_unlock(&g.mu);
        return MHD_YES;
    }
    if (g.block) { /* this connection's own thread waits for the hop */
        waiting *w = &r->w;
        pthread_cond_init(&w->done_cv, NULL);
        pthread_mutex_lock(&g.mu);
        w->next = g.queue;
        g.queue = w;
        pthread_cond_signal(&g.cv);
        while (!w->done)
            pthread_cond_wait(&w->done_cv, &g.mu);
        pthread_mutex_unlock(&g.mu);
        pthread_cond_destroy(&w->done_cv);
    }
    return MHD_queue_response(c, 200, g.resp);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls, (void)c, (void)toe;
    free(*con_cls);
    *con_cls = NULL;
}

/* ---- libh2o evloop (built when libh2o-evloop-dev is installed) ---- */
#ifdef PW_HAVE_H2O

typedef struct h2o_thread {
    h2o_context_t ctx; /* first: the handler finds its thread from req->conn->ctx */
    h2o_accept_ctx_t accept;
    h2o_multithread_queue_t *queue;
    h2o_multithread_receiver_t replies; /* requests coming back from the hop thread */
    int fd;
    pthread_t tid;
} h2o_thread;

typedef struct hop {
    h2o_multithread_message_t msg;
    h2o_req_t *req;
    h2o_thread *t;
    struct hop *next;
} hop;

static struct {
    h2o_globalconf_t config;
    int hop;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    hop *queue;
} hg = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};

static h2o_generator_t h2o_gen = {NULL, NULL};

static void h2o_answer(h2o_req_t *req)
{
    static h2o_iovec_t body = {(char *)reply_body, sizeof reply_body - 1};
    req->res.status = 200;
    req->res.reason = "OK";
    req->res.content_length = body.len;
    h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL,
                   H2O_STRLIT("application/json"));
    h2o_start_response(req, &h2o_gen);
    h2o_send(req, &body, 1, 1);
}

/* The stand-in for the commit: send every waiting request back to its loop. */
static void *h2o_hopper(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&hg.mu);
    for (;;) {
        while (!hg.queue)
            pthread_cond_wait(&hg.cv, &hg.mu);
        pthread_mutex_unlock(&hg.mu);
        if (commit_us)
            usleep(commit_us);
        pthread_mutex_lock(&hg.mu);
        hop *x = hg.queue;
        hg.queue = NULL;
        pthread_mutex_unlock(&hg.mu);
        while (x) {
            hop *next = x->next;
            h2o_multithread_send_message(&x->t->replies, &x->msg);
            x = next;
        }
        pthread_mutex_lock(&hg.mu);
    }
    return NULL;
}

static void h2o_on_replies(h2o_multithread_receiver_t *recv, h2o_linklist_t *messages)
{
    (void)recv;
    while (!h2o_linklist_is_empty(messages)) {
        h2o_multithread_message_t *m =
            H2O_STRUCT_FROM_MEMBER(h2o_multithread_message_t, link, messages->next);
        h2o_linklist_unlink(&m->link);
        h2o_answer(H2O_STRUCT_FROM_MEMBER(hop, msg, m)->req);
    }
}

static int h2o_on_req(h2o_handler_t *self, h2o_req_t *req)
{
    (void)self;
    if (!hg.hop) {
        h2o_answer(req);
        return 0;
    }
    hop *x = h2o_mem_alloc_pool(&req->pool, sizeof *x);
    *x = (hop){.req = req, .t = (h2o_thread *)(void *)req->conn->ctx};
    pthread_mutex_lock(&hg.mu);
    x->next = hg.queue;
    hg.queue = x;
    pthread_cond_signal(&hg.cv);
    pthread_mutex_unlock(&hg.mu);
    return 0;
}

static void h2o_on_accept(h2o_socket_t *listener, const char *err)
{
    if (err)
        return;
    for (int i = 0; i < 16; i++) {
        h2o_socket_t *sock = h2o_evloop_socket_accept(listener);
        if (!sock)
            return;
        h2o_accept(listener->data, sock);
    }
}

static void *h2o_loop_thread(void *arg)
{
    h2o_thread *t = arg;
    h2o_context_init(&t->ctx, h2o_evloop_create(), &hg.config);
    t->accept.ctx = &t->ctx;
    t->accept.hosts = hg.config.hosts;
    t->queue = h2o_multithread_create_queue(t->ctx.loop);
    h2o_multithread_register_receiver(t->queue, &t->replies, h2o_on_replies);
    h2o_socket_t *ls = h2o_evloop_socket_create(t->ctx.loop, t->fd, H2O_SOCKET_FLAG_DONT_READ);
    ls->data = &t->accept;
    h2o_socket_read_start(ls, h2o_on_accept);
    for (;;) /* -1 is an interrupted epoll_wait (EINTR): run again */
        h2o_evloop_run(t->ctx.loop, INT32_MAX);
    return NULL;
}

static int reuseport_listener(unsigned *port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int on = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof on);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)*port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof sa;
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(fd, 1024) != 0 ||
        getsockname(fd, (struct sockaddr *)&sa, &len) != 0) {
        close(fd);
        return -1;
    }
    *port = ntohs(sa.sin_port);
    return fd;
}

static int h2o_main(unsigned threads)
{
    h2o_config_init(&hg.config);
    hg.config.http1.req_timeout = 30000;
    h2o_hostconf_t *host =
        h2o_config_register_host(&hg.config, h2o_iovec_init(H2O_STRLIT("default")), 65535);
    h2o_pathconf_t *path = h2o_config_register_path(host, "/", 0);
    h2o_handler_t *handler = h2o_create_handler(path, sizeof *handler);
    handler->on_req = h2o_on_req;
    pthread_t hopper;
    pthread_create(&hopper, NULL, h2o_hopper, NULL);
    h2o_thread *ts = calloc(threads, sizeof *ts);
    unsigned port = 0;
    for (unsigned i = 0; i < threads; i++)
        if ((ts[i].fd = reuseport_listener(&port)) < 0) {
            fprintf(stderr, "bench_http_floor: cannot listen\n");
            return 1;
        }
    for (unsigned i = 0; i < threads; i++)
        pthread_create(&ts[i].tid, NULL, h2o_loop_thread, &ts[i]);
    printf("port %u\n", port);
    fflush(stdout);
    char buf[64];
    while (read(0, buf, sizeof buf) > 0)
        ;
    _exit(0); /* the loops run until the process ends */
}
#endif

/* loop, loop-direct: a daemon per thread, the first binding, the others sharing its socket. */
static int loops_main(unsigned threads)
{
    unsigned flags = MHD_USE_EPOLL | MHD_USE_TURBO | MHD_ALLOW_SUSPEND_RESUME;
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = 0};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    loop *ls = calloc(threads, sizeof *ls);
    for (unsigned i = 0; i < threads; i++) {
        int fd = -1;
        if (i > 0) {
            const union MHD_DaemonInfo *di =
                MHD_get_daemon_info(ls[0].d, MHD_DAEMON_INFO_LISTEN_FD);
            fd = dup(di->listen_fd);
        }
        pthread_mutex_init(&ls[i].mu, NULL);
        ls[i].wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        ls[i].d = MHD_start_daemon(
            flags, 0, NULL, NULL, on_request, NULL,
            i ? MHD_OPTION_LISTEN_SOCKET : MHD_OPTION_SOCK_ADDR,
            i ? (void *)(intptr_t)fd : (void *)&sa, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30,
            MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL, MHD_OPTION_LISTEN_BACKLOG_SIZE,
            (unsigned)1024, MHD_OPTION_CONNECTION_LIMIT, (unsigned)(1020 / threads),
            MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)16 * 1024, MHD_OPTION_END);
        if (!ls[i].d) {
            fprintf(stderr, "bench_http_floor: cannot start\n");
            return 1;
        }
    }
    for (unsigned i = 0; i < threads; i++)
        pthread_create(&ls[i].tid, NULL, loop_thread, &ls[i]);
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(ls[0].d, MHD_DAEMON_INFO_BIND_PORT);
    printf("port %u\n", di ? di->port : 0);
    fflush(stdout);
    char buf[64];
    while (read(0, buf, sizeof buf) > 0)
        ;
    _exit(0); /* the loops run until the process ends */
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr,
                "usage: bench_http_floor "
                "direct|suspend|block|poll|poll-suspend|loop|loop-direct|h2o|h2o-hop THREADS\n");
        return 2;
    }
    const char *cu = getenv("PW_FLOOR_COMMIT_US");
    commit_us = cu ? (unsigned)atoi(cu) : 0;
    if (strncmp(argv[1], "h2o", 3) == 0) {
#ifdef PW_HAVE_H2O
        hg.hop = strcmp(argv[1], "h2o-hop") == 0;
        int n = atoi(argv[2]);
        return h2o_main(n > 0 ? (unsigned)n : 2);
#else
        fprintf(stderr, "bench_http_floor: built without libh2o-evloop-dev\n");
        return 1;
#endif
    }
    if (strncmp(argv[1], "loop", 4) == 0) {
        g.suspend = strcmp(argv[1], "loop") == 0;
        g.resp = MHD_create_response_from_buffer(sizeof reply_body - 1, (void *)reply_body,
                                                 MHD_RESPMEM_PERSISTENT);
        MHD_add_response_header(g.resp, "Content-Type", "application/json");
        pthread_t t;
        pthread_create(&t, NULL, resumer, NULL);
        int n = atoi(argv[2]);
        return loops_main(n > 0 ? (unsigned)n : 2);
    }
    g.suspend = strcmp(argv[1], "suspend") == 0;
    g.block = strcmp(argv[1], "block") == 0;
    int poll_mode =
        strncmp(argv[1], "poll", 4) == 0; /* poll, poll-suspend: poll() instead of epoll */
    g.suspend |= strcmp(argv[1], "poll-suspend") == 0;
    unsigned threads = (unsigned)atoi(argv[2]);
    unsigned flags = g.block ? MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION |
                                   MHD_USE_POLL | MHD_USE_ITC
                             : MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ITC | MHD_USE_TURBO |
                                   MHD_ALLOW_SUSPEND_RESUME |
                                   (poll_mode ? MHD_USE_POLL : MHD_USE_EPOLL);
    g.resp = MHD_create_response_from_buffer(sizeof reply_body - 1, (void *)reply_body,
                                             MHD_RESPMEM_PERSISTENT);
    MHD_add_response_header(g.resp, "Content-Type", "application/json");
    pthread_t t;
    pthread_create(&t, NULL, resumer, NULL);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = 0};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    struct MHD_Daemon *d =
        MHD_start_daemon(flags, 0, NULL, NULL, on_request, NULL, MHD_OPTION_SOCK_ADDR,
                         (struct sockaddr *)&sa, MHD_OPTION_THREAD_POOL_SIZE,
                         g.block   ? 0
                         : threads ? threads
                                   : 2,
                         MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30, MHD_OPTION_NOTIFY_COMPLETED,
                         on_completed, NULL, MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned)1024,
                         MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)16 * 1024, MHD_OPTION_END);
    if (!d) {
        fprintf(stderr, "bench_http_floor: cannot start\n");
        return 1;
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    printf("port %u\n", di ? di->port : 0);
    fflush(stdout);
    char buf[64];
    while (read(0, buf, sizeof buf) > 0)
        ;
    MHD_stop_daemon(d);
    pthread_mutex_lock(&g.mu);
    g.stop = 1;
    pthread_cond_signal(&g.cv);
    pthread_mutex_unlock(&g.mu);
    pthread_join(t, NULL);
    MHD_destroy_response(g.resp);
    return 0;
}
