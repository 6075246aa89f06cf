#!/usr/bin/env bash
# Remove the vfio-broker package (dpkg -r): the service stops and goes; the
# configuration in /etc/vfio-broker and the lease journal in /var/lib/vfio-broker
# stay unless --purge is given (dpkg --purge). Idempotent.
#   sudo deploy/uninstall.sh [--purge]
set -euo pipefail
action=--remove
while [ $# -gt 0 ]; do
  case "$1" in
    --purge) action=--purge; shift ;;
    -h|--help) sed -n '2,5p' "$0"; exit 0 ;;
    *) echo "uninstall.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
if [ "$(id -u)" -ne 0 ]; then
  echo "uninstall.sh: must run as root" >&2
  exit 1
fi
dpkg "$action" vfio-broker
echo "vfio-broker ${action#--}d"
