#!/usr/bin/env bash
# contrib_systemd.sh — contrib/phiwall-gateway.service as docs/gateway.md installs it: the unit
# passes `systemd-analyze verify` (its phiwall paths pointed at the build), and the policy file,
# installed with the mode docs/gateway.md gives, can be read by the unit's user. The unit runs as
# a DynamicUser (no group of its own, not root): `phiwall gateway --check` in ExecStartPre would
# otherwise fail with "Permission denied" and the service never start.
set -u
. "$PW_SRC/tests/integration/lib.bash"
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
chmod 0755 "$T"
unit="$PW_SRC/contrib/phiwall-gateway.service"

if command -v systemd-analyze >/dev/null; then
    sed "s#/usr/local/bin/phiwall#$PHIWALL#g" "$unit" >"$T/phiwall-gateway.service"
    out=$(systemd-analyze verify "$T/phiwall-gateway.service" 2>&1); rc=$?
    expect_code 0 $rc "systemd-analyze verify"
    [ -z "$out" ] && pass || fail "systemd-analyze verify says: $out"
else
    echo "note: no systemd-analyze, the unit is not verified"
fi
expect_match "$(grep -c '^Exec[A-Za-z]*=/usr/local/bin/phiwall ' "$unit")" '^3$' \
    "the unit runs /usr/local/bin/phiwall three times (as its header and docs/gateway.md say)"
grep -q '^DynamicUser=yes' "$unit" || skip "the unit no longer runs as a DynamicUser"

# docs/gateway.md's install line for the policy, followed literally into $T/etc/phiwall
line=$(grep -E '^install .*contrib/gateway\.example\.yaml /etc/phiwall/gateway\.yaml' \
    "$PW_SRC/docs/gateway.md" | head -1)
mode=$(printf '%s\n' "$line" | sed -n 's/.*-m \([0-7]*\) .*/\1/p')
expect_match "$mode" '^[0-7]{3,4}$' "docs/gateway.md installs the policy with a mode ($line)"
[ "$(id -u)" -eq 0 ] && command -v runuser >/dev/null && id nobody >/dev/null 2>&1 ||
    { finish; exit; }
install -d -m 0755 "$T/etc/phiwall"
install -m "${mode:-0600}" "$PW_SRC/contrib/gateway.example.yaml" "$T/etc/phiwall/gateway.yaml"
# the unit's user is neither root nor in root's group: nobody stands for it
e=$(runuser -u nobody -- env PHIWALL_SITE_KEY=0123456789abcdef0123 PHIWALL_META_TOKEN=t \
    PHIWALL_GA4_SECRET=s "$PHIWALL" gateway --check "$T/etc/phiwall/gateway.yaml" 2>&1 >/dev/null)
expect_code 0 $? "the unit's user can --check the policy installed as docs/gateway.md says"
expect_nomatch "$e" "Permission denied" "no Permission denied for the policy"
finish
