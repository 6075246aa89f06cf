/**
 * The committed wire types (src/protocol/gen) must be exactly what the proto
 * generates today: otherwise the compiler checks the code against a stale API.
 * On a failure, run `npm run gen:proto` and commit the result.
 */
import t from 'tap';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { GEN_DIR, genProto } from '../../scripts/gen-proto.js';

/** Every file under dir, relative path → contents. */
function tree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const e of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!e.isFile()) continue;
    const full = path.join(e.parentPath, e.name);
    out.set(path.relative(dir, full), fs.readFileSync(full, 'utf8'));
  }
  return out;
}

t.test('src/protocol/gen matches the proto', async (t) => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vb-gen-'));
  t.teardown(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const out = path.join(tmp, 'gen');
  genProto(out);
  const fresh = tree(out);
  const committed = tree(GEN_DIR);
  t.ok(fresh.size > 0, 'the generator wrote files');
  t.same([...committed.keys()].sort(), [...fresh.keys()].sort(), 'the same files (npm run gen:proto)');
  for (const [name, text] of fresh) t.equal(committed.get(name), text, `${name} is up to date (npm run gen:proto)`);
});
