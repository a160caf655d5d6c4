// Entry point of the child process WorkerContender starts: one Reranker on whichever llama.cpp
// build this process's environment selects, driven over the IPC channel.
import { loadInstrumentedReranker } from "./loadInstrumentedReranker.js";
import { RerankerContender } from "./RerankerContender.js";
import type { WorkerReply, WorkerRequest } from "./workerProtocol.js";

let contender: RerankerContender | undefined;

function reply(message: WorkerReply): void {
    process.send!(message);
}

async function handle(request: WorkerRequest): Promise<void> {
    switch (request.type) {
        case "load": {
            const { reranker, recorder } = await loadInstrumentedReranker({
                model: request.model,
                gpu: request.gpu,
                llamaBuild: request.llamaBuild,
                threads: request.threads,
                slots: request.slots,
                batchSize: request.batchSize,
                scoreCacheSize: 0,
                onWarning: () => undefined
            });
            contender = new RerankerContender("worker", "worker", reranker, recorder, "whole-list");
            reply({ type: "loaded", setup: contender.setup });
            return;
        }
        case "warmUp":
            await contender!.warmUp(request.workload);
            reply({ type: "done" });
            return;
        case "round":
            reply({ type: "round", result: await contender!.runRound(request.workload) });
            return;
        case "dispose":
            await contender?.dispose();
            reply({ type: "done" });
            process.disconnect?.();
            return;
    }
}

process.on("message", (request: WorkerRequest) => {
    handle(request).catch((error: unknown) => reply({ type: "error", message: error instanceof Error ? error.message : String(error) }));
});

// The bench ended (or died): nothing is left to do here.
process.on("disconnect", () => process.exit(0));
