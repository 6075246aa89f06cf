/**
 * Dependencies point one way: the pure core and the protocol depend on nothing
 * of ours that does I/O, the kernel layer on nothing above it, and the client
 * side on nothing of the server's. Read from the sources' import lines.
 */
import t from 'tap';
import fs from 'node:fs';
import path from 'node:path';

const SRC = path.resolve(import.meta.dirname, '../../src');

/** For each layer, the layers it may import from (its own is always allowed). */
const ALLOWED: Record<string, string[]> = {
  protocol: [],
  broker: ['protocol'],
  kernel: ['broker'],
  service: ['broker', 'kernel', 'protocol'],
  api: ['service', 'broker', 'kernel', 'protocol'],
  http: [],
  client: ['protocol', 'kernel'],
  cli: ['client', 'protocol', 'kernel'],
  k8s: ['client', 'protocol'],
  daemon: ['api', 'service', 'broker', 'kernel', 'protocol', 'http'],
};

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

const layerOf = (file: string) => path.relative(SRC, file).split(path.sep)[0];

t.test('every layer imports only from the layers below it', async (t) => {
  const files = sources(SRC);
  t.ok(files.length > 50, 'found the sources');
  t.same(Object.keys(ALLOWED).sort(), [...new Set(files.map(layerOf))].sort(), 'every layer has a rule');
  const violations: string[] = [];
  for (const file of files) {
    const from = layerOf(file);
    const text = fs.readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+'(\.[^']+)'|import\(\s*'(\.[^']+)'\s*\)/g)) {
      const spec = m[1] ?? m[2];
      const to = layerOf(path.resolve(path.dirname(file), spec));
      if (to !== from && !ALLOWED[from].includes(to)) violations.push(`${path.relative(SRC, file)} imports ${spec} (${from} -> ${to})`);
    }
  }
  t.same(violations, [], 'no import points the wrong way');
});
