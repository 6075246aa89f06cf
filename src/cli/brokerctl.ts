/**
 * vfio-brokerctl: the operator's view of a running vfio-brokerd, over its gRPC API.
 * Human tables by default, `-o json` for scripts. Exit codes tell scripts apart
 * what went wrong without parsing text.
 */
import { ApiClient, BrokerCallError } from '../client/api-client.js';
import type { WireOwnerOutput } from '../protocol/api-types.js';
import { table } from './table.js';
import { CLAIM_HELP, ClaimUsageError, claimCommand, listClaims } from './claim-commands.js';

export const EXIT = { ok: 0, error: 1, usage: 2, notFound: 3, denied: 4, unreachable: 5 } as const;

export const HELP = `usage: vfio-brokerctl [-s SOCKET] [-o table|json] COMMAND [ARGS]

Inspect and administer vfio-brokerd.

commands:
  groups [FILTERS]       IOMMU groups: members, drivers, viability, modes, owner
                         filters (applied by the daemon): --device VENDOR:DEVICE (hex,
                         either half may be empty), --class PREFIX (hex, 0x02 = network),
                         --free (no lease), --mode legacy|iommufd; --page-size N asks
                         N groups per answer (default: all in one)
  group N                one group in detail
  leases                 active leases with their owners
  holders N              processes holding group N's device nodes open, and its owner
  revoke LEASE [--deadline MS]
                         ask the owner to release (default deadline 10000 ms), then
                         end the lease; lists processes that still hold fds, since the
                         kernel cannot take back an fd already handed out (admin)
  watch                  stream lease and device events until interrupted
  status                 daemon summary
  bind N / unbind N      bind group N's devices to vfio-pci / restore their drivers (admin)
${CLAIM_HELP}
  group-type N TYPE      set group N's IOMMU type: DMA, DMA-FQ, identity or auto; refused
                         while it is leased or a driver is bound to any device of it (admin)
  group-type N --restore put back the type the daemon found before its first change (admin)
  mdev types             mediated-device parents and their types (name, available
                         instances, device API)
  mdev list              mdev instances: type, parent, group, owner
  mdev create TYPE [--parent NAME] [--uuid UUID]
                         create an instance (a random UUID unless given; the first
                         parent offering TYPE unless given) (admin)
  mdev remove UUID       remove an instance; refused while it is leased (admin)

options:
  -s, --socket PATH      API socket (default $VFIO_BROKER_API or /run/vfio-broker/api.sock)
  -o, --output FORMAT    table (default) or json
  -h, --help             this help

exit codes:
  0 ok   1 other error   2 usage   3 not found   4 denied   5 daemon unreachable
`;

interface Out { write(s: string): void }

export async function main(argv: string[], out: Out = process.stdout, err: Out = process.stderr): Promise<number> {
  let socket: string | undefined;
  let json = false;
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '-h' || a === '--help') { out.write(HELP); return EXIT.ok; }
    else if (a === '-s' || a === '--socket') socket = argv[++i];
    else if (a.startsWith('--socket=')) socket = a.slice(9);
    else if (a === '-o' || a === '--output') { const f = argv[++i]; if (f !== 'json' && f !== 'table') return usage(err, `unknown output format ${f}`); json = f === 'json'; }
    else if (a === '-ojson' || a === '--output=json') json = true;
    else args.push(a);
  }
  const [cmd, ...rest] = args;
  if (!cmd) return usage(err, 'no command given');
  const api = new ApiClient(socket);
  const print = (data: unknown, human: () => string) => out.write((json ? JSON.stringify(data, null, 2) : human()) + '\n');
  const num = (s: string | undefined, what: string) => {
    if (s === undefined || !/^\d+$/.test(s)) throw new UsageError(`${cmd} needs ${what}`);
    return Number(s);
  };
  try {
    switch (cmd) {
      case 'groups': {
        const groups = await api.listGroups(groupFilter(rest));
        print(groups, () => table(['GROUP', 'DEVICE', 'ID', 'CLASS', 'DRIVER', 'CDEV', 'VIABLE', 'MODES', 'OWNER'],
          groups.flatMap((g) => g.devices.map((d, i) => [
            i === 0 ? g.id : '', d.name, d.vendor ? `${d.vendor.replace(/^0x/, '')}:${d.device.replace(/^0x/, '')}` : '-', d.class || '-',
            d.driver || '-', d.cdev || '-', i === 0 ? (g.noiommu ? 'UNSAFE-noiommu' : g.viable ? 'yes' : 'no') : '',
            i === 0 ? modesText(g, ',') : '',
            i === 0 ? ownerText(g.owner) : '',
          ]))));
        return EXIT.ok;
      }
      case 'group': {
        const g = await api.getGroup(num(rest[0], 'a group number'));
        print(g, () => [
          `group ${g.id}  ${g.dev_node}  type ${g.type || '-'}${g.noiommu ? '  UNSAFE: noiommu (no DMA isolation)' : ''}${g.emulated_iommu ? '  emulated IOMMU (mdev)' : ''}`,
          `viable: ${g.viable ? 'yes' : `no — ${g.viability_reason}`}`,
          `modes: ${modesText(g, ', ')}`,
          `owner: ${ownerText(g.owner)}`,
          '',
          table(['DEVICE', 'BUS', 'ID', 'CLASS', 'DRIVER', 'OVERRIDE', 'CDEV'], g.devices.map((d) => [
            d.name + (d.bridge ? ' (bridge)' : ''), d.bus || '-', d.vendor ? `${d.vendor}:${d.device}` : '-', d.class || '-', d.driver || '-', d.driver_override || '-', d.cdev || '-'])),
          ...(g.reserved_regions.length ? ['', table(['RESERVED START', 'END', 'TYPE'], g.reserved_regions.map((r) => [r.start, r.end, r.type]))] : []),
        ].join('\n'));
        return EXIT.ok;
      }
      case 'leases': {
        const leases = await api.listLeases();
        print(leases, () => leases.length === 0 ? 'no active leases' : table(['LEASE', 'GROUPS', 'MODE', 'STATE', 'PID', 'UID', 'EXE', 'SINCE', 'SHARES'],
          leases.map((l) => [l.id, l.groups.join(','), l.mode.replace('MODE_', '').toLowerCase(), l.state, l.owner?.cred?.pid ?? '-', l.owner?.cred?.uid ?? '-', l.owner?.cred?.exe || '-', l.owner?.since || '-', l.shares])));
        return EXIT.ok;
      }
      case 'holders': {
        const h = await api.holders(num(rest[0], 'a group number'));
        print(h, () => [
          `owner: ${ownerText(h.owner)}`,
          h.holders.length ? table(['PID', 'UID', 'COMM', 'PATH'], h.holders.map((x) => [x.pid, x.uid, x.comm, x.path])) : 'no process holds the group open',
        ].join('\n'));
        return EXIT.ok;
      }
      case 'revoke': {
        const lease = rest[0];
        if (!lease) throw new UsageError('revoke needs a lease id');
        const di = rest.indexOf('--deadline');
        const deadline = di >= 0 ? num(rest[di + 1], 'a deadline in ms') : 10_000;
        const r = await api.revoke(lease, deadline);
        print(r, () => [`lease ${lease} ended`, r.note, ...(r.still_held_by.length ? [table(['PID', 'UID', 'COMM', 'PATH'], r.still_held_by.map((x) => [x.pid, x.uid, x.comm, x.path]))] : [])].join('\n'));
        return EXIT.ok;
      }
      case 'status': {
        const s = await api.status();
        print(s, () => table(['', ''], Object.entries(s).map(([k, v]) => [k, String(v)])).split('\n').slice(1).join('\n'));
        return EXIT.ok;
      }
      case 'bind':
      case 'unbind': {
        const r = await (cmd === 'bind' ? api.bind : api.unbind)(num(rest[0], 'a group number'));
        print(r, () => table(['DEVICE', 'FROM', 'TO', 'CHANGED', 'NOTE'], r.devices.map((d) => [d.device, d.from_driver || '-', d.to_driver || '-', d.changed ? 'yes' : 'no', d.note || ''])));
        return EXIT.ok;
      }
      case 'claims': await listClaims(api, print); return EXIT.ok;
      case 'claim': await claimCommand(api, rest, print); return EXIT.ok;
      case 'group-type': {
        const group = num(rest[0], 'a group number');
        const restore = rest[1] === '--restore';
        if (!restore && !rest[1]) throw new UsageError('group-type needs a type (DMA, DMA-FQ, identity, auto) or --restore');
        const r = await api.setGroupType(group, restore ? '' : rest[1], restore);
        print(r, () => `group ${r.group}: ${r.previous} -> ${r.type}${r.restored ? ' (restored)' : r.original ? ` (was ${r.original}; restore with: group-type ${r.group} --restore)` : ''}`);
        return EXIT.ok;
      }
      case 'mdev':
        return await mdevCommand(api, rest, print);
      case 'watch': {
        return await new Promise<number>((resolve) => {
          const stream = api.watch(
            (e) => out.write((json ? JSON.stringify(e) : `${e.time}  ${e.kind.padEnd(16)} group ${e.group}${e.device ? ` ${e.device}` : ''}${e.claim_id ? ` ${e.claim_id}` : ''}${e.lease_id ? ` ${e.lease_id}` : ''}${e.owner?.cred ? ` pid ${e.owner.cred.pid} uid ${e.owner.cred.uid}` : ''}${e.reason ? ` (${e.reason})` : ''}`) + '\n'),
            (e) => resolve(e ? report(err, e) : EXIT.ok),
          );
          process.once('SIGINT', () => { stream.cancel(); resolve(EXIT.ok); });
        });
      }
      default:
        return usage(err, `unknown command ${cmd}`);
    }
  } catch (e) {
    if (e instanceof UsageError || e instanceof ClaimUsageError) return usage(err, e.message);
    if (e instanceof BrokerCallError) return report(err, e);
    err.write(`vfio-brokerctl: ${(e as Error).message}\n`);
    return EXIT.error;
  } finally {
    if (cmd !== 'watch') api.close();
  }
}

class UsageError extends Error {}

/** `groups` options to a ListGroups request (the daemon checks the values). */
function groupFilter(args: string[]) {
  const f: { vendor_device?: string; class?: string; free_only?: boolean; mode?: 'MODE_LEGACY' | 'MODE_IOMMUFD'; page_size?: number } = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const val = () => {
      const v = args[++i];
      if (v === undefined) throw new UsageError(`${a} needs a value`);
      return v;
    };
    if (a === '--device') f.vendor_device = val();
    else if (a === '--class') f.class = val();
    else if (a === '--free') f.free_only = true;
    else if (a === '--mode') {
      const m = val();
      if (m !== 'legacy' && m !== 'iommufd') throw new UsageError(`--mode is legacy or iommufd, not ${m}`);
      f.mode = m === 'legacy' ? 'MODE_LEGACY' : 'MODE_IOMMUFD';
    } else if (a === '--page-size') {
      const v = val();
      if (!/^\d+$/.test(v)) throw new UsageError('--page-size needs a number');
      f.page_size = Number(v);
    } else throw new UsageError(`groups: unknown option ${a}`);
  }
  return f;
}

type Print = (data: unknown, human: () => string) => void;

async function mdevCommand(api: ApiClient, rest: string[], print: Print): Promise<number> {
  const [sub, ...args] = rest;
  const opt = (name: string) => {
    const i = args.indexOf(name);
    if (i < 0) return '';
    if (args[i + 1] === undefined) throw new UsageError(`${name} needs a value`);
    return args.splice(i, 2)[1];
  };
  switch (sub) {
    case 'types': {
      const { parents } = await api.listMdevTypes();
      print(parents, () => parents.length === 0 ? 'no mdev parents (no mediated-device driver is loaded)' : table(['PARENT', 'DRIVER', 'TYPE', 'NAME', 'API', 'AVAILABLE', 'INSTANCES'],
        parents.flatMap((p) => p.types.map((t, i) => [i === 0 ? p.name : '', i === 0 ? p.driver || '-' : '', t.id, t.name || '-', t.device_api || '-', t.available_instances, t.instances.length]))));
      return EXIT.ok;
    }
    case 'list': {
      const { instances } = await api.listMdevTypes();
      print(instances, () => instances.length === 0 ? 'no mdev instances' : table(['UUID', 'TYPE', 'PARENT', 'GROUP', 'DRIVER', 'OWNER'],
        instances.map((i) => [i.uuid, i.type, i.parent, i.has_group ? i.group : '-', i.driver || '-', ownerText(i.owner) + (i.lease_owned ? ' (created for it)' : '')])));
      return EXIT.ok;
    }
    case 'create': {
      const parent = opt('--parent');
      const uuid = opt('--uuid');
      const type = args[0];
      if (!type) throw new UsageError('mdev create needs a type (see mdev types)');
      const r = await api.createMdev(type, parent, uuid);
      const i = r.instance;
      print(r, () => i ? `created mdev ${i.uuid} (${i.type} on ${i.parent}), group ${i.has_group ? i.group : '-'}` : 'created');
      return EXIT.ok;
    }
    case 'remove': {
      if (!args[0]) throw new UsageError('mdev remove needs a UUID');
      const r = await api.removeMdev(args[0]);
      print(r, () => r.removed ? `removed mdev ${args[0]}` : `removal pending: ${r.note}`);
      return EXIT.ok;
    }
    default:
      throw new UsageError(sub ? `unknown mdev command ${sub}` : 'mdev needs types, list, create or remove');
  }
}

function usage(err: Out, msg: string): number {
  err.write(`vfio-brokerctl: ${msg}\n\n${HELP}`);
  return EXIT.usage;
}

/** legacy / iommufd; a noiommu group's legacy mode is spelled out as unsafe. */
function modesText(g: { modes: string[]; noiommu: boolean }, sep: string): string {
  return g.modes.map((m) => m.replace('MODE_', '').toLowerCase()).map((m) => (g.noiommu ? `noiommu-${m}` : m)).join(sep);
}

function report(err: Out, e: BrokerCallError): number {
  if (e.unreachable) {
    err.write(`vfio-brokerctl: daemon unreachable: ${e.message}\n  is vfio-brokerd running? (systemctl status vfio-brokerd)\n`);
    return EXIT.unreachable;
  }
  err.write(`vfio-brokerctl: ${e.codeName}: ${e.message}\n`);
  if (e.codeName === 'NOT_FOUND') return EXIT.notFound;
  if (e.codeName === 'PERMISSION_DENIED' || e.codeName === 'UNAUTHENTICATED') return EXIT.denied;
  return EXIT.error;
}

function ownerText(o: WireOwnerOutput | null): string {
  if (!o || !o.lease_id) return 'free';
  // cred is a message field, so null on the wire when unset; the daemon always sets it.
  const c = o.cred ?? { pid: '?', uid: '?', exe: '' };
  return `${o.lease_id} pid ${c.pid} uid ${c.uid}${c.exe ? ` ${c.exe}` : ''} since ${o.since}`;
}
