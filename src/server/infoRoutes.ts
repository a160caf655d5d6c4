import type { Route } from "./Route.js";

const startedAt = Math.floor(Date.now() / 1000);

/** llama-server's and TEI's probe: 200 while the model is loaded and the server takes requests. */
export const healthRoute: Route = {
    method: "GET",
    public: true,
    handle: async (request) => ({ status: 200, body: { status: "ok", model: request.modelId, profile: request.profile } })
};

/** The OpenAI-style model list that tools query to fill their model pickers: the one model served. */
export const modelsRoute: Route = {
    method: "GET",
    public: false,
    handle: async (request) => ({
        status: 200,
        body: { object: "list", data: [{ id: request.modelId, object: "model", created: startedAt, owned_by: "llm-rerank" }] }
    })
};
