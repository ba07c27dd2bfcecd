/*
 * browser_test_server.c — a small loopback HTTP server (libmicrohttpd) for the browser scan tests:
 * a mini hospital site with a fake pixel (served under /vendor/<host>/ for --map-host) plus the
 * hostile pages the scanner must survive: a page that never finishes loading, a redirect loop and
 * a 50 MB page. For the network-aware settle: /late loads its tag after the load event from /tag,
 * which redirects to /slow/tag.js; that answers after ?ms= milliseconds (2500; the query of /late
 * is passed on) with a script that sends a Meta beacon (ev=LateBeacon); /stuck loads a script that
 * never completes; /busy keeps three fetches open forever; /stream keeps one EventSource open;
 * /links links to /never and /big (pages a static scan cannot fetch); /csp loads the pixel under a
 * Content-Security-Policy that refuses it; /hangpixel?h=HOST loads a script after the load event
 * from http://HOST:<this port>/insight.min.js, which never completes; /slowform is the appointment
 * form whose submission, /slowform/thanks, answers after 2.5 s; /leaveform is a form whose
 * submission loads /leaveform/next, both sending a beacon at pagehide.
 * Listens on 127.0.0.1, port from argv[1] (0 = any); prints "PORT <n>" and runs until SIGTERM or
 * SIGINT. /to-never redirects to /never (a redirected page without a load event). /broken links
 * to /gone, an error page (404) that still loads the pixel; /moved redirects to /careers.
 * /leaveframe is /leaveform with an iframe (/leaveframe/inner; from http://<frame>:<this port>/
 * with ?frame=, another site) that sends a beacon at pagehide naming its document. /popup opens
 * /popup/window in new windows (window.open, noopener, a form with target=_blank). /download
 * links to an attachment (/download/file, 1 MiB) and /careers. /spa changes its URL with
 * history.pushState every 200 ms; /loginframe has its login form in an iframe; /frameform has
 * the appointment form in an iframe (of another site with ?frame=HOST).
 */
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char home[] =
    "<!doctype html><html><head><title>Test Hospital</title>"
    "<script src=\"https://connect.facebook.net/en_US/fbevents.js\"></script></head><body>"
    "<h1>Test Hospital</h1>"
    "<div id=\"consent\"><button id=\"accept-cookies\">Accept all</button>"
    "<button id=\"reject-cookies\">Reject all</button></div>"
    "<form action=\"/search\" role=\"search\"><input type=\"search\" name=\"q\">"
    "<button type=\"submit\">Search</button></form>"
    "<a href=\"/careers\">Careers</a> <a href=\"/appointments\">Schedule an appointment</a> "
    "<a href=\"/private/x\">Private</a> <a href=\"https://other.example.net/\">Elsewhere</a>"
    "</body></html>";

/* The form's action is %s: /appointments/thanks, or /slowform/thanks which answers late. */
static const char appointments_fmt[] =
    "<!doctype html><html><head><title>Request an appointment</title>"
    "<script src=\"https://connect.facebook.net/en_US/fbevents.js\"></script></head><body>"
    "<h1>Request an appointment</h1><form action=\"%s\" method=\"get\">"
    "<label for=\"fn\">First name</label><input id=\"fn\" name=\"first_name\">"
    "<label for=\"ln\">Last name</label><input id=\"ln\" name=\"last_name\">"
    "<input type=\"email\" name=\"email\" placeholder=\"Email\">"
    "<input type=\"tel\" name=\"phone\" placeholder=\"Phone\">"
    "<label>Date of birth <input name=\"dob\"></label>"
    "<textarea name=\"reason\"></textarea>"
    "<button type=\"submit\">Book appointment</button></form></body></html>";

static const char simple_fmt[] =
    "<!doctype html><html><head><title>%s</title>"
    "<script src=\"https://connect.facebook.net/en_US/fbevents.js\"></script></head>"
    "<body><h1>%s</h1><a href=\"/\">Home</a></body></html>";

/* The fake pixel: a PageView image beacon with the page URL, a click beacon with the button
 * text, and a sendBeacon POST on submit carrying the typed values. */
static const char pixel_js[] =
    "(function(){var px='https://www.facebook.com/tr';"
    "function q(o){return Object.keys(o).map(function(k){return encodeURIComponent(k)+'='+"
    "encodeURIComponent(o[k])}).join('&')}"
    "new Image().src=px+'?'+q({id:'1234567890',ev:'PageView',dl:location.href,"
    "rl:document.referrer});"
    "document.addEventListener('click',function(e){var b=e.target.closest('button,a');if(!b)"
    "return;new Image().src=px+'?'+q({id:'1234567890',ev:'SubscribedButtonClick',"
    "dl:location.href,'cd[buttonText]':(b.innerText||'').trim()});},true);"
    "document.addEventListener('submit',function(e){var f=e.target,o={id:'1234567890',"
    "ev:'Lead',dl:location.href};for(var i=0;i<f.elements.length;i++){var el=f.elements[i];"
    "if(el.name)o['udff['+el.name+']']=el.value;}navigator.sendBeacon(px,new Blob([q(o)],"
    "{type:'application/x-www-form-urlencoded'}));},true);})();";

static const char robots[] = "User-agent: *\nDisallow: /private\n";

/* A tag manager that starts its tags after the page has loaded (late_fmt: title, script). */
static const char late_fmt[] =
    "<!doctype html><html><head><title>%s</title></head><body><h1>%s</h1>"
    "<p>Tags are added after the load event.</p><script>addEventListener('load',function(){"
    "setTimeout(function(){%s},50);});</script></body></html>";

static const char late_add_tag[] = "var s=document.createElement('script');"
                                   "s.src='/tag'+location.search;document.head.appendChild(s);";
static const char stuck_add_tag[] = "var s=document.createElement('script');"
                                    "s.src='/hang.js';document.head.appendChild(s);";
/* A tracker's script over plain HTTP from this server's port (the test maps the tracker's host,
 * ?h=, to 127.0.0.1; one without HSTS, which Chromium would upgrade to HTTPS), where
 * /insight.min.js never completes: still loading when the scan leaves the page. */
static const char hang_pixel[] =
    "var s=document.createElement('script');s.src='http://'+new URLSearchParams(location.search)"
    ".get('h')+':'+location.port+'/insight.min.js';document.head.appendChild(s);";
static const char busy_fetches[] =
    "for(var i=0;i<3;i++)fetch('/hang.js?f='+i).catch(function(){});";
static const char stream_open[] = "window.es=new EventSource('/events');";
/* A tracker that sends its last batch when the page is left (pagehide), as a Blob: the browser's
 * event omits such a body (hasPostData only), and by the time it could be asked for, the next
 * document has replaced the page. */
static const char leave_beacon[] =
    "addEventListener('pagehide',function(){navigator.sendBeacon('https://www.facebook.com/tr',"
    "new Blob(['id=1234567890&ev=PageLeave&udff[em]=leave.canary%40example.org'],"
    "{type:'application/x-www-form-urlencoded'}));});";

/* A form whose submission loads the next page (/leaveform/next, the same page without the
 * form; on http://<to>:<this port>/ with ?to=, another site, as a booking vendor's would be): both
 * send a beacon at pagehide naming the document that sent it (from=<path>), the form page's as
 * the submission replaces it, the next page's when the scan leaves it. */
static const char leaveform_fmt[] =
    "<!doctype html><html><head><title>%s</title><script>addEventListener('pagehide',function(){"
    "navigator.sendBeacon('https://www.facebook.com/tr',new Blob(['id=1234567890&ev=FormLeave"
    "&from='+encodeURIComponent(location.pathname)+'&udff[em]=leave.canary%%40example.org'],"
    "{type:'application/x-www-form-urlencoded'}));});</script></head><body><h1>%s</h1>%s"
    "</body></html>";
static const char leaveform_form[] =
    "<form action=\"/leaveform/next\" method=\"get\"><input type=\"email\" name=\"email\" "
    "placeholder=\"Email\"><button type=\"submit\">Book appointment</button></form>"
    "<script>var to=new URLSearchParams(location.search).get('to');if(to)document.forms[0]"
    ".action='http://'+to+':'+location.port+'/leaveform/next';</script>";

/* An iframe that sends a beacon at pagehide naming its document (from=<path>): it unloads with
 * the page that embeds it. */
static const char leaveframe_inner[] =
    "<!doctype html><html><head><title>frame</title><script>addEventListener('pagehide',"
    "function(){navigator.sendBeacon('https://www.facebook.com/tr',new Blob(['id=1234567890"
    "&ev=FrameLeave&from='+encodeURIComponent(location.pathname)+'&udff[em]=leave.canary%40"
    "example.org'],{type:'application/x-www-form-urlencoded'}));});</script></head><body>frame"
    "</body></html>";
static const char leaveframe_frame[] =
    "<iframe id=\"f\" src=\"/leaveframe/inner\"></iframe><script>var fr=new URLSearchParams("
    "location.search).get('frame');if(fr)document.getElementById('f').src='http://'+fr+':'+"
    "location.port+'/leaveframe/inner';</script>";

/* Care controls that open the booking flow in a new window (/popup): window.open from a button,
 * window.open with noopener, and a form submitted into target=_blank. The window
 * (/popup/window?via=…) loads the pixel, sends a beacon of its own (not through the pixel: it is
 * sent also where the pixel's script cannot load) and one at pagehide (the scan closes it). */
static const char popup_page[] =
    "<!doctype html><html><head><title>Cancer care</title>"
    "<script src=\"https://connect.facebook.net/en_US/fbevents.js\"></script></head><body>"
    "<main><h1>Cancer care</h1><p>Our oncology team</p>"
    "<button onclick=\"window.open('/popup/window?via=open','_blank','width=400,height=600')\">"
    "Request an appointment</button> "
    "<button onclick=\"window.open('/popup/window?via=noopener','_blank','noopener')\">"
    "Book a visit</button>"
    "<form action=\"/popup/window\" target=\"_blank\"><input type=\"hidden\" name=\"via\" "
    "value=\"form\"><input type=\"email\" name=\"email\" placeholder=\"Email\">"
    "<button type=\"submit\">Send request</button></form></main></body></html>";
static const char popup_window[] =
    "<!doctype html><html><head><title>Book an oncology appointment</title>"
    "<script src=\"https://connect.facebook.net/en_US/fbevents.js\"></script><script>"
    "new Image().src='https://www.facebook.com/tr?id=1234567890&ev=PopupView&dl='+"
    "encodeURIComponent(location.href);addEventListener('pagehide',function(){navigator.sendBeacon("
    "'https://www.facebook.com/tr',"
    "'id=1234567890&ev=PopupLeave&dl='+encodeURIComponent(location.href));});</script>"
    "</head><body><h1>Book an appointment</h1></body></html>";

static const char late_tag_js[] =
    "new Image().src='https://www.facebook.com/tr?id=1234567890&ev=LateBeacon&dl='+"
    "encodeURIComponent(location.href);";

typedef struct stream {
    size_t sent, total;
    int trickle;
    const char *tick; /* sent every 300 ms for ten minutes (a script or event stream) */
} stream;

static ssize_t stream_cb(void *cls, uint64_t pos, char *buf, size_t max)
{
    stream *s = cls;
    static const char head[] = "<!doctype html><html><head><title>Slow</title></head><body>";
    if (s->tick) {
        size_t n = strlen(s->tick);
        if (s->sent++ > 2000 || n > max)
            return MHD_CONTENT_READER_END_OF_STREAM;
        if (pos > 0)
            usleep(300000);
        memcpy(buf, s->tick, n);
        return (ssize_t)n;
    }
    if (s->trickle) {
        if (pos == 0) {
            memcpy(buf, head, sizeof head - 1);
            return sizeof head - 1;
        }
        if (s->sent++ > 3000) /* ten minutes at most */
            return MHD_CONTENT_READER_END_OF_STREAM;
        usleep(200000);
        buf[0] = ' ';
        return 1;
    }
    if (pos >= s->total)
        return MHD_CONTENT_READER_END_OF_STREAM;
    size_t n = max;
    if (n > s->total - pos)
        n = s->total - pos;
    for (size_t i = 0; i < n; i++)
        buf[i] = "<p>filler text for a very large page.</p>\n"[(pos + i) % 42];
    return (ssize_t)n;
}

static enum MHD_Result send_text(struct MHD_Connection *c, int status, const char *type,
                                 const char *body)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_MUST_COPY);
    MHD_add_response_header(r, "Content-Type", type);
    enum MHD_Result ret = MHD_queue_response(c, (unsigned)status, r);
    MHD_destroy_response(r);
    return ret;
}

/* A page whose Content-Security-Policy allows only its own scripts: the pixel is refused. */
static enum MHD_Result send_csp_page(struct MHD_Connection *c, const char *body)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_MUST_COPY);
    MHD_add_response_header(r, "Content-Type", "text/html");
    MHD_add_response_header(r, "Content-Security-Policy", "script-src 'self'");
    enum MHD_Result ret = MHD_queue_response(c, 200, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result send_attachment(struct MHD_Connection *c, size_t n)
{
    char *body = calloc(1, n);
    struct MHD_Response *r = MHD_create_response_from_buffer(n, body, MHD_RESPMEM_MUST_FREE);
    MHD_add_response_header(r, "Content-Type", "application/octet-stream");
    MHD_add_response_header(r, "Content-Disposition", "attachment; filename=\"form.bin\"");
    enum MHD_Result ret = MHD_queue_response(c, 200, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result redirect(struct MHD_Connection *c, const char *to)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(0, "", MHD_RESPMEM_PERSISTENT);
    MHD_add_response_header(r, "Location", to);
    enum MHD_Result ret = MHD_queue_response(c, 302, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result stream_page(struct MHD_Connection *c, int trickle, size_t total)
{
    stream *s = calloc(1, sizeof *s);
    s->trickle = trickle;
    s->total = total;
    struct MHD_Response *r = MHD_create_response_from_callback(trickle ? MHD_SIZE_UNKNOWN : total,
                                                               64 * 1024, stream_cb, s, free);
    MHD_add_response_header(r, "Content-Type", "text/html");
    enum MHD_Result ret = MHD_queue_response(c, 200, r);
    MHD_destroy_response(r);
    return ret;
}

/* A response that never completes: `tick` every 300 ms (the client gives up first). */
static enum MHD_Result endless(struct MHD_Connection *c, const char *type, const char *tick)
{
    stream *s = calloc(1, sizeof *s);
    s->tick = tick;
    struct MHD_Response *r =
        MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 1024, stream_cb, s, free);
    MHD_add_response_header(r, "Content-Type", type);
    MHD_add_response_header(r, "Cache-Control", "no-store");
    enum MHD_Result ret = MHD_queue_response(c, 200, r);
    MHD_destroy_response(r);
    return ret;
}

/* The late tag: answered after ?ms= milliseconds (at most 20 s). */
static enum MHD_Result slow_tag(struct MHD_Connection *c)
{
    const char *ms = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "ms");
    long wait = ms ? strtol(ms, NULL, 10) : 2500;
    if (wait > 0)
        usleep((useconds_t)(wait > 20000 ? 20000 : wait) * 1000);
    return send_text(c, 200, "application/javascript", late_tag_js);
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
                              const char *method, const char *version, const char *data,
                              size_t *data_len, void **state)
{
    (void)cls, (void)version, (void)data;
    if (strcmp(method, "POST") == 0 && *state == NULL) {
        *state = (void *)1;
        return MHD_YES;
    }
    if (*data_len) {
        *data_len = 0;
        return MHD_YES;
    }
    char page[2048];
    if (strcmp(url, "/") == 0)
        return send_text(c, 200, "text/html", home);
    if (strcmp(url, "/appointments") == 0 || strcmp(url, "/slowform") == 0) {
        snprintf(page, sizeof page, appointments_fmt,
                 url[1] == 'a' ? "/appointments/thanks" : "/slowform/thanks");
        return send_text(c, 200, "text/html", page);
    }
    if (strcmp(url, "/slowform/thanks") == 0) /* a submission still loading 2.5 s later */
        usleep(2500 * 1000);
    if (strcmp(url, "/robots.txt") == 0)
        return send_text(c, 200, "text/plain", robots);
    if (strncmp(url, "/vendor/", 8) == 0 && strstr(url, "fbevents.js"))
        return send_text(c, 200, "application/javascript", pixel_js);
    const char *late = strcmp(url, "/late") == 0        ? late_add_tag
                       : strcmp(url, "/stuck") == 0     ? stuck_add_tag
                       : strcmp(url, "/busy") == 0      ? busy_fetches
                       : strcmp(url, "/hangpixel") == 0 ? hang_pixel
                       : strcmp(url, "/stream") == 0    ? stream_open
                       : strcmp(url, "/leave") == 0     ? leave_beacon
                                                        : NULL;
    if (late) {
        snprintf(page, sizeof page, late_fmt, url + 1, url + 1, late);
        return send_text(c, 200, "text/html", page);
    }
    if (strcmp(url, "/leaveform") == 0 || strcmp(url, "/leaveform/next") == 0) {
        int form = strcmp(url, "/leaveform") == 0;
        snprintf(page, sizeof page, leaveform_fmt, url + 1, url + 1, form ? leaveform_form : "");
        return send_text(c, 200, "text/html", page);
    }
    if (strcmp(url, "/leaveframe") == 0) {
        char body[1024];
        snprintf(body, sizeof body, "%s%s", leaveform_form, leaveframe_frame);
        snprintf(page, sizeof page, leaveform_fmt, "leaveframe", "leaveframe", body);
        return send_text(c, 200, "text/html", page);
    }
    if (strcmp(url, "/leaveframe/inner") == 0)
        return send_text(c, 200, "text/html", leaveframe_inner);
    if (strcmp(url, "/popup") == 0)
        return send_text(c, 200, "text/html", popup_page);
    if (strcmp(url, "/popup/window") == 0)
        return send_text(c, 200, "text/html", popup_window);
    if (strcmp(url, "/spa") == 0) /* a router: a new URL every 200 ms, a PageView for each */
        return send_text(c, 200, "text/html",
                         "<!doctype html><html><head><title>Find care</title>"
                         "<script src=\"https://connect.facebook.net/en_US/fbevents.js\">"
                         "</script></head><body><h1>Find care</h1><script>var i=0;setInterval("
                         "function(){i++;history.pushState({},'','/spa/condition/'+['hiv',"
                         "'cancer','depression'][i%3]+'?n='+i);new Image().src='https://www."
                         "facebook.com/tr?id=1234567890&ev=PageView&dl='+encodeURIComponent("
                         "location.href);},200);</script></body></html>");
    if (strcmp(url, "/loginframe") == 0) /* the portal's login form inside an iframe */
        return send_text(c, 200, "text/html",
                         "<!doctype html><html><head><title>Patient portal</title></head><body>"
                         "<iframe src=\"/loginframe/inner\" width=\"400\" height=\"300\">"
                         "</iframe></body></html>");
    if (strcmp(url, "/loginframe/inner") == 0)
        return send_text(c, 200, "text/html",
                         "<!doctype html><html><head><title>Sign in</title></head><body>"
                         "<form action=\"/careers\" method=\"post\"><input name=\"username\">"
                         "<input type=\"password\" name=\"password\"><button>Sign in</button>"
                         "</form></body></html>");
    if (strcmp(url, "/frameform") == 0) /* the appointment form in an iframe (?frame=HOST) */
        return send_text(c, 200, "text/html",
                         "<!doctype html><html><head><title>Request an appointment</title>"
                         "</head><body><h1>Request an appointment</h1><iframe id=\"f\" "
                         "src=\"/appointments\" width=\"600\" height=\"600\"></iframe><script>"
                         "var fr=new URLSearchParams(location.search).get('frame');if(fr)document"
                         ".getElementById('f').src='http://'+fr+':'+location.port+'/appointments';"
                         "</script></body></html>");
    if (strcmp(url, "/download") == 0)
        return send_text(c, 200, "text/html",
                         "<!doctype html><html><head><title>Patient forms</title></head><body>"
                         "<a href=\"/download/file\">Records release form</a> "
                         "<a href=\"/careers\">Careers</a></body></html>");
    if (strcmp(url, "/download/file") == 0) /* an attachment: a browser saves it */
        return send_attachment(c, 1u << 20);
    if (strcmp(url, "/broken") == 0)
        return send_text(c, 200, "text/html",
                         "<!doctype html><html><head><title>Broken link</title></head><body>"
                         "<a href=\"/gone\">A page that was removed</a></body></html>");
    if (strcmp(url, "/gone") == 0) { /* an error page with the site's tags on it */
        snprintf(page, sizeof page, simple_fmt, "Page not found", "Page not found");
        return send_text(c, 404, "text/html", page);
    }
    if (strcmp(url, "/moved") == 0)
        return redirect(c, "/careers");
    if (strcmp(url, "/tag") == 0) { /* a redirect keeps its requestId: counted once */
        const char *ms = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "ms");
        snprintf(page, sizeof page, "/slow/tag.js?ms=%ld", ms ? strtol(ms, NULL, 10) : 2500);
        return redirect(c, page);
    }
    if (strcmp(url, "/slow/tag.js") == 0)
        return slow_tag(c);
    if (strcmp(url, "/csp") == 0) {
        snprintf(page, sizeof page, simple_fmt, "csp", "csp");
        return send_csp_page(c, page);
    }
    if (strcmp(url, "/insight.min.js") == 0)
        return endless(c, "application/javascript", " ");
    if (strcmp(url, "/hang.js") == 0)
        return endless(c, "application/javascript", " ");
    if (strcmp(url, "/events") == 0)
        return endless(c, "text/event-stream", "data: tick\n\n");
    if (strcmp(url, "/links") == 0) /* static triage: pages it cannot fetch */
        return send_text(c, 200, "text/html",
                         "<!doctype html><html><head><title>Links</title></head><body>"
                         "<a href=\"/never\">Never loads</a> <a href=\"/big\">Too big</a>"
                         "</body></html>");
    if (strcmp(url, "/never") == 0)
        return stream_page(c, 1, 0);
    if (strcmp(url, "/big") == 0)
        return stream_page(c, 0, 50u << 20);
    if (strcmp(url, "/to-never") == 0) /* a page that redirects, then never finishes */
        return redirect(c, "/never");
    if (strcmp(url, "/loop") == 0)
        return redirect(c, "/loop2");
    if (strcmp(url, "/loop2") == 0)
        return redirect(c, "/loop");
    if (strcmp(url, "/careers") == 0 || strcmp(url, "/search") == 0 ||
        strcmp(url, "/appointments/thanks") == 0 || strcmp(url, "/slowform/thanks") == 0 ||
        strcmp(url, "/private/x") == 0) {
        snprintf(page, sizeof page, simple_fmt, url + 1, url + 1);
        return send_text(c, 200, "text/html", page);
    }
    return send_text(c, 404, "text/html", "<html><title>Not found</title>not found</html>");
}

int main(int argc, char **argv)
{
    signal(SIGPIPE, SIG_IGN);
    sigset_t block;
    sigemptyset(&block);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGINT);
    pthread_sigmask(SIG_BLOCK, &block, NULL); /* inherited by the server's threads */
    unsigned port = argc > 1 ? (unsigned)atoi(argv[1]) : 0;
    struct sockaddr_in addr = {0};
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    struct MHD_Daemon *d = MHD_start_daemon(
        MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL, handle,
        NULL, MHD_OPTION_SOCK_ADDR, &addr, MHD_OPTION_CONNECTION_TIMEOUT, 120u, MHD_OPTION_END);
    if (!d) {
        fprintf(stderr, "browser_test_server: cannot listen\n");
        return 1;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    printf("PORT %u\n", info ? info->port : port);
    fflush(stdout);
    int sig;
    sigwait(&block, &sig);
    MHD_stop_daemon(d);
    return 0;
}
