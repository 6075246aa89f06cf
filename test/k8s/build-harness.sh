#!/bin/bash
# Build the kubelet harness (test/k8s/harness) once and cache it, the way the guest
# kernel is cached: ~/.cache/vfio-broker/kubelet-harness-<hash of go.mod, go.sum and
# the sources>. Prints the binary's path. The first build fetches k8s.io/kubernetes
# and its dependencies from the Go module proxy into the module cache (~/go/pkg/mod)
# and compiles them: several minutes; later builds of a changed harness reuse both.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/harness" && pwd)"
cache="${VFIO_BROKER_CACHE:-$HOME/.cache/vfio-broker}"
hash="$(cd "$here" && cat go.mod go.sum *.go | sha256sum | cut -c1-16)"
bin="$cache/kubelet-harness-$hash"
if [ ! -x "$bin" ]; then
  command -v go >/dev/null || { echo "build-harness: go is not installed" >&2; exit 2; }
  mkdir -p "$cache"
  log="$cache/kubelet-harness-$hash.log"
  start=$(date +%s)
  # -mod=mod: go.sum is committed, but let the go command fill what a newer Go wants.
  if ! (cd "$here" && GOFLAGS="${GOFLAGS:-} -mod=mod" go build -o "$bin.tmp" .) >"$log" 2>&1; then
    tail -n 40 "$log" >&2
    exit 1
  fi
  mv "$bin.tmp" "$bin"
  echo "build-harness: built $bin in $(( $(date +%s) - start ))s (log $log)" >&2
fi
echo "$bin"
