/**
 * The SDK's Rust core gzips every request. grpc-js decompresses each message through a zlib
 * *stream* (set-up, thread pool, events): for Temporal's small messages that cost more server
 * CPU than the rest of a request. Small messages are decompressed synchronously instead — same
 * result, same size limit, same errors. Applied once; skipped if grpc-js changes shape.
 */
import { createRequire } from 'node:module';
import { gunzipSync, inflateSync } from 'node:zlib';

const require = createRequire(import.meta.url);
let applied = false;

export function speedUpGrpcDecompression(): void {
  if (applied) return;
  applied = true;
  let mod: { BaseServerInterceptingCall?: { prototype: Record<string, unknown> } };
  try {
    mod = require('@grpc/grpc-js/build/src/server-interceptors.js');
  } catch {
    return;
  }
  const proto = mod.BaseServerInterceptingCall?.prototype;
  const original = proto?.decompressMessage as ((this: unknown, m: Buffer, enc: string) => unknown) | undefined;
  if (!proto || typeof original !== 'function') return;
  proto.decompressMessage = function (this: { maxReceiveMessageSize: number }, message: Buffer, encoding: string) {
    if ((encoding !== 'gzip' && encoding !== 'deflate') || message.length > 1024 * 1024) return original.call(this, message, encoding);
    try {
      const limit = this.maxReceiveMessageSize;
      const contents = message.subarray(5);
      // a gzip member ends with its uncompressed size: one output buffer of that size instead of
      // zlib's default 16 KiB per message (a wrong hint only means more chunks, never a wrong result)
      const hint = encoding === 'gzip' && contents.length >= 18 ? contents.readUInt32LE(contents.length - 4) : 16 * 1024;
      const opts = { chunkSize: Math.min(Math.max(hint + 1, 64), 64 * 1024), ...(limit > 0 ? { maxOutputLength: limit } : {}) };
      return Promise.resolve(encoding === 'gzip' ? gunzipSync(contents, opts) : inflateSync(contents, opts));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
        return Promise.reject({ code: 8, details: `Received message that decompresses to a size larger than ${this.maxReceiveMessageSize}` });
      }
      return Promise.reject({ code: 13, details: 'Failed to decompress message' });
    }
  };
}
