import { Injectable } from '@nestjs/common';
import { jwtVerify, SignJWT } from 'jose';
import { ConfigService } from '../config/config.service.js';

export interface TokenClaims {
  /** Account id. */
  sub: string;
  /** The account's version when the token was issued: any change to the account (role, password) revokes it. */
  ver: number;
  /** A download ticket is good for one URL only (path and query, without the ticket). */
  url?: string;
}

const ISSUER = 'yibiaotong';
/** Each kind of token has its own audience: a download ticket is no login token, nor the other way round. */
const AUDIENCES = { api: 'yibiaotong-api', download: 'yibiaotong-download' } as const;
/** How long a download ticket lives. */
const TICKET_SECONDS = 300;
/** Clock difference tolerated between server processes. */
const SKEW_SECONDS = 60;

/** Login tokens and download tickets: HS256 JWTs (jose, the standard JOSE implementation for Node). */
@Injectable()
export class TokenService {
  private readonly key: Uint8Array;

  constructor(private readonly config: ConfigService) {
    this.key = new TextEncoder().encode(config.auth.jwtSecret);
  }

  async issue(accountId: number, version: number): Promise<{ token: string; expiresAt: Date }> {
    const expiresAt = new Date(Date.now() + this.config.auth.tokenTtlSeconds * 1000);
    const token = await new SignJWT({ ver: version }).setProtectedHeader({ alg: 'HS256' }).setSubject(String(accountId))
      .setIssuer(ISSUER).setAudience(AUDIENCES.api).setIssuedAt().setExpirationTime(expiresAt).sign(this.key);
    return { token, expiresAt };
  }

  /** A short-lived ticket for one download URL, so a browser link can fetch a file without the login token. */
  async ticket(accountId: number, version: number, url: string, seconds = TICKET_SECONDS): Promise<string> {
    return new SignJWT({ ver: version, url }).setProtectedHeader({ alg: 'HS256' }).setSubject(String(accountId))
      .setIssuer(ISSUER).setAudience(AUDIENCES.download).setIssuedAt().setExpirationTime(`${seconds}s`).sign(this.key);
  }

  /**
   * The claims of a valid token for the audience, or null: expired, forged, another issuer or audience, or — even
   * signed with the real key — without `exp` and `iat`, or living longer than TOKEN_TTL_HOURS (a ticket: 5 minutes).
   */
  async verify(token: string, audience: 'api' | 'download'): Promise<TokenClaims | null> {
    try {
      const { payload } = await jwtVerify(token, this.key, {
        issuer: ISSUER, audience: AUDIENCES[audience], algorithms: ['HS256'], requiredClaims: ['exp', 'iat', 'sub'], clockTolerance: SKEW_SECONDS,
      });
      const ttl = audience === 'api' ? this.config.auth.tokenTtlSeconds : TICKET_SECONDS;
      const now = Math.floor(Date.now() / 1000);
      if (payload.exp! - payload.iat! > ttl || payload.exp! > now + ttl + SKEW_SECONDS) return null;
      if (typeof payload.sub !== 'string' || typeof payload.ver !== 'number') return null;
      return { sub: payload.sub, ver: payload.ver, url: typeof payload.url === 'string' ? payload.url : undefined };
    } catch {
      return null;
    }
  }
}
