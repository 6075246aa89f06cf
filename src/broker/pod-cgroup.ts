/**
 * Which Kubernetes pod a process runs in, from the text of /proc/<pid>/cgroup.
 * The kubelet puts every container under its pod's cgroup, named by the pod UID,
 * with either cgroup driver:
 *   cgroupfs: /kubepods/pod<uid>/<ctr>, /kubepods/besteffort/pod<uid>/<ctr>, /kubepods/burstable/pod<uid>/<ctr>
 *   systemd:  /kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod<uid_with_underscores>.slice/cri-containerd-<id>.scope
 * Pure: the caller reads the file.
 */

export interface PodCgroup {
  /** The pod UID as Kubernetes writes it (dashes). */
  podUid: string;
  /** The pod-level cgroup, relative to the hierarchy root (e.g. /kubepods/besteffort/pod<uid>). */
  podPath: string;
  /** True when read from the unified (cgroup v2, "0::") line, whose path exists under the cgroup2 mount. */
  unified: boolean;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const CGROUPFS_POD = /^pod([0-9a-f-]{36})$/;
const SYSTEMD_POD = /^kubepods(?:-(?:besteffort|burstable|guaranteed))?-pod([0-9a-f_]{36})\.slice$/;

/** The pod of one cgroup path, or null when the path is not inside a pod's cgroup. */
export function podOfPath(path: string): { podUid: string; podPath: string } | null {
  const parts = path.split('/');
  // The pod segment must sit below a kubepods segment (cgroupfs) or slice (systemd).
  let underKubepods = false;
  for (let i = 0; i < parts.length; i++) {
    const seg = parts[i];
    if (seg === 'kubepods' || seg === 'kubepods.slice') {
      underKubepods = true;
      continue;
    }
    if (!underKubepods) continue;
    const m = CGROUPFS_POD.exec(seg) ?? SYSTEMD_POD.exec(seg);
    if (!m) continue;
    const uid = m[1].replace(/_/g, '-');
    if (!UUID.test(uid)) return null;
    return { podUid: uid, podPath: parts.slice(0, i + 1).join('/') };
  }
  return null;
}

/**
 * The pod of a process, from its /proc/<pid>/cgroup text: the unified line
 * ("0::/path") first, else the first v1 hierarchy line that names a pod. Null
 * when no line does (the process is not in a pod). Lines that disagree about
 * the pod (impossible from the kubelet) also read as null: no pod, refused.
 */
export function podOfCgroupFile(text: string): PodCgroup | null {
  let unified: PodCgroup | null = null;
  let legacy: PodCgroup | null = null;
  const uids = new Set<string>();
  for (const line of text.split('\n')) {
    const m = /^(\d+):([^:]*):(.*)$/.exec(line.trim());
    if (!m) continue;
    const pod = podOfPath(m[3]);
    if (!pod) continue;
    uids.add(pod.podUid);
    if (m[1] === '0' && m[2] === '') unified ??= { ...pod, unified: true };
    else legacy ??= { ...pod, unified: false };
  }
  if (uids.size > 1) return null;
  return unified ?? legacy;
}
