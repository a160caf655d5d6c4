import type { ModelHost } from "../native/AddonTypes.js";
import { Reranker } from "../Reranker.js";
import type { RerankerLoadOptions } from "../RerankerOptions.js";
import { RecordingContext } from "./RecordingContext.js";

export type InstrumentedReranker = {
    reranker: Reranker;
    recorder: RecordingContext;
    /** The host the reranker was loaded through: device memory, and fresh contexts for raw replay. */
    host: ModelHost;
};

/**
 * Reranker.load, with the context the engine uses wrapped in a RecordingContext, through the
 * load's seams (src/load/LoadSeams.ts): the library's code runs unchanged, nothing process-wide is
 * patched, and the same host (one libllama per process) serves every configuration.
 */
export async function loadInstrumentedReranker(options: RerankerLoadOptions): Promise<InstrumentedReranker> {
    let recorder: RecordingContext | undefined;
    let host: ModelHost | undefined;
    // The health check's canary decodes would be recorded as the workload's: a bench measures without it.
    const reranker = await Reranker.loadWith(
        { ...options, healthCheck: false },
        {
            observeHost: (observed) => (host = observed),
            observeContext: (context, model, contextOptions) => (recorder = new RecordingContext(context, model, contextOptions))
        }
    );
    if (!recorder || !host) {
        await reranker.dispose();
        throw new Error("Reranker.load gave the bench no context to observe");
    }
    return { reranker, recorder, host };
}
