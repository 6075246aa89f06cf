#!/usr/bin/env bash
# Install (or upgrade) vfio-broker as a systemd service: build the Debian package
# from this checkout (scripts/build-deb.sh) and install it with dpkg. Never copies
# the checkout. An existing /etc/vfio-broker configuration is kept.
#   sudo deploy/install.sh [--deb FILE]   (FILE: install this package instead of building one)
set -euo pipefail
deb=
while [ $# -gt 0 ]; do
  case "$1" in
    --deb) deb=$2; shift 2 ;;
    -h|--help) sed -n '2,5p' "$0"; exit 0 ;;
    *) echo "install.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
if [ "$(id -u)" -ne 0 ]; then
  echo "install.sh: must run as root (it installs a system service)" >&2
  exit 1
fi
src=$(cd "$(dirname "$0")/.." && pwd)
if [ -z "$deb" ]; then
  [ -x "$src/node_modules/.bin/tsc" ] || { echo "install.sh: run npm ci first (the build needs the dev dependencies)" >&2; exit 1; }
  out=$(mktemp -d)
  trap 'rm -rf "$out"' EXIT
  deb=$("$src/scripts/build-deb.sh" "$out")
fi

# The pre-package install (deploy/install.sh before 0.1.0) put a unit in /etc,
# which would shadow the package's: take it out, keeping the configuration.
if [ -d /opt/vfio-broker ] && grep -qs /opt/vfio-broker /etc/systemd/system/vfio-brokerd.service; then
  echo "install.sh: replacing the old /opt/vfio-broker install"
  rm -f /etc/systemd/system/vfio-brokerd.service /etc/sysusers.d/vfio-broker.conf /etc/tmpfiles.d/vfio-broker.conf
  for cmd in vfio-brokerd vfio-brokerctl vfio-broker-exec; do
    case "$(readlink "/usr/local/bin/$cmd" 2>/dev/null)" in /opt/vfio-broker/*) rm -f "/usr/local/bin/$cmd" ;; esac
  done
  rm -rf /opt/vfio-broker
fi
# confdef+confold: keep a configuration the operator wrote, without asking.
dpkg --force-confdef --force-confold -i "$deb"
systemctl --no-pager --lines=0 status vfio-brokerd.service || true
echo "vfio-broker installed ($(dpkg-query -W -f='${Version}' vfio-broker)); policy: /etc/vfio-broker/policy.json (examples in /usr/share/doc/vfio-broker/examples)"
