#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan+UBSan) and runs each for a bounded time
# (seconds per target, default 60), seeded with the project's own fixtures and fuzz/seeds/.
# Give target names after the seconds to run only those.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_TARGET=${1:-60}
BUILD_DIR=build-fuzz BUILD_TYPE=RelWithDebInfo CC=clang-14 CXX=clang++-14 scripts/build.sh \
  -DSAMIZDAT_FUZZ=ON -DSAMIZDAT_SANITIZE=ON -DSAMIZDAT_BENCH=OFF -DSAMIZDAT_TESTS=OFF
ONLY=("${@:2}")
run() {
  local target=$1; shift
  if [[ ${#ONLY[@]} -gt 0 && ! " ${ONLY[*]} " =~ " $target " ]]; then return 0; fi
  local corpus
  corpus=$(mktemp -d)
  cp --backup=numbered "$@" "$corpus"/ 2>/dev/null || true
  local log="$corpus/log"
  if ! (cd "$corpus" && "$OLDPWD/build-fuzz/$target" -max_total_time="$SECONDS_PER_TARGET" \
        -max_len=65536 -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 . > "$log" 2>&1); then
    tail -60 "$log"
    echo "$target: FAILED (crash input kept in $corpus)"
    exit 1
  fi
  grep -E "stat::number_of_executed_units|stat::peak_rss_mb" "$log" || true
  rm -rf "$corpus"
  echo "$target: no crash in ${SECONDS_PER_TARGET}s"
}
run fuzz_extract tests/fixtures/*.html demo/pages/*.html
run fuzz_feed demo/site/feed.xml demo/site/china.html
run fuzz_markdown tests/fixtures/*.html demo/pages/*.html
run fuzz_selector fuzz/seeds/selector/*
run fuzz_config fuzz/seeds/config/* demo/samizdat.toml tests/fixtures/samizdat.toml
run fuzz_ids fuzz/seeds/ids/*
