/** deploy/ scripts refuse clearly without root (the guest's systemd suite runs them for real). */
import t from 'tap';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

for (const script of ['install.sh', 'uninstall.sh']) {
  t.test(`${script} refuses without root`, async (t) => {
    const r = spawnSync('bash', [path.join(here, '../../deploy', script)], { uid: 65534, gid: 65534, encoding: 'utf8' });
    t.equal(r.status, 1);
    t.match(r.stderr, new RegExp(`${script}: must run as root`));
  });
  t.test(`${script} rejects unknown options`, async (t) => {
    const r = spawnSync('bash', [path.join(here, '../../deploy', script), '--frobnicate'], { encoding: 'utf8' });
    t.equal(r.status, 2);
    t.match(r.stderr, /unknown option --frobnicate/);
  });
}
