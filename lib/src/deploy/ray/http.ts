/**
 * Inference on Ray Serve over HTTP: Lepton's own client (`ServerClient`) speaks the same OIP routes, and a request
 * is sent once more when the connection failed or Ray's proxy (not the model) answered 5xx: a replica killed while
 * it held the request. Inference has no side effects, so the second try cannot double anything.
 */
import type { InferRequest, InferResponse, ServerClient, ServerClientError } from '@lepton/server';

/** Whether `error` is one a retry can mend: no answer at all, or an uncoded 5xx (Lepton's answers carry a code). */
export function isTransient(error: unknown): boolean {
  if (error instanceof TypeError) return true;
  const e = error as Partial<ServerClientError>;
  return (
    e.name === 'ServerClientError' && (e.status ?? 0) >= 500 && typeof e.code === 'string' && e.code.startsWith('HTTP_')
  );
}

/** Runs `request` on `name`, once more after a transient failure. */
export async function inferWithRetry(
  client: ServerClient,
  name: string,
  request: InferRequest,
): Promise<InferResponse> {
  try {
    return await client.infer(name, request);
  } catch (error) {
    if (!isTransient(error)) throw error;
    return client.infer(name, request);
  }
}
