import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { ClaimJournal } from '../../src/daemon/claim-journal.js';
import { Cgroups } from '../../src/kernel/cgroup.js';
import { hashToken, type Claim } from '../../src/broker/claim-table.js';

t.test('the claim journal round-trips, drops bad entries and sets an unreadable file aside', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'claims-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const j = new ClaimJournal(dir);
  t.same(j.read(), { claims: [], dropped: [] }, 'no file: nothing');
  const c: Claim = {
    id: 'C-1', groups: [4], mode: 'iommufd', state: 'leased', ownerRef: 'r', tokenHash: hashToken('t'), created: new Date(0),
    expires: new Date(1000), createdBy: { uid: 0, pid: 1 }, podUid: 'u', podPath: '/kubepods/podu', leaseId: 'L-1',
  };
  j.write([c]);
  t.equal(fs.statSync(j.file).mode & 0o777, 0o600);
  t.same(j.read().claims, [c]);
  const f = JSON.parse(fs.readFileSync(j.file, 'utf8'));
  f.claims.push({ id: 'C-2', groups: ['x'] });
  fs.writeFileSync(j.file, JSON.stringify(f));
  const r = j.read();
  t.equal(r.claims.length, 1);
  t.same(r.dropped, [{ index: 1, reason: 'groups is not a list of groups' }]);
  fs.writeFileSync(j.file, '{torn');
  t.match(j.read().unreadable, /moved to .*claims.json.unreadable/);
  t.ok(fs.existsSync(`${j.file}.unreadable`));
});

t.test('cgroups: this process\'s /proc cgroup, existence under the cgroup2 mount, never outside it', async (t) => {
  const cg = new Cgroups();
  t.match(cg.cgroupOf(process.pid), /^\d+:/m);
  t.equal(cg.cgroupOf(0x7ffffff0), null);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cg-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  fs.mkdirSync(path.join(dir, 'kubepods/podx'), { recursive: true });
  const fake = new Cgroups('/proc', dir);
  t.equal(fake.exists('/kubepods/podx'), true);
  t.equal(fake.exists('/kubepods/pody'), false);
  t.equal(fake.exists('/../../etc'), false, '".." stays inside the mount');
});
