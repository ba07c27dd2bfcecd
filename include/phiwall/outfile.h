/*
 * outfile.h — an output file that appears whole or not at all: written to a temporary file
 * beside the target, flushed to disk, then renamed over it. A kill, a crash or a full disk
 * mid-write leaves the old file (or none), never a cut one. The HAR writer (--har-out) and every
 * file the CLI writes (reports, `scan --sites` summaries) go through it.
 */
#ifndef PHIWALL_OUTFILE_H
#define PHIWALL_OUTFILE_H

#include <limits.h>
#include <stddef.h>
#include <stdio.h>

#include "phiwall/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A link is followed (its target is replaced: replacing the link would leave what it points at
 * stale); a device or a FIFO (/dev/null, /dev/stdout, a named pipe) has no directory entry to
 * replace and is written in place (tmp is then the target). A new file gets the mode fopen would
 * give it, an existing one keeps its own. */
typedef struct pw_outfile {
    char target[PATH_MAX];
    char tmp[PATH_MAX + 32];
    int in_place;
    FILE *f; /* open for writing from open until commit or discard */
} pw_outfile;

/* Create the temporary file and open o->f on it. Errors (PW_ERR_IO) name path; o needs no
 * discard after a failed open. */
pw_status pw_outfile_open(pw_outfile *o, const char *path, pw_err *err);
/* Close o->f, flush the file to disk and rename it over the target. On any failure the
 * temporary file is removed and the target is untouched; errors name the target, not the
 * temporary file. */
pw_status pw_outfile_commit(pw_outfile *o, pw_err *err);
/* Close o->f and remove the temporary file: the target is untouched. Safe after a failed open
 * or a commit (it then does nothing). */
void pw_outfile_discard(pw_outfile *o);

/* Replace path with data, whole or not at all. */
pw_status pw_outfile_write(const char *path, const void *data, size_t len, pw_err *err);

#ifdef __cplusplus
}
#endif
#endif
