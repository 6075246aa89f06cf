import t from 'tap';
import fs from 'node:fs';
import { Procfs } from '../../src/kernel/procfs.js';

const proc = new Procfs();

t.test('describe, alive, start time of this process', async (t) => {
  const d = proc.describe(process.pid);
  t.equal(d.exe, fs.realpathSync(process.execPath));
  t.ok(d.startTime && /^\d+$/.test(d.startTime));
  t.ok(proc.alive(process.pid, d.startTime));
  t.notOk(proc.alive(process.pid, '1'), 'a different start time means a reused pid');
  t.notOk(proc.alive(0));
  t.notOk(proc.alive(2 ** 22 + 7));
  t.equal(proc.comm(2 ** 22 + 7), '?');
});

t.test('holders finds this process holding a file', async (t) => {
  const dir = t.testdir({ node: 'x' });
  const p = `${dir}/node`;
  const fd = fs.openSync(p, 'r');
  const before = proc.fdCount();
  const h = proc.holders([p, '/nonexistent']);
  t.same(h.map((x) => [x.pid, x.path]), [[process.pid, p]]);
  t.equal(h[0].uid, process.getuid!());
  fs.closeSync(fd);
  t.equal(proc.fdCount(), before - 1);
  t.same(proc.holders([p]), []);
  t.same(new Procfs('/nonexistent').holders([p]), []);
});

t.test('comm with spaces and parentheses does not confuse the stat parser', async (t) => {
  const root = t.testdir({ '42': { stat: '42 (a) b (c) S 1 42 42 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 777 0 0\n', comm: 'a) b (c\n' } });
  t.equal(new Procfs(root).startTime(42), '777');
});
