/**
 * The whole daemon on the host, through its real sockets (gRPC + fd channel),
 * with clients running as other uids. Only the kernel is a stand-in (FakeHost,
 * with real eventfds as the "VFIO" fds so they can cross the socket); the
 * guest suite repeats this against the real kernel.
 */
import t from 'tap';
import fs from 'node:fs';
import http from 'node:http';
import { realLibc } from '../../src/kernel/libc.js';
import { ApiClient } from '../../src/client/api-client.js';
import { main as brokerctl } from '../../src/cli/brokerctl.js';
import { FakeHost, edu, group } from '../fixtures/fake-host.js';
import { startHarness, watchFor, type Harness } from '../fixtures/daemon-harness.js';

const NOBODY = 65534;
const policy = { rules: [{ name: 'nobody-edu', uids: [NOBODY], devices: { vendorDevice: ['1234:11e8'] }, memlock: '64m' }] };

function host() {
  return new FakeHost([
    group(1, [edu('0000:00:03.0', 'vfio0')]),
    group(2, [edu('0000:00:04.0', 'vfio1')]),
    group(3, [edu('0000:03:01.0', 'vfio3'), { ...edu('0000:03:02.0', null, 'virtio-pci'), vendor: '0x1af4', device: '0x1005' }]),
  ], { realFds: realLibc() });
}

let h: Harness;
let baseline = 0;
t.before(async () => {
  h = await startHarness(host(), policy);
  baseline = fs.readdirSync('/proc/self/fd').length;
});
// tap ends the root test only when the loop empties, which a running daemon never
// lets happen: shut it down explicitly in the last test.

const fdCount = () => fs.readdirSync('/proc/self/fd').length;

t.test('an unprivileged client acquires, a second is refused with the owner, release frees it', async (t) => {
  const a = h.client(NOBODY, [{ op: 'acquire', groups: [1] }, { op: 'hold' }]);
  const got = await a.step('acquire');
  t.equal(got.ok, true, JSON.stringify(got));
  t.same({ count: got.count, valid: got.valid, container: got.container, groups: got.groups, devices: got.devices }, { count: 3, valid: true, container: true, groups: [1], devices: ['0000:00:03.0'] });

  const b = h.client(NOBODY, [{ op: 'acquire', groups: [1] }]);
  const refused = await b.step('acquire');
  t.equal(refused.ok, false);
  t.equal(refused.code, 'ALREADY_EXISTS');
  t.equal(refused.details['owner-pid'], String(a.child.pid));
  t.equal(refused.details['owner-uid'], String(NOBODY));
  await b.exited;

  // Kill the owner: the session closes and the lease ends.
  const api = new ApiClient(h.config.apiSocket);
  const { event: released } = await watchFor(api, 'lease-released');
  const killedAt = process.hrtime.bigint();
  a.child.kill('SIGKILL');
  const ev = await released;
  t.comment(`kill → release seen on Watch: ${(Number(process.hrtime.bigint() - killedAt) / 1e6).toFixed(1)} ms`);
  t.equal(ev.owner.cred.pid, a.child.pid);
  t.match(ev.reason, /session closed/);
  api.close();
  t.equal(h.daemon.service.leases.size, 0);
});

t.test('policy refusal is audited; unknown and hostile names get the right codes', async (t) => {
  const stranger = h.client(4242, [{ op: 'acquire', groups: [1] }], { gid: NOBODY });
  const r = await stranger.step('acquire');
  t.equal(r.code, 'PERMISSION_DENIED');
  t.ok(h.audit().some((a: any) => a.event === 'refusal' && a.who.uid === 4242), 'refusal in the audit file');
  const c = h.client(NOBODY, [
    { op: 'acquire', groups: [99] }, { op: 'acquire', devices: ['../../etc/passwd'] }, { op: 'acquire', groups: [3] },
  ]);
  await c.exited;
  t.same(c.lines.filter((l) => l.op === 'acquire').map((l) => l.code), ['NOT_FOUND', 'INVALID_ARGUMENT', 'FAILED_PRECONDITION']);
  t.match(c.lines[3].message, /0000:03:02.0 is bound to virtio-pci/);
});

t.test('sharing: the grantee redeems fresh fds, another uid cannot', async (t) => {
  const owner = h.client(NOBODY, [{ op: 'acquire', groups: [2] }, { op: 'share', uid: 1234, devices: ['0000:00:04.0'] }, { op: 'hold' }]);
  const share = await owner.step('share');
  t.equal(share.ok, true, JSON.stringify(share));
  const helper = h.client(1234, [{ op: 'redeem', grant: share.grant }], { gid: NOBODY });
  const red = await helper.step('redeem');
  t.same({ ok: red.ok, devices: red.devices, valid: red.valid, container: red.container }, { ok: true, devices: ['0000:00:04.0'], valid: true, container: false });
  const thief = h.client(4321, [{ op: 'redeem', grant: share.grant }], { gid: NOBODY });
  t.equal((await thief.step('redeem')).code, 'PERMISSION_DENIED');
  owner.child.kill('SIGTERM');
  await owner.exited;
});

t.test('brokerctl groups/leases/holders over the real socket', async (t) => {
  const holder = h.client(NOBODY, [{ op: 'acquire', groups: [1] }, { op: 'hold' }]);
  await holder.step('acquire');
  let out = '';
  const w = { write: (s: string) => { out += s; } };
  t.equal(await brokerctl(['-s', h.config.apiSocket, '-o', 'json', 'groups'], w, w), 0);
  const groups = JSON.parse(out);
  t.same(groups.map((g: any) => g.id), [1, 2, 3]);
  t.equal(groups[0].owner.cred.pid, holder.child.pid);
  out = '';
  t.equal(await brokerctl(['-s', h.config.apiSocket, 'leases'], w, w), 0);
  t.match(out, new RegExp(`LEASE\\s+GROUPS.*\\n\\S+\\s+1\\s+legacy\\s+active\\s+${holder.child.pid}\\s+65534`));
  out = '';
  t.equal(await brokerctl(['-s', h.config.apiSocket, 'group', '77'], w, w), 3, 'not found exit code');
  t.equal(await brokerctl(['-s', h.config.apiSocket, 'bogus'], w, w), 2, 'usage exit code');

  // group-type: refused while leased or bound (exit 1, the reason on stderr), JSON on success.
  out = '';
  t.equal(await brokerctl(['-s', h.config.apiSocket, 'group-type', '1', 'identity'], w, w), 1);
  t.match(out, /FAILED_PRECONDITION: group 1 is leased/);
  out = '';
  t.equal(await brokerctl(['-s', h.config.apiSocket, 'group-type', '2', 'identity'], w, w), 1);
  t.match(out, /0000:00:04.0 is bound to vfio-pci/);
  t.equal(await brokerctl(['-s', h.config.apiSocket, 'group-type', '2'], w, w), 2, 'no type: usage');
  const fake = h.daemon.service.host as FakeHost;
  fake.group(2)!.devices[0].driver = null;
  out = '';
  t.equal(await brokerctl(['-s', h.config.apiSocket, '-o', 'json', 'group-type', '2', 'identity'], w, w), 0);
  t.match(JSON.parse(out), { group: 2, previous: 'DMA', type: 'identity', original: 'DMA', restored: false });
  out = '';
  t.equal(await brokerctl(['-s', h.config.apiSocket, 'group-type', '2', '--restore'], w, w), 0);
  t.match(out, /group 2: identity -> DMA \(restored\)/);
  fake.group(2)!.devices[0].driver = 'vfio-pci';
  holder.child.kill('SIGKILL');
  await holder.exited;
});

const get = (socketPath: string, path: string) => new Promise<string>((resolve, reject) => {
  http.get({ socketPath, path, agent: false }, (res) => { let b = ''; res.on('data', (d) => { b += d; }); res.on('end', () => resolve(b)); }).on('error', reject);
});

t.test('metrics and health over the HTTP socket', async (t) => {
  const body = await get(h.config.httpSocket, '/metrics');
  t.match(body, /vfio_broker_acquires_total\{result="ok",mode="legacy"\} \d+/);
  t.match(body, /vfio_broker_fds_delivered_total\{role="device"\} \d+/);
  t.match(body, /vfio_broker_policy_refusals_total\{rpc="Acquire"\} 1/);
  t.match(await get(h.config.httpSocket, '/readyz'), /"status":"ready"/);
});

t.test('no fd leaked by the daemon once every client is gone', async (t) => {
  await new Promise((r) => setTimeout(r, 200));
  t.equal(h.daemon.service.leases.size, 0);
  t.equal(h.daemon.service.sessions.size, 0);
  const fds = () => fs.readdirSync('/proc/self/fd').map((f) => { try { return `${f}->${fs.readlinkSync(`/proc/self/fd/${f}`)}`; } catch { return f; } });
  if (fdCount() !== baseline) t.comment(fds().join(' '));
  t.equal(fdCount(), baseline, `daemon fd count back at its baseline (${baseline})`);
});

t.test('shutdown', async () => {
  await h.close();
});
