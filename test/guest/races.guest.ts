/**
 * Racing acquires on the real kernel through the real daemon: 5 processes × 10
 * sessions (50 racers) ask for one group at the same moment, for 20 rounds.
 * Every round has exactly one owner, and every loser is told that owner's pid.
 * (50 separate node processes do not fit the guest's memory under TCG; sessions
 * are what the daemon arbitrates, and they come from 5 distinct pids.)
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Test } from 'tap';
import { VfioHost } from '../../src/kernel/vfio-host.js';
import { ScriptedClient, cleanEnv, nodeScript, outsideTap, startHarness } from '../fixtures/daemon-harness.js';
import { findTopology } from './topology.js';

const NOBODY = 65534;
const PROCS = Number(process.env.VFIO_BROKER_RACE_PROCS ?? 5);
const SESSIONS = Number(process.env.VFIO_BROKER_RACE_SESSIONS ?? 10);
const ROUNDS = Number(process.env.VFIO_BROKER_RACE_ROUNDS ?? 20);
const RACER = path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/race-client.ts');

export default async function (t: Test, variant: string) {
  if (variant !== 'iommu') return;
  const topo = findTopology();
  const g = topo.group(topo.standaloneEdu);
  const h = await startHarness(new VfioHost(), { rules: [{ name: 'racers', uids: [NOBODY], devices: { vendorDevice: ['1234:11e8'] }, memlock: '64m', maxLeases: 1000 }] }, {}, { keepLogs: false });
  const racers = Array.from({ length: PROCS }, () => new ScriptedClient(spawn(...outsideTap(process.execPath, [...nodeScript(RACER),
    JSON.stringify({ api: h.config.apiSocket, fd: h.config.fdSocket, group: g, sessions: SESSIONS })]), {
    uid: NOBODY, gid: NOBODY, stdio: ['pipe', 'pipe', 'pipe'], env: cleanEnv(),
  })));
  await Promise.all(racers.map((r) => r.step('ready', 300_000)));
  let exactlyOne = 0;
  let toldOwner = 0;
  const seen = racers.map(() => 0);
  for (let round = 1; round <= ROUNDS; round++) {
    const results = await Promise.all(racers.map((r, i) => {
      const next = new Promise<any>((resolve) => {
        const check = () => {
          const line = r.lines.filter((l) => l.op === 'round' && l.round === round)[0];
          if (line) resolve(line); else setTimeout(check, 20);
        };
        check();
      });
      r.child.stdin!.write(`go ${round}\n`);
      seen[i]++;
      return next;
    }));
    const winners = results.filter((x) => x.won > 0);
    const won = results.reduce((n, x) => n + x.won, 0);
    const losers = results.flatMap((x) => x.lost);
    if (won === 1) exactlyOne++;
    else t.fail(`round ${round}: ${won} owners`);
    if (winners.length === 1 && losers.length === PROCS * SESSIONS - 1 && losers.every((l: any) => l.code === 'ALREADY_EXISTS' && l.ownerPid === String(winners[0].pid))) toldOwner++;
    else t.fail(`round ${round}: losers ${JSON.stringify(losers.filter((l: any) => l.code !== 'ALREADY_EXISTS' || (winners[0] && l.ownerPid !== String(winners[0].pid))).slice(0, 3))}`);
    const w = racers[results.indexOf(winners[0])];
    if (w) {
      w.child.stdin!.write(`release ${round}\n`);
      await w.step('released');
      w.lines.splice(w.lines.findIndex((l) => l.op === 'released'), 1);
    }
  }
  t.equal(exactlyOne, ROUNDS, `${ROUNDS} rounds of ${PROCS * SESSIONS} racers: exactly one owner every round`);
  t.equal(toldOwner, ROUNDS, 'every loser, every round, got ALREADY_EXISTS naming the winner\'s pid');
  for (const r of racers) r.child.stdin!.end('end\n');
  await Promise.all(racers.map((r) => r.exited));
  t.equal(h.daemon.service.leases.size, 0, 'no lease left');
  await h.close();
}
