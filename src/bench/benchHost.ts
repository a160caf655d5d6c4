import type { AddonContext, AddonContextOptions, AddonModel } from "../native/AddonTypes.js";
import { LlamaBackend } from "../native/LlamaBackend.js";
import type { RerankerLoadOptions } from "../RerankerOptions.js";

/**
 * What the bench uses of the llama.cpp a Reranker was loaded into, beside the Reranker itself:
 * a second context on the same model, for the raw replay (RawReplayContender). A part of ModelHost.
 */
export type BenchHost = {
    createContext(model: AddonModel, options: AddonContextOptions): Promise<AddonContext>;
};

/**
 * The host that Reranker.load uses for these options in this process: LlamaBackend.get is keyed by
 * the same three settings, so this is the very instance. The only place in src/bench that reaches
 * past the Reranker to the backend. In-process loads only: an isolated Reranker's model lives in
 * its child process.
 */
export async function benchHostFor(options: RerankerLoadOptions): Promise<BenchHost> {
    if (options.isolation === "process") throw new Error('the bench replays decodes in this process; it cannot reach a model loaded with isolation: "process"');
    return LlamaBackend.get(options.gpu ?? "auto", options.llamaBuild ?? "auto", options.fp16Arithmetic ?? false);
}
