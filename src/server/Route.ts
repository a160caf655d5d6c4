import type { ScoringService } from "./ScoringService.js";
import type { ServerLimits } from "./ServerLimits.js";

/** What a route handler gets: the parsed body (POST), the request's own abort signal, the service. */
export type RouteRequest = {
    body: unknown;
    /** Fires when the client disconnects, the request times out or the server shuts down. */
    signal: AbortSignal;
    service: ScoringService;
    /** The name /v1/models lists and answers carry when the request names none. */
    modelId: string;
    profile: string | null;
    limits: ServerLimits;
};

export type RouteAnswer = { status: number; body: unknown; headers?: Record<string, string> };

export type Route = {
    method: "GET" | "POST";
    /** Public routes answer without the API key (health probes). */
    public: boolean;
    handle(request: RouteRequest): Promise<RouteAnswer>;
};
