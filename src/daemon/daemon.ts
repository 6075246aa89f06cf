/**
 * Wiring: config → logger, policy, kernel host, broker service, fd channel, gRPC
 * API, HTTP health/metrics, systemd notify/watchdog, signals. `startDaemon` is
 * what `vfio-brokerd` runs and what tests start in-process (with a fake Host).
 */
import fs from 'node:fs';
import { BrokerService, type DeliveryItem } from '../service/broker-service.js';
import { FdChannel } from '../api/fd-channel.js';
import { GrpcApiServer } from '../api/grpc-server.js';
import type { Host } from '../kernel/host.js';
import type { Caller } from '../broker/types.js';
import { Metrics } from '../http/metrics.js';
import { HttpServer } from '../http/server.js';
import { socketFd } from '../kernel/peercred.js';
import { identifyPeer } from '../kernel/peer-identity.js';
import { SdNotifier, watchdogUsec } from '../kernel/sd-notify.js';
import { mallocTrim } from '../kernel/libc.js';
import { takeListenFds } from '../kernel/sd-listen.js';
import { FdStore } from './fd-store.js';
import { UeventMonitor } from '../kernel/uevent.js';
import type { Config } from './config.js';
import { systemAccounts } from './accounts.js';
import { JournalWriter, LeaseJournal, fromEntry } from './journal.js';
import { ClaimJournal } from './claim-journal.js';
import { AuditSink, createLogger, type Logger } from './logger.js';
import { PolicyStore } from './policy-store.js';

export const VERSION = '0.1.0';
/** How often claims are checked for an expired TTL or a vanished pod cgroup (a stat per bound claim). */
const CLAIM_SWEEP_MS = 2000;
/** How often freed malloc memory is handed back (mallocTrim). */
const MALLOC_TRIM_MS = 60_000;

export interface DaemonHandle {
  service: BrokerService;
  metrics: Metrics;
  log: Logger;
  config: Config;
  close(): Promise<void>;
}

export interface DaemonDeps {
  host: Host;
  log?: Logger;
  /** Describe a pid (supplementary groups, exe, start time); /proc by default via the host. */
  uevents?: boolean;
  bootId?: string;
}

function bootId(): string {
  try {
    return fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return 'unknown-boot';
  }
}

export async function startDaemon(config: Config, deps: DaemonDeps): Promise<DaemonHandle> {
  const log = deps.log ?? createLogger(config.logLevel);
  const metrics = new Metrics();
  const audit = new AuditSink(log, config.auditFile, { onWriteFailure: () => metrics.auditWriteFailures.inc() });
  const accounts = () => systemAccounts();
  const socketGid = accounts().groupId(config.socketGroup);
  if (socketGid === undefined) log.warn({ group: config.socketGroup }, 'socket group does not exist: sockets are root-only (create it with systemd-sysusers)');

  fs.mkdirSync(config.runtimeDir, { recursive: true, mode: 0o755 });
  fs.mkdirSync(config.stateDir, { recursive: true, mode: 0o700 });

  const policy = new PolicyStore(config.policyFile, accounts);
  const loaded = policy.load();
  log.info({ policy: config.policyFile, ...loaded }, loaded.source === 'file' ? 'policy loaded' : 'no policy file: only root and admin groups may lease devices');

  const host = deps.host;
  // Uevents are heard from before the first read, so nothing changed during it is
  // missed; until the service exists they go to the inventory alone.
  let service: BrokerService | undefined;
  let uevents: UeventMonitor | undefined;
  if (deps.uevents !== false) {
    try {
      uevents = new UeventMonitor();
      uevents.on('uevent', (ev) => {
        if (!service) return host.deviceChanged(ev);
        const r = service.deviceChanged(ev);
        if (r) log.info({ device: ev.name, action: ev.action, lease: r.lease?.id }, `uevent ${ev.action} ${ev.name}`);
      });
      // The kernel dropped uevents (ENOBUFS): only a full re-read can catch up.
      uevents.on('overrun', () => void host.rescan().catch((e) => log.warn({ err: (e as Error).message }, 'inventory rescan failed')));
      uevents.on('error', (e) => log.warn({ err: (e as Error).message }, 'uevent monitor error'));
    } catch (e) {
      log.warn({ err: (e as Error).message }, 'no kernel uevents: device removal will not be noticed promptly');
    }
  }
  // Nothing is answered before the first inventory is in (read off the event loop).
  await host.ready();
  const identify = (fd: number): Caller => identifyPeer(fd, (pid) => host.describe(pid));
  const journal = new LeaseJournal(config.stateDir, deps.bootId ?? bootId());
  const journalWriter = new JournalWriter(journal);
  const claimJournal = new ClaimJournal(config.stateDir);

  let fdChannel: FdChannel | undefined;
  const notifier = new SdNotifier();
  const fdStore = new FdStore(notifier, log);
  // Fds systemd kept for us across a restart (legacy leases' container and group fds).
  const stored = FdStore.recover(takeListenFds(), log);
  const svc = new BrokerService({
    host,
    policy: () => policy.current,
    audit: (r) => {
      audit.write(r);
      if (r.event === 'refusal' && r.status === 'PERMISSION_DENIED') metrics.refusals.inc({ rpc: r.rpc });
    },
    deliver: (s, r, items, extra) => fdChannel!.deliver(s, r, items, extra),
    notify: (s, m) => fdChannel?.notify(s, m),
    journal: journalWriter,
    claimJournal,
    fdStore,
    criticalOverride: new Set(config.criticalOverride),
    limits: config.limits,
    observer: {
      acquired: ({ mode, result, seconds }) => {
        metrics.acquireSeconds.observe({ mode }, seconds);
        metrics.acquires.inc({ result, mode });
      },
      warning: (msg) => log.warn({}, msg),
    },
  });
  service = svc;

  // Leases from before a restart (same boot): reserved for their owners until they re-attach.
  const prior = journal.read();
  if (prior.found) metrics.restarts.inc();
  if (prior.staleBoot) log.info({}, 'lease journal is from an earlier boot: every fd died with that kernel, starting empty');
  if (prior.unreadable) log.error({}, `lease journal ${prior.unreadable}: starting with no leases restored`);
  for (const d of prior.dropped) log.warn({ entry: d.index, lease: d.id }, `lease journal entry ${d.index}${d.id ? ` (${d.id})` : ''} dropped: ${d.reason}`);
  if (stored.size) log.info({ leases: [...stored.keys()] }, `fd store: recovered the fds of ${stored.size} lease(s)`);
  if (prior.entries.length || stored.size) {
    const { restored, dropped } = service.restore(prior.entries.map(fromEntry), stored);
    metrics.restoredLeases.inc(restored.length);
    for (const d of dropped) log.info({ lease: d.lease.id }, `restored lease released: ${d.reason}`);
    log.info({ restored: restored.map((l) => l.id) }, `restored ${restored.length} lease(s); owners have ${config.reattachGraceSeconds}s to re-attach`);
  }
  // Claims after leases: a claim whose lease did not come back is reserved again.
  const claims = claimJournal.read();
  if (claims.unreadable) log.error({}, `claim journal ${claims.unreadable}: starting with no claims restored`);
  for (const d of claims.dropped) log.warn({ entry: d.index }, `claim journal entry ${d.index} dropped: ${d.reason}`);
  if (claims.claims.length) {
    const r = service.claims.restore(claims.claims);
    for (const d of r.dropped) log.warn({ claim: d.claim.id }, `claim not restored: ${d.reason}`);
    log.info({ claims: r.restored.map((c) => c.id) }, `restored ${r.restored.length} claim(s)`);
  }
  // Unredeemed claims past their TTL, and claims whose pod's cgroup is gone, end (so they do without the device plugin).
  service.claims.startWatch(CLAIM_SWEEP_MS, (c) => log.info({ claim: c.id }, `claim ended`));
  service.startGraceTimer(config.reattachGraceSeconds, (x) => log.info({ lease: x.lease.id }, `restored lease released: ${x.reason}`));

  fdChannel = new FdChannel({
    path: config.fdSocket, gid: socketGid, mode: socketGid === undefined ? 0o600 : 0o660, service, identify, log, limits: config.limits,
    onDelivered: (items: DeliveryItem[], seconds: number) => {
      metrics.deliverySeconds.observe(seconds);
      for (const it of items) metrics.fdsDelivered.inc({ role: it.role });
    },
  });
  const grpc = new GrpcApiServer({
    service, socketPath: config.apiSocket, socketMode: socketGid === undefined ? 0o600 : 0o660, socketGid,
    identify: (s) => identify(socketFd(s)), log, limits: config.limits,
    statusExtra: () => ({ version: VERSION, restored_leases: service.leases.all().filter((l) => l.state === 'orphaned').length, policy_file: config.policyFile, policy_loaded: policy.loadedAt?.toISOString() ?? '' }),
  });
  let ready = false;
  const http = new HttpServer({
    socketPath: config.httpSocket, port: config.httpPort, host: config.httpHost, metrics,
    ready: () => ({ ready, detail: { leases: service.leases.size, sessions: service.sessions.size } }),
    refresh: () => {
      const groups = host.scan();
      metrics.groups.set({ viable: 'true' }, groups.filter((g) => g.viable).length);
      metrics.groups.set({ viable: 'false' }, groups.filter((g) => !g.viable).length);
      metrics.leases.set(service.leases.size);
      metrics.sessions.set(service.sessions.size);
    },
  });

  fdChannel.listen();
  await grpc.listen();
  await http.listen();

  const groups = host.scan();
  log.info({
    groups: groups.map((g) => ({ id: g.id, viable: g.viable, noiommu: g.noiommu, devices: g.devices.map((d) => `${d.name}${d.driver ? `(${d.driver})` : ''}`) })),
  }, `inventory: ${groups.length} IOMMU group(s), ${groups.filter((g) => g.viable).length} viable`);

  const status = () => `${host.scan().length} groups, ${service.leases.size} leases, ${service.sessions.size} sessions`;
  ready = true;
  notifier.notify({ READY: 1, STATUS: status(), MAINPID: process.pid });
  log.info({ api: config.apiSocket, fd: config.fdSocket, http: config.httpSocket, port: config.httpPort || undefined }, 'vfio-brokerd ready');
  const statusTimer = setInterval(() => notifier.notify({ STATUS: status() }), 5000);
  statusTimer.unref();
  // WATCHDOG=1 from a timer on the event loop itself: if the loop hangs, systemd notices.
  const wd = watchdogUsec();
  const wdTimer = wd ? setInterval(() => notifier.notify({ WATCHDOG: 1 }), Math.max(100, wd / 2000)) : undefined;
  // Memory that bursts of clients left free inside malloc goes back to the kernel
  // (libc.ts); the call costs well under 1 ms when there is nothing to return.
  const trimTimer = setInterval(() => mallocTrim(), MALLOC_TRIM_MS);
  trimTimer.unref();

  const onHup = () => {
    // SIGHUP is also the operator's explicit request to re-read sysfs in full.
    void host.rescan().then(() => log.info({ groups: host.scan().length }, 'inventory re-read'), (e) => log.warn({ err: (e as Error).message }, 'inventory rescan failed'));
    try {
      const r = policy.load();
      log.info({ ...r }, 'policy reloaded (active leases stay)');
      notifier.notify({ STATUS: `${status()}; policy reloaded` });
    } catch (e) {
      log.error({ err: (e as Error).message }, 'policy reload failed: keeping the previous policy');
    }
  };
  process.on('SIGHUP', onHup);

  let closed = false;
  return {
    service, metrics, log, config,
    async close() {
      if (closed) return;
      closed = true;
      notifier.notify({ STOPPING: 1 });
      process.off('SIGHUP', onHup);
      clearInterval(statusTimer);
      if (wdTimer) clearInterval(wdTimer);
      clearInterval(trimTimer);
      uevents?.close();
      service.stop();
      journalWriter.flushNow();
      await grpc.close();
      fdChannel!.close();
      await http.close();
      audit.close();
      notifier.close();
    },
  };
}
