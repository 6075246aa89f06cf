/**
 * Inside the test guest: start one QEMU (directly, or through a launcher such
 * as vfio-broker-exec) with QMP on its stdio, and time it from spawn until a
 * `query-pci` answer lists every expected device. QMP on stdio rather than a
 * socket: nothing to poll for (a socket appearing on disk would cost a polling
 * interval of resolution), and vfio-broker-exec hands its stdio to QEMU as is.
 */
import fs from 'node:fs';
import { spawn, type SpawnOptions } from 'node:child_process';

/** -S: the nested guest never runs, so TCG speed does not matter; QEMU is only built and realized. */
export const QEMU_BASE = ['-accel', 'tcg', '-machine', 'q35', '-m', '64', '-nodefaults', '-display', 'none', '-S', '-qmp', 'stdio'];

export interface Launch {
  /** Spawn to the query-pci answer naming every device (ms). */
  readyMs: number;
  /** Spawn to QMP's greeting (ms): QEMU has built the machine and started its monitor. */
  greetingMs: number;
  /**
   * When the launcher is not QEMU itself: QEMU's own start (its exec) relative
   * to the launcher's, from /proc starttime (10 ms ticks), in ms.
   */
  qemuStartMs?: number;
  /** quit sent to the launcher's exit (ms): QEMU's teardown plus, for the broker, the release. */
  exitMs: number;
  /** The launcher's timing line (VFIO_BROKER_EXEC_TIMING), when it printed one. */
  timing?: Record<string, number>;
}

const TICK_MS = 1000 / 100; // USER_HZ: /proc/<pid>/stat counts start times in 1/100 s
const startTicks = (pid: number) => Number(fs.readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ')[19]);
/** The child of `pid`, by a walk of /proc (the test kernel has no /proc/<pid>/task/<tid>/children). */
function childOf(pid: number): number {
  for (const e of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      if (Number(fs.readFileSync(`/proc/${e}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ')[1]) === pid) return Number(e);
    } catch { /* gone meanwhile */ }
  }
  throw new Error(`no child of ${pid}`);
}

/** The vendor:device ids query-pci reports, walking bridges. */
function pciIds(buses: any[]): string[] {
  const hex = (n: number) => n.toString(16).padStart(4, '0');
  const walk = (devs: any[]): string[] => devs.flatMap((d) => [`${hex(d.id.vendor)}:${hex(d.id.device)}`, ...walk(d.pci_bridge?.devices ?? [])]);
  return buses.flatMap((b) => walk(b.devices));
}

/**
 * Run `cmd args` (which ends up exec'ing QEMU with QEMU_BASE), wait until
 * query-pci lists `want` (e.g. 1234:11e8) `count` times, then quit it and wait
 * for the launcher to exit. `launcher`: QEMU is a child of the spawned process.
 */
export async function launchOnce(cmd: string, args: string[], opts: SpawnOptions, want: string, count: number, launcher: boolean): Promise<Launch> {
  const t0 = process.hrtime.bigint();
  const ms = () => Number(process.hrtime.bigint() - t0) / 1e6;
  const child = spawn(cmd, args, { ...opts, stdio: ['pipe', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d) => { err += d; });
  const exited = new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
  const replies: any[] = [];
  const waiters: ((m: any) => void)[] = [];
  let buf = '';
  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (d: string) => {
    buf += d;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i).trim();
      buf = buf.slice(i + 1);
      if (!line.startsWith('{')) continue;
      const m = JSON.parse(line);
      if (m.event) continue;
      const w = waiters.shift();
      if (w) w(m); else replies.push(m);
    }
  });
  const dead = exited.then((c) => { throw new Error(`${cmd} exited (${c}) before answering: ${err.slice(-800)}`); });
  dead.catch(() => undefined); // raced against each reply; its rejection after a clean quit is expected
  const next = () => Promise.race([dead, replies.length ? Promise.resolve(replies.shift()) : new Promise<any>((r) => waiters.push(r))]);
  const send = (o: object) => child.stdin!.write(JSON.stringify(o) + '\n');
  try {
    await next(); // the greeting
    const greetingMs = ms();
    send({ execute: 'qmp_capabilities' });
    await next();
    let readyMs = 0;
    for (;;) {
      send({ execute: 'query-pci' });
      const r = await next();
      if (r.error) throw new Error(`query-pci: ${r.error.desc}`);
      // Devices are realized before the monitor serves commands, so the first answer should do; ask again if not.
      if (pciIds(r.return).filter((id) => id === want).length >= count) { readyMs = ms(); break; }
    }
    let qemuStartMs: number | undefined;
    if (launcher) {
      try { qemuStartMs = (startTicks(childOf(child.pid!)) - startTicks(child.pid!)) * TICK_MS; } catch { /* raced with an exit: left out */ }
    }
    const q0 = ms();
    send({ execute: 'quit' });
    const code = await exited;
    if (code !== 0) throw new Error(`${cmd} exited ${code} after quit: ${err.slice(-800)}`);
    const tl = /timing \(ms since start\): (.*)/.exec(err)?.[1];
    const timing = tl ? Object.fromEntries(tl.split(', ').map((p) => { const [k, v] = p.split(' '); return [k, Number(v)]; })) : undefined;
    return { readyMs, greetingMs, qemuStartMs, exitMs: ms() - q0, timing };
  } catch (e) {
    child.kill('SIGKILL');
    await exited;
    throw e;
  }
}

/** Spawn to exit of a short command (ms), e.g. node's bare start. */
export async function timeRun(cmd: string, args: string[], opts: SpawnOptions = {}): Promise<number> {
  const t0 = process.hrtime.bigint();
  const child = spawn(cmd, args, { ...opts, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d) => { err += d; });
  const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
  if (code !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${code}: ${err.slice(-500)}`);
  return Number(process.hrtime.bigint() - t0) / 1e6;
}
