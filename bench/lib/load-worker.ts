/**
 * A load generator for bench/sessions.ts: opens `sessions` broker sessions and,
 * on "status <ms>", runs bare Status RPCs (the gRPC baseline) from all of them
 * for that long; on "cycles <ms>", acquire+release cycles (each session on its
 * own group). Reports counts as JSON lines.
 */
import fs from 'node:fs';
import readline from 'node:readline';
import { BrokerClient } from '../../src/client/broker-client.js';

const spec = JSON.parse(process.argv[2]) as { api: string; fd: string; sessions: number; firstGroup: number };
const out = (o: object) => fs.writeSync(1, JSON.stringify(o) + '\n');
const clients: BrokerClient[] = [];
for (let i = 0; i < spec.sessions; i++) clients.push(await BrokerClient.connect({ apiSocket: spec.api, fdSocket: spec.fd, reconnectMs: 0 }));
out({ op: 'ready', sessions: clients.length });
for await (const line of readline.createInterface({ input: process.stdin })) {
  const [cmd, msArg] = line.split(' ');
  if (cmd !== 'status' && cmd !== 'cycles') break;
  const end = Date.now() + Number(msArg);
  let n = 0;
  let errors = 0;
  const kinds = new Map<string, number>();
  await Promise.all(clients.map(async (c, i) => {
    while (Date.now() < end) {
      try {
        if (cmd === 'status') await c.api.call('Status');
        else await c.release(await c.acquire({ groups: [spec.firstGroup + i] }));
        n++;
      } catch (e) {
        errors++;
        const k = String((e as Error).message).slice(0, 80);
        kinds.set(k, (kinds.get(k) ?? 0) + 1);
      }
    }
  }));
  out({ op: cmd, n, errors, kinds: Object.fromEntries(kinds) });
}
for (const c of clients) c.close();
process.exit(0);
