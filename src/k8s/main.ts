/**
 * vfio-broker-device-plugin [--config FILE]: the Kubernetes device plugin. Runs until
 * SIGTERM/SIGINT; logs one line per event to stderr.
 */
import fs from 'node:fs';
import { parsePluginConfig, PluginConfigError } from './plugin-config.js';
import { VfioDevicePlugin } from './device-plugin.js';

export const DEFAULT_CONFIG = '/etc/vfio-broker/device-plugin.json';

const HELP = `usage: vfio-broker-device-plugin [--config FILE]

Offer vfio-brokerd's IOMMU groups to the kubelet (device plugin API v1beta1).
  -c, --config FILE   JSON config (default ${DEFAULT_CONFIG}; $VFIO_BROKER_DEVICE_PLUGIN_CONFIG)
  -h, --help          this help
`;

export async function main(argv: string[]): Promise<number> {
  let file = process.env.VFIO_BROKER_DEVICE_PLUGIN_CONFIG ?? DEFAULT_CONFIG;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '-h' || argv[i] === '--help') return void process.stdout.write(HELP), 0;
    if ((argv[i] === '-c' || argv[i] === '--config') && argv[i + 1]) file = argv[++i];
    else if (argv[i].startsWith('--config=')) file = argv[i].slice(9);
    else return void process.stderr.write(`vfio-broker-device-plugin: unknown argument ${argv[i]}\n${HELP}`), 2;
  }
  const line = (level: string) => (msg: string) => process.stderr.write(`${new Date().toISOString()} ${level} ${msg}\n`);
  const log = { info: line('info'), warn: line('warn') };
  let plugin: VfioDevicePlugin;
  try {
    plugin = new VfioDevicePlugin(parsePluginConfig(JSON.parse(fs.readFileSync(file, 'utf8'))), log);
  } catch (e) {
    process.stderr.write(`vfio-broker-device-plugin: ${file}: ${e instanceof PluginConfigError || e instanceof SyntaxError ? e.message : (e as Error).message}\n`);
    return 2;
  }
  await plugin.start();
  log.info(`serving ${plugin.endpoints.map((e) => e.resource.name).join(', ')} in ${plugin.config.devicePluginDir}`);
  await new Promise<void>((resolve) => {
    for (const s of ['SIGTERM', 'SIGINT'] as const) process.once(s, () => resolve());
  });
  await plugin.stop();
  return 0;
}
