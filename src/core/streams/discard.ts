/** @module streams/discard A sink that drops every byte: for passes run only for their hash or validation. */
import { Writable } from 'node:stream';

export function discard(): Writable {
  return new Writable({ write: (_chunk, _encoding, done) => done() });
}
