#!/usr/bin/env bash
# Installs puppeteer-core (drives the system's Chromium; downloads no browser) into
# tests/browser/node_modules for the search page's browser test.
set -euo pipefail
cd "$(dirname "$0")"
npm install --no-audit --no-fund --ignore-scripts
