/**
 * Claims through the real daemon sockets, with the kernel faked: vfio-brokerctl
 * creates a claim (as root, an admin) and writes its token file; vfio-broker-exec
 * --claim redeems it as uid 65534, which no policy rule names, reading the claim
 * and the token file from the environment. The guest suite (pod.guest.ts)
 * repeats this inside an emulated pod on the real kernel.
 */
import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { realLibc } from '../../src/kernel/libc.js';
import { parseExecArgs } from '../../src/cli/broker-exec.js';
import { main as brokerctl } from '../../src/cli/brokerctl.js';
import { BROKER_ENV } from '../../src/protocol/env.js';
import { FakeHost, edu, group } from '../fixtures/fake-host.js';
import { ScriptedClient, cleanEnv, outsideTap, startHarness, type Harness } from '../fixtures/daemon-harness.js';
import { ensureBuilt } from '../fixtures/built.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const EXEC = path.join(here, '../../bin/vfio-broker-exec');
const CHILD = path.join(here, '../fixtures/exec-child.ts');
const NOBODY = 65534;
ensureBuilt();

let h: Harness;
t.before(async () => {
  h = await startHarness(new FakeHost([group(1, [edu('0000:00:03.0', 'vfio0')]), group(2, [edu('0000:00:04.0', 'vfio1')])], { realFds: realLibc() }), { rules: [] });
});

async function ctl(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await brokerctl(['-s', h.config.apiSocket, ...args], { write: (s) => { out += s; } }, { write: (s) => { err += s; } });
  return { code, out, err };
}

function execClaim(claim: string | undefined, tokenFile: string | undefined, command: string[]): ScriptedClient {
  const env: NodeJS.ProcessEnv = { ...cleanEnv(), [BROKER_ENV.apiSocket]: h.config.apiSocket, [BROKER_ENV.fdSocket]: h.config.fdSocket };
  if (claim !== undefined) env[BROKER_ENV.claim] = claim;
  if (tokenFile !== undefined) env[BROKER_ENV.claimTokenFile] = tokenFile;
  return new ScriptedClient(spawn(...outsideTap(EXEC, ['--claim', '--', ...command]), { uid: NOBODY, gid: NOBODY, stdio: ['ignore', 'pipe', 'pipe'], env }));
}
const child = (...a: string[]) => [process.execPath, '--import', 'tsx', CHILD, ...a];

t.test('--claim parsing: the claim gives groups and mode', async (t) => {
  t.match(parseExecArgs(['--claim', '--qemu', '--', 'qemu']), { claim: true, qemu: true, command: ['qemu'] });
  t.throws(() => parseExecArgs(['--claim', '-g', '1', '--', 'x']), /takes its groups and mode from the claim/);
  t.throws(() => parseExecArgs(['--claim', '-m', 'iommufd', '--', 'x']), /takes its groups and mode/);
  t.throws(() => parseExecArgs(['--claim']), /no command/);
});

t.test('brokerctl creates a claim, exec --claim redeems it as a uid with no rule, twice in a row, then it ends', async (t) => {
  const tokenFile = path.join(h.dir, 'token');
  const made = await ctl('-o', 'json', 'claim', 'create', '--group', '1', '--ref', 'test', '--token-file', tokenFile);
  t.equal(made.code, 0, made.err);
  const { claim } = JSON.parse(made.out);
  t.match(claim, { state: 'reserved', groups: [1], owner_ref: 'test' });
  t.notOk(made.out.includes(fs.readFileSync(tokenFile, 'utf8').trim()), 'with --token-file the token is not printed');

  for (const round of [1, 2]) {
    const run = execClaim(claim.id, tokenFile, child('--exit', '0'));
    const report = await run.step('child');
    t.match(report, { uid: NOBODY, container: '3', groups: '1=4', devices: '0000:00:03.0=5', allOpen: true }, `round ${round}: the fds of the claim's group`);
    t.same(await run.exited, { code: 0, signal: null }, run.stderr);
  }
  const listed = JSON.parse((await ctl('-o', 'json', 'claims')).out);
  t.match(listed, [{ id: claim.id, state: 'reserved', lease_id: '' }], 'reserved again after each lease');
  t.match((await ctl('claims')).out, new RegExp(`${claim.id}\\s+1\\s+legacy\\s+reserved`));

  const wrong = path.join(h.dir, 'wrong');
  fs.writeFileSync(wrong, 'not-the-token\n', { mode: 0o644 });
  const refused = execClaim(claim.id, wrong, ['true']);
  t.equal((await refused.exited).code, 125);
  t.match(refused.stderr, `refused (PERMISSION_DENIED): wrong token for claim ${claim.id}`);
  const noEnv = execClaim(undefined, tokenFile, ['true']);
  t.equal((await noEnv.exited).code, 125);
  t.match(noEnv.stderr, /VFIO_BROKER_CLAIM is not set/);
  const noFile = execClaim(claim.id, path.join(h.dir, 'absent'), ['true']);
  t.equal((await noFile.exited).code, 125);
  t.match(noFile.stderr, /cannot read the token file/);

  const ended = await ctl('-o', 'json', 'claim', 'end', claim.id, '--reason', 'done');
  t.equal(ended.code, 0, ended.err);
  t.equal(JSON.parse(ended.out).state, 'ended');
  const late = execClaim(claim.id, tokenFile, ['true']);
  t.equal((await late.exited).code, 125);
  t.match(late.stderr, new RegExp(`refused \\(NOT_FOUND\\): claim ${claim.id} ended at .* \\(ended by uid 0: done\\)`));
  const audited = h.audit().filter((a: any) => a.rpc === 'RedeemClaim' && a.event === 'refusal').map((a: any) => a.status);
  t.same(audited, ['PERMISSION_DENIED', 'NOT_FOUND'], 'the refusals are audited');
  t.equal((await ctl('claim', 'end', 'C-none')).code, 3, 'not found: exit 3');
  t.equal((await ctl('claim', 'create')).code, 2, 'usage: exit 2');
});

t.test('shutdown', async () => {
  await h.close();
});
