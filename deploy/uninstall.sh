#!/usr/bin/env bash
# Remove the vfio-broker service. Idempotent. Leaves /etc/vfio-broker and the
# lease journal in /var/lib/vfio-broker unless --purge is given.
#   sudo deploy/uninstall.sh [--prefix /opt/vfio-broker] [--purge]
set -euo pipefail
prefix=/opt/vfio-broker
purge=0
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) prefix=$2; shift 2 ;;
    --purge) purge=1; shift ;;
    -h|--help) sed -n '2,4p' "$0"; exit 0 ;;
    *) echo "uninstall.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
if [ "$(id -u)" -ne 0 ]; then
  echo "uninstall.sh: must run as root" >&2
  exit 1
fi
if systemctl list-unit-files vfio-brokerd.service >/dev/null 2>&1; then
  systemctl disable --now vfio-brokerd.service 2>/dev/null || true
fi
rm -f /etc/systemd/system/vfio-brokerd.service /etc/sysusers.d/vfio-broker.conf /etc/tmpfiles.d/vfio-broker.conf
for cmd in vfio-brokerd vfio-brokerctl vfio-broker-exec; do
  [ "$(readlink -f "/usr/local/bin/$cmd" 2>/dev/null)" = "$(readlink -f "$prefix/bin/$cmd" 2>/dev/null)" ] && rm -f "/usr/local/bin/$cmd"
done
rm -rf "$prefix"
systemctl daemon-reload 2>/dev/null || true
if [ "$purge" = 1 ]; then rm -rf /etc/vfio-broker /var/lib/vfio-broker; fi
echo "vfio-broker removed${purge:+}"
