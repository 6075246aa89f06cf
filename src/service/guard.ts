/** The one wrapper of every RPC: whatever it throws leaves as a typed refusal, and is audited. */
import { who } from '../broker/audit.js';
import type { BrokerError } from '../broker/errors.js';
import type { Caller } from '../broker/types.js';
import type { AuditInput } from './context.js';
import { asRefusal } from './refusals.js';

export class RpcGuard {
  constructor(private audit: (r: AuditInput) => void) {}

  async run<T>(rpc: string, caller: Caller, fn: () => Promise<T> | T): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw this.refused(rpc, caller, e);
    }
  }

  /** The same for the RPCs that finish without waiting. */
  runSync<T>(rpc: string, caller: Caller, fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      throw this.refused(rpc, caller, e);
    }
  }

  private refused(rpc: string, caller: Caller, e: unknown): BrokerError {
    const err = asRefusal(e);
    this.audit({ event: 'refusal', rpc, who: who(caller), status: err.status, reason: err.message });
    return err;
  }
}
