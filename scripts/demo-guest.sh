#!/bin/sh
# The guided tour, run as root inside the test guest (see scripts/demo.ts).
# Everything here is what an operator and a launcher would type on a real host.
set -e
exec 2>&1
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }
export PATH="$PWD/bin:$PATH"

edu=$(for d in /sys/bus/pci/devices/*; do
  [ "$(cat "$d/vendor"):$(cat "$d/device")" = "0x1234:0x11e8" ] && [ "$(basename "$(dirname "$(readlink -f "$d")")")" = pci0000:00 ] && basename "$d"
done | head -n 1)
group=$(basename "$(readlink "/sys/bus/pci/devices/$edu/iommu_group")")

say "1. Start vfio-brokerd (root), letting uid 65534 lease QEMU's edu test device"
mkdir -p /etc/vfio-broker
cat > /etc/vfio-broker/policy.json <<'JSON'
{ "rules": [ { "name": "demo", "uids": [65534], "devices": { "vendorDevice": ["1234:11e8"] }, "memlock": "64m" } ] }
JSON
run cat /etc/vfio-broker/policy.json
vfio-brokerd --socket-group nogroup --log-level warn > /tmp/brokerd.log 2>&1 &
daemon=$!
i=0; until [ -S /run/vfio-broker/api.sock ] && [ -S /run/vfio-broker/fd.sock ]; do
  i=$((i + 1)); [ $i -lt 600 ] || { echo "vfio-brokerd did not start:"; cat /tmp/brokerd.log; exit 1; }; sleep 0.1
done
echo "vfio-brokerd is up (pid $daemon)"

say "2. The operator binds group $group (edu at $edu) to vfio-pci"
run vfio-brokerctl bind "$group"

say "3. The operator lists the IOMMU groups"
run vfio-brokerctl groups

say "4. A launcher running as uid 65534 leases group $group and runs a program with the fds"
echo "   (uid 65534 cannot open /dev/vfio/$group itself: $(setpriv --reuid 65534 --regid 65534 --clear-groups sh -c "exec 3<>/dev/vfio/$group" 2>&1 | sed 's/.*: //'))"
run setpriv --reuid 65534 --regid 65534 --clear-groups \
  vfio-broker-exec --group "$group" -- node --import tsx scripts/demo-read-edu.ts "$edu"

say "6. The lease ended with the program"
run vfio-brokerctl leases

kill "$daemon"; wait "$daemon" 2>/dev/null || true
say "Done. The daemon's log is in /tmp/brokerd.log (inside the guest)."
