/**
 * What every handler module is given: the service, a way to make a unary handler
 * that answers errors as gRPC statuses, and the session fields as the service wants them.
 */
import type * as grpc from '@grpc/grpc-js';
import type { Caller } from '../../broker/types.js';
import type { BrokerHandlers } from '../../protocol/api-types.js';
import type { Session__Output } from '../../protocol/gen/vfiobroker/v1/Session.js';
import type { BrokerService } from '../../service/broker-service.js';

export type Unary = <Req extends object, Res>(fn: (caller: Caller, req: Req) => Promise<Res> | Res) => grpc.handleUnaryCall<Req, Res>;

export interface HandlerKit {
  service: BrokerService;
  unary: Unary;
}

/** Handlers for a slice of the service: each module fills the methods of its own area. */
export type HandlerSlice<K extends keyof BrokerHandlers> = (kit: HandlerKit) => Pick<BrokerHandlers, K>;

/** Unset session fields arrive as '' (defaults); the service wants undefined for "none". */
export const sess = (r: { session: Session__Output | null }) => ({ id: r.session?.id || undefined, secret: r.session?.secret || undefined });
