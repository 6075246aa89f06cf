/**
 * The package's life in the systemd guest, for systemd.guest.ts: dpkg -i of the
 * .deb built on the host (test/vm/guest.ts puts its path in VFIO_BROKER_DEB),
 * an upgrade to a newer build under a client that keeps using its device, and
 * a purge that must leave nothing behind.
 */
import fs from 'node:fs';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import type { Test } from 'tap';

export const UNIT = 'vfio-brokerd.service';
export const DEB = process.env.VFIO_BROKER_DEB ?? '';
export const DEB_NEWER = process.env.VFIO_BROKER_DEB_NEWER ?? '';

export const show = (prop: string) => execFileSync('systemctl', ['show', '-p', prop, '--value', UNIT], { encoding: 'utf8' }).trim();
export const installedVersion = () => spawnSync('dpkg-query', ['-W', '-f=${Version}', 'vfio-broker'], { encoding: 'utf8' }).stdout;
export const debVersion = (deb: string) => execFileSync('dpkg-deb', ['-f', deb, 'Version'], { encoding: 'utf8' }).trim();

/** dpkg without blocking the event loop (clients' output keeps being read meanwhile). */
export function dpkg(args: string[]): Promise<{ code: number | null; out: string; seconds: number }> {
  const started = Date.now();
  return new Promise((resolve) => {
    const p = spawn('dpkg', args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    let out = '';
    p.stdout.on('data', (d) => { out += d; });
    p.stderr.on('data', (d) => { out += d; });
    p.on('exit', (code) => resolve({ code, out, seconds: (Date.now() - started) / 1000 }));
  });
}

/** The daemon as installed: /usr/sbin's launcher on plain node, no TypeScript loader. */
export function checkInstalled(t: Test) {
  t.equal(installedVersion(), debVersion(DEB), `dpkg lists vfio-broker ${debVersion(DEB)} as installed`);
  // realpath: on a merged-/usr system systemd may name it by /lib.
  t.equal(fs.realpathSync(show('FragmentPath')), '/usr/lib/systemd/system/vfio-brokerd.service', 'the unit comes from the package');
  t.equal(show('UnitFileState'), 'enabled', 'enabled on first install');
  for (const f of ['/etc/vfio-broker/config.json', '/etc/vfio-broker/policy.json']) t.ok(fs.existsSync(f), `conffile ${f}`);
  const pid = show('MainPID');
  const argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  t.same(argv.slice(0, 2), ['/usr/bin/node', '/usr/sbin/vfio-brokerd'], `runs ${argv.join(' ')}`);
  const maps = fs.readFileSync(`/proc/${pid}/maps`, 'utf8');
  t.notMatch(maps, /tsx|esbuild/, 'nothing of tsx or esbuild is mapped');
  // The unit's NODE_OPTIONS sizes the heap (--max-semi-space-size); no loader may come in through it.
  const nodeOptions = fs.readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').find((e) => e.startsWith('NODE_OPTIONS=')) ?? '';
  t.equal(nodeOptions, 'NODE_OPTIONS=--max-semi-space-size=2', 'NODE_OPTIONS as the unit sets it, no loader');
  const rss = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  t.comment(`installed daemon RSS after start: ${(Number(rss) / 1024).toFixed(1)} MiB`);
}

/** After dpkg --purge: no unit, no files, no state, no configuration, no process. */
export function checkPurged(t: Test) {
  t.equal(show('LoadState'), 'not-found', 'the unit is gone');
  t.equal(spawnSync('dpkg-query', ['-W', 'vfio-broker']).status, 1, 'dpkg no longer knows the package');
  for (const p of [
    '/usr/lib/vfio-broker', '/usr/sbin/vfio-brokerd', '/usr/bin/vfio-brokerctl', '/usr/lib/systemd/system/vfio-brokerd.service',
    '/etc/systemd/system/vfio-brokerd.service', '/etc/systemd/system/multi-user.target.wants/vfio-brokerd.service',
    '/usr/lib/sysusers.d/vfio-broker.conf', '/usr/lib/tmpfiles.d/vfio-broker.conf',
    '/etc/vfio-broker', '/var/lib/vfio-broker', '/run/vfio-broker',
  ]) t.notOk(fs.existsSync(p), `no ${p}`);
  const dsh = '/var/lib/systemd/deb-systemd-helper-enabled';
  const left = fs.existsSync(dsh) ? execFileSync('find', [dsh, '-name', 'vfio-brokerd*'], { encoding: 'utf8' }).trim() : '';
  t.equal(left, '', 'no deb-systemd-helper state');
  t.equal(spawnSync('pgrep', ['-f', '/usr/sbin/vfio-brokerd']).status, 1, 'no daemon process');
  t.comment(`kept on purge, as Debian does with system groups: ${execFileSync('getent', ['group', 'vfio-broker'], { encoding: 'utf8' }).trim()}`);
}
