import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { timingSafeEqual } from 'node:crypto';
import type { Principal } from './api-key';
import type { ApiKeyRegistry } from './api-key.registry';
import { PermissionDeniedError, RateLimitedError, UnauthenticatedError } from './auth.errors';
import { JwtRejected, JwtVerifier } from './jwt.verifier';
import { PUBLIC_METADATA, SCOPES_METADATA } from './scopes.decorator';
import { TokenBuckets } from './token-bucket';

/** Scopes a service-to-service call holds (the shared service token, gRPC only). */
export const SERVICE_SCOPE = 'internal:call';

export interface AuthSettings {
  /** Off: every endpoint is open (tests, and a deliberate local choice). */
  required: boolean;
  keys?: ApiKeyRegistry;
  jwt?: JwtVerifier;
  /** Shared secret the platform's gRPC clients send; accepted on gRPC only. */
  serviceToken?: string;
  rateLimit?: { perSecond: number; burst: number };
}

/** What a request presented, whatever its transport. */
export interface Presented {
  transport: 'http' | 'grpc';
  authorization?: string;
  apiKey?: string;
}

/**
 * Who is calling, and may they: API keys, JWT bearer tokens and (gRPC only) the service token, then the
 * endpoint's scopes, then the caller's rate limit. Framework-free, so every transport uses the same rules.
 */
export class Authenticator {
  private readonly buckets?: TokenBuckets;
  private readonly serviceToken?: Buffer;

  constructor(private readonly settings: AuthSettings) {
    if (settings.rateLimit) this.buckets = new TokenBuckets(settings.rateLimit.perSecond, settings.rateLimit.burst);
    if (settings.serviceToken) this.serviceToken = Buffer.from(settings.serviceToken);
  }

  get required(): boolean {
    return this.settings.required;
  }

  async authenticate(p: Presented): Promise<Principal> {
    const bearer = /^Bearer\s+(\S+)$/i.exec(p.authorization ?? '')?.[1];
    const token = p.apiKey ?? bearer;
    if (!token) throw new UnauthenticatedError('no credentials: send Authorization: Bearer <token> or X-API-Key');
    if (token.startsWith('rk_')) {
      const r = this.settings.keys?.authenticate(token);
      if (r && 'principal' in r) return r.principal;
      throw new UnauthenticatedError(`API key refused${r ? ` (${r.refused})` : ''}`);
    }
    if (token.startsWith('svc.') && p.transport === 'grpc' && this.serviceToken) {
      const given = Buffer.from(token.slice(4));
      if (given.length === this.serviceToken.length && timingSafeEqual(given, this.serviceToken)) {
        return { kind: 'service', id: 'service', name: 'service', scopes: new Set([SERVICE_SCOPE]) };
      }
      throw new UnauthenticatedError('service token refused');
    }
    if (this.settings.jwt && token.split('.').length === 3) {
      try {
        return await this.settings.jwt.verify(token);
      } catch (err) {
        if (err instanceof JwtRejected) throw new UnauthenticatedError(`token refused (${err.message})`);
        throw err;
      }
    }
    throw new UnauthenticatedError('credentials not recognised');
  }

  /** Throws unless the principal holds every scope (service calls reach internal endpoints only). */
  authorise(principal: Principal, scopes: readonly string[]): void {
    const missing = scopes.filter((s) => !principal.scopes.has(s) && !(principal.kind === 'service'));
    if (missing.length) throw new PermissionDeniedError(missing);
  }

  /** Throws when the principal is over its rate limit. */
  limit(principal: Principal): void {
    if (!this.buckets || principal.kind === 'service') return;
    const wait = this.buckets.take(`${principal.kind}:${principal.id}`);
    if (wait > 0) throw new RateLimitedError(wait);
  }
}

/**
 * The global guard: every endpoint declares its scopes (@RequireScopes) or is @Public(); an endpoint that
 * declares neither is refused when authentication is required, so a forgotten declaration fails closed.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly auth: Authenticator,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_METADATA, targets)) return true;
    if (!this.auth.required) return true;
    const scopes = this.reflector.getAllAndOverride<string[] | undefined>(SCOPES_METADATA, targets);
    const principal = await this.auth.authenticate(presented(context));
    if (!scopes) throw new PermissionDeniedError(['(this endpoint declares no scope)']);
    this.auth.authorise(principal, scopes);
    this.auth.limit(principal);
    return true;
  }
}

function presented(context: ExecutionContext): Presented {
  if (context.getType() === 'rpc') {
    const metadata = context.switchToRpc().getContext<{ get(key: string): unknown[] } | undefined>();
    const first = (key: string) => {
      const v = metadata?.get(key)?.[0];
      return typeof v === 'string' ? v : undefined;
    };
    return { transport: 'grpc', authorization: first('authorization'), apiKey: first('x-api-key') };
  }
  const headers = context
    .switchToHttp()
    .getRequest<{ headers: Record<string, string | string[] | undefined> }>().headers;
  const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
  return { transport: 'http', authorization: one(headers.authorization), apiKey: one(headers['x-api-key']) };
}
