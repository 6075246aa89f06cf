/**
 * Daemon configuration: a JSON file (default /etc/vfio-broker/config.json, optional)
 * overridden by command-line flags. Every option has a default that is right for
 * a systemd-managed host; deploy/config.example.json documents them all.
 */
import fs from 'node:fs';
import path from 'node:path';
import { DEFAULT_LIMITS, parseLimits, type Limits } from '../broker/limits.js';

export interface Config {
  /** Where the sockets live (systemd RuntimeDirectory=vfio-broker). */
  runtimeDir: string;
  apiSocket: string;
  fdSocket: string;
  /** Health and metrics over HTTP on a Unix socket. */
  httpSocket: string;
  /** Optional loopback TCP port for /metrics (0 = off). */
  httpPort: number;
  httpHost: string;
  /** Lease journal (systemd StateDirectory=vfio-broker). */
  stateDir: string;
  policyFile: string;
  /** Group allowed onto the API and fd sockets (mode 0660). Absent group: sockets stay root-only. */
  socketGroup: string;
  /** Prefix for /sys and /dev/vfio lookups; "/" on a real host. */
  sysfsRoot: string;
  logLevel: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';
  /** Optional append-only file for audit records (they are always in the log too). */
  auditFile: string | null;
  /** How long a restored lease waits for its owner to re-attach. */
  reattachGraceSeconds: number;
  /** Devices that Bind may take from their driver although the host uses them (explicit operator override). */
  criticalOverride: string[];
  /** How long one driver move (bind/unbind of a device) may take before the RPC answers DEADLINE_EXCEEDED. */
  bindDeadlineSeconds: number;
  /** Per-uid and per-object bounds (src/broker/limits.ts); each answered with RESOURCE_EXHAUSTED naming it. */
  limits: Limits;
  /** Test-only hooks (event-loop hang trigger); never enable in production. */
  testHooks: boolean;
}

export const DEFAULTS: Config = {
  runtimeDir: '/run/vfio-broker',
  apiSocket: '',
  fdSocket: '',
  httpSocket: '',
  httpPort: 0,
  httpHost: '127.0.0.1',
  stateDir: '/var/lib/vfio-broker',
  policyFile: '/etc/vfio-broker/policy.json',
  socketGroup: 'vfio-broker',
  sysfsRoot: '/',
  logLevel: 'info',
  auditFile: null,
  reattachGraceSeconds: 60,
  criticalOverride: [],
  bindDeadlineSeconds: 10,
  limits: DEFAULT_LIMITS,
  testHooks: false,
};

const FLAGS: Record<string, keyof Config> = {
  '--runtime-dir': 'runtimeDir',
  '--api-socket': 'apiSocket',
  '--fd-socket': 'fdSocket',
  '--http-socket': 'httpSocket',
  '--http-port': 'httpPort',
  '--state-dir': 'stateDir',
  '--policy': 'policyFile',
  '--socket-group': 'socketGroup',
  '--sysfs-root': 'sysfsRoot',
  '--log-level': 'logLevel',
  '--audit-file': 'auditFile',
  '--reattach-grace': 'reattachGraceSeconds',
  '--bind-deadline': 'bindDeadlineSeconds',
};

export const USAGE = `usage: vfio-brokerd [--config FILE] [options]

Brokers VFIO container, group, device, iommufd and cdev fds to unprivileged
clients. Runs as root, normally under systemd (vfio-brokerd.service).

options (each overrides the config file):
  --config FILE          JSON config (default /etc/vfio-broker/config.json if it exists)
  --runtime-dir DIR      sockets directory (default /run/vfio-broker)
  --api-socket PATH      gRPC API socket (default RUNTIME/api.sock)
  --fd-socket PATH       fd channel socket (default RUNTIME/fd.sock)
  --http-socket PATH     health/metrics socket (default RUNTIME/http.sock)
  --http-port N          also serve health/metrics on 127.0.0.1:N (default off)
  --state-dir DIR        lease journal directory (default /var/lib/vfio-broker)
  --policy FILE          policy JSON (default /etc/vfio-broker/policy.json; absent = root/admin only)
  --socket-group NAME    group allowed onto the sockets (default vfio-broker)
  --sysfs-root DIR       prefix for /sys and /dev (tests; default /)
  --log-level LEVEL      trace|debug|info|warn|error (default info)
  --audit-file PATH      also append audit records to this file
  --reattach-grace SEC   how long restored leases wait for their owner (default 60)
  --bind-deadline SEC    how long a driver bind/unbind may take before DEADLINE_EXCEEDED (default 10)
  --test-hooks           enable test-only hooks (never in production)
`;

export class ConfigError extends Error {}

export function loadConfig(argv: string[], env = process.env): Config {
  let file: string | undefined;
  const over: Partial<Record<keyof Config, unknown>> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [flag, inline] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new ConfigError(`${flag} needs a value`);
      return v;
    };
    if (flag === '--config') file = value();
    else if (flag === '--test-hooks') over.testHooks = true;
    else if (FLAGS[flag]) over[FLAGS[flag]] = value();
    else throw new ConfigError(`unknown option ${a}\n\n${USAGE}`);
  }
  let fromFile: Record<string, unknown> = {};
  const path0 = file ?? env.VFIO_BROKER_CONFIG ?? '/etc/vfio-broker/config.json';
  if (file || fs.existsSync(path0)) {
    try {
      fromFile = JSON.parse(fs.readFileSync(path0, 'utf8'));
    } catch (e) {
      throw new ConfigError(`cannot read config ${path0}: ${(e as Error).message}`);
    }
    for (const k of Object.keys(fromFile)) if (!(k in DEFAULTS) && k !== 'comment') throw new ConfigError(`${path0}: unknown option "${k}"`);
  }
  const c = { ...DEFAULTS, ...fromFile, ...over } as Record<string, unknown>;
  const secs = Number(c.bindDeadlineSeconds);
  if (!Number.isFinite(secs) || secs <= 0 || secs > 3600) throw new ConfigError(`bindDeadlineSeconds must be a number of seconds in (0, 3600], got ${JSON.stringify(c.bindDeadlineSeconds)}`);
  c.bindDeadlineSeconds = secs;
  for (const k of ['httpPort', 'reattachGraceSeconds'] as const) {
    const n = Number(c[k]);
    if (!Number.isInteger(n) || n < 0) throw new ConfigError(`${k} must be a whole number ≥ 0, got ${JSON.stringify(c[k])}`);
    c[k] = n;
  }
  if (!Array.isArray(c.criticalOverride) || c.criticalOverride.some((d) => typeof d !== 'string')) throw new ConfigError('criticalOverride must be a list of device names');
  if (!['trace', 'debug', 'info', 'warn', 'error', 'fatal'].includes(String(c.logLevel))) throw new ConfigError(`logLevel must be trace|debug|info|warn|error|fatal`);
  const limits = parseLimits(c.limits === DEFAULT_LIMITS ? undefined : c.limits);
  if (limits.problems.length) throw new ConfigError(limits.problems.join('; '));
  c.limits = limits.limits;
  const cfg = c as unknown as Config;
  cfg.apiSocket ||= path.join(cfg.runtimeDir, 'api.sock');
  cfg.fdSocket ||= path.join(cfg.runtimeDir, 'fd.sock');
  cfg.httpSocket ||= path.join(cfg.runtimeDir, 'http.sock');
  return cfg;
}
