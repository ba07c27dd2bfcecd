/*
 * demo_server.c — phiwall-demo-server: serves the demo hospital site (demo/site, or the clean
 * variant with --clean) on 127.0.0.1 for the demo, the scanner tests and the HAR recorder.
 * HTTP/1.1 without keep-alive, one bounded thread per connection, GET/HEAD/POST. Routes: the
 * rendered pages, static files, /vendor/<host>/<path> (the project's own tracker scripts under
 * the real vendors' paths), /robots.txt, /sitemap.xml, the portal login with a session cookie.
 *
 *   phiwall-demo-server [--port N] [--root DIR] [--clean] [--clean-dir DIR] [--gateway URL]
 *                       [--quiet]
 *
 * The first stdout line is "listening on http://127.0.0.1:PORT" (--port 0 picks a free port).
 */
#include "dbuf.h"
#include "http_parse.h"
#include "site.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_CONNECTIONS 64
#define MAX_BODY        (64 * 1024)
#define IO_TIMEOUT_SEC  10
#define MAX_SESSIONS    256

#define PORTAL_USER     "jordan.avery"
#define PORTAL_PASSWORD "Riverside-2026"
#define PORTAL_NAME     "Jordan Avery"

static site_cfg g_site;
static int g_quiet;
static atomic_int g_active;

/* In-memory portal sessions (a demo, so a fixed table with round-robin replacement). */
static pthread_mutex_t g_sess_lock = PTHREAD_MUTEX_INITIALIZER;
static char g_sessions[MAX_SESSIONS][33];
static unsigned g_sess_next;

static void session_new(char out[33])
{
    unsigned char raw[16];
    if (getrandom(raw, sizeof raw, 0) != (ssize_t)sizeof raw)
        memset(raw, 0x5a, sizeof raw);
    for (int i = 0; i < 16; i++)
        snprintf(out + 2 * i, 3, "%02x", raw[i]);
    pthread_mutex_lock(&g_sess_lock);
    memcpy(g_sessions[g_sess_next++ % MAX_SESSIONS], out, 33);
    pthread_mutex_unlock(&g_sess_lock);
}

static int session_valid(const char *tok)
{
    if (strlen(tok) != 32)
        return 0;
    int ok = 0;
    pthread_mutex_lock(&g_sess_lock);
    for (int i = 0; i < MAX_SESSIONS && !ok; i++)
        ok = strcmp(g_sessions[i], tok) == 0;
    pthread_mutex_unlock(&g_sess_lock);
    return ok;
}

static void session_drop(const char *tok)
{
    pthread_mutex_lock(&g_sess_lock);
    for (int i = 0; i < MAX_SESSIONS; i++)
        if (strcmp(g_sessions[i], tok) == 0)
            g_sessions[i][0] = '\0';
    pthread_mutex_unlock(&g_sess_lock);
}

/* One connection's request and the response being built. */
typedef struct conn {
    int fd;
    dh_request req;
    char path[1024]; /* cleaned, decoded path */
    const char *body;
    size_t body_len;
    int head_only;
    int status;
} conn;

static int write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static const char *reason(int status)
{
    switch (status) {
    case 200: return "OK";
    case 204: return "No Content";
    case 302: return "Found";
    case 303: return "See Other";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 413: return "Content Too Large";
    case 431: return "Request Header Fields Too Large";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    default: return "Internal Server Error";
    }
}

/* Sends a complete response; extra is zero or more full header lines ending in CRLF. */
static void respond(conn *c, int status, const char *type, const char *extra, const char *body,
                    size_t n)
{
    dbuf h = {0};
    c->status = status;
    dbuf_printf(&h,
                "HTTP/1.1 %d %s\r\nServer: phiwall-demo\r\nConnection: close\r\n"
                "Content-Length: %zu\r\nX-Content-Type-Options: nosniff\r\n",
                status, reason(status), n);
    if (type)
        dbuf_printf(&h, "Content-Type: %s\r\n", type);
    if (extra)
        dbuf_adds(&h, extra);
    dbuf_adds(&h, "\r\n");
    if (!h.oom && write_all(c->fd, h.p, h.n) == 0 && !c->head_only && n > 0)
        write_all(c->fd, body, n);
    dbuf_free(&h);
}

static void respond_text(conn *c, int status, const char *msg)
{
    respond(c, status, "text/plain; charset=utf-8", NULL, msg, strlen(msg));
}

static void redirect(conn *c, int status, const char *location, const char *cookie)
{
    dbuf extra = {0};
    dbuf_printf(&extra, "Location: %s\r\n", location);
    if (cookie)
        dbuf_printf(&extra, "Set-Cookie: %s\r\n", cookie);
    respond(c, status, "text/plain; charset=utf-8", extra.p, "", 0);
    dbuf_free(&extra);
}

static const char *content_type(const char *path, int vendor)
{
    const char *slash = strrchr(path, '/');
    const char *dot = strrchr(slash ? slash : path, '.');
    static const char *types[][2] = {
        {".html", "text/html; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},
        {".js", "application/javascript"},
        {".mjs", "application/javascript"},
        {".json", "application/json"},
        {".svg", "image/svg+xml"},
        {".png", "image/png"},
        {".jpg", "image/jpeg"},
        {".gif", "image/gif"},
        {".ico", "image/x-icon"},
        {".txt", "text/plain; charset=utf-8"},
        {".xml", "application/xml"},
        {".woff2", "font/woff2"},
        {".webp", "image/webp"},
    };
    if (dot)
        for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
            if (strcmp(dot, types[i][0]) == 0)
                return types[i][1];
    /* Vendor scripts live at extension-less real paths (gtag/js, signals/config/<id>). */
    return vendor ? "application/javascript" : "application/octet-stream";
}

static int serve_file(conn *c, const char *base, const char *rel, int vendor)
{
    char file[2048];
    snprintf(file, sizeof file, "%s%s", base, rel);
    dbuf b = {0};
    if (dbuf_read_file(&b, file) != 0) {
        dbuf_free(&b);
        return -1;
    }
    const char *cache = vendor ? "Cache-Control: no-cache\r\nAccess-Control-Allow-Origin: *\r\n"
                               : "Cache-Control: no-cache\r\n";
    respond(c, 200, content_type(rel, vendor), cache, b.p ? b.p : "", b.n);
    dbuf_free(&b);
    return 0;
}

static void origin_of(conn *c, char *out, size_t cap)
{
    const dh_slice *host = dh_header_get(&c->req, "host");
    int ok = host && host->n > 0 && host->n < 200;
    for (size_t i = 0; ok && i < host->n; i++)
        ok = strchr("<>\"' &", host->p[i]) == NULL;
    if (ok)
        snprintf(out, cap, "http://%.*s", (int)host->n, host->p);
    else
        snprintf(out, cap, "http://127.0.0.1");
}

static void serve_robots(conn *c)
{
    char origin[256];
    origin_of(c, origin, sizeof origin);
    dbuf b = {0};
    dbuf_printf(&b,
                "User-agent: *\nDisallow: /portal/\nDisallow: /appointments/confirm\n"
                "Sitemap: %s/sitemap.xml\n",
                origin);
    respond(c, 200, "text/plain; charset=utf-8", NULL, b.p, b.n);
    dbuf_free(&b);
}

static void serve_sitemap(conn *c)
{
    char origin[256];
    origin_of(c, origin, sizeof origin);
    dbuf b = {0};
    if (site_sitemap(&g_site, origin, &b) == 0)
        respond(c, 200, "application/xml", NULL, b.p, b.n);
    else
        respond_text(c, 500, "sitemap failed\n");
    dbuf_free(&b);
}

static int session_of(conn *c, char *tok, size_t cap)
{
    const dh_slice *ck = dh_header_get(&c->req, "cookie");
    return ck && dh_cookie_get(ck->p, ck->n, "rrmc_session", tok, cap) > 0 && session_valid(tok);
}

static void render_page(conn *c, int status, const char *file, const char *user)
{
    site_req sr = {
        .query = c->req.query.p ? c->req.query.p : "", .query_len = c->req.query.n, .user = user};
    dbuf b = {0};
    if (site_render(&g_site, file, &sr, &b) == 0)
        respond(c, status, "text/html; charset=utf-8", "Cache-Control: no-store\r\n", b.p, b.n);
    else
        respond_text(c, 500, "render failed\n");
    dbuf_free(&b);
}

static void not_found(conn *c)
{
    char file[1024];
    if (site_page_file(&g_site, "/404", file, sizeof file) == 0)
        render_page(c, 404, file, NULL);
    else
        respond_text(c, 404, "not found\n");
}

static int is_portal_private(const char *path)
{
    return strncmp(path, "/portal/", 8) == 0 && strcmp(path, "/portal/login") != 0;
}

static void serve_get(conn *c)
{
    const char *p = c->path;
    if (strcmp(p, "/robots.txt") == 0)
        return serve_robots(c);
    if (strcmp(p, "/sitemap.xml") == 0)
        return serve_sitemap(c);
    if (strncmp(p, "/vendor/", 8) == 0) {
        if (serve_file(c, g_site.root, p, 1) != 0)
            not_found(c);
        return;
    }
    char tok[64];
    if (strcmp(p, "/portal/logout") == 0) {
        if (session_of(c, tok, sizeof tok))
            session_drop(tok);
        return redirect(c, 302, "/portal/login",
                        "rrmc_session=; Path=/portal; Max-Age=0; HttpOnly; SameSite=Lax");
    }
    if (strcmp(p, "/portal") == 0)
        return redirect(c, 302, "/portal/dashboard", NULL);
    char file[1024];
    if (site_page_file(&g_site, p, file, sizeof file) == 0) {
        int authed = session_of(c, tok, sizeof tok);
        if (is_portal_private(p) && !authed) {
            char loc[1200];
            snprintf(loc, sizeof loc, "/portal/login?next=%s", p);
            return redirect(c, 302, loc, NULL);
        }
        return render_page(c, 200, file, authed ? PORTAL_NAME : NULL);
    }
    /* Static files: the clean overlay first (phiwall.js), then the site; never _private dirs. */
    if (strstr(p, "/_") == NULL && strncmp(p, "/pages/", 7) != 0) {
        if (g_site.clean && serve_file(c, g_site.clean_dir, p, 0) == 0)
            return;
        if (serve_file(c, g_site.root, p, 0) == 0)
            return;
    }
    not_found(c);
}

static void portal_login(conn *c)
{
    char user[128], pass[128], next[256], cookie[128], tok[33];
    const char *b = c->body ? c->body : "";
    if (dh_form_get(b, c->body_len, "username", user, sizeof user) < 0 ||
        dh_form_get(b, c->body_len, "password", pass, sizeof pass) < 0 ||
        strcmp(user, PORTAL_USER) != 0 || strcmp(pass, PORTAL_PASSWORD) != 0)
        return redirect(c, 303, "/portal/login?error=1", NULL);
    session_new(tok);
    snprintf(cookie, sizeof cookie, "rrmc_session=%s; Path=/portal; HttpOnly; SameSite=Lax", tok);
    const char *dest = "/portal/dashboard";
    if (dh_form_get(b, c->body_len, "next", next, sizeof next) > 0 && is_portal_private(next) &&
        strspn(next, "abcdefghijklmnopqrstuvwxyz-/") == strlen(next))
        dest = next;
    redirect(c, 303, dest, cookie);
}

static void serve_post(conn *c)
{
    if (strcmp(c->path, "/portal/login") == 0)
        return portal_login(c);
    char file[1024], dest[256];
    if (site_page_file(&g_site, c->path, file, sizeof file) == 0 &&
        site_page_header(file, "post_redirect", dest, sizeof dest) == 0)
        return redirect(c, 303, dest, NULL);
    respond(c, 405, "text/plain; charset=utf-8", "Allow: GET, HEAD\r\n", "method not allowed\n",
            19);
}

static int slice_is(dh_slice s, const char *z)
{
    return s.n == strlen(z) && memcmp(s.p, z, s.n) == 0;
}

static void route(conn *c)
{
    if (dh_path_clean(c->req.path.p, c->req.path.n, c->path, sizeof c->path) < 0)
        return respond_text(c, 400, "bad request path\n");
    if (slice_is(c->req.method, "GET"))
        return serve_get(c);
    if (slice_is(c->req.method, "HEAD")) {
        c->head_only = 1;
        return serve_get(c);
    }
    if (slice_is(c->req.method, "POST"))
        return serve_post(c);
    respond(c, 405, "text/plain; charset=utf-8", "Allow: GET, HEAD, POST\r\n",
            "method not allowed\n", 19);
}

static int status_of(dh_status st)
{
    return st == DH_TOO_LARGE ? 431 : st == DH_UNSUPPORTED ? 501 : 400;
}

/* Reads the head and the body (Content-Length only), then routes. */
static void handle(conn *c)
{
    static const size_t cap = DH_MAX_HEAD + MAX_BODY;
    char *buf = malloc(cap);
    if (!buf)
        return;
    size_t len = 0;
    dh_status st = DH_INCOMPLETE;
    while (st == DH_INCOMPLETE && len < DH_MAX_HEAD) {
        ssize_t r = recv(c->fd, buf + len, DH_MAX_HEAD - len, 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        len += (size_t)r;
        st = dh_parse_head(buf, len, &c->req);
    }
    if (st == DH_INCOMPLETE) {
        if (len > 0)
            respond_text(c, len >= DH_MAX_HEAD ? 431 : 400, "incomplete request\n");
        free(buf);
        return;
    }
    if (st != DH_OK) {
        respond_text(c, status_of(st), c->req.error ? c->req.error : "bad request");
        free(buf);
        return;
    }
    long long want = c->req.content_length < 0 ? 0 : c->req.content_length;
    if (want > MAX_BODY) {
        respond_text(c, 413, "request body too large\n");
        free(buf);
        return;
    }
    size_t total = c->req.head_len + (size_t)want;
    while (len < total) {
        ssize_t r = recv(c->fd, buf + len, total - len, 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        len += (size_t)r;
    }
    if (len < total) {
        respond_text(c, 400, "truncated request body\n");
    } else {
        /* The head slices point into buf, which never moves, so they stay valid. */
        c->body = buf + c->req.head_len;
        c->body_len = (size_t)want;
        route(c);
    }
    if (!g_quiet)
        fprintf(stderr, "%.*s %.*s %d\n", (int)c->req.method.n, c->req.method.p,
                (int)(c->req.target.n > 200 ? 200 : c->req.target.n), c->req.target.p, c->status);
    free(buf);
}

/*
 * Half-closes, then discards what the client still sends (briefly) before closing: closing a
 * socket with unread input makes the kernel send a reset, which can destroy the error response
 * (431, 413, 400) before the client has read it.
 */
static void linger_close(int fd)
{
    shutdown(fd, SHUT_WR);
    struct timeval tv = {.tv_sec = 1};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    char sink[4096];
    size_t total = 0;
    ssize_t r;
    while (total < (1u << 20) && (r = recv(fd, sink, sizeof sink, 0)) > 0)
        total += (size_t)r;
    close(fd);
}

static void *conn_thread(void *arg)
{
    conn *c = arg;
    handle(c);
    linger_close(c->fd);
    free(c);
    atomic_fetch_sub(&g_active, 1);
    return NULL;
}

static void spawn(int fd)
{
    struct timeval tv = {.tv_sec = IO_TIMEOUT_SEC};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    conn *c = calloc(1, sizeof *c);
    if (!c || atomic_fetch_add(&g_active, 1) >= MAX_CONNECTIONS) {
        static const char busy[] = "HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\n"
                                   "Content-Length: 0\r\n\r\n";
        write_all(fd, busy, sizeof busy - 1);
        close(fd);
        free(c);
        atomic_fetch_sub(&g_active, 1);
        return;
    }
    c->fd = fd;
    pthread_t th;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&attr, 256 * 1024);
    if (pthread_create(&th, &attr, conn_thread, c) != 0) {
        close(fd);
        free(c);
        atomic_fetch_sub(&g_active, 1);
    }
    pthread_attr_destroy(&attr);
}

static int listen_on(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(fd, 128) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static int bound_port(int fd)
{
    struct sockaddr_in a;
    socklen_t n = sizeof a;
    if (getsockname(fd, (struct sockaddr *)&a, &n) != 0)
        return -1;
    return ntohs(a.sin_port);
}

static void usage(FILE *f)
{
    fprintf(f, "usage: phiwall-demo-server [--port N] [--root DIR] [--clean] [--clean-dir DIR] "
               "[--gateway URL] [--quiet]\n");
}

static int parse_args(int argc, char **argv, int *port)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int has_val = i + 1 < argc;
        if (strcmp(a, "--port") == 0 && has_val) {
            char *end;
            long v = strtol(argv[++i], &end, 10);
            if (*end || v < 0 || v > 65535)
                return -1;
            *port = (int)v;
        } else if (strcmp(a, "--root") == 0 && has_val) {
            g_site.root = argv[++i];
        } else if (strcmp(a, "--clean-dir") == 0 && has_val) {
            g_site.clean_dir = argv[++i];
        } else if (strcmp(a, "--gateway") == 0 && has_val) {
            g_site.gateway = argv[++i];
            if (strspn(g_site.gateway, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                       "0123456789:/._-[]") != strlen(g_site.gateway))
                return -1;
        } else if (strcmp(a, "--clean") == 0) {
            g_site.clean = 1;
        } else if (strcmp(a, "--quiet") == 0) {
            g_quiet = 1;
        } else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            exit(0);
        } else {
            return -1;
        }
    }
    return 0;
}

int main(int argc, char **argv)
{
    int port = 8080;
    g_site.root = DEMO_SITE_DIR;
    g_site.clean_dir = DEMO_CLEAN_DIR;
    if (parse_args(argc, argv, &port) != 0) {
        usage(stderr);
        return 2;
    }
    struct stat st;
    if (stat(g_site.root, &st) != 0 || !S_ISDIR(st.st_mode)) {
        fprintf(stderr, "phiwall-demo-server: %s: not a directory\n", g_site.root);
        return 1;
    }
    signal(SIGPIPE, SIG_IGN);
    int fd = listen_on(port);
    if (fd < 0) {
        fprintf(stderr, "phiwall-demo-server: cannot listen on 127.0.0.1:%d: %s\n", port,
                strerror(errno));
        return 1;
    }
    printf("listening on http://127.0.0.1:%d\n", bound_port(fd));
    fflush(stdout);
    for (;;) {
        int cfd = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
        if (cfd < 0) {
            if (errno == EINTR || errno == ECONNABORTED || errno == EMFILE || errno == ENFILE)
                continue;
            perror("phiwall-demo-server: accept");
            return 1;
        }
        spawn(cfd);
    }
}
