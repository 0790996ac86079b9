#!/usr/bin/env bash
# Builds the libFuzzer targets with clang and runs each for a bounded time (seconds, default 60).
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_TARGET=${1:-60}
BUILD_DIR=build-fuzz BUILD_TYPE=RelWithDebInfo CC=clang-14 CXX=clang++-14 scripts/build.sh \
  -DSAMIZDAT_FUZZ=ON -DSAMIZDAT_SANITIZE=ON -DSAMIZDAT_BENCH=OFF -DSAMIZDAT_TESTS=OFF
corpus=$(mktemp -d)
cp tests/fixtures/*.html demo/pages/*.html "$corpus"/ 2>/dev/null || true
build-fuzz/fuzz_extract -max_total_time="$SECONDS_PER_TARGET" -max_len=65536 -rss_limit_mb=2048 \
  -timeout=10 "$corpus"
echo "fuzz_extract: no crash in ${SECONDS_PER_TARGET}s"
