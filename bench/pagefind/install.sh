#!/usr/bin/env bash
# Installs pagefind (its npm package fetches the prebuilt binary for this platform) and
# puppeteer-core (drives the system's Chromium) into bench/pagefind/node_modules.
set -euo pipefail
cd "$(dirname "$0")"
npm install --no-audit --no-fund
