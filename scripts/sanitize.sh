#!/usr/bin/env bash
# Builds with ASan+UBSan into build-asan/ and runs the test suite there.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=build-asan BUILD_TYPE=Debug scripts/build.sh -DSAMIZDAT_SANITIZE=ON -DSAMIZDAT_BENCH=OFF
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
  LSAN_OPTIONS=suppressions="$(pwd)/scripts/lsan.supp" \
  ctest --test-dir build-asan --output-on-failure -j"$(nproc)"
