import type { EgressGuard } from '@agent-orchestrator/egress';
import { decodeJwt, decodeProtectedHeader, errors, jwtVerify, type JWTPayload } from 'jose';
import type { Logger } from 'pino';
import { GatewayError, isGatewayError } from '../errors.js';
import { IssuerKeys, IssuerUnavailable } from './issuer-keys.js';
import type { IssuerConfig, OidcConfig } from './oidc-config.js';

/** Asymmetric signatures only: `none` proves nothing, and an HMAC key would have to be shared with the gateway. */
export const allowedAlgorithms = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'];
/** How far the gateway's clock and the provider's may disagree on exp and nbf. */
export const clockToleranceSeconds = 30;

const base64urlPart = /^[A-Za-z0-9_-]+$/;

/**
 * A credential is a JWT when it is three base64url parts (the last may be empty, as in an
 * `alg: none` token, which is then refused for its algorithm) and the first decodes to a JOSE
 * header with an `alg`. Anything else is an API key: an issued key has no dots, and a bootstrap
 * key chosen with dots still does not decode to a header.
 */
export function looksLikeJwt(credential: string): boolean {
  const parts = credential.split('.');
  if (parts.length !== 3 || !base64urlPart.test(parts[0]!) || !base64urlPart.test(parts[1]!) || !/^[A-Za-z0-9_-]*$/.test(parts[2]!)) return false;
  try {
    return typeof decodeProtectedHeader(credential).alg === 'string';
  } catch {
    return false;
  }
}

export interface VerifiedToken {
  readonly issuer: IssuerConfig;
  readonly claims: JWTPayload & { readonly sub: string };
}

/** The client's text quoted back in a reason: short, so a reason stays readable and bounded. */
const quoted = (value: unknown) => JSON.stringify(String(value).slice(0, 100));

const refused = (reason: string) => new GatewayError('InvalidToken', reason);

/** Why jose refused a token, in words a client can act on. */
function reasonFor(error: unknown, issuer: IssuerConfig, kid: unknown): GatewayError | undefined {
  if (error instanceof errors.JWTExpired) {
    const exp = typeof error.payload.exp === 'number' ? ` at ${new Date(error.payload.exp * 1000).toISOString()}` : '';
    return refused(`The token expired${exp}: get a new one from ${issuer.issuer}.`);
  }
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'aud') return refused(`The token has the wrong audience (aud): this gateway accepts ${issuer.audiences.map((a) => quoted(a)).join(' or ')} from ${issuer.issuer}.`);
    if (error.claim === 'nbf') return refused('The token is not valid yet (nbf is in the future).');
    if (error.reason === 'missing') return refused(`The token has no "${error.claim}" claim; tokens must carry exp and sub.`);
    return refused(`The token's "${error.claim}" claim is not valid.`);
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return refused(`The token's algorithm is not allowed: only asymmetric signatures (${allowedAlgorithms.join(', ')}) are accepted, never "none" or HMAC.`);
  if (error instanceof errors.JWKSNoMatchingKey) return refused(`Unknown key: ${issuer.issuer} publishes no key ${kid === undefined ? 'for this token' : `with kid ${quoted(kid)}`} (it may have been rotated out).`);
  if (error instanceof errors.JWKSMultipleMatchingKeys) return refused(`The token names no kid and ${issuer.issuer} publishes several keys that could have signed it.`);
  if (error instanceof errors.JWSSignatureVerificationFailed) return refused(`Bad signature: the token was not signed by a key of ${issuer.issuer}.`);
  if (error instanceof errors.JOSEError) return refused(`The token is malformed (${error.message}).`);
  return undefined;
}

/**
 * Access tokens from the configured issuers, verified offline against each issuer's published
 * keys. The issuer is read from the unverified token only to choose whose keys to check it with;
 * jwtVerify then requires that same `iss`.
 */
export class TokenVerifier {
  private readonly keys: ReadonlyMap<string, IssuerKeys>;

  constructor(
    config: OidcConfig | undefined,
    egress: EgressGuard,
    private readonly logger: Logger,
  ) {
    this.keys = new Map((config?.issuers ?? []).map((issuer) => [issuer.issuer, new IssuerKeys(issuer, egress, config!.jwksCooldownMs)]));
  }

  /** The token's issuer and verified claims; a GatewayError saying why otherwise (503 when the issuer's keys cannot be had). */
  async verify(token: string): Promise<VerifiedToken> {
    let iss: unknown;
    let kid: unknown;
    try {
      iss = decodeJwt(token).iss;
      kid = decodeProtectedHeader(token).kid;
    } catch {
      throw refused('The token is malformed: its claims are not a JSON object.');
    }
    const keys = typeof iss === 'string' ? this.keys.get(iss) : undefined;
    if (!keys) {
      if (this.keys.size === 0) throw refused('Unknown issuer: this gateway accepts no access tokens (no OIDC_ISSUER_URL or OIDC_ISSUERS is configured); use an API key.');
      throw refused(`Unknown issuer: ${iss === undefined ? 'the token names no issuer (iss)' : `${quoted(iss)} is not an issuer this gateway trusts`}.`);
    }
    const { issuer } = keys;
    try {
      const { payload } = await jwtVerify(token, await keys.resolver(), {
        issuer: issuer.issuer,
        audience: [...issuer.audiences],
        algorithms: allowedAlgorithms,
        clockTolerance: clockToleranceSeconds,
        requiredClaims: ['exp', 'sub'],
      });
      if (typeof payload.sub !== 'string' || payload.sub === '') throw refused('The token\'s "sub" claim must be a non-empty string.');
      return { issuer, claims: payload as VerifiedToken['claims'] };
    } catch (error) {
      if (isGatewayError(error)) throw error;
      if (error instanceof IssuerUnavailable || error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid) {
        this.logger.warn({ err: error, issuer: issuer.issuer }, 'the keys of an identity provider could not be had');
        throw new GatewayError('Unavailable', `The signing keys of ${issuer.issuer} could not be fetched, so the token cannot be checked now. Retry later.`);
      }
      throw reasonFor(error, issuer, kid) ?? error;
    }
  }
}
