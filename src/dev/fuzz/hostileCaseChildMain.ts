import { RerankError } from "../../errors/RerankError.js";
import { InProcessHost } from "../../native/InProcessHost.js";
import { Reranker } from "../../Reranker.js";
import type { CaseReply, CaseRequest, HostileCaseOutcome } from "./HostileCaseOutcome.js";

// One case runner: loads each hostile file it is sent in this process and, when that works,
// scores two pairs. The suite that forked it counts the process dying as an abort.
const pairs: [string, string][] = [
    ["how do tides work?", "The moon pulls on the oceans."],
    ["", "Bananas are yellow."]
];

function describeError(error: unknown): string {
    return error instanceof RerankError
        ? `${error.code}: ${error.message.slice(0, 300)}`
        : `${(error as Error)?.name}: ${String((error as Error)?.message).slice(0, 300)}`;
}

async function runCase(path: string): Promise<HostileCaseOutcome> {
    let reranker: Reranker;
    try {
        reranker = await Reranker.load({ model: path, gpu: false, slots: 2, threads: 1, healthCheck: false, onWarning: () => undefined });
    } catch (error) {
        if (!(error instanceof RerankError)) return { outcome: "untyped", detail: `load: ${describeError(error)}` };
        const outcome =
            error.code === "ERR_MODEL_LOAD"
                ? "llama"
                : error.code === "ERR_INVALID_MODEL_FILE" || error.code === "ERR_UNSUPPORTED_MODEL"
                  ? "validation"
                  : "otherTyped";
        return { outcome, detail: describeError(error) };
    }
    try {
        const scores = await reranker.score(pairs);
        if (scores.length !== pairs.length || !scores.every(Number.isFinite)) return { outcome: "nonFinite", detail: `scores ${scores.join(", ")}` };
        return { outcome: "scored", detail: `scores ${scores.map((score) => score.toFixed(4)).join(", ")}` };
    } catch (error) {
        return { outcome: error instanceof RerankError ? "scoringError" : "untyped", detail: `score: ${describeError(error)}` };
    } finally {
        await reranker.dispose();
    }
}

const send = (message: unknown) => process.send!(message);
await InProcessHost.get(false);
process.on("message", (request: CaseRequest) => {
    if (request.fault === "abort") process.abort();
    if (request.fault === "hang") return;
    void runCase(request.path).then((outcome) => send({ index: request.index, ...outcome } satisfies CaseReply));
});
send({ ready: true });
