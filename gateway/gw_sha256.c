/* gw_sha256.c — SHA-256 with a fetched algorithm and a reused context (see gw_sha256.h). */
#include "gw_sha256.h"

#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "phiwall/text.h"

struct pw_gw_sha256 {
    EVP_MD *md;
    EVP_MD_CTX *ctx;
};

pw_gw_sha256 *pw_gw_sha256_new(void)
{
    pw_gw_sha256 *h = calloc(1, sizeof *h);
    if (!h)
        return NULL;
    h->md = EVP_MD_fetch(NULL, "SHA256", NULL);
    h->ctx = EVP_MD_CTX_new();
    if (!h->md || !h->ctx) {
        pw_gw_sha256_free(h);
        return NULL;
    }
    return h;
}

void pw_gw_sha256_free(pw_gw_sha256 *h)
{
    if (!h)
        return;
    EVP_MD_CTX_free(h->ctx);
    EVP_MD_free(h->md);
    free(h);
}

static void joined_hex(const void *a, size_t na, const void *b, size_t nb, char out[65])
{
    char *joined = malloc(na + nb + 1);
    if (!joined) {
        out[0] = '\0';
        return;
    }
    memcpy(joined, a, na);
    if (nb)
        memcpy(joined + na, b, nb);
    pw_sha256_hex(joined, na + nb, out);
    free(joined);
}

void pw_gw_sha256_hex2(pw_gw_sha256 *h, const void *a, size_t na, const void *b, size_t nb,
                       char out[65])
{
    if (!h) {
        joined_hex(a, na, b, nb, out);
        return;
    }
    unsigned char d[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (!EVP_DigestInit_ex2(h->ctx, h->md, NULL) || !EVP_DigestUpdate(h->ctx, a, na) ||
        (nb && !EVP_DigestUpdate(h->ctx, b, nb)) || !EVP_DigestFinal_ex(h->ctx, d, &len)) {
        out[0] = '\0';
        return;
    }
    pw_hex(d, len, out);
}
