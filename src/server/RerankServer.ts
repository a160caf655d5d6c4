import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { InvalidArgumentError } from "../errors/errors.js";
import type { Scorer } from "../Scorer.js";
import { AbortReason } from "./AbortReason.js";
import { hasBearerToken } from "./bearerToken.js";
import { httpErrorFor } from "./errorAnswer.js";
import { exposureWarning } from "./exposureWarning.js";
import { HttpError } from "./HttpError.js";
import { hostnameOf, isLoopbackAddress } from "./loopbackHost.js";
import { OriginPolicy } from "./OriginPolicy.js";
import { readJsonBody } from "./readJsonBody.js";
import type { RouteAnswer } from "./Route.js";
import { routes } from "./routes.js";
import { ScoringService } from "./ScoringService.js";
import { resolveServerLimits, uploadDeadlineMs, type ServerLimits } from "./ServerLimits.js";
import { expectOneOf } from "../utils/validate.js";

export type RerankServerOptions = {
    /** What answers the requests: a Reranker, a RemoteReranker, a supervised one, or a test's fake. */
    scorer?: Scorer;
    /** The same as scorer (the name before Scorer existed). */
    reranker?: Scorer;
    /** Default 127.0.0.1: only this machine can connect. */
    host?: string;
    /** Default 8012; 0 picks a free port (see start()'s answer). */
    port?: number;
    /** When set, every route but /health needs `Authorization: Bearer <apiKey>`. */
    apiKey?: string;
    /** The model name answers carry and /v1/models lists. Default: the GGUF's file name without .gguf. */
    modelId?: string;
    /** Host names accepted besides loopback ones while bound to loopback (a reverse proxy's name). */
    allowedHosts?: string[];
    /**
     * Web page origins (`https://app.example`, `http://localhost:5173`) whose browser requests are
     * served, with CORS answers. A request with any other `Origin` is refused with 403; requests
     * without one (tools, SDKs, curl) are unaffected. `"*"` allows every origin and needs apiKey.
     */
    allowedOrigins?: string[];
    limits?: Partial<ServerLimits>;
    /**
     * What requests that do not say (`overflow` field) get for passages longer than the profile's
     * budget: "truncate" (default, the model's reference) or "max-window" (docs/long-documents.md).
     */
    overflow?: "truncate" | "max-window";
    /** Where server faults (500s) and the start-up warning (non-loopback address, no API key) go. Default: stderr. */
    log?: (line: string) => void;
};

type InFlight = { controller: AbortController; settled: Promise<void> };

/** 5xx answers that are states, not faults, and are not logged per request (the supervisor logs a crash once). */
const expectedRefusals = new Set(["timeout", "shutting_down", "overloaded", "backend_crashed", "backend_unavailable"]);

/**
 * The HTTP face of one Reranker: the rerank and score shapes RAG tools already speak, on
 * node:http. Every request gets its own AbortSignal, fired when its client disconnects, when it
 * outlives the request timeout, or when close() runs out of patience, so one request's end
 * never disturbs another's work.
 */
export class RerankServer {
    readonly limits: ServerLimits;
    private readonly options: RerankServerOptions;
    private readonly service: ScoringService;
    private readonly profile: string | null;
    private readonly modelId: string;
    private readonly bindHost: string;
    private readonly allowedHosts: Set<string>;
    private readonly origins: OriginPolicy;
    private readonly server: Server;
    private readonly inFlight = new Set<InFlight>();
    private closing: Promise<void> | undefined;
    private clientDisconnects = 0;

    constructor(options: RerankServerOptions) {
        this.options = options;
        this.limits = resolveServerLimits(options.limits);
        const scorer = options.scorer ?? options.reranker;
        if (scorer === undefined) throw new InvalidArgumentError("RerankServer needs a scorer (a Reranker, a RemoteReranker, or any Scorer)");
        const overflow = options.overflow === undefined ? "truncate" : expectOneOf("overflow", options.overflow, ["truncate", "max-window"] as const);
        this.service = new ScoringService(scorer, this.limits, overflow);
        // Read once: the model and profile a scorer serves are fixed, and describe() builds a whole
        // description (placement, settings, caches) that no request needs.
        const description = scorer.describe();
        this.modelId = options.modelId ?? description.model.name;
        this.profile = description.profile;
        this.bindHost = options.host ?? "127.0.0.1";
        this.allowedHosts = new Set((options.allowedHosts ?? []).map((host) => host.toLowerCase()));
        this.origins = new OriginPolicy(options.allowedOrigins, options.apiKey !== undefined);
        this.server = createServer(
            {
                // Slow clients hold a connection each, never a scoring slot: their headers must arrive
                // within headersTimeoutMs (else 408 and closed), their whole request within the upload
                // deadline, and an idle kept-alive connection closes after keepAliveTimeoutMs.
                headersTimeout: this.limits.headersTimeoutMs,
                requestTimeout: uploadDeadlineMs(this.limits),
                keepAliveTimeout: this.limits.keepAliveTimeoutMs,
                // How often node checks those deadlines (its default, 30 s, would let them run over by as much).
                connectionsCheckingInterval: Math.min(1000, Math.max(10, Math.floor(this.limits.headersTimeoutMs / 4)))
            },
            (request, response) => this.track(request, response)
        );
        // Beyond this many open connections a new one is closed as soon as it is accepted.
        this.server.maxConnections = this.limits.maxConnections;
    }

    /** Listens; resolves with the address actually bound (port 0 becomes a real port). */
    start(): Promise<{ host: string; port: number; url: string }> {
        return new Promise((resolve, reject) => {
            this.server.once("error", reject);
            this.server.listen(this.options.port ?? 8012, this.bindHost, () => {
                this.server.off("error", reject);
                const address = this.server.address() as AddressInfo;
                const shown = address.family === "IPv6" ? `[${address.address}]` : address.address;
                const warning = exposureWarning(address.address, address.port, this.options.apiKey !== undefined);
                if (warning) this.log(warning.join("\n"));
                resolve({ host: address.address, port: address.port, url: `http://${shown}:${address.port}` });
            });
        });
    }

    /** Requests being answered now. */
    get activeRequests(): number {
        return this.inFlight.size;
    }

    /** What the server has done so far, for operators and tests. */
    get stats(): { activeRequests: number; admittedRequests: number; clientDisconnects: number; abortedScoringCalls: number } {
        return {
            activeRequests: this.inFlight.size,
            admittedRequests: this.service.gate.active,
            clientDisconnects: this.clientDisconnects,
            abortedScoringCalls: this.service.abortedCalls
        };
    }

    /**
     * Stops accepting connections, lets in-flight requests finish for up to the shutdown grace,
     * cancels the rest (they are answered 503), then closes every connection. Does not dispose
     * the Reranker, which the caller owns. Safe to call twice.
     */
    close(): Promise<void> {
        this.closing ??= (async () => {
            const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
            this.server.closeIdleConnections();
            let graceTimer: NodeJS.Timeout | undefined;
            const grace = new Promise<void>((resolve) => (graceTimer = setTimeout(resolve, this.limits.shutdownGraceMs)));
            await Promise.race([this.allSettled(), grace]);
            clearTimeout(graceTimer);
            for (const request of this.inFlight) request.controller.abort(new AbortReason("shutdown", "the server is shutting down; retry elsewhere or later"));
            await this.allSettled();
            this.server.closeAllConnections();
            await closed;
        })();
        return this.closing;
    }

    private async allSettled(): Promise<void> {
        while (this.inFlight.size > 0) await Promise.all([...this.inFlight].map((request) => request.settled));
    }

    private track(request: IncomingMessage, response: ServerResponse): void {
        const controller = new AbortController();
        // "close" before the answer is finished means the client went away: cancel its work only.
        response.on("close", () => {
            if (response.writableFinished) return;
            this.clientDisconnects++;
            controller.abort(new AbortReason("client-disconnected", "the client disconnected"));
        });
        const timeoutMs = this.limits.requestTimeoutMs;
        const timer =
            timeoutMs > 0
                ? setTimeout(
                      () =>
                          controller.abort(
                              new AbortReason(
                                  "timeout",
                                  `the request did not finish within ${timeoutMs / 1000} s (serve --request-timeout); send fewer documents or retry`
                              )
                          ),
                      timeoutMs
                  )
                : undefined;
        const entry: InFlight = { controller, settled: Promise.resolve() };
        entry.settled = this.answer(request, response, controller.signal).finally(() => {
            clearTimeout(timer);
            this.inFlight.delete(entry);
        });
        this.inFlight.add(entry);
    }

    private log(line: string): void {
        (this.options.log ?? ((text: string) => process.stderr.write(`${text}\n`)))(line);
    }

    private async answer(request: IncomingMessage, response: ServerResponse, signal: AbortSignal): Promise<void> {
        let answer: RouteAnswer;
        let headers: Record<string, string> = {};
        // The CORS headers of an allowed Origin, on every answer to it (errors included, so its page can read them).
        const cors: Record<string, string> = {};
        try {
            answer = await raceAbort(this.route(request, signal, cors), signal);
            headers = { ...answer.headers };
        } catch (error) {
            const refusal = httpErrorFor(error, signal);
            if (refusal.status >= 500 && !expectedRefusals.has(refusal.type)) {
                this.log(
                    `llm-rerank serve: ${request.method} ${request.url} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`
                );
            }
            answer = { status: refusal.status, body: { error: { message: refusal.message, type: refusal.type, code: refusal.status } } };
            headers = { ...refusal.headers };
            // The body may be unread (refused early) or the work cancelled: do not reuse the connection.
            if (refusal.status !== 401 && refusal.status !== 404 && refusal.status !== 405) headers.Connection = "close";
        }
        if (response.destroyed || (signal.reason instanceof AbortReason && signal.reason.kind === "client-disconnected")) return;
        if (this.closing) headers.Connection = "close";
        // Every answer depends on the request's Origin (served, refused, or CORS headers): caches must key on it.
        headers = { ...cors, ...headers, Vary: "Origin" };
        if (answer.body === undefined) {
            response.writeHead(answer.status, headers);
            response.end();
            return;
        }
        const payload = JSON.stringify(answer.body);
        response.writeHead(answer.status, {
            "Content-Type": "application/json; charset=utf-8",
            "Content-Length": String(Buffer.byteLength(payload)),
            ...headers
        });
        response.end(payload);
    }

    private async route(request: IncomingMessage, signal: AbortSignal, cors: Record<string, string>): Promise<RouteAnswer> {
        this.checkHost(request.headers.host);
        // Before the path, the method and the key: a page not allowed learns nothing, and a preflight carries no key.
        Object.assign(cors, this.origins.check(request.headers.origin));
        const pathname = pathnameOf(request.url ?? "/");
        const route = routes.get(pathname);
        if (!route) {
            throw new HttpError(404, "not_found", `no route ${pathname}; this server answers ${[...routes.keys()].join(", ")}`);
        }
        if (request.method === "OPTIONS") {
            // A CORS preflight from an allowed origin (any other was refused above), or a plain OPTIONS.
            const allow = route.method === "GET" ? "GET, HEAD, OPTIONS" : "POST, OPTIONS";
            return {
                status: 204,
                body: undefined,
                headers: request.headers.origin === undefined ? { Allow: allow } : this.origins.preflightHeaders(route.method, request.headers)
            };
        }
        if (request.method !== route.method && !(route.method === "GET" && request.method === "HEAD")) {
            throw new HttpError(405, "method_not_allowed", `${pathname} takes ${route.method}, not ${request.method}`, { Allow: route.method });
        }
        if (!route.public && this.options.apiKey !== undefined && !hasBearerToken(request.headers.authorization, this.options.apiKey)) {
            throw new HttpError(
                401,
                "unauthorized",
                request.headers.authorization ? "the API key is wrong" : "this server needs an API key: send Authorization: Bearer <key>",
                { "WWW-Authenticate": 'Bearer realm="llm-rerank"' }
            );
        }
        if (this.closing) throw new HttpError(503, "shutting_down", "the server is shutting down", { "Retry-After": "5" });
        const body = route.method === "POST" ? await readJsonBody(request, this.limits.maxBodyBytes) : undefined;
        return route.handle({ body, signal, service: this.service, modelId: this.modelId, profile: this.profile, limits: this.limits });
    }

    /**
     * DNS rebinding: a web page on evil.example whose name is made to resolve to 127.0.0.1 could
     * reach a loopback server from the user's browser, but its requests carry Host: evil.example.
     * While bound to loopback only loopback names (and --allow-host ones) are served.
     */
    private checkHost(hostHeader: string | undefined): void {
        if (hostHeader === undefined || !isLoopbackAddress(this.bindHost)) return;
        const hostname = hostnameOf(hostHeader);
        if (isLoopbackAddress(hostname) || this.allowedHosts.has(hostname)) return;
        throw new HttpError(
            403,
            "forbidden_host",
            `Host ${JSON.stringify(hostHeader)} is not a loopback name; this server is bound to ${this.bindHost} and answers only localhost, 127.0.0.1 and [::1] (serve --allow-host NAME adds a name)`
        );
    }
}

/** The request target's path, without one trailing slash; an unparseable target is the client's 400. */
function pathnameOf(target: string): string {
    try {
        return new URL(target, "http://localhost").pathname.replace(/(.)\/$/, "$1");
    } catch {
        throw new HttpError(400, "invalid_url", `the request target ${JSON.stringify(target.slice(0, 100))} is not a valid URL path`);
    }
}

/** The work's own result, or the signal's reason as soon as it fires (a stalled body upload never holds up a 503). */
function raceAbort<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
    if (signal.aborted) return Promise.reject(signal.reason as Error);
    return new Promise<T>((resolve, reject) => {
        const onAbort = () => reject(signal.reason as Error);
        signal.addEventListener("abort", onAbort, { once: true });
        work.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
    });
}
