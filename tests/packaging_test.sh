#!/usr/bin/env bash
# Packaging checks, run by ctest:
#   packaging_test.sh systemd BINARY SOURCE_DIR BUILD_DIR
#     systemd-analyze verify on the units in packaging/systemd, with ExecStart pointed at the
#     built binary and MANPATH at the generated man pages (Documentation= must resolve).
#   packaging_test.sh deb BINARY SOURCE_DIR BUILD_DIR
#     builds the .deb with CPack, unpacks it with dpkg -x into a temporary root, runs
#     `samizdat --version` from there and checks that every installed part is in it.
set -euo pipefail
mode=$1 binary=$2 src=$3 build=$4
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

need() {
  command -v "$1" >/dev/null || { echo "SKIP: $1 missing (scripts/install-deps.sh installs it)"; exit 77; }
}

case $mode in
systemd)
  need systemd-analyze
  cp "$src"/packaging/systemd/*.service "$src"/packaging/systemd/*.timer "$tmp"/
  sed -i "s#/usr/bin/samizdat#$binary#g" "$tmp"/*.service
  MANPATH="$build/generated/man" SYSTEMD_LOG_LEVEL=notice \
    systemd-analyze verify "$tmp"/*.service "$tmp"/*.timer >"$tmp/verify.log" 2>&1 ||
    { cat "$tmp/verify.log"; exit 1; }
  [[ ! -s "$tmp/verify.log" ]] || { cat "$tmp/verify.log"; echo "systemd-analyze verify warned"; exit 1; }
  for unit in "$src"/packaging/systemd/samizdat-watch.service; do
    for directive in DynamicUser=yes ProtectSystem=strict StateDirectory=samizdat \
        NoNewPrivileges=yes RestrictAddressFamilies=; do
      grep -q "^$directive" "$unit" || { echo "$unit lacks $directive"; exit 1; }
    done
  done
  echo "units verified"
  ;;
deb)
  need cpack
  need dpkg-deb
  (cd "$build" && cpack -G DEB -B "$tmp/out" >"$tmp/cpack.log" 2>&1) || { cat "$tmp/cpack.log"; exit 1; }
  deb=$(ls "$tmp"/out/samizdat_*.deb)
  info=$(dpkg-deb --info "$deb")
  [[ $info == *"Package: samizdat"* ]] || { echo "$info"; exit 1; }
  dpkg -x "$deb" "$tmp/root"
  version=$("$tmp/root/usr/bin/samizdat" --version)
  [[ $version == "samizdat "* ]] || { echo "unexpected version: $version"; exit 1; }
  for f in usr/share/man/man1/samizdat.1 usr/share/man/man1/samizdat-watch.1 \
      usr/share/man/man1/samizdat-sync.1 \
      usr/share/bash-completion/completions/samizdat \
      usr/share/zsh/vendor-completions/_samizdat \
      usr/share/fish/vendor_completions.d/samizdat.fish \
      usr/lib/systemd/system/samizdat-watch.service usr/lib/systemd/system/samizdat-sync.service \
      usr/lib/systemd/system/samizdat-sync.timer; do
    [[ -f "$tmp/root/$f" ]] || { echo "missing from the package: $f"; exit 1; }
  done
  ls "$tmp"/root/usr/share/samizdat/profiles/*.toml >/dev/null
  echo "$version installed from $(basename "$deb")"
  ;;
*)
  echo "usage: $0 systemd|deb BINARY SOURCE_DIR BUILD_DIR" >&2
  exit 2
  ;;
esac
