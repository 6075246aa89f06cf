/**
 * The names a Kubernetes pod sees, shared by the device plugin (which sets them in
 * its Allocate answer) and the in-pod launcher (`vfio-broker-exec --claim`, which
 * reads them). One module so the two sides cannot drift apart.
 */

/** The broker's API socket (the client library and every CLI already read it). */
export const ENV_API_SOCKET = 'VFIO_BROKER_API';
/** The broker's fd-channel socket (read by the client library). */
export const ENV_FD_SOCKET = 'VFIO_BROKER_FD';
/** The id of the claim the plugin created for this container. */
export const ENV_CLAIM = 'VFIO_BROKER_CLAIM';
/** Path, inside the container, of the read-only file holding the claim's token. */
export const ENV_CLAIM_TOKEN_FILE = 'VFIO_BROKER_CLAIM_TOKEN_FILE';
/** The device plugin's resource name the claim was made for, e.g. vfio-broker.io/edu. */
export const ENV_RESOURCE = 'VFIO_BROKER_RESOURCE';

/** Container annotation carrying the claim id (visible to the runtime, e.g. for audit). */
export const ANNOTATION_CLAIM = 'vfio-broker.io/claim';

/** Where the broker's socket directory appears inside the container. */
export const CONTAINER_SOCKET_DIR = '/run/vfio-broker';
export const CONTAINER_API_SOCKET = `${CONTAINER_SOCKET_DIR}/api.sock`;
export const CONTAINER_FD_SOCKET = `${CONTAINER_SOCKET_DIR}/fd.sock`;
/** Where the claim's token file appears inside the container (its own directory, so it never shadows a socket). */
export const CONTAINER_TOKEN_FILE = '/run/vfio-broker-claim/token';

/** owner_ref prefix of claims the device plugin creates: `k8s-device-plugin:<resource>:<device ids>`. */
export const PLUGIN_OWNER_PREFIX = 'k8s-device-plugin:';
