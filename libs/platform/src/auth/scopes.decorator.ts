import { SetMetadata } from '@nestjs/common';

export const SCOPES_METADATA = 'auth:scopes';
export const PUBLIC_METADATA = 'auth:public';

/** The scopes a caller must hold (all of them) to reach this endpoint. */
export const RequireScopes = (...scopes: string[]) => SetMetadata(SCOPES_METADATA, scopes);

/** Open to anyone (health probes only). */
export const Public = () => SetMetadata(PUBLIC_METADATA, true);
