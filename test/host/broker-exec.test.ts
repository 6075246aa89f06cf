/**
 * vfio-broker-exec through the real daemon sockets, as uid 65534, with the
 * kernel faked (FakeHost hands out real eventfds). The guest suite repeats the
 * fd-passing case with real VFIO fds and an MMIO read.
 */
import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { realLibc } from '../../src/kernel/libc.js';
import { parseExecArgs, ExecUsageError, runExec } from '../../src/cli/broker-exec.js';
import { ApiClient } from '../../src/client/api-client.js';
import { FakeHost, edu, group } from '../fixtures/fake-host.js';
import { ScriptedClient, cleanEnv, outsideTap, startHarness, type Harness } from '../fixtures/daemon-harness.js';
import { ensureBuilt } from '../fixtures/built.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const EXEC = path.join(here, '../../bin/vfio-broker-exec');
const CHILD = path.join(here, '../fixtures/exec-child.ts');
const NOBODY = 65534;
ensureBuilt(); // EXEC runs the compiled dist/

t.test('argument parsing', async (t) => {
  t.match(parseExecArgs(['-g', '7', '--device', '0000:00:03.0', '--', 'qemu', '-S']),
    { acquire: { groups: [7], devices: ['0000:00:03.0'], mode: 'legacy' }, command: ['qemu', '-S'], qemu: false });
  t.match(parseExecArgs(['--group=3', '--qemu', 'qemu-system-x86_64', '-m', '1G']),
    { acquire: { groups: [3], mode: 'iommufd' }, qemu: true, command: ['qemu-system-x86_64', '-m', '1G'] }, 'the first non-option starts the command');
  t.match(parseExecArgs(['-d', 'x', '--only-requested', '-m', 'iommufd', '-s', '/a', '--fd-socket', '/b', '--', 'c']),
    { acquire: { onlyRequested: true, mode: 'iommufd' }, apiSocket: '/a', fdSocket: '/b' });
  t.equal(parseExecArgs(['--help']).help, true);
  for (const [argv, msg] of [
    [['--', 'x'], /at least one --group or --device/],
    [['-g', '1'], /no command/],
    [['-g', '../1', '--', 'x'], /group number/],
    [['-g'], /needs a value/],
    [['-m', 'vfio', '-g', '1', '--', 'x'], /legacy or iommufd/],
    [['--qemu', '-m', 'legacy', '-g', '1', '--', 'x'], /--qemu needs --mode iommufd/],
    [['--frobnicate', '-g', '1', '--', 'x'], /unknown option/],
  ] as const) t.throws(() => parseExecArgs([...argv]), { name: 'ExecUsageError', message: msg }, argv.join(' '));
  t.ok(new ExecUsageError('x') instanceof Error);
  const err: string[] = [];
  t.same(await runExec(['--', 'x'], { write: (s) => err.push(s) }), { code: 125 }, 'usage errors exit 125');
  t.match(err.join(''), /--help/);
  const out: string[] = [];
  t.same(await runExec(['-h'], undefined, { write: (s) => out.push(s) }), { code: 0 });
  t.match(out.join(''), /VFIO_DEVICE_FDS=bdf=fd/);
});

const policy = { rules: [{ name: 'nobody-edu', uids: [NOBODY], devices: { vendorDevice: ['1234:11e8'] } }] };
let h: Harness;
t.before(async () => {
  h = await startHarness(new FakeHost([group(1, [edu('0000:00:03.0', 'vfio0')]), group(2, [edu('0000:00:04.0', 'vfio1')])], { realFds: realLibc() }), policy);
});

function exec(uid: number, args: string[], gid = uid, env: NodeJS.ProcessEnv = {}): ScriptedClient {
  const child = spawn(...outsideTap(EXEC, ['-s', h.config.apiSocket, '--fd-socket', h.config.fdSocket, ...args]), {
    uid, gid, stdio: ['ignore', 'pipe', 'pipe'], env: { ...cleanEnv(), ...env },
  });
  return new ScriptedClient(child);
}
const node = (...a: string[]) => [process.execPath, '--import', 'tsx', CHILD, ...a];

t.test('the child inherits the fds at 3, 4, 5 and its exit status comes back', async (t) => {
  const run = exec(NOBODY, ['-g', '1', '--', ...node('--exit', '7', '--flag={device:0000:00:03.0}')]);
  const report = await run.step('child');
  t.match(report, { uid: NOBODY, container: '3', groups: '1=4', devices: '0000:00:03.0=5', fds: [3, 4, 5], allOpen: true });
  t.match(report.lease, /\S/, 'the lease id is in VFIO_BROKER_LEASE');
  t.ok(report.argv.includes('--flag=5'), 'placeholders are replaced by the child fd number');
  const end = await run.exited;
  t.same(end, { code: 7, signal: null }, run.stderr);
  t.equal(run.stderr, '', 'a clean run says nothing');
  t.equal(h.daemon.service.leases.size, 0, 'the lease ended with the child');
  const grants: any[] = h.audit().filter((a: any) => a.event === 'grant' && a.lease === report.lease);
  t.equal(grants.length, 1, 'the grant is audited');
  t.equal(grants[0]?.fds.length, 3, 'with each fd and its role');
});

t.test('signals are forwarded, and a child killed by one kills the launcher the same way', async (t) => {
  const run = exec(NOBODY, ['--device', '0000:00:04.0', '--', ...node('--wait')]);
  await run.step('waiting');
  t.equal(h.daemon.service.leases.size, 1);
  run.child.kill('SIGTERM');
  t.same(await run.exited, { code: null, signal: 'SIGTERM' }, run.stderr);
  t.equal(h.daemon.service.leases.size, 0, 'released');
});

t.test('a revoke while the child runs: the launcher reports the deadline the daemon gave', async (t) => {
  const run = exec(NOBODY, ['-g', '1', '--', ...node('--wait')]);
  const { lease } = await run.step('child');
  await run.step('waiting');
  const admin = new ApiClient(h.config.apiSocket);
  t.teardown(() => admin.close());
  // An odd deadline, so that the number printed can only have come from the daemon.
  const res = await admin.revoke(lease, 1234);
  t.equal(res.ended, true, 'the lease ended at the deadline (the child still holds its fds)');
  for (let i = 0; i < 100 && !/deadline/.test(run.stderr); i++) await new Promise((r) => setTimeout(r, 50));
  t.match(run.stderr, `vfio-broker-exec: the broker asks for lease ${lease} back (deadline 1234 ms)`, 'the real deadline is printed');
  run.child.kill('SIGTERM');
  t.same(await run.exited, { code: null, signal: 'SIGTERM' }, run.stderr);
  t.equal(h.daemon.service.leases.size, 0, 'no lease left');
});

t.test('VFIO_BROKER_EXEC_TIMING=1: one line says when each step of the launch was reached', async (t) => {
  const run = exec(NOBODY, ['-g', '1', '--', 'true'], NOBODY, { VFIO_BROKER_EXEC_TIMING: '1' });
  t.same(await run.exited, { code: 0, signal: null }, run.stderr);
  t.match(run.stderr, /^vfio-broker-exec: timing \(ms since start\): loaded \d+, connected \d+, acquired \d+, spawned \d+\n$/);
  t.equal(h.daemon.service.leases.size, 0);
});

t.test('refusals and launch failures: 125, 126, 127, and no lease left behind', async (t) => {
  const unknown = exec(NOBODY, ['-g', '99', '--', 'true']);
  t.equal((await unknown.exited).code, 125);
  t.match(unknown.stderr, /refused \(NOT_FOUND\)/);
  const stranger = exec(4242, ['-g', '1', '--', 'true'], NOBODY);
  t.equal((await stranger.exited).code, 125);
  t.match(stranger.stderr, /refused \(PERMISSION_DENIED\)/);
  const missing = exec(NOBODY, ['-g', '1', '--', '/nonexistent/qemu']);
  t.equal((await missing.exited).code, 127, missing.stderr);
  const plain = path.join(h.dir, 'not-executable');
  fs.writeFileSync(plain, 'data\n', { mode: 0o644 });
  const notExec = exec(NOBODY, ['-g', '1', '--', plain]);
  t.equal((await notExec.exited).code, 126, notExec.stderr);
  const badPlaceholder = exec(NOBODY, ['-g', '1', '--', 'true', '{device:0000:00:09.0}']);
  t.equal((await badPlaceholder.exited).code, 125);
  t.match(badPlaceholder.stderr, /names nothing in this lease/);
  const unreachable = spawn(...outsideTap(EXEC, ['-s', '/tmp/vb-nope/api.sock', '--fd-socket', '/tmp/vb-nope/fd.sock', '-g', '1', '--', 'true']), { env: cleanEnv() });
  let text = '';
  unreachable.stderr.on('data', (d) => { text += d; });
  t.equal(await new Promise((r) => unreachable.on('exit', r)), 125);
  t.match(text, /unreachable/);
  t.equal(h.daemon.service.leases.size, 0, 'no lease outlives a failed launch');
});

t.test('shutdown', async () => {
  await h.close();
});
