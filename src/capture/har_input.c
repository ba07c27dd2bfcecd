/*
 * har_input.c — (internal to the HAR reader) the bytes har.c parses: a plain file as read, a
 * gzip-compressed one (magic 1F 8B: The Markup ships .har.gz) inflated on the fly in fixed-size
 * chunks with zlib (concatenated gzip members included), and in both cases without a leading
 * UTF-8 byte-order mark (EF BB BF), which JSON parsers reject. Memory stays two 64 KiB buffers
 * and one zlib window whatever the file size. Built without zlib, a gzip file gives an error that
 * says how to decompress it first.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef PW_HAVE_ZLIB
#include <zlib.h>
#endif

#include "capture/har_internal.h"

#define RAW_CHUNK 65536

pw_status har_input_init(har_input *in, FILE *f)
{
    memset(in, 0, sizeof *in);
    in->f = f;
    in->raw = malloc(RAW_CHUNK);
    return in->raw ? PW_OK : PW_ERR_NOMEM;
}

void har_input_free(har_input *in)
{
#ifdef PW_HAVE_ZLIB
    if (in->z) {
        inflateEnd(in->z);
        free(in->z);
    }
#endif
    free(in->raw);
    memset(in, 0, sizeof *in);
}

/* Refill the raw buffer from the file; 0 at end of file, -1 on a read error. */
static int fill(har_input *in, char *why, size_t why_n)
{
    in->raw_pos = 0;
    in->raw_n = fread(in->raw, 1, RAW_CHUNK, in->f);
    in->raw_total += in->raw_n;
    if (in->raw_n == 0 && ferror(in->f)) {
        snprintf(why, why_n, "read error: %s", strerror(errno));
        return -1;
    }
    return in->raw_n > 0;
}

/* A plain file: the bytes the first read (detect) left in raw, then straight from the file into
 * the caller's buffer (a copy through raw cost ~1 instruction a byte). */
static long read_plain(har_input *in, unsigned char *buf, size_t cap, char *why, size_t why_n)
{
    if (in->raw_pos == in->raw_n) {
        size_t got = fread(buf, 1, cap, in->f);
        in->raw_total += got;
        if (got == 0 && ferror(in->f)) {
            snprintf(why, why_n, "read error: %s", strerror(errno));
            return -1;
        }
        return (long)got;
    }
    size_t n = in->raw_n - in->raw_pos;
    if (n > cap)
        n = cap;
    memcpy(buf, in->raw + in->raw_pos, n);
    in->raw_pos += n;
    return (long)n;
}

#ifdef PW_HAVE_ZLIB
static long gzip_error(har_input *in, const char *what, char *why, size_t why_n)
{
    z_stream *z = in->z;
    snprintf(why, why_n, "gzip: compressed byte %zu: %s", (size_t)z->total_in + in->in_before,
             what);
    return -1;
}

static long read_gzip(har_input *in, unsigned char *buf, size_t cap, char *why, size_t why_n)
{
    z_stream *z = in->z;
    if (!z) {
        z = in->z = calloc(1, sizeof *z);
        if (!z || inflateInit2(z, 15 + 16) != Z_OK) {
            snprintf(why, why_n, "gzip: out of memory");
            return -1;
        }
    }
    z->next_out = buf;
    z->avail_out = (uInt)cap;
    while (z->avail_out == cap && !in->gz_done) {
        if (in->raw_pos == in->raw_n) {
            int got = fill(in, why, why_n);
            if (got < 0)
                return -1;
            if (got == 0)
                return in->member_open
                           ? gzip_error(in, "the file ends inside the gzip stream", why, why_n)
                           : (in->gz_done = 1, 0);
        }
        z->next_in = in->raw + in->raw_pos;
        z->avail_in = (uInt)(in->raw_n - in->raw_pos);
        in->member_open = 1;
        int rc = inflate(z, Z_NO_FLUSH);
        in->raw_pos = in->raw_n - z->avail_in;
        if (rc == Z_STREAM_END) {
            in->member_open = 0; /* another member may follow (cat a.gz b.gz) */
            in->in_before += z->total_in;
            if (inflateReset(z) != Z_OK)
                return gzip_error(in, "cannot restart", why, why_n);
        } else if (rc == Z_BUF_ERROR && z->avail_in > 0) {
            return gzip_error(in, "no progress", why, why_n);
        } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
            return gzip_error(in, z->msg ? z->msg : "corrupt data", why, why_n);
        }
    }
    return (long)(cap - z->avail_out);
}
#endif

/* The first bytes decide: gzip magic or plain text. */
static int detect(har_input *in, char *why, size_t why_n)
{
    if (fill(in, why, why_n) < 0)
        return -1;
    in->gzip = in->raw_n >= 2 && in->raw[0] == 0x1f && in->raw[1] == 0x8b;
    in->started = 1;
#ifndef PW_HAVE_ZLIB
    if (in->gzip) {
        snprintf(why, why_n,
                 "file is gzip-compressed and this phiwall was built without zlib: use zcat FILE "
                 "| phiwall scan --har -");
        return -1;
    }
#endif
    return 0;
}

static long read_some(har_input *in, unsigned char *buf, size_t cap, char *why, size_t why_n)
{
#ifdef PW_HAVE_ZLIB
    if (in->gzip)
        return read_gzip(in, buf, cap, why, why_n);
#endif
    return read_plain(in, buf, cap, why, why_n);
}

long har_input_read(har_input *in, unsigned char *buf, size_t cap, char *why, size_t why_n)
{
    if (!in->started && detect(in, why, why_n) < 0)
        return -1;
    long n = read_some(in, buf, cap, why, why_n);
    if (n <= 0 || in->bom_checked)
        return n;
    /* A read ends with a gzip member: a mark split across members ("EF" then "BB BF {…") comes
     * in two reads, and its first byte alone was taken for the text. */
    while (n < 3 && cap >= 3 && memcmp(buf, "\xef\xbb\xbf", (size_t)n) == 0) {
        long more = read_some(in, buf + n, cap - (size_t)n, why, why_n);
        if (more <= 0) {
            if (more < 0)
                return more;
            break;
        }
        n += more;
    }
    in->bom_checked = 1;
    if (n >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0) {
        memmove(buf, buf + 3, (size_t)n - 3);
        n -= 3;
        in->bom = 3;
        if (n == 0) /* the mark filled this read: the text follows */
            return har_input_read(in, buf, cap, why, why_n);
    }
    return n;
}
