/**
 * VFIO and iommufd ABI, transcribed from include/uapi/linux/vfio.h and
 * include/uapi/linux/iommufd.h (Linux 6.12). Every VFIO ioctl is _IO(';', base+n):
 * the direction and size are not in the number, the struct's size travels in its
 * first field (argsz / size) instead. test/host/vfio-abi.test.ts compiles a C
 * program against the real headers and checks every value and offset below.
 */
const IO = (type: number, nr: number) => (type << 8) | nr;
const VFIO_TYPE = 0x3b; // ';'
const VFIO_BASE = 100;
const IOMMUFD_BASE = 0x80;
const vfio = (n: number) => IO(VFIO_TYPE, VFIO_BASE + n);
const iommufd = (n: number) => IO(VFIO_TYPE, IOMMUFD_BASE + n);

export const IOCTL = {
  VFIO_GET_API_VERSION: vfio(0),
  VFIO_CHECK_EXTENSION: vfio(1),
  VFIO_SET_IOMMU: vfio(2),
  VFIO_GROUP_GET_STATUS: vfio(3),
  VFIO_GROUP_SET_CONTAINER: vfio(4),
  VFIO_GROUP_UNSET_CONTAINER: vfio(5),
  VFIO_GROUP_GET_DEVICE_FD: vfio(6),
  VFIO_DEVICE_GET_INFO: vfio(7),
  VFIO_DEVICE_GET_REGION_INFO: vfio(8),
  VFIO_DEVICE_GET_IRQ_INFO: vfio(9),
  VFIO_DEVICE_SET_IRQS: vfio(10),
  VFIO_DEVICE_RESET: vfio(11),
  VFIO_IOMMU_GET_INFO: vfio(12),
  VFIO_IOMMU_MAP_DMA: vfio(13),
  VFIO_IOMMU_UNMAP_DMA: vfio(14),
  VFIO_DEVICE_BIND_IOMMUFD: vfio(18),
  VFIO_DEVICE_ATTACH_IOMMUFD_PT: vfio(19),
  VFIO_DEVICE_DETACH_IOMMUFD_PT: vfio(20),
  IOMMU_DESTROY: iommufd(0),
  IOMMU_IOAS_ALLOC: iommufd(1),
  IOMMU_IOAS_MAP: iommufd(5),
  IOMMU_IOAS_UNMAP: iommufd(6),
  IOMMU_OPTION: iommufd(7),
} as const;

export const VFIO_API_VERSION = 0;
export const VFIO_TYPE1_IOMMU = 1;
export const VFIO_TYPE1v2_IOMMU = 3;
export const VFIO_NOIOMMU_IOMMU = 8;

export const VFIO_GROUP_FLAGS_VIABLE = 1 << 0;
export const VFIO_GROUP_FLAGS_CONTAINER_SET = 1 << 1;

export const VFIO_DEVICE_FLAGS_RESET = 1 << 0;
export const VFIO_DEVICE_FLAGS_PCI = 1 << 1;
export const VFIO_DEVICE_FLAGS_PLATFORM = 1 << 2;

export const VFIO_REGION_INFO_FLAG_READ = 1 << 0;
export const VFIO_REGION_INFO_FLAG_WRITE = 1 << 1;
export const VFIO_REGION_INFO_FLAG_MMAP = 1 << 2;

export const VFIO_IRQ_INFO_EVENTFD = 1 << 0;
export const VFIO_IRQ_INFO_MASKABLE = 1 << 1;
export const VFIO_IRQ_INFO_AUTOMASKED = 1 << 2;
export const VFIO_IRQ_INFO_NORESIZE = 1 << 3;
export const VFIO_IRQ_SET_DATA_NONE = 1 << 0;
export const VFIO_IRQ_SET_DATA_BOOL = 1 << 1;
export const VFIO_IRQ_SET_DATA_EVENTFD = 1 << 2;
export const VFIO_IRQ_SET_ACTION_MASK = 1 << 3;
export const VFIO_IRQ_SET_ACTION_UNMASK = 1 << 4;
export const VFIO_IRQ_SET_ACTION_TRIGGER = 1 << 5;

export const VFIO_DMA_MAP_FLAG_READ = 1 << 0;
export const VFIO_DMA_MAP_FLAG_WRITE = 1 << 1;

export const VFIO_PCI_BAR0_REGION_INDEX = 0;
export const VFIO_PCI_CONFIG_REGION_INDEX = 7;
export const VFIO_PCI_INTX_IRQ_INDEX = 0;
export const VFIO_PCI_MSI_IRQ_INDEX = 1;
export const VFIO_PCI_MSIX_IRQ_INDEX = 2;
export const VFIO_PCI_ERR_IRQ_INDEX = 3;
export const VFIO_PCI_REQ_IRQ_INDEX = 4;

export const IOMMU_IOAS_MAP_FIXED_IOVA = 1 << 0;
export const IOMMU_IOAS_MAP_WRITEABLE = 1 << 1;
export const IOMMU_IOAS_MAP_READABLE = 1 << 2;
export const IOMMU_OPTION_RLIMIT_MODE = 0;
export const IOMMU_OPTION_OP_SET = 0;
export const IOMMU_OPTION_OP_GET = 1;

/** Struct sizes and field offsets (bytes). Names match the C headers: struct.field. */
export const LAYOUT = {
  vfio_group_status: { size: 8, argsz: 0, flags: 4 },
  vfio_device_info: { size: 24, argsz: 0, flags: 4, num_regions: 8, num_irqs: 12, cap_offset: 16 },
  vfio_region_info: { size: 32, argsz: 0, flags: 4, index: 8, cap_offset: 12, size_: 16, offset: 24 },
  vfio_irq_info: { size: 16, argsz: 0, flags: 4, index: 8, count: 12 },
  vfio_irq_set: { size: 20, argsz: 0, flags: 4, index: 8, start: 12, count: 16, data: 20 },
  vfio_iommu_type1_info: { size: 24, argsz: 0, flags: 4, iova_pgsizes: 8, cap_offset: 16 },
  vfio_iommu_type1_dma_map: { size: 32, argsz: 0, flags: 4, vaddr: 8, iova: 16, size_: 24 },
  vfio_iommu_type1_dma_unmap: { size: 24, argsz: 0, flags: 4, iova: 8, size_: 16 },
  vfio_device_bind_iommufd: { size: 16, argsz: 0, flags: 4, iommufd: 8, out_devid: 12 },
  vfio_device_attach_iommufd_pt: { size: 12, argsz: 0, flags: 4, pt_id: 8 },
  vfio_device_detach_iommufd_pt: { size: 8, argsz: 0, flags: 4 },
  iommu_destroy: { size: 8, size_: 0, id: 4 },
  iommu_ioas_alloc: { size: 12, size_: 0, flags: 4, out_ioas_id: 8 },
  iommu_ioas_map: { size: 40, size_: 0, flags: 4, ioas_id: 8, user_va: 16, length: 24, iova: 32 },
  iommu_ioas_unmap: { size: 24, size_: 0, ioas_id: 4, iova: 8, length: 16 },
  iommu_option: { size: 24, size_: 0, option_id: 4, op: 8, object_id: 12, val64: 16 },
} as const;

/** A zeroed struct with its size in the first u32 (argsz for VFIO, size for iommufd). */
export function struct(layout: { size: number }): Buffer {
  const b = Buffer.alloc(layout.size);
  b.writeUInt32LE(layout.size, 0);
  return b;
}

/** Name of an ioctl number, for error messages. */
export function ioctlName(n: number): string {
  for (const [k, v] of Object.entries(IOCTL)) if (v === n) return k;
  return `0x${n.toString(16)}`;
}
