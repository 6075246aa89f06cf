/**
 * SetGroupType: the sysfs write (on the fake sysfs tree), and the service's
 * rules on the fake Host: admin only, refused while leased or while any device
 * has a driver (naming it), the original type remembered and restored.
 */
import t from 'tap';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BrokerService } from '../../src/service/broker-service.js';
import { parsePolicy } from '../../src/broker/policy.js';
import type { AuditRecord } from '../../src/broker/audit.js';
import type { Caller } from '../../src/broker/types.js';
import { InvalidArgumentError, PermissionDeniedError, PreconditionError, NotFoundError } from '../../src/broker/errors.js';
import { FakeSysfs } from '../fixtures/fake-sysfs.js';
import { FakeHost, edu, group } from '../fixtures/fake-host.js';
import { readGroupType, writeGroupType, isWritableGroupType } from '../../src/kernel/sysfs/group-type.js';
import { VfioHost } from '../../src/kernel/vfio-host.js';
import { SysError } from '../../src/kernel/sys-error.js';

const names = { user: () => undefined, group: () => undefined };
const root: Caller = { pid: 1, uid: 0, gid: 0, groups: [] };
const user: Caller = { pid: 2, uid: 1000, gid: 1000, groups: [] };

t.test('the sysfs write: one of the four types, read back; a failed write is a SysError naming the file', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vb-gt-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  new FakeSysfs(dir).device({ name: '0000:00:03.0', group: 3, driver: null }).group(5, { type: 'DMA-FQ' });
  t.equal(readGroupType(dir, 3), 'DMA');
  t.equal(writeGroupType(dir, 3, 'identity'), 'identity');
  t.equal(fs.readFileSync(path.join(dir, 'sys/kernel/iommu_groups/3/type'), 'utf8'), 'identity', 'one write of the bare word');
  t.same(['DMA', 'DMA-FQ', 'identity', 'auto', 'blocked', 'dma', ''].map(isWritableGroupType), [true, true, true, true, false, false, false]);
  fs.rmSync(path.join(dir, 'sys/kernel/iommu_groups/5/type'));
  fs.mkdirSync(path.join(dir, 'sys/kernel/iommu_groups/5/type'));
  const e = t.throws(() => writeGroupType(dir, 5, 'DMA')) as SysError;
  t.ok(e instanceof SysError);
  t.equal(e.code, 'EISDIR');
  t.match(e.op, 'write(iommu_groups/5/type, DMA)');
  t.throws(() => writeGroupType(dir, '../3' as unknown as number, 'DMA'), /invalid IOMMU group id/);
});

t.test('VfioHost on the fake sysfs: the type is written and the inventory shows it at once', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vb-gt-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  new FakeSysfs(dir).device({ name: '0000:00:03.0', group: 3, driver: null });
  const host = new VfioHost(dir);
  await host.ready();
  t.equal(host.group(3)?.type, 'DMA');
  t.equal(host.setGroupType(3, 'identity'), 'identity');
  t.equal(host.group(3)?.type, 'identity', 'no wait for a rescan');
});

function setup() {
  const host = new FakeHost([
    group(1, [edu('0000:00:03.0', null, null)]),
    group(2, [edu('0000:00:04.0', 'vfio1')]),
    group(3, [edu('0000:00:05.0', null, null), { ...edu('0000:00:05.1', null, 'e1000e'), vendor: '0x8086' }]),
    group(4, [edu('0000:00:06.0', null, null)], { type: 'unmanaged' }),
  ]);
  const audits: AuditRecord[] = [];
  const policy = parsePolicy({ rules: [{ name: 'u', uids: [1000], devices: { any: true } }] }, names);
  const svc = new BrokerService({ host, policy: () => policy, audit: (r) => audits.push(r), deliver: async (_s, _r, items) => { for (const i of items) if (!i.keep) i.fd.close(); }, notify: () => {} });
  return { host, svc, audits };
}

t.test('set and restore: the original is remembered until restored, and audited', async (t) => {
  const { host, svc, audits } = setup();
  t.same(svc.groupTypes.set(root, 1, 'identity', false), { group: 1, previous: 'DMA', type: 'identity', original: 'DMA', restored: false });
  t.same(svc.groupTypes.set(root, 1, 'DMA-FQ', false), { group: 1, previous: 'identity', type: 'DMA-FQ', original: 'DMA', restored: false }, 'a second change keeps the first original');
  t.same([...svc.groupTypes.changed()], [[1, 'DMA']]);
  t.same(svc.groupTypes.set(root, '1', '', true), { group: 1, previous: 'DMA-FQ', type: 'DMA', original: '', restored: true });
  t.equal(host.group(1)?.type, 'DMA');
  t.same(host.calls.filter((c) => c.startsWith('setGroupType')), ['setGroupType 1 identity', 'setGroupType 1 DMA-FQ', 'setGroupType 1 DMA']);
  t.match(audits.filter((a) => a.event === 'group-type').map((a) => a.reason), ['DMA -> identity', 'identity -> DMA-FQ', 'DMA-FQ -> DMA (restore)']);
  const again = t.throws(() => svc.groupTypes.set(root, 1, '', true)) as PreconditionError;
  t.ok(again instanceof PreconditionError, 'nothing left to restore');
  t.match(again.message, /has not changed its IOMMU type/);
  svc.groupTypes.set(root, 1, 'identity', false);
  t.match(svc.groupTypes.set(root, 1, 'DMA', false), { type: 'DMA', original: 'DMA' }, 'set back by hand: the record stays until restore');
  t.match(svc.groupTypes.set(root, 1, '', true), { type: 'DMA', original: '', restored: true });
});

t.test('refusals: bound driver (named), leased group, bad type, non-admin, unknown group, unrestorable type', async (t) => {
  const { host, svc } = setup();
  const bound = t.throws(() => svc.groupTypes.set(root, 2, 'identity', false)) as PreconditionError;
  t.ok(bound instanceof PreconditionError);
  t.equal(bound.status, 'FAILED_PRECONDITION');
  t.match(bound.message, /group 2 has a driver bound: 0000:00:04.0 is bound to vfio-pci/);
  t.match(bound.details, { device: '0000:00:04.0', driver: 'vfio-pci' });
  t.match((t.throws(() => svc.groupTypes.set(root, 3, 'identity', false)) as Error).message, /0000:00:05.1 is bound to e1000e/, 'any device of the group counts');

  const s = svc.openSession(user);
  await svc.acquire(user, { sessionId: s.id, secret: s.secret, groups: [2], devices: [], mode: 'legacy', onlyRequested: false, managed: false });
  host.group(2)!.devices[0].driver = null; // even with no driver left, a leased group is refused
  const leased = t.throws(() => svc.groupTypes.set(root, 2, 'identity', false)) as PreconditionError;
  t.match(leased.message, /group 2 is leased \(L-.*uid 1000/);

  t.ok(t.throws(() => svc.groupTypes.set(root, 1, 'passthrough', false)) instanceof InvalidArgumentError);
  t.ok(t.throws(() => svc.groupTypes.set(user, 1, 'identity', false)) instanceof PermissionDeniedError);
  t.ok(t.throws(() => svc.groupTypes.set(root, 99, 'identity', false)) instanceof NotFoundError);
  t.match((t.throws(() => svc.groupTypes.set(root, 4, 'DMA', false)) as Error).message, /type "unmanaged", which could not be restored/);
  t.equal(host.calls.filter((c) => c.startsWith('setGroupType')).length, 0, 'no refused request reached the kernel');
});

t.test("the kernel's own EPERM (a driver bound since the inventory was read) is FAILED_PRECONDITION", async (t) => {
  const { host, svc } = setup();
  host.setGroupType = () => { throw new SysError('write(iommu_groups/1/type, identity)', 1); };
  const e = t.throws(() => svc.groupTypes.set(root, 1, 'identity', false)) as PreconditionError;
  t.ok(e instanceof PreconditionError);
  t.match(e.message, /the kernel refused: write\(iommu_groups\/1\/type, identity\): EPERM/);
  t.same([...svc.groupTypes.changed()], [], 'nothing recorded for a failed change');
});
