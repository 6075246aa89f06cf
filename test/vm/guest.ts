/**
 * Boot the throwaway test guest and run a command in it: the project's minimal
 * kernel (test/vm/build-kernel.sh), an emulated intel-iommu, and the device
 * topology every group case needs. The host's root is shared read-only over 9p,
 * so the guest runs this checkout, the host's node and the host's QEMU.
 *
 *   npx tsx test/vm/guest.ts [--variant iommu|noiommu] [--verbose] [-- CMD ARGS…]
 *
 * Without a command it runs the guest suite (test/guest/main.ts) and prints its
 * TAP on stdout; the kernel console goes to a log file (shown live with
 * --verbose or VFIO_BROKER_VM_VERBOSE=1).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ensureBuilt } from '../fixtures/built.js';

const here = path.dirname(fileURLToPath(import.meta.url));
export const REPO = path.resolve(here, '../..');

/**
 * iommu: intel-iommu, the job runs under a busybox init. noiommu: no IOMMU,
 * vfio's unsafe noiommu mode. systemd: intel-iommu with systemd as PID 1 (the
 * host's own systemd, from the shared root), for the service suite.
 */
export type Variant = 'iommu' | 'noiommu' | 'systemd';

export interface BootOptions {
  variant: Variant;
  /** Shell command line run as root in the guest, in the checkout. */
  command: string;
  env?: Record<string, string>;
  verbose?: boolean;
  timeoutMs?: number;
  onTap?: (chunk: string) => void;
}

export interface BootResult {
  exitCode: number | null;
  tap: string;
  consoleLog: string;
  seconds: number;
}

export class GuestUnavailable extends Error {
  override name = 'GuestUnavailable';
}

/** QEMU ≥ 9 is needed (the iommufd issue's client is the same binary). */
export function qemuVersion(): [number, number] {
  let out: string;
  try {
    out = execFileSync('qemu-system-x86_64', ['--version'], { encoding: 'utf8' });
  } catch {
    throw new GuestUnavailable('qemu-system-x86_64 is not installed (run scripts/setup-dev.sh)');
  }
  const m = /version (\d+)\.(\d+)/.exec(out);
  if (!m) throw new GuestUnavailable(`cannot parse QEMU version from: ${out.split('\n')[0]}`);
  const v: [number, number] = [Number(m[1]), Number(m[2])];
  if (v[0] < 9) throw new GuestUnavailable(`QEMU ${v.join('.')} is too old: need ≥ 9 (bookworm-backports; run scripts/setup-dev.sh)`);
  return v;
}

export function buildKernel(): string {
  try {
    return execFileSync(path.join(here, 'build-kernel.sh'), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim().split('\n').pop()!;
  } catch {
    throw new GuestUnavailable('the guest kernel could not be built (see build-kernel output above)');
  }
}

/** A gzip cpio with busybox, /init and this job: rebuilt per boot (it takes milliseconds). */
function initramfs(job: string, dir: string): string {
  const busybox = ['/bin/busybox', '/usr/bin/busybox'].find((p) => fs.existsSync(p));
  if (!busybox) throw new GuestUnavailable('busybox-static is not installed (run scripts/setup-dev.sh)');
  const root = path.join(dir, 'initramfs');
  for (const d of ['bin', 'proc', 'sys', 'dev', 'tmp']) fs.mkdirSync(path.join(root, d), { recursive: true });
  fs.copyFileSync(busybox, path.join(root, 'bin/busybox'));
  fs.chmodSync(path.join(root, 'bin/busybox'), 0o755);
  for (const app of ['sh', 'mount', 'umount', 'mkdir', 'cp', 'chroot', 'poweroff', 'stty', 'echo', 'sync', 'switch_root', 'grep', 'cat']) fs.symlinkSync('busybox', path.join(root, 'bin', app));
  fs.copyFileSync(path.join(here, 'init.sh'), path.join(root, 'init'));
  fs.chmodSync(path.join(root, 'init'), 0o755);
  fs.writeFileSync(path.join(root, 'job.sh'), job);
  const out = path.join(dir, 'initramfs.cpio.gz');
  execFileSync('sh', ['-c', `cd "${root}" && find . | cpio -o -H newc --quiet | gzip -1 > "${out}"`]);
  return out;
}

/** TCG unless the CPU really offers hardware virtualization (the kvm module here is a software one that guests fail under). */
function accel(): string[] {
  try {
    const cpu = fs.readFileSync('/proc/cpuinfo', 'utf8');
    const mods = fs.readFileSync('/proc/modules', 'utf8');
    if (/\b(vmx|svm)\b/.test(cpu) && fs.existsSync('/dev/kvm') && !/^kvm_pvm\b/m.test(mods)) return ['-accel', 'kvm', '-cpu', 'host'];
  } catch { /* fall through */ }
  return ['-accel', 'tcg', '-cpu', 'max'];
}

export function qemuArgs(variant: Variant, kernel: string, initrd: string, consoleLog: string): string[] {
  const iommu = variant !== 'noiommu';
  const init = variant === 'systemd' ? ' vfio_broker.init=systemd systemd.unit=vfio-broker-guest.target systemd.show_status=0' : '';
  return [
    ...accel(), '-smp', '2', '-m', '2048', '-machine', 'q35', '-nodefaults', '-display', 'none', '-no-reboot', '-monitor', 'none',
    ...(iommu ? ['-device', 'intel-iommu,intremap=on,caching-mode=on'] : []),
    '-kernel', kernel, '-initrd', initrd,
    '-append', `console=ttyS0 panic=-1 ${iommu ? 'intel_iommu=on' : 'vfio.enable_unsafe_noiommu_mode=1'} quiet loglevel=4${init}`,
    '-chardev', `file,id=con,path=${consoleLog}`, '-serial', 'chardev:con',
    '-chardev', 'stdio,id=tap,signal=off', '-serial', 'chardev:tap',
    '-virtfs', 'local,path=/,mount_tag=hostroot,security_model=none,readonly=on,id=hostroot',
    // Standalone edu: alone in its group.
    '-device', 'edu,addr=0x3',
    // Shared group: edu + pci-testdev behind a PCIe-to-PCI bridge.
    '-device', 'pcie-root-port,id=rp1,chassis=1,addr=0x4', '-device', 'pcie-pci-bridge,id=br1,bus=rp1',
    '-device', 'edu,bus=br1,addr=1', '-device', 'pci-testdev,bus=br1,addr=2',
    // Non-viable group: edu + virtio-rng (left on its virtio driver) behind another bridge.
    '-device', 'pcie-root-port,id=rp2,chassis=2,addr=0x5', '-device', 'pcie-pci-bridge,id=br2,bus=rp2',
    '-device', 'edu,bus=br2,addr=1', '-device', 'virtio-rng-pci,bus=br2,addr=2',
    // A second standalone edu, for tests that need two free groups at once.
    '-device', 'edu,addr=0x6',
    // A multifunction slot: two root ports as functions 0 and 1 of slot 7, an edu
    // behind each. The ports have ACS, so the kernel gives each edu its own group;
    // slot isolation (policy slotIsolation) leases them together.
    '-device', 'pcie-root-port,id=rp3,chassis=3,addr=0x7.0,multifunction=on', '-device', 'pcie-root-port,id=rp4,chassis=4,addr=0x7.1',
    '-device', 'edu,bus=rp3', '-device', 'edu,bus=rp4',
  ];
}

/**
 * The systemd suite installs what ships: the .deb, and the same build under a
 * newer version for the upgrade case. Built here on the host (the guest has no
 * network for npm), under the checkout, which the guest sees over 9p.
 */
function buildDebs(): Record<string, string> {
  const dir = path.join(REPO, 'build/deb');
  fs.rmSync(dir, { recursive: true, force: true });
  const version = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')).version;
  const debs = execFileSync('bash', [path.join(REPO, 'scripts/build-deb.sh'), dir], {
    encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, VFIO_BROKER_DEB_VERSION: `${version} ${version}+upgrade1` },
  }).trim().split('\n');
  return { VFIO_BROKER_DEB: debs[0], VFIO_BROKER_DEB_NEWER: debs[1] };
}

export async function boot(o: BootOptions): Promise<BootResult> {
  qemuVersion();
  const kernel = buildKernel();
  ensureBuilt(); // the guest runs bin/* from this checkout, and they run dist/
  const debs = o.variant === 'systemd' ? buildDebs() : {};
  // The clients the suites start by the dozen run bundled: tsx costs each one seconds under TCG.
  const bundles = path.join(REPO, 'build/test-bundles');
  execFileSync(process.execPath, [path.join(REPO, 'scripts/bundle.mjs'), '--tests', bundles], { stdio: 'inherit' });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vfio-broker-vm-'));
  const envLines = Object.entries({ VFIO_BROKER_GUEST_VARIANT: o.variant, HOME: '/root', TAP_TIMEOUT: '1800', VFIO_BROKER_TEST_BUNDLES: bundles, PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin', ...debs, ...o.env })
    .map(([k, v]) => `export ${k}='${String(v).replace(/'/g, `'\\''`)}'`).join('\n');
  const job = `${envLines}\ncd '${REPO}' || exit 97\n${o.command}\n`;
  const initrd = initramfs(job, dir);
  const consoleLog = path.join(dir, 'console.log');
  fs.writeFileSync(consoleLog, '');
  const verbose = o.verbose ?? process.env.VFIO_BROKER_VM_VERBOSE === '1';
  const started = Date.now();
  const q = spawn('qemu-system-x86_64', qemuArgs(o.variant, kernel, initrd, consoleLog), { stdio: ['ignore', 'pipe', 'pipe'] });
  let tap = '';
  let qemuErr = '';
  q.stdout.setEncoding('utf8');
  q.stdout.on('data', (d: string) => {
    const clean = d.replace(/\r/g, '');
    tap += clean;
    o.onTap?.(clean);
  });
  q.stderr.on('data', (d) => { qemuErr += d; });
  let consoleOffset = 0;
  const tail = verbose ? setInterval(() => {
    const buf = fs.readFileSync(consoleLog);
    if (buf.length > consoleOffset) {
      process.stderr.write(buf.subarray(consoleOffset).toString().replace(/^/gm, '[guest] '));
      consoleOffset = buf.length;
    }
  }, 200) : undefined;
  const timeout = setTimeout(() => q.kill('SIGKILL'), o.timeoutMs ?? 20 * 60_000);
  await new Promise((r) => q.on('exit', r));
  clearTimeout(timeout);
  if (tail) clearInterval(tail);
  const log = fs.readFileSync(consoleLog, 'utf8') + (qemuErr ? `\n[qemu stderr]\n${qemuErr}` : '');
  if (verbose && log.length > consoleOffset) process.stderr.write(log.slice(consoleOffset).replace(/^/gm, '[guest] '));
  const m = /# VFIO_BROKER_GUEST_EXIT=(\d+)/.exec(tap);
  fs.rmSync(dir, { recursive: true, force: true });
  return { exitCode: m ? Number(m[1]) : null, tap, consoleLog: log, seconds: (Date.now() - started) / 1000 };
}

// CLI
if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const args = process.argv.slice(2);
  const dd = args.indexOf('--');
  const cmd = dd >= 0 ? args.slice(dd + 1) : [];
  const opts = dd >= 0 ? args.slice(0, dd) : args;
  const variant = (opts.includes('--variant') ? opts[opts.indexOf('--variant') + 1] : 'iommu') as Variant;
  const command = cmd.length ? cmd.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ') : 'exec node --import tsx test/guest/main.ts';
  const part = opts.includes('--part') ? opts[opts.indexOf('--part') + 1] : undefined;
  boot({ variant, command, env: part ? { VFIO_BROKER_GUEST_PART: part } : {}, verbose: opts.includes('--verbose'), onTap: (s) => process.stdout.write(s), timeoutMs: Number(process.env.VFIO_BROKER_VM_TIMEOUT_MS) || undefined })
    .then((r) => {
      process.stderr.write(`guest: ${variant} boot finished in ${r.seconds.toFixed(1)}s, job exit ${r.exitCode ?? 'unknown (no exit line: guest crashed or timed out)'}\n`);
      if (r.exitCode === null) process.stderr.write(r.consoleLog.split('\n').slice(-40).join('\n') + '\n');
      process.exitCode = r.exitCode ?? 1;
    })
    .catch((e) => {
      process.stderr.write(`guest: ${(e as Error).message}\n`);
      process.exitCode = 1;
    });
}
