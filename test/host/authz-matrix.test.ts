/**
 * The authorization matrix: every RPC, called by a process running as root, as a
 * member of the admin group, as a uid the policy allows, and as an unrelated uid
 * (the daemon authenticates each by SO_PEERCRED). The expected table is written
 * out below and asserted cell by cell; every denial must leave a refusal in the
 * audit log. Lease-scoped calls target a lease owned by another process.
 */
import t from 'tap';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { realLibc } from '../../src/kernel/libc.js';
import { FakeHost, edu, group } from '../fixtures/fake-host.js';
import { ScriptedClient, cleanEnv, startHarness } from '../fixtures/daemon-harness.js';

const RPC_AS = path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/rpc-as.ts');
const NOBODY = 65534;
const STAFF = 50; // Debian's "staff" group: the admin group here
type Who = 'root' | 'admin' | 'allowed' | 'unrelated';
const WHO: Who[] = ['root', 'admin', 'allowed', 'unrelated'];

// allow = the call got past authorization (OK, or NOT_FOUND for the admin calls
// aimed at things that do not exist); deny = PERMISSION_DENIED / UNAUTHENTICATED.
const EXPECTED: Record<string, Record<Who, 'allow' | 'deny' | 'n/a'>> = {
  ListGroups: { root: 'allow', admin: 'allow', allowed: 'allow', unrelated: 'allow' },
  GetGroup: { root: 'allow', admin: 'allow', allowed: 'allow', unrelated: 'allow' },
  ListLeases: { root: 'allow', admin: 'allow', allowed: 'allow', unrelated: 'allow' },
  Holders: { root: 'allow', admin: 'allow', allowed: 'deny', unrelated: 'deny' },
  'ListLeases (another owner\'s pid)': { root: 'allow', admin: 'allow', allowed: 'allow', unrelated: 'deny' },
  Status: { root: 'allow', admin: 'allow', allowed: 'allow', unrelated: 'allow' },
  Watch: { root: 'allow', admin: 'allow', allowed: 'allow', unrelated: 'allow' },
  Acquire: { root: 'allow', admin: 'allow', allowed: 'allow', unrelated: 'deny' },
  'Acquire (managed)': { root: 'allow', admin: 'allow', allowed: 'deny', unrelated: 'deny' },
  'ListGrants (another owner\'s lease)': { root: 'deny', admin: 'deny', allowed: 'deny', unrelated: 'deny' },
  'RevokeGrant (another owner\'s lease)': { root: 'deny', admin: 'deny', allowed: 'deny', unrelated: 'deny' },
  'Release (own)': { root: 'allow', admin: 'allow', allowed: 'allow', unrelated: 'n/a' },
  'OpenDevice (another owner\'s lease)': { root: 'deny', admin: 'deny', allowed: 'deny', unrelated: 'deny' },
  'Share (another owner\'s lease)': { root: 'deny', admin: 'deny', allowed: 'deny', unrelated: 'deny' },
  // Same uid plus the lease secret is the proof of ownership after a restart; root has no
  // shortcut. The same uid gets past that check, and is then refused because the lease is
  // attached to its owner's live session (FAILED_PRECONDITION): no stealing a live lease.
  'Reattach (with the lease secret)': { root: 'deny', admin: 'deny', allowed: 'allow', unrelated: 'deny' },
  'Release (another owner\'s lease)': { root: 'deny', admin: 'deny', allowed: 'deny', unrelated: 'deny' },
  'Redeem (a grant for uid 65534)': { root: 'deny', admin: 'deny', allowed: 'allow', unrelated: 'deny' },
  Revoke: { root: 'allow', admin: 'allow', allowed: 'deny', unrelated: 'deny' },
  Bind: { root: 'allow', admin: 'allow', allowed: 'deny', unrelated: 'deny' },
  Unbind: { root: 'allow', admin: 'allow', allowed: 'deny', unrelated: 'deny' },
  SetGroupType: { root: 'allow', admin: 'allow', allowed: 'deny', unrelated: 'deny' },
};

t.test('every RPC × root, admin, policy-allowed, unrelated', async (t) => {
  const host = new FakeHost([group(1, [edu('0000:00:03.0')]), group(2, [edu('0000:00:04.0')])], { realFds: realLibc() });
  const h = await startHarness(host, { adminGroups: ['staff'], rules: [{ name: 'allowed', uids: [NOBODY], devices: { any: true }, allowShare: true }] });
  const owner = h.client(NOBODY, [{ op: 'acquire', groups: [1] }, { op: 'share', uid: NOBODY, devices: ['0000:00:03.0'] }, { op: 'hold' }]);
  const lease = await owner.step('acquire');
  const grant = (await owner.step('share')).grant;
  const spec = JSON.stringify({ api: h.config.apiSocket, fd: h.config.fdSocket, otherLease: lease.lease, otherSecret: lease.secret, grant });
  const as = (who: Who): ScriptedClient => {
    const node = [process.execPath, '--import', 'tsx', RPC_AS, spec];
    const [cmd, args, ids] =
      who === 'root' ? ['/usr/bin/env', ['-u', 'NODE_OPTIONS', ...node], {}]
      // setpriv: the admin's primary group is staff; nogroup (supplementary) opens the sockets.
      : who === 'admin' ? ['/usr/bin/env', ['-u', 'NODE_OPTIONS', 'setpriv', '--reuid', '4343', '--regid', String(STAFF), '--groups', String(NOBODY), ...node], {}]
      : ['/usr/bin/env', ['-u', 'NODE_OPTIONS', ...node], { uid: who === 'allowed' ? NOBODY : 4242, gid: NOBODY }];
    return new ScriptedClient(spawn(cmd as string, args as string[], { ...ids, stdio: ['ignore', 'pipe', 'pipe'], env: cleanEnv() }));
  };
  const got = new Map<Who, Map<string, string>>();
  for (const who of WHO) {
    const c = as(who);
    const end = await c.exited;
    if (end.code !== 0) t.fail(`${who}: rpc-as exited ${end.code}: ${c.stderr.slice(-400)}`);
    const m = new Map<string, string>();
    const seen = new Map<string, number>();
    for (const l of c.lines.filter((x) => x.op === 'rpc')) {
      const n = (seen.get(l.rpc) ?? 0) + 1;
      seen.set(l.rpc, n);
      const key = l.rpc === 'Release' ? (n === 1 ? 'Release (own)' : 'Release (another owner\'s lease)')
        : l.rpc === 'OpenDevice' ? 'OpenDevice (another owner\'s lease)' : l.rpc === 'Share' ? 'Share (another owner\'s lease)'
        : l.rpc === 'Reattach' ? 'Reattach (with the lease secret)' : l.rpc === 'Redeem' ? 'Redeem (a grant for uid 65534)'
        : l.rpc === 'ListGrants' || l.rpc === 'RevokeGrant' ? `${l.rpc} (another owner's lease)` : l.rpc;
      m.set(key, l.code);
    }
    got.set(who, m);
  }
  const audit = h.audit() as any[];
  const table: string[] = [];
  for (const [rpc, row] of Object.entries(EXPECTED)) {
    const cells: string[] = [];
    for (const who of WHO) {
      const code = got.get(who)?.get(rpc) ?? 'missing';
      // REDACTED: the call answered, with another owner's pid, exe and session left out.
      const denied = code === 'PERMISSION_DENIED' || code === 'UNAUTHENTICATED' || code === 'REDACTED';
      const want = row[who];
      const ok = want === 'n/a' ? code === 'N/A' : want === 'deny' ? denied : !denied && !code.startsWith('CLIENT') && code !== 'missing';
      t.ok(ok, `${rpc} as ${who}: expected ${want}, got ${code}`);
      cells.push(`${who}=${code}`);
    }
    table.push(`${rpc}: ${cells.join(' ')}`);
  }
  t.comment(`matrix:\n${table.join('\n')}`);
  // Every denial is in the audit log (as a refusal naming the caller's uid).
  const uidOf: Record<Who, number> = { root: 0, admin: 4343, allowed: NOBODY, unrelated: 4242 };
  for (const who of WHO) {
    const denials = [...(got.get(who)?.values() ?? [])].filter((c) => c === 'PERMISSION_DENIED' || c === 'UNAUTHENTICATED').length;
    const audited = audit.filter((a) => a.event === 'refusal' && a.who?.uid === uidOf[who] && ['PERMISSION_DENIED', 'UNAUTHENTICATED'].includes(a.status)).length;
    t.ok(audited >= denials, `${who}: ${denials} denial(s), ${audited} audited`);
  }
  owner.child.kill('SIGTERM');
  await owner.exited;
  await h.close();
});
