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

# A small local newsroom whose story is edited after the first sync, and which republishes
# a demo article under its own URL: the second sync stores the edit as a revision (the
# site gets a history page and a changes feed) and the copy as a near-duplicate.
NEWS="$OUT/newsroom"
mkdir -p "$NEWS"
newsroom_story() {  # $1: the number of closed roads
  cat > "$NEWS/storm.html" <<HTML
<!DOCTYPE html><html lang="zh-Hans"><head><meta charset="utf-8"><title>暴雨致多条道路积水</title></head>
<body><article><h1>暴雨致多条道路积水</h1>
<p>本市周二晚间突降暴雨，多条主干道出现积水，部分地铁站临时关闭，晚高峰的交通受到明显影响。</p>
<p>气象部门表示，此次降雨持续时间较长，局部地区雨量超过一百毫米，是今年入夏以来最强的一次降雨过程。</p>
<p>交通部门已调派人员在主要路口疏导车辆，并提醒市民尽量减少外出，注意防范城市内涝和山区的地质灾害。</p>
<p>截至周三凌晨，大部分道路已恢复通行，但仍有$1个路段因积水较深而封闭，抢修人员正在连夜排水。</p>
</article></body></html>
HTML
}
newsroom_feed() {  # $1: the story's title in the feed
  cat > "$NEWS/feed.xml" <<XML
<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>demo newsroom</title><link>https://newsroom.example/</link>
<item><title>$1</title><link>storm.html</link><pubDate>Mon, 21 Sep 2026 09:00:00 +0800</pubDate></item>
<item><title>Rivers Return to the Valley (republished)</title><link>rivers-republished.html</link>
<pubDate>Tue, 22 Sep 2026 09:00:00 +0000</pubDate></item>
</channel></rss>
XML
}
newsroom_story 三
newsroom_feed 暴雨致多条道路积水
cp demo/pages/example-rivers.html "$NEWS/rivers-republished.html"
cat >> "$OUT/samizdat.toml" <<TOML

[[sources]]
id = "demo-newsroom"
kind = "rss"
url = "file://$NEWS/feed.xml"
channels = ["world"]
TOML
# Local files are read only under [fetch] file_root: the repository and the output's
# closest common directory.
ROOT=$(python3 -c 'import os,sys; print(os.path.commonpath(sys.argv[1:]))' "$(pwd)" "$OUT")
sed -i "s#^file_root = .*#file_root = \"$ROOT\"#" "$OUT/samizdat.toml"

echo "== samizdat sync"
build/samizdat sync --config "$OUT/samizdat.toml"

echo "== the newsroom edits its story in place (the title gains 更新); samizdat sync again"
newsroom_story 五
newsroom_feed "暴雨致多条道路积水（更新）"
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
echo "revisions: $OUT/html-site/changes.html, $OUT/html-site/changes.xml"
echo "signed site: $OUT/site (key $OUT/keys/demo.key.pub); EPUB: $OUT/demo.epub; ZIP: $OUT/site.zip"
