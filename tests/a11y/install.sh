#!/usr/bin/env bash
# Installs what the accessibility check needs beside this script: axe-core (the rules) and
# puppeteer-core (drives the system's Chromium, /usr/bin/chromium; no browser download).
set -euo pipefail
cd "$(dirname "$0")"
if [[ -f node_modules/axe-core/axe.min.js && -d node_modules/puppeteer-core ]]; then exit 0; fi
command -v npm >/dev/null || { echo "npm is missing (Debian: apt-get install npm)" >&2; exit 1; }
npm install --no-audit --no-fund --silent
