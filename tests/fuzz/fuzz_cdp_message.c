/* fuzz_cdp_message.c — libFuzzer target for the DevTools message layer (capture/cdp_msg.c):
 * the browser relays page-controlled data, so any bytes must parse to a message or an error,
 * never a crash or leak; the accessors tolerate any tree shape. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/capture/cdp.h"
#include "phiwall/json_tree.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0'; /* messages are NUL-delimited on the pipe */
    /* the tree parser (json_tree.c) against yajl_tree_parse, which it replaced: the same texts
     * parse (short of its nesting bound), and yajl's allocations stay within the reserve */
    pw_json_probe probe = {0};
    yajl_val mine = NULL, theirs = yajl_tree_parse(text, NULL, 0);
    pw_status st = pw_json_tree_parse(text, strlen(text), &mine, NULL, 0, &probe);
    if (st != PW_ERR_LIMIT && (st == PW_OK) != (theirs != NULL))
        abort();
    if (probe.overflow || probe.peak > probe.reserve)
        abort();
    yajl_tree_free(mine);
    yajl_tree_free(theirs);
    cdp_msg m;
    pw_err err;
    if (cdp_msg_parse(text, &m, &err) == PW_OK) {
        double n;
        static const char *const paths[] = {
            "request.url",     "request.postData", "frame.url", "targetInfo.type",
            "response.status", "a.b.c.d",          "",          "."};
        for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
            (void)cdp_str(m.params, paths[i]);
            (void)cdp_num(m.params, paths[i], &n);
            (void)cdp_bool(m.result, paths[i]);
            (void)cdp_get(m.root, paths[i]);
        }
        cdp_msg_free(&m);
    }
    free(text);
    return 0;
}
