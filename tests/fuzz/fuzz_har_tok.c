/* fuzz_har_tok.c — differential libFuzzer target for the HAR reader's tokenizer
 * (capture/har_tok.c): any bytes, read by yajl alone and by the tokenizer with yajl behind it
 * (har_tok_diff.h) in the same chunks, must give the same events, values, offsets and end
 * (complete, or yajl's error at the same byte); with every object value skippable, the same end.
 * The first byte picks the chunk size and the string limit. */
#include <stdlib.h>
#include <string.h>

#include "../unit/har_tok_diff.h"
#include "pw_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t chunk = (size_t)(data[0] & 0x3f) + 1, max = data[0] & 0x40 ? 8 : 1 << 20;
    const unsigned char *d = data + 1;
    size_t n = size - 1, open = 0;
    for (size_t i = 0; i < n; i++)
        open += d[i] == '[' || d[i] == '{';
    if (open > 1000) /* the reader refuses deeper nesting before the tokenizer's stack ends */
        return 0;
    if (data[0] & 0x80)
        chunk = n ? n : 1;
    td_log ref, tok, sk;
    td_reference(d, n, chunk, &ref);
    td_tokenized(d, n, chunk, 0, max, &tok);
    td_tokenized(d, n, chunk, 1, max, &sk);
    FUZZ_ASSERT(strcmp(ref.buf, tok.buf) == 0);
    FUZZ_ASSERT(strcmp(td_last(&ref), td_last(&sk)) == 0);
    free(ref.buf);
    free(tok.buf);
    free(sk.buf);
    return 0;
}
