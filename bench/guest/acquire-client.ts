/**
 * Inside the guest: time N acquires through the broker (client library, as the
 * uid this runs as), or N direct opens of the same group as root with the
 * project's kernel classes. Prints one JSON line of samples (µs).
 *
 *   acquire-client.ts broker '{"api":…,"fd":…,"group":N,"device":"BDF","n":50}'
 *   acquire-client.ts direct '{"group":N,"device":"BDF","n":50}'
 */
import fs from 'node:fs';
import { BrokerClient } from '../../src/client/broker-client.js';
import { Container } from '../../src/kernel/vfio/container.js';
import { Group } from '../../src/kernel/vfio/group.js';
import { Device } from '../../src/kernel/vfio/device.js';
import { profiled, profileTop } from '../lib/prof-top.js';

const [mode, json] = process.argv.slice(2);
const spec = JSON.parse(json) as { api?: string; fd?: string; group: number; device: string; n: number; profile?: boolean };
const us = (a: bigint) => Number(process.hrtime.bigint() - a) / 1000;
const acquire: number[] = [];
const release: number[] = [];
const cycle: number[] = [];
const rpc: number[] = [];
/** When the delivery's datagram was read, from the acquire's start (µs): tells the fd channel from the gRPC reply. */
const fdsAt: number[] = [];
let profile = '';
const use = (d: Device) => d.regionInfo(0); // one ioctl on the device: "use"

if (mode === 'direct') {
  for (let i = 0; i < spec.n + 5; i++) {
    const t0 = process.hrtime.bigint();
    const c = Container.open();
    const g = Group.open(spec.group);
    g.setContainer(c);
    c.setIommu();
    const d = g.getDeviceFd(spec.device);
    const t1 = process.hrtime.bigint();
    use(d);
    const t2 = process.hrtime.bigint();
    d.close(); g.close(); c.close();
    if (i >= 5) { acquire.push(Number(t1 - t0) / 1000); release.push(us(t2)); cycle.push(us(t0)); }
  }
} else {
  const client = await BrokerClient.connect({ apiSocket: spec.api, fdSocket: spec.fd, reconnectMs: 0 });
  let lastMessage = 0n;
  client.conn.on('message', () => { lastMessage = process.hrtime.bigint(); });
  const loop = async () => {
    for (let i = 0; i < spec.n + 5; i++) {
      const t0 = process.hrtime.bigint();
      const lease = await client.acquire({ groups: [spec.group] });
      const t1 = process.hrtime.bigint();
      use(Device.fromFd(lease.devices.get(spec.device)!, spec.device));
      const t2 = process.hrtime.bigint();
      await client.release(lease);
      const r0 = process.hrtime.bigint();
      await client.api.call('Status');
      if (i >= 5) {
        acquire.push(Number(t1 - t0) / 1000); release.push(Number(r0 - t2) / 1000); cycle.push(Number(r0 - t0) / 1000); rpc.push(us(r0));
        fdsAt.push(Number(lastMessage - t0) / 1000);
      }
    }
  };
  if (spec.profile) profile = profileTop((await profiled(loop)).profile, 20);
  else await loop();
  client.close();
}
fs.writeSync(1, JSON.stringify({ op: 'samples', mode, acquire, release, cycle, rpc, fdsAt, profile }) + '\n');
