import { Reranker } from "../../src/index.js";
import { RerankServer, type RerankServerOptions } from "../../src/server/RerankServer.js";
import { testModels } from "../helpers/testModels.js";

/** A RerankServer on 127.0.0.1 at an ephemeral port, over a Reranker the test also calls directly. */
export async function startServer(
    reranker: Reranker,
    options: Omit<RerankServerOptions, "reranker"> = {}
): Promise<{ server: RerankServer; url: string; port: number }> {
    const server = new RerankServer({ reranker, port: 0, log: () => undefined, ...options });
    const { url, port } = await server.start();
    return { server, url, port };
}

/** The tiny model on the CPU, score cache off (the default): every answer is computed. */
export function loadTinyReranker(): Promise<Reranker> {
    return Reranker.load({ model: testModels.tiny, gpu: false, onWarning: () => undefined });
}
