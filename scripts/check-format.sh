#!/usr/bin/env bash
# Fails when a source file differs from what clang-format (with .clang-format) makes of it.
set -euo pipefail
cd "$(dirname "$0")/.."
find src bench fuzz tests \( -name '*.cc' -o -name '*.h' \) -print0 |
  xargs -0 clang-format --dry-run -Werror
echo "format: ok"
