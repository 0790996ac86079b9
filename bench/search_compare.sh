#!/usr/bin/env bash
# The search benchmark and the pagefind comparison (bench/SEARCH.md). Writes under $W
# (default /tmp/sbench). Needs build/ (scripts/build.sh) and bench/pagefind/install.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
W=${W:-/tmp/sbench}
PF=bench/pagefind/node_modules/.bin/pagefind
mkdir -p "$W/m10k"
# 1. Store: 100,000 synthetic articles; save cost, the index's share, sizes, latency.
build/search_bench make-store "$W/s100k.db" 0 100000
build/search_bench query "$W/s100k.db"
build/search_bench index "$W/s100k.db" "$W/idx100k"      # static index: time, peak memory
# 2. A 10,000-article html site, indexed by samizdat (build) and by pagefind.
build/search_bench make-store "$W/m10k/store.db" 0 10000
cat > "$W/m10k/samizdat.toml" <<TOML
store = "$W/m10k/store.db"
[site]
title = "Bench mirror"
theme = "html"
output = "$W/m10k/site"
rehost_images = false
[[channels]]
id = "world"
[[channels]]
id = "china"
TOML
build/samizdat build --config "$W/m10k/samizdat.toml"
cp "$W/m10k/store.db" "$W/s10k-base.db"
build/search_bench index "$W/s10k-base.db" "$W/idx10k"
cp -a "$W/m10k/site" "$W/site-pf"
/usr/bin/time -v $PF --site "$W/site-pf" --glob "pages/**/*.html" --force-language zh-cn
du -sb "$W/site-pf/pagefind" "$W/m10k/site/search"
# 3. Incremental: 100 more articles, rebuilt; bytes rewritten in each index.
cp -a "$W/m10k/site" "$W/site-before"
build/search_bench make-store "$W/m10k/store.db" 10000 10100
build/samizdat build --config "$W/m10k/samizdat.toml"
python3 bench/dir_diff.py "$W/site-before/search" "$W/m10k/site/search"
cp -a "$W/m10k/site" "$W/site-pf2"
$PF --site "$W/site-pf2" --glob "pages/**/*.html" --force-language zh-cn
python3 bench/dir_diff.py "$W/site-pf/pagefind" "$W/site-pf2/pagefind"
# 4. Five queries in Chromium on the 10,000-article site: bytes fetched, recall, precision.
QUERIES=(港 经济 人民政府 police health)
python3 - "$W" "${QUERIES[@]}" <<'PY'
import json, subprocess, sys
w, qs = sys.argv[1], sys.argv[2:]
truth = {q: subprocess.run(["build/search_bench", "truth", w + "/s10k-base.db", q],
                           capture_output=True, text=True, check=True).stdout.split() for q in qs}
json.dump(truth, open(w + "/truth.json", "w"), ensure_ascii=False)
PY
(cd bench/pagefind && node queries.mjs /usr/bin/chromium "$W/site-pf" "$W/truth.json" "${QUERIES[@]}")
