/*
 * browser_scan.c — pw_browser_scan: starts Chromium, logs in if asked, then crawls in rounds of
 * up to --jobs tabs: navigate all, wait for load (with a deadline), settle, answer the consent
 * banner, read page facts and links, screenshot, then interact step by step (scroll, fill,
 * click, submit, site search) with a shared settle after each step, and flush each tab's pages
 * and requests to the sink. A dead or hung browser is killed and restarted for the next round.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture/browser_int.h"
#include "phiwall/url.h"
#include "phiwall/json_tree.h"

/* ---- browser lifetime --------------------------------------------------------------------- */

static void log_protocol(void *ctx, const char *dir, const char *text, size_t n)
{
    bx_browser *b = ctx;
    if (b->quiet || !b->o->hooks.log)
        return;
    char line[1024];
    snprintf(line, sizeof line, "%s %.*s%s", dir, (int)(n > 900 ? 900 : n), text,
             n > 900 ? "…" : "");
    b->o->hooks.log(b->o->hooks.ctx, line);
}

static void stop_browser(bx_browser *b)
{
    cdp_conn_free(b->conn);
    b->conn = NULL;
    cdp_proc_stop(&b->proc);
    bx_sessions_clear(b);
    for (int i = 0; i < b->n_tabs; i++) {
        free(b->tabs[i].target_id);
        free(b->tabs[i].session);
        b->tabs[i].target_id = b->tabs[i].session = NULL;
    }
}

static const char mobile_ua[] = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 "
                                "(KHTML, like Gecko) Chrome/156.0.0.0 Mobile Safari/537.36";

/* Keep the browser's user agent without "Headless" (some sites refuse headless browsers: look
 * like the browser it is); none when it does not say Headless. */
static void note_user_agent(bx_browser *b, const char *ua)
{
    const char *h = ua ? strstr(ua, "HeadlessChrome") : NULL;
    if (!h)
        return;
    size_t pre = (size_t)(h - ua);
    b->user_agent = malloc(strlen(ua) + 1);
    if (b->user_agent) {
        memcpy(b->user_agent, ua, pre);
        strcpy(b->user_agent + pre, h + 8);
    }
}

/* Start the process and connect; Browser.getVersion tells that it is up, and its user agent when
 * none is known yet. */
static pw_status launch_browser(bx_browser *b, pw_err *err)
{
    pw_status st = cdp_proc_start(&b->proc, &b->launch, err);
    if (st != PW_OK)
        return st;
    st = cdp_conn_new(b->proc.rfd, b->proc.wfd, &b->conn, err);
    if (st != PW_OK) {
        cdp_proc_stop(&b->proc);
        return st;
    }
    cdp_conn_on_event(b->conn, bx_on_event, b);
    if (b->o->hooks.log)
        cdp_conn_on_log(b->conn, log_protocol, b);
    cdp_msg r;
    if (cdp_call(b->conn, NULL, "Browser.getVersion", NULL, 15000, &r, NULL) == PW_OK) {
        if (!b->user_agent)
            note_user_agent(b, cdp_str(r.result, "userAgent"));
        cdp_msg_free(&r);
    }
    if (cdp_conn_dead(b->conn)) {
        char why[96];
        cdp_proc_exit_reason(&b->proc, why, sizeof why);
        stop_browser(b);
        return pw_err_set(err, PW_ERR_IO, "browser %s did not start (%s)",
                          b->launch.browser_path ? b->launch.browser_path : "/usr/bin/chromium",
                          why);
    }
    return PW_OK;
}

/* Launch with the user agent known so far. A wrapper or build that refuses --user-agent (it
 * exits) does not fail the scan, which then runs as before the agent was set on the browser:
 * each tab overrides its own (bx_tab_open); restarts start without it too. */
static pw_status launch_with_agent(bx_browser *b, pw_err *err)
{
    b->launch.user_agent = b->ua_refused ? NULL : b->user_agent;
    pw_status st = launch_browser(b, err);
    if (st == PW_OK || !b->launch.user_agent)
        return st;
    bx_log(b, "the browser did not start with --user-agent (%s): starting it without",
           err ? err->msg : "?");
    b->ua_refused = 1;
    b->launch.user_agent = NULL;
    return launch_browser(b, err);
}

static pw_status start_browser(bx_browser *b, pw_err *err)
{
    /* The user agent: --user-agent when it is known before the start (--device mobile, a
     * restart); the desktop one is read from the running browser (Browser.getVersion) and set on
     * every session before it runs (Network.setUserAgentOverride: each tab, frame and worker),
     * and a request none of those reaches — a beacon of a document being unloaded, sent once the
     * document is gone, which would say "HeadlessChrome" — gets it in its Fetch pause
     * (browser_contain.c). Earlier versions started the browser a second time to pass it. */
    pw_status st = launch_with_agent(b, err);
    if (st == PW_OK)
        st = bx_deny_downloads(b, err);
    if (st == PW_OK)
        st = bx_unload_watch(b, err);
    for (int i = 0; i < b->n_tabs && st == PW_OK; i++) {
        b->tabs[i].index = i;
        st = bx_tab_open(b, &b->tabs[i], err);
    }
    if (st == PW_OK) /* after the tabs: they are attached by their own sessions */
        st = bx_popup_watch(b, err);
    if (st != PW_OK && b->conn)
        stop_browser(b);
    return st;
}

static int browser_healthy(bx_browser *b)
{
    if (!b->conn || cdp_conn_dead(b->conn) || cdp_proc_exited(&b->proc))
        return 0;
    return cdp_call(b->conn, NULL, "Browser.getVersion", NULL, 10000, NULL, NULL) == PW_OK;
}

static pw_status do_login(bx_browser *b, pw_err *err);
static void leave_pages(bx_browser *b);

static pw_status restart_browser(bx_browser *b, pw_err *err)
{
    bx_log(b, "browser unresponsive or gone: restarting");
    stop_browser(b);
    b->stats->browser_restarts++;
    pw_status st = start_browser(b, err);
    if (st == PW_OK && b->o->login_url)
        st = do_login(b, err);
    return st;
}

/* ---- waiting ------------------------------------------------------------------------------ */

static int all_loaded(bx_browser *b)
{
    for (int i = 0; i < b->n_tabs; i++) {
        bx_tab *t = &b->tabs[i];
        if (t->active && !t->loaded && !t->nav_failed && !t->crashed)
            return 0;
    }
    return 1;
}

static void wait_loaded(bx_browser *b, int timeout_ms)
{
    long long deadline = cdp_now_ms() + timeout_ms;
    while (!all_loaded(b) && !cdp_conn_dead(b->conn) && cdp_now_ms() < deadline)
        cdp_pump(b->conn, deadline, NULL);
}

static int settle_of(const bx_browser *b);

/* After a submission (or a site search): until the page it loads has loaded, at most timeout_ms.
 * One the page's own script handles (fetch or XHR, a single-page app's form, a search box that
 * filters in place) starts no navigation: a tab where none began within the settle time stays
 * on its page, loaded. Earlier versions waited for a load event that never came — half of
 * --timeout, 10 s, on every page with such a form. */
static void wait_submitted(bx_browser *b, int timeout_ms)
{
    long long now = cdp_now_ms();
    long long deadline = now + timeout_ms, grace = now + settle_of(b);
    if (grace > deadline)
        grace = deadline;
    for (;;) {
        now = cdp_now_ms();
        for (int i = 0; i < b->n_tabs && now >= grace; i++) {
            bx_tab *t = &b->tabs[i];
            if (t->active && !t->loaded && t->nav_seq == t->submit_seq) {
                bx_log(b, "%s: no navigation within %d ms of the submission: the page stays",
                       t->task.url, settle_of(b));
                t->loaded = 1;
            }
        }
        if (all_loaded(b) || cdp_conn_dead(b->conn) || now >= deadline)
            return;
        cdp_pump(b->conn, now < grace ? grace : deadline, NULL);
    }
}

/* At least ms, then until the pages' network is quiet (browser_settle.c), at most the cap. */
static void settle_ms(bx_browser *b, int ms)
{
    bx_settle(b, ms, bx_settle_max(b));
}

static int settle_of(const bx_browser *b)
{
    return bx_settle_base(b);
}

static void settle(bx_browser *b)
{
    settle_ms(b, settle_of(b));
}

static int fatal(bx_browser *b, pw_status st)
{
    return st == PW_ERR_TIMEOUT || st == PW_ERR_IO || st == PW_ERR_STATE ||
           (b->conn && cdp_conn_dead(b->conn));
}

/* ---- steps -------------------------------------------------------------------------------- */

/* Evaluate js in every active tab; stop at a fatal error (the browser is gone or hung).
 * pages_only: 0 every task, 1 page tasks (search tasks only search), PAGES_LANDED page tasks a
 * click step took to another page (their steps run again there), PAGES_STAYED the others. */
typedef pw_status (*tab_step_fn)(bx_tab *t, pw_err *err);
enum { PAGES_LANDED = 2, PAGES_STAYED = 3 };

static pw_status each_tab(bx_browser *b, pw_step step, tab_step_fn fn, int pages_only, pw_err *err)
{
    for (int i = 0; i < b->n_tabs; i++) {
        bx_tab *t = &b->tabs[i];
        if (!t->active || t->crashed || t->nav_failed ||
            (pages_only && t->task.kind != BX_TASK_PAGE) ||
            (pages_only == PAGES_LANDED && t->landed != 1) ||
            (pages_only == PAGES_STAYED && t->landed == 1))
            continue;
        t->step = step;
        pw_err e;
        pw_err_clear(&e);
        pw_status st = fn(t, &e);
        if (st != PW_OK)
            bx_log(b, "tab %d %s: %s", i, t->task.url, e.msg);
        if (st != PW_OK && fatal(b, st)) {
            if (err)
                *err = e;
            return st;
        }
    }
    return PW_OK;
}

static int point_of(const char *json, double *x, double *y)
{
    if (!json || strcmp(json, "null") == 0)
        return 0;
    yajl_val v = NULL; /* not a point (or no memory for one): the step is skipped */
    pw_json_tree_parse(json, strlen(json), &v, NULL, 0, NULL);
    int ok = v && cdp_num(v, "x", x) && cdp_num(v, "y", y);
    if (v)
        yajl_tree_free(v);
    return ok;
}

static pw_status step_scroll(bx_tab *t, pw_err *err)
{
    t->acted = 1;
    return bx_tab_eval(t, bx_js_scroll, &t->arena, NULL, err);
}

static char *identity_json(pw_arena *a, const pw_browser_identity *id, int only_empty)
{
    pw_buf b;
    pw_buf_init(&b);
    const char *keys[] = {"first_name", "last_name", "email",      "phone", "dob",
                          "address",    "city",      "state",      "zip",   "member_id",
                          "gender",     "reason",    "search_term"};
    const char *vals[] = {id->first_name, id->last_name, id->email,      id->phone, id->dob,
                          id->address,    id->city,      id->state,      id->zip,   id->member_id,
                          id->gender,     id->reason,    id->search_term};
    pw_buf_putc(&b, '{');
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        const char *v = vals[i] ? vals[i] : "";
        pw_buf_printf(&b, "%s\"%s\":", i ? "," : "", keys[i]);
        pw_buf_json_string(&b, v, strlen(v));
    }
    /* the date of birth as US forms expect it in text fields: MM/DD/YYYY */
    const char *d = id->dob ? id->dob : "";
    if (strlen(d) == 10)
        pw_buf_printf(&b, ",\"dob_us\":\"%.2s/%.2s/%.4s\"", d + 5, d + 8, d);
    else
        pw_buf_puts(&b, ",\"dob_us\":\"\"");
    if (only_empty) /* a form's next step: what it showed, not what was filled before */
        pw_buf_puts(&b, ",\"only_empty\":1");
    pw_buf_putc(&b, '}');
    char *out = b.failed ? NULL : pw_arena_strdup(a, b.data);
    pw_buf_free(&b);
    return out;
}

static pw_status fill(bx_tab *t, int only_empty, pw_err *err)
{
    const pw_browser_identity *id = t->b->o->identity;
    if (!id)
        return PW_OK;
    char *json = identity_json(&t->arena, id, only_empty);
    if (!json)
        return pw_err_set(err, PW_ERR_NOMEM, "fill: out of memory");
    char *v = NULL;
    pw_status st = bx_tab_call(t, bx_js_fill_fn, json, &t->arena, &v, err);
    t->acted = st == PW_OK && v && !strstr(v, "\"filled\":0");
    if (st != PW_OK && fatal(t->b, st))
        return st;
    int answered = 0, filled = 0; /* forms inside iframes (same site or not) too */
    pw_status fst = bx_tab_frames_call(t, bx_js_fill_fn, json, 0, &answered, &filled, err);
    t->frames_filled |= filled > 0;
    t->acted |= filled > 0;
    return fst != PW_OK ? fst : st;
}

static pw_status step_fill(bx_tab *t, pw_err *err)
{
    return fill(t, 0, err);
}

/* A multi-step form (an appointment request whose second step, date of birth and reason, appears
 * after "Next"): press its "Next" (a trusted click), and after the settle fill what appeared
 * (step_next_fill). Earlier versions filled the first step only and never saw what the form
 * sends at its end. */
static pw_status step_next(bx_tab *t, pw_err *err)
{
    char *v = NULL;
    double x, y;
    t->next_clicked = 0;
    pw_status st = bx_tab_eval(t, bx_js_next_target, &t->arena, &v, err);
    if (st != PW_OK || !point_of(v, &x, &y))
        return st;
    bx_log(t->b, "next %s: %s", t->task.url, v);
    t->acted = t->next_clicked = 1;
    return bx_tab_click_at(t, x, y, err);
}

static pw_status step_next_fill(bx_tab *t, pw_err *err)
{
    if (!t->next_clicked)
        return PW_OK;
    t->next_clicked = 0;
    return fill(t, 1, err);
}

/* The care controls of the page's frames (a scheduling widget's "Book now"), clicked from the
 * script in each frame's isolated world (bx_js_click_frame_fn); the frames stay. */
static pw_status click_frames(bx_tab *t, pw_err *err)
{
    int answered = 0, unused = 0;
    pw_status st = bx_tab_frames_call(t, bx_js_click_frame_fn, "", 0, &answered, &unused, err);
    t->acted |= answered > 0;
    return st;
}

static pw_status step_click(bx_tab *t, pw_err *err)
{
    char *v = NULL;
    pw_status st = bx_tab_eval(t, bx_js_click_targets, &t->arena, &v, err);
    if (st != PW_OK || !v)
        return st;
    st = click_frames(t, err);
    for (int i = 0; i < 4 && st == PW_OK; i++) {
        char idx[16];
        snprintf(idx, sizeof idx, "%d", i);
        char *pt = NULL;
        double x, y;
        st = bx_tab_call(t, bx_js_click_point_fn, idx, &t->arena, &pt, err);
        if (st != PW_OK || !point_of(pt, &x, &y))
            return st;
        bx_log(t->b, "click %s: %s", t->task.url, pt);
        t->acted = 1;
        st = bx_tab_click_at(t, x, y, err);
    }
    return st;
}

static pw_status click_or_submitted(bx_tab *t, const char *v, const char *what, pw_err *err)
{
    double x, y;
    if (!v || strcmp(v, "null") == 0)
        return PW_OK;
    bx_log(t->b, "%s %s: %s", what, t->task.url, v);
    t->acted = 1;
    t->loaded = 0; /* a submission usually loads a new document (wait_submitted) */
    if (point_of(v, &x, &y))
        return bx_tab_click_at(t, x, y, err);
    return PW_OK;
}

static pw_status step_submit(bx_tab *t, pw_err *err)
{
    char *v = NULL;
    t->submit_seq = t->nav_seq; /* before the script, which may submit (requestSubmit) */
    pw_status st = bx_tab_eval(t, bx_js_submit_target, &t->arena, &v, err);
    if (st != PW_OK)
        return st;
    if ((!v || strcmp(v, "null") == 0) && t->frames_filled) { /* a form in an iframe */
        int answered = 0, filled = 0;
        t->loaded = 1; /* the frame loads its answer; the page stays */
        st = bx_tab_frames_call(t, bx_js_submit_frame_fn, "", 1, &answered, &filled, err);
        t->acted |= answered > 0;
        return st;
    }
    if (!v || strcmp(v, "null") == 0)
        t->loaded = 1;
    return click_or_submitted(t, v, "submit", err);
}

static pw_status step_search(bx_tab *t, pw_err *err)
{
    const pw_browser_identity *id = t->b->o->identity;
    const char *term = id && id->search_term ? id->search_term : "diabetes";
    pw_buf q;
    pw_buf_init(&q);
    pw_buf_json_string(&q, term, strlen(term));
    char *v = NULL;
    t->submit_seq = t->nav_seq; /* before the script, which may submit */
    pw_status st = q.failed ? pw_err_set(err, PW_ERR_NOMEM, "search: out of memory")
                            : bx_tab_call(t, bx_js_search_fn, q.data, &t->arena, &v, err);
    pw_buf_free(&q);
    if (st != PW_OK)
        return st;
    if (!v || strcmp(v, "null") == 0)
        t->loaded = 1;
    return click_or_submitted(t, v, "search", err);
}

/* A banner in an iframe of the page (a consent manager on its own domain: Sourcepoint, TrustArc's
 * pop-up frame): found in the first frame that has one, then pressed there, the answer marked
 * before the press as for the page's own banner. Earlier versions looked in the top document
 * only and answered no such banner (the `consent` note said none was found). */
static pw_status consent_in_frame(bx_tab *t, const char *accept, pw_err *err)
{
    bx_browser *b = t->b;
    int found = 0, pressed = 0, unused = 0;
    pw_status st = bx_tab_frames_call(t, bx_js_consent_fn, accept, 1, &found, &unused, err);
    if (st != PW_OK || !found)
        return st;
    b->consent_answered = 1;
    b->consent_rejected = b->o->consent == PW_CONSENT_REJECT;
    st = bx_tab_frames_call(t, bx_js_consent_frame_click_fn, "", 1, &pressed, &unused, err);
    if (st == PW_OK && !pressed) /* the button went away meanwhile */
        b->consent_answered = b->consent_rejected = 0;
    if (pressed)
        bx_log(b, "consent %s: pressed in a frame of %s", accept[0] == '1' ? "accept" : "reject",
               t->task.url);
    return st;
}

static pw_status step_consent(bx_tab *t, pw_err *err)
{
    bx_browser *b = t->b;
    if (b->consent_answered)
        return PW_OK;
    char *v = NULL;
    const char *accept = b->o->consent == PW_CONSENT_ACCEPT ? "1" : "0";
    pw_status st = bx_tab_call(t, bx_js_consent_fn, accept, &t->arena, &v, err);
    if (st == PW_OK && (!v || strcmp(v, "null") == 0))
        return consent_in_frame(t, accept, err);
    if (st != PW_OK)
        return st;
    bx_log(b, "consent %s: %s", b->o->consent == PW_CONSENT_ACCEPT ? "accept" : "reject", v);
    /* The visitor answers with the click: what its handler loads (the pixel an accept loads)
     * is sent after the answer. The click's requests reach us while its Runtime.evaluate is
     * still waiting for its reply, so the answer is marked before the click is dispatched. */
    b->consent_answered = 1;
    b->consent_rejected = b->o->consent == PW_CONSENT_REJECT;
    v = NULL;
    st = bx_tab_eval(t, bx_js_consent_click, &t->arena, &v, err);
    if (st == PW_OK && (!v || strcmp(v, "null") == 0)) /* the button went away meanwhile */
        b->consent_answered = b->consent_rejected = 0;
    return st;
}

static pw_status step_facts(bx_tab *t, pw_err *err)
{
    pw_status st = bx_tab_page_info(t, err);
    if (st == PW_OK || !fatal(t->b, st)) {
        pw_err e;
        st = bx_tab_screenshot(t, &e);
        if (st != PW_OK) /* evidence, not capture: only a lost browser is fatal here */
            bx_log(t->b, "screenshot of %s: %s", t->task.url, e.msg);
        if (st != PW_OK && cdp_conn_dead(t->b->conn)) {
            if (err)
                *err = e;
            return st;
        }
        st = PW_OK;
    }
    return st;
}

/* ---- login -------------------------------------------------------------------------------- */

/* The logged-in area: the landing page's directory ("https://h/portal/"), or the landing page
 * alone when it is at the site root. */
static void set_login_area(bx_browser *b, const char *landed)
{
    const char *scheme_end = strstr(landed, "://");
    const char *path = scheme_end ? strchr(scheme_end + 3, '/') : NULL;
    const char *q = landed + strcspn(landed, "?#");
    const char *slash = q;
    while (slash > landed && slash[-1] != '/')
        slash--;
    free(b->login_area);
    if (!path || slash <= path + 1)
        b->login_area = strndup(landed, (size_t)(q - landed));
    else
        b->login_area = strndup(landed, (size_t)(slash - landed));
    bx_log(b, "logged-in area: %s", b->login_area ? b->login_area : "?");
}

static pw_status do_login(bx_browser *b, pw_err *err)
{
    bx_tab *t = &b->tabs[0];
    bx_task task = {.url = (char *)b->o->login_url, .depth = 0, .kind = BX_TASK_LOGIN};
    b->deliver = 0;
    b->quiet = 1; /* the password crosses the pipe: no protocol log */
    bx_tab_begin(t, &task);
    pw_status st = bx_tab_navigate(t, b->o->login_url, err);
    if (st == PW_OK)
        wait_loaded(b, b->o->timeout_ms);
    pw_buf u, p;
    pw_buf_init(&u);
    pw_buf_init(&p);
    const char *user = b->o->username ? b->o->username : "";
    const char *pass = b->o->password ? b->o->password : "";
    pw_buf_json_string(&u, user, strlen(user));
    pw_buf_json_string(&p, pass, strlen(pass));
    pw_buf_putc(&u, ',');
    pw_buf_append(&u, p.data, p.len);
    char *v = NULL;
    if (st == PW_OK && !u.failed && !p.failed) {
        t->loaded = 0;
        st = bx_tab_call(t, bx_js_login_fn, u.data, &t->arena, &v, err);
    }
    pw_buf_free(&u);
    pw_buf_free(&p);
    b->stats->login_submitted = st == PW_OK && v && strcmp(v, "null") != 0;
    if (st == PW_OK && v && strcmp(v, "null") != 0) {
        wait_loaded(b, b->o->timeout_ms);
        settle(b);
        st = bx_tab_page_info(t, err);
        b->logged_in = st == PW_OK && !t->has_login_form;
    }
    const char *landed = t->top_url ? t->top_url : NULL;
    if (b->logged_in && landed) {
        set_login_area(b, landed);
        if (bx_crawlable(b, landed))
            bx_queue_push(&b->queue, landed, "portal", 1);
    }
    b->stats->login_ok = b->logged_in;
    bx_log(b, "login %s", b->logged_in ? "succeeded" : "failed (still a password field)");
    /* The landing page's pagehide beacons are of the login, not of the first page visited next
     * (whose task they would join, seen only by their Fetch pause). */
    if (!cdp_conn_dead(b->conn))
        leave_pages(b);
    bx_tab_reset(t);
    b->deliver = 1;
    b->quiet = 0;
    if (st != PW_OK && fatal(b, st))
        return st;
    return PW_OK;
}

/* ---- one round: up to --jobs pages in parallel -------------------------------------------- */

static int next_task(bx_browser *b, bx_task *task)
{
    task->retried = 0;
    if (b->n_retry > 0) {
        *task = b->retry[--b->n_retry];
        return 1;
    }
    if (b->search_url && !b->search_queued) {
        b->search_queued = 1;
        task->url = strdup(b->search_url);
        task->depth = 1;
        task->kind = BX_TASK_SEARCH;
        return task->url != NULL;
    }
    bx_queue_item it;
    if (!bx_queue_pop(&b->queue, &it))
        return 0;
    task->url = it.url;
    task->depth = it.depth;
    task->kind = BX_TASK_PAGE;
    return 1;
}

static void report_progress(bx_browser *b, const char *url)
{
    if (!b->o->hooks.progress)
        return;
    pw_browser_progress p = {b->stats->pages,
                             b->queue.n,
                             b->stats->requests,
                             b->stats->contained,
                             b->stats->browser_restarts,
                             url};
    b->o->hooks.progress(b->o->hooks.ctx, &p);
}

/* After a step: each tab a step took to another page of the site gets that page's facts
 * (bx_tab_landed_info); after pass 0's click, such a tab's steps run again there (landed 1). */
static pw_status read_landed(bx_browser *b, int mark, pw_err *err)
{
    for (int i = 0; i < b->n_tabs; i++) {
        bx_tab *t = &b->tabs[i];
        pw_err e;
        pw_err_clear(&e);
        int r = bx_tab_landed_info(t, &e);
        if (r < 0 && cdp_conn_dead(b->conn)) {
            if (err)
                *err = e;
            return PW_ERR_IO;
        }
        if (r > 0 && mark && t->task.kind == BX_TASK_PAGE && !t->landed)
            t->landed = 1;
    }
    return PW_OK;
}

/* One pass of the interaction steps: pass 0 in every page task, pass 1 in those pass 0's click
 * step took to another page (PAGES_LANDED); pass 0's submission is theirs in pass 1. */
static pw_status interact_pass(bx_browser *b, int pass, pw_err *err)
{
    static const struct {
        pw_step step;
        tab_step_fn fn;
    } steps[] = {{PW_STEP_SCROLL, step_scroll},
                 {PW_STEP_FILL, step_fill},
                 /* a form of up to three steps: each "Next", then what it showed */
                 {PW_STEP_CLICK, step_next},
                 {PW_STEP_FILL, step_next_fill},
                 {PW_STEP_CLICK, step_next},
                 {PW_STEP_FILL, step_next_fill},
                 {PW_STEP_CLICK, step_click},
                 {PW_STEP_SUBMIT, step_submit}};
    pw_status st = PW_OK;
    for (size_t s = 0; s < sizeof steps / sizeof steps[0] && st == PW_OK; s++) {
        int acted = 0;
        for (int i = 0; i < b->n_tabs; i++)
            b->tabs[i].acted = 0;
        int which = pass ? PAGES_LANDED : steps[s].step == PW_STEP_SUBMIT ? PAGES_STAYED : 1;
        st = each_tab(b, steps[s].step, steps[s].fn, which, err);
        for (int i = 0; i < b->n_tabs; i++)
            acted |= b->tabs[i].active && b->tabs[i].acted;
        if (st == PW_OK && acted && steps[s].step == PW_STEP_SUBMIT)
            wait_submitted(b, b->o->timeout_ms / 2);
        /* Nothing happened: nothing to wait for. A submission loads a new page whose
         * trackers start from scratch: twice the time. */
        int ms = steps[s].step == PW_STEP_SCROLL   ? settle_of(b) / 2
                 : steps[s].step == PW_STEP_SUBMIT ? settle_of(b) * 2
                                                   : settle_of(b);
        if (st == PW_OK && acted)
            settle_ms(b, ms);
        if (st == PW_OK && acted && (steps[s].fn == step_click || steps[s].fn == step_submit))
            st = read_landed(b, pass == 0 && steps[s].fn == step_click, err);
    }
    return st;
}

static pw_status interact(bx_browser *b, pw_err *err)
{
    pw_status st = PW_OK;
    int any_page = 0, any_search = 0;
    for (int i = 0; i < b->n_tabs; i++) {
        any_page |= b->tabs[i].active && b->tabs[i].task.kind == BX_TASK_PAGE;
        any_search |= b->tabs[i].active && b->tabs[i].task.kind == BX_TASK_SEARCH;
    }
    /* A click step that took the tab to another page of the site (a scheduling frame's "Book
     * appointment" sending the whole page to /booking/confirm through top.location) lands the
     * task on a page of its own: its facts are read there (title, links) and its steps run there
     * from the start (scroll, fill, next, click, submit), once — a click there that lands again
     * is read, not stepped through. A submission's or search's answer has its facts read too. */
    for (int pass = 0; any_page && pass < 2 && st == PW_OK; pass++) {
        int landed = 0;
        for (int i = 0; i < b->n_tabs; i++)
            landed |= b->tabs[i].active && b->tabs[i].landed == 1;
        if (pass == 1 && !landed)
            break;
        st = interact_pass(b, pass, err);
        for (int i = 0; pass == 1 && i < b->n_tabs; i++)
            if (b->tabs[i].landed == 1)
                b->tabs[i].landed = 2;
    }
    if (st == PW_OK && any_search) {
        for (int i = 0; i < b->n_tabs && st == PW_OK; i++) {
            bx_tab *t = &b->tabs[i];
            if (!t->active || t->task.kind != BX_TASK_SEARCH || t->nav_failed || t->crashed)
                continue;
            t->step = PW_STEP_SUBMIT;
            pw_err e;
            st = step_search(t, &e);
            if (st != PW_OK && !fatal(b, st))
                st = PW_OK;
            else if (st != PW_OK && err)
                *err = e;
        }
        if (st == PW_OK) {
            wait_submitted(b, b->o->timeout_ms / 2);
            settle_ms(b, settle_of(b) * 2);
            st = read_landed(b, 0, err);
        }
    }
    return st;
}

/* Count a scanned page; remember why the start URL failed (the scan fails when nothing of the
 * site could be scanned). */
static void note_outcome(bx_browser *b, bx_tab *t)
{
    const char *why = bx_tab_failure(t);
    if (!why) {
        b->pages_scanned++;
        /* where its load landed, before a submission took the tab elsewhere */
        if (t->task.depth == 0 && t->task.kind == BX_TASK_PAGE && t->facts_url && !b->start_landed)
            b->start_landed = strdup(t->facts_url);
        return;
    }
    if (t->task.depth != 0 || t->task.kind != BX_TASK_PAGE)
        return;
    free(b->start_error);
    b->start_error = strdup(why);
}

static pw_status flush_all(bx_browser *b, pw_err *err)
{
    pw_status st = PW_OK;
    for (int i = 0; i < b->n_tabs; i++) {
        bx_tab *t = &b->tabs[i];
        if (!t->active)
            continue;
        if (t->download) { /* refused, nothing saved: no page, and none of --max-pages */
            bx_log(b, "%s is a download: not a page", t->task.url);
            if (b->pages_started > 0)
                b->pages_started--;
            if (t->task.depth == 0 && !b->start_error)
                b->start_error = strdup("a download, not a page");
            bx_tab_reset(t);
            continue;
        }
        if (t->nav_failed || t->crashed) {
            b->stats->pages_failed++;
            bx_log(b, "page %s failed: %s", t->task.url,
                   t->crashed ? "renderer crashed" : (t->nav_error ? t->nav_error : "?"));
        }
        b->stats->pages++;
        note_outcome(b, t);
        bx_tab_report_gap(t);
        if (st == PW_OK)
            st = bx_tab_flush(t, err);
        t->flushed = 1;
    }
    /* the round's tabs' requests together, in the order they were sent (bx_flush_reqs) */
    pw_status rst = bx_flush_reqs(b, err);
    if (st == PW_OK)
        st = rst;
    for (int i = 0; i < b->n_tabs; i++) {
        bx_tab *t = &b->tabs[i];
        if (!t->flushed)
            continue;
        t->flushed = 0;
        /* --max-pages counts pages of the report: the task took one place as it began, the
         * pages its steps landed on (a submission's answer, a frame's top.location) take theirs
         * now — a visit cut short and made again counts once */
        b->pages_delivered += t->pages_emitted;
        if (!t->requeued && t->pages_emitted > 1)
            b->pages_started += t->pages_emitted - 1;
        report_progress(b, t->task.url);
        bx_tab_reset(t);
    }
    return st;
}

/* What the leave runs in a page before it unloads (leave_timers): the timers the page set to run
 * within 185 s of its start and that are still pending (bx_page_shims) — a time-on-page or
 * engagement beacon, a 2-minute survey, a replay tag's periodic flush — and the timers those
 * set, brought forward, since the crawl does not stay minutes a page. Run in the page's own world
 * of the top frame and in every other session of the tab (out-of-process frames, workers), sent
 * without waiting, and in the frames the tab's own process shows (a same-origin widget, a frame
 * of another origin of the same site) by the event "phiwall:timers" dispatched on each frame's
 * document from an isolated world — a page's world cannot reach a frame of another origin — just
 * before the navigation that leaves the page: their beacons go out before it, and the leave's
 * settle waits for them. The navigation itself then makes the page hidden: Chromium fires
 * visibilitychange (visibilityState "hidden") and then pagehide in the document it unloads, and
 * what their listeners send (sendBeacon, an image beacon) is captured on the page (measured with
 * Chromium 156, scan_browser_gaps.sh), so no synthetic visibilitychange is dispatched. A frame
 * reached both ways runs its timers once: the first run takes them all. */
static const char leave_js[] = "{\"expression\":\"(function(){var K=Symbol.for('phiwall.timers');"
                               "if(typeof self[K]==='function')self[K]()})()\"}";
static const char leave_frame_fn[] =
    "(()=>{document.dispatchEvent(new Event('phiwall:timers'));return 'null';})";

static void leave_timers(bx_browser *b, bx_tab *t)
{
    cdp_send(b->conn, t->session, "Runtime.evaluate", leave_js, NULL, NULL, NULL);
    for (size_t i = 0; i < b->n_sessions; i++)
        if (b->sessions[i].tab == t->index)
            cdp_send(b->conn, b->sessions[i].session, "Runtime.evaluate", leave_js, NULL, NULL,
                     NULL);
    int answered, filled;
    bx_tab_frames_call(t, leave_frame_fn, "", 0, &answered, &filled, NULL);
}

/* The leave's first wait: the storage work the page has in flight — IndexedDB opens, deletions
 * and transactions, Cache Storage calls, counted by bx_page_shims until their events ran — ends
 * before its timers run (leave_timers), since from their run the guard makes the page's writes
 * do nothing. A page whose chain of IndexedDB writes at load outlasts the network settle (no
 * request in it; slow on a loaded machine) had its own record dropped, and read back "none"
 * (scan_browser_gaps5's /store/, once in 6 runs under load; scan_browser_gaps7's /slowstore/,
 * a chain of 1.5 s, every time). Asked in each tab's top document at once, waited for up to the
 * settle's cap (bx_settle_max); a page still busy then is left anyway, and said (--verbose). */
static void on_idle(void *ctx, const cdp_msg *m)
{
    bx_tab *t = ctx;
    t->idle_answered++;
    const char *v = m && !m->error ? cdp_str(m->result, "result.value") : NULL;
    if (v && strcmp(v, "busy") == 0)
        t->storage_busy = 1;
}

static void wait_storage(bx_browser *b)
{
    int cap = bx_settle_max(b);
    char params[300];
    snprintf(params, sizeof params,
             "{\"expression\":\"(function(){var f=self[Symbol.for('phiwall.idle')];"
             "return typeof f==='function'?f(%d):undefined})()\",\"awaitPromise\":true,"
             "\"returnByValue\":true}",
             cap);
    for (int i = 0; i < b->n_tabs; i++) {
        bx_tab *t = &b->tabs[i];
        t->storage_busy = 0;
        if (!t->active || t->crashed || !t->doc_url)
            continue;
        if (cdp_send(b->conn, t->session, "Runtime.evaluate", params, on_idle, t, NULL) == PW_OK)
            t->idle_sent++;
    }
    long long deadline = cdp_now_ms() + cap + 2000;
    for (;;) {
        int waiting = 0;
        for (int i = 0; i < b->n_tabs; i++)
            waiting |= b->tabs[i].idle_answered != b->tabs[i].idle_sent;
        if (!waiting || cdp_conn_dead(b->conn) || cdp_now_ms() >= deadline)
            break;
        cdp_pump(b->conn, deadline, NULL);
    }
    for (int i = 0; i < b->n_tabs; i++)
        if (b->tabs[i].storage_busy)
            bx_log(b,
                   "leave %s: its IndexedDB or Cache Storage work still ran after %d ms: its "
                   "timers run anyway",
                   b->tabs[i].doc_url ? b->tabs[i].doc_url : b->tabs[i].task.url, cap);
}

/* The left document's unload is not over: no marker yet, or fewer beacons seen than it sent. */
static int unload_pending(const bx_tab *t)
{
    return t->active && !t->crashed && (!t->unload_marked || t->unload_seen < t->unload_beacons);
}

/* A frame of the left document announced its unload marker (its pagehide began) and has not sent
 * it yet. Its pagehide runs after the top's commit of about:blank: announced under leave_seq or
 * later (one announced before the left document was no frame of it). */
static size_t frames_pending(const bx_tab *t)
{
    if (!t->active || t->crashed)
        return 0;
    size_t n = 0;
    for (const bx_frame_mark *f = t->frame_marks; f; f = f->next)
        n += f->ran && !f->marked && f->doc_seq - t->leave_seq < 1u << 30;
    return n;
}

static size_t frames_announced(const bx_tab *t)
{
    size_t n = 0;
    for (const bx_frame_mark *f = t->frame_marks; f; f = f->next)
        n += f->ran && f->doc_seq - t->leave_seq < 1u << 30;
    return n;
}

/* Leave every page for about:blank so that pagehide/unload beacons are captured with the page
 * that sent them rather than the next one; the page's pending timers run first (leave_timers). */
static void leave_pages(bx_browser *b)
{
    wait_storage(b);
    long long left_ms = cdp_now_ms();
    for (int i = 0; i < b->n_tabs; i++) {
        bx_tab *t = &b->tabs[i];
        t->blank = 0;
        /* a document of the site is left: its pagehide sends the unload marker */
        t->unload_marked = !(t->active && !t->crashed && t->doc_url);
        t->unload_beacons = t->unload_seen = 0;
        t->unload_doc = t->doc_url; /* its marker, not a late one of the page before */
        t->leave_seq = t->doc_seq;  /* its frames' markers (frames_pending) */
        bx_popups_close(t);         /* their pagehide beacons are the task's too */
        if (t->active && !t->crashed) {
            int failed = t->nav_failed; /* the task's outcome, not this navigation's */
            t->leaving = 1;
            t->guard_leave = !t->unload_marked; /* until its pagehide: held_at_leave */
            leave_timers(b, t);
            bx_tab_navigate(t, "about:blank", NULL);
            t->nav_failed = failed;
        }
    }
    long long deadline = cdp_now_ms() + 2000;
    for (;;) {
        int waiting = 0;
        for (int i = 0; i < b->n_tabs; i++)
            waiting |= b->tabs[i].active && !b->tabs[i].crashed && !b->tabs[i].blank;
        if (!waiting || cdp_conn_dead(b->conn) || cdp_now_ms() >= deadline)
            break;
        cdp_pump(b->conn, deadline, NULL);
    }
    /* The left documents run their pagehide after about:blank commits (late on a loaded
     * machine): wait for each one's unload marker, which it sends after its own pagehide
     * listeners, saying how many beacons they sent, and then for the pauses of that many
     * beacons (earlier versions took the marker, sent before the page's listeners, for the end
     * of the unload and waited a fixed 300 ms and a quiet window after it: a beacon whose pause
     * came later was lost, under ASan at load 40). A document that sends no marker (it crashed,
     * it was no page of the site, its script did not run) costs the cap. */
    deadline = cdp_now_ms() + bx_settle_max(b);
    for (;;) {
        int waiting = 0;
        for (int i = 0; i < b->n_tabs; i++)
            waiting |= unload_pending(&b->tabs[i]);
        if (!waiting || cdp_conn_dead(b->conn))
            break;
        if (cdp_now_ms() >= deadline) {
            /* said, not timed: a test (scan_browser_spa.sh) checks that a page whose marker
             * the leave should recognise never costs the cap, whatever the machine's load */
            for (int i = 0; i < b->n_tabs; i++) {
                const bx_tab *t = &b->tabs[i];
                const char *doc = t->unload_doc ? t->unload_doc : t->task.url;
                if (!unload_pending(t))
                    continue;
                if (!t->unload_marked)
                    bx_log(b, "leave %s: no unload marker within %d ms: the leave waited its cap",
                           doc, bx_settle_max(b));
                else
                    bx_log(b,
                           "leave %s: %d of the %d beacons its pagehide sent were seen within "
                           "%d ms: the leave waited its cap",
                           doc, t->unload_seen, t->unload_beacons, bx_settle_max(b));
            }
            break;
        }
        cdp_pump(b->conn, deadline, NULL);
    }
    /* The last beacons of the unload: the page's requests were cancelled, so the network is
     * quiet soon; a short cap keeps a request the browser never ends from costing more. The
     * frames' pagehide runs after the top's, in the same task: their announces come in this
     * settle, and the leave waits, within its cap, for the marker of each (then settles again:
     * a frame's marker may be followed by the next frame's announce). */
    for (;;) {
        bx_settle(b, 300, 2000);
        int waiting = 0;
        for (int i = 0; i < b->n_tabs; i++)
            waiting |= frames_pending(&b->tabs[i]) > 0;
        if (!waiting || cdp_conn_dead(b->conn) || cdp_now_ms() >= deadline)
            break;
        while (waiting && !cdp_conn_dead(b->conn) && cdp_now_ms() < deadline) {
            cdp_pump(b->conn, deadline, NULL);
            waiting = 0;
            for (int i = 0; i < b->n_tabs; i++)
                waiting |= frames_pending(&b->tabs[i]) > 0;
        }
        for (int i = 0; waiting && i < b->n_tabs; i++) {
            const bx_tab *t = &b->tabs[i];
            if (frames_pending(t))
                bx_log(b,
                       "leave %s: %zu of its frames sent no unload marker within %d ms: the leave "
                       "waited its cap",
                       t->unload_doc ? t->unload_doc : t->task.url, frames_pending(t),
                       bx_settle_max(b));
        }
    }
    for (int i = 0; i < b->n_tabs; i++) { /* the frames of the next page announce anew */
        bx_tab *t = &b->tabs[i];
        if (t->active && t->unload_doc) /* said, not timed: scan_browser_gaps8 reads it */
            bx_log(b,
                   "leave %s: %lld ms for its unload marker and those of the %zu frames that "
                   "announced one (%zu not sent)",
                   t->unload_doc, cdp_now_ms() - left_ms, frames_announced(t), frames_pending(t));
        t->frame_marks = NULL; /* in the arena */
        t->n_frame_marks = 0;
    }
}

/* A crash or hang cut these visits short before their facts and links were read: visit each
 * once more after the restart, without counting it twice against --max-pages. */
static void requeue_cut_short(bx_browser *b)
{
    for (int i = 0; i < b->n_tabs && b->n_retry < BX_RETRY_MAX; i++) {
        bx_task *t = &b->tabs[i].task;
        if (!b->tabs[i].active || t->retried || t->kind == BX_TASK_LOGIN || !t->url)
            continue;
        bx_task again = {strdup(t->url), t->depth, t->kind, 1};
        if (!again.url)
            continue;
        b->retry[b->n_retry++] = again;
        b->tabs[i].requeued = 1;
        if (b->pages_started > 0)
            b->pages_started--;
        bx_log(b, "visit %s again after the restart", t->url);
    }
}

/* Returns PW_OK to go on; a fatal browser error has already been handled by a restart. */
static pw_status run_round(bx_browser *b, pw_err *err)
{
    int n = 0;
    for (int i = 0; i < b->n_tabs; i++) {
        bx_task task;
        if (b->pages_started >= b->o->max_pages || !next_task(b, &task))
            break;
        bx_tab_begin(&b->tabs[i], &task);
        free(task.url);
        b->pages_started++;
        n++;
        report_progress(b, b->tabs[i].task.url);
        bx_log(b, "visit %s (depth %d%s)", b->tabs[i].task.url, b->tabs[i].task.depth,
               b->tabs[i].task.kind == BX_TASK_SEARCH ? ", site search" : "");
    }
    if (n == 0)
        return PW_OK;
    pw_err e;
    pw_err_clear(&e);
    pw_status st = PW_OK;
    for (int i = 0; i < b->n_tabs && st == PW_OK; i++)
        if (b->tabs[i].active)
            st = bx_tab_navigate(&b->tabs[i], b->tabs[i].task.url, &e);
    int timeout = b->o->timeout_ms > 0 ? b->o->timeout_ms : 20000;
    if (st == PW_OK) {
        wait_loaded(b, timeout);
        if (!all_loaded(b)) {
            int gone = cdp_conn_dead(b->conn); /* the wait ended early: no timeout to log */
            for (int i = 0; i < b->n_tabs; i++) {
                bx_tab *t = &b->tabs[i];
                if (!t->active || t->loaded)
                    continue;
                if (gone) {
                    bx_log(b, "page %s: the browser went away before its load event", t->task.url);
                    continue;
                }
                bx_log(b, "page %s: no load event in %d ms", t->task.url, timeout);
                t->load_timed_out = !t->nav_failed && !t->crashed;
            }
            if (!browser_healthy(b))
                st = PW_ERR_TIMEOUT;
            for (int i = 0; st == PW_OK && i < b->n_tabs; i++)
                if (b->tabs[i].active && !b->tabs[i].loaded)
                    cdp_send(b->conn, b->tabs[i].session, "Page.stopLoading", "{}", NULL, NULL,
                             NULL);
        }
    }
    if (st == PW_OK)
        settle(b);
    if (st == PW_OK && b->o->consent != PW_CONSENT_NONE && !b->consent_answered) {
        st = each_tab(b, PW_STEP_LOAD, step_consent, 0, &e);
        if (st == PW_OK && b->consent_answered)
            settle(b);
    }
    if (st == PW_OK)
        st = each_tab(b, PW_STEP_LOAD, step_facts, 0, &e);
    if (st == PW_OK && b->o->interact)
        st = interact(b, &e);
    if (st != PW_OK && !fatal(b, st)) {
        if (err)
            *err = e;
        return st;
    }
    int broken = st != PW_OK;
    for (int i = 0; i < b->n_tabs && broken; i++)
        if (b->tabs[i].active && !b->tabs[i].loaded)
            b->tabs[i].nav_failed = 1;
    for (int i = 0; i < b->n_tabs && !broken; i++)
        if (b->tabs[i].active && b->tabs[i].crashed)
            broken = 1; /* a crashed renderer: simplest is a fresh browser */
    if (!broken)
        leave_pages(b);
    /* The browser can die in the round's last wait (a submission or site search loading its
     * page, the unload): no step failed, but what the pages did then was not seen — a flush now
     * would lose the page the submission loaded and call its tracker scripts failed. Such a
     * visit is cut short like any other: made again after the restart. */
    if (!broken && !browser_healthy(b)) {
        broken = 1;
        pw_err_set(&e, PW_ERR_IO, "the browser died or hung at the end of the round");
    }
    if (broken)
        requeue_cut_short(b); /* before flush_all resets the tabs */
    pw_status fst = flush_all(b, err);
    if (fst != PW_OK)
        return fst; /* the sink refused: stop */
    if (broken) {
        bx_log(b, "browser problem: %s", e.msg);
        return restart_browser(b, err);
    }
    if (b->o->delay_ms > 0) {
        long long deadline = cdp_now_ms() + b->o->delay_ms;
        while (!cdp_conn_dead(b->conn) && cdp_now_ms() < deadline)
            cdp_pump(b->conn, deadline, NULL);
    }
    return PW_OK;
}

/* ---- entry -------------------------------------------------------------------------------- */

static void report_gap(bx_browser *b, pw_gap_kind kind, const char *url, const char *error)
{
    if (!b->o->hooks.gap)
        return;
    pw_capture_gap g = {.kind = kind, .url = url, .error = error};
    b->o->hooks.gap(b->o->hooks.ctx, &g);
}

/* The note on tracker WebSockets the guard contained: a stand-in socket answers nothing (any
 * answer would be a vendor's protocol phiwall does not speak), so a tag that waits for its
 * server's first message (a session-replay's or a chat's handshake) sends nothing to capture.
 * Counted per socket URL and page: a URL some socket of the page sent on counts as sending. */
static void report_sockets(bx_browser *b, char *why, size_t n)
{
    int w = snprintf(why, n,
                     "%zu tracker WebSocket%s contained (no handshake; a stand-in socket opened in "
                     "%s place, answers nothing and took %zu message%s, captured, none sent)",
                     b->ws_contained, b->ws_contained == 1 ? "" : "s",
                     b->ws_contained == 1 ? "its" : "their", b->ws_messages,
                     b->ws_messages == 1 ? "" : "s");
    if (b->ws_silent && w > 0 && (size_t)w < n)
        snprintf(why + w, n - (size_t)w,
                 ": %zu of them sent nothing; a tag that waits for its server's first message (a "
                 "session-replay or chat handshake) sends nothing to a stand-in, so what it "
                 "would have sent was not observed (the vendor is reported from the socket)",
                 b->ws_silent);
    report_gap(b, PW_GAP_SETTLE, b->start_url, why);
}

/* What the crawl did not do, said in the report rather than left to be inferred from a short
 * page list: the crawl could not go past the start page (a coverage gap), the page budget ran out
 * with URLs of the site left (a note), no consent banner was answered (a note). */
static void report_notes(bx_browser *b, const pw_browser_opts *o)
{
    char why[1024];
    if (bx_coverage_gap(b, b->pages_scanned, why, sizeof why))
        report_gap(b, PW_GAP_COVERAGE, b->start_url, why);
    size_t left = b->queue.n + b->queue.dropped;
    /* The site search is planned as soon as a page shows a search box and made as the next
     * task; when that page took the budget's last place, the search was never made. A search
     * query (the term a visitor typed) in a tracker's beacon is among the most sensitive
     * disclosures: the note says it was not tested, also when no URL was left. */
    const char *search = b->search_url && !b->search_queued ? b->search_url : NULL;
    /* --max-pages 1 is a page check: the URLs it did not visit go unsaid, the search it did not
     * make does not (the page shows a search box; what its query sends was not tested) */
    if (o->max_pages == 1)
        left = 0;
    if (b->pages_started >= o->max_pages && (left > 0 || search)) {
        char over[224] = "", unsearched[512] = "", unvisited[160] = "";
        if (b->pages_delivered > o->max_pages)
            snprintf(over, sizeof over,
                     " (%zu page loads: the steps of the last page%s visited landed on %zu "
                     "more, counted when they ended; the report counts loads of one URL once)",
                     b->pages_delivered, b->n_tabs > 1 ? "s" : "",
                     b->pages_delivered - o->max_pages);
        if (search)
            snprintf(unsearched, sizeof unsearched,
                     ": the site search was not made (a search box found on %s): what a search "
                     "query sends to trackers was not tested",
                     search);
        if (left > 0)
            snprintf(unvisited, sizeof unvisited,
                     "%s %zu same-site URL%s found %s not visited (the crawl took care pages and "
                     "distinct pages first)",
                     search ? ";" : ":", left, left == 1 ? "" : "s", left == 1 ? "was" : "were");
        snprintf(why, sizeof why, "--max-pages %zu reached%s%s%s; a larger --max-pages %s",
                 o->max_pages, over, unsearched, unvisited,
                 search && left > 0 ? "makes the search first and visits them"
                 : search           ? "makes it"
                                    : "visits them");
        report_gap(b, PW_GAP_BUDGET, b->start_url, why);
    }
    if (o->consent != PW_CONSENT_NONE && !b->consent_answered && b->pages_scanned > 0) {
        snprintf(why, sizeof why,
                 "--consent %s: no %s button of a consent banner was found on any page (known "
                 "banners and buttons labelled like %s): the pages were seen as by a visitor who "
                 "never answered, and tags a banner loads only after the answer were not "
                 "observed",
                 o->consent == PW_CONSENT_ACCEPT ? "accept" : "reject",
                 o->consent == PW_CONSENT_ACCEPT ? "accept" : "reject",
                 o->consent == PW_CONSENT_ACCEPT ? "'Accept all', 'Allow all', 'I agree', "
                                                   "'Got it', 'I understand'"
                                                 : "'Reject all', 'Decline', 'Necessary only'");
        report_gap(b, PW_GAP_CONSENT, b->start_url, why);
    }
    if (b->tag_manager) {
        snprintf(why, sizeof why,
                 "%s loaded: the scan waited %d ms after each page's load and step, then until "
                 "the network was quiet (at most %d ms); tags it injects later (timers due after "
                 "185 s, scroll depth, hover) were not observed; --settle 3000 or more waits "
                 "longer",
                 b->tag_manager, bx_settle_base(b), bx_settle_max(b));
        report_gap(b, PW_GAP_SETTLE, b->start_url, why);
    }
    if (b->ws_contained)
        report_sockets(b, why, sizeof why);
}

static void scan_free(bx_browser *b)
{
    stop_browser(b);
    for (int i = 0; i < b->n_tabs; i++)
        bx_tab_reset(&b->tabs[i]), pw_arena_free(&b->tabs[i].arena);
    for (size_t i = 0; i < b->n_robots; i++)
        free(b->robots_disallow[i]);
    free(b->robots_disallow);
    bx_queue_free(&b->queue);
    for (int i = 0; i < b->n_retry; i++)
        free(b->retry[i].url);
    free(b->user_agent);
    free(b->start_url);
    free(b->search_url);
    free(b->login_area);
    free(b->start_error);
    free(b->start_landed);
    pw_arena_free(&b->scan_arena);
}

pw_status pw_browser_scan(const char *start_url, const pw_browser_opts *opts,
                          const pw_capture_sink *sink, pw_browser_stats *stats, pw_err *err)
{
    pw_browser_opts o = *opts;
    if (o.max_pages == 0)
        o.max_pages = 50;
    if (o.jobs <= 0)
        o.jobs = 1;
    if (o.jobs > BX_MAX_JOBS)
        o.jobs = BX_MAX_JOBS;
    if (o.timeout_ms <= 0)
        o.timeout_ms = 20000;
    pw_browser_stats local_stats;
    bx_browser *b = calloc(1, sizeof *b);
    if (!b)
        return pw_err_set(err, PW_ERR_NOMEM, "browser scan: out of memory");
    b->o = &o;
    b->sink = sink;
    b->stats = stats ? stats : &local_stats;
    memset(b->stats, 0, sizeof *b->stats);
    b->deliver = 1;
    b->n_tabs = o.jobs;
    b->launch = (cdp_launch){o.browser_path,
                             o.browser_args,
                             o.n_browser_args,
                             o.device == PW_DEVICE_MOBILE,
                             NULL,
                             o.stop ? o.stop->profile_dir : NULL,
                             o.stop ? &o.stop->browser_pgid : NULL};
    if (o.device == PW_DEVICE_MOBILE && !(b->user_agent = strdup(mobile_ua))) {
        free(b);
        return pw_err_set(err, PW_ERR_NOMEM, "browser scan: out of memory");
    }
    pw_arena_init(&b->scan_arena, 0);
    for (int i = 0; i < BX_MAX_JOBS; i++)
        pw_arena_init(&b->tabs[i].arena, 0);
    bx_queue_init(&b->queue);
    pw_status st = PW_OK;
    pw_url su;
    if (pw_url_parse(start_url, strlen(start_url), &su, err) != PW_OK) {
        st = pw_err_prefix(err, "start URL: ");
        goto done;
    }
    b->start_url = strdup(start_url);
    b->site = bx_site_of(b, start_url);
    if (!b->start_url || !b->site) {
        st = pw_err_set(err, PW_ERR_INVALID, "start URL %s: no host", start_url);
        goto done;
    }
    bx_queue_push(&b->queue, start_url, "home", 0);
    bx_log(b, "settle %d ms (a wait at most %d ms), timeout %d ms, %d tab%s, at most %zu pages",
           bx_settle_base(b), bx_settle_max(b), o.timeout_ms, o.jobs, o.jobs == 1 ? "" : "s",
           o.max_pages);
    bx_read_robots(b);
    bx_read_sitemap(b);
    st = start_browser(b, err);
    if (st == PW_OK && o.login_url)
        st = do_login(b, err);
    int restarts_in_a_row = 0;
    while (st == PW_OK && b->pages_started < o.max_pages &&
           (b->n_retry || b->queue.n || (b->search_url && !b->search_queued))) {
        if (o.stop && o.stop->requested) { /* the caller's stop (a signal): pages seen so far */
            b->stats->interrupted = 1;
            bx_log(b, "stop requested: no more pages");
            break;
        }
        size_t before = b->stats->browser_restarts;
        st = run_round(b, err);
        restarts_in_a_row = b->stats->browser_restarts > before ? restarts_in_a_row + 1 : 0;
        if (st == PW_OK && restarts_in_a_row > 3)
            st = pw_err_set(err, PW_ERR_IO, "the browser failed %d times in a row; giving up",
                            restarts_in_a_row);
    }
    if (st == PW_OK && !b->stats->interrupted)
        report_notes(b, &o);
    if (st == PW_OK && b->pages_scanned == 0 && b->pages_started > 0)
        st = pw_err_set(err, PW_ERR_IO, "%s: %s (no page of the site could be scanned)", start_url,
                        b->start_error ? b->start_error : "the page did not load");
done:
    scan_free(b);
    free(b);
    return st;
}
