#!/usr/bin/env bash
# Extraction quality gate: scores `samizdat extract` on a gold dataset with the shared
# scorer and fails below the threshold. Skips (exit 0 with a note) when ../shared is absent,
# except under CI (CI=true), where the datasets are provided and their absence is a failure.
# usage: quality.sh SAMIZDAT_BINARY SHARED_DIR DATASET MIN_SHINGLE_F1
set -euo pipefail
bin=$1 shared=$2 dataset=$3 min=$4
if [[ ! -d "$shared/datasets/extraction/$dataset" ]]; then
  if [[ "${CI:-}" == "true" ]]; then
    echo "FAIL: $shared/datasets/extraction/$dataset absent (CI=true requires it)"
    exit 1
  fi
  echo "skipped: $shared/datasets/extraction/$dataset absent"
  exit 0
fi
line=$("$shared/tools/score-extraction" "$shared/datasets/extraction/$dataset" --jobs 2 --worst 0 -- "$bin" extract | tail -1)
echo "$dataset: $line"
f1=$(sed -n 's/^shingle_f1=\([0-9.]*\).*/\1/p' <<<"$line")
python3 -c "import sys; sys.exit(0 if float('$f1') >= float('$min') else 1)" || {
  echo "FAIL: shingle F1 $f1 < $min"; exit 1; }
