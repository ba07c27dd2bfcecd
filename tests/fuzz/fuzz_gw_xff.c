/*
 * fuzz_gw_xff.c — the gateway's X-Forwarded-For reader (pw_gw_xff_client) on arbitrary header
 * values. Properties: never a crash or an overrun; the result is the value left in place (not
 * an address, returned 0) or an IPv4/IPv6 address that inet_pton takes and that appears in the
 * input (returned 1).
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "gw_http.h"
#include "pw_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *xff = malloc(size + 1);
    if (!xff)
        return 0;
    memcpy(xff, data, size);
    xff[size] = '\0'; /* a header value is a C string: what follows a NUL is not seen */
    char out[INET6_ADDRSTRLEN] = "proxy";
    int got = pw_gw_xff_client(xff, out, sizeof out);
    FUZZ_ASSERT(memchr(out, '\0', sizeof out) != NULL);
    FUZZ_ASSERT(got == (strcmp(out, "proxy") != 0)); /* 1 exactly when an address was written */
    if (got) {
        unsigned char b[16];
        FUZZ_ASSERT(inet_pton(AF_INET, out, b) == 1 || inet_pton(AF_INET6, out, b) == 1);
        FUZZ_ASSERT(strstr(xff, out) != NULL);
    }
    char small[8] = "proxy"; /* an address longer than the buffer is not written */
    pw_gw_xff_client(xff, small, sizeof small);
    FUZZ_ASSERT(memchr(small, '\0', sizeof small) != NULL);
    free(xff);
    return 0;
}
