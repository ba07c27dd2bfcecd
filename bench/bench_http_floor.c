/*
 * bench_http_floor.c — the floor under the gateway's HTTP front: libmicrohttpd with the gateway's
 * own settings (internal epoll thread pool, TURBO, 16 KiB per connection, suspend/resume) answering
 * POST /e with a fixed 200 and no work. bench/gateway.sh runs wrk against it in the same run as
 * nginx and the gateway and prints its CPU per request next to theirs.
 *
 *   bench_http_floor MODE THREADS   MODE: direct (answer at once) | suspend (suspend the request,
 *                                   a second thread resumes every waiting request, as the commit
 *                                   does); prints "port N", serves until stdin closes.
 */
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char reply_body[] = "{\"received\":1,\"accepted\":1,\"queued\":2}";

typedef struct waiting {
    struct MHD_Connection *c;
    struct waiting *next;
} waiting;

static struct {
    struct MHD_Response *resp;
    int suspend;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    waiting *queue;
    int stop;
} g = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};

/* The stand-in for the commit: resume whatever waits, all at once. */
static void *resumer(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&g.mu);
    while (!g.stop) {
        while (!g.queue && !g.stop)
            pthread_cond_wait(&g.cv, &g.mu);
        waiting *w = g.queue;
        g.queue = NULL;
        pthread_mutex_unlock(&g.mu);
        while (w) {
            waiting *next = w->next;
            MHD_resume_connection(w->c);
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
} req;

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls)
{
    (void)cls, (void)url, (void)method, (void)version, (void)upload;
    req *r = *con_cls;
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
        MHD_suspend_connection(c);
        pthread_mutex_lock(&g.mu);
        r->w.next = g.queue;
        g.queue = &r->w;
        pthread_cond_signal(&g.cv);
        pthread_mutex_unlock(&g.mu);
        return MHD_YES;
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

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: bench_http_floor direct|suspend THREADS\n");
        return 2;
    }
    g.suspend = strcmp(argv[1], "suspend") == 0;
    unsigned threads = (unsigned)atoi(argv[2]);
    g.resp = MHD_create_response_from_buffer(sizeof reply_body - 1, (void *)reply_body,
                                             MHD_RESPMEM_PERSISTENT);
    MHD_add_response_header(g.resp, "Content-Type", "application/json");
    pthread_t t;
    pthread_create(&t, NULL, resumer, NULL);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = 0};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    struct MHD_Daemon *d =
        MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC |
                             MHD_USE_TURBO | MHD_ALLOW_SUSPEND_RESUME,
                         0, NULL, NULL, on_request, NULL, MHD_OPTION_SOCK_ADDR,
                         (struct sockaddr *)&sa, MHD_OPTION_THREAD_POOL_SIZE, threads ? threads : 2,
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
