#!/usr/bin/env bash
# doc_commands.sh — every `phiwall …` command shown in README.md, docs/*.md and contrib/ exists
# and parses as written (tests/integration/helpers/doc_commands.py: options against each
# command's --help, values where one is needed, and concrete examples run through phiwall's own
# parser with --help appended). Then the checker itself is shown to fail on a doc that is wrong.
set -u
. "$PW_SRC/tests/integration/lib.bash"
command -v python3 >/dev/null || skip "python3 not installed"
check="$PW_SRC/tests/integration/helpers/doc_commands.py"
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT

cd "$PW_SRC"
out=$(python3 "$check" "$PHIWALL" README.md docs/*.md contrib/phiwall-gateway.service \
    contrib/gateway.example.yaml 2>&1); rc=$?
expect_code 0 $rc "the docs' commands parse"
[ $rc -eq 0 ] || printf '%s\n' "$out" >&2
expect_match "$out" "^[0-9]{3,} commands checked \\([0-9]{2,} parsed by phiwall itself\\), 0 problems" \
    "the docs hold commands to check"

# the checker fails, naming file, line and problem, on what a doc could get wrong
cat >"$T/wrong.md" <<'MD'
Prose naming `phiwall scan --har` alone is fine.
```sh
phiwall scan --har session.har --frobnicate        # no such option
phiwall redact --format yaml < events.jsonl        # a value the command refuses
phiwall trackers --json=yes                        # a switch given a value
phiwall scan https://www.example.org --consent     # a value missing
phiwall scna https://www.example.org               # no such command
phiwall audit check --audit audit.log              # audit takes verify or list
phiwall scan https://www.example.org --jobs many   # a browser scan's value refused
```
MD
out=$(python3 "$check" "$PHIWALL" "$T/wrong.md" 2>&1); rc=$?
expect_code 1 $rc "a wrong doc fails the check"
expect_match "$out" "wrong.md:3: .*'--frobnicate' is not an option of \`phiwall scan --help\`" "unknown option"
expect_match "$out" "wrong.md:4: .*does not parse \\(exit 2\\): .*--format: expected text or json, got 'yaml'" "refused value"
expect_match "$out" "wrong.md:5: .*'--json' takes no value" "switch with a value"
expect_match "$out" "wrong.md:6: .*'--consent' needs a value" "missing value"
expect_match "$out" "wrong.md:7: .*unknown command 'scna'" "unknown command"
expect_match "$out" "wrong.md:8: .*audit takes verify or list, not 'check'" "audit subcommand"
expect_match "$out" "wrong.md:9: .*does not parse \\(exit 2\\): .*--jobs" "browser scan value refused"
expect_nomatch "$out" "wrong.md:1:" "an option named alone in prose is no problem"
expect_match "$out" ", 7 problems$" "exactly the seven problems"

finish
