#!/usr/bin/env bash
# Installs puppeteer-core (drives the system's Chromium; downloads no browser) into
# tests/browser/node_modules for the search page's browser test.
set -euo pipefail
cd "$(dirname "$0")"
# Already installed from this lock file: nothing to fetch (and no network needed).
if [[ node_modules/.package-lock.json -nt package-lock.json ]]; then exit 0; fi
npm install --no-audit --no-fund --ignore-scripts
