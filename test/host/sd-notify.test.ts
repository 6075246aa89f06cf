import t from 'tap';
import fs from 'node:fs';
import { startReceiver } from '../fixtures/dgram-receiver.js';
import { SdNotifier, watchdogUsec } from '../../src/kernel/sd-notify.js';
import { sockaddrUn } from '../../src/kernel/sockaddr.js';

t.test('sockaddr_un for paths and abstract names', async (t) => {
  const p = sockaddrUn('/run/x');
  t.equal(p.len, 2 + 6 + 1);
  t.equal(p.addr.subarray(2, 8).toString(), '/run/x');
  const a = sockaddrUn('@sd');
  t.equal(a.len, 2 + 1 + 2);
  t.equal(a.addr[2], 0);
  t.throws(() => sockaddrUn('/' + 'x'.repeat(200)), RangeError);
});

t.test('outside systemd notify is a no-op', async (t) => {
  t.equal(new SdNotifier('').notify({ READY: 1 }), false);
});

t.test('a real datagram reaches a listening socket', async (t) => {
  // Not t.testdir(): that lives under the checkout, whose path may exceed
  // sockaddr_un's 108 bytes on a CI machine (bind then fails, the test hangs).
  const dir = fs.mkdtempSync('/tmp/vb-sd-');
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const sock = `${dir}/notify`;
  const py = `import socket,sys\ns=socket.socket(socket.AF_UNIX,socket.SOCK_DGRAM)\ns.bind(sys.argv[1])\nprint('up',flush=True)\ns.settimeout(20)\nprint(s.recv(4096).decode(),flush=True)`;
  const rx = await startReceiver(py, sock);
  const n = new SdNotifier(sock);
  t.equal(n.notify({ READY: 1, STATUS: 'serving 3 groups' }), true);
  await rx.done;
  t.match(rx.output(), /READY=1\nSTATUS=serving 3 groups/);
  n.close();
});

t.test('watchdog interval honours WATCHDOG_PID', async (t) => {
  t.equal(watchdogUsec({ WATCHDOG_USEC: '2000000' }, 5), 2000000);
  t.equal(watchdogUsec({ WATCHDOG_USEC: '2000000', WATCHDOG_PID: '6' }, 5), 0);
  t.equal(watchdogUsec({}, 5), 0);
});
