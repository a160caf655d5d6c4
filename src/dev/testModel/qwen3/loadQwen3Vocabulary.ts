import type { BpeVocabulary } from "../../../testModel/BpeVocabulary.js";
import { convertQwen3Vocabulary } from "./convertQwen3Vocabulary.js";
import { readQwen3TokenizerFiles, type Qwen3TokenizerFiles } from "./Qwen3TokenizerFiles.js";

let cachedFiles: Promise<Qwen3TokenizerFiles> | undefined;

/** Parsing the 11 MB tokenizer.json takes most of a second: read it once per process. */
export async function loadQwen3Vocabulary(vocabularySize: number): Promise<BpeVocabulary> {
    if (cachedFiles == null) {
        const reading = readQwen3TokenizerFiles();
        reading.catch(() => {
            cachedFiles = undefined; // let a later call retry, e.g. after installing the package
        });
        cachedFiles = reading;
    }
    return convertQwen3Vocabulary(await cachedFiles, vocabularySize);
}
