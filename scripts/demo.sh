#!/usr/bin/env bash
# One command: install dependencies, build, and run samizdat on the bundled offline demo.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
OUT=${1:-demo-out}
mkdir -p "$OUT"
for page in demo/pages/*.html; do
  url=$(head -c 4096 "$page" | grep -ao '<link rel="canonical" href="[^"]*"' | sed 's/.*href="//;s/"$//')
  for theme in classic markdown html; do
    ext=md; [[ $theme == html ]] && ext=html
    stem=$(basename "$page" .html)
    build/samizdat convert "$page" --url "$url" --config demo/samizdat.toml \
      --theme "$theme" -o "$OUT/$theme/$stem.$ext"
  done
done
echo "demo pages written to $OUT/ (classic/, markdown/, html/)"
