import { inspectModelFile } from "../gguf/inspectModelFile.js";
import type { ModelDownloadOptions } from "./ModelDownloadOptions.js";
import { resolveModelSource } from "./resolveModelSource.js";

/**
 * Downloads a model URI into the cache folder without loading it (an app's first-run step, or
 * `llm-rerank pull`); returns the checked local path. A path or a cached URI is only checked.
 */
export async function pullModel(model: string, options?: ModelDownloadOptions): Promise<string> {
    const modelPath = await resolveModelSource(model, options);
    await inspectModelFile(modelPath);
    return modelPath;
}
