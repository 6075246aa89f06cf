/**
 * The lease journal's cost per change with many leases: one lease acquired or
 * released while `n` are held. Baseline in the same run: the former full
 * rewrite (every lease serialised, fsync, rename, fsync the directory), which
 * is still what a compaction does. Both on the same disk (the bench's tmpdir).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { publish, summary } from './lib/report.js';
import { LeaseJournal } from '../src/daemon/journal.js';
import type { Lease } from '../src/broker/lease-table.js';

const lease = (i: number): Lease => ({
  id: `L-${i.toString(16).padStart(12, '0')}`, groups: [i + 1], sessionId: `S-${i}`, owner: { pid: 1000 + i, uid: 1000, gid: 1000, groups: [], exe: '/usr/bin/qemu-system-x86_64', startTime: '123456' },
  mode: 'legacy', since: new Date(), state: 'active', devices: [], rule: 'vms', memlockBytes: 1 << 30, managed: false, allowShare: false, secret: 'x'.repeat(32),
});

export async function run(n = Number(process.env.BENCH_JOURNAL_LEASES ?? 1000), rounds = 200) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vb-bench-j-'));
  try {
    const j = new LeaseJournal(dir, 'bench', 1 << 30);
    const table = Array.from({ length: n }, (_, i) => lease(i));
    j.write(table);
    const inc: number[] = [];
    const full: number[] = [];
    for (let r = 0; r < rounds; r++) {
      // One lease ends, another begins: two records, as an acquire+release cycle writes.
      const i = r % n;
      table[i] = lease(n + r);
      let a = process.hrtime.bigint();
      j.write(table);
      inc.push(Number(process.hrtime.bigint() - a) / 1e6);
      a = process.hrtime.bigint();
      j.compact(table);
      full.push(Number(process.hrtime.bigint() - a) / 1e6);
    }
    const si = summary(inc);
    const sf = summary(full);
    const after = new LeaseJournal(dir, 'bench').read();
    return publish({
      name: 'journal',
      figures: {
        'leases held': n,
        'one change, incremental append p50 / p99 (ms)': `${si.p50.toFixed(3)} / ${si.p99.toFixed(3)}`,
        'baseline: full rewrite p50 / p99 (ms)': `${sf.p50.toFixed(3)} / ${sf.p99.toFixed(3)}`,
        'ratio full / incremental (p50)': sf.p50 / si.p50,
        'snapshot size (bytes)': fs.statSync(path.join(dir, 'leases.json')).size,
        'restored after the run (leases)': after.entries.length,
      },
      targets: [{ what: 'a change costs less than rewriting every lease', met: si.p50 < sf.p50, detail: `${(sf.p50 / si.p50).toFixed(1)}× cheaper at ${n} leases` }],
      notes: ['both include their fsyncs; tmpfs makes fsync nearly free, a real disk makes it dominate both'],
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) await run();
