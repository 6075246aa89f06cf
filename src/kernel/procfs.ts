/**
 * Process facts from /proc: who holds a device node open (the kernel cannot tell
 * us who owns an fd, but /proc/<pid>/fd links can), whether a pid is still the
 * same process (start time guards against pid reuse), and the supplementary
 * groups and executable of a caller for policy and audit.
 */
import fs from 'node:fs';

export interface ProcHolder {
  pid: number;
  uid: number;
  comm: string;
  path: string;
}

export class Procfs {
  readonly root: string;

  constructor(root = '/proc') {
    this.root = root;
  }

  /** Processes with an fd whose link target is one of `paths`. */
  holders(paths: string[]): ProcHolder[] {
    const want = new Set(paths);
    const out: ProcHolder[] = [];
    let pids: string[];
    try {
      pids = fs.readdirSync(this.root).filter((p) => /^\d+$/.test(p));
    } catch {
      return out;
    }
    for (const pid of pids) {
      let fds: string[];
      try {
        fds = fs.readdirSync(`${this.root}/${pid}/fd`);
      } catch {
        continue; // exited, or a kernel thread
      }
      const seen = new Set<string>();
      for (const fd of fds) {
        let target: string;
        try {
          target = fs.readlinkSync(`${this.root}/${pid}/fd/${fd}`);
        } catch {
          continue;
        }
        if (want.has(target) && !seen.has(target)) {
          seen.add(target);
          out.push({ pid: Number(pid), uid: this.uidOf(Number(pid)) ?? -1, comm: this.comm(Number(pid)), path: target });
        }
      }
    }
    return out;
  }

  /** Field 22 of /proc/<pid>/stat: start time in clock ticks since boot. */
  startTime(pid: number): string | undefined {
    try {
      const stat = fs.readFileSync(`${this.root}/${pid}/stat`, 'utf8');
      // comm (field 2) may contain spaces and parentheses: split after the last ')'.
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return rest[22 - 3];
    } catch {
      return undefined;
    }
  }

  /** The pid exists and, when given, is the same process (same start time). */
  alive(pid: number, startTime?: string): boolean {
    if (!Number.isInteger(pid) || pid <= 0) return false;
    const st = this.startTime(pid);
    if (st === undefined) return false;
    return startTime === undefined || st === startTime;
  }

  describe(pid: number): { groups: number[]; exe?: string; startTime?: string } {
    let groups: number[] = [];
    try {
      const status = fs.readFileSync(`${this.root}/${pid}/status`, 'utf8');
      const m = /^Groups:\s*(.*)$/m.exec(status);
      if (m) groups = m[1].trim().split(/\s+/).filter(Boolean).map(Number);
    } catch { /* gone */ }
    let exe: string | undefined;
    try {
      exe = fs.readlinkSync(`${this.root}/${pid}/exe`);
    } catch { /* gone or not permitted */ }
    return { groups, exe, startTime: this.startTime(pid) };
  }

  comm(pid: number): string {
    try {
      return fs.readFileSync(`${this.root}/${pid}/comm`, 'utf8').trim();
    } catch {
      return '?';
    }
  }

  uidOf(pid: number): number | undefined {
    try {
      const m = /^Uid:\s*(\d+)/m.exec(fs.readFileSync(`${this.root}/${pid}/status`, 'utf8'));
      return m ? Number(m[1]) : undefined;
    } catch {
      return undefined;
    }
  }

  /** Open fd count of a process (used by leak checks). */
  fdCount(pid: number | 'self' = 'self'): number {
    return fs.readdirSync(`${this.root}/${pid}/fd`).length;
  }
}
