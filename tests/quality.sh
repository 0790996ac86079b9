#!/usr/bin/env bash
# Extraction quality gate: scores `samizdat extract` on a gold dataset with the shared
# scorer and fails below the threshold. Skips (exit 0 with a note) when ../shared is absent,
# except under CI (CI=true), where the datasets are provided and their absence is a failure.
# With MIN_TITLE_EXACT, the share of pages whose title matches the gold title exactly is
# gated too (datasets with gold titles only).
# usage: quality.sh SAMIZDAT_BINARY SHARED_DIR DATASET MIN_SHINGLE_F1 [MIN_TITLE_EXACT]
set -euo pipefail
bin=$1 shared=$2 dataset=$3 min=$4 min_title=${5:-}
if [[ ! -d "$shared/datasets/extraction/$dataset" ]]; then
  if [[ "${CI:-}" == "true" ]]; then
    echo "FAIL: $shared/datasets/extraction/$dataset absent (CI=true requires it)"
    exit 1
  fi
  echo "skipped: $shared/datasets/extraction/$dataset absent"
  exit 0
fi
out=$("$shared/tools/score-extraction" "$shared/datasets/extraction/$dataset" --jobs 2 --worst 0 -- "$bin" extract)
line=$(tail -1 <<<"$out")
echo "$dataset: $line"
f1=$(sed -n 's/^shingle_f1=\([0-9.]*\).*/\1/p' <<<"$line")
python3 -c "import sys; sys.exit(0 if float('$f1') >= float('$min') else 1)" || {
  echo "FAIL: shingle F1 $f1 < $min"; exit 1; }
if [[ -n "$min_title" ]]; then
  title=$(sed -n 's/^title_exact=\([0-9.]*\).*/\1/p' <<<"$out")
  echo "$dataset: title_exact=${title:-none}"
  python3 -c "import sys; sys.exit(0 if '$title' and float('$title') >= float('$min_title') else 1)" || {
    echo "FAIL: title exact ${title:-none} < $min_title"; exit 1; }
fi
