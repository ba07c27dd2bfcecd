/*
 * gap.c — names of the capture gaps (request.h): what a capture could not observe, which makes a
 * scan result incomplete (docs/scan-browser.md "Incomplete scans"), and the page that answered an
 * HTTP error and the notes (page budget, unanswered consent banner), which do not.
 */
#include <stdio.h>
#include <string.h>

#include "phiwall/request.h"

const char *pw_gap_kind_name(pw_gap_kind k)
{
    switch (k) {
    case PW_GAP_SCRIPT: return "script";
    case PW_GAP_FRAME: return "frame";
    case PW_GAP_PAGE: return "page";
    case PW_GAP_LOGIN: return "login";
    case PW_GAP_BROWSER: return "browser";
    case PW_GAP_ERROR_PAGE: return "error-page";
    case PW_GAP_INTERRUPTED: return "interrupted";
    case PW_GAP_BUDGET: return "budget";
    case PW_GAP_CONSENT: return "consent";
    case PW_GAP_SETTLE: return "settle";
    case PW_GAP_COVERAGE: return "coverage";
    case PW_GAP__COUNT: break;
    }
    return "unknown";
}

int pw_gap_makes_incomplete(pw_gap_kind k)
{
    return k != PW_GAP_ERROR_PAGE && !pw_gap_is_note(k);
}

int pw_gap_is_note(pw_gap_kind k)
{
    return k == PW_GAP_BUDGET || k == PW_GAP_CONSENT || k == PW_GAP_SETTLE;
}

int pw_gap_kind_parse(const char *name, pw_gap_kind *out)
{
    for (int k = 0; name && k < PW_GAP__COUNT; k++)
        if (strcmp(name, pw_gap_kind_name((pw_gap_kind)k)) == 0) {
            *out = (pw_gap_kind)k;
            return 0;
        }
    return -1;
}

const char *pw_gap_page_status(int status, char *buf, size_t cap)
{
    snprintf(buf, cap, "page answered HTTP %d", status);
    return buf;
}
