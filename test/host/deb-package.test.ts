/**
 * The Debian package as shipped (scripts/build-deb.sh): what is in it, that no
 * TypeScript loader is, its conffiles and control fields, and lintian, whose
 * every tag must be in deploy/debian/lintian-allowed.txt (with its reason).
 * The systemd guest suite installs, upgrades and purges this same package.
 */
import t from 'tap';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { REPO } from '../fixtures/built.js';

const version = `${JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')).version}+test1`;
const arch = execFileSync('dpkg', ['--print-architecture'], { encoding: 'utf8' }).trim();
const out = fs.mkdtempSync(path.join(os.tmpdir(), 'vfio-broker-deb-test-'));
t.teardown(() => fs.rmSync(out, { recursive: true, force: true }));

let deb = '';
t.before(() => {
  // The version override is what lets the guest suite build a "newer" package.
  deb = execFileSync('bash', [path.join(REPO, 'scripts/build-deb.sh'), out], {
    encoding: 'utf8', env: { ...process.env, VFIO_BROKER_DEB_VERSION: version }, stdio: ['ignore', 'pipe', 'inherit'],
  }).trim().split('\n').pop()!;
});

const dpkgDeb = (...a: string[]) => execFileSync('dpkg-deb', [...a, deb], { encoding: 'utf8' });

t.test('named and versioned from package.json, with the override applied', async (t) => {
  t.equal(path.basename(deb), `vfio-broker_${version}_${arch}.deb`);
  t.equal(dpkgDeb('-f').match(/^Version: (.*)$/m)?.[1], version);
  t.comment(`package size: ${(fs.statSync(deb).size / 1024).toFixed(0)} KiB, Installed-Size: ${dpkgDeb('-f').match(/^Installed-Size: (\d+)/m)?.[1]} KiB`);
});

t.test('control: Depends on node >= 20 and systemd; conffiles listed', async (t) => {
  const info = dpkgDeb('-I');
  t.match(info, /^ Depends: nodejs \(>= 20\), systemd\b/m, 'Depends: nodejs (>= 20), systemd');
  t.match(info, /^ Depends: .*libc6 \(>= /m, 'and what the prebuilt native module links against');
  t.match(info, /^\s+\d+ bytes,\s+\d+ lines\s+conffiles\s*$/m, 'a conffiles member');
  for (const s of ['postinst', 'prerm', 'postrm']) t.match(info, new RegExp(`^\\s+\\d+ bytes,\\s+\\d+ lines\\s+\\*\\s+${s}\\s`, 'm'), `an executable ${s}`);
  const conffiles = execFileSync('sh', ['-c', `dpkg-deb --ctrl-tarfile "$0" | tar -xO ./conffiles`, deb], { encoding: 'utf8' });
  t.same(conffiles.trim().split('\n').sort(), ['/etc/vfio-broker/config.json', '/etc/vfio-broker/policy.json']);
});

t.test('contents: the expected paths, compiled JS only, no tsx anywhere', async (t) => {
  const list = dpkgDeb('-c').split('\n').filter(Boolean).map((l) => l.split(/\s+/).slice(5).join(' ').replace(/^\.\//, '/').replace(/\/$/, ''));
  const names = new Set(list.map((l) => l.replace(/ -> .*/, '')));
  for (const p of [
    '/usr/sbin/vfio-brokerd', '/usr/bin/vfio-brokerctl', '/usr/bin/vfio-broker-exec', '/usr/sbin/vfio-broker-device-plugin',
    '/usr/lib/vfio-broker/dist/bundle/vfio-brokerd.mjs', '/usr/lib/vfio-broker/dist/bundle/binding-child.mjs', '/usr/lib/vfio-broker/proto/vfiobroker/v1/broker.proto',
    '/usr/lib/vfio-broker/package.json', '/usr/lib/vfio-broker/node_modules/koffi/package.json',
    '/usr/lib/systemd/system/vfio-brokerd.service', '/usr/lib/systemd/system/vfio-broker-device-plugin.service', '/usr/lib/sysusers.d/vfio-broker.conf', '/usr/lib/tmpfiles.d/vfio-broker.conf',
    '/usr/share/man/man8/vfio-brokerd.8.gz', '/usr/share/man/man1/vfio-brokerctl.1.gz', '/usr/share/man/man1/vfio-broker-exec.1.gz',
    '/usr/share/man/man8/vfio-broker-device-plugin.8.gz', '/usr/share/bash-completion/completions/vfio-brokerctl', '/usr/share/doc/vfio-broker/copyright',
    '/etc/vfio-broker/config.json', '/etc/vfio-broker/policy.json',
  ]) t.ok(names.has(p), p);
  t.same(list.filter((l) => /tsx/i.test(l)), [], 'no path mentions tsx');
  t.same(list.filter((l) => /\.ts$/.test(l) || l.startsWith('/usr/lib/vfio-broker/src') || l.startsWith('/opt')), [], 'no TypeScript sources, nothing in /opt');
  t.same([...names].filter((n) => /^\/usr\/lib\/vfio-broker\/node_modules\/[^/]+$/.test(n)).sort(), ['/usr/lib/vfio-broker/node_modules/@koromix', '/usr/lib/vfio-broker/node_modules/koffi'],
    'node_modules holds koffi alone (the bundles carry the rest)');
  for (const dev of ['typescript', 'tap', '@types', 'esbuild']) t.notOk(names.has(`/usr/lib/vfio-broker/node_modules/${dev}`), `no dev dependency ${dev}`);
});

t.test('unpacked: nothing refers to tsx, launchers run on plain /usr/bin/node, unit points at /usr/sbin', async (t) => {
  const root = path.join(out, 'root');
  execFileSync('dpkg-deb', ['-x', deb, root]);
  const grep = spawnSync('grep', ['-rlI', 'tsx', path.join(root, 'usr/lib/vfio-broker/dist'), path.join(root, 'usr/lib/vfio-broker/bin')], { encoding: 'utf8' });
  t.equal(grep.stdout, '', 'grep -r tsx finds nothing in dist/ or bin/');
  for (const b of ['vfio-brokerd', 'vfio-brokerctl', 'vfio-broker-exec', 'vfio-broker-device-plugin']) {
    t.equal(fs.readFileSync(path.join(root, 'usr/lib/vfio-broker/bin', b), 'utf8').split('\n')[0], '#!/usr/bin/node', `${b}: the node Depends: names`);
  }
  const help = spawnSync(process.execPath, [path.join(root, 'usr/sbin/vfio-brokerd'), '--help'], { encoding: 'utf8' });
  t.match(help.stdout, /^usage: vfio-brokerd/, 'the daemon loads from the package alone (koffi, grpc, proto files)');
  const pluginHelp = spawnSync(process.execPath, [path.join(root, 'usr/sbin/vfio-broker-device-plugin'), '--help'], { encoding: 'utf8' });
  t.match(pluginHelp.stdout, /^usage: vfio-broker-device-plugin/, 'so does the device plugin');
  const unit = fs.readFileSync(path.join(root, 'usr/lib/systemd/system/vfio-brokerd.service'), 'utf8');
  t.match(unit, /^ExecStart=\/usr\/sbin\/vfio-brokerd /m);
  const man = fs.readFileSync(path.join(root, 'usr/share/man/man8/vfio-brokerd.8.gz'));
  t.equal(man[3] & 0x08, 0, 'man page gzipped without a file name (gzip -n)');
  t.equal(man.readUInt32LE(4), 0, 'and without a time stamp');
});

t.test('lintian: every tag is in deploy/debian/lintian-allowed.txt', async (t) => {
  const allowed = new Map<string, string>();
  for (const line of fs.readFileSync(path.join(REPO, 'deploy/debian/lintian-allowed.txt'), 'utf8').split('\n')) {
    const m = /^([a-z0-9.+-]+)\s+(\S.*)$/.exec(line);
    if (m) allowed.set(m[1], m[2]);
    else if (line.trim() && !line.startsWith('#')) t.fail(`allow-list line without a reason: ${line}`);
  }
  // --show-overrides: overridden tags are listed too (as O:), so the overrides shipped are reviewed here as well.
  const r = spawnSync('lintian', ['--tag-display-limit', '0', '-I', '--show-overrides', deb], { encoding: 'utf8' });
  t.equal(r.error, undefined, 'lintian runs (scripts/setup-dev.sh installs it)');
  const tags = new Set<string>();
  for (const line of r.stdout.split('\n')) {
    const m = /^[EWIPXCO]: vfio-broker(?: \w+)?: ([a-z0-9.+-]+)/.exec(line);
    if (m) tags.add(m[1]);
  }
  t.comment(`lintian tags: ${[...tags].join(', ') || 'none'}`);
  t.same([...tags].filter((tag) => !allowed.has(tag)), [], `no tag outside the allow-list\n${r.stdout.split('\n').filter((l) => /^[EW]:/.test(l)).join('\n')}`);
  t.equal(r.status, 0, `lintian exit status ${r.stderr}`);
});
