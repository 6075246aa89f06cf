/**
 * The Node side of bench/fd-delivery.ts, with the project's own fd channel
 * (SeqpacketServer / SeqpacketConnection over koffi): the parent sends a header
 * plus 3 fds, a child process (the client side) closes them and acks. Prints
 * one round-trip time in ns per line after a warm-up, like the C floor, and
 * each side's CPU time after the warm-up as "cpu USER_NS SYS_NS" on stderr.
 *
 *   fd-delivery-node.ts ROUNDS            (parent)
 *   fd-delivery-node.ts --child SOCKET    (receiver)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { SeqpacketConnection } from '../../src/kernel/seqpacket.js';
import { SeqpacketServer } from '../../src/kernel/seqpacket-server.js';
import { OwnedFd } from '../../src/kernel/owned-fd.js';
import { realLibc } from '../../src/kernel/libc.js';

const here = fileURLToPath(import.meta.url);
const WARMUP = 1000;

/** process.cpuUsage() is in µs; the C floor reports ns. */
function reportCpu(since: NodeJS.CpuUsage): void {
  const d = process.cpuUsage(since);
  process.stderr.write(`cpu ${d.user * 1000} ${d.system * 1000}\n`);
}

if (process.argv[2] === '--child') {
  const c = SeqpacketConnection.connect(process.argv[3]);
  const ack = Buffer.from('{"type":"ack"}');
  let seen = 0;
  let cpu0 = process.cpuUsage();
  c.on('message', (m) => {
    if (seen++ === WARMUP) cpu0 = process.cpuUsage();
    for (const f of m.fds) f.close();
    if (m.fds.length === 0) { reportCpu(cpu0); c.close(); process.exit(0); }
    void c.send(ack);
  });
} else {
  const rounds = Number(process.argv[2] ?? 20000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vb-bench-'));
  const server = new SeqpacketServer(path.join(dir, 's.sock'));
  server.listen();
  const libc = realLibc();
  const fds = [0, 1, 2].map(() => new OwnedFd(libc.eventfd(0, 0o2000000), 'bench eventfd', libc));
  const header = Buffer.from('{"type":"fds","request":"R-1","part":0,"last":true,"fds":[{"role":"container"},{"role":"group","group":7},{"role":"device","group":7,"device":"0000:00:03.0"}]}');
  const child = spawn(process.execPath, ['--import', 'tsx', here, '--child', path.join(dir, 's.sock')], { stdio: 'inherit' });
  const conn = await new Promise<SeqpacketConnection>((r) => server.once('connection', r));
  let waiting: (() => void) | null = null;
  conn.on('message', (m) => { for (const f of m.fds) f.close(); waiting?.(); });
  const out: string[] = [];
  let cpu0 = process.cpuUsage();
  for (let i = 0; i < rounds + WARMUP; i++) {
    if (i === WARMUP) cpu0 = process.cpuUsage();
    const a = process.hrtime.bigint();
    const acked = new Promise<void>((r) => { waiting = r; });
    await conn.send(header, fds);
    await acked;
    if (i >= WARMUP) out.push(String(process.hrtime.bigint() - a));
  }
  reportCpu(cpu0);
  await conn.send(Buffer.from('{}'));
  await new Promise((r) => child.on('exit', r));
  process.stdout.write(out.join('\n') + '\n');
  for (const f of fds) f.close();
  conn.close();
  server.close();
  fs.rmSync(dir, { recursive: true, force: true });
  process.exit(0);
}
