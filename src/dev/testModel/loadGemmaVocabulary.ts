import { convertGemmaVocabulary } from "./convertGemmaVocabulary.js";
import { readGeminiTokenizerFiles } from "./GeminiTokenizerFiles.js";
import type { GemmaVocabulary } from "../../testModel/GemmaVocabulary.js";

let cachedVocabulary: Promise<GemmaVocabulary> | undefined;

/** Parsing and converting the 17 MB tokenizer.json takes about a second: do it once per process. */
export function loadGemmaVocabulary(): Promise<GemmaVocabulary> {
    if (cachedVocabulary == null) {
        const loading = readGeminiTokenizerFiles().then(convertGemmaVocabulary);
        loading.catch(() => {
            cachedVocabulary = undefined; // let a later call retry, e.g. after installing the package
        });
        cachedVocabulary = loading;
    }
    return cachedVocabulary;
}
