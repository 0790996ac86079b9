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

echo "== samizdat keygen"
# The signing key lives beside the demo output, never inside the published site.
build/samizdat keygen --force -o "$OUT/keys/demo.key" --config "$OUT/samizdat.toml"
printf '\n[sign]\nsecret_key = "%s"\n' "$OUT/keys/demo.key" >> "$OUT/samizdat.toml"

echo "== samizdat build"
# Offline: the demo pages' images live on hosts this demo must not contact.
# Readers' additions: a Traditional Chinese tree (zh-Hant/) and share blocks with QR codes.
sed -i "s#^\[site\]#[site]\noutput = \"$OUT/site\"\nrehost_images = false\nvariants = [\"zh-Hant\"]\npublic_urls = [\"https://demo.example/镜像/\"]#" "$OUT/samizdat.toml"
build/samizdat build --config "$OUT/samizdat.toml"

echo "== samizdat build (html theme: Simplified, Traditional and Taiwan trees, feeds)"
sed -e "s#^output = .*#output = \"$OUT/html-site\"#" \
  -e 's#^theme = .*#theme = "html"#' \
  -e 's#^variants = .*#variants = ["zh-Hant", "zh-TW"]\nbase_url = "https://demo.example/news/"#' \
  "$OUT/samizdat.toml" > "$OUT/samizdat-html.toml"
build/samizdat build --config "$OUT/samizdat-html.toml"
if command -v jing >/dev/null; then
  for feed in "$OUT"/html-site/feed.xml "$OUT"/html-site/zh-Hant/feed.xml; do
    jing -c tests/schemas/atom.rnc "$feed" 2>/dev/null && echo "valid Atom (RFC 4287): $feed"
  done
fi

echo "== samizdat verify (the signed site, then with minisign itself)"
build/samizdat verify "$OUT/site" --pubkey "$OUT/keys/demo.key.pub" --no-state
minisign -Vm "$OUT/site/manifest.json" -p "$OUT/keys/demo.key.pub"

echo "== samizdat bundle"
build/samizdat bundle --epub --config "$OUT/samizdat.toml" -o "$OUT/demo.epub"
build/samizdat bundle --zip --config "$OUT/samizdat.toml" -o "$OUT/site.zip"
rm -rf "$OUT/unzipped" && mkdir -p "$OUT/unzipped" && (cd "$OUT/unzipped" && unzip -q ../site.zip)
build/samizdat verify "$OUT/unzipped" --pubkey "$OUT/keys/demo.key.pub" --no-state
if command -v java >/dev/null && [[ -e /usr/bin/epubcheck ]]; then
  java -jar /usr/bin/epubcheck "$OUT/demo.epub"
fi

echo "== samizdat search"
build/samizdat search 地铁 --config "$OUT/samizdat.toml" --limit 3
build/samizdat search valley --config "$OUT/samizdat.toml" --limit 3
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
echo "sites: $OUT/site (classic, with zh-Hant/), $OUT/html-site (html, with zh-Hant/ and zh-TW/)"
echo "signed site: $OUT/site (key $OUT/keys/demo.key.pub); EPUB: $OUT/demo.epub; ZIP: $OUT/site.zip"
