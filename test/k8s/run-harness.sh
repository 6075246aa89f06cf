#!/bin/bash
# Run the kubelet harness in a private mount namespace whose /var/lib is a fresh
# tmpfs, so the real device manager gets its own /var/lib/kubelet and the host's is
# never touched:  run-harness.sh HARNESS [FLAGS] -- PLUGIN-COMMAND [ARGS...]
set -euo pipefail
exec unshare --mount --propagation private -- /bin/sh -c '
  mount -t tmpfs -o mode=0755 vfio-broker-harness /var/lib &&
  mkdir -p /var/lib/kubelet/device-plugins /var/lib/kubelet/pod-resources &&
  exec "$@"' run-harness "$@"
