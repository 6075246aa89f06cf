/**
 * What a Kubernetes pod sees besides its environment variables (those are
 * BROKER_ENV in env.ts): the annotation, and where the device plugin mounts the
 * broker's sockets and the claim's token in the container.
 */
import { DEFAULT_RUNTIME_DIR } from './env.js';

/** Container annotation carrying the claim id (visible to the runtime, e.g. for audit). */
export const ANNOTATION_CLAIM = 'vfio-broker.io/claim';

/** Where the broker's socket directory appears inside the container. */
export const CONTAINER_SOCKET_DIR = DEFAULT_RUNTIME_DIR;
export const CONTAINER_API_SOCKET = `${CONTAINER_SOCKET_DIR}/api.sock`;
export const CONTAINER_FD_SOCKET = `${CONTAINER_SOCKET_DIR}/fd.sock`;
/** Where the claim's token file appears inside the container (its own directory, so it never shadows a socket). */
export const CONTAINER_TOKEN_FILE = '/run/vfio-broker-claim/token';

/** owner_ref prefix of claims the device plugin creates: `k8s-device-plugin:<resource>:<device ids>`. */
export const PLUGIN_OWNER_PREFIX = 'k8s-device-plugin:';
