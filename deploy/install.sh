#!/usr/bin/env bash
# Install vfio-broker as a systemd service. Idempotent: run it again to upgrade.
#   sudo deploy/install.sh [--prefix /opt/vfio-broker] [--no-start]
set -euo pipefail
prefix=/opt/vfio-broker
start=1
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) prefix=$2; shift 2 ;;
    --no-start) start=0; shift ;;
    -h|--help) sed -n '2,3p' "$0"; exit 0 ;;
    *) echo "install.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
if [ "$(id -u)" -ne 0 ]; then
  echo "install.sh: must run as root (it installs a system service)" >&2
  exit 1
fi
src=$(cd "$(dirname "$0")/.." && pwd)
command -v node >/dev/null || { echo "install.sh: node (>= 20) is required" >&2; exit 1; }

echo "installing into $prefix"
mkdir -p "$prefix"
# Copy the package (not the checkout's tests, caches or git history).
for p in package.json package-lock.json tsconfig.json proto src bin systemd deploy README.md docs; do
  [ -e "$src/$p" ] && cp -a "$src/$p" "$prefix/"
done
(cd "$prefix" && npm ci --omit=dev --no-audit --no-fund --loglevel=error)

install -D -m 0644 "$src/systemd/vfio-brokerd.service" /etc/systemd/system/vfio-brokerd.service
sed -i "s#/opt/vfio-broker#$prefix#g" /etc/systemd/system/vfio-brokerd.service
install -D -m 0644 "$src/systemd/vfio-broker.sysusers.conf" /etc/sysusers.d/vfio-broker.conf
install -D -m 0644 "$src/systemd/vfio-broker.tmpfiles.conf" /etc/tmpfiles.d/vfio-broker.conf
systemd-sysusers /etc/sysusers.d/vfio-broker.conf
systemd-tmpfiles --create /etc/tmpfiles.d/vfio-broker.conf
mkdir -p /etc/vfio-broker
[ -e /etc/vfio-broker/config.json ] || install -m 0644 "$src/deploy/config.example.json" /etc/vfio-broker/config.json
[ -e /etc/vfio-broker/policy.example.json ] || install -m 0644 "$src/deploy/policy.example.json" /etc/vfio-broker/policy.example.json
for cmd in vfio-brokerd vfio-brokerctl vfio-broker-exec; do ln -sf "$prefix/bin/$cmd" "/usr/local/bin/$cmd"; done

systemctl daemon-reload
if [ "$start" = 1 ]; then
  systemctl enable --now vfio-brokerd.service
  systemctl --no-pager --lines=0 status vfio-brokerd.service || true
fi
echo "vfio-broker installed; policy: /etc/vfio-broker/policy.json (see policy.example.json)"
