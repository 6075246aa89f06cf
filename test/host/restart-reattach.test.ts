/**
 * A daemon restart seen from a client: the library reconnects by itself and
 * re-attaches its lease; meanwhile the journal keeps the group reserved. (The
 * guest's systemd suite adds the fd store, so device fds can be minted again.)
 */
import t from 'tap';
import pino from 'pino';
import { realLibc } from '../../src/kernel/libc.js';
import { startDaemon } from '../../src/daemon/daemon.js';
import { FakeHost, edu, group } from '../fixtures/fake-host.js';
import { startHarness } from '../fixtures/daemon-harness.js';

const NOBODY = 65534;
const policy = { rules: [{ name: 'nobody', uids: [NOBODY], devices: { any: true } }] };

t.test('the client library re-attaches its lease across a daemon restart', async (t) => {
  const host = new FakeHost([group(1, [edu('0000:00:03.0')]), group(2, [edu('0000:00:04.0')])], { realFds: realLibc() });
  const h = await startHarness(host, policy);
  const owner = h.client(NOBODY, [{ op: 'acquire', groups: [1] }, { op: 'await-reconnect' }, { op: 'hold' }]);
  const a = await owner.step('acquire');
  t.equal(a.ok, true);

  await h.daemon.close();
  t.equal((await owner.step('disconnected')).op, 'disconnected', 'the client notices the daemon going away');
  const log = pino({ level: 'silent' });
  const second = await startDaemon(h.config, { host, log, uevents: false, bootId: 'test-boot' });
  t.teardown(() => second.close());
  t.equal(second.service.leases.get(a.lease)?.state, 'orphaned', 'restored from the journal, waiting for its owner');

  const back = await owner.step('await-reconnect');
  t.same(back.leases, [a.lease], 'the same lease, re-attached');
  t.equal(second.service.leases.get(a.lease)?.state, 'active');
  t.equal(second.service.leases.get(a.lease)?.sessionId, back.session, 'on the new session');

  const other = h.client(NOBODY, [{ op: 'acquire', groups: [1] }]);
  const refused = await other.step('acquire');
  t.equal(refused.code, 'ALREADY_EXISTS', `nobody else gets the group: ${refused.message}`);
  t.equal(refused.details['owner-pid'], String(owner.child.pid));
  await other.exited;
  owner.child.kill('SIGKILL');
  await owner.exited;
  await new Promise((r) => setTimeout(r, 200));
  t.equal(second.service.leases.size, 0, 'the owner dying ends it as usual');
  await second.close();
  await h.close();
});
