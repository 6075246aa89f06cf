#!/usr/bin/env bash
# Prepare a fresh Debian 12 machine to run vfio-broker's whole test suite:
# QEMU >= 9 from bookworm-backports, busybox-static and the kernel build tools
# for the test guest, lintian for the package, then the npm dependencies. Idempotent; needs root for apt.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive
log() { echo "setup-dev: $*" >&2; }

if [ "$(id -u)" -ne 0 ]; then
  log "must run as root (it installs Debian packages); try: sudo $0"
  exit 1
fi

src=/etc/apt/sources.list.d/bookworm-backports.sources
if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
  log "adding the bookworm-backports suite ($src)"
  cat > "$src" <<'SRC'
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
fi

need=()
qemu_ok() { command -v qemu-system-x86_64 >/dev/null && qemu-system-x86_64 --version | grep -Eq 'version (9|[1-9][0-9])\.'; }
qemu_ok || need+=(qemu)
# The ABI test compiles against the installed linux/vfio.h and linux/iommufd.h;
# bookworm's 6.1 headers predate the vfio cdev ioctls, so take 6.12's.
uapi_ok() { grep -qs VFIO_DEVICE_BIND_IOMMUFD /usr/include/linux/vfio.h; }
uapi_ok || need+=(uapi)
# prometheus: its promtool checks /metrics in the systemd guest suite.
# lintian and dpkg-dev (dpkg-shlibdeps): the .deb's build and its host test.
for p in busybox-static cpio bc flex bison libelf-dev libssl-dev xz-utils gcc libc6-dev make python3 curl prometheus lintian dpkg-dev; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || need+=("$p")
done
if [ ${#need[@]} -gt 0 ] || ! apt-cache policy linux-source-6.12 2>/dev/null | grep -q 'Candidate: [0-9]'; then
  log "apt-get update"
  apt-get update -qq
fi
if [[ " ${need[*]} " == *" qemu "* ]]; then
  log "installing QEMU from bookworm-backports"
  apt-get install -y -qq -t bookworm-backports qemu-system-x86 >/dev/null
fi
if [[ " ${need[*]} " == *" uapi "* ]]; then
  log "installing linux-libc-dev (6.12 uapi headers) from bookworm-backports"
  apt-get install -y -qq -t bookworm-backports linux-libc-dev >/dev/null
fi
rest=()
for p in "${need[@]}"; do [ "$p" = qemu ] || [ "$p" = uapi ] || rest+=("$p"); done
if [ ${#rest[@]} -gt 0 ]; then
  log "installing ${rest[*]}"
  apt-get install -y -qq --no-install-recommends "${rest[@]}" >/dev/null
fi
qemu_ok || { log "QEMU >= 9 is still missing after install"; exit 1; }
uapi_ok || { log "linux/vfio.h still lacks the vfio cdev ioctls after install"; exit 1; }

log "npm ci"
npm ci --no-audit --no-fund --loglevel=error

log "building the test guest kernel (cached after the first time)"
test/vm/build-kernel.sh >/dev/null
if command -v go >/dev/null; then
  log "building the kubelet harness on the kubelet's own device manager (cached after the first time)"
  bash test/k8s/build-harness.sh >/dev/null
fi
log "ready: npm test"
