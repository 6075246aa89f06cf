/** vfio-brokerd: parse the config, start the daemon on the real kernel, stop cleanly on signals. */
import { USAGE, loadConfig } from './config.js';
import { startDaemon } from './daemon.js';
import { VfioHost } from '../kernel/vfio-host.js';
import { PolicyError } from '../broker/policy.js';

export async function main(argv: string[]): Promise<number> {
  if (argv.includes('-h') || argv.includes('--help')) {
    process.stdout.write(USAGE);
    return 0;
  }
  let config;
  try {
    config = loadConfig(argv);
  } catch (e) {
    process.stderr.write(`vfio-brokerd: ${(e as Error).message}\n`);
    return 2;
  }
  if (process.getuid?.() !== 0) process.stderr.write('vfio-brokerd: warning: not running as root; opening VFIO devices will fail\n');
  let daemon;
  try {
    daemon = await startDaemon(config, { host: new VfioHost(config.sysfsRoot, undefined, { bindDeadlineMs: config.bindDeadlineSeconds * 1000 }) });
  } catch (e) {
    const msg = e instanceof PolicyError ? e.message : `cannot start: ${(e as Error).message}`;
    process.stderr.write(`vfio-brokerd: ${msg}\n`);
    return 1;
  }
  if (config.testHooks) {
    // Test-only: SIGUSR2 hangs the event loop so the systemd watchdog can be seen to fire.
    process.on('SIGUSR2', () => {
      daemon.log.warn({}, 'test hook: hanging the event loop');
      const until = Date.now() + 3_600_000;
      while (Date.now() < until) { /* spin */ }
    });
  }
  return await new Promise<number>((resolve) => {
    const stop = (sig: NodeJS.Signals) => {
      daemon.log.info({ signal: sig }, 'stopping');
      // Leases are not ended on a stop: the journal keeps them for the next start,
      // and the clients still hold their fds either way.
      void daemon.close().then(() => resolve(0));
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
}
