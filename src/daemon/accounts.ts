/**
 * User and group names for policy rules, from /etc/passwd and /etc/group. Read at
 * policy load (and on SIGHUP), never per request: names are an operator
 * convenience, decisions are made on the numeric ids the kernel reports.
 */
import fs from 'node:fs';
import type { NameResolver } from '../broker/policy.js';

function table(file: string): Map<string, number> {
  const m = new Map<string, number>();
  let text = '';
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return m;
  }
  for (const line of text.split('\n')) {
    const f = line.split(':');
    if (f.length >= 3 && f[0] && /^\d+$/.test(f[2])) m.set(f[0], Number(f[2]));
  }
  return m;
}

export function systemAccounts(root = '/'): NameResolver & { groupId(name: string): number | undefined } {
  const users = table(`${root}/etc/passwd`.replace(/\/+/g, '/'));
  const groups = table(`${root}/etc/group`.replace(/\/+/g, '/'));
  return {
    user: (n) => users.get(n),
    group: (n) => groups.get(n),
    groupId: (n) => groups.get(n),
  };
}
