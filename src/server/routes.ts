import { healthRoute, modelsRoute } from "./infoRoutes.js";
import { rerankV1Route, rerankV2Route, rootRerankRoute } from "./rerankRoutes.js";
import type { Route } from "./Route.js";
import { scoreRoute } from "./scoreRoute.js";

/** Every path the server answers. A path not here is a 404; a known path with another method, a 405. */
export const routes: ReadonlyMap<string, Route> = new Map([
    ["/v1/rerank", rerankV1Route],
    ["/rerank", rootRerankRoute],
    ["/v2/rerank", rerankV2Route],
    ["/reranking", rerankV1Route],
    ["/score", scoreRoute],
    ["/v1/score", scoreRoute],
    ["/health", healthRoute],
    ["/v1/models", modelsRoute]
]);
