/**
 * Every refusal the broker can give, as one class per gRPC status code. The API
 * layer maps `status` straight onto the wire (one to one), puts `message` in the
 * status details and `details` in the trailing metadata, so a script can act on a
 * refusal without parsing prose.
 */
export type StatusName =
  | 'INVALID_ARGUMENT'
  | 'NOT_FOUND'
  | 'PERMISSION_DENIED'
  | 'UNAUTHENTICATED'
  | 'ALREADY_EXISTS'
  | 'FAILED_PRECONDITION'
  | 'RESOURCE_EXHAUSTED'
  | 'UNAVAILABLE'
  | 'ABORTED'
  | 'DEADLINE_EXCEEDED'
  | 'INTERNAL'
  | 'UNIMPLEMENTED';

export type Details = Record<string, string | number | boolean | undefined>;

export abstract class BrokerError extends Error {
  abstract readonly status: StatusName;
  readonly details: Details;
  constructor(message: string, details: Details = {}) {
    super(message);
    this.name = new.target.name;
    this.details = details;
  }
}

/** Malformed request: bad group id, a device name with `/` or `..`, unknown enum. */
export class InvalidArgumentError extends BrokerError {
  readonly status = 'INVALID_ARGUMENT' as const;
}

/** Unknown group, device, lease or grant. */
export class NotFoundError extends BrokerError {
  readonly status = 'NOT_FOUND' as const;
}

/** Policy says no, or the caller is not an admin, or not the lease owner. */
export class PermissionDeniedError extends BrokerError {
  readonly status = 'PERMISSION_DENIED' as const;
}

/** The session named in a call does not belong to the caller's credentials. */
export class SessionMismatchError extends BrokerError {
  readonly status = 'UNAUTHENTICATED' as const;
}

/** The group is owned by another lease. `details` names the owner and since when. */
export class GroupOwnedError extends BrokerError {
  readonly status = 'ALREADY_EXISTS' as const;
}

/** The group cannot be used as it is: not viable, wrong mode for this group, device gone. */
export class PreconditionError extends BrokerError {
  readonly status = 'FAILED_PRECONDITION' as const;
}

/** A per-uid lease limit or the memlock allowance would be exceeded. */
export class QuotaError extends BrokerError {
  readonly status = 'RESOURCE_EXHAUSTED' as const;
}

/**
 * The kernel still has the group open in a process from an ended lease (EBUSY): it
 * becomes free when that process exits, so the caller may retry.
 */
export class StillHeldError extends BrokerError {
  readonly status = 'UNAVAILABLE' as const;
}

/** The operation raced with something that changed the state under it (lease ended mid-call). */
export class AbortedError extends BrokerError {
  readonly status = 'ABORTED' as const;
}

/**
 * A driver move (Bind, Unbind, a managed lease's binding or its undoing) did not
 * finish within the configured deadline (`bindDeadlineSeconds`, default 10):
 * vfio-pci waits for the device's current user to close it. The move goes on
 * and completes when they do; until then the group refuses another move
 * (ABORTED). DEADLINE_EXCEEDED as gRPC defines it: the state may still change.
 */
export class BindingDeadlineError extends BrokerError {
  readonly status = 'DEADLINE_EXCEEDED' as const;
}

/** A kernel call failed in a way the broker has no better word for. */
export class InternalError extends BrokerError {
  readonly status = 'INTERNAL' as const;
}

export class UnimplementedError extends BrokerError {
  readonly status = 'UNIMPLEMENTED' as const;
}

export function isBrokerError(e: unknown): e is BrokerError {
  return e instanceof BrokerError;
}
