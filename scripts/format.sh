#!/usr/bin/env bash
# format.sh [--check] — clang-format every C source and header of the project.
set -euo pipefail
cd "$(dirname "$0")/.."
files=$(git ls-files '*.c' '*.h' 2>/dev/null || find . -name '*.[ch]' -not -path './build*')
[ -n "$files" ] || exit 0
if [ "${1:-}" = "--check" ]; then
  # shellcheck disable=SC2086
  clang-format --dry-run --Werror $files
  echo "format: $(echo "$files" | wc -l) files clean"
else
  # shellcheck disable=SC2086
  clang-format -i $files
fi
