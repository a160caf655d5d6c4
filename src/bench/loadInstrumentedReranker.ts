import { LlamaBackend } from "../native/LlamaBackend.js";
import { Reranker } from "../Reranker.js";
import type { RerankerLoadOptions } from "../RerankerOptions.js";
import { RecordingContext } from "./RecordingContext.js";

export type InstrumentedReranker = {
    reranker: Reranker;
    recorder: RecordingContext;
    backend: LlamaBackend;
};

/**
 * Reranker.load, with the context it creates wrapped in a RecordingContext. The wrapping happens
 * at the addon's createContext for the duration of the load only, so the library's code runs
 * unchanged and the same backend (one libllama per process) serves every configuration.
 */
export async function loadInstrumentedReranker(options: RerankerLoadOptions): Promise<InstrumentedReranker> {
    const backend = await LlamaBackend.get(options.gpu ?? "auto", options.llamaBuild ?? "auto");
    const addon = backend.addon;
    const createContext = addon.createContext;
    let recorder: RecordingContext | undefined;
    addon.createContext = async (model, contextOptions) => {
        recorder = new RecordingContext(await createContext.call(addon, model, contextOptions), model, contextOptions);
        return recorder;
    };
    let reranker: Reranker;
    try {
        reranker = await Reranker.load(options);
    } finally {
        addon.createContext = createContext;
    }
    if (!recorder) {
        await reranker.dispose();
        throw new Error("Reranker.load created no context through the addon; the bench cannot observe its decodes");
    }
    return { reranker, recorder, backend };
}
