/* test_har_bom_offset.c — byte offsets in HAR errors after a UTF-8 byte-order mark: a gzip'd HAR
 * gives the offsets the same text gives uncompressed, counted from the decompressed text's first
 * byte, the mark included (docs/scan-har.md). They were counted from after the mark in a gzip'd
 * file only (3 fewer). A mark split across gzip members is skipped too. Skipped (77) when zlib is
 * not there to compress. */
#include <stdio.h>
#include <string.h>
#if defined(__has_include) && __has_include(<zlib.h>)
#include <zlib.h>
#define HAVE_GZIP 1
#endif

#include "phiwall/har.h"
#include "pw_test.h"

#ifdef HAVE_GZIP
static pw_status no_page(void *ctx, const pw_page *p, pw_err *err)
{
    return PW_OK;
}

static pw_status no_request(void *ctx, const pw_request *r, pw_err *err)
{
    return PW_OK;
}

/* text[0..n) as one gzip member at out; its size. */
static size_t gzip_member(const char *text, size_t n, unsigned char *out, size_t cap)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    CHECK(deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK);
    z.next_in = (unsigned char *)text;
    z.avail_in = (uInt)n;
    z.next_out = out;
    z.avail_out = (uInt)cap;
    CHECK(deflate(&z, Z_FINISH) == Z_STREAM_END);
    deflateEnd(&z);
    return cap - z.avail_out;
}

/* Read bytes as a HAR named t.har — gzip'd when gz, in two members split after byte split when
 * split > 0 — the status, the message in msg. */
static pw_status read_split(const char *text, size_t n, int gz, size_t split, char *msg, size_t cap)
{
    unsigned char packed[4096]; /* the texts here pack into less */
    const void *bytes = text;
    if (gz) {
        size_t first = split ? gzip_member(text, split, packed, sizeof packed) : 0;
        n = first + gzip_member(text + split, n - split, packed + first, sizeof packed - first);
        bytes = packed;
    }
    FILE *f = tmpfile();
    CHECK(f != NULL);
    if (!f)
        return PW_ERR_IO;
    CHECK(fwrite(bytes, 1, n, f) == n);
    rewind(f);
    pw_capture_sink sink = {no_page, no_request, NULL, NULL};
    pw_err err;
    pw_err_clear(&err);
    pw_status st = pw_har_read_ex(f, "t.har", &sink, NULL, NULL, &err);
    fclose(f);
    snprintf(msg, cap, "%s", st == PW_OK ? "" : err.msg);
    return st;
}

static pw_status read_text(const char *text, size_t n, int gz, char *msg, size_t cap)
{
    return read_split(text, n, gz, 0, msg, cap);
}

/* Each text, with a mark in front, plain and gzip'd: the same error at the offset given. */
static void gzip_counts_the_mark(void)
{
    static const struct {
        const char *text, *msg;
    } cases[] = {
        /* truncated: the offset is the text's end (40 bytes with the mark) */
        {"\xef\xbb\xbf{\"log\":{\"entries\":[{\"request\":{\"url\":",
         "t.har: byte 40: expected more JSON: the file ends inside log.entries[0].request"},
        /* malformed: yajl's offset of the bad byte, the mark counted */
        {"\xef\xbb\xbf{\"log\":{\"entries\":[x]}}", NULL},
        /* no log object: the offset of the text's end */
        {"\xef\xbb\xbf{\"other\":1}",
         "t.har: byte 14: expected a \"log\" object (HAR 1.2), found none"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char plain[512], gz[512];
        size_t n = strlen(cases[i].text);
        pw_status sp = read_text(cases[i].text, n, 0, plain, sizeof plain);
        pw_status sg = read_text(cases[i].text, n, 1, gz, sizeof gz);
        CHECK_INT(sp, PW_ERR_PARSE);
        CHECK_INT(sg, sp);
        CHECK_STR(gz, plain);
        if (cases[i].msg)
            CHECK_STR(plain, cases[i].msg);
        /* without the mark, both count 3 bytes fewer: the mark is what the offsets differ by */
        char bare[512];
        CHECK_INT(read_text(cases[i].text + 3, n - 3, 1, bare, sizeof bare), PW_ERR_PARSE);
        CHECK(strcmp(bare, gz) != 0);
    }
}

/* A parse error past the first 64 KiB chunk: the mark is counted in a later chunk's offsets too. */
static void gzip_counts_the_mark_later(void)
{
    static char text[100000];
    size_t n = 0;
    n += (size_t)snprintf(text + n, sizeof text - n, "\xef\xbb\xbf{\"log\":{\"_pad\":\"");
    while (n < 70000)
        text[n++] = 'y';
    n += (size_t)snprintf(text + n, sizeof text - n, "\",\"entries\":[x]}}");
    char plain[512], gz[512];
    CHECK_INT(read_text(text, n, 0, plain, sizeof plain), PW_ERR_PARSE);
    CHECK_INT(read_text(text, n, 1, gz, sizeof gz), PW_ERR_PARSE);
    CHECK_STR(gz, plain);
    CHECK(strstr(plain, "byte 700") != NULL); /* past the first chunk (64 KiB) */
}

/* A mark split across gzip members (EF, then BB BF and the text): skipped as in one member. The
 * reader looked for it in the first member's output only, and read "byte 1: expected JSON". */
static void mark_split_across_members(void)
{
    static const char ok[] = "\xef\xbb\xbf{\"log\":{\"entries\":[]}}";
    static const char bad[] = "\xef\xbb\xbf{\"log\":{\"entries\":[x]}}";
    for (size_t split = 1; split <= 3; split++) {
        char msg[512], plain[512];
        CHECK_INT(read_split(ok, strlen(ok), 1, split, msg, sizeof msg), PW_OK);
        CHECK_STR(msg, "");
        CHECK_INT(read_split(bad, strlen(bad), 0, 0, plain, sizeof plain), PW_ERR_PARSE);
        CHECK_INT(read_split(bad, strlen(bad), 1, split, msg, sizeof msg), PW_ERR_PARSE);
        CHECK_STR(msg, plain);
    }
    /* a text that only starts like the mark is no mark, split or not */
    static const char ef[] = "\xef{}";
    char one[512], two[512];
    CHECK_INT(read_split(ef, strlen(ef), 1, 0, one, sizeof one), PW_ERR_PARSE);
    CHECK_INT(read_split(ef, strlen(ef), 1, 1, two, sizeof two), PW_ERR_PARSE);
    CHECK_STR(two, one);
}

PW_TEST_MAIN(PW_TEST(gzip_counts_the_mark), PW_TEST(gzip_counts_the_mark_later),
             PW_TEST(mark_split_across_members))
#else
int main(void)
{
    puts("zlib.h not found: skipped");
    return 77;
}
#endif
