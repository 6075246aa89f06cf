/**
 * Racing acquires against the ownership logic, with the kernel stood in for by
 * FakeHost: many sessions ask for the same groups at the same moment, round after
 * round, and every group must end each round with at most one owner, the losers
 * told who won. VFIO_BROKER_RACE_ACQUIRES scales it (default 10^5). The guest
 * suite repeats a smaller race against the real kernel.
 */
import t from 'tap';
import { BrokerService } from '../../src/service/broker-service.js';
import { parsePolicy } from '../../src/broker/policy.js';
import { GroupOwnedError } from '../../src/broker/errors.js';
import type { Caller } from '../../src/broker/types.js';
import { FakeHost, edu, group } from '../fixtures/fake-host.js';

const TOTAL = Number(process.env.VFIO_BROKER_RACE_ACQUIRES ?? 100_000);
const SESSIONS = 500;
const GROUPS = 50;

t.test(`${TOTAL} racing acquires: never two owners`, async (t) => {
  const host = new FakeHost(Array.from({ length: GROUPS }, (_, i) => group(i + 1, [edu(`0000:01:${(i + 1).toString(16).padStart(2, '0')}.0`)])));
  const policy = parsePolicy({ rules: [{ name: 'all', uids: [1000], devices: { any: true } }] }, { user: () => undefined, group: () => undefined });
  const svc = new BrokerService({
    host, policy: () => policy, audit: () => {}, notify: () => {},
    // Delivery yields to the event loop, as the real fd channel does, so other acquires interleave.
    deliver: async (_s, _r, items) => { await new Promise((r) => setImmediate(r)); for (const i of items) if (!i.keep) i.fd.close(); },
  });
  const callers: Caller[] = Array.from({ length: SESSIONS }, (_, i) => ({ pid: 10_000 + i, uid: 1000, gid: 1000, groups: [] }));
  const sessions = callers.map((c) => svc.openSession(c));
  let acquires = 0;
  let doubleOwners = 0;
  let badRefusals = 0;
  let rounds = 0;
  const started = process.hrtime.bigint();
  while (acquires < TOTAL) {
    rounds++;
    const results = await Promise.allSettled(sessions.map((s, i) => {
      const g = ((i * 7 + rounds) % GROUPS) + 1; // ~10 sessions per group, a different mix each round
      return svc.acquire(callers[i], { sessionId: s.id, secret: s.secret, groups: [g], devices: [], mode: 'legacy', onlyRequested: false, managed: false })
        .then((r) => ({ g, lease: r.lease }));
    }));
    acquires += sessions.length;
    const winners = new Map<number, number>();
    for (const r of results) {
      if (r.status === 'fulfilled') winners.set(r.value.g, (winners.get(r.value.g) ?? 0) + 1);
      else if (!(r.reason instanceof GroupOwnedError) || !r.reason.details['owner-pid']) badRefusals++;
    }
    for (const n of winners.values()) if (n > 1) doubleOwners++;
    if (winners.size !== GROUPS) t.fail(`round ${rounds}: ${GROUPS - winners.size} groups got no owner`);
    for (const l of svc.leases.all()) svc.end(l, 'round over');
  }
  const secs = Number(process.hrtime.bigint() - started) / 1e9;
  t.equal(doubleOwners, 0, `no group ever had two owners (${rounds} rounds)`);
  t.equal(badRefusals, 0, 'every loser was told who owns the group');
  t.equal(svc.leases.size, 0);
  t.equal(host.libc.open_.size, 0, 'every fake fd closed');
  t.comment(`${acquires} acquires in ${secs.toFixed(1)} s (${(acquires / secs).toFixed(0)}/s, in-process, kernel stand-in)`);
});
