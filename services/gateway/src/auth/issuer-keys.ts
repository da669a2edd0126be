import { egressErrorIn, type EgressGuard } from '@agent-orchestrator/egress';
import { createRemoteJWKSet, customFetch, type FetchImplementation, type JWTVerifyGetKey } from 'jose';
import type { IssuerConfig } from './oidc-config.js';

/** The keys of an issuer could not be had: its discovery document or JWKS did not answer as they should. */
export class IssuerUnavailable extends Error {
  override readonly name = 'IssuerUnavailable';
}

/** How long one discovery or JWKS request may take. */
const fetchTimeoutMs = 5000;

/**
 * The allow-list entry of the issuer's host (any port: its keys are often served beside it). The
 * issuer is trusted by configuration, so the egress guard lets it through even on a private or
 * loopback address; any other host (a jwks_uri elsewhere) passes only on a public address or when
 * EGRESS_ALLOW names it.
 */
function hostEntry(issuer: URL): string {
  return issuer.hostname.replace(/^\[(.*)\]$/, '$1');
}

/**
 * One issuer's signing keys: its discovery document read once, on the first token that names the
 * issuer, then jose's remote JWKS for `jwks_uri` (cached, fetched again after 10 minutes, or on a
 * `kid` it does not hold, at most once per cooldown). Every request goes through the egress guard.
 * A failed fetch is not repeated for the cooldown either, so a stream of tokens cannot make the
 * gateway hammer a provider that is down.
 */
export class IssuerKeys {
  private readonly allow: readonly string[];
  private keySet: Promise<JWTVerifyGetKey> | undefined;
  private failure: { readonly at: number; readonly error: IssuerUnavailable } | undefined;

  constructor(
    readonly issuer: IssuerConfig,
    private readonly egress: EgressGuard,
    private readonly cooldownMs: number,
  ) {
    this.allow = [hostEntry(new URL(issuer.issuer))];
  }

  /** The jose key resolver of this issuer. Throws IssuerUnavailable when discovery fails. */
  async resolver(): Promise<JWTVerifyGetKey> {
    this.keySet ??= this.discover().catch((error: unknown) => {
      this.keySet = undefined;
      throw error;
    });
    return this.keySet;
  }

  private async discover(): Promise<JWTVerifyGetKey> {
    const where = `${this.issuer.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
    const response = await this.fetch(where, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(fetchTimeoutMs) });
    const document = (await response.json().catch(() => undefined)) as { issuer?: unknown; jwks_uri?: unknown } | undefined;
    // OpenID Connect Discovery 1.0, section 4.3: the document must name the issuer it was asked for.
    if (document?.issuer !== this.issuer.issuer) throw this.failed(new IssuerUnavailable(`${where} names another issuer (${String(document?.issuer).slice(0, 200)})`));
    const jwksUri = typeof document.jwks_uri === 'string' ? URL.parse(document.jwks_uri) : null;
    if (jwksUri === null || (jwksUri.protocol !== 'https:' && jwksUri.protocol !== new URL(this.issuer.issuer).protocol)) {
      throw this.failed(new IssuerUnavailable(`${where} names no usable jwks_uri`));
    }
    const guarded: FetchImplementation = (url, init) => this.fetch(url, init);
    return createRemoteJWKSet(jwksUri, { cooldownDuration: this.cooldownMs, timeoutDuration: fetchTimeoutMs, [customFetch]: guarded });
  }

  private failed(error: IssuerUnavailable): IssuerUnavailable {
    this.failure = { at: Date.now(), error };
    return error;
  }

  /** A GET through the egress guard, refused at once while an earlier failure is within the cooldown. */
  private async fetch(url: string, init: { headers?: Headers | Record<string, string>; signal?: AbortSignal }): Promise<Response> {
    if (this.failure && Date.now() - this.failure.at < this.cooldownMs) throw this.failure.error;
    try {
      const headers = Object.fromEntries(new Headers(init.headers).entries());
      const { response } = await this.egress.fetch(url, { method: 'GET', headers, ...(init.signal ? { signal: init.signal } : {}) }, { allow: this.allow, maxRedirects: 0 });
      if (response.status !== 200) {
        await response.body?.cancel();
        throw new IssuerUnavailable(`${url} answered ${response.status}, not 200`);
      }
      // undici's Response is the one Node's global fetch returns: the shape jose reads.
      return response as unknown as Response;
    } catch (error) {
      const refused = egressErrorIn(error);
      const reason = refused
        ? `${url} is refused by the egress guard (${refused.message}); an operator may allow it with EGRESS_ALLOW`
        : `${url} could not be fetched (${error instanceof Error ? error.message : String(error)})`;
      throw this.failed(error instanceof IssuerUnavailable ? error : new IssuerUnavailable(reason));
    }
  }
}
