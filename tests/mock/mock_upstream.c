/* mock_upstream.c — the loopback upstream used by the forwarder tests (see mock_upstream.h). */
#include "mock_upstream.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <yajl/yajl_tree.h>

#define MOCK_MAX_REQUESTS 4096
#define MOCK_MAX_SCRIPT   256
#define MOCK_MAX_BODY     (4 << 20)

typedef struct scripted {
    int status;
    char *body;
    int retry_after_s;
    char *retry_after; /* raw header text, or NULL */
    char *location;    /* Location header, or NULL */
    unsigned delay_ms;
    int held;
} scripted;

struct mock_upstream {
    struct MHD_Daemon *daemon;
    char base[64];
    pthread_mutex_t mu;
    pthread_cond_t cond;
    mock_request *reqs[MOCK_MAX_REQUESTS];
    size_t n_reqs;
    scripted script[MOCK_MAX_SCRIPT];
    size_t script_head, script_len;
    atomic_int stopping;
    atomic_int released; /* mock_upstream_release was called: held replies answer */
    FILE *log;
};

typedef struct upload {
    char *data;
    size_t len;
    int too_big;
} upload;

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

static enum MHD_Result add_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                               const char *value)
{
    (void)kind;
    char **url = cls;
    size_t n = strlen(*url) + strlen(key) + (value ? strlen(value) : 0) + 3;
    char *grown = realloc(*url, n);
    if (!grown)
        return MHD_NO;
    strcat(grown, strchr(grown, '?') ? "&" : "?");
    strcat(grown, key);
    strcat(grown, "=");
    strcat(grown, value ? value : "");
    *url = grown;
    return MHD_YES;
}

static void put_json_string(FILE *f, const char *s, size_t n)
{
    fputc('"', f);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c < 0x20)
            fprintf(f, "\\u%04x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}

/* m->mu held. */
static void log_request(mock_upstream *m, const mock_request *r)
{
    if (!m->log)
        return;
    fputs("{\"method\":", m->log);
    put_json_string(m->log, r->method, strlen(r->method));
    fputs(",\"url\":", m->log);
    put_json_string(m->log, r->url, strlen(r->url));
    fputs(",\"body\":", m->log);
    put_json_string(m->log, r->body, r->body_len);
    fputs("}\n", m->log);
    fflush(m->log);
}

static void record(mock_upstream *m, struct MHD_Connection *c, const char *url, const char *method,
                   upload *u)
{
    mock_request *r = calloc(1, sizeof *r);
    r->method = strdup(method);
    r->url = strdup(url);
    MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, add_arg, &r->url);
    r->body = u->data ? u->data : strdup("");
    r->body_len = u->len;
    u->data = NULL;
    r->authorization =
        dup_or_null(MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION));
    r->content_type =
        dup_or_null(MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE));
    pthread_mutex_lock(&m->mu);
    log_request(m, r);
    if (m->n_reqs < MOCK_MAX_REQUESTS) {
        m->reqs[m->n_reqs++] = r;
    } else {
        free(r->method);
        free(r->url);
        free(r->body);
        free(r->authorization);
        free(r->content_type);
        free(r);
        r = NULL;
    }
    pthread_cond_broadcast(&m->cond);
    pthread_mutex_unlock(&m->mu);
    (void)r;
}

static int take_script(mock_upstream *m, scripted *out)
{
    pthread_mutex_lock(&m->mu);
    int have = m->script_len > 0;
    if (have) {
        *out = m->script[m->script_head];
        m->script_head = (m->script_head + 1) % MOCK_MAX_SCRIPT;
        m->script_len--;
    }
    pthread_mutex_unlock(&m->mu);
    return have;
}

/* The default answer: Graph-style when the body has a "data" array. */
static char *default_body(const char *body)
{
    yajl_val v = yajl_tree_parse(body, NULL, 0);
    const char *path[] = {"data", NULL};
    yajl_val data = v ? yajl_tree_get(v, path, yajl_t_array) : NULL;
    char *out = NULL;
    if (data) {
        out = malloc(96);
        snprintf(out, 96, "{\"events_received\":%zu,\"messages\":[],\"fbtrace_id\":\"AmockTrace\"}",
                 data->u.array.len);
    }
    yajl_tree_free(v);
    return out ? out : strdup("");
}

static void sleep_ms(mock_upstream *m, unsigned ms)
{
    for (unsigned slept = 0; slept < ms && !atomic_load(&m->stopping); slept += 10) {
        struct timespec ts = {0, 10 * 1000000L};
        nanosleep(&ts, NULL);
    }
}

static enum MHD_Result answer(mock_upstream *m, struct MHD_Connection *c, const char *last_body,
                              scripted s, int scripted_reply)
{
    if (!scripted_reply)
        s.body = default_body(last_body);
    while (s.held && !atomic_load(&m->released) && !atomic_load(&m->stopping))
        sleep_ms(m, 10);
    sleep_ms(m, s.delay_ms);
    const char *body = s.body ? s.body : "";
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_MUST_COPY);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
    if (s.location)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_LOCATION, s.location);
    if (s.retry_after) {
        MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, s.retry_after);
    } else if (s.retry_after_s > 0) {
        char ra[16];
        snprintf(ra, sizeof ra, "%d", s.retry_after_s);
        MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, ra);
    }
    enum MHD_Result rc = MHD_queue_response(c, (unsigned)s.status, resp);
    MHD_destroy_response(resp);
    free(s.body);
    free(s.retry_after);
    free(s.location);
    return rc;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
                              const char *method, const char *version, const char *upload_data,
                              size_t *upload_data_size, void **con_cls)
{
    (void)version;
    mock_upstream *m = cls;
    upload *u = *con_cls;
    if (!u) {
        *con_cls = calloc(1, sizeof(upload));
        return *con_cls ? MHD_YES : MHD_NO;
    }
    if (*upload_data_size) {
        if (u->len + *upload_data_size <= MOCK_MAX_BODY) {
            char *grown = realloc(u->data, u->len + *upload_data_size + 1);
            if (grown) {
                memcpy(grown + u->len, upload_data, *upload_data_size);
                u->len += *upload_data_size;
                grown[u->len] = '\0';
                u->data = grown;
            }
        } else {
            u->too_big = 1;
        }
        *upload_data_size = 0;
        return MHD_YES;
    }
    char *body_copy = strdup(u->data ? u->data : "");
    /* The reply is taken before the request is logged: a test that scripts a reply after it saw
     * a request (mock_upstream_wait) scripts the next one, never the one it saw. */
    scripted s = {200, NULL, 0, NULL, NULL, 0, 0};
    int have = take_script(m, &s);
    record(m, c, url, method, u);
    enum MHD_Result rc = answer(m, c, body_copy, s, have);
    free(body_copy);
    return rc;
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls,
                      enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)c;
    (void)toe;
    upload *u = *con_cls;
    if (u) {
        free(u->data);
        free(u);
    }
    *con_cls = NULL;
}

mock_upstream *mock_upstream_start(void)
{
    return mock_upstream_start_port(0);
}

mock_upstream *mock_upstream_start_port(unsigned port)
{
    return mock_upstream_start_logged(port, NULL);
}

mock_upstream *mock_upstream_start_logged(unsigned port, FILE *log)
{
    mock_upstream *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->log = log;
    pthread_mutex_init(&m->mu, NULL);
    pthread_cond_init(&m->cond, NULL);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    m->daemon =
        MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL,
                         NULL, handle, m, MHD_OPTION_SOCK_ADDR, &addr, MHD_OPTION_NOTIFY_COMPLETED,
                         completed, m, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)10, MHD_OPTION_END);
    if (!m->daemon) {
        free(m);
        return NULL;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(m->daemon, MHD_DAEMON_INFO_BIND_PORT);
    snprintf(m->base, sizeof m->base, "http://127.0.0.1:%u", info ? info->port : 0);
    return m;
}

void mock_upstream_stop(mock_upstream *m)
{
    if (!m)
        return;
    atomic_store(&m->stopping, 1);
    MHD_stop_daemon(m->daemon);
    for (size_t i = 0; i < m->n_reqs; i++) {
        mock_request *r = m->reqs[i];
        free(r->method);
        free(r->url);
        free(r->body);
        free(r->authorization);
        free(r->content_type);
        free(r);
    }
    for (size_t i = 0; i < m->script_len; i++) {
        free(m->script[(m->script_head + i) % MOCK_MAX_SCRIPT].body);
        free(m->script[(m->script_head + i) % MOCK_MAX_SCRIPT].retry_after);
        free(m->script[(m->script_head + i) % MOCK_MAX_SCRIPT].location);
    }
    pthread_mutex_destroy(&m->mu);
    pthread_cond_destroy(&m->cond);
    free(m);
}

const char *mock_upstream_base(const mock_upstream *m)
{
    return m->base;
}

void mock_upstream_script(mock_upstream *m, const mock_reply *reply)
{
    pthread_mutex_lock(&m->mu);
    if (m->script_len < MOCK_MAX_SCRIPT) {
        scripted *s = &m->script[(m->script_head + m->script_len) % MOCK_MAX_SCRIPT];
        s->status = reply->status;
        s->body = reply->body ? strdup(reply->body) : NULL;
        s->retry_after_s = reply->retry_after_s;
        s->retry_after = reply->retry_after ? strdup(reply->retry_after) : NULL;
        s->location = reply->location ? strdup(reply->location) : NULL;
        s->delay_ms = reply->delay_ms;
        s->held = reply->held;
        m->script_len++;
    }
    pthread_mutex_unlock(&m->mu);
}

void mock_upstream_release(mock_upstream *m)
{
    atomic_store(&m->released, 1);
}

size_t mock_upstream_count(mock_upstream *m)
{
    pthread_mutex_lock(&m->mu);
    size_t n = m->n_reqs;
    pthread_mutex_unlock(&m->mu);
    return n;
}

const mock_request *mock_upstream_request(mock_upstream *m, size_t i)
{
    pthread_mutex_lock(&m->mu);
    const mock_request *r = i < m->n_reqs ? m->reqs[i] : NULL;
    pthread_mutex_unlock(&m->mu);
    return r;
}

int mock_upstream_wait(mock_upstream *m, size_t n, unsigned timeout_ms)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += timeout_ms / 1000;
    until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&m->mu);
    int rc = 0;
    while (m->n_reqs < n && rc == 0)
        rc = pthread_cond_timedwait(&m->cond, &m->mu, &until);
    int ok = m->n_reqs >= n;
    pthread_mutex_unlock(&m->mu);
    return ok;
}

const char *mock_graph_error(char *buf, size_t cap, int code, int subcode, const char *trace)
{
    snprintf(buf, cap,
             "{\"error\":{\"message\":\"mock error %d\",\"type\":\"OAuthException\",\"code\":%d,"
             "\"error_subcode\":%d,\"fbtrace_id\":\"%s\"}}",
             code, code, subcode, trace ? trace : "AmockErr");
    return buf;
}
