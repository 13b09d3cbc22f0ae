/**
 * OAuth 2.1 resource-server mode (issue 19.2, optional), for the remote connectors of
 * hosted chat apps that only speak OAuth: the server names an external authorization
 * server in its protected-resource metadata (RFC 9728), and accepts the JWT access
 * tokens (RFC 9068) that server issues for this resource:
 *
 * - signed by a key of the issuer's JWKS (found through its RFC 8414 metadata, or
 *   OpenID discovery), RS256/384/512, PS256/384/512, ES256/384/512 or EdDSA;
 * - `iss` the configured issuer, `aud` naming this server's public URL (the audience
 *   check: a token minted for another resource is refused), `exp` in the future,
 *   `nbf` (when present) in the past, 60 s of clock skew allowed.
 *
 * The principal is `oauth:` + the token's `sub` (else its `client_id`): pending
 * actions and sessions are bound to it like to a named static token. Only public
 * documents are fetched (metadata and keys); no secret leaves this process.
 */
import { createPublicKey, verify as verifySignature, constants, type KeyObject, type JsonWebKey } from 'node:crypto';
import {
  getOAuthProtectedResourceMetadataUrl,
  OAuthError,
  OAuthErrorCode,
  type AuthInfo,
} from '@modelcontextprotocol/server';
import type { Logger } from '../log.js';

export interface OAuthSettings {
  /** The authorization server's issuer identifier (https, or loopback http for tests). */
  issuer: string;
  /** This server's public URL of /mcp: the resource identifier tokens must be issued for. */
  resource: string;
}

const SKEW_S = 60;
const ALGS: Record<string, { hash: string | null; pss?: boolean; ec?: boolean }> = {
  RS256: { hash: 'sha256' },
  RS384: { hash: 'sha384' },
  RS512: { hash: 'sha512' },
  PS256: { hash: 'sha256', pss: true },
  PS384: { hash: 'sha384', pss: true },
  PS512: { hash: 'sha512', pss: true },
  ES256: { hash: 'sha256', ec: true },
  ES384: { hash: 'sha384', ec: true },
  ES512: { hash: 'sha512', ec: true },
  EdDSA: { hash: null },
};

const invalid = (why: string) => new OAuthError(OAuthErrorCode.InvalidToken, why);
const sameUrl = (a: string, b: string) =>
  a.replace(/#.*$/, '').replace(/\/$/, '') === b.replace(/#.*$/, '').replace(/\/$/, '');
const b64json = (part: string) =>
  JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;

export class OAuthResourceServer {
  /** Where the protected-resource metadata is served (RFC 9728: the well-known path before the resource's path). */
  readonly metadataUrl: string;
  private keys = new Map<string, KeyObject>();
  private keysFetchedAt = 0;
  private jwksUri: string | undefined;

  constructor(
    readonly settings: OAuthSettings,
    private readonly log: Logger,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {
    this.metadataUrl = getOAuthProtectedResourceMetadataUrl(new URL(settings.resource));
  }

  /** The path of metadataUrl, and the plain well-known path: both answer the document. */
  get metadataPaths(): string[] {
    return [new URL(this.metadataUrl).pathname, '/.well-known/oauth-protected-resource'];
  }

  /** RFC 9728 protected-resource metadata. */
  metadata(): Record<string, unknown> {
    return {
      resource: this.settings.resource,
      authorization_servers: [this.settings.issuer],
      bearer_methods_supported: ['header'],
      resource_name: 'Binance Margin Trading (binance-margin-mcp)',
    };
  }

  /** Verifies a JWT access token; throws OAuthError invalid_token. */
  async verify(token: string): Promise<AuthInfo> {
    const parts = token.split('.');
    if (parts.length !== 3) throw invalid('Invalid token');
    let header: Record<string, unknown>;
    let claims: Record<string, unknown>;
    try {
      header = b64json(parts[0]);
      claims = b64json(parts[1]);
    } catch {
      throw invalid('Invalid token');
    }
    const alg = ALGS[String(header.alg)];
    if (!alg) throw invalid('Unsupported token signing algorithm');
    const key = await this.key(typeof header.kid === 'string' ? header.kid : undefined);
    if (!key) throw invalid('Token signed by an unknown key');
    const data = Buffer.from(`${parts[0]}.${parts[1]}`);
    const signature = Buffer.from(parts[2], 'base64url');
    let good = false;
    try {
      good = verifySignature(
        alg.hash,
        data,
        alg.pss
          ? { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST }
          : alg.ec
            ? { key, dsaEncoding: 'ieee-p1363' }
            : key,
        signature,
      );
    } catch {
      good = false;
    }
    if (!good) throw invalid('Invalid token signature');
    const now = Date.now() / 1000;
    if (claims.iss !== this.settings.issuer)
      throw invalid('Token was not issued by the configured authorization server');
    const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    if (!aud.some((a) => typeof a === 'string' && sameUrl(a, this.settings.resource)))
      throw invalid('Token was not issued for this resource');
    if (typeof claims.exp !== 'number' || claims.exp + SKEW_S < now) throw invalid('Token has expired');
    if (typeof claims.nbf === 'number' && claims.nbf - SKEW_S > now) throw invalid('Token is not valid yet');
    const who =
      typeof claims.sub === 'string' && claims.sub
        ? claims.sub
        : typeof claims.client_id === 'string'
          ? claims.client_id
          : undefined;
    if (!who) throw invalid('Token names no subject');
    const scopes = typeof claims.scope === 'string' ? claims.scope.split(' ').filter(Boolean) : [];
    return {
      token: '',
      clientId: `oauth:${who}`,
      scopes,
      expiresAt: claims.exp,
      resource: new URL(this.settings.resource),
    };
  }

  /** The issuer's key by id (or its only key), refetching the key set at most once a minute for an unknown id. */
  private async key(kid: string | undefined): Promise<KeyObject | undefined> {
    const pick = () =>
      kid !== undefined ? this.keys.get(kid) : this.keys.size === 1 ? [...this.keys.values()][0] : undefined;
    const found = pick();
    if (found || Date.now() - this.keysFetchedAt < 60_000) return found;
    try {
      await this.fetchKeys();
    } catch (err) {
      this.log.warn(
        { err: (err as Error).message, issuer: this.settings.issuer },
        'oauth: the authorization server keys could not be read',
      );
    }
    return pick();
  }

  private async fetchKeys(): Promise<void> {
    this.keysFetchedAt = Date.now();
    this.jwksUri ??= await this.discoverJwksUri();
    const res = await this.fetchImpl(this.jwksUri, {
      headers: { accept: 'application/json' },
      signal: AbortSignal.timeout(10_000),
    });
    if (!res.ok) throw new Error(`GET ${this.jwksUri}: HTTP ${res.status}`);
    const jwks = (await res.json()) as { keys?: (JsonWebKey & { kid?: string; use?: string })[] };
    const keys = new Map<string, KeyObject>();
    (jwks.keys ?? []).forEach((jwk, i) => {
      if (jwk.use && jwk.use !== 'sig') return;
      try {
        keys.set(jwk.kid ?? `#${i}`, createPublicKey({ key: jwk, format: 'jwk' }));
      } catch {
        // a key type this runtime does not read: skipped
      }
    });
    this.keys = keys;
  }

  private async discoverJwksUri(): Promise<string> {
    const issuer = this.settings.issuer.replace(/\/$/, '');
    const u = new URL(issuer);
    const path = u.pathname === '/' ? '' : u.pathname;
    for (const wellKnown of [
      `${u.origin}/.well-known/oauth-authorization-server${path}`,
      `${issuer}/.well-known/openid-configuration`,
    ]) {
      const res = await this.fetchImpl(wellKnown, {
        headers: { accept: 'application/json' },
        signal: AbortSignal.timeout(10_000),
      }).catch(() => undefined);
      if (!res?.ok) continue;
      const meta = (await res.json()) as { issuer?: string; jwks_uri?: string };
      if (meta.issuer !== this.settings.issuer)
        throw new Error(`${wellKnown} names issuer ${meta.issuer}, not ${this.settings.issuer}`);
      if (typeof meta.jwks_uri !== 'string') throw new Error(`${wellKnown} names no jwks_uri`);
      return meta.jwks_uri;
    }
    throw new Error(`no authorization server metadata found for ${this.settings.issuer}`);
  }
}
