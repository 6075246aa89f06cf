/**
 * The grant rows of the authorization matrix (issue 10), over the real daemon
 * and its sockets: a uid 65534 owner shares its lease in every way the protocol
 * allows, and processes of the same uid and of another uid redeem. Each row
 * names the expected gRPC status; the table is printed.
 */
import t from 'tap';
import path from 'node:path';
import readline from 'node:readline';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { realLibc } from '../../src/kernel/libc.js';
import { Procfs } from '../../src/kernel/procfs.js';
import { FakeHost, edu, group } from '../fixtures/fake-host.js';
import { cleanEnv, outsideTap, startHarness } from '../fixtures/daemon-harness.js';

const PEER = path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/grant-peer.ts');
const NOBODY = 65534;
const STRANGER = 4242;

interface Peer { pid: number; uid: number; child: ChildProcess; ask(cmd: object): Promise<any> }

function peer(spec: string, uid: number): Promise<Peer> {
  const child = spawn(...outsideTap(process.execPath, ['--import', 'tsx', PEER, spec]), { uid, gid: NOBODY, stdio: ['pipe', 'pipe', 'pipe'], env: cleanEnv() });
  let stderr = '';
  child.stderr!.on('data', (d) => { stderr += d; });
  const waiting: ((l: any) => void)[] = [];
  const early: any[] = [];
  readline.createInterface({ input: child.stdout! }).on('line', (l) => {
    const obj = JSON.parse(l);
    const w = waiting.shift();
    if (w) w(obj); else early.push(obj);
  });
  const next = () => new Promise<any>((resolve, reject) => {
    if (early.length) { resolve(early.shift()); return; }
    const timer = setTimeout(() => reject(new Error(`peer uid ${uid} did not answer; stderr: ${stderr.slice(-500)}`)), 60_000);
    waiting.push((l) => { clearTimeout(timer); resolve(l); });
  });
  return next().then((ready) => ({
    pid: ready.pid, uid, child,
    ask(cmd: object) { child.stdin!.write(`${JSON.stringify(cmd)}\n`); return next(); },
  }));
}

t.test('grants: with and without uid, pid-bound, expired, single-use, revoked', async (t) => {
  const host = new FakeHost([group(1, [edu('0000:00:03.0')])], { realFds: realLibc() });
  // Real processes: pid-bound grants need their start times from the real /proc.
  const proc = new Procfs('/proc');
  (host as { describe(pid: number): object }).describe = (pid: number) => proc.describe(pid);
  const h = await startHarness(host, { rules: [{ name: 'vms', uids: [NOBODY], devices: { any: true }, allowShare: true }] });
  const spec = JSON.stringify({ api: h.config.apiSocket, fd: h.config.fdSocket });
  const [owner, a, b, stranger] = await Promise.all([peer(spec, NOBODY), peer(spec, NOBODY), peer(spec, NOBODY), peer(spec, STRANGER)]);
  t.teardown(async () => {
    for (const p of [owner, a, b, stranger]) p.child.kill('SIGKILL');
    await h.close();
  });
  const acquired = await owner.ask({ op: 'acquire', groups: [1] });
  t.equal(acquired.code, 'OK', 'uid 65534 owns group 1');
  const table: string[] = [];
  const row = (name: string, got: string, want: string) => {
    t.equal(got, want, `${name}: ${want}`);
    table.push(`${name.padEnd(64)} ${got}${got === want ? '' : ` (expected ${want})`}`);
  };
  const share = async (req: object) => owner.ask({ op: 'share', req });
  const redeem = async (p: Peer, grant: string) => (await p.ask({ op: 'redeem', grant })).code as string;

  row('Share without uid (nor any_uid)', (await share({})).code, 'INVALID_ARGUMENT');
  row('Share with any_uid but no pid', (await share({ any_uid: true })).code, 'INVALID_ARGUMENT');
  row('Share with uid 4294967295', (await share({ uid: 4294967295 })).code, 'INVALID_ARGUMENT');
  row('Share with pid -1', (await share({ uid: NOBODY, pid: -1 })).code, 'INVALID_ARGUMENT');

  const forUid = await share({ uid: NOBODY });
  row('Share for uid 65534', forUid.code, 'OK');
  row('  Redeem by another uid (4242)', await redeem(stranger, forUid.grant), 'PERMISSION_DENIED');
  row('  Redeem by a uid 65534 process', await redeem(a, forUid.grant), 'OK');
  row('  Redeem by another uid 65534 process (not single-use)', await redeem(b, forUid.grant), 'OK');

  const forStranger = await share({ uid: STRANGER });
  row('  Redeem of a grant for uid 4242 by uid 65534', await redeem(a, forStranger.grant), 'PERMISSION_DENIED');
  row('  Redeem of a grant for uid 4242 by uid 4242', await redeem(stranger, forStranger.grant), 'OK');

  const pidOnly = await share({ any_uid: true, pid: a.pid });
  row('Share for one process (any_uid + pid)', pidOnly.code, 'OK');
  row('  Redeem by another process of the same uid', await redeem(b, pidOnly.grant), 'PERMISSION_DENIED');
  row('  Redeem by a process of another uid', await redeem(stranger, pidOnly.grant), 'PERMISSION_DENIED');
  row('  Redeem by that process', await redeem(a, pidOnly.grant), 'OK');

  const uidPid = await share({ uid: NOBODY, pid: a.pid });
  row('Share for uid 65534 and one process', uidPid.code, 'OK');
  row('  Redeem by another process of the same uid', await redeem(b, uidPid.grant), 'PERMISSION_DENIED');
  row('  Redeem by that process', await redeem(a, uidPid.grant), 'OK');

  const once = await share({ uid: NOBODY, single_use: true });
  row('Share single-use', once.code, 'OK');
  row('  first Redeem', await redeem(a, once.grant), 'OK');
  row('  second Redeem (same process)', await redeem(a, once.grant), 'NOT_FOUND');
  row('  second Redeem (another process)', await redeem(b, once.grant), 'NOT_FOUND');

  const short = await share({ uid: NOBODY, ttl_seconds: 1 });
  row('Share with ttl_seconds 1', short.code, 'OK');
  await new Promise((r) => setTimeout(r, 1500));
  row('  Redeem after it expired', await redeem(a, short.grant), 'NOT_FOUND');

  const revoked = await share({ uid: NOBODY });
  row('Share, then RevokeGrant by the owner', (await owner.ask({ op: 'revoke-grant', grantId: revoked.grantId })).code, 'OK');
  row('  Redeem after the revoke', await redeem(a, revoked.grant), 'NOT_FOUND');
  row('  RevokeGrant by the grantee (not the lease owner)', (await a.ask({ op: 'revoke-grant', grantId: forUid.grantId, leaseId: acquired.lease })).code, 'PERMISSION_DENIED');
  row('Redeem of a made-up token', await redeem(a, 'G-not-a-token'), 'NOT_FOUND');
  t.comment(`grant matrix:\n${table.join('\n')}`);
});
