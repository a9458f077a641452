#!/usr/bin/env bash
# Installs promtool (Prometheus's rule and config checker) from Debian's `prometheus` package into the download
# cache, $QUANT_CACHE_DIR/promtool/<version>/promtool, and prints its path. The package is fetched with
# `apt-get download` and unpacked with dpkg-deb, not installed: nothing lands in /usr and no Prometheus service is
# set up. Idempotent (a finished install is reused), safe to run concurrently (flock). Progress on stderr.
set -euo pipefail

cache="${QUANT_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/quant-pipeline}/promtool"
current="$cache/current"
if [ -x "$current/promtool" ]; then
  echo "$current/promtool"
  exit 0
fi

mkdir -p "$cache"
exec 9>"$cache.lock"
flock 9
if [ -x "$current/promtool" ]; then # another process finished it while we waited
  echo "$current/promtool"
  exit 0
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
echo "promtool: fetching Debian's prometheus package (first use)" >&2
# A fresh machine has no package lists yet: update once, then try again.
if ! apt-get download prometheus >/dev/null 2>"$work/apt.log"; then
  apt-get update -qq >&2
  apt-get download prometheus >/dev/null
fi
deb="$(ls prometheus_*.deb)"
version="$(dpkg-deb -f "$deb" Version)"
dpkg-deb -x "$deb" extract
target="$cache/$version"
rm -rf "$target"
mkdir -p "$target"
cp extract/usr/bin/promtool "$target/promtool"
"$target/promtool" --version >&2
ln -sfn "$version" "$current"
echo "promtool: $version installed in $target" >&2
echo "$current/promtool"
