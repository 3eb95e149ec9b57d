import { Metadata, status } from '@grpc/grpc-js';
import { anyOf, concatBytes, encodePlain, type } from './proto.js';

/** An error that reaches the SDK as a gRPC status, optionally with google.rpc.Status details. */
export class RpcError extends Error {
  constructor(
    public readonly code: status,
    message: string,
    public readonly details?: { typeName: string; value: unknown },
  ) {
    super(message);
  }

  toServiceError() {
    const metadata = new Metadata();
    if (this.details) {
      const st = encodePlain(type('google.rpc.Status'), {
        code: this.code,
        message: this.message,
        details: [anyOf(this.details.typeName, this.details.value)],
      });
      metadata.set('grpc-status-details-bin', Buffer.from(concatBytes([st])));
    }
    return { code: this.code, details: this.message, metadata };
  }
}

export const notFound = (msg: string) =>
  new RpcError(status.NOT_FOUND, msg, { typeName: 'temporal.api.errordetails.v1.NotFoundFailure', value: {} });
export const invalidArgument = (msg: string) => new RpcError(status.INVALID_ARGUMENT, msg);
export const alreadyExists = (msg: string) => new RpcError(status.ALREADY_EXISTS, msg);
export const failedPrecondition = (msg: string) => new RpcError(status.FAILED_PRECONDITION, msg);
export const alreadyStarted = (msg: string, startRequestId: string, runId: string) =>
  new RpcError(status.ALREADY_EXISTS, msg, {
    typeName: 'temporal.api.errordetails.v1.WorkflowExecutionAlreadyStartedFailure',
    value: { startRequestId, runId },
  });
export const unimplemented = (rpc: string) =>
  new RpcError(status.UNIMPLEMENTED, `temporal-lite does not implement ${rpc}`);
