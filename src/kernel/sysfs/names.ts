import { InvalidNameError } from './errors.js';
import { isDeviceName, parseGroupId, quoted } from '../../broker/input.js';

/**
 * Validation of names that become sysfs path components. Anything that could
 * climb out of the sysfs root (`/`, `..`, NUL) or is not a name the kernel uses
 * is rejected before any path is built.
 */
export function checkGroupId(v: unknown): number {
  const n = parseGroupId(v);
  if (n === null) throw new InvalidNameError(`invalid IOMMU group id ${quoted(v, 40)}: expected a non-negative integer`);
  return n;
}

export function checkDeviceName(v: unknown): string {
  if (!isDeviceName(v)) throw new InvalidNameError(`invalid device name ${quoted(v)}`);
  return v;
}
