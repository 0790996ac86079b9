#!/usr/bin/env bash
# Lists every function longer than a limit (default 80 lines, counted by clang-tidy's
# readability-function-size over the compile database in build/). Exits 1 if any is found.
set -euo pipefail
cd "$(dirname "$0")/.."
LIMIT=${1:-80}
BUILD_DIR=${BUILD_DIR:-build}
files=$(git ls-files 'src/*.cc' | grep -v '_test\.cc$')
out=$(clang-tidy -p "$BUILD_DIR" --quiet \
  -checks='-*,readability-function-size' \
  -config="{CheckOptions: [{key: readability-function-size.LineThreshold, value: $LIMIT}]}" \
  $files 2>/dev/null |
  awk -v root="$PWD/" '
    /warning: function .* exceeds recommended size/ {
      split($0, parts, ":"); where = parts[1] ":" parts[2]; sub(root, "", where)
      match($0, /function \x27[^\x27]+\x27/); name = substr($0, RSTART + 10, RLENGTH - 11)
    }
    /note: [0-9]+ lines including/ && where != "" {
      match($0, /[0-9]+ lines/); print substr($0, RSTART, RLENGTH - 6) "\t" where "\t" name
      where = ""
    }' | sort -n -r)
if [[ -n "$out" ]]; then
  echo "$out"
  echo "functions over $LIMIT lines: $(echo "$out" | wc -l)"
  exit 1
fi
echo "no function over $LIMIT lines"
