/**
 * `npm run bench`: every benchmark in one run, then a summary of the targets.
 * Each prints figures and ratios against a baseline measured in the same run and
 * writes bench/results/<name>.json. Benchmarks report; tests assert behaviour.
 */
import { machine, type Result } from './lib/report.js';
import { run as fdDelivery } from './fd-delivery.js';
import { run as inventory } from './inventory.js';
import { run as sessions } from './sessions.js';
import { run as acquireGuest } from './acquire-guest.js';
import { run as vmLaunch } from './vm-launch.js';
import { run as listGroups } from './list-groups.js';
import { run as inventoryChurn } from './inventory-churn.js';
import { run as startup } from './startup.js';
import { run as curves } from './curves.js';
import { run as journal } from './journal.js';

console.log(`vfio-broker benchmarks on ${machine()}`);
const results: Result[] = [];
for (const b of [startup, fdDelivery, inventory, listGroups, inventoryChurn, journal, sessions, curves, acquireGuest, vmLaunch]) {
  try {
    results.push(await b());
  } catch (e) {
    console.log(`\n!! ${b.name} failed: ${(e as Error).message}`);
  }
}
console.log('\n== summary');
for (const r of results) for (const t of r.targets) console.log(`  ${r.name.padEnd(14)} ${t.what.padEnd(48)} ${t.met ? 'MET   ' : 'MISSED'} ${t.detail}`);
