/** deploy/ scripts: they refuse clearly without root, and install.sh installs the .deb (the guest suite installs that package for real). */
import t from 'tap';
import fs from 'node:fs';
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

t.test('install.sh installs the package it builds (dpkg -i), never a copy of the checkout', async (t) => {
  const text = fs.readFileSync(path.join(here, '../../deploy/install.sh'), 'utf8');
  t.match(text, /scripts\/build-deb\.sh/, 'builds the .deb');
  t.match(text, /^dpkg .*-i "\$deb"$/m, 'installs it with dpkg -i');
  t.notMatch(text, /\bcp -a\b|npm ci --omit/, 'copies nothing from the checkout');
  t.match(fs.readFileSync(path.join(here, '../../deploy/uninstall.sh'), 'utf8'), /^dpkg "\$action" vfio-broker$/m, 'uninstall.sh is dpkg -r / --purge');
});
