#!/usr/bin/env bash
# cli.sh — the program's contract: help, version, exit codes for usage errors.
set -u
. "$PW_SRC/tests/integration/lib.bash"

out=$("$PHIWALL" --version) ; expect_code 0 $? "--version"
expect_match "$out" '^phiwall [0-9]+\.[0-9]+\.[0-9]+$' "--version prints the build version"
out=$("$PHIWALL" help) ; expect_code 0 $? "help"
for c in scan trackers redact gateway audit; do
    expect_match "$out" "  $c " "help lists $c"
    "$PHIWALL" "$c" --help >/dev/null; expect_code 0 $? "$c --help"
done
# every command's help says how to get it and what its exit codes mean
for c in scan trackers redact gateway audit; do
    h=$("$PHIWALL" "$c" --help)
    expect_match "$h" "^  -h, --help +this help" "$c --help lists -h, --help"
    expect_match "$h" "^Exit( codes)?: " "$c --help gives its exit codes"
done
expect_match "$out" "^  130, 143  scan interrupted" "help lists the interrupted scan's exit codes"
"$PHIWALL" 2>/dev/null; expect_code 2 $? "no command is a usage error"
"$PHIWALL" frobnicate 2>/dev/null; expect_code 2 $? "unknown command"
"$PHIWALL" trackers --no-such-option 2>/dev/null; expect_code 2 $? "unknown option"
err=$("$PHIWALL" frobnicate 2>&1 >/dev/null)
expect_match "$err" "unknown command 'frobnicate'" "error names the command"
# option errors: one line naming the option (getopt's own message is off), exit 2
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
cli_err() { # expected-regex what command...
    local want=$1 what=$2; shift 2
    local e; e=$("$PHIWALL" "$@" 2>&1 >/dev/null); local rc=$?
    expect_code 2 $rc "$what: exit code"
    expect_match "$e" "$want" "$what: message"
    expect_nomatch "$e" "unrecognized option|requires an argument" "$what: no second getopt line"
}
for c in scan redact gateway trackers; do
    cli_err "phiwall: $c: unknown option '--bogus'" "$c --bogus" $c --bogus
done
cli_err "audit: unknown option '--bogus'" "audit list --bogus" audit list --bogus
cli_err "option '--format' needs a value" "--format without value" scan https://www.example.org/ --format
cli_err "option '--har' needs a value" "--har without value" scan --har
cli_err "'--static' is an option of the live-site scan" "live option with --har" scan --har x.har --static
cli_err "'file:///etc/passwd' is not an http\\(s\\) URL" "file: URL" scan file:///etc/passwd
cli_err "'www.example.org' is not an http" "URL without scheme" scan www.example.org
cli_err "--decode: 'not a url' is not an http" "trackers --decode not a URL" trackers --decode 'not a url'
# a URL the browser or libcurl cannot load is said before the scan starts, not as a late
# "URL using bad/illegal format" (exit 3)
cli_err "'https://www.example.org:99999/' has a port out of range \\(1 to 65535\\)" "port 99999" \
    scan https://www.example.org:99999/ --static
cli_err "has a port out of range" "port 0" scan https://www.example.org:0/
cli_err "'https://www.example.org:8x/' has a port that is not a number" "port 8x" \
    scan https://www.example.org:8x/ --static
cli_err "'https://exa mple.org/' has a space or control character in its host name" \
    "space in the host" scan 'https://exa mple.org/' --static
printf 'https://www.example.org/\nhttps://www.example.org:70000/\n' >"$T/sites.txt"
e=$("$PHIWALL" scan --sites "$T/sites.txt" --out "$T/never" --static 2>&1); expect_code 3 $? "--sites with a bad port"
expect_match "$e" "sites.txt: line 2: 'https://www.example.org:70000/' has a port out of range" \
    "--sites with a bad port: file, line and reason"
[ ! -e "$T/never" ] && pass || fail "--sites with a bad port created --out"
# an empty value names the option (not "i/o error: : No such file"), and a short option glued to
# '=' is refused: `-o=report.json` wrote a file named "=report.json" and exited 0
H="$PW_SRC/tests/data/har/auth_tracker.har"
cli_err "option '--vocab' has an empty value" "scan --vocab=" scan --har "$H" --vocab=
cli_err "option '--har' has an empty value" "scan --har ''" scan --har ''
cli_err "option '--har-out' has an empty value" "scan URL --har-out=" scan https://www.example.org --har-out=
cli_err "option '--canary' has an empty value" "redact --canary ''" redact --canary ''
cli_err "option '--check' has an empty value" "gateway --check=" gateway --check=
cli_err "option '--audit' has an empty value" "audit verify --audit ''" audit verify --audit ''
cli_err "option '--decode' has an empty value" "trackers --decode ''" trackers --decode ''
(cd "$T" && cli_err "'-o=r.json' would take '=r.json' as its value: write '-o r.json'" \
    "scan -o=r.json" scan --har "$H" -o=r.json)
[ ! -e "$T/=r.json" ] && pass || fail "scan -o=r.json wrote a file named '=r.json'"
cli_err "'-c=advertising' would take '=advertising'" "trackers -c=advertising" trackers -c=advertising
(cd "$T" && "$PHIWALL" scan --har "$H" -or.json >/dev/null); expect_code 0 $? "scan -oFILE (glued) still works"
[ -s "$T/r.json" ] && pass || fail "scan -or.json wrote r.json"

# without --format, -o FILE's extension picks it: `-o report.html` alone wrote terminal text
# into report.html, `-o report.json` a file CI could not parse
for f in r.html r.HTM r.json r.sarif r.sarif.json r.txt; do
    "$PHIWALL" scan --har "$H" -o "$T/$f" 2>/dev/null; expect_code 0 $? "scan -o $f"
done
expect_match "$(head -c 15 "$T/r.html")" "^<!doctype html>" "-o r.html is HTML"
expect_match "$(head -c 15 "$T/r.HTM")" "^<!doctype html>" "-o r.HTM is HTML"
expect_match "$(jq -r .schema_version "$T/r.json" 2>&1)" "^[0-9]+$" "-o r.json is the JSON report"
expect_match "$(jq -r .version "$T/r.sarif" 2>&1)" "^2\.1\.0$" "-o r.sarif is SARIF"
expect_match "$(jq -r .version "$T/r.sarif.json" 2>&1)" "^2\.1\.0$" "-o r.sarif.json is SARIF"
expect_match "$(head -c 13 "$T/r.txt")" "^phiwall scan" "-o r.txt is text"
"$PHIWALL" scan --har "$H" --format text -o "$T/t.html"; expect_code 0 $? "--format text -o t.html"
expect_match "$(head -c 13 "$T/t.html")" "^phiwall scan" "--format wins over the extension"

# a HAR given without --har
cli_err "'$H' is a file, not an http\\(s\\) URL: a HAR file is read with --har $H" "scan FILE.har" scan "$H"

# a file given to redact as an argument: it reads stdin, and the message shows how
cli_err "unexpected argument 'access.log': redact reads stdin and writes stdout \\(phiwall redact < 'access.log' > redacted.txt\\)" \
    "redact FILE" redact access.log

# --help appended to a browser scan's command line answers it (after parsing what comes before),
# rather than calling the line's options foreign to --har, which it does not name
out=$("$PHIWALL" scan https://www.example.org --static --consent reject --help 2>&1)
expect_code 0 $? "scan URL --static --help"
expect_match "$out" "Usage: phiwall scan URL" "scan URL --static --help: the browser scan's usage"
cli_err "--consent" "scan URL --consent bad --help" scan https://www.example.org --consent maybe --help
out=$("$PHIWALL" help --help); expect_code 0 $? "help --help"
expect_match "$out" "Usage: phiwall <command>" "help --help prints the usage"
# a directory or an unreadable path names itself and the reason
e=$("$PHIWALL" gateway --check "$T" 2>&1); expect_code 3 $? "gateway --check DIR"
expect_match "$e" "$T: Is a directory" "gateway --check DIR says it is a directory"
e=$("$PHIWALL" redact --canary "$T" </dev/null 2>&1); rc=$?
[ $rc -ne 0 ] && pass || fail "redact --canary DIR: exit $rc"
expect_match "$e" "$T: Is a directory" "redact --canary DIR says it is a directory"
# what a command printed must have reached stdout: a full disk is exit 3 with a message, not a
# cut export behind exit 0 (audit list, trackers, help printed and forgot)
if [ -w /dev/full ]; then
    printf '{"seq":1,"time":"2026-11-01T10:00:00.000Z","action":"sent","event_id":"e","prev_hash":"%064d"' 0 >"$T/a.body"
    h=$( (printf '%064d' 0; cat "$T/a.body") | sha256sum | cut -d' ' -f1)
    printf '%s,"hash":"%s"}\n' "$(cat "$T/a.body")" "$h" >"$T/audit.log"
    "$PHIWALL" audit list --audit "$T/audit.log" >/dev/null; expect_code 0 $? "audit list of the test log"
    for args in "help" "--version" "trackers --no-easyprivacy --no-easylist" \
        "trackers --json --no-easyprivacy --no-easylist" "audit list --audit $T/audit.log"; do
        e=$("$PHIWALL" $args 2>&1 >/dev/full); expect_code 3 $? "$args > /dev/full"
        expect_match "$e" "phiwall: stdout: write failed" "$args > /dev/full: message"
    done
    e=$("$PHIWALL" scan --har "$PW_SRC/tests/data/har/auth_tracker.har" 2>&1 >/dev/full)
    expect_code 3 $? "scan > /dev/full"
    expect_nomatch "$e" "phiwall: stdout:" "scan > /dev/full: one message, its own"
fi

# a HAR without requests observed nothing: an error, not "No tracker findings" and exit 0
echo '{"log":{"version":"1.2","creator":{"name":"t","version":"1"},"entries":[]}}' >"$T/zero.har"
e=$("$PHIWALL" scan --har "$T/zero.har" --fail-on high 2>&1); expect_code 3 $? "scan of a HAR without requests"
expect_match "$e" "zero.har: the HAR holds no requests \\(log.entries is empty\\)" "empty HAR: message"
e=$("$PHIWALL" scan --har "$PW_SRC/tests/data/har/auth_tracker.har" --har "$T/zero.har" 2>&1)
expect_code 3 $? "an empty HAR among others"

# a log that is not there, by a path nobody typed, says where the path came from
e=$(cd "$T" && env -u PHIWALL_AUDIT "$PHIWALL" audit verify 2>&1); expect_code 3 $? "audit verify, no log"
expect_match "$e" "note: no --audit and no \\\$PHIWALL_AUDIT: the log read is the default, phiwall-audit.log in the current directory" \
    "audit verify, no log: where the path came from"
e=$(cd "$T" && PHIWALL_AUDIT="$T/none.log" "$PHIWALL" audit list 2>&1); expect_code 3 $? "audit list, \$PHIWALL_AUDIT missing"
expect_match "$e" "note: the path is \\\$PHIWALL_AUDIT" "audit list, \$PHIWALL_AUDIT missing: says so"
e=$("$PHIWALL" audit list --audit "$T/none.log" 2>&1); expect_nomatch "$e" "note:" "--audit given: no note"

# trackers --category takes every category the catalog has, and a wrong one lists them
out=$("$PHIWALL" trackers --category embed --no-easyprivacy --no-easylist); expect_code 0 $? "--category embed"
expect_match "$out" "youtube-embed +embed" "--category embed lists the embeds"
cli_err "unknown category 'ads' \\(expected advertising, .*, consent-manager, embed\\)" \
    "--category ads" trackers --category ads
expect_match "$("$PHIWALL" trackers --help)" "consent-manager," "trackers --help names consent-manager"

# scan -o naming one of its inputs is refused before anything is written: the report would
# replace the recording (or the canary file) it was made from
cp "$PW_SRC/tests/data/har/auth_tracker.har" "$T/in.har"
printf 'e\temail\tjane@example.org\n' >"$T/c.tsv"
ln -s in.har "$T/link.har"
cli_err "-o $T/in.har is also an input \\('$T/in.har'\\): the report would overwrite it" \
    "scan -o = --har" scan --har "$T/in.har" -o "$T/in.har"
cli_err "-o $T/link.har is also an input" "scan -o = --har by a link" \
    scan --har "$T/in.har" -o "$T/link.har"
cli_err "-o $T/c.tsv is also an input" "scan -o = --canary" \
    scan --har "$T/in.har" --canary "$T/c.tsv" -o "$T/c.tsv"
cli_err "--har $T/in.har and --har $T/link.har are the same file: its requests would count twice" \
    "the same HAR twice" scan --har "$T/in.har" --har "$T/link.har"
cli_err "--har - and --har - are the same file" "stdin twice" scan --har - --har -
cmp -s "$T/in.har" "$PW_SRC/tests/data/har/auth_tracker.har" && pass || fail "the HAR is intact"
grep -q jane@example.org "$T/c.tsv" && pass || fail "the canary file is intact"
"$PHIWALL" scan --har "$T/in.har" -o "$T/out.txt"; expect_code 0 $? "scan -o another file"
"$PHIWALL" scan --har - -o - <"$T/in.har" >/dev/null; expect_code 0 $? "scan --har - -o -"
# extra arguments to commands that take none are usage errors naming them, not ignored
cli_err "version: unexpected argument 'extra'" "version extra" version extra
cli_err "--version: unexpected argument 'extra'" "--version extra" --version extra
cli_err "help: unexpected argument 'extra'" "help scan extra" help scan extra
cli_err "--help: unexpected argument 'extra'" "--help extra" --help extra
cli_err "help: unknown command 'foo'" "help foo" help foo

# -o appears whole or not at all: a write cut by a full disk or a kill (here the file-size limit:
# SIGXFSZ kills, or with it ignored the write fails with EFBIG) leaves the last report, not a cut
# one, and no temporary file; the message says "i/o error" like every other I/O failure
H="$PW_SRC/tests/data/har/auth_tracker.har"
mkdir "$T/o"
echo "the last report" >"$T/o/keep.html"
chmod 640 "$T/o/keep.html"
e=$( (ulimit -f 1; trap '' XFSZ; "$PHIWALL" scan --har "$H" --format html -o "$T/o/keep.html") 2>&1)
expect_code 3 $? "-o over the file-size limit"
expect_match "$e" "^phiwall: scan: i/o error: $T/o/keep.html: write failed: File too large$" "-o write error: message"
expect_match "$(cat "$T/o/keep.html")" "^the last report$" "-o write error: the last report is intact"
expect_code 1 "$(ls -A "$T/o" | wc -l)" "-o write error: no temporary file left"
# scan ignores SIGXFSZ itself (before, the limit killed it: exit 153, a hidden temporary file
# left beside the report): the same i/o error, the last report intact, nothing left
(ulimit -f 1; "$PHIWALL" scan --har "$H" --format html -o "$T/o/keep.html"; exit $?) 2>/dev/null
expect_code 3 $? "-o over the file-size limit, SIGXFSZ not ignored by the caller"
expect_match "$(cat "$T/o/keep.html")" "^the last report$" "-o over the limit: the last report is intact"
expect_code 1 "$(ls -A "$T/o" | wc -l)" "-o over the limit: no temporary file left"
"$PHIWALL" scan --har "$H" --format html -o "$T/o/keep.html"; expect_code 0 $? "-o replaces the report"
expect_match "$(head -c 200 "$T/o/keep.html")" "<!doctype html>" "-o: the new report"
expect_match "$(stat -c %a "$T/o/keep.html")" "^640$" "-o keeps the file's mode"
ln -s keep.html "$T/o/link.html"
"$PHIWALL" scan --har "$H" --format json -o "$T/o/link.html"; expect_code 0 $? "-o through a link"
[ -L "$T/o/link.html" ] && pass || fail "-o through a link: the link stays a link"
expect_match "$(head -c 1 "$T/o/keep.html")" "^\{$" "-o through a link: its target is the report"
if [ -w /dev/full ]; then
    e=$("$PHIWALL" scan --har "$H" -o /dev/full 2>&1); expect_code 3 $? "scan -o /dev/full"
    expect_match "$e" "^phiwall: scan: i/o error: /dev/full: write failed: No space left on device$" "scan -o /dev/full: message"
fi
"$PHIWALL" scan --har "$H" -o /dev/null; expect_code 0 $? "scan -o /dev/null (a device: written in place)"
[ -c /dev/null ] && pass || fail "/dev/null is still a device"
grep -rn '"io error' "$PW_SRC/cli" "$PW_SRC/src" "$PW_SRC/gateway" >/dev/null && fail "\"io error\" spelled so in the sources" || pass

# --sites with no site is an error naming the file (a run that scanned nothing is no clean run);
# the list is checked before any site is scanned and before DIR is made
printf '# only a comment\n\n   \n' >"$T/comments.txt"
for f in /dev/null "$T/comments.txt"; do
    e=$("$PHIWALL" scan --sites "$f" --out "$T/sites-out" 2>&1); expect_code 3 $? "--sites $f: exit code"
    expect_match "$e" "^phiwall: scan: invalid input: $f: no sites to scan" "--sites $f: message"
done
[ -e "$T/sites-out" ] && fail "--sites without sites made --out DIR" || pass
printf 'https://www.example.org/\nwww.example.org\n' >"$T/bad.txt"
e=$("$PHIWALL" scan --sites "$T/bad.txt" --out "$T/sites-out" 2>&1); expect_code 3 $? "--sites with a bad line"
expect_match "$e" "$T/bad.txt: line 2: 'www.example.org' is not an http\\(s\\) URL" "--sites bad line: named"
printf 'https://www.example.org/a_b\n# x\nhttp://www.example.org/a/b\n' >"$T/same.txt"
e=$("$PHIWALL" scan --sites "$T/same.txt" --out "$T/sites-out" 2>&1); expect_code 3 $? "--sites: two sites, one report name"
expect_match "$e" "line 3: http://www.example.org/a/b has the report name 'www.example.org_a_b' of line 1" "--sites: report name clash named"
[ -e "$T/sites-out" ] && fail "--sites with a bad list made --out DIR" || pass

# a resumed --sites run takes a finished site's .summary line at any length (a 9 KB URL: the
# line is longer than 8 KiB) and skips the site; it is not fetched again (port 9 answers nothing)
long="http://127.0.0.1:9/$(head -c 9000 /dev/zero | tr '\0' a)"
slug="127.0.0.1_9_$(head -c 88 /dev/zero | tr '\0' a)"
mkdir -p "$T/long-out"
: >"$T/long-out/$slug.html"
printf '%s\tstatic\t1\t1\t0\t0\t0\t0\t0\t0\tnone\tok\n' "$long" >"$T/long-out/$slug.summary"
printf '%s\n' "$long" >"$T/long.txt"
e=$(timeout 60 "$PHIWALL" scan --sites "$T/long.txt" --out "$T/long-out" --static 2>&1)
expect_code 0 $? "--sites resume: a .summary line over 8 KiB is a finished site"
expect_match "$e" "report exists, skipped" "--sites resume: long line: skipped"
grep -q "^\"\?$long" "$T/long-out/summary.csv" && pass || fail "--sites: long .summary line in summary.csv"
expect_match "$(tail -1 "$T/long-out/summary.csv")" ',none,ok,-,-,-$' "--sites: a 12-field .summary (before new/gone) reads - - -"
# a status quotes what the site said (a gap's error): in summary.csv it is shown safe, no ESC,
# line separator or bidi override reaches the sheet
mkdir -p "$T/esc-out"
: >"$T/esc-out/127.0.0.1_9_esc.html"
printf 'http://127.0.0.1:9/esc\tstatic\t1\t1\t0\t0\t0\t0\t0\t0\tnone\tincomplete: \033]0;pwned\007 x\342\200\256y\342\200\250z\n' >"$T/esc-out/127.0.0.1_9_esc.summary"
printf 'http://127.0.0.1:9/esc\n' >"$T/esc.txt"
timeout 60 "$PHIWALL" scan --sites "$T/esc.txt" --out "$T/esc-out" --static >/dev/null 2>&1
expect_code 4 $? "--sites resume: an incomplete site stays incomplete"
csv=$(tail -1 "$T/esc-out/summary.csv")
expect_match "$csv" 'incomplete: \\x1b\]0;pwned\\x07 x\\u202ey\\u2028z,' "summary.csv: the status shown safe"
LC_ALL=C grep -q "$(printf '\033')" "$T/esc-out/summary.csv" && fail "summary.csv: raw ESC" || pass
# a URL longer than 64 KiB is no site (its summary line could not be read back)
printf 'http://127.0.0.1:9/%s\n' "$(head -c 70000 /dev/zero | tr '\0' a)" >"$T/huge.txt"
e=$("$PHIWALL" scan --sites "$T/huge.txt" --out "$T/huge-out" 2>&1); expect_code 3 $? "--sites: a URL over 64 KiB"
expect_match "$e" "$T/huge.txt: line 1: a URL of 70019 bytes, more than 65536" "--sites: URL over 64 KiB named"
# a .summary file over the bound is no finished site, and says so
head -c 80000 /dev/zero | tr '\0' b >"$T/long-out/$slug.summary"
e=$(timeout 60 "$PHIWALL" scan --sites "$T/long.txt" --out "$T/long-out" --static 2>&1)
expect_match "$e" "$slug.summary: 80000 bytes, longer than a .summary line can be" "--sites: oversized .summary named"
: >"$T/long-out/$slug.html"
# a .summary line of 16 fields (15 is the most a phiwall writes) is no finished site: scanned again
printf '%s\tstatic\t1\t1\t0\t0\t0\t0\t0\t0\tnone\tok\t0\t0\t0\textra\n' "$long" \
    >"$T/long-out/$slug.summary"
e=$(timeout 60 "$PHIWALL" scan --sites "$T/long.txt" --out "$T/long-out" --static 2>&1)
expect_nomatch "$e" "report exists, skipped" "--sites resume: a 16-field .summary is scanned again"

# --out that is no directory is said before any site is scanned
: >"$T/not-a-dir"
printf 'https://www.example.org/\n' >"$T/one.txt"
e=$("$PHIWALL" scan --sites "$T/one.txt" --out "$T/not-a-dir" --static 2>&1); expect_code 3 $? "--out FILE"
expect_match "$e" "^phiwall: scan: i/o error: $T/not-a-dir: Not a directory$" "--out FILE: message"
expect_code 1 "$(printf '%s\n' "$e" | wc -l)" "--out FILE: one message, before any scan"

# options that would be ignored or outputs that are one file are usage errors
U=https://www.example.org/
cli_err "--har-out does not apply to --static" "--har-out with --static" scan "$U" --static --har-out "$T/s.har"
cli_err "-o $T/r and --har-out $T/r are the same file" "--har-out F -o F" scan "$U" -o "$T/r" --har-out "$T/r"
ln -s r "$T/r-link"
cli_err "-o $T/r-link and --har-out $T/r are the same file" "--har-out F -o link-to-F" scan "$U" -o "$T/r-link" --har-out "$T/r"
cli_err "--har-out $T/c.tsv is also an input \\(--canary $T/c.tsv\\)" "--har-out = --canary" scan "$U" --canary "$T/c.tsv" --har-out "$T/c.tsv"
cli_err "--canary-out $T/c.tsv is also an input" "--canary-out = --canary" scan "$U" --canary "$T/c.tsv" --canary-out "$T/c.tsv"
cli_err "--har-out records one site's session" "--har-out with --sites" scan --sites "$T/same.txt" --out "$T/sites-out" --har-out "$T/s.har"
cli_err "-o does not apply to --sites" "-o with --sites" scan --sites "$T/same.txt" --out "$T/sites-out" -o "$T/r"
cli_err "give either --sites FILE or a URL, not both \\('$U'\\)" "--sites and a URL" scan --sites "$T/same.txt" --out "$T/sites-out" "$U"
cli_err "--out DIR goes with --sites FILE" "--out without --sites" scan "$U" --out "$T/sites-out"
cli_err "--canary-out records one site's typed identity" "--canary-out with --sites" \
    scan --sites "$T/same.txt" --out "$T/sites-out" --canary-out "$T/ids.tsv"
cli_err "--screenshots DIR holds one site's pages" "--screenshots with --sites" \
    scan --sites "$T/same.txt" --out "$T/sites-out" --screenshots "$T/shots"
[ -e "$T/r" ] || [ -e "$T/s.har" ] && fail "a refused command wrote a file" || pass
grep -q jane@example.org "$T/c.tsv" && pass || fail "the canary file is intact"
# a browser that closes its end of the DevTools pipe (it died) is an error the scan names, exit 3,
# not a SIGPIPE that kills phiwall (exit 141, no message). This one answers Browser.getVersion
# after closing the pipe, so the next command is written to a closed pipe every time. It closes
# only once the first command has arrived: closed earlier (a loaded machine starts phiwall's
# first write late), the first write fails and the scan says the browser did not start.
cat >"$T/closing-browser" <<'SH'
#!/bin/sh
dd bs=1 count=1 <&3 >/dev/null 2>&1
exec 3<&-
printf '%s\000' '{"id":1,"result":{"userAgent":"x"}}' >&4
sleep 2
SH
chmod +x "$T/closing-browser"
e=$(timeout 60 "$PHIWALL" scan http://127.0.0.1:1/ --browser "$T/closing-browser" -o /dev/null 2>&1)
expect_code 3 $? "browser pipe closed: exit 3, not SIGPIPE"
expect_match "$e" "^phiwall: scan: i/o error: browser connection: Broken pipe$" "browser pipe closed: message"

# piped output carries no ANSI escape sequences
out=$("$PHIWALL" help | cat)
expect_nomatch "$out" $'\033\\[' "no colour when piped"
finish
