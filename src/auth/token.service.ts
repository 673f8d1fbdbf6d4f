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
      .setIssuer(ISSUER).setAudience('api').setIssuedAt().setExpirationTime(expiresAt).sign(this.key);
    return { token, expiresAt };
  }

  /** A short-lived ticket for one download URL, so a browser link can fetch a file without the login token. */
  async ticket(accountId: number, version: number, url: string, seconds = 300): Promise<string> {
    return new SignJWT({ ver: version, url }).setProtectedHeader({ alg: 'HS256' }).setSubject(String(accountId))
      .setIssuer(ISSUER).setAudience('download').setIssuedAt().setExpirationTime(`${seconds}s`).sign(this.key);
  }

  /** The claims of a valid token for the audience, or null (expired, forged, wrong audience). */
  async verify(token: string, audience: 'api' | 'download'): Promise<TokenClaims | null> {
    try {
      const { payload } = await jwtVerify(token, this.key, { issuer: ISSUER, audience, algorithms: ['HS256'] });
      if (typeof payload.sub !== 'string' || typeof payload.ver !== 'number') return null;
      return { sub: payload.sub, ver: payload.ver, url: typeof payload.url === 'string' ? payload.url : undefined };
    } catch {
      return null;
    }
  }
}
