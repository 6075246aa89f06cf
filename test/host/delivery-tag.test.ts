/**
 * A request tag on Acquire and RedeemClaim: the fd channel's delivery header
 * echoes it with the lease, so the client library completes when the fds are in
 * hand. Without a tag (an older client) the header is as before; a bad tag is
 * INVALID_ARGUMENT before anything is reserved.
 */
import t from 'tap';
import { realLibc } from '../../src/kernel/libc.js';
import { BrokerClient } from '../../src/client/broker-client.js';
import { decodeDaemon } from '../../src/protocol/fd-protocol.js';
import { FakeHost, edu, group } from '../fixtures/fake-host.js';
import { startHarness } from '../fixtures/daemon-harness.js';

const host = () => new FakeHost([group(1, [edu('0000:00:03.0', 'vfio0')]), group(2, [edu('0000:00:04.0', 'vfio1')])], { realFds: realLibc() });

t.test('the header carries the tag and the lease the reply names; an untagged call gets the former header', async (t) => {
  const h = await startHarness(host(), { rules: [] });
  const c = await BrokerClient.connect({ apiSocket: h.config.apiSocket, fdSocket: h.config.fdSocket, reconnectMs: 0 });
  t.teardown(async () => { c.close(); await h.close(); });
  const headers: Record<string, unknown>[] = [];
  c.conn.on('message', (m) => { const d = decodeDaemon(m.data, m.fds.length); if (d.type === 'fds') headers.push(d as unknown as Record<string, unknown>); });

  const raw = await c.api.call('Acquire', { session: { id: c.session.id, secret: c.session.secret }, groups: [1], request_tag: 'tag-1.x_Y' });
  await new Promise((r) => setTimeout(r, 50));
  const tagged = headers.find((x) => x.request === raw.request_id)!;
  t.equal(tagged.tag, 'tag-1.x_Y');
  t.same(tagged.lease, { id: raw.lease_id, secret: raw.lease_secret, groups: [1], mode: 'legacy', memlock_bytes: Number(raw.memlock_bytes) });

  const plain = await c.api.call('Acquire', { session: { id: c.session.id, secret: c.session.secret }, groups: [2] });
  await new Promise((r) => setTimeout(r, 50));
  const untagged = headers.find((x) => x.request === plain.request_id)!;
  t.notOk('tag' in untagged, 'no tag asked, none sent');
  t.notOk('lease' in untagged, 'nor the lease');
  await c.release(raw.lease_id);
  await c.release(plain.lease_id);
});

t.test('bad tags are INVALID_ARGUMENT and reserve nothing', async (t) => {
  const h = await startHarness(host(), { rules: [] });
  const c = await BrokerClient.connect({ apiSocket: h.config.apiSocket, fdSocket: h.config.fdSocket, reconnectMs: 0 });
  t.teardown(async () => { c.close(); await h.close(); });
  for (const tag of ['x'.repeat(65), 'a b', 'ä', '../x', 'a\n']) {
    await t.rejects(c.api.call('Acquire', { session: { id: c.session.id, secret: c.session.secret }, groups: [1], request_tag: tag }), { code: 3 }, JSON.stringify(tag));
  }
  t.equal(h.daemon.service.leases.size, 0, 'nothing reserved');
  await t.rejects(c.api.call('RedeemClaim', { session: { id: c.session.id, secret: c.session.secret }, claim_id: 'C-x', token: 't', request_tag: 'no way' }), { code: 3 });
});

t.test('the library: acquire and redeemClaim complete from the header, with the same lease as the reply', async (t) => {
  const h = await startHarness(host(), { rules: [] });
  const c = await BrokerClient.connect({ apiSocket: h.config.apiSocket, fdSocket: h.config.fdSocket, reconnectMs: 0 });
  t.teardown(async () => { c.close(); await h.close(); });
  const lease = await c.acquire({ groups: [1] });
  t.same({ groups: lease.groupIds, mode: lease.mode, devices: [...lease.devices.keys()] }, { groups: [1], mode: 'legacy', devices: ['0000:00:03.0'] });
  const listed = await c.api.call('ListLeases', {});
  t.same(listed.leases.map((l) => l.id), [lease.id]);
  await c.release(lease);

  const made = await c.api.call('CreateClaim', { groups: [2], mode: 'MODE_IOMMUFD', ttl_seconds: 60 });
  const redeemed = await c.redeemClaim(made.claim!.id, made.token);
  t.equal(redeemed.mode, 'iommufd', 'the mode from the header');
  t.ok(redeemed.iommufd, '/dev/iommu delivered');
  t.same(redeemed.groupIds, [2]);
  await c.release(redeemed);
  t.equal(h.daemon.service.leases.size, 0);
});
