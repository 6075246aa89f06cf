import t, { type Test } from 'tap';
import fs from 'node:fs';
import net from 'node:net';
import { spawn } from 'node:child_process';
import { SeqpacketConnection } from '../../src/kernel/seqpacket.js';
import { SeqpacketServer } from '../../src/kernel/seqpacket-server.js';
import { realLibc } from '../../src/kernel/libc.js';
import { OwnedFd } from '../../src/kernel/owned-fd.js';
import { peerCredOfSocket } from '../../src/kernel/peercred.js';
import { ScmBuffers, recvWithFds } from '../../src/kernel/scm.js';
import type { Received } from '../../src/kernel/scm.js';

const libc = realLibc();
const fdCount = () => fs.readdirSync('/proc/self/fd').length;

const ev = () => new OwnedFd(libc.eventfd(0, 0o2000000), 'eventfd', libc);
/** Socket paths must fit sockaddr_un (108 bytes): tap's fixture dirs are too deep. */
function shortDir(t: Test): string {
  const d = fs.mkdtempSync('/tmp/vb-t-');
  t.teardown(() => fs.rmSync(d, { recursive: true, force: true }));
  return d;
}

async function pair(t: Test): Promise<{ server: SeqpacketServer; a: SeqpacketConnection; b: SeqpacketConnection }> {
  const dir = shortDir(t);
  const server = new SeqpacketServer(`${dir}/s.sock`);
  server.listen({ mode: 0o600 });
  const accepted = new Promise<SeqpacketConnection>((r) => server.once('connection', r));
  const a = SeqpacketConnection.connect(`${dir}/s.sock`);
  const b = await accepted;
  t.teardown(() => { a.close(); b.close(); server.close(); });
  return { server, a, b };
}

const next = (c: SeqpacketConnection) => new Promise<Received>((r) => c.once('message', r));

t.test('round trips with 0, 1, 3 and 200 fds; received fds are the same files', async (t) => {
  const { a, b } = await pair(t);
  t.same(b.peer, { pid: process.pid, uid: process.getuid!(), gid: process.getgid!() }, 'SO_PEERCRED on SEQPACKET');
  for (const n of [0, 1, 3, 200]) {
    const before = fdCount();
    const evs = Array.from({ length: n }, ev);
    const got = next(b);
    await a.send(Buffer.from(`hello ${n}`), evs, { transfer: true });
    const m = await got;
    t.equal(m.data.toString(), `hello ${n}`);
    t.equal(m.fds.length, n);
    for (const f of m.fds) f.close();
    t.equal(fdCount(), before, `no fd left behind (${n})`);
  }
  // Identity: write a counter through the received copy, read it through ours.
  const mine = new OwnedFd(libc.eventfd(0, 0o2000000 | 0o4000), 'ev', libc);
  const got = next(b);
  await a.send(Buffer.from('x'), [mine]);
  const [copy] = (await got).fds;
  const eight = Buffer.alloc(8);
  eight.writeBigUInt64LE(5n);
  t.equal(Number(libc.write(copy.fd, eight, 8)), 8);
  const back = Buffer.alloc(8);
  t.equal(Number(libc.read(mine.fd, back, 8)), 8);
  t.equal(back.readBigUInt64LE(), 5n, 'same kernel object on both ends');
  copy.close();
  mine.close();
});

t.test('backpressure: 1000 messages queue in order and none are lost', async (t) => {
  const { a, b } = await pair(t);
  const got: string[] = [];
  const all = new Promise<void>((r) => b.on('message', (m) => { got.push(m.data.toString()); for (const f of m.fds) f.close(); if (got.length === 1000) r(); }));
  const sends = Array.from({ length: 1000 }, (_, i) => a.send(Buffer.from(String(i)), i % 10 === 0 ? [ev()] : [], { transfer: true }));
  t.ok(a.queued > 0, `some messages had to wait (${a.queued} queued)`);
  await Promise.all(sends);
  await all;
  t.same(got, Array.from({ length: 1000 }, (_, i) => String(i)));
});

t.test('datagrams read in one batch after an empty one (end of stream) have their fds closed', async (t) => {
  const { a, b } = await pair(t);
  const before = fdCount();
  // Queued before b's poll fires, so one recvmmsg takes all three.
  await a.send(Buffer.from('first'), [ev()], { transfer: true });
  await a.send(Buffer.alloc(0));
  await a.send(Buffer.from('after'), [ev(), ev(), ev(), ev()], { transfer: true });
  const got: string[] = [];
  b.on('message', (m) => { got.push(m.data.toString()); for (const f of m.fds) f.close(); });
  await new Promise<void>((r) => b.once('close', r));
  t.same(got, ['first'], 'what came before the empty datagram is delivered, nothing after');
  t.ok(fdCount() <= before, `nothing leaked (${fdCount()} fds, ${before} before)`);
});

t.test('MSG_CTRUNC is an error and arriving fds are closed', async (t) => {
  const { a, b } = await pair(t);
  b.removeAllListeners('message');
  // Read by hand with a control buffer for only 1 fd.
  const small = new ScmBuffers(1024, 1);
  (b as unknown as { drain: () => void }).drain = () => {};
  const before = fdCount();
  await a.send(Buffer.from('x'), [ev(), ev(), ev()], { transfer: true });
  t.throws(() => recvWithFds(libc, b.fd.fd, small), /MSG_CTRUNC/);
  t.ok(fdCount() <= before, 'nothing leaked');
});

t.test('peer hang-up closes the other side once; sends after close fail and close transferred fds', async (t) => {
  const { a, b } = await pair(t);
  const closed = new Promise<void>((r) => b.once('close', r));
  a.close();
  a.close();
  await closed;
  t.ok(b.closed);
  const before = fdCount();
  await t.rejects(b.send(Buffer.from('late'), [ev()], { transfer: true }), /closed/);
  t.equal(fdCount(), before, 'the transferred fd was closed');
});

t.test('SO_PEERCRED on a net stream socket, also from another uid', async (t) => {
  const dir = shortDir(t);
  fs.chmodSync(dir, 0o755);
  const path = `${dir}/n.sock`;
  const creds: unknown[] = [];
  const srv = net.createServer((s) => { creds.push(peerCredOfSocket(s)); s.end(); });
  await new Promise<void>((r) => srv.listen(path, r));
  fs.chmodSync(path, 0o777);
  await new Promise<void>((r) => { const c = net.connect(path, () => { c.on('close', () => r()); }); });
  const child = spawn(process.execPath, ['-e', `require('net').connect(${JSON.stringify(path)}).on('close',()=>process.exit(0))`], { uid: 65534, gid: 65534 });
  const childPid = child.pid;
  await new Promise((r) => child.on('exit', r));
  srv.close();
  t.same(creds[0], { pid: process.pid, uid: process.getuid!(), gid: process.getgid!() });
  t.same(creds[1], { pid: childPid, uid: 65534, gid: 65534 });
});

t.test('a peer that reads nothing while its socket is full is closed after stallMs; queued sends are rejected', async (t) => {
  const dir = shortDir(t);
  const server = new SeqpacketServer(`${dir}/s.sock`);
  server.listen({ mode: 0o600 });
  t.teardown(() => server.close());
  const accepted = new Promise<SeqpacketConnection>((r) => server.once('connection', r));
  const peer = spawn('python3', [new URL('../fixtures/seqpacket-flood.py', import.meta.url).pathname, 'silent', `${dir}/s.sock`], { stdio: ['pipe', 'pipe', 'inherit'] });
  t.teardown(() => { peer.stdin!.end(); });
  const c = await accepted;
  c.limits = { messages: 1e6, fds: 1e6, stallMs: 300 };
  const said = new Promise((r) => peer.stdout!.once('data', r));
  await c.send(Buffer.from(JSON.stringify({ type: 'hello' })));
  await said;
  const closed = new Promise<void>((r) => c.once('close', () => r()));
  const sends: Promise<string>[] = [];
  while (!c.closed && c.queued === 0) sends.push(c.send(Buffer.alloc(4096)).then(() => 'sent', (e: Error) => e.name));
  sends.push(c.send(Buffer.alloc(4096)).then(() => 'sent', (e: Error) => e.name));
  await closed;
  const outcomes = await Promise.all(sends);
  t.ok(outcomes.includes('sent'), `the socket buffer took ${outcomes.filter((o) => o === 'sent').length} datagrams`);
  t.equal(outcomes.at(-1), 'QueueFullError', 'what waited when the stall limit struck is rejected as a full queue');
});
