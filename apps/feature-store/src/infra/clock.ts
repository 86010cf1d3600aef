import { Injectable } from '@nestjs/common';

/** The time, behind an injectable so that a test can move it (TTL expiry, decay). */
@Injectable()
export class Clock {
  now(): number {
    return Date.now();
  }
}
