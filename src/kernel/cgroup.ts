/**
 * Cgroups as the claims need them: the text of a process's /proc/<pid>/cgroup
 * (parsed for its pod by src/broker/pod-cgroup.ts), and whether a cgroup still
 * exists in the unified hierarchy (a pod's cgroup is removed by the kubelet when
 * the pod is gone, which ends its claim).
 */
import fs from 'node:fs';
import path from 'node:path';

export interface CgroupPort {
  /** /proc/<pid>/cgroup, or null when the process is gone or unreadable. */
  cgroupOf(pid: number): string | null;
  /** Whether the cgroup exists under the cgroup2 mount; undefined when there is no cgroup2 mount to look in. */
  exists(cgroupPath: string): boolean | undefined;
}

export class Cgroups implements CgroupPort {
  #mount: string | undefined;

  constructor(private procRoot = '/proc', mount?: string) {
    this.#mount = mount;
  }

  cgroupOf(pid: number): string | null {
    try {
      return fs.readFileSync(`${this.procRoot}/${pid}/cgroup`, 'utf8');
    } catch {
      return null;
    }
  }

  exists(cgroupPath: string): boolean | undefined {
    const mount = this.mount();
    if (!mount) return undefined;
    // The path comes from /proc (absolute, no "..") but stays inside the mount regardless.
    const full = path.join(mount, path.normalize(`/${cgroupPath}`));
    if (!full.startsWith(mount)) return undefined;
    return fs.existsSync(full);
  }

  /** Where cgroup2 is mounted (from /proc/self/mounts, kept once found; /sys/fs/cgroup normally). */
  private mount(): string | null {
    if (this.#mount !== undefined) return this.#mount;
    let found: string | null = null;
    try {
      for (const line of fs.readFileSync(`${this.procRoot}/self/mounts`, 'utf8').split('\n')) {
        const [, where, type] = line.split(' ');
        if (type === 'cgroup2') {
          found = where.replace(/\\040/g, ' ');
          break;
        }
      }
    } catch { /* no /proc: no watching */ }
    if (found) this.#mount = found;
    return found;
  }
}
