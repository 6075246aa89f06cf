/** Claims: not implemented yet (the Kubernetes work fills these in). */
import { UnimplementedError } from '../../broker/errors.js';
import type { HandlerSlice } from './kit.js';

const notYet = (what: string) => () => { throw new UnimplementedError(`${what} is not implemented yet`); };

export const claims: HandlerSlice<'CreateClaim' | 'ListClaims' | 'EndClaim' | 'RedeemClaim'> = ({ unary }) => ({
  CreateClaim: unary(notYet('CreateClaim')),
  ListClaims: unary(notYet('ListClaims')),
  EndClaim: unary(notYet('EndClaim')),
  RedeemClaim: unary(notYet('RedeemClaim')),
});
