import { Reranker } from "../Reranker.js";
import type { RerankerLoadOptions } from "../RerankerOptions.js";
import { RecordingContext } from "./RecordingContext.js";

export type InstrumentedReranker = {
    reranker: Reranker;
    recorder: RecordingContext;
};

/**
 * Reranker.load, with the context it creates wrapped in a RecordingContext, through the load's
 * observeContext seam (src/load/LoadSeams.ts): the library's code runs unchanged, and nothing
 * process-wide is touched.
 */
export async function loadInstrumentedReranker(options: RerankerLoadOptions): Promise<InstrumentedReranker> {
    let recorder: RecordingContext | undefined;
    const reranker = await Reranker.loadWith(options, {
        observeContext: (context, model, contextOptions) => (recorder = new RecordingContext(context, model, contextOptions))
    });
    if (!recorder) {
        await reranker.dispose();
        throw new Error("Reranker.loadWith created no context through its observeContext seam; the bench cannot observe its decodes");
    }
    return { reranker, recorder };
}
