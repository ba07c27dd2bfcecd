#!/usr/bin/env bash
# install-deps.sh — install every Debian package phiwall needs to build, test, benchmark and run.
# Idempotent: packages already present are not touched; `apt-get update` runs once, only when
# something is missing. Prints what it does. Run as root (or with sudo available).
set -euo pipefail

PACKAGES=(
  # build
  build-essential cmake pkg-config clang libclang-rt-14-dev clang-format git
  # libphiwall and the programs
  libyajl-dev libpsl-dev publicsuffix libssl-dev libcurl4-openssl-dev libgumbo-dev
  libhyperscan-dev libmicrohttpd-dev libh2o-evloop-dev libsqlite3-dev sqlite3 libyaml-dev
  zlib1g-dev
  # field data used at run time (DESIGN §6)
  webext-ublock-origin-chromium hunspell-en-med
  # country names for the gateway's generated table (gateway/gw_normalize_places.py; its test)
  iso-codes
  # browser scan, tests and the demo
  chromium fonts-dejavu-core
  # demo recorder and tests (Node without npm packages), JSON checks, evaluation scripts
  nodejs jq python3
  # benchmarks (peers measured side by side)
  wrk nginx-light ripgrep time npm
)

# libhyperscan needs x86_64 with SSSE3; elsewhere the portable Aho-Corasick back end is used.
if [ "$(uname -m)" != "x86_64" ]; then
  PACKAGES=("${PACKAGES[@]/libhyperscan-dev/}")
fi

# A package whose program is already on PATH from another source (e.g. a vendor's Node.js build
# that bundles npm and conflicts with Debian's npm package) counts as present.
provided_by_path() {
  case "$1" in
    nodejs) command -v node >/dev/null 2>&1 ;;
    npm) command -v npm >/dev/null 2>&1 ;;
    *) return 1 ;;
  esac
}

missing=()
for p in "${PACKAGES[@]}"; do
  [ -n "$p" ] || continue
  provided_by_path "$p" && continue
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages already installed"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "install-deps: missing: ${missing[*]}"
echo "install-deps: apt-get update"
$SUDO apt-get update -q
echo "install-deps: apt-get install ${#missing[@]} packages"
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
echo "install-deps: done"
