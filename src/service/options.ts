/** What the service is built from: its ports to the kernel, policy, audit, fd delivery and journals. */
import type { Host } from '../kernel/host.js';
import type { CgroupPort } from '../kernel/cgroup.js';
import type { Policy } from '../broker/policy.js';
import type { AuditRecord } from '../broker/audit.js';
import type { Limits } from '../broker/limits.js';
import type { ClaimJournalPort } from './claims.js';
import type { Deliver, FdStorePort, JournalPort, Notify, ServiceObserver } from './types.js';

export interface ServiceOptions {
  host: Host;
  policy: () => Policy;
  audit: (rec: AuditRecord) => void;
  deliver: Deliver;
  notify: Notify;
  journal?: JournalPort;
  fdStore?: FdStorePort;
  /** Devices an operator explicitly allowed to be unbound even though the host uses them. */
  criticalOverride?: Set<string>;
  limits?: Limits;
  observer?: ServiceObserver;
  now?: () => Date;
  /** Claims: the pods' cgroups (real /proc and cgroup2 by default), and their journal. */
  cgroups?: CgroupPort;
  claimJournal?: ClaimJournalPort;
}
