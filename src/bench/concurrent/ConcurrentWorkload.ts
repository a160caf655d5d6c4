import { SeededRandom } from "../../testModel/SeededRandom.js";
import { benchWords } from "../benchWords.js";

export type ConcurrentWorkloadSpec = {
    clients: number;
    requestsPerClient: number;
    passagesPerRequest: number;
    seed: number;
};

export type WorkloadRequest = { query: string; passages: string[] };

/**
 * Small rerank requests, as a search box sends them: each client has its own queries (so no two
 * requests share a prefix), with short passages of 15–40 words. The same seed gives the same texts.
 */
export function buildConcurrentWorkload(spec: ConcurrentWorkloadSpec): WorkloadRequest[][] {
    return Array.from({ length: spec.clients }, (_, client) =>
        Array.from({ length: spec.requestsPerClient }, (_, request) => {
            const random = new SeededRandom(spec.seed, `client ${client} request ${request}`);
            const words = (count: number) => Array.from({ length: count }, () => benchWords[random.nextUint32() % benchWords.length]!).join(" ");
            return {
                query: `${words(5 + (random.nextUint32() % 6))}?`,
                passages: Array.from({ length: spec.passagesPerRequest }, () => `${words(15 + (random.nextUint32() % 26))}.`)
            };
        })
    );
}
