import type { ModelHealthReport } from "../health/ModelHealth.js";
import type { Route, RouteAnswer } from "./Route.js";

const startedAt = Math.floor(Date.now() / 1000);

/**
 * llama-server's and TEI's probe: 200 while the model is loaded and the server takes requests;
 * 503 with the reason (and Retry-After while a restart is under way) while the scorer is not ready,
 * as a supervised one is between its llama.cpp process dying and its replacement being up.
 */
export const healthRoute: Route = {
    method: "GET",
    public: true,
    handle: async (request): Promise<RouteAnswer> => {
        const readiness = request.service.scorer.readiness?.() ?? { ready: true };
        const modelHealth = describeModelHealth(request.service.scorer.modelHealth?.());
        if (readiness.ready) return { status: 200, body: { status: "ok", model: request.modelId, profile: request.profile, ...modelHealth } };
        return {
            status: 503,
            headers: readiness.retryAfterSeconds !== undefined ? { "Retry-After": String(readiness.retryAfterSeconds) } : undefined,
            body: {
                status: "unavailable",
                reason: readiness.reason,
                model: request.modelId,
                profile: request.profile,
                ...modelHealth,
                error: { message: readiness.reason, type: "backend_unavailable", code: 503 }
            }
        };
    }
};

/**
 * The model file's health check, where the scorer ran one: `model_health` with its status and
 * findings (code, message, cause, fix). A degenerate model still answers 200: the server works, the
 * file is what is wrong, and restarting would not mend it.
 */
function describeModelHealth(report: ModelHealthReport | null | undefined): { model_health?: object } {
    if (!report) return {};
    const findings = report.findings.map(({ code, message, cause, fix }) => ({ code, message, cause, fix }));
    return { model_health: { status: report.status, findings, notes: report.notes } };
}

/** The OpenAI-style model list that tools query to fill their model pickers: the one model served. */
export const modelsRoute: Route = {
    method: "GET",
    public: false,
    handle: async (request) => ({
        status: 200,
        body: { object: "list", data: [{ id: request.modelId, object: "model", created: startedAt, owned_by: "llm-rerank" }] }
    })
};
