/**
 * Issue 10, "no sysfs write may stall the event loop": a driver move whose write
 * blocks (a FIFO stands in for the unbind of a device in use) ends in a
 * BindTimeoutError at the deadline while the loop keeps turning; the move
 * finishes when the write is let through. Above the kernel, the service answers
 * DEADLINE_EXCEEDED and refuses further moves and acquires of the group (ABORTED)
 * until the move has ended.
 */
import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { VfioHost } from '../../src/kernel/vfio-host.js';
import { BindTimeoutError } from '../../src/kernel/binding-runner.js';
import { BrokerService } from '../../src/service/broker-service.js';
import { parsePolicy } from '../../src/broker/policy.js';
import { AbortedError, BindingDeadlineError } from '../../src/broker/errors.js';
import type { Caller } from '../../src/broker/types.js';
import { FakeSysfs } from '../fixtures/fake-sysfs.js';
import { FakeHost, edu, group } from '../fixtures/fake-host.js';

t.test('a blocked sysfs write: the move times out, the loop keeps serving, the move completes once let through', async (t) => {
  const root = t.testdir();
  new FakeSysfs(root).device({ name: '0000:00:03.0', group: 3, driver: 'e1000e' });
  const unbind = path.join(root, 'sys/bus/pci/drivers/e1000e/unbind');
  fs.rmSync(unbind, { force: true });
  execFileSync('mkfifo', [unbind]);
  const host = new VfioHost(root, undefined, { bindDeadlineMs: 1500 });
  await host.ready();
  let turns = 0;
  const tick = setInterval(() => { turns++; }, 10);
  const e = await host.bindVfio('0000:00:03.0').then(() => null, (x: unknown) => x);
  clearInterval(tick);
  t.type(e, BindTimeoutError, 'the deadline passed while the write was blocked');
  t.match((e as BindTimeoutError).message, /did not finish within 1500 ms: the kernel waits for its current user/);
  t.ok(turns > 0, `the event loop kept turning meanwhile (${turns} timer turns)`);
  // Let the write through: a reader opens the FIFO and takes what the child wrote.
  const fd = fs.openSync(unbind, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  let got = '';
  for (let i = 0; i < 200 && !got; i++) {
    await new Promise((r) => setTimeout(r, 20));
    try { got = fs.readFileSync(fd, 'utf8'); } catch { /* EAGAIN: not written yet */ }
  }
  fs.closeSync(fd);
  t.equal(got, '0000:00:03.0', 'the child finished the unbind write');
  // The lingering child is unref'd (it must not hold a stopping daemon): keep this loop alive meanwhile.
  const alive = setInterval(() => {}, 50);
  await (e as BindTimeoutError).finished;
  clearInterval(alive);
  t.pass('and then ended by itself');
});

t.test('service: DEADLINE_EXCEEDED, then ABORTED for the group until the move ends', async (t) => {
  const host = new FakeHost([group(3, [edu('0000:03:01.0', 'vfio3')])]);
  let release!: () => void;
  const finished = new Promise<void>((r) => { release = r; });
  host.restoreDriver = async (device: string) => { throw new BindTimeoutError(device, 'restore', 10, finished); };
  const svc = new BrokerService({
    host,
    policy: () => parsePolicy({ rules: [{ name: 'u', uids: [1000], devices: { any: true } }] }, { user: () => undefined, group: () => undefined }),
    audit: () => {},
    deliver: async () => {},
    notify: () => {},
  });
  const admin: Caller = { pid: 1, uid: 0, gid: 0, groups: [] };
  const user: Caller = { pid: 2, uid: 1000, gid: 1000, groups: [] };
  const e = await svc.unbind(admin, 3).then(() => null, (x: unknown) => x as BindingDeadlineError);
  t.type(e, BindingDeadlineError);
  t.equal(e?.status, 'DEADLINE_EXCEEDED');
  t.match(e?.details, { device: '0000:03:01.0', deadlineMs: 10 });
  await t.rejects(svc.unbind(admin, 3), AbortedError, 'a second move of the group is refused while the first waits in the kernel');
  await t.rejects(svc.bind(admin, 3), AbortedError);
  const s = svc.openSession(user);
  await t.rejects(svc.acquire(user, { sessionId: s.id, secret: s.secret, groups: [3], devices: [], mode: 'legacy', onlyRequested: false, managed: false }), AbortedError, 'nor is the group offered to a lease');
  release();
  await finished;
  await new Promise((r) => setImmediate(r));
  host.restoreDriver = FakeHost.prototype.restoreDriver;
  const back = await svc.unbind(admin, 3);
  t.equal(back.length, 1, 'once the move ended, the group moves again');
  svc.shutdown('test');
});
