#!/usr/bin/env bash
# Build vfio-broker_<version>_<arch>.deb: the compiled code (tsc, no TypeScript
# and no tsx) and the production dependencies only, laid out the Debian way.
#   scripts/build-deb.sh [OUTDIR]    (default: the checkout)
# VFIO_BROKER_DEB_VERSION overrides package.json's version; several versions,
# space-separated, give one .deb each from one build (tests install a "newer" one).
# Prints the path of each .deb built.
# Needs dpkg-deb, gzip and the npm cache (npm ci --omit=dev runs offline-first).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
out=$(mkdir -p "${1:-$repo}" && cd "${1:-$repo}" && pwd)
deb=$repo/deploy/debian
versions=${VFIO_BROKER_DEB_VERSION:-$(node -p 'require("./package.json").version')}
arch=$(dpkg --print-architecture)
# Reproducible: file times and gzip headers from the last commit, not the clock.
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}
log() { echo "build-deb: $*" >&2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/vfio-broker-deb.XXXXXX")
trap 'rm -rf "$work"' EXIT
root=$work/root
lib=$root/usr/lib/vfio-broker
doc=$root/usr/share/doc/vfio-broker
umask 022
mkdir -p "$lib" "$doc/examples" "$root/DEBIAN" "$root/usr/sbin" "$root/usr/bin" "$root/etc/vfio-broker" \
  "$root/usr/lib/systemd/system" "$root/usr/lib/sysusers.d" "$root/usr/lib/tmpfiles.d" \
  "$root/usr/share/man/man1" "$root/usr/share/man/man8" "$root/usr/share/bash-completion/completions" \
  "$root/usr/share/lintian/overrides"

log "bundling src/ into the package: one file per program (fresh, not the checkout's dist/)"
node scripts/bundle.mjs "$lib/dist"

log "production dependencies (npm ci --omit=dev in a scratch directory)"
mkdir "$work/npm"
cp package.json package-lock.json "$work/npm/"
# --ignore-scripts: koffi's native module comes prebuilt in @koromix/koffi-<platform>.
(cd "$work/npm" && npm ci --omit=dev --ignore-scripts --prefer-offline --no-audit --no-fund --loglevel=error >&2)
mv "$work/npm/node_modules" "$lib/node_modules"
# The bundles carry every dependency but koffi, which loads a native module from its
# package; the bundled packages' license texts go to the doc directory first.
for pj in $(find "$lib/node_modules" -name package.json -path '*/node_modules/*' -not -path '*/koffi/*' -not -path '*/@koromix/*' | sort); do
  d=$(dirname "$pj")
  lic=$(find "$d" -maxdepth 1 -type f \( -iname 'license*' -o -iname 'licence*' -o -iname 'copying*' \) | head -1)
  [ -n "$lic" ] || continue
  node -e 'const p = require(process.argv[1]); console.log(`=== ${p.name}@${p.version} (${p.license ?? "see text"}) ===`)' "$pj"
  cat "$lic"; echo
done > "$doc/third-party-licenses"
find "$lib/node_modules" -mindepth 1 -maxdepth 1 ! -name koffi ! -name @koromix ! -name .package-lock.json -exec rm -rf {} +
# What node never loads at run time goes: docs, tests, examples, type
# declarations, source maps, dotfiles, koffi's C++ sources and build scripts
# (its prebuilt module is in @koromix/koffi-<platform>), the musl build, npm's
# .bin links, @types (protobufjs lists @types/node as a dependency). Licenses stay beside their code.
nm=$lib/node_modules
rm -rf "$nm/.bin" "$nm/.package-lock.json" "$nm/@types" "$nm/@koromix"/*/musl_* "$nm/koffi/vendor" "$nm/koffi/lib/native" \
  "$nm/koffi/cnoke.cjs" "$nm/koffi/src/koffi/src/trampolines.cjs"
find "$nm" -depth -type d \( -name test -o -name tests -o -name __tests__ -o -name bench -o -name benchmarks \
  -o -name example -o -name examples -o -name docs -o -name integration -o -name '.*' \) -exec rm -rf {} +
find "$nm" -type f \( -iname '*.md' -o -iname '*.markdown' -o -name '*.html' -o -name '*.d.ts' -o -name '*.d.mts' \
  -o -name '*.d.cts' -o -name '*.map' -o -name '*.ts' -o -name '*.sh' -o -name '.*' -o -name '*.cc' -o -name '*.hh' \
  -o -name '*.S' -o -name '*.asm' -o -name '*.def' -o -name '*.inc' -o -name CMakeLists.txt \) -delete
find "$nm" -depth -type d -empty -delete
# Executable exactly when it is a script (a #! line), as lintian expects.
find "$nm" -type f ! -name '*.node' -exec sh -c 'for f; do [ "$(head -c2 "$f")" = "#!" ] && chmod 0755 "$f" || chmod 0644 "$f"; done' sh {} +
# Depends of the prebuilt native module (libc, libstdc++), as dpkg-shlibdeps sees them.
mkdir -p "$work/shlibs/debian"
printf 'Source: vfio-broker\n\nPackage: vfio-broker\nArchitecture: any\n' > "$work/shlibs/debian/control"
shlibs=$(cd "$work/shlibs" && dpkg-shlibdeps -O $(find "$nm" -name '*.node') 2>/dev/null | sed -n 's/^shlibs:Depends=//p')

cp -r proto "$lib/proto"
mkdir "$lib/bin"
for cmd in vfio-brokerd vfio-brokerctl vfio-broker-exec vfio-broker-device-plugin; do
  # The node that Depends: guarantees, not whichever one PATH finds first.
  sed '1s|^#!.*|#!/usr/bin/node|' "bin/$cmd" > "$lib/bin/$cmd"
  chmod 0755 "$lib/bin/$cmd"
done
ln -s ../lib/vfio-broker/bin/vfio-brokerd "$root/usr/sbin/vfio-brokerd"
ln -s ../lib/vfio-broker/bin/vfio-brokerctl "$root/usr/bin/vfio-brokerctl"
ln -s ../lib/vfio-broker/bin/vfio-broker-exec "$root/usr/bin/vfio-broker-exec"
ln -s ../lib/vfio-broker/bin/vfio-broker-device-plugin "$root/usr/sbin/vfio-broker-device-plugin"

install -m 0644 systemd/vfio-brokerd.service "$root/usr/lib/systemd/system/vfio-brokerd.service"
# Shipped, never enabled by the package: only a Kubernetes node wants it (README "Kubernetes").
install -m 0644 systemd/vfio-broker-device-plugin.service "$root/usr/lib/systemd/system/vfio-broker-device-plugin.service"
install -m 0644 docs/kubernetes-plugin.md "$doc/kubernetes-plugin.md"
install -m 0644 deploy/device-plugin.example.json "$doc/examples/"
install -m 0644 systemd/vfio-broker.sysusers.conf "$root/usr/lib/sysusers.d/vfio-broker.conf"
install -m 0644 systemd/vfio-broker.tmpfiles.conf "$root/usr/lib/tmpfiles.d/vfio-broker.conf"
install -m 0644 deploy/config.example.json "$root/etc/vfio-broker/config.json"
install -m 0644 "$deb/policy.json" "$root/etc/vfio-broker/policy.json"
install -m 0644 deploy/policy.example.json deploy/config.example.json "$doc/examples/"
install -m 0644 "$deb/copyright" "$doc/copyright"
install -m 0644 "$deb/bash-completion" "$root/usr/share/bash-completion/completions/vfio-brokerctl"
ln -s vfio-brokerctl "$root/usr/share/bash-completion/completions/vfio-broker-exec"
ln -s vfio-brokerctl "$root/usr/share/bash-completion/completions/vfio-brokerd"
install -m 0644 "$deb/lintian-overrides" "$root/usr/share/lintian/overrides/vfio-broker"
# Man pages from each command's --help (the one source of truth for options).
day=$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%d)
manpage() { # name section summary
  local name=$1 sec=$2 summary=$3 help
  help=$(node "$lib/bin/$name" --help)
  {
    printf '.TH %s %s %s "vfio-broker %s"\n' "${name^^}" "$sec" "$day" "$version"
    printf '.SH NAME\n%s \\- %s\n.SH SYNOPSIS\n' "$name" "$summary"
    # The usage line, then the rest verbatim (no filling: it is laid out already).
    sed -n '1s/^usage: //p' <<<"$help" | sed 's/\\/\\e/g; s/-/\\-/g'
    printf '.SH DESCRIPTION\n.nf\n'
    sed '1d' <<<"$help" | sed 's/\\/\\e/g; s/-/\\-/g; s/^\([.'"'"']\)/\\\&\1/'
    printf '.fi\n.SH FILES\n.nf\n/etc/vfio\\-broker/config.json\n/etc/vfio\\-broker/policy.json\n/run/vfio\\-broker/api.sock\n.fi\n'
    printf '.SH SEE ALSO\n'
    for o in vfio-brokerd.8 vfio-brokerctl.1 vfio-broker-exec.1 vfio-broker-device-plugin.8; do
      [ "${o%.*}" = "$name" ] || printf '.BR %s (%s),\n' "${o%.*}" "${o##*.}" | sed 's/-/\\-/g'
    done
    printf '.BR systemctl (1)\n'
  } | gzip -9n > "$root/usr/share/man/man$sec/$name.$sec.gz"
}
install -m 0644 "$deb/conffiles" "$root/DEBIAN/conffiles"
for s in postinst prerm postrm; do install -m 0755 "$deb/$s" "$root/DEBIAN/$s"; done
find "$root" -type d -exec chmod 0755 {} +

# What carries the version: package.json (the dist/ files are ES modules; node
# learns that from the nearest package.json), changelog, man pages, control.
emit() {
  local version=$1
  node -e 'const p = require("./package.json"); process.stdout.write(JSON.stringify({ name: p.name, version: process.argv[1], type: p.type, private: true, license: p.license, engines: p.engines }, null, 2) + "\n")' "$version" > "$lib/package.json"
  {
    echo "vfio-broker ($version) unstable; urgency=medium"
    echo
    echo "  * Release $version; see the README for what changed."
    echo
    echo " -- vfio-broker developers <vfio-broker@example.org>  $(date -u -R -d "@$SOURCE_DATE_EPOCH")"
  } | gzip -9n > "$doc/changelog.gz"

  manpage vfio-brokerd 8 'VFIO fd broker daemon'
  manpage vfio-brokerctl 1 'inspect and administer vfio-brokerd'
  manpage vfio-broker-exec 1 'run a command with VFIO fds leased from vfio-brokerd'
  manpage vfio-broker-device-plugin 8 'Kubernetes device plugin that gives pods VFIO devices through vfio-brokerd'

  (cd "$root" && find . -path ./DEBIAN -prune -o -type f -print0 | sort -z | xargs -0 md5sum | sed 's#  \./#  #') > "$root/DEBIAN/md5sums"
  local size file
  size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
  sed -e "s/@VERSION@/$version/" -e "s/@SHLIBS@/${shlibs:+, $shlibs}/" -e "s/@ARCH@/$arch/" -e "s/@SIZE@/$size/" "$deb/control.in" > "$root/DEBIAN/control"

  file=$out/vfio-broker_${version}_${arch}.deb
  dpkg-deb --root-owner-group -Zxz --build "$root" "$file" >/dev/null
  log "$file ($(du -k "$file" | cut -f1) KiB, installed $size KiB)"
  echo "$file"
}
for v in $versions; do emit "$v"; done
