/** Stable error codes, so that a service can map them to gRPC / HTTP statuses in one table. */
export type RecsysErrorCode =
  | 'RECSYS.BAD_PARAMS'
  | 'RECSYS.BAD_DATA'
  | 'RECSYS.NOT_FITTED'
  | 'RECSYS.UNKNOWN_ALGORITHM'
  | 'RECSYS.UNKNOWN_ITEM'
  | 'RECSYS.ARTIFACT_CORRUPT'
  | 'RECSYS.ARTIFACT_VERSION';

export class RecsysError extends Error {
  constructor(
    readonly code: RecsysErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'RecsysError';
  }
}
