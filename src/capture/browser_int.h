/*
 * browser_int.h — shared state of the browser capture source (internal to src/capture/): the
 * browser (process + connection + tabs), each tab's per-page capture, the crawl queue, and the
 * JavaScript the scanner runs in pages. browser_scan.c orchestrates; browser_events.c turns
 * DevTools events into captured requests; browser_contain.c answers Fetch interceptions;
 * browser_tab.c runs the per-page steps; browser_settle.c waits until pages are quiet;
 * browser_crawl.c keeps the queue; browser_http.c fetches with libcurl (robots.txt, sitemap.xml,
 * --map-host).
 */
#ifndef PW_CAPTURE_BROWSER_INT_H
#define PW_CAPTURE_BROWSER_INT_H

#include "capture/cdp.h"
#include "phiwall/browser.h"

#define BX_MAX_JOBS 8
#define BX_CALL_MS  8000 /* a command the browser does not answer in this time: hung */

/* One captured request, kept until its page is flushed to the sink. */
typedef struct bx_req {
    struct bx_req *next;
    const char *request_id;
    pw_request r;
    pw_header *headers;
    int body_pending; /* Network.getRequestPostData in flight */
    /* a top-level document request: the document the tab showed when it was sent (a form's
     * page), or NULL — where it belongs when its answer shows nothing (bx_no_document) */
    const char *sent_from;
} bx_req;

/* An answer to a top-level navigation that the browser does not show (HTTP 204 No Content, 205
 * Reset Content): the navigation ends there and the page that asked stays. */
#define bx_no_document(status) ((status) == 204 || (status) == 205)

/* A request whose Fetch pause phiwall answered: the status of its own answer (containment,
 * mapped hosts), used when the browser's Network.responseReceived never came (the page moved on
 * first); 0 when the request was passed on to the network or failed. paused: the request as the
 * pause showed it, kept when the Network domain had not given its body (or not reported it at
 * all): a beacon sent while its document unloads (pagehide, a form submission) reaches the
 * browser after the document's Network agent is gone — no Network.requestWillBeSent, or
 * Network.getRequestPostData answers "No resource with given id" — while the pause, taken in
 * the browser process, always carries URL, headers and body. */
typedef struct bx_answered {
    struct bx_answered *next;
    const char *network_id;
    int status;
    struct bx_req *paused;
} bx_answered;

/* Where a request came from, for bx_req_new: the event's resource type, frame, document URL,
 * initiator and wall time (the pause has only the first two). */
typedef struct bx_req_where {
    const char *type;
    const char *frame;
    const char *document_url;
    const char *loader; /* loaderId: the document that sent it */
    yajl_val initiator;
    double wall_time;
} bx_req_where;

/* A request in flight on a tab (browser_settle.c): Network.requestWillBeSent seen,
 * loadingFinished or loadingFailed not yet. */
typedef struct bx_flight {
    struct bx_flight *next;
    const char *request_id;
    const char *session; /* the session that reported it (a frame's or worker's) */
    const char *loader;  /* the document that sent it (loaderId) */
    const char *url;
    long long started_ms; /* monotonic */
    int holds;            /* a document or script: what it runs may send more requests */
    int long_lived;       /* in flight when a settle hit its cap: it holds no later settle */
} bx_flight;

/* Requests other than documents and scripts that may stay in flight when a page is quiet (long
 * polls, event streams, media), like Puppeteer's networkidle2. */
#define BX_FLIGHT_ALLOWED 2

typedef struct bx_visit { /* a top-level document the tab showed during one task */
    struct bx_visit *next;
    const char *url;
    const char *loader; /* its loaderId (the top frame's documents), or NULL */
    const char *title;  /* a page a step landed on (bx_tab_landed_info): its title, or NULL */
} bx_visit;

/* A frame below the top one and the page (top-level document) it was attached to: a frame
 * lives in one document of the top frame, so its requests belong to that page even when they
 * arrive after the tab moved on (an iframe's pagehide beacon as a submission replaces the page). */
typedef struct bx_frame {
    struct bx_frame *next;
    const char *id;
    const char *page;
    int gone;  /* an out-of-process frame whose session detached: it is unloading */
    int popup; /* a window the page opened (window.open, target=_blank): id is its target's */
} bx_frame;

/* A WebSocket a page opened (Network.webSocketCreated): each message it sends is captured as a
 * request of that page (method WEBSOCKET, the message as its body). The Fetch domain never sees
 * a WebSocket, so containment cannot answer it there: a tracker's socket is replaced in the page
 * before its handshake instead (BX_SOCKET_PATH) by a stand-in whose messages come to phiwall
 * (BX_SOCKET_MSG_PATH) and are captured the same way, none sent. */
#define BX_SOCKET_MSGS_MAX 1000      /* messages kept per page visit */
#define BX_SOCKET_MSG_MAX  (1 << 20) /* bytes kept of one message, as of a POST body */
typedef struct bx_socket {
    struct bx_socket *next;
    const char *id;
    const char *url;
    const char *page;      /* the document that opened it */
    const char *initiator; /* the script that opened it */
} bx_socket;

/* A tracker's WebSocket URL the guard contained during a task: how many sockets the task's pages
 * opened to it and how many messages their stand-ins took (the report's note on contained
 * sockets: a tag that waits for its server's first message sends nothing to a stand-in). */
typedef struct bx_contained_ws {
    struct bx_contained_ws *next;
    const char *url;
    size_t opened, messages;
} bx_contained_ws;

typedef enum bx_task_kind { BX_TASK_PAGE = 0, BX_TASK_SEARCH, BX_TASK_LOGIN } bx_task_kind;

typedef struct bx_task {
    char *url; /* heap */
    int depth;
    bx_task_kind kind;
    int retried; /* already visited once when the browser broke: not retried again */
} bx_task;

/* Pages whose visit a browser crash cut short, visited again after the restart (one per tab). */
#define BX_RETRY_MAX 16

struct bx_browser;

typedef struct bx_tab {
    struct bx_browser *b;
    int index;
    char *target_id; /* heap: live as long as the tab */
    char *session;
    int active; /* has a task this round */
    bx_task task;
    pw_arena arena; /* per-task: requests, visits, strings */
    pw_step step;
    int loaded;
    int nav_failed;
    int crashed;
    int acted;           /* the last step did something (filled, clicked, submitted) */
    int frames_filled;   /* the fill step filled fields in frames below the top one */
    int next_clicked;    /* the last step pressed a multi-step form's "Next": fill what appeared */
    unsigned nav_seq;    /* navigations of the top frame begun or committed during the task */
    unsigned submit_seq; /* nav_seq when the last submission (or search) was pressed */
    unsigned nav_sent, nav_answered; /* Page.navigate sent and answered on this connection */
    /* the leave's question "is the page's storage work over?" asked and answered on this
     * connection (wait_storage in browser_scan.c); storage_busy: its answer said it was not */
    unsigned idle_sent, idle_answered;
    int storage_busy;
    int blank;         /* back on about:blank after a task (pagehide beacons are in) */
    int leaving;       /* on the way to about:blank: a request cancelled now was still loading */
    int unload_marked; /* the left document's pagehide ran (its unload marker's pause came) */
    const char *unload_doc; /* the document being left whose marker is awaited (arena) */
    int unload_beacons;     /* the beacons its pagehide sent, as its marker says (n=) */
    int unload_seen; /* pauses of the top frame's unload since the leave began (no networkId) */
    /* The frame documents of the tab's process that announced their unload marker or sent it
     * (bx_frame_marker, arena; at most BX_FRAME_MARKS_MAX a task); doc_seq counts the top
     * frame's commits of a new document during the task, leave_seq is the one the leave left:
     * the leave waits for the markers of the frames announced since (leave_pages). */
    struct bx_frame_mark *frame_marks;
    size_t n_frame_marks;
    unsigned doc_seq, leave_seq;
    struct bx_sent *sent; /* bx_tab_flush: its requests in send order (arena), for bx_flush_reqs */
    size_t n_sent, next_sent;
    int flushed;        /* flush_all: flushed, its requests and reset still to come */
    int load_timed_out; /* no load event within --timeout: the page was scanned in part */
    int requeued;       /* cut short by a broken browser and queued again: not a gap yet */
    int download;       /* the task's URL is a download (refused): no page, no gap */
    const char *nav_error;
    const char *top_url; /* current top document */
    /* The documents a beacon seen only in its Fetch pause may come from (bx_unloading_page):
     * doc_url, the top frame's document now (NULL for about:blank and error pages); left_url,
     * the one the last top-level commit replaced; nav_pending, a navigation of the top frame to
     * another document started and has not committed (the document now is being left). */
    const char *doc_url;
    const char *left_url;
    int nav_pending;
    bx_frame *frames;              /* the frames below the top one attached during the task */
    bx_socket *sockets;            /* the WebSockets opened during the task (arena) */
    size_t n_socket_msgs;          /* messages captured during the task (BX_SOCKET_MSGS_MAX) */
    bx_contained_ws *contained_ws; /* tracker sockets contained during the task (arena) */
    const char *title;
    const char *facts_url; /* the document title/screenshot describe */
    const char *screenshot;
    int has_login_form;
    bx_visit *visits;
    bx_req *reqs, *reqs_tail;
    size_t n_reqs;
    size_t bodies_pending;
    struct bx_answered *answered; /* requests containment answered locally during the task */
    bx_flight *flights;           /* requests in flight (the settle waits for them) */
    bx_flight *flights_free;      /* ended entries, reused */
    size_t n_flight;              /* requests in flight */
    long long net_last_ms;        /* monotonic time of the last request start or end */
    /* A click step took the tab to another page: 1 its steps run there (interact), 2 they ran */
    int landed;
    size_t pages_emitted; /* pages the task's flush delivered (--max-pages counts them) */
    int guard_leave;      /* the leave ran the page's timers: what they send the site is held */
} bx_tab;

typedef struct bx_session_map {
    char *session;
    int tab;
    int frame; /* an out-of-process iframe's */
} bx_session_map;

/* A set of strings with a count each (open addressing; entries never move, so pointers to them
 * stay valid). */
typedef struct bx_keyed {
    char *key;
    size_t count;  /* paths: URLs of the path taken from the queue */
    size_t queued; /* paths: URLs of the path in the queue now */
} bx_keyed;

typedef struct bx_keyset {
    bx_keyed **slots;
    size_t n, cap;
} bx_keyset;

/* A set of strings with a count each (browser_crawl.c; the static scan's read URLs too). */
bx_keyed *bx_keyset_get(bx_keyset *s, const char *key, size_t n, int *fresh);
int bx_keyset_has(const bx_keyset *s, const char *key, size_t n);
void bx_keyset_free(bx_keyset *s);

/* URLs that differ only in their query string share one path: after BX_VARIANTS_MAX of them were
 * taken from the queue, the rest wait until every other queued URL was taken. When the queue is
 * full (BX_QUEUE_MAX), a URL whose path has fewer than BX_VARIANTS_MAX URLs taken or queued takes
 * the place of a queued variant beyond that cap (of the path with most of them); failing that, of
 * the last queued URL if it comes first; a variant beyond the cap never displaces anything. */
#define BX_VARIANTS_MAX 2
#define BX_QUEUE_MAX    20000
/* Crawler traps in the path (endless calendars /events/2026/12/5, path facets
 * /doctors/sort/name/lang/es/…): paths of one path template (the path with its number, date and
 * id segments as "#") beyond BX_TEMPLATE_MAX taken, and paths under one family (the first
 * BX_FAMILY_DEPTH segments of a path below them) beyond BX_FAMILY_MAX taken, wait like query
 * variants beyond their cap: after every URL beyond fewer caps, breadth first among them. Session
 * ids in the path (";jsessionid=", "/(S(…))/") are no part of a URL's identity (bx_url_key). */
#define BX_TEMPLATE_MAX 3
#define BX_FAMILY_MAX   10
#define BX_FAMILY_DEPTH 2

typedef struct bx_queue_item {
    char *url;
    int depth;
    int score;
    size_t seq;
    bx_keyed *path;   /* in the queue's paths; count: URLs of the path taken */
    bx_keyed *tmpl;   /* in the queue's templates; count: paths of the template taken */
    bx_keyed *family; /* in the queue's families, or NULL (a page at the top of the site) */
} bx_queue_item;

typedef struct bx_queue {
    bx_queue_item *items;
    size_t n, cap;
    bx_keyset seen;      /* every URL ever queued (normalised) */
    bx_keyset paths;     /* scheme://host/path of every queued URL */
    bx_keyset templates; /* path templates (BX_TEMPLATE_MAX) */
    bx_keyset families;  /* family prefixes (BX_FAMILY_MAX) */
    size_t seq;
    size_t dropped; /* URLs a full queue refused or gave up: found, never to be visited */
} bx_queue;

typedef struct bx_browser {
    const pw_browser_opts *o;
    const pw_capture_sink *sink;
    pw_browser_stats *stats;
    cdp_launch launch;
    cdp_proc proc;
    cdp_conn *conn;
    char *user_agent; /* heap: the browser's UA without "Headless", or the phone's (--device) */
    int ua_refused;   /* the browser did not start with --user-agent: started without it */
    bx_tab tabs[BX_MAX_JOBS];
    int n_tabs;
    bx_session_map *sessions;
    size_t n_sessions, cap_sessions;
    int consent_answered;
    int consent_rejected;
    int logged_in;
    char *login_area; /* heap: scheme://host/path/ prefix of the logged-in area */
    int quiet;        /* no protocol log (login: the password is on the wire) */
    int deliver;      /* 0 while logging in: requests carry credentials */
    pw_status sink_status;
    pw_err sink_err;
    char *start_url;
    char *site;          /* site key of the start URL's host */
    pw_arena scan_arena; /* lives for the whole scan */
    char **robots_disallow;
    size_t n_robots;
    bx_queue queue;
    size_t shot_seq;
    size_t pages_started;   /* places of --max-pages taken: a task's as it begins, and those
                               of the further pages its steps landed on once it ended */
    size_t pages_delivered; /* pages the report got (each top-level document of each task) */
    char *search_url;       /* heap: a page with a site search, searched once */
    int search_queued;
    bx_task retry[BX_RETRY_MAX]; /* visits cut short by a broken browser, served first */
    int n_retry;
    size_t pages_scanned;    /* pages that loaded (no navigation error, crash or HTTP error) */
    char *start_error;       /* heap: why the start URL's last visit failed, or NULL */
    char *start_landed;      /* heap: where the start URL's scanned visit landed, or NULL */
    size_t robots_refused;   /* same-site URLs robots.txt kept out of the crawl */
    const char *tag_manager; /* static: the first tag manager a page loaded, or NULL */
    /* tracker WebSockets contained on the pages delivered: sockets, the messages their
     * stand-ins took, the sockets of a URL no socket of the page sent anything on */
    size_t ws_contained, ws_messages, ws_silent;
} bx_browser;

/* browser_events.c */
void bx_on_event(void *ctx, const cdp_msg *m);
/* A captured request from a DevTools Network.Request object (in the tab's arena, not linked into
 * the tab's list; the body when the object carries it), or NULL. */
bx_req *bx_req_new(bx_tab *t, const char *id, yajl_val request, const bx_req_where *w);
bx_req *bx_find_req(bx_tab *t, const char *request_id); /* the last with that id, or NULL */
/* A WebSocket of page as a request (method WEBSOCKET, its consent state, in the tab's arena, not
 * linked), for a message it sent or for a socket containment blocked; NULL when request_id or
 * url is NULL (no memory) or there is no memory. */
bx_req *bx_socket_req_new(bx_browser *b, bx_tab *t, const char *request_id, const char *url,
                          const char *page);
void bx_req_append(bx_tab *t, bx_req *q); /* to the task's requests, in order */
/* The page whose document sent a top-frame request the Network domain never reported (a beacon
 * of an unloading document), from the order of the top frame's navigations; NULL when it is no
 * page of the task (about:blank, the page the tab left as the task began). */
const char *bx_unloading_page(const bx_tab *t);
/* The page a request of a frame below the top one belongs to: the page the frame was attached to
 * (Page.frameAttached), else the page the tab shows. */
const char *bx_frame_page(const bx_tab *t, const char *frame);
/* The popup (a window the tab's page opened) whose target id is frame, or NULL. */
bx_frame *bx_popup_of(const bx_tab *t, const char *frame);
/* Browser-wide auto-attach (Target.setAutoAttach on the browser target, waiting for the debugger):
 * every window a page opens is attached, captured and contained as its tab's before it runs. */
pw_status bx_popup_watch(bx_browser *b, pw_err *err);
/* Close the windows the tab's pages opened (the task ends). */
void bx_popups_close(bx_tab *t);
/* The tab with an out-of-process frame frame whose session detached, or NULL. */
bx_tab *bx_gone_frame_tab(bx_browser *b, const char *frame);
int bx_tab_of_session(bx_browser *b, const char *session);
pw_status bx_session_add(bx_browser *b, const char *session, int tab);
void bx_session_remove(bx_browser *b, const char *session);
void bx_sessions_clear(bx_browser *b);
void bx_log(bx_browser *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* browser_settle.c: requests in flight per tab and the network-aware settle. */
void bx_net_event(bx_tab *t, const cdp_msg *m); /* Network.* events of an active tab */
void bx_net_session_gone(bx_tab *t, const char *session);
void bx_net_navigated(bx_tab *t, const char *loader); /* the top frame committed a document */
/* When the tab is quiet if nothing else happens (monotonic ms): quiet_ms after its last request
 * start or end, provided no document or script and at most BX_FLIGHT_ALLOWED other requests are
 * in flight (long-lived ones aside); LLONG_MAX while that is not so. */
long long bx_net_quiet_at(const bx_tab *t, int quiet_ms);
/* The settle time (--settle, or 1000 ms) and the usual cap of a settle: 4 × the settle time,
 * at least 5 s. */
int bx_settle_base(const bx_browser *b);
int bx_settle_max(const bx_browser *b);
/* Wait at least min_ms, then until every active tab's network is quiet, at most max_ms. */
void bx_settle(bx_browser *b, int min_ms, int max_ms);
/* The name of the tag manager whose script url is ("Google Tag Manager"), or NULL. */
const char *bx_tag_manager_of(const char *url);

/* Network.setUserAgentOverride on session (a tab's or a frame's, worker's) with the scan's user
 * agent (b->user_agent), sent without waiting; nothing when there is none. */
void bx_agent_override(bx_browser *b, const char *session);

/* The path of the marker each top document sends first thing at pagehide (BX_UNLOAD_JS, added
 * to every new document): its pause says the document's pagehide listeners are running, so what
 * they send is on its way. Answered locally, never recorded, never sent. */
#define BX_UNLOAD_PATH "/__phiwall_unload__"
/* A frame's unload marker script announces it as its pagehide begins with
 * "…/__phiwall_unload__?<doc>&a=<id>" (BX_FRAME_ANNOUNCE), an id of that document, and its marker
 * at the end of its pagehide ends "…&n=<beacons>&f=<id>" (BX_FRAME_MARKED): both are Fetch pauses
 * the scan answers itself (browser_contain.c), like the top document's marker. */
#define BX_FRAME_ANNOUNCE  "&a="
#define BX_FRAME_MARKED    "&f="
#define BX_FRAME_MARKS_MAX 1000
#define BX_FRAME_ID_MAX    32 /* longer ids are the page's, not the marker script's */
typedef struct bx_frame_mark {
    struct bx_frame_mark *next;
    const char *id;
    unsigned doc_seq; /* the tab's doc_seq when it was announced */
    int ran;          /* announced: its pagehide began (its marker is on its way) */
    int marked;       /* its marker came */
} bx_frame_mark;
/* A frame's announce (marked 0) or marker (marked 1) of id (len bytes) came in tab t. */
void bx_frame_marker(bx_tab *t, const char *id, size_t len, int marked);
/* The frame id an unload marker's URL carries after key (BX_FRAME_ANNOUNCE, BX_FRAME_MARKED),
 * *len its length; NULL when it carries none (the top document's marker) or one the marker
 * script does not make (empty, over BX_FRAME_ID_MAX bytes, not base-36 digits). */
const char *bx_unload_marker_frame(const char *url, const char *key, size_t *len);
/* 1 if url is an unload marker (its path BX_UNLOAD_PATH, not the string anywhere in it). */
int bx_is_unload_marker(const char *url);
/* The document an unload marker's URL names (in a), or NULL when url is no marker. */
const char *bx_unload_marker(pw_arena *a, const char *url);
/* The beacons an unload marker says its document sent at its unload (n=), 0 when it says none. */
int bx_unload_marker_beacons(const char *url);

/* The question each new WebSocket asks before it connects, while containment is on
 * (bx_socket_guard): a synchronous request of the page's own origin naming the socket's URL,
 * paused and answered by phiwall ("allow" or "block", the is_tracker_endpoint hook's verdict
 * with resource type "WebSocket"). Never recorded, never sent. No DevTools command stops a
 * socket: Network.setBlockedURLs does not apply to WebSockets and the Fetch domain never pauses
 * their handshakes (measured with Chromium 156; docs/scan-browser.md). */
#define BX_SOCKET_PATH "/__phiwall_socket__"
/* A message the page sent on a contained socket's stand-in (the guard answers a blocked socket
 * with one that opens and takes send()): a POST of the page's own origin naming the socket's URL,
 * the message its body. Captured as a message of that socket, answered locally, never sent. */
#define BX_SOCKET_MSG_PATH "/__phiwall_socket_msg__"
/* The socket URL a socket marker's URL names (in a), or NULL when url is no marker; the same of
 * a socket message marker. */
const char *bx_socket_marker(pw_arena *a, const char *url);
const char *bx_socket_msg_marker(pw_arena *a, const char *url);
/* With containment on, install the WebSocket guard in session's new documents (a page's, a
 * frame's: Page.addScriptToEvaluateOnNewDocument) or, for a worker waiting to start, in its
 * scope (Runtime.evaluate); sent without waiting, before the target runs. */
void bx_socket_guard(bx_browser *b, const char *session, int worker);

/* Before session's new documents run (browser_tab.c; sent without waiting): every closed shadow
 * root is made open, so that the page scripts find what is inside; timers due within 185 s of a
 * document's start are remembered, for the leave to run (Symbol.for('phiwall.timers')). */
void bx_page_shims(bx_browser *b, const char *session);
/* The same for a worker's scope (dedicated, shared or service worker), evaluated at the pause
 * before its first script (Debugger.setInstrumentationBreakpoint beforeScriptExecution; its
 * timer functions do not exist yet while it waits for the debugger): a replay tag's worker
 * flush is run at the leave like the page's timers. */
void bx_worker_shims(bx_browser *b, const char *session);

/* browser_contain.c */
void bx_fetch_paused(bx_browser *b, bx_tab *t, const cdp_msg *m);
/* A pause of the browser-wide Fetch (bx_unload_watch): a request of an out-of-process frame
 * whose session is gone is handled as its tab's; any other continues. */
void bx_fetch_paused_browser(bx_browser *b, const cdp_msg *m);
/* Pause keepalive requests (beacons, fetch keepalive) browser-wide: an out-of-process iframe's
 * beacon at pagehide is sent after its session detached, where no session of a tab sees it. */
pw_status bx_unload_watch(bx_browser *b, pw_err *err);
const pw_host_map *bx_host_map_find(const pw_browser_opts *o, const char *url);

/* browser_http.c: GET url with libcurl (loopback or the audited site), capped in size. */
typedef struct bx_http_result {
    long status;
    char *content_type; /* heap or NULL */
    char *body;         /* heap, NUL-terminated */
    size_t len;
} bx_http_result;
pw_status bx_http_get(const char *url, long timeout_ms, size_t max_bytes, bx_http_result *out,
                      pw_err *err);
void bx_http_result_free(bx_http_result *r);

/* browser_tab.c: one tab's work; every call has a timeout. */
pw_status bx_tab_open(bx_browser *b, bx_tab *t, pw_err *err);
/* A step took the tab from the page whose facts were read to another document of the site (a
 * frame's top.location, a submission's answer, a search's results): read that page's title (its
 * visit's) and queue its links and routes, as of a page the crawl visited. 1 when it did (the
 * tab shows a page not read before), 0 when there was none, -1 on an error (err set). */
int bx_tab_landed_info(bx_tab *t, pw_err *err);
void bx_tab_begin(bx_tab *t, const bx_task *task);
pw_status bx_tab_navigate(bx_tab *t, const char *url, pw_err *err);
/* Browser.setDownloadBehavior deny: a download link saves nothing (it would stay in ~/Downloads).
 */
pw_status bx_deny_downloads(bx_browser *b, pw_err *err);
pw_status bx_tab_eval(bx_tab *t, const char *js, pw_arena *a, char **value_out, pw_err *err);
/* Evaluate "(fn)(args)" where args is JSON argument text ("1", "\"x\",\"y\""). */
pw_status bx_tab_call(bx_tab *t, const char *fn, const char *args, pw_arena *a, char **value_out,
                      pw_err *err);
pw_status bx_tab_click_at(bx_tab *t, double x, double y, pw_err *err);
/* Call "(fn)(args)" in each frame below the top one of the tab's page (at most as many as
 * --max-pages, at least BX_FRAMES_MAX, at most BX_LINK_FRAMES_MAX, within the settle's cap;
 * same-process frames through the tab's session, out-of-process ones through their own), in an
 * isolated world: the frame's DOM, none of its scripts' globals. Stops after the first frame
 * whose answer is neither null nor "null" when first_only. Returns how many frames answered so
 * and, in *filled, the sum of their "filled" counts. Only a lost browser is an error. */
#define BX_FRAMES_MAX 8
/* The links of a page's frames are read in up to --max-pages frames, at most this many
 * (browser_tab.c, read_frame_links). */
#define BX_LINK_FRAMES_MAX 1000
pw_status bx_tab_frames_call(bx_tab *t, const char *fn, const char *args, int first_only,
                             int *answered, int *filled, pw_err *err);
/* The same, handing each frame's answer (neither null nor "null", in the tab's arena) to each
 * instead of logging it. */
typedef void (*bx_frame_answer_fn)(bx_tab *t, const char *frame, const char *value, void *ctx);
pw_status bx_tab_frames_each(bx_tab *t, const char *fn, const char *args, int first_only,
                             int *answered, int *filled, bx_frame_answer_fn each, void *each_ctx,
                             pw_err *err);
pw_status bx_tab_page_info(bx_tab *t, pw_err *err);
pw_status bx_tab_screenshot(bx_tab *t, pw_err *err);
double bx_wall_now(void); /* seconds since the epoch */
/* Deliver the task's pages and requests to the sink; a visit that failed before the page was
 * read (bx_tab_unread) delivers nothing: it is counted, never reported as a scanned page. */
pw_status bx_tab_flush(bx_tab *t, pw_err *err);
/* The requests of the tabs bx_tab_flush made ready, to the sink in the order they were sent
 * across all of them (browser_tab.c). */
pw_status bx_flush_reqs(bx_browser *b, pw_err *err);
/* 1 if the navigation failed or the renderer crashed before the page's facts were read and
 * before its document answered. */
int bx_tab_unread(const bx_tab *t);
/* Why the task's page was not scanned (navigation error, crash, HTTP error of its document), in
 * the tab's arena; NULL when it was. */
const char *bx_tab_failure(bx_tab *t);
void bx_tab_reset(bx_tab *t);
/* Report the task's page to hooks.gap when it was not scanned, or only in part (a load timeout);
 * a visit queued again after a browser restart is not reported. */
void bx_tab_report_gap(bx_tab *t);

/* browser_crawl.c */
void bx_queue_init(bx_queue *q);
void bx_queue_free(bx_queue *q);
/* Queue a URL (fragment dropped, duplicates ignored); score from URL and link text. */
int bx_queue_push(bx_queue *q, const char *url, const char *text, int depth);
/* The start URL (depth 0) first; then URLs whose path was taken fewer than BX_VARIANTS_MAX times
 * before the others; then highest score, lowest depth, first queued. The caller frees
 * item->url. */
int bx_queue_pop(bx_queue *q, bx_queue_item *item);
int bx_care_score(const char *url, const char *text);
/* The URL as the crawl knows it (heap): no fragment (but a hash route's, bx_page_len), no session
 * ids in the path. */
char *bx_url_key(const char *url);
/* 1 if frag (what follows a URL's '#') is a client-side route of a hash router ("/find-a-doctor",
 * "!/conditions/hiv"): a page of its own, not a place in the page. "/" and "!/" alone (the home
 * route a router writes for the URL without one) are no route. */
int bx_hash_route(const char *frag);
/* The length of url's part that names a page: all of it when its fragment is a hash route, else
 * up to its '#'. */
size_t bx_page_len(const char *url);
/* 1 if a and b are URLs of one document: equal up to their fragments. */
int bx_same_document(const char *a, const char *b);
int bx_crawlable(bx_browser *b, const char *url);
void bx_read_robots(bx_browser *b);

/* crawl_coverage.c: the site key of url's host (in the scan arena; the host when the hook gives
 * none), NULL when it has no host; and the coverage gap of a crawl that read pages_read pages:
 * 1 and the reason in why when the crawl could not go past the start page, else 0. */
char *bx_site_of(bx_browser *b, const char *url);
/* 1 when url's host is of the scanned site (the start URL's registrable domain); no allocation
 * kept. */
int bx_same_site(bx_browser *b, const char *url);
int bx_coverage_gap(bx_browser *b, size_t pages_read, char *why, size_t n);
void bx_read_sitemap(bx_browser *b);

/* browser_js.c: scripts run in pages (Runtime.evaluate expressions). */
extern const char bx_js_page_info[];
extern const char bx_js_scroll[];
extern const char bx_js_routes[]; /* routes of controls that are no links: {links:[[url,text]]} */
extern const char bx_js_routes_fn[];      /* () the same in a frame */
extern const char bx_js_frame_links_fn[]; /* () a frame's links: {links:[[url,text]]} or null */
extern const char bx_js_fill_fn[];        /* (identity object) */
extern const char bx_js_click_targets[];
extern const char bx_js_click_point_fn[]; /* (index) */
extern const char bx_js_click_frame_fn[]; /* () clicks a frame's care controls: {clicked:[text]} */
extern const char bx_js_submit_target[];
extern const char bx_js_submit_frame_fn[];        /* () */
extern const char bx_js_search_fn[];              /* (term) */
extern const char bx_js_consent_fn[];             /* (1 accept | 0 reject): finds the button */
extern const char bx_js_next_target[];            /* a multi-step form's "Next": its position */
extern const char bx_js_consent_click[];          /* presses the button bx_js_consent_fn found */
extern const char bx_js_consent_frame_click_fn[]; /* () the same in a frame */
extern const char bx_js_login_fn[];               /* (username, password) */

#endif
