/** Prometheus metrics (prom-client). One registry per daemon so tests can run several. */
import client from 'prom-client';

export class Metrics {
  readonly registry = new client.Registry();
  readonly groups = new client.Gauge({ name: 'vfio_broker_groups', help: 'IOMMU groups by viability', labelNames: ['viable'], registers: [this.registry] });
  readonly leases = new client.Gauge({ name: 'vfio_broker_leases', help: 'Active leases', registers: [this.registry] });
  readonly sessions = new client.Gauge({ name: 'vfio_broker_sessions', help: 'Open fd-channel sessions', registers: [this.registry] });
  readonly acquires = new client.Counter({ name: 'vfio_broker_acquires_total', help: 'Acquire requests by result (ok or gRPC status)', labelNames: ['result', 'mode'], registers: [this.registry] });
  readonly fdsDelivered = new client.Counter({ name: 'vfio_broker_fds_delivered_total', help: 'fds delivered to clients, by role', labelNames: ['role'], registers: [this.registry] });
  readonly refusals = new client.Counter({ name: 'vfio_broker_policy_refusals_total', help: 'Requests refused by policy', labelNames: ['rpc'], registers: [this.registry] });
  readonly acquireSeconds = new client.Histogram({
    name: 'vfio_broker_acquire_duration_seconds', help: 'Acquire latency, request to reply', labelNames: ['mode'],
    buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1], registers: [this.registry],
  });
  readonly deliverySeconds = new client.Histogram({
    name: 'vfio_broker_fd_delivery_duration_seconds', help: 'Time to hand a delivery to the kernel (sendmsg incl. queueing)',
    buckets: [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.005, 0.025, 0.1], registers: [this.registry],
  });
  readonly restarts = new client.Counter({ name: 'vfio_broker_restarts_total', help: 'Daemon starts that found a previous lease journal', registers: [this.registry] });
  readonly auditWriteFailures = new client.Counter({ name: 'vfio_broker_audit_write_failures_total', help: 'Audit records the audit file did not take (disk full, I/O error); they still reach the log', registers: [this.registry] });
  readonly restoredLeases = new client.Counter({ name: 'vfio_broker_restored_leases_total', help: 'Leases restored from the journal at start', registers: [this.registry] });

  constructor() {
    client.collectDefaultMetrics({ register: this.registry, prefix: 'vfio_broker_process_' });
    // prom-client names three gauges "..._total", which Prometheus reserves for
    // counters (promtool check metrics rejects them). The handle counts that
    // matter are the daemon's own fds, in process_open_fds.
    for (const n of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) {
      this.registry.removeSingleMetric(`vfio_broker_process_${n}`);
    }
  }
}
