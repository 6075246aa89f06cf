#!/usr/bin/env bash
# Build the test guest's kernel from Debian's linux-source-6.12 and print the path
# of its uncompressed vmlinux (booted directly through the PVH entry point).
# Debian's own kernel images lack IOMMUFD, VFIO_DEVICE_CDEV and VFIO_NOIOMMU.
# The result is cached, keyed by the source package version and the config.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache=${VFIO_BROKER_CACHE:-$HOME/.cache/vfio-broker}
mkdir -p "$cache"
exec 9>"$cache/.kernel.lock"
flock 9

log() { echo "build-kernel: $*" >&2; }

ver=$(apt-cache policy linux-source-6.12 2>/dev/null | awk '/Candidate:/ {print $2}')
if [ -z "$ver" ] || [ "$ver" = "(none)" ]; then
  # Fall back to whatever source package is already in the cache.
  deb=$(ls "$cache"/linux-source-6.12_*.deb 2>/dev/null | tail -n 1 || true)
  [ -n "$deb" ] || { log "linux-source-6.12 is not available from apt (run apt-get update?)"; exit 1; }
  ver=$(basename "$deb" | sed 's/^linux-source-6.12_\(.*\)_all.deb$/\1/')
fi
key=$(printf '%s\n' "$ver" | cat - "$here/kernel.config" "$0" | sha256sum | cut -c1-16)
out="$cache/kernel-$key"
if [ -f "$out/vmlinux" ]; then
  echo "$out/vmlinux"
  exit 0
fi

deb=$(ls "$cache"/linux-source-6.12_"${ver//:/%3a}"_all.deb 2>/dev/null | head -n 1 || true)
if [ -z "$deb" ]; then
  log "downloading linux-source-6.12 $ver"
  (cd "$cache" && apt-get download "linux-source-6.12=$ver" >/dev/null 2>&1) || { log "apt-get download linux-source-6.12=$ver failed"; exit 1; }
  deb=$(ls "$cache"/linux-source-6.12_*"_all.deb" | tail -n 1)
fi
src="$cache/src-$ver"
if [ ! -f "$src/Makefile" ]; then
  log "unpacking $deb"
  rm -rf "$src.tmp" && mkdir -p "$src.tmp"
  dpkg -x "$deb" "$src.tmp/pkg"
  tar -C "$src.tmp" -xf "$src.tmp"/pkg/usr/src/linux-source-6.12.tar.xz
  rm -rf "$src" && mv "$src.tmp/linux-source-6.12" "$src" && rm -rf "$src.tmp"
fi

build="$out.build"
rm -rf "$build" && mkdir -p "$build"
log "configuring (tinyconfig + test/vm/kernel.config)"
make -s -C "$src" O="$build" ARCH=x86_64 tinyconfig >/dev/null
args=()
while IFS='=' read -r sym val; do
  case "$sym" in ''|'#'*) continue ;; esac
  if [ "$val" = y ]; then args+=(-e "$sym"); else args+=(-d "$sym"); fi
done < "$here/kernel.config"
"$src/scripts/config" --file "$build/.config" "${args[@]}"
make -s -C "$src" O="$build" ARCH=x86_64 olddefconfig >/dev/null
missing=()
while IFS='=' read -r sym val; do
  case "$sym" in ''|'#'*) continue ;; esac
  if [ "$val" = y ] && ! grep -q "^CONFIG_$sym=y" "$build/.config"; then missing+=("$sym"); fi
done < "$here/kernel.config"
if [ ${#missing[@]} -gt 0 ]; then
  log "olddefconfig dropped: ${missing[*]} (unmet dependencies)"
  exit 1
fi
log "building vmlinux with $(nproc) jobs (a few minutes, once)"
start=$(date +%s)
if ! make -s -C "$src" O="$build" ARCH=x86_64 -j"$(nproc)" vmlinux >"$build/build.log" 2>&1; then
  tail -n 40 "$build/build.log" >&2
  log "kernel build failed"
  exit 1
fi
log "built in $(( $(date +%s) - start ))s"
mkdir -p "$out"
cp "$build/vmlinux" "$out/vmlinux.tmp" && mv "$out/vmlinux.tmp" "$out/vmlinux"
cp "$build/.config" "$out/config"
ln -sfn "$src" "$cache/linux-source-6.12"
rm -rf "$build"
echo "$out/vmlinux"
