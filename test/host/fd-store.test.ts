/**
 * The systemd fd store, both halves: FDSTORE=1 datagrams carrying fds to
 * $NOTIFY_SOCKET, and LISTEN_FDS/LISTEN_FDNAMES taken back on start. The guest's
 * systemd suite proves the round trip through a real systemd.
 */
import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { startReceiver } from '../fixtures/dgram-receiver.js';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { SdNotifier, checkFdName } from '../../src/kernel/sd-notify.js';
import { OwnedFd } from '../../src/kernel/owned-fd.js';
import { FdStore } from '../../src/daemon/fd-store.js';
import { FakeLibc } from '../fixtures/fake-libc.js';
import { cleanEnv, outsideTap } from '../fixtures/daemon-harness.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const quiet = pino({ level: 'silent' });

t.test('FDSTORE=1 sends the fds with their name; FDSTOREREMOVE drops them', async (t) => {
  const dir = fs.mkdtempSync('/tmp/vb-fds-');
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const sock = `${dir}/notify`;
  const py = [
    'import socket,sys,os',
    's=socket.socket(socket.AF_UNIX,socket.SOCK_DGRAM)', 's.bind(sys.argv[1])', "print('up',flush=True)", 's.settimeout(20)',
    'for _ in range(2):',
    '  msg,fds,_,_=socket.recv_fds(s,4096,8)',
    "  print(repr(msg.decode()), len(fds), [os.readlink('/proc/self/fd/%d'%f) for f in fds], flush=True)",
  ].join('\n');
  const rx = await startReceiver(py, sock);
  const n = new SdNotifier(sock);
  const f = fs.openSync('/dev/null', 'r');
  t.equal(n.storeFds('L-abc.container', [f]), true);
  t.equal(n.removeFds('L-abc.container'), true);
  await rx.done;
  const [stored, removed] = rx.output().split('\n').filter((l) => l.startsWith("'"));
  t.equal(stored, "'FDSTORE=1\\nFDNAME=L-abc.container' 1 ['/dev/null']", 'one fd under its name');
  t.equal(removed, "'FDSTOREREMOVE=1\\nFDNAME=L-abc.container' 0 []");
  fs.closeSync(f);
  n.close();
  t.equal(new SdNotifier('').storeFds('x', [0]), false, 'outside systemd: nothing');
  t.throws(() => checkFdName('a:b'), RangeError, 'no colon (LISTEN_FDNAMES separator)');
  t.throws(() => checkFdName(''), RangeError);
  t.throws(() => checkFdName('x'.repeat(256)), RangeError);
});

t.test('LISTEN_FDS: taken once, close-on-exec, only when LISTEN_PID is ours, variables removed', async (t) => {
  const dir = t.testdir({ a: 'container', b: 'group' });
  const a = fs.openSync(path.join(dir, 'a'), 'r');
  const b = fs.openSync(path.join(dir, 'b'), 'r');
  t.teardown(() => { fs.closeSync(a); fs.closeSync(b); });
  const child = path.join(here, '../fixtures/listen-fds-child.ts');
  const run = (pidExpr: string) => {
    const [cmd, args] = outsideTap('/bin/sh', ['-c', `LISTEN_PID=${pidExpr} exec "$0" --import tsx "$1"`, process.execPath, child]);
    const r = spawnSync(cmd, args, {
      stdio: ['ignore', 'pipe', 'inherit', a, b], encoding: 'utf8',
      env: { ...cleanEnv(), LISTEN_FDS: '2', LISTEN_FDNAMES: 'L-1.container:L-1.group.7' },
    });
    return JSON.parse(r.stdout);
  };
  const ours = run('$$');
  t.same(ours.report, [{ name: 'L-1.container', fd: 3, content: 'container' }, { name: 'L-1.group.7', fd: 4, content: 'group' }]);
  t.equal(ours.cloexec, true, 'marked close-on-exec so no child inherits them');
  t.same(ours.envLeft, [], 'LISTEN_* removed from the environment');
  t.same(run('1').report, [], "another process's LISTEN_FDS are not taken");
});

t.test('recovering lease handles from stored fds', async (t) => {
  const libc = new FakeLibc();
  const fd = (what: string) => new OwnedFd(libc.open(what), what, libc);
  const handles = FdStore.recover([
    { name: 'L-aa.container', fd: fd('c1') }, { name: 'L-aa.group.7', fd: fd('g7') }, { name: 'L-aa.group.9', fd: fd('g9') },
    { name: 'L-bb.group.3', fd: fd('orphan group') },
    { name: 'something-else', fd: fd('junk') },
  ], quiet);
  t.same([...handles.keys()], ['L-aa']);
  const h = handles.get('L-aa')!;
  t.equal(libc.open_.get(h.container.fd), 'c1');
  t.same([...h.groups.keys()], [7, 9]);
  t.same([...libc.open_.values()].sort(), ['c1', 'g7', 'g9'], 'incomplete and unknown fds are closed');

  const sent: string[] = [];
  const notifier = { enabled: true, storeFds: (name: string, fds: number[]) => { sent.push(`keep ${name} ${fds.length}`); return true; }, removeFds: (name: string) => { sent.push(`drop ${name}`); return true; } };
  const store = new FdStore(notifier as unknown as SdNotifier, quiet);
  store.keep('L-aa', h);
  store.drop('L-aa', h);
  t.same(sent, ['keep L-aa.container 1', 'keep L-aa.group.7 1', 'keep L-aa.group.9 1', 'drop L-aa.container', 'drop L-aa.group.7', 'drop L-aa.group.9']);
  const off = new FdStore(new SdNotifier(''), quiet);
  off.keep('L-aa', h);
  t.equal(off.enabled, false);
});
