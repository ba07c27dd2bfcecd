/* gw_explain.c — render the policy's decisions for --explain (see gw_explain.h). */
#include "gw_explain.h"

#include <string.h>

static void explain_dest(pw_buf *o, const pw_gw_dest_result *r)
{
    const char *name = r->dest->dest.name;
    if (!r->accepted) {
        pw_buf_printf(o, "  %s: DROPPED — %s\n", name, r->rule);
        return;
    }
    pw_buf_printf(o, "  %s: SENT as %s — %s\n", name, r->out_name, r->rule);
    for (size_t i = 0; i < r->n_fields; i++)
        pw_buf_printf(o, "    %-28s %-9s %s\n", r->fields[i].field, r->fields[i].action,
                      r->fields[i].rule);
    pw_buf_printf(o, "    payload: %.*s\n", (int)r->payload_len, r->payload);
}

pw_status pw_gw_explain(const pw_gw_policy *p, const pw_gw_phi *phi, const char *body, size_t n,
                        const char *client_ip, const char *user_agent, int64_t now_ms, pw_buf *out,
                        pw_err *err)
{
    pw_arena a;
    pw_arena_init(&a, 0);
    pw_gw_event *evs = NULL;
    size_t n_ev = 0;
    pw_status st = pw_gw_events_parse(&a, body, n, &p->limits, &evs, &n_ev, err);
    pw_gw_dest_result *res = st == PW_OK ? pw_arena_calloc(&a, p->n_dests, sizeof *res) : NULL;
    if (st == PW_OK && !res)
        st = pw_err_set(err, PW_ERR_NOMEM, "out of memory");
    for (size_t i = 0; st == PW_OK && i < n_ev; i++) {
        evs[i].client_ip = client_ip;
        evs[i].user_agent = user_agent;
        st = pw_gw_policy_apply(p, phi, &a, &evs[i], now_ms, res, err);
        if (st != PW_OK)
            break;
        pw_buf_printf(out, "event %s (%s)\n", evs[i].event_id, evs[i].name);
        for (size_t d = 0; d < p->n_dests; d++)
            explain_dest(out, &res[d]);
    }
    pw_arena_free(&a);
    if (st == PW_OK && out->failed)
        st = pw_err_set(err, PW_ERR_NOMEM, "out of memory");
    return st;
}

static const char *flagged(const pw_gw_phi *phi, pw_arena *a, const char *key, const char *s,
                           pw_err *err, pw_status *st)
{
    pw_hit *hits = NULL;
    size_t n = 0;
    *st = phi->scan(phi->ctx, a, key, PW_OBJECT_UNKNOWN, s, strlen(s), PW_FT_TEXT, &hits, &n, err);
    for (size_t i = 0; *st == PW_OK && i < n; i++)
        if (hits[i].category != PW_PHI_CARE_INTENT)
            return hits[i].reason_detail ? hits[i].reason_detail : "phi";
    return NULL;
}

/* A glob given twice under page_categories (YAML takes a repeated key): the first match wins,
 * so the later category is never sent, and a reviewer reading the later line is misled. */
static size_t lint_duplicate_globs(const pw_gw_dest_policy *dp, pw_buf *out)
{
    size_t n = 0;
    for (size_t i = 1; i < dp->n_categories; i++)
        for (size_t k = 0; k < i; k++) {
            const pw_gw_page_category *a = &dp->categories[k], *b = &dp->categories[i];
            if (strcmp(a->glob, b->glob) != 0)
                continue;
            pw_buf_printf(out,
                          "# warning: destinations.%s.page_categories.%s: the glob is given twice "
                          "(line %u: %s, line %u: %s): the first wins, line %u is never used\n",
                          dp->dest.name, b->glob, a->line, a->category, b->line, b->category,
                          b->line);
            n++;
            break;
        }
    return n;
}

pw_status pw_gw_policy_lint(const pw_gw_policy *p, const pw_gw_phi *phi, pw_buf *out,
                            size_t *n_warnings, pw_err *err)
{
    pw_arena a;
    pw_arena_init(&a, 0);
    pw_status st = PW_OK;
    *n_warnings = 0;
    for (size_t d = 0; st == PW_OK && d < p->n_dests; d++) {
        const pw_gw_dest_policy *dp = &p->dests[d];
        for (size_t i = 0; st == PW_OK && i < dp->n_events; i++) {
            const char *why = flagged(phi, &a, "event_name", dp->events[i].to, err, &st);
            const char *why_from =
                why ? NULL : flagged(phi, &a, "event_name", dp->events[i].from, err, &st);
            if (why || why_from) {
                pw_buf_printf(out,
                              "# warning: destinations.%s.events.%s: %s name hits the PHI engine "
                              "(%s): every such event will be refused\n",
                              dp->dest.name, dp->events[i].from, why ? "taxonomy" : "site",
                              why ? why : why_from);
                (*n_warnings)++;
            }
        }
        /* A param's name is sent beside its value: {"hiv_positive": true} */
        for (size_t i = 0; st == PW_OK && i < dp->n_params; i++) {
            const char *why = flagged(phi, &a, "param_name", dp->params[i], err, &st);
            if (why) {
                pw_buf_printf(out,
                              "# warning: destinations.%s.allow_params.%s: the name hits the PHI "
                              "engine (%s): the param will never be sent\n",
                              dp->dest.name, dp->params[i], why);
                (*n_warnings)++;
            }
        }
        *n_warnings += lint_duplicate_globs(dp, out);
        pw_arena_reset(&a);
    }
    pw_arena_free(&a);
    if (st == PW_OK)
        *n_warnings += pw_gw_policy_lint_user_data(p, out);
    return st;
}
