/**
 * The pid-reuse attack on caller identity. P connects as an unprivileged uid,
 * hands the connection to a child and exits; root then puts a process of an
 * admin-group member on P's pid (ns_last_pid) and the child calls Bind on the
 * held connection. The daemon must judge the call by who connected (taken at
 * accept: SO_PEERCRED, SO_PEERGROUPS, start time), never by whoever holds the
 * pid now: PERMISSION_DENIED. (Before identity was taken at accept, the
 * daemon re-read /proc/<pid>/status per call and answered OK.)
 */
import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startHarness } from '../fixtures/daemon-harness.js';
import { FakeHost, edu, group } from '../fixtures/fake-host.js';
import { Procfs } from '../../src/kernel/procfs.js';
import { identifyPeer, peerGroups } from '../../src/kernel/peer-identity.js';

const STAFF = 50;
const NOBODY = 65534;
const HELD = path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/held-connection.ts');
const NS_LAST_PID = '/proc/sys/kernel/ns_last_pid';

function lines(child: ChildProcess): (op: string) => Promise<Record<string, unknown>> {
  const seen: Record<string, unknown>[] = [];
  const waiters: { op: string; resolve: (l: Record<string, unknown>) => void }[] = [];
  let buf = '';
  child.stdout!.on('data', (d) => {
    buf += d;
    for (let i; (i = buf.indexOf('\n')) >= 0; buf = buf.slice(i + 1)) {
      const l = JSON.parse(buf.slice(0, i));
      seen.push(l);
      for (const w of waiters.filter((x) => x.op === l.op)) w.resolve(l);
    }
  });
  return (op) => new Promise((resolve) => {
    const l = seen.find((x) => x.op === op);
    if (l) resolve(l);
    else waiters.push({ op, resolve });
  });
}

/** Start `argv` on exactly `pid`, as ns_last_pid allows root to; retries if another fork wins the race. */
async function spawnOnPid(pid: number, argv: string[]): Promise<ChildProcess | null> {
  for (let i = 0; i < 50; i++) {
    fs.writeFileSync(NS_LAST_PID, String(pid - 1));
    const c = spawn(argv[0], argv.slice(1), { stdio: 'ignore' });
    if (c.pid === pid) return c;
    c.kill('SIGKILL');
  }
  return null;
}

t.test('a held connection keeps the identity it was accepted with, whoever holds its pid later', { skip: !fs.existsSync(NS_LAST_PID) && 'no ns_last_pid' }, async (t) => {
  // describe() is the real /proc: the only thing a reused pid could lend the connection.
  const proc = new Procfs('/proc');
  const host = Object.assign(new FakeHost([group(1, [edu('0000:00:03.0')])]), { describe: (pid: number) => proc.describe(pid) });
  const h = await startHarness(host, { adminGroups: [STAFF], rules: [] });
  t.teardown(() => h.close());

  const p = spawn('/usr/bin/env', ['-u', 'NODE_OPTIONS', process.execPath, '--import', 'tsx', HELD, 'connect', h.config.apiSocket], {
    uid: NOBODY, gid: NOBODY, stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise((r) => p.once('exit', r));
  const next = lines(p);
  p.stderr!.resume();
  const { pid } = await next('connected') as { pid: number };
  const { pid: holder } = await next('holding') as { pid: number };
  // The holder outlives P and holds P's pipes: it must not outlive the test.
  t.teardown(() => { try { process.kill(holder, 'SIGKILL'); } catch { /* gone */ } });
  await exited;
  // Root puts an admin-group member's process on P's pid.
  const admin = await spawnOnPid(pid, ['setpriv', '--reuid', '4343', '--regid', String(STAFF), '--groups', String(STAFF), 'sleep', '60']);
  t.teardown(() => admin?.kill('SIGKILL'));
  if (!admin) {
    t.comment(`could not place a process on pid ${pid} (other forks won the race 50 times)`);
    return;
  }
  await new Promise((r) => setTimeout(r, 200)); // let setpriv exec sleep with its groups
  t.match(fs.readFileSync(`/proc/${pid}/status`, 'utf8'), new RegExp(`Groups:\\s*${STAFF}\\b`), `pid ${pid} is now an admin-group member's process`);

  process.kill(holder, 'SIGUSR1');
  const answer = await next('answer') as { status: number; message: string };
  t.equal(answer.status, 7, 'PERMISSION_DENIED');
  t.match(answer.message, /uid 65534 is not root or in the admin group/);
  const audit = h.audit() as { event: string; rpc?: string; who?: { pid: number; uid: number } }[];
  t.ok(audit.some((r) => r.event === 'refusal' && r.rpc === 'Bind' && r.who?.uid === NOBODY), 'the refusal is audited against the connecting uid');
});

t.test('identity at accept: SO_PEERGROUPS and start time of the peer', async (t) => {
  const net = await import('node:net');
  const dir = fs.mkdtempSync('/tmp/vfio-peer-');
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const sockPath = path.join(dir, 's');
  const accepted = new Promise<number>((resolve) => {
    const srv = net.createServer((s) => resolve((s as unknown as { _handle: { fd: number } })._handle.fd));
    srv.listen(sockPath);
    t.teardown(() => srv.close());
  });
  const c = net.connect(sockPath);
  t.teardown(() => c.destroy());
  const fd = await accepted;
  const proc = new Procfs('/proc');
  const id = identifyPeer(fd, (p) => proc.describe(p));
  t.equal(id.pid, process.pid);
  t.same(id.groups, peerGroups(fd), 'groups come from the kernel');
  t.equal(id.startTime, proc.describe(process.pid).startTime, 'start time of the connecting process');
  t.equal(id.exe, fs.readlinkSync('/proc/self/exe'));
});
