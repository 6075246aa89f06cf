import { NotFoundError, SessionMismatchError } from './errors.js';
import type { Caller } from './types.js';

export interface Session {
  id: string;
  /** Shown once to the session's peer over the fd channel; proves the holder is that peer. */
  secret: string;
  cred: Caller;
  since: Date;
}

/**
 * fd-channel sessions. A gRPC call may name a session only if the kernel says the
 * caller is the process that opened it, or the same uid holding its secret (a
 * launcher whose gRPC traffic comes from a helper thread or forked process).
 */
export class SessionTable {
  #byId = new Map<string, Session>();

  get size(): number {
    return this.#byId.size;
  }

  add(s: Session): void {
    this.#byId.set(s.id, s);
  }

  get(id: string): Session | undefined {
    return this.#byId.get(id);
  }

  remove(id: string): Session | undefined {
    const s = this.#byId.get(id);
    this.#byId.delete(id);
    return s;
  }

  all(): Session[] {
    return [...this.#byId.values()];
  }

  /** The session, if `caller` may speak for it. */
  authorize(id: string | undefined, secret: string | undefined, caller: Caller): Session {
    if (!id) throw new SessionMismatchError('this call needs a session: open one on the fd channel first and pass its id and secret');
    const s = this.#byId.get(id);
    if (!s) throw new NotFoundError(`no session ${id} (it may have closed)`, { session: id });
    // The same process, not merely the same number: a reused pid has another start time.
    const samePid = s.cred.pid === caller.pid && s.cred.uid === caller.uid && s.cred.startTime === caller.startTime;
    // The secret is compared only when the process differs (the same process needs none).
    if (!samePid && !(s.cred.uid === caller.uid && !!secret && constantTimeEqual(secret, s.secret))) {
      throw new SessionMismatchError(
        `session ${id} belongs to pid ${s.cred.pid} uid ${s.cred.uid}; caller is pid ${caller.pid} uid ${caller.uid}${secret ? ' with a wrong secret' : ' without its secret'}`,
        { session: id, 'session-uid': s.cred.uid, 'caller-uid': caller.uid },
      );
    }
    return s;
  }
}

export function constantTimeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return d === 0;
}
