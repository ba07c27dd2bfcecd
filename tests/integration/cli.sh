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
# piped output carries no ANSI escape sequences
out=$("$PHIWALL" help | cat)
expect_nomatch "$out" $'\033\\[' "no colour when piped"
finish
