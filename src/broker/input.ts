/**
 * The one set of input rules: what a group id, a device name, a uid, a pid or an
 * opaque id may look like, wherever it comes from (the wire, the policy file,
 * sysfs). The sysfs layer throws its own errors from the predicates; requests
 * use the `require*` forms, which refuse with INVALID_ARGUMENT.
 */
import { InvalidArgumentError } from './errors.js';

/** sysfs device names (shared with the selector language). */
export { DEVICE_NAME } from '../protocol/device-selector.js';
import { DEVICE_NAME } from '../protocol/device-selector.js';
export const MAX_DEVICE_NAME = 64;
/** Session, lease, grant and request ids the daemon issues are far shorter; anything longer is not ours. */
export const MAX_ID_LENGTH = 128;
export const MAX_GROUPS_PER_LEASE = 64;
/** PID_MAX_LIMIT on 64-bit kernels. */
export const MAX_PID = 4_194_304;
/** (uid_t)-1 means "no uid" to the kernel, never a real user. */
export const MAX_UID = 0xfffffffe;

export function isDeviceName(v: unknown): v is string {
  return typeof v === 'string' && DEVICE_NAME.test(v) && !v.includes('..');
}

/** A group number: a non-negative 32-bit integer, as a number or its plain decimal string. */
export function parseGroupId(v: unknown): number | null {
  const s = typeof v === 'number' ? String(v) : v;
  if (typeof s !== 'string' || !/^(0|[1-9][0-9]{0,9})$/.test(s)) return null;
  const n = Number(s);
  return n <= 0xffffffff ? n : null;
}

export function isUid(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= MAX_UID;
}

export function isPid(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= MAX_PID;
}

/** An id the daemon issued (session, lease, grant): printable, bounded. */
export function isIssuedId(v: unknown): v is string {
  return typeof v === 'string' && v.length > 0 && v.length <= MAX_ID_LENGTH && /^[\x21-\x7e]+$/.test(v);
}

/** A driver that hands its device to userspace through VFIO (vfio-pci, vfio-platform, vfio_mdev...). */
export function isVfioDriver(driver: string | null | undefined): boolean {
  return typeof driver === 'string' && driver.startsWith('vfio');
}

/**
 * Whether a device is handed to userspace through VFIO: bound to a vfio driver, or
 * a mediated device bound to its vendor driver (mtty, nvidia-vgpu, i915's GVT-g):
 * every mdev driver is a VFIO driver, registering the device with vfio itself.
 */
export function isVfioBound(d: { bus?: string | null; driver: string | null | undefined }): boolean {
  return isVfioDriver(d.driver) || (d.bus === 'mdev' && typeof d.driver === 'string' && d.driver !== '');
}

/** An mdev type id as sysfs names it (<parent driver>-<type>: mtty-2, nvidia-35, i915-GVTg_V5_4). */
export { MDEV_TYPE } from '../protocol/device-selector.js';
import { MDEV_TYPE } from '../protocol/device-selector.js';
/** An mdev instance name: a UUID, lower case as the kernel prints it (%pUl). */
export const MDEV_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function requireMdevType(v: unknown, what = 'mdev type'): string {
  if (typeof v !== 'string' || !MDEV_TYPE.test(v)) throw new InvalidArgumentError(`invalid ${what} ${quoted(v)}: expected a name such as mtty-2`);
  return v;
}

export function requireMdevUuid(v: unknown): string {
  const s = typeof v === 'string' ? v.toLowerCase() : v;
  if (typeof s !== 'string' || !MDEV_UUID.test(s)) throw new InvalidArgumentError(`invalid mdev UUID ${quoted(v)}: expected 8-4-4-4-12 hex digits`);
  return s;
}

/** Quote client input for a message, clipped so it cannot bloat a reply or a log line. */
export function quoted(v: unknown, max = 80): string {
  return JSON.stringify(String(v)).slice(0, max);
}

/** A group number from a request. */
export function requireGroupId(v: unknown): number {
  const n = parseGroupId(v);
  if (n === null) throw new InvalidArgumentError(`invalid group id ${quoted(v)}: expected a non-negative integer`);
  return n;
}

/** A device name from a request: sysfs names only, so nothing can point outside sysfs. */
export function requireDeviceName(v: unknown): string {
  if (!isDeviceName(v)) throw new InvalidArgumentError(`invalid device name ${quoted(v)}: expected a sysfs device name such as 0000:00:03.0`);
  return v;
}

/** A client's tag for a delivery (Acquire, RedeemClaim): echoed in the fd channel's header. */
export const REQUEST_TAG = /^[A-Za-z0-9_.-]{1,64}$/;

/** The request tag, or undefined when the client set none ('' on the wire). */
export function optionalRequestTag(v: unknown): string | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string' || !REQUEST_TAG.test(v)) throw new InvalidArgumentError(`invalid request_tag ${quoted(v)}: expected 1 to 64 of A-Z a-z 0-9 _ . -`);
  return v;
}
