import { InvalidNameError } from './errors.js';

/**
 * Validation of names that become sysfs path components. Anything that could
 * climb out of the sysfs root (`/`, `..`, NUL) or is not a name the kernel uses
 * is rejected before any path is built.
 */
// Must start with an alphanumeric: rules out ".", ".." and hidden entries.
const DEVICE_NAME = /^[A-Za-z0-9][A-Za-z0-9:._-]{0,63}$/;

export function checkGroupId(v: unknown): number {
  const s = typeof v === 'number' ? String(v) : v;
  if (typeof s !== 'string' || !/^(0|[1-9][0-9]{0,9})$/.test(s) || Number(s) > 0xffffffff) {
    throw new InvalidNameError(`invalid IOMMU group id ${JSON.stringify(String(v)).slice(0, 40)}: expected a non-negative integer`);
  }
  return Number(s);
}

export function checkDeviceName(v: unknown): string {
  if (typeof v !== 'string' || !DEVICE_NAME.test(v) || v.includes('..')) {
    throw new InvalidNameError(`invalid device name ${JSON.stringify(String(v)).slice(0, 80)}`);
  }
  return v;
}
