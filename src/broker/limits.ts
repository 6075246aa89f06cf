/**
 * Bounds on what one local user may make the daemon hold, so that nobody can
 * starve anybody else (or exhaust the daemon's fds and memory). Root is exempt
 * from the per-uid counts: it can stop the daemon anyway.
 */
export interface Limits {
  /** Open fd-channel sessions per uid. */
  sessionsPerUid: number;
  /** Open API connections per uid. */
  connectionsPerUid: number;
  /** Calls in flight on one API connection (HTTP/2 SETTINGS_MAX_CONCURRENT_STREAMS); the client queues the rest. */
  streamsPerConnection: number;
  /** Datagrams (replies, notices, fd deliveries) queued to one session that does not read; past it the session is dropped. */
  sessionSendQueue: number;
  /** fds waiting in one session's queue; past it the session is dropped. */
  sessionQueuedFds: number;
  /** Seconds a session may leave its socket full without reading anything; then it is dropped. */
  sessionStallSeconds: number;
  /** Open Watch streams per uid. */
  watchesPerUid: number;
  /** Events buffered for one Watch stream that does not read; past it the stream ends with RESOURCE_EXHAUSTED. */
  watchQueue: number;
  /** Live share grants per lease. */
  grantsPerLease: number;
}

export const DEFAULT_LIMITS: Limits = {
  sessionsPerUid: 64,
  connectionsPerUid: 64,
  streamsPerConnection: 100,
  sessionSendQueue: 256,
  sessionQueuedFds: 256,
  sessionStallSeconds: 30,
  watchesPerUid: 16,
  watchQueue: 4096,
  grantsPerLease: 64,
};

/** Validate a partial limits object from the config; returns problems, fills defaults. */
export function parseLimits(v: unknown): { limits: Limits; problems: string[] } {
  const problems: string[] = [];
  const limits = { ...DEFAULT_LIMITS };
  if (v === undefined) return { limits, problems };
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return { limits, problems: ['limits must be an object'] };
  for (const [k, n] of Object.entries(v)) {
    if (!(k in DEFAULT_LIMITS)) problems.push(`limits: unknown key "${k}"`);
    else if (!Number.isInteger(n) || (n as number) < 1) problems.push(`limits.${k} must be a whole number ≥ 1`);
    else limits[k as keyof Limits] = n as number;
  }
  return { limits, problems };
}
