/**
 * vfio-broker-exec: acquire a lease, run a command with the lease's fds
 * inherited at 3, 4, 5, …, and hold the lease exactly as long as the command
 * runs. This is how a VMM is started unprivileged: the launcher talks to the
 * broker, the VMM only sees ordinary inherited fds (and, with --qemu, the
 * matching command-line arguments).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import { BrokerClient, type AcquireOptions, type LeaseHandle } from '../client/broker-client.js';
import { BrokerCallError } from '../client/api-client.js';
import { layout, LayoutError } from '../client/fd-layout.js';
import { SysError } from '../kernel/sys-error.js';
import { isUnlimited, memlockLimit } from '../kernel/rlimit.js';
import { MiB, formatBytes, qemuPinnedBytes } from '../client/qemu-memory.js';
import { BROKER_ENV } from '../protocol/env.js';

/**
 * The launcher's own failures use the codes env(1) and timeout(1) use, so they
 * cannot be mistaken for the child's status, which is passed through unchanged.
 */
export const EXEC_EXIT = { failed: 125, cannotExecute: 126, notFound: 127 } as const;

export const EXEC_HELP = `usage: vfio-broker-exec [OPTIONS] (--group N | --device BDF)... -- COMMAND [ARGS...]
       vfio-broker-exec [OPTIONS] --claim -- COMMAND [ARGS...]

Acquire VFIO fds from vfio-brokerd and run COMMAND with them inherited.
The lease lasts exactly as long as COMMAND runs; its exit status is ours.

options:
  -g, --group N          lease IOMMU group N (repeatable)
  -d, --device BDF       lease the group of device BDF (repeatable)
      --claim            redeem the claim named by $VFIO_BROKER_CLAIM with the token in
                         the file $VFIO_BROKER_CLAIM_TOKEN_FILE (set in a Kubernetes pod
                         by vfio-broker-device-plugin); the claim gives groups and mode
      --only-requested   deliver fds only for the devices named, not every member
  -m, --mode MODE        legacy (container, group and device fds; default) or
                         iommufd (/dev/iommu and vfio cdev fds)
      --qemu             append QEMU's iommufd arguments for every cdev:
                           -object iommufd,id=vfio-broker-iommufd0,fd=N
                           -device vfio-pci,iommufd=vfio-broker-iommufd0,fd=M
                         (implies --mode iommufd)
  -s, --socket PATH      API socket ($VFIO_BROKER_API, /run/vfio-broker/api.sock)
      --fd-socket PATH   fd socket ($VFIO_BROKER_FD, /run/vfio-broker/fd.sock)
  -h, --help             this help

COMMAND sees, at fixed numbers from 3 up:
  VFIO_CONTAINER_FD=3  VFIO_GROUP_FDS=N=fd,...  VFIO_DEVICE_FDS=bdf=fd,...
  VFIO_IOMMUFD_FD=fd   VFIO_CDEV_FDS=bdf=fd,...  VFIO_BROKER_LEASE=id
and its arguments may name them: {container} {iommufd} {group:N} {device:BDF} {cdev:BDF}

Signals (INT, TERM, HUP, QUIT, USR1, USR2) are forwarded to COMMAND.
With VFIO_BROKER_EXEC_TIMING=1 in the environment, one line on stderr says how
long the launch took to reach each step (ms since this process started).

exit status: COMMAND's own; if COMMAND dies of a signal, the same signal.
  125 the broker refused or was unreachable (the reason is printed)
  126 COMMAND could not be executed   127 COMMAND not found
`;

export class ExecUsageError extends Error {
  override name = 'ExecUsageError';
}

export interface ExecArgs {
  acquire: AcquireOptions;
  /** Redeem the claim from the environment instead of acquiring. */
  claim: boolean;
  qemu: boolean;
  apiSocket?: string;
  fdSocket?: string;
  command: string[];
  help: boolean;
}

export function parseExecArgs(argv: string[]): ExecArgs {
  const a: ExecArgs = { acquire: { groups: [], devices: [], mode: 'legacy' }, claim: false, qemu: false, command: [], help: false };
  let modeGiven = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new ExecUsageError(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--': a.command = argv.slice(i + 1); i = argv.length; break;
      case '-h': case '--help': a.help = true; break;
      case '-g': case '--group': {
        const v = value();
        if (!/^(0|[1-9][0-9]{0,9})$/.test(v)) throw new ExecUsageError(`--group needs a group number, not ${JSON.stringify(v)}`);
        a.acquire.groups!.push(Number(v));
        break;
      }
      case '-d': case '--device': a.acquire.devices!.push(value()); break;
      case '--only-requested': a.acquire.onlyRequested = true; break;
      case '-m': case '--mode': {
        const v = value();
        if (v !== 'legacy' && v !== 'iommufd') throw new ExecUsageError(`--mode is legacy or iommufd, not ${JSON.stringify(v)}`);
        a.acquire.mode = v;
        modeGiven = true;
        break;
      }
      case '--qemu': a.qemu = true; break;
      case '--claim': a.claim = true; break;
      case '-s': case '--socket': a.apiSocket = value(); break;
      case '--fd-socket': a.fdSocket = value(); break;
      default:
        // Without "--", the first non-option starts the command (like env(1)).
        if (arg.startsWith('-')) throw new ExecUsageError(`unknown option ${arg}`);
        a.command = argv.slice(i);
        i = argv.length;
    }
  }
  if (a.help) return a;
  if (a.claim) {
    if (modeGiven || a.acquire.groups!.length || a.acquire.devices!.length || a.acquire.onlyRequested) throw new ExecUsageError('--claim takes its groups and mode from the claim: no --group, --device, --mode or --only-requested');
    if (!a.command.length) throw new ExecUsageError('no command given (put it after --)');
    return a;
  }
  if (a.qemu) {
    if (modeGiven && a.acquire.mode !== 'iommufd') throw new ExecUsageError('--qemu needs --mode iommufd: QEMU takes pre-opened VFIO fds only through iommufd');
    a.acquire.mode = 'iommufd';
  }
  if (!a.acquire.groups!.length && !a.acquire.devices!.length) throw new ExecUsageError('name at least one --group or --device');
  if (!a.command.length) throw new ExecUsageError('no command given (put it after --)');
  return a;
}

const FORWARDED: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2'];

interface Out { write(s: string): void }

/** The outcome the process should take: an exit code, or death by the child's signal. */
export type ExecOutcome = { code: number } | { signal: NodeJS.Signals };

export async function runExec(argv: string[], err: Out = process.stderr, out: Out = process.stdout): Promise<ExecOutcome> {
  let args: ExecArgs;
  try {
    args = parseExecArgs(argv);
  } catch (e) {
    if (!(e instanceof ExecUsageError)) throw e;
    err.write(`vfio-broker-exec: ${e.message}\n(see vfio-broker-exec --help)\n`);
    return { code: EXEC_EXIT.failed };
  }
  if (args.help) {
    out.write(EXEC_HELP);
    return { code: 0 };
  }

  // Where a launch's time goes (node's own start included: performance.now()
  // counts from the process's start), for a VMM start that seems slow.
  const marks: string[] = process.env.VFIO_BROKER_EXEC_TIMING === '1' ? [`loaded ${performance.now().toFixed(0)}`] : [];
  const mark = (step: string) => { if (marks.length) marks.push(`${step} ${performance.now().toFixed(0)}`); };

  let client: BrokerClient;
  try {
    client = await BrokerClient.connect({ apiSocket: args.apiSocket, fdSocket: args.fdSocket });
  } catch (e) {
    err.write(`vfio-broker-exec: vfio-brokerd unreachable: ${(e as Error).message}\n`);
    return { code: EXEC_EXIT.failed };
  }
  mark('connected');
  let lease: LeaseHandle;
  try {
    lease = args.claim ? await redeemFromEnv(client) : await client.acquire(args.acquire);
  } catch (e) {
    client.close();
    err.write(`vfio-broker-exec: ${describe(e)}\n`);
    return { code: EXEC_EXIT.failed };
  }

  mark('acquired');
  let plan;
  try {
    plan = layout({
      container: lease.container?.fd, iommufd: lease.iommufd?.fd,
      groups: new Map([...lease.groups].map(([g, f]) => [g, f.fd])),
      devices: new Map([...lease.devices].map(([d, f]) => [d, f.fd])),
      cdevs: new Map([...lease.cdevs].map(([d, f]) => [d, f.fd])),
    }, args.command, { qemu: args.qemu });
  } catch (e) {
    if (!(e instanceof LayoutError)) throw e;
    await client.release(lease).catch(() => undefined);
    client.close();
    err.write(`vfio-broker-exec: ${e.message}\n`);
    return { code: EXEC_EXIT.failed };
  }

  const memlockHint = args.qemu ? qemuMemlockHint(lease, plan.argv) : null;
  if (memlockHint) err.write(`vfio-broker-exec: warning: ${memlockHint}\n`);

  const [file, ...rest] = plan.argv;
  const child = spawn(file, rest, {
    stdio: ['inherit', 'inherit', 'inherit', ...plan.inherit],
    env: { ...process.env, ...plan.env, VFIO_BROKER_LEASE: lease.id },
  });
  const spawned = await new Promise<NodeJS.ErrnoException | null>((resolve) => {
    child.once('spawn', () => resolve(null));
    child.once('error', (e) => resolve(e));
  });
  mark('spawned');
  if (marks.length) err.write(`vfio-broker-exec: timing (ms since start): ${marks.join(', ')}\n`);
  // The child has its own copies now. Dropping ours means that when the child
  // exits nothing holds the devices open, so the release is clean.
  for (const f of lease.all) f.close();
  if (spawned) {
    await client.release(lease).catch(() => undefined);
    client.close();
    err.write(`vfio-broker-exec: ${file}: ${spawned.message}\n`);
    return { code: spawned.code === 'ENOENT' ? EXEC_EXIT.notFound : EXEC_EXIT.cannotExecute };
  }

  const forward = (sig: NodeJS.Signals) => { child.kill(sig); };
  for (const s of FORWARDED) process.on(s, forward);
  // The daemon may end the lease under us (revoke, or it restarts without the
  // lease): say so; the child keeps its fds, as the kernel cannot take them back.
  client.on('revoke', (m) => err.write(`vfio-broker-exec: the broker asks for lease ${lease.id} back (deadline ${m.deadline_ms} ms)\n`));
  const onClosed = () => err.write('vfio-broker-exec: the broker closed our session; the lease is over\n');
  // A daemon restart: the library reconnects and re-attaches by itself; the child never notices.
  client.on('disconnected', () => err.write('vfio-broker-exec: lost vfio-brokerd (restarting?); reconnecting\n'));
  client.on('reconnected', (m) => err.write(`vfio-broker-exec: reconnected; lease ${m.leases.join(', ') || 'lost'}\n`));
  client.on('lease-lost', (m) => err.write(`vfio-broker-exec: lease ${m.lease} could not be re-attached: ${m.reason}\n`));
  client.on('closed', onClosed);

  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.once('exit', (c, s) => resolve([c, s])));
  for (const s of FORWARDED) process.off(s, forward);
  client.off('closed', onClosed);
  try {
    await client.release(lease.id);
  } catch (e) {
    // Already gone (revoked, or the session ended): nothing left to release.
    if (!(e instanceof BrokerCallError)) throw e;
  }
  client.close();
  if (memlockHint && code !== 0) err.write(`vfio-broker-exec: ${file} failed; likely cause: ${memlockHint}\n`);
  return signal ? { signal } : { code: code ?? EXEC_EXIT.failed };
}

/**
 * QEMU pins all guest RAM for DMA, charged to RLIMIT_MEMLOCK, which the broker
 * raised to the lease's allowance. If that cannot cover this command line,
 * say which setting to change before QEMU fails with a bare ENOMEM.
 */
function qemuMemlockHint(lease: LeaseHandle, argv: string[]): string | null {
  const need = qemuPinnedBytes(argv);
  const { soft } = memlockLimit();
  if (isUnlimited(soft) || soft >= need) return null;
  const allowance = lease.memlockBytes > 0 ? `an allowance of ${formatBytes(BigInt(lease.memlockBytes))}` : 'no memlock allowance';
  return `QEMU will pin about ${formatBytes(need)} (guest RAM plus firmware) but RLIMIT_MEMLOCK is ${formatBytes(soft)}: ` +
    `lease ${lease.id} has ${allowance}. Raise "memlock" in the vfio-broker policy rule that grants this device ` +
    `(at least "memlock": "${(need + MiB - 1n) / MiB}m") and reload the daemon`;
}

/** The claim named by the environment the device plugin set, redeemed with the token from its file. */
async function redeemFromEnv(client: BrokerClient): Promise<LeaseHandle> {
  const id = process.env[BROKER_ENV.claim];
  const file = process.env[BROKER_ENV.claimTokenFile];
  if (!id) throw new Error(`--claim: $${BROKER_ENV.claim} is not set (it names the claim to redeem)`);
  if (!file) throw new Error(`--claim: $${BROKER_ENV.claimTokenFile} is not set (it names the file holding the claim's token)`);
  let token: string;
  try {
    token = fs.readFileSync(file, 'utf8').trim();
  } catch (e) {
    throw new Error(`--claim: cannot read the token file ${file}: ${(e as Error).message}`);
  }
  return client.redeemClaim(id, token);
}

function describe(e: unknown): string {
  if (e instanceof BrokerCallError) {
    const extra = Object.entries(e.details).filter(([k]) => k !== 'error').map(([k, v]) => `${k}=${v}`).join(' ');
    return `${e.unreachable ? 'vfio-brokerd unreachable' : `refused (${e.codeName})`}: ${e.message}${extra ? ` [${extra}]` : ''}`;
  }
  if (e instanceof SysError) return `${e.message}`;
  return (e as Error).message ?? String(e);
}

/** Exit the way the child did: same code, or the same signal (default action restored). */
export function finish(o: ExecOutcome): void {
  if ('code' in o) {
    process.exitCode = o.code;
    return;
  }
  for (const s of FORWARDED) process.removeAllListeners(s);
  process.kill(process.pid, o.signal);
  // Signals whose default action is not to terminate (or that Node owns): the shell convention.
  setTimeout(() => process.exit(128 + (os.constants.signals[o.signal] ?? 0)), 100).unref();
}
