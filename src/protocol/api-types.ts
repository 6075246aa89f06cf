/**
 * The v1 API's types by method, derived from the generated definitions
 * (src/protocol/gen, `npm run gen:proto`), so that a change to the proto shows up
 * as a compile error in the server and every client.
 *
 * Requests are the generated "permissive" types (every field optional, as proto3
 * allows); responses are the "__Output" types, every field present because the
 * loader fills defaults (defaults: true in proto.ts).
 */
import type { BrokerDefinition } from './gen/vfiobroker/v1/Broker.js';

export type { BrokerDefinition, BrokerHandlers } from './gen/vfiobroker/v1/Broker.js';
export type { Event__Output as WireEvent } from './gen/vfiobroker/v1/Event.js';
export type { Group as WireGroup, Group__Output as WireGroupOutput } from './gen/vfiobroker/v1/Group.js';
export type { Owner as WireOwner, Owner__Output as WireOwnerOutput } from './gen/vfiobroker/v1/Owner.js';

/** The service's methods by name (the definition's string index signature left out). */
type Methods = { [K in keyof BrokerDefinition as string extends K ? never : K]: BrokerDefinition[K] };

/** Every method but Watch, the one server stream. */
export type UnaryMethod = Exclude<keyof Methods, 'Watch'>;

/** What a client may send: the request serializer's input. */
export type RequestOf<M extends keyof Methods> = Parameters<Methods[M]['requestSerialize']>[0];
/** What a client receives: the response deserializer's output. */
export type ResponseOf<M extends keyof Methods> = ReturnType<Methods[M]['responseDeserialize']>;
/** What a server handler receives (decoded, defaults filled) and returns. */
export type DecodedRequestOf<M extends keyof Methods> = ReturnType<Methods[M]['requestDeserialize']>;
export type ReplyOf<M extends keyof Methods> = Parameters<Methods[M]['responseSerialize']>[0];
