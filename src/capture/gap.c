/*
 * gap.c — names of the capture gaps (request.h): what a capture could not observe, which makes a
 * scan result incomplete (docs/scan-browser.md "Incomplete scans").
 */
#include "phiwall/request.h"

const char *pw_gap_kind_name(pw_gap_kind k)
{
    switch (k) {
    case PW_GAP_SCRIPT: return "script";
    case PW_GAP_FRAME: return "frame";
    case PW_GAP_PAGE: return "page";
    case PW_GAP_LOGIN: return "login";
    case PW_GAP_BROWSER: return "browser";
    case PW_GAP__COUNT: break;
    }
    return "unknown";
}
