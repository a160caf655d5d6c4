import { InvalidArgumentError } from "../errors/errors.js";
import { HttpError } from "./HttpError.js";

/** How long a browser may cache a preflight answer, in seconds (Chromium caps it at 7200). */
export const preflightMaxAgeSeconds = 600;

/**
 * Which web pages may call the server from a browser. Browsers send `Origin` on every cross-site
 * POST, also on those they send without a CORS preflight (a no-cors fetch, sendBeacon, a form):
 * a request with an `Origin` not listed is refused with 403 before anything else is read. Tools,
 * SDKs and curl send no `Origin` and are not affected.
 *
 * `*` lists every origin, and is accepted only with an API key: then a page still needs the key,
 * which a stranger's page does not have; without one, `*` would hand the model to every site the
 * user visits.
 */
export class OriginPolicy {
    private readonly origins: Set<string>;
    private readonly any: boolean;

    constructor(allowedOrigins: readonly string[] | undefined, hasApiKey: boolean) {
        this.origins = new Set();
        this.any = false;
        for (const value of allowedOrigins ?? []) {
            if (typeof value !== "string") throw new InvalidArgumentError(`allowedOrigins entries must be strings, got ${typeof value}`);
            const origin = value.trim().toLowerCase();
            if (origin === "*") {
                if (!hasApiKey) {
                    throw new InvalidArgumentError(
                        "--allow-origin '*' needs an API key (--api-key or LLM_RERANK_API_KEY): without one every web page the user visits could use the server"
                    );
                }
                this.any = true;
            } else if (origin === "null") {
                throw new InvalidArgumentError(
                    "--allow-origin null is refused: sandboxed iframes, file: pages and redirects all send Origin: null, so it would let any of them in"
                );
            } else if (!/^[a-z][a-z0-9+.-]*:\/\/[^/?#\s@]+$/.test(origin)) {
                throw new InvalidArgumentError(
                    `--allow-origin expects an origin such as https://app.example or http://localhost:5173 (scheme, host and port only, no path or trailing slash), got ${JSON.stringify(value)}`
                );
            } else {
                this.origins.add(origin);
            }
        }
    }

    /**
     * The CORS headers every answer to this request carries; throws 403 for an `Origin` not
     * listed. No `Origin`: not a browser's cross-origin request, nothing to add.
     */
    check(originHeader: string | undefined): Record<string, string> {
        if (originHeader === undefined) return {};
        if (!this.any && !this.origins.has(originHeader.trim().toLowerCase())) {
            throw new HttpError(
                403,
                "forbidden_origin",
                `requests from the web page at ${JSON.stringify(originHeader.slice(0, 200))} are refused: browsers may not use this server unless it was started with --allow-origin for that page's origin`
            );
        }
        return { "Access-Control-Allow-Origin": originHeader, "Access-Control-Expose-Headers": "Retry-After" };
    }

    /** The answer to an allowed origin's CORS preflight for a route taking `method`. */
    preflightHeaders(method: "GET" | "POST", requestHeaders: Record<string, string | string[] | undefined>): Record<string, string> {
        return {
            "Access-Control-Allow-Methods": method === "GET" ? "GET, HEAD" : "POST",
            "Access-Control-Allow-Headers": "Content-Type, Authorization",
            "Access-Control-Max-Age": String(preflightMaxAgeSeconds),
            // Chromium's Private Network Access: a public page asking for a loopback or LAN server.
            ...(requestHeaders["access-control-request-private-network"] === "true" ? { "Access-Control-Allow-Private-Network": "true" } : {})
        };
    }
}
