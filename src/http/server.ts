/**
 * Health and metrics over HTTP (fastify): /healthz (the process answers),
 * /readyz (inventory loaded and sockets listening), /metrics (Prometheus text).
 * Listens on a Unix socket in the runtime directory by default, and on a loopback
 * TCP port only when configured.
 */
import fs from 'node:fs';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Metrics } from './metrics.js';

export interface HttpOptions {
  socketPath?: string;
  port?: number;
  host?: string;
  metrics: Metrics;
  ready: () => { ready: boolean; detail: Record<string, unknown> };
  /** Called before each scrape so gauges reflect the moment of the scrape. */
  refresh?: () => void;
}

export class HttpServer {
  #apps: FastifyInstance[] = [];
  #o: HttpOptions;

  constructor(o: HttpOptions) {
    this.#o = o;
  }

  private app(): FastifyInstance {
    const app = Fastify({ logger: false });
    app.get('/healthz', async () => ({ status: 'ok' }));
    app.get('/readyz', async (_req, reply) => {
      const r = this.#o.ready();
      reply.code(r.ready ? 200 : 503);
      return { status: r.ready ? 'ready' : 'not ready', ...r.detail };
    });
    app.get('/metrics', async (_req, reply) => {
      this.#o.refresh?.();
      reply.header('content-type', this.#o.metrics.registry.contentType);
      return this.#o.metrics.registry.metrics();
    });
    return app;
  }

  async listen(): Promise<void> {
    if (this.#o.socketPath) {
      try { fs.unlinkSync(this.#o.socketPath); } catch { /* absent */ }
      const app = this.app();
      await app.listen({ path: this.#o.socketPath });
      fs.chmodSync(this.#o.socketPath, 0o660);
      this.#apps.push(app);
    }
    if (this.#o.port) {
      const app = this.app();
      await app.listen({ port: this.#o.port, host: this.#o.host ?? '127.0.0.1' });
      this.#apps.push(app);
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.#apps.map((a) => a.close()));
    this.#apps = [];
  }
}
