/**
 * The guest suite, counted in the host's run: boot the test guest (intel-iommu
 * twice, noiommu, then intel-iommu with systemd as PID 1) and feed the TAP it prints into this test, so every assertion
 * made against the real kernel counts in the totals.
 *
 * The only way to skip it is VFIO_BROKER_SKIP_VM=1 (CI never sets it). A machine
 * that cannot run the guest fails here with a one-line reason.
 */
import t, { type Test } from 'tap';
import { boot, buildKernel, qemuVersion, GuestUnavailable, type Variant } from './guest.js';

if (process.env.VFIO_BROKER_SKIP_VM === '1') {
  t.pass('guest suite skipped: VFIO_BROKER_SKIP_VM=1 (never set in CI)');
} else {
  let ready = true;
  try {
    qemuVersion();
    buildKernel();
  } catch (e) {
    ready = false;
    t.fail(e instanceof GuestUnavailable ? `cannot run the test guest: ${e.message}` : `cannot run the test guest: ${(e as Error).message}`);
  }
  if (ready) {
    // Four boots, one after the other (each its own 20 min limit): the iommu suites
    // are split in two so that no boot runs near its limit under TCG on 2 cores.
    t.setTimeout(100 * 60_000);
    const boots: { variant: Variant; part?: string }[] = [{ variant: 'iommu', part: '1' }, { variant: 'iommu', part: '2' }, { variant: 'noiommu' }, { variant: 'systemd' }];
    for (const { variant, part } of boots) {
      t.test(`guest (${variant}${part ? `, part ${part}` : ''})`, async (t) => {
        // The guest's TAP becomes a subtest stream of this test.
        const run = () => boot({ variant, command: 'exec node --import tsx test/guest/main.ts', env: part ? { VFIO_BROKER_GUEST_PART: part } : {} });
        let r = await run();
        // The host's TCG QEMU has aborted on its own internal assertion before the
        // guest job printed anything (seen once: iotlb_to_section, 1.8 s into a
        // boot): that is QEMU's fault, not ours, so boot once more, and say so.
        if (r.exitCode === null && !r.tap.trim() && /\[qemu stderr\][\s\S]*Assertion .* failed/.test(r.consoleLog)) {
          t.comment(`${variant}: the host's QEMU aborted before the guest ran (${r.consoleLog.split('\n').filter((l) => l.includes('Assertion')).join(' ')}); booting again`);
          r = await run();
        }
        const parsed = replay(t, r.tap);
        t.comment(`${variant} guest: ${r.seconds.toFixed(1)}s boot-to-poweroff, ${parsed} guest assertions`);
        if (r.exitCode !== 0) {
          t.fail(`guest job exited ${r.exitCode ?? '(no exit line: crashed or timed out)'}`, { console: r.consoleLog.split('\n').slice(-60).join('\n') });
        }
      });
    }
  }
}

/**
 * Replay the guest's TAP as assertions of this test: one per guest test point,
 * with its name path and the guest's diagnostics. Returns how many.
 */
function replay(t: Test, tap: string): number {
  const stack: string[] = [];
  let n = 0;
  const lines = tap.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const sub = /^(\s*)# Subtest: (.*)$/.exec(line);
    if (sub) {
      stack[sub[1].length / 4] = sub[2];
      stack.length = sub[1].length / 4 + 1;
      continue;
    }
    const m = /^(\s*)(not ok|ok) (\d+)(?: - ([^#]*))?(?:# (.*))?$/.exec(line);
    if (!m) continue;
    const depth = m[1].length / 4;
    // A line at the depth of an open subtest closes it: a summary, not an assertion
    // (its failures were replayed one by one; a crashed guest fails on its exit code).
    if (stack.length > depth && stack[depth] !== undefined && (m[4] ?? '').trim() === stack[depth]) {
      stack.length = depth;
      continue;
    }
    const name = [...stack.slice(0, depth), (m[4] ?? '').trim()].filter(Boolean).join(' › ');
    const directive = (m[5] ?? '').trim();
    let diag = '';
    for (let j = i + 1; j < lines.length && /^\s+(---|\S)/.test(lines[j]) && !/^\s*(ok|not ok) \d/.test(lines[j]) && !/# Subtest/.test(lines[j]); j++) {
      if (lines[j].trim() === '---' || diag) diag += lines[j].trim() + '\n';
      if (lines[j].trim() === '...') break;
    }
    if (/^(skip|todo)/i.test(directive)) t.ok(true, name, { skip: directive });
    else if (m[2] === 'ok') t.pass(name);
    else t.fail(name, { diagnostic: true, guest: diag.slice(0, 4000) });
    n++;
  }
  return n;
}
