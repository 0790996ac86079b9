#!/usr/bin/env bash
# Installs the Debian 12 packages samizdat builds and tests with. Idempotent.
set -euo pipefail
PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config git python3 clang-format clang-tidy
  libgumbo-dev libuchardet-dev libicu-dev libtomlplusplus-dev libcli11-dev
  libfmt-dev nlohmann-json3-dev libpugixml-dev libcmark-gfm-dev
  libcmark-gfm-extensions-dev zlib1g-dev libgtest-dev libbenchmark-dev
  libcurl4-openssl-dev libsqlite3-dev libsodium-dev libgit2-dev chromium fonts-wqy-zenhei clang-14 libclang-rt-14-dev
  microsocks libopencc-dev opencc libqrencode-dev libcpp-httplib-dev libpq-dev postgresql-15
  jing libxml2-utils minisign epubcheck unzip zbar-tools qrencode prometheus systemd
)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  SUDO=""
  [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  echo "installing: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"
fi
# The accessibility check's npm packages (axe-core, puppeteer-core), beside it in tests/a11y/.
"$(dirname "$0")/../tests/a11y/install.sh" ||
  echo "tests/a11y/install.sh failed: the accessibility test will skip" >&2
# The search page's browser test drives Chromium with puppeteer-core, in tests/browser/.
"$(dirname "$0")/../tests/browser/install.sh" ||
  echo "tests/browser/install.sh failed: the search page's browser test will skip" >&2
