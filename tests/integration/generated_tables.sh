#!/usr/bin/env bash
# generated_tables.sh — committed tables that a script in the repository generates are what the
# script writes today: the referrer-host terms (gateway/gw_policy_host_terms.py, from data/vocab)
# and the country and state codes (gateway/gw_normalize_places.py, from Debian iso-codes). A
# vocabulary edit without re-running the generator fails here, not silently in the gateway.
set -u
. "$PW_SRC/tests/integration/lib.bash"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

check_table() { # generator committed-file
    (cd "$PW_SRC" && python3 "$1") > "$tmp/out.c"; expect_code 0 $? "$1 runs"
    if diff -u "$PW_SRC/$2" "$tmp/out.c" > "$tmp/diff"; then
        pass
    else
        head -20 "$tmp/diff"
        fail "$2 differs from what $1 writes (re-run: python3 $1 > $2)"
    fi
}

check_table gateway/gw_policy_host_terms.py gateway/gw_policy_host_terms.c
[ -r /usr/share/iso-codes/json/iso_3166-1.json ] ||
    fail "Debian iso-codes is missing (scripts/install-deps.sh installs it)"
check_table gateway/gw_normalize_places.py gateway/gw_normalize_places.c
finish
