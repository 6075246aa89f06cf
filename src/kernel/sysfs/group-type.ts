/**
 * An IOMMU group's default domain type, /sys/kernel/iommu_groups/N/type. The
 * kernel takes DMA, DMA-FQ, identity or auto, and changes it only while no
 * driver is bound to any device of the group (EPERM otherwise; DMA → DMA-FQ is
 * the exception, done in place). It shows the result as DMA, DMA-FQ, identity,
 * blocked or unmanaged.
 */
import fs from 'node:fs';
import path from 'node:path';
import { SysError, errnoNumber } from '../sys-error.js';
import { checkGroupId } from './names.js';

/** What the kernel accepts on write. */
export const WRITABLE_GROUP_TYPES = ['DMA', 'DMA-FQ', 'identity', 'auto'] as const;
export type GroupType = (typeof WRITABLE_GROUP_TYPES)[number];

export function isWritableGroupType(v: unknown): v is GroupType {
  return typeof v === 'string' && (WRITABLE_GROUP_TYPES as readonly string[]).includes(v);
}

function typeFile(root: string, id: number): string {
  return path.join(root, 'sys/kernel/iommu_groups', String(checkGroupId(id)), 'type');
}

export function readGroupType(root: string, id: number): string {
  return fs.readFileSync(typeFile(root, id), 'utf8').trim();
}

/** Write the type (one write(2)), then read back what the kernel made of it. */
export function writeGroupType(root: string, id: number, type: GroupType): string {
  const file = typeFile(root, id);
  try {
    fs.writeFileSync(file, type);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'EIO';
    let errno: number;
    try { errno = errnoNumber(code); } catch { errno = errnoNumber('EIO'); }
    throw new SysError(`write(iommu_groups/${id}/type, ${type})`, errno);
  }
  return readGroupType(root, id);
}
