/**
 * vfio-brokerctl's claim commands (admin): list, create (printing the token once,
 * or writing it to a file), end. A claim is what the Kubernetes device plugin
 * creates per allocation; these let an operator do the same by hand.
 */
import fs from 'node:fs';
import type { ApiClient } from '../client/api-client.js';
import type { Claim__Output } from '../protocol/gen/vfiobroker/v1/Claim.js';
import { table } from './table.js';

export class ClaimUsageError extends Error {}

export const CLAIM_HELP = `  claims                 claims: groups reserved for a workload to come (admin)
  claim create (--group N | --device BDF)... [--mode legacy|iommufd] [--ref TEXT]
               [--ttl SECONDS] [--token-file PATH]
                         reserve groups; prints the claim and its token (shown once),
                         or writes the token to PATH (mode 0644: the pod reads it) (admin)
  claim end CLAIM [--reason TEXT]
                         end a claim and its lease (admin)
`;

type Print = (data: unknown, human: () => string) => void;

const claimRows = (cs: Claim__Output[]) => table(['CLAIM', 'GROUPS', 'MODE', 'STATE', 'POD', 'LEASE', 'REF', 'CREATED', 'EXPIRES'],
  cs.map((c) => [c.id, c.groups.join(','), c.mode.replace('MODE_', '').toLowerCase(), c.state, c.pod_uid || '-', c.lease_id || '-', c.owner_ref || '-', c.created, c.expires || '-']));

export async function listClaims(api: ApiClient, print: Print): Promise<void> {
  const cs = await api.listClaims();
  print(cs, () => (cs.length ? claimRows(cs) : 'no claims'));
}

export async function claimCommand(api: ApiClient, rest: string[], print: Print): Promise<void> {
  const [sub, ...args] = rest;
  if (sub === 'end') {
    if (!args[0]) throw new ClaimUsageError('claim end needs a claim id');
    const ri = args.indexOf('--reason');
    const c = await api.endClaim(args[0], ri >= 0 ? args[ri + 1] ?? '' : '');
    print(c, () => `claim ${c?.id ?? args[0]} ended`);
    return;
  }
  if (sub !== 'create') throw new ClaimUsageError('claim needs create or end');
  const o: { groups: number[]; devices: string[]; mode?: 'legacy' | 'iommufd'; ownerRef?: string; ttlSeconds?: number } = { groups: [], devices: [] };
  let tokenFile: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const v = () => {
      const x = args[++i];
      if (x === undefined) throw new ClaimUsageError(`${args[i - 1]} needs a value`);
      return x;
    };
    switch (args[i]) {
      case '--group': case '-g': {
        const g = v();
        if (!/^\d+$/.test(g)) throw new ClaimUsageError(`--group needs a group number, not ${g}`);
        o.groups.push(Number(g));
        break;
      }
      case '--device': case '-d': o.devices.push(v()); break;
      case '--mode': case '-m': {
        const m = v();
        if (m !== 'legacy' && m !== 'iommufd') throw new ClaimUsageError('--mode is legacy or iommufd');
        o.mode = m;
        break;
      }
      case '--ref': o.ownerRef = v(); break;
      case '--ttl': {
        const t = v();
        if (!/^\d+$/.test(t)) throw new ClaimUsageError('--ttl needs seconds');
        o.ttlSeconds = Number(t);
        break;
      }
      case '--token-file': tokenFile = v(); break;
      default: throw new ClaimUsageError(`unknown claim create option ${args[i]}`);
    }
  }
  if (!o.groups.length && !o.devices.length) throw new ClaimUsageError('claim create needs --group or --device');
  const r = await api.createClaim(o);
  const c = r.claim!;
  if (tokenFile) fs.writeFileSync(tokenFile, `${r.token}\n`, { mode: 0o644 });
  print(tokenFile ? { claim: c, token_file: tokenFile } : r, () => `${claimRows([c])}\n${tokenFile ? `token written to ${tokenFile}` : `token: ${r.token}`}`);
}
