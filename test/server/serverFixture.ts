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

/**
 * The tiny model on the CPU, score cache off (the default): every answer is computed. One thread:
 * on a shared 2-core machine two ggml threads spin-wait on each other and a 3-pair call went from
 * about 60 ms to seconds; these tests compare the server with the same Reranker, so the thread
 * count changes nothing they check.
 */
export function loadTinyReranker(): Promise<Reranker> {
    return Reranker.load({ model: testModels.tiny, gpu: false, threads: 1, onWarning: () => undefined });
}
