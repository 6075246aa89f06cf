/**
 * `npm run demo`: boot the test guest (a throwaway VM with an emulated IOMMU and
 * QEMU's edu device; see test/vm/) and run a short guided tour of vfio-broker in
 * it: the daemon, the operator CLI, and an unprivileged launcher.
 */
import { boot } from '../test/vm/guest.js';

process.stderr.write('demo: booting the test guest (TCG, intel-iommu; about a minute)...\n');
const r = await boot({
  variant: 'iommu',
  command: 'sh scripts/demo-guest.sh',
  verbose: process.argv.includes('--verbose'),
  onTap: (s) => process.stdout.write(s.replace(/^# VFIO_BROKER_GUEST_EXIT=\d+\n?/m, '')),
});
process.stderr.write(`demo: guest finished in ${r.seconds.toFixed(0)} s\n`);
if (r.exitCode !== 0) {
  process.stderr.write(`demo: failed (exit ${r.exitCode ?? 'unknown'}); guest console tail:\n${r.consoleLog.split('\n').slice(-30).join('\n')}\n`);
  process.exitCode = 1;
}
