/**
 * Environment variables shared by the launcher (vfio-broker-exec), the client
 * library and the Kubernetes device plugin, which sets them in a pod through its
 * Allocate answer. One list, so the plugin and the launcher cannot disagree.
 */
export const BROKER_ENV = {
  /** The API (gRPC) socket. */
  apiSocket: 'VFIO_BROKER_API',
  /** The fd channel socket. */
  fdSocket: 'VFIO_BROKER_FD',
  /** The claim to redeem (vfio-broker-exec --claim). */
  claim: 'VFIO_BROKER_CLAIM',
  /** A file holding the claim's token (mounted read-only into the pod). */
  claimTokenFile: 'VFIO_BROKER_CLAIM_TOKEN_FILE',
  /** The device plugin's resource name the claim was made for, e.g. vfio-broker.io/edu. */
  resource: 'VFIO_BROKER_RESOURCE',
  /** Set by vfio-broker-exec for its command: the lease it holds. */
  lease: 'VFIO_BROKER_LEASE',
} as const;

/** The daemon's default socket directory (mounted into pods as a whole). */
export const DEFAULT_RUNTIME_DIR = '/run/vfio-broker';
