/* request.c — helpers on the capture stage's pw_request. */
#include "phiwall/request.h"

#include <strings.h>

static const char *const step_names[PW_STEP__COUNT] = {
    [PW_STEP_UNKNOWN] = "unknown", [PW_STEP_LOAD] = "load",   [PW_STEP_SCROLL] = "scroll",
    [PW_STEP_FILL] = "fill",       [PW_STEP_CLICK] = "click", [PW_STEP_SUBMIT] = "submit",
};

const char *pw_step_name(pw_step s)
{
    return (unsigned)s < PW_STEP__COUNT ? step_names[s] : "unknown";
}

const char *pw_request_header(const pw_request *r, const char *name)
{
    for (size_t i = 0; i < r->n_headers; i++)
        if (r->headers[i].name && strcasecmp(r->headers[i].name, name) == 0)
            return r->headers[i].value;
    return NULL;
}
