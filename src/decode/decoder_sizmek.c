/*
 * decoder_sizmek.c — Sizmek's ad server (bs.serving-sys.com/Serving?cn=ot…, Amazon Ad Server):
 * the OneTag (`cn=ot`) names the advertiser's tag in `onetagid` and sends the page address in
 * `pageurl` and the visitor's session in `sessionid`; the user match (`cn=um`) names a data
 * partner (`dpid`), not the site. OneTag wraps its macro values in "$$…$$"
 * (pageurl=$$https://…$$): the wrapper is removed so the page URL reads as one (its query's
 * search terms included).
 */
#include <string.h>

#include "decode_internal.h"

static const dk_keymap sizmek_map[] = {
    {"onetagid", PW_FIELD_ACCOUNT},
    {"pageurl", PW_FIELD_PAGE_URL},
    {"sessionid", PW_FIELD_DEVICE_ID},
    {"dpid", PW_FIELD_OTHER},
    {"cn", PW_FIELD_OTHER},
    {NULL, PW_FIELD_OTHER},
};

static pw_status unwrap_macros(dk_ctx *ctx, dk_builder *bb, const dk_pairs *body, pw_err *err)
{
    (void)body;
    for (size_t i = 0; i < bb->b.n_fields; i++) {
        pw_field *f = &bb->b.fields[i];
        size_t n = f->value_len;
        if (n < 4 || memcmp(f->value, "$$", 2) != 0 || memcmp(f->value + n - 2, "$$", 2) != 0)
            continue;
        char *v = dk_dup(ctx->a, f->value + 2, n - 4);
        if (!v)
            return pw_err_set(err, PW_ERR_NOMEM, "decode: out of memory");
        f->value = v;
        f->value_len = n - 4;
    }
    return PW_OK;
}

static pw_status decode_sizmek(dk_ctx *ctx, pw_err *err)
{
    return dk_decode_pairs_with(ctx, PW_BEACON_EVENT, sizmek_map, unwrap_macros, err);
}

const pw_decoder dk_decoder_sizmek = {"sizmek", decode_sizmek};
