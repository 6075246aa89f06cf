/**
 * The device plugin's configuration: which resources it offers (each a selector in
 * the policy's selector language) and where the broker, the kubelet and its own
 * state live. Parsed from JSON; every mistake is reported at once.
 */
import { parseSelector, type DeviceSelector } from '../protocol/device-selector.js';
import type { Mode } from '../protocol/mode.js';
import { DEFAULT_DEVICE_PLUGIN_DIR, DEFAULT_POD_RESOURCES_SOCKET } from './kubelet-api.js';

export interface ResourceConfig {
  /** Extended resource name, e.g. vfio-broker.io/edu. */
  name: string;
  selector: DeviceSelector;
  /** The mode of the claims made for it (what the pod's fds will be). */
  mode: Mode;
}

export interface PluginConfig {
  resources: ResourceConfig[];
  /** The broker's API socket (the plugin is an admin client). */
  apiSocket: string;
  /** The broker's socket directory on the host, mounted read-only into pods. */
  brokerSocketDir: string;
  /** The kubelet's device plugin directory: kubelet.sock, and our sockets beside it. */
  devicePluginDir: string;
  podResourcesSocket: string;
  /** Where claim token files are written (a host directory the kubelet can mount from). */
  stateDir: string;
  /** How often PodResources is polled for claims whose pod is gone. */
  reapIntervalSeconds: number;
  /** A claim younger than this is never ended: its pod may not be listed yet. */
  reapGraceSeconds: number;
}

export const DEFAULTS: Omit<PluginConfig, 'resources'> = {
  apiSocket: '/run/vfio-broker/api.sock',
  brokerSocketDir: '/run/vfio-broker',
  devicePluginDir: DEFAULT_DEVICE_PLUGIN_DIR,
  podResourcesSocket: DEFAULT_POD_RESOURCES_SOCKET,
  stateDir: '/var/lib/vfio-broker-device-plugin',
  reapIntervalSeconds: 10,
  reapGraceSeconds: 60,
};

export class PluginConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid device plugin config:\n  - ${problems.join('\n  - ')}`);
    this.name = 'PluginConfigError';
  }
}

/** Extended resource names: a domain prefix and a name, as the kubelet requires. */
const RESOURCE_NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?\/[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const KEYS = new Set(['resources', ...Object.keys(DEFAULTS), 'comment']);

export function parsePluginConfig(doc: unknown): PluginConfig {
  const problems: string[] = [];
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new PluginConfigError(['the config must be a JSON object']);
  const top = doc as Record<string, unknown>;
  for (const k of Object.keys(top)) if (!KEYS.has(k)) problems.push(`unknown key "${k}"`);
  const out: PluginConfig = { ...DEFAULTS, resources: [] };
  for (const k of ['apiSocket', 'brokerSocketDir', 'devicePluginDir', 'podResourcesSocket', 'stateDir'] as const) {
    if (top[k] === undefined) continue;
    if (typeof top[k] !== 'string' || !(top[k] as string).startsWith('/')) problems.push(`${k} must be an absolute path`);
    else out[k] = top[k] as string;
  }
  for (const k of ['reapIntervalSeconds', 'reapGraceSeconds'] as const) {
    if (top[k] === undefined) continue;
    if (typeof top[k] !== 'number' || !((top[k] as number) > 0)) problems.push(`${k} must be a number > 0`);
    else out[k] = top[k] as number;
  }
  if (!Array.isArray(top.resources) || top.resources.length === 0) problems.push('"resources" must be a non-empty list');
  const seen = new Set<string>();
  (Array.isArray(top.resources) ? top.resources : []).forEach((r: unknown, i) => {
    const where = `resources[${i}]`;
    if (typeof r !== 'object' || r === null || Array.isArray(r)) return void problems.push(`${where} must be an object`);
    const raw = r as Record<string, unknown>;
    for (const k of Object.keys(raw)) if (!['name', 'devices', 'mode', 'comment'].includes(k)) problems.push(`${where}: unknown key "${k}"`);
    if (typeof raw.name !== 'string' || !RESOURCE_NAME.test(raw.name)) return void problems.push(`${where}.name must be an extended resource name such as "vfio-broker.io/edu"`);
    if (seen.has(raw.name)) problems.push(`${where}: duplicate resource "${raw.name}"`);
    seen.add(raw.name);
    const mode = raw.mode ?? 'legacy';
    if (mode !== 'legacy' && mode !== 'iommufd') problems.push(`${where}.mode must be "legacy" or "iommufd"`);
    out.resources.push({ name: raw.name, selector: parseSelector(raw.devices, `${where}.devices`, problems), mode: mode as Mode });
  });
  if (problems.length) throw new PluginConfigError(problems);
  return out;
}
