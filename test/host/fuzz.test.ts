/**
 * Malformed input against the running daemon (in this process; the kernel is
 * FakeHost with real eventfds): random, truncated and oversized fd-channel
 * datagrams, some carrying fds; raw bytes that are not protobuf; well-formed
 * requests with hostile values (sysfs escapes, NUL bytes, huge strings, unknown
 * enums, wrong types). The daemon must never crash, answer every gRPC case with
 * INVALID_ARGUMENT or NOT_FOUND (never UNKNOWN or INTERNAL), close every fd a
 * client sent, and be left with no lease, no session and no extra fd.
 *
 * VFIO_BROKER_FUZZ_SEED replays a run; VFIO_BROKER_FUZZ_CASES scales it.
 */
import t from 'tap';
import fs from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { realLibc } from '../../src/kernel/libc.js';
import { OwnedFd } from '../../src/kernel/owned-fd.js';
import { SeqpacketConnection } from '../../src/kernel/seqpacket.js';
import { BrokerClient } from '../../src/client/broker-client.js';
import { ApiClient, BrokerCallError } from '../../src/client/api-client.js';
import { FakeHost, edu, group } from '../fixtures/fake-host.js';
import { startHarness } from '../fixtures/daemon-harness.js';

const SEED = Number(process.env.VFIO_BROKER_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const CASES = Number(process.env.VFIO_BROKER_FUZZ_CASES ?? 10_000);
t.comment(`fuzz seed ${SEED} (replay with VFIO_BROKER_FUZZ_SEED=${SEED}), ${CASES} cases`);

/** mulberry32: small, seedable, good enough to pick inputs. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 2 ** 32;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)];
  const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => int(256)));
  return { next, int, pick, bytes };
}
const R = prng(SEED);

const HOSTILE_NAMES = ['../0000:00:03.0', '0000:00:03.0/../../..', '..', '.', '/etc/passwd', '0000:00:03.0\0', 'a\0b', '\0', '', ' ', 'x'.repeat(65), 'x'.repeat(100_000), '%2e%2e', '0000:00:03.0\n', '../../../../sys/kernel', '\u202e', '😀'];
const HOSTILE_GROUPS: unknown[] = [-1, 1.5, 2 ** 32, 2 ** 53, NaN, '1', '../1', null, 'NaN', 99999];
const fdCount = () => fs.readdirSync('/proc/self/fd').length;

t.test('hostile input never crashes the daemon, always gets a clean answer, and leaves nothing behind', async (t) => {
  const host = new FakeHost([group(1, [edu('0000:00:03.0')]), group(2, [edu('0000:00:04.0')])], { realFds: realLibc() });
  const h = await startHarness(host, { rules: [] }, {}, { keepLogs: false });
  const libc = realLibc();
  // Warm up so lazily created fds (gRPC channel, loaders) are in the baseline.
  { const c = await BrokerClient.connect({ apiSocket: h.config.apiSocket, fdSocket: h.config.fdSocket, reconnectMs: 0 }); await c.release(await c.acquire({ groups: [1] })); c.close(); }
  await new Promise((r) => setTimeout(r, 100));
  const baseline = fdCount();
  const counts = { fdChannel: 0, withFds: 0, disconnects: 0, rawGrpc: 0, hostileRequests: 0 };
  const codes = new Map<string, number>();
  const bad: string[] = [];
  const budget = { fd: Math.floor(CASES * 0.4), raw: Math.floor(CASES * 0.3) };
  const hostile = CASES - budget.fd - budget.raw;

  // 1. The fd channel: random, truncated, oversized datagrams, some with fds.
  let conn = SeqpacketConnection.connect(h.config.fdSocket);
  let replies = 0;
  const wire = (c: SeqpacketConnection) => c.on('message', (m) => { replies++; for (const f of m.fds) f.close(); });
  wire(conn);
  for (let i = 0; i < budget.fd; i++) {
    const kind = R.int(5);
    let data: Buffer;
    if (kind === 0) data = R.bytes(R.int(200));
    else if (kind === 1) data = Buffer.from(JSON.stringify({ type: R.pick(['ping', 'fds', 'hello', 'acquire', 'x']), request: 'R-1', fds: [{ role: 'device' }] }).slice(0, R.int(60)));
    else if (kind === 2) data = Buffer.from(JSON.stringify({ type: 'ping', pad: 'x'.repeat(R.int(5000)) }));
    else if (kind === 3) data = Buffer.alloc(R.int(3) === 0 ? 60_000 : 1); // big, or a single NUL byte
    else data = Buffer.from('{"type":"ping"}');
    const fds: OwnedFd[] = [];
    if (R.int(4) === 0) {
      for (let k = 0, n = 1 + R.int(4); k < n; k++) fds.push(new OwnedFd(libc.eventfd(0, 0o2000000), 'fuzz eventfd'));
      counts.withFds++;
    }
    try {
      await conn.send(data, fds);
    } catch (e) {
      // The daemon hung up on us: a clean disconnect is an acceptable answer to garbage.
      if (/EPIPE|ECONNRESET|closed/.test((e as Error).message)) counts.disconnects++;
      else bad.push(`fd channel send failed: ${(e as Error).message}`);
    }
    for (const f of fds) f.close(); // our copies; the daemon must close its own
    counts.fdChannel++;
    if (conn.closed) { conn = SeqpacketConnection.connect(h.config.fdSocket); wire(conn); }
    // Bursts without yielding, like a hostile client: this once wedged the
    // connection (POLLERR ignored; see SeqpacketConnection.onPoll).
    if (i % 500 === 499) await new Promise((r) => setImmediate(r));
  }
  await new Promise((r) => setTimeout(r, 300));
  t.ok(replies > budget.fd * 0.5, `the daemon answered the fd-channel garbage (${replies} replies to ${budget.fd} datagrams)`);
  conn.close();

  // 2. Raw bytes that are not (or are broken) protobuf, to every method.
  const methods = ['ListGroups', 'GetGroup', 'Acquire', 'Release', 'OpenDevice', 'ListLeases', 'Reattach', 'Share', 'Redeem', 'Revoke', 'Holders', 'Status', 'Bind', 'Unbind'];
  const raw = new grpc.Client(`unix:${h.config.apiSocket}`, grpc.credentials.createInsecure());
  const rawCall = (method: string, body: Buffer) => new Promise<string>((resolve) => {
    raw.makeUnaryRequest(`/vfiobroker.v1.Broker/${method}`, (b: Buffer) => b, (b: Buffer) => b, body, { deadline: Date.now() + 10_000 }, (err) => resolve(err ? grpc.status[err.code] : 'OK'));
  });
  for (let i = 0; i < budget.raw; i++) {
    const method = R.pick(methods);
    // Random bytes, or a valid-looking field tag with a length that overruns.
    const body = R.int(2) ? R.bytes(R.int(64)) : Buffer.concat([Buffer.from([0x0a, 0xff, 0x7f]), R.bytes(R.int(8))]);
    const code = await rawCall(method, body);
    codes.set(code, (codes.get(code) ?? 0) + 1);
    if (['UNKNOWN', 'INTERNAL', 'UNAVAILABLE'].includes(code)) bad.push(`${method} raw ${body.toString('hex').slice(0, 40)} → ${code}`);
    counts.rawGrpc++;
  }
  raw.close();

  // 3. Well-formed messages with hostile values.
  const api = new ApiClient(h.config.apiSocket);
  // Untyped on purpose: these requests break the wire types (unknown modes, any method name).
  const call = api.call.bind(api) as (method: string, req: object, deadlineMs: number) => Promise<unknown>;
  const session = { id: 'S-nope', secret: 'x' };
  for (let i = 0; i < hostile; i++) {
    const name = R.pick(HOSTILE_NAMES);
    const grp = R.pick(HOSTILE_GROUPS);
    const req = R.pick([
      (): [string, object] => ['GetGroup', { id: grp }],
      () => ['Acquire', { session, groups: [grp], devices: [] }],
      () => ['Acquire', { session, groups: [], devices: [name] }],
      () => ['Acquire', { session, groups: [1], devices: [], mode: R.pick([7, 99, -1, 'MODE_NOPE']) }],
      () => ['OpenDevice', { session, lease_id: name, device: name }],
      () => ['Holders', { group: grp }],
      () => ['Redeem', { session, grant: name }],
      () => ['Release', { session, lease_id: name }],
      () => ['Reattach', { session, lease_ids: [name], lease_secret: name }],
    ])() as unknown as [string, object];
    try {
      await call(req[0], req[1], 10_000);
      // Protobuf makes "1" and 1.5 into uint32 1 before the daemon sees them: a
      // read of group 1 is a fine answer. Nothing that grants or changes may pass.
      if (!['GetGroup', 'Holders'].includes(req[0])) bad.push(`${req[0]} ${JSON.stringify(req[1]).slice(0, 80)} succeeded`);
      codes.set('OK', (codes.get('OK') ?? 0) + 1);
    } catch (e) {
      const code = e instanceof BrokerCallError ? e.codeName : `client-side ${(e as Error).message.slice(0, 60)}`;
      codes.set(code, (codes.get(code) ?? 0) + 1);
      if (!['INVALID_ARGUMENT', 'NOT_FOUND', 'UNAUTHENTICATED', 'PERMISSION_DENIED'].includes(code) && !code.startsWith('client-side')) {
        bad.push(`${req[0]} ${JSON.stringify(req[1]).slice(0, 80)} → ${code}`);
      }
    }
    counts.hostileRequests++;
  }
  api.close();

  t.comment(`cases: ${JSON.stringify(counts)}; answers: ${JSON.stringify(Object.fromEntries(codes))}`);
  t.same(bad.slice(0, 20), [], 'every case got INVALID_ARGUMENT / NOT_FOUND / UNAUTHENTICATED (never UNKNOWN, INTERNAL or a crash)');
  // Still serving normally after all that.
  const c = await BrokerClient.connect({ apiSocket: h.config.apiSocket, fdSocket: h.config.fdSocket, reconnectMs: 0 });
  const lease = await c.acquire({ groups: [1] });
  t.equal(lease.devices.size, 1, 'a normal acquire still works afterwards');
  await c.release(lease);
  c.close();
  await new Promise((r) => setTimeout(r, 300));
  t.equal(h.daemon.service.leases.size, 0, 'no lease left');
  t.equal(h.daemon.service.sessions.size, 0, 'no session left');
  t.equal(fdCount(), baseline, 'every fd a client sent was closed; none leaked');
  t.ok(counts.fdChannel + counts.rawGrpc + counts.hostileRequests >= CASES, `${CASES} cases run`);
  await h.close();
});
