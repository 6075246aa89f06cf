/**
 * Mediated devices on the real kernel, with the kernel's mtty sample (a virtual
 * 16550 serial port per instance) built into the test kernel: the inventory shows
 * an mdev's group as an emulated-IOMMU group (safe, /dev/vfio/N) and its vendor
 * driver as vfio; uid 65534 drives a brokered mtty through VFIO region reads and
 * writes, in legacy and iommufd mode; admins create and remove instances through
 * the broker; and Acquire of a type creates an instance and removes it at release.
 */
import fs from 'node:fs';
import { randomUUID } from 'node:crypto';
import type { Test } from 'tap';
import { VfioHost } from '../../src/kernel/vfio-host.js';
import { ApiClient, BrokerCallError } from '../../src/client/api-client.js';
import { main as brokerctl } from '../../src/cli/brokerctl.js';
import { startHarness } from '../fixtures/daemon-harness.js';

const NOBODY = 65534;
const PARENT = 'mtty';
const TYPE = 'mtty-2';
const MDEV_BUS = '/sys/class/mdev_bus';

async function ctl(sock: string, ...args: string[]): Promise<{ code: number; out: string; json?: any }> {
  let out = '';
  const w = { write: (s: string) => { out += s; } };
  const code = await brokerctl(['-s', sock, '-o', 'json', ...args], w, w);
  let json: any;
  try { json = JSON.parse(out); } catch { /* an error message */ }
  return { code, out, json };
}

const gone = async (uuid: string, ms = 30_000) => {
  const end = Date.now() + ms;
  while (fs.existsSync(`/sys/bus/mdev/devices/${uuid}`)) {
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
  return true;
};

export default async function (t: Test, variant: string) {
  if (variant !== 'iommu') return;
  if (!fs.existsSync(`${MDEV_BUS}/${PARENT}`)) {
    t.fail(`${MDEV_BUS}/${PARENT} is missing: the test kernel lacks CONFIG_SAMPLE_VFIO_MDEV_MTTY`);
    return;
  }

  t.test('the kernel: mtty is an mdev parent with its supported types', async (t) => {
    const types = fs.readdirSync(`${MDEV_BUS}/${PARENT}/mdev_supported_types`).sort();
    t.same(types, ['mtty-1', 'mtty-2'], 'mtty-1 and mtty-2');
    t.equal(fs.readFileSync(`${MDEV_BUS}/${PARENT}/mdev_supported_types/${TYPE}/device_api`, 'utf8').trim(), 'vfio-pci');
    t.comment(`mdev parents: ${fs.readdirSync(MDEV_BUS).join(', ')}`);
  });

  const policy = { rules: [{ name: 'serial-users', uids: [NOBODY], devices: { mdevTypes: [TYPE] }, memlock: '16m' }] };
  const h = await startHarness(new VfioHost(), policy, {}, { uevents: true });
  const sock = h.config.apiSocket;
  const api = new ApiClient(sock);
  t.teardown(async () => { api.close(); await h.close(); });
  // A lease ends when its owner's session closes; wait until the broker has seen it.
  const free = async (group: number) => {
    for (let i = 0; i < 100 && (await api.getGroup(group)).owner?.lease_id; i++) await new Promise((r) => setTimeout(r, 100));
  };

  await t.test('inventory: types, and an instance created through the broker is a safe emulated-IOMMU group bound to vfio', async (t) => {
    const types = await ctl(sock, 'mdev', 'types');
    t.equal(types.code, 0, types.out);
    const mtty = types.json.find((p: any) => p.name === PARENT);
    const two = mtty?.types.find((x: any) => x.id === TYPE);
    t.ok(two, 'mtty-2 listed');
    t.equal(two.name, 'Dual port serial');
    t.equal(two.device_api, 'vfio-pci');
    const before = two.available_instances;
    t.ok(before > 0, `available_instances ${before}`);

    const uuid = randomUUID();
    const created = await ctl(sock, 'mdev', 'create', TYPE, '--parent', PARENT, '--uuid', uuid);
    t.equal(created.code, 0, created.out);
    const inst = created.json.instance;
    t.equal(inst.uuid, uuid);
    t.ok(inst.has_group, `its group: ${inst.group}`);
    t.ok(fs.existsSync(`/dev/vfio/${inst.group}`), `/dev/vfio/${inst.group} exists (the kernel made no noiommu node)`);
    t.equal(fs.readlinkSync(`/sys/bus/mdev/devices/${uuid}/driver`).split('/').pop(), 'mtty', 'the kernel binds it to its vendor driver, mtty');
    const g = await api.getGroup(inst.group);
    t.equal(g.noiommu, false, 'not noiommu');
    t.equal(g.emulated_iommu, true, 'an emulated-IOMMU group');
    t.equal(g.dev_node, `/dev/vfio/${inst.group}`);
    t.equal(g.viable, true, `viable (${g.viability_reason})`);
    t.same(g.modes, ['MODE_LEGACY', 'MODE_IOMMUFD'], 'both modes');
    t.match(g.devices[0], { name: uuid, bus: 'mdev', driver: 'mtty', mdev_type: TYPE, mdev_parent: PARENT });
    const list = await ctl(sock, 'mdev', 'list');
    t.ok(list.json.some((i: any) => i.uuid === uuid && i.group === inst.group && i.type === TYPE), 'mdev list shows it with its group');
    const after = (await api.listMdevTypes()).parents.find((p) => p.name === PARENT)!.types.find((x) => x.id === TYPE)!;
    t.equal(after.available_instances, before - 1, 'one instance fewer available');

    await t.test('uid 65534 gets the mtty device fd and loops a byte through its UART (legacy)', async (t) => {
      const c = h.client(NOBODY, [{ op: 'acquire', groups: [inst.group] }, { op: 'mtty-loopback', device: uuid }, { op: 'hold' }]);
      const a = await c.step('acquire');
      t.same({ ok: a.ok, container: a.container, groups: a.groups, devices: a.devices }, { ok: true, container: true, groups: [inst.group], devices: [uuid] }, 'container, group and the mdev device fd (GET_DEVICE_FD by UUID)');
      const l = await c.step('mtty-loopback');
      t.equal(l.ok, true, `wrote 0x${l.wrote?.toString(16)} to THR, read 0x${l.read?.toString(16)} from RBR`);
      t.equal(l.vendor, 0x4348, 'config space: vendor 0x4348');
      t.equal(l.lsrAfter & 1, 1, 'LSR data-ready after the write');
      t.comment(JSON.stringify(l));

      const refused = await ctl(sock, 'mdev', 'remove', uuid);
      t.equal(refused.code, 1);
      t.match(refused.out, /FAILED_PRECONDITION: mdev .* is leased/, 'removing a leased instance is refused');
      c.child.kill('SIGTERM');
      await c.exited;
      await free(inst.group);
    });

    await t.test('iommufd mode: the mdev cdev, bound and attached to an IOAS (emulated IOMMU)', async (t) => {
      const c = h.client(NOBODY, [{ op: 'acquire', groups: [inst.group], mode: 'iommufd' }, { op: 'mtty-loopback', device: uuid }, { op: 'release' }]);
      const a = await c.step('acquire');
      t.equal(a.ok, true, JSON.stringify(a));
      t.same({ iommufd: a.iommufd, cdevs: a.cdevs }, { iommufd: true, cdevs: [uuid] }, 'iommufd and the mdev cdev');
      const l = await c.step('mtty-loopback');
      t.equal(l.ok, true, `iommufd: ${JSON.stringify(l)}`);
      await c.exited;
    });

    await free(inst.group);
    const removed = await ctl(sock, 'mdev', 'remove', uuid);
    t.equal(removed.code, 0, removed.out);
    t.equal(removed.json.removed, true);
    t.notOk(fs.existsSync(`/sys/bus/mdev/devices/${uuid}`), 'gone from sysfs');
    t.notOk((await api.listGroups()).some((x) => x.id === inst.group), 'its group gone from the inventory');
  });

  await t.test('Acquire of a type: the broker creates an instance for the lease and removes it when the lease ends', async (t) => {
    const c = h.client(NOBODY, [{ op: 'acquire', mdevType: TYPE }, { op: 'mtty-loopback', device: '*' }, { op: 'hold' }]);
    const a = await c.step('acquire');
    t.equal(a.ok, true, JSON.stringify(a));
    const uuid = a.mdevUuid;
    t.ok(uuid && fs.existsSync(`/sys/bus/mdev/devices/${uuid}`), `instance ${uuid} exists while leased`);
    t.same(a.devices, [uuid], 'its device fd');
    const leases = await api.listLeases();
    t.ok(leases.some((l) => l.mdev_uuid === uuid), 'the lease names its mdev');
    t.equal((await c.step('mtty-loopback')).ok, true, 'and the client drives it');
    await c.step('hold');
    c.child.kill('SIGTERM');
    await c.exited;
    t.ok(await gone(uuid), 'removed once the owner exited and its lease ended');

    const r = h.client(NOBODY, [{ op: 'acquire', mdevType: TYPE }, { op: 'release' }]);
    const a2 = await r.step('acquire');
    t.equal(a2.ok, true, JSON.stringify(a2));
    t.equal((await r.step('release')).ok, true);
    await r.exited;
    t.ok(await gone(a2.mdevUuid), 'and after an explicit release');
    t.ok(h.audit().some((x: any) => x.event === 'mdev-create' && x.rpc === 'Acquire'), 'creation audited');
  });

  await t.test('a type no rule covers is refused before anything is created; available_instances 0 is RESOURCE_EXHAUSTED', async (t) => {
    const before = fs.readdirSync('/sys/bus/mdev/devices').length;
    const c = h.client(NOBODY, [{ op: 'acquire', mdevType: 'mtty-1' }]);
    const a = await c.step('acquire');
    t.equal(a.code, 'PERMISSION_DENIED', a.message);
    await c.exited;
    t.equal(fs.readdirSync('/sys/bus/mdev/devices').length, before, 'nothing created');

    const made: string[] = [];
    for (;;) {
      const avail = Number(fs.readFileSync(`${MDEV_BUS}/${PARENT}/mdev_supported_types/${TYPE}/available_instances`, 'utf8'));
      if (avail === 0 || made.length > 32) break;
      const r = await api.createMdev(TYPE, PARENT);
      made.push(r.instance!.uuid);
    }
    t.ok(made.length > 0, `created ${made.length} instances until available_instances was 0`);
    const err = await api.createMdev(TYPE, PARENT).then(() => null, (e: BrokerCallError) => e);
    t.equal(err?.codeName, 'RESOURCE_EXHAUSTED', err?.message ?? "no error");
    t.match(err?.message ?? '', /available_instances is 0/);
    const c2 = h.client(NOBODY, [{ op: 'acquire', mdevType: TYPE }]);
    const a2 = await c2.step('acquire');
    t.equal(a2.code, 'RESOURCE_EXHAUSTED', a2.message);
    await c2.exited;
    for (const u of made) await api.removeMdev(u);
    t.equal(fs.readdirSync('/sys/bus/mdev/devices').length, before, 'all removed again');
  });
}
