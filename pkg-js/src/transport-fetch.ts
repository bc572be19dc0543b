/** A {@link Transport} over the standard `fetch` (Node 20+): credentials per service, timeouts, raw bodies. */
import { classifyTransportError, TransportFailure } from "./driver";
import type { HttpReply, Transport } from "./driver";
import type { PlannedRequest } from "./index";

export interface FetchTransportOptions {
  /** Make API token; sent as `Authorization: Token <makeToken>` to requests for service `make`. */
  makeToken: string;
  /** GitHub token; sent as `Authorization: Bearer <githubToken>` to requests for service `github`. */
  githubToken: string;
  /** Defaults to the global `fetch`; inject one to test or to add a proxy agent. */
  fetchImpl?: typeof fetch;
}

const REDACTED = "[redacted]";

/** Creates a transport that adds credentials and never lets them into an error message. */
export function createFetchTransport(options: FetchTransportOptions): Transport {
  const fetchImpl = options.fetchImpl ?? fetch;
  const secrets = [options.makeToken, options.githubToken].filter((token) => token.length > 0);
  const redact = (text: string): string => secrets.reduce((out, secret) => out.split(secret).join(REDACTED), text);

  return async (request: PlannedRequest): Promise<HttpReply> => {
    const headers: Record<string, string> = { ...request.headers, authorization: authorizationFor(request, options) };
    if (request.body !== null && request.body !== undefined) headers["content-type"] ??= "application/json";
    try {
      // The timeout covers the body too: text() rejects with the same TimeoutError if the signal fires.
      const response = await fetchImpl(request.url, {
        method: request.method,
        headers,
        body: request.body ?? null,
        signal: AbortSignal.timeout(request.timeoutMs),
      });
      const body = await response.text();
      const responseHeaders: Record<string, string> = {};
      response.headers.forEach((value, name) => {
        responseHeaders[name.toLowerCase()] = value;
      });
      return { requestId: request.id, status: response.status, headers: responseHeaders, body };
    } catch (error) {
      const { kind, message } = classifyTransportError(error);
      const what = kind === "timeout" ? `no response within ${request.timeoutMs} ms` : message;
      throw new TransportFailure(kind, redact(`${request.method} ${request.url}: ${what}`));
    }
  };
}

function authorizationFor(request: PlannedRequest, options: FetchTransportOptions): string {
  switch (request.service) {
    case "make":
      return `Token ${options.makeToken}`;
    case "github":
      return `Bearer ${options.githubToken}`;
    default:
      throw new TransportFailure("network", `no credential for service ${JSON.stringify(request.service)}`);
  }
}
