#!/usr/bin/env bash
# One command: install dependencies, build, and run samizdat on the bundled offline demo:
# `samizdat sync` reads a demo feed and a demo listing page through file:// URLs into a
# store, and `samizdat convert` writes the demo articles as mirror pages in each theme.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
OUT=${1:-demo-out}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
DEMO=$(pwd)/demo

# The demo's configuration: the seed's page format plus two offline sources.
{
  cat demo/samizdat.toml
  cat <<TOML

store = "$OUT/samizdat.db"

# The demo's file:// sources live in demo/ (whose pages link to tests/fixtures), not
# beside this configuration: allow local files under the repository.
[fetch]
file_root = "$(pwd)"

[[channels]]
id = "world"
name = "国际新闻"
group = "新闻"

[[channels]]
id = "china"
name = "中国新闻"
group = "新闻"

[[sources]]
id = "demo-feed"
kind = "rss"
url = "file://$DEMO/site/feed.xml"
channels = ["world"]

[[sources]]
id = "demo-listing"
kind = "listing"
url = "file://$DEMO/site/china.html"
selector = "div.post_list div.title a"
channels = ["china"]
TOML
} > "$OUT/samizdat.toml"
# TOML wants top-level keys before tables: move the store line up.
sed -i '/^store = /d' "$OUT/samizdat.toml"
sed -i "1i store = \"$OUT/samizdat.db\"" "$OUT/samizdat.toml"

echo "== samizdat sync"
build/samizdat sync --config "$OUT/samizdat.toml"

echo "== samizdat build"
# Offline: the demo pages' images live on hosts this demo must not contact.
sed -i "s#^\[site\]#[site]\noutput = \"$OUT/site\"\nrehost_images = false#" "$OUT/samizdat.toml"
build/samizdat build --config "$OUT/samizdat.toml"

echo "== samizdat search"
build/samizdat search 地铁 --config "$OUT/samizdat.toml" --limit 3
build/samizdat search valley --config "$OUT/samizdat.toml" --limit 3

echo "== samizdat build (html theme, with the static search page)"
sed -e '/^theme = /d' -e "s#^output = .*#output = \"$OUT/site-html\"\ntheme = \"html\"#" \
  "$OUT/samizdat.toml" > "$OUT/samizdat-html.toml"
build/samizdat build --config "$OUT/samizdat-html.toml"
echo "static search: samizdat serve --config $OUT/samizdat-html.toml, then /search.html?q=地铁"

echo "== samizdat convert"
for page in demo/pages/*.html; do
  url=$(head -c 4096 "$page" | grep -ao '<link rel="canonical" href="[^"]*"' | sed 's/.*href="//;s/"$//')
  stem=$(basename "$page" .html)
  for theme in classic markdown html; do
    ext=md; [[ $theme == html ]] && ext=html
    build/samizdat convert "$page" --url "$url" --config demo/samizdat.toml \
      --theme "$theme" -o "$OUT/$theme/$stem.$ext"
  done
done
echo "store: $OUT/samizdat.db; mirror pages: $OUT/classic, $OUT/markdown, $OUT/html"
