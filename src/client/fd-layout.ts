/**
 * How a launcher lays out leased fds for a child process: fixed numbers from 3 up,
 * described in environment variables, and (for VMMs) spliced into the command
 * line, either as QEMU iommufd arguments or through explicit placeholders.
 */
export interface LeasedFds {
  container?: number;
  groups: Map<number, number>;
  devices: Map<string, number>;
  iommufd?: number;
  cdevs: Map<string, number>;
}

export interface ChildLayout {
  /** Parent fd for each child fd 3, 4, 5, …, in order. */
  inherit: number[];
  env: Record<string, string>;
  argv: string[];
}

const PLACEHOLDER = /\{(container|iommufd|group:(\d+)|device:([A-Za-z0-9:._-]+)|cdev:([A-Za-z0-9:._-]+))\}/g;

export class LayoutError extends Error {
  override name = 'LayoutError';
}

export function layout(fds: LeasedFds, argv: string[], opts: { qemu?: boolean } = {}): ChildLayout {
  const inherit: number[] = [];
  const at = (parentFd: number) => {
    inherit.push(parentFd);
    return 2 + inherit.length; // child fd number: 3, 4, …
  };
  const env: Record<string, string> = {};
  let container: number | undefined;
  let iommufd: number | undefined;
  const groups = new Map<number, number>();
  const devices = new Map<string, number>();
  const cdevs = new Map<string, number>();
  if (fds.container !== undefined) container = at(fds.container);
  for (const [g, fd] of fds.groups) groups.set(g, at(fd));
  for (const [d, fd] of fds.devices) devices.set(d, at(fd));
  if (fds.iommufd !== undefined) iommufd = at(fds.iommufd);
  for (const [d, fd] of fds.cdevs) cdevs.set(d, at(fd));
  const list = (m: Map<string | number, number>) => [...m].map(([k, v]) => `${k}=${v}`).join(',');
  if (container !== undefined) env.VFIO_CONTAINER_FD = String(container);
  if (groups.size) env.VFIO_GROUP_FDS = list(groups);
  if (devices.size) env.VFIO_DEVICE_FDS = list(devices);
  if (iommufd !== undefined) env.VFIO_IOMMUFD_FD = String(iommufd);
  if (cdevs.size) env.VFIO_CDEV_FDS = list(cdevs);

  const out = argv.map((a) => a.replace(PLACEHOLDER, (whole, _k, g, dev, cdev) => {
    let v: number | undefined;
    if (whole === '{container}') v = container;
    else if (whole === '{iommufd}') v = iommufd;
    else if (g !== undefined) v = groups.get(Number(g));
    else if (dev !== undefined) v = devices.get(dev);
    else if (cdev !== undefined) v = cdevs.get(cdev);
    if (v === undefined) throw new LayoutError(`placeholder ${whole} names nothing in this lease`);
    return String(v);
  }));
  if (opts.qemu) {
    if (iommufd === undefined || cdevs.size === 0) {
      throw new LayoutError('--qemu needs an iommufd lease: QEMU accepts pre-opened VFIO fds only with its iommufd backend');
    }
    out.push('-object', `iommufd,id=vfio-broker-iommufd0,fd=${iommufd}`);
    let i = 0;
    for (const [, fd] of cdevs) out.push('-device', `vfio-pci,iommufd=vfio-broker-iommufd0,fd=${fd},id=vfio-broker-hostdev${i++}`);
  }
  return { inherit, env, argv: out };
}
