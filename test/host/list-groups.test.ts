/**
 * ListGroups filters and paging, and Watch fan-out, through the daemon's real
 * gRPC socket (FakeHost underneath): what an old client sees is unchanged, the
 * encoded-ahead answer decodes like any other, bad paging is INVALID_ARGUMENT,
 * vfio-brokerctl passes its filters, and many watchers share one listener.
 */
import t from 'tap';
import { ApiClient, BrokerCallError } from '../../src/client/api-client.js';
import { main as brokerctl } from '../../src/cli/brokerctl.js';
import { FakeHost, edu, group } from '../fixtures/fake-host.js';
import { startHarness, type Harness } from '../fixtures/daemon-harness.js';

const nic = (name: string) => ({ ...edu(name, null, 'ixgbe'), vendor: '0x8086', device: '0x1520', class: '0x020000' });
const groups = Array.from({ length: 40 }, (_, i) => group(i + 1, [i % 4 === 0 ? nic(`0000:${(i + 1).toString(16).padStart(2, '0')}:00.0`) : edu(`0000:${(i + 1).toString(16).padStart(2, '0')}:00.0`, `vfio${i}`)]));

let h: Harness;
let api: ApiClient;
t.before(async () => {
  h = await startHarness(new FakeHost(groups), { rules: [] });
  api = new ApiClient(h.config.apiSocket);
});

t.test('an empty request lists every group in one answer, as before', async (t) => {
  const r = await api.call('ListGroups');
  t.equal(r.groups.length, 40);
  t.equal(r.next_page_token, '');
  t.same(r.groups.map((g) => g.id), groups.map((g) => g.id));
  t.equal(r.groups[1].devices[0].vendor, '0x1234');
  t.same(r.groups[1].modes, ['MODE_LEGACY', 'MODE_IOMMUFD']);
  t.equal(r.groups[1].owner, null);
});

t.test('filters and pages', async (t) => {
  const nics = await api.call('ListGroups', { vendor_device: '8086:1520' });
  t.same(nics.groups.map((g) => g.id), [1, 5, 9, 13, 17, 21, 25, 29, 33, 37]);
  const p1 = await api.call('ListGroups', { class: '0x02', page_size: 4 });
  t.same(p1.groups.map((g) => g.id), [1, 5, 9, 13]);
  const p2 = await api.call('ListGroups', { class: '0x02', page_size: 4, page_token: p1.next_page_token });
  t.same(p2.groups.map((g) => g.id), [17, 21, 25, 29]);
  t.equal((await api.listGroups({ page_size: 7, mode: 'MODE_IOMMUFD' })).length, 30, 'the client walks every page');
});

t.test('bad page token or page size: INVALID_ARGUMENT', async (t) => {
  for (const req of [{ page_token: 'not-a-token' }, { page_size: 10_001 }, { vendor_device: 'nonsense' }]) {
    const e = await api.call('ListGroups', req).catch((x: BrokerCallError) => x);
    t.type(e, BrokerCallError);
    t.equal((e as BrokerCallError).codeName, 'INVALID_ARGUMENT', JSON.stringify(req));
  }
});

t.test('vfio-brokerctl groups passes its filters', async (t) => {
  let out = '';
  const w = { write: (s: string) => { out += s; } };
  t.equal(await brokerctl(['-s', h.config.apiSocket, '-o', 'json', 'groups', '--device', '8086:', '--page-size', '3'], w, w), 0);
  t.same(JSON.parse(out).map((g: { id: number }) => g.id), [1, 5, 9, 13, 17, 21, 25, 29, 33, 37]);
  out = '';
  t.equal(await brokerctl(['-s', h.config.apiSocket, 'groups', '--mode', 'bogus'], w, w), 2);
});

t.test('many watchers: one listener on the service, no MaxListeners warning', async (t) => {
  const warnings: Error[] = [];
  const onWarn = (w: Error) => warnings.push(w);
  process.on('warning', onWarn);
  const streams = Array.from({ length: 25 }, () => api.watch(() => {}, () => {}));
  await new Promise((r) => setTimeout(r, 300));
  t.equal(h.daemon.service.listenerCount('event'), 1);
  for (const s of streams) s.cancel();
  await new Promise((r) => setTimeout(r, 300));
  t.equal(h.daemon.service.listenerCount('event'), 0, 'the last watcher gone, the listener goes');
  process.off('warning', onWarn);
  t.same(warnings.filter((w) => w.name === 'MaxListenersExceededWarning'), []);
});

t.test('shutdown', async () => {
  api.close();
  await h.close();
});
