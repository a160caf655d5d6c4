import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { TokenizerLoader } from "@lenml/tokenizers";
import { writeModernBertTestModel } from "../../src/dev/testModel/modernBert/writeModernBertTestModel.js";
import type { HfTokenizer } from "../bert/bertTestModel.js";
import { testModelsDir } from "../helpers/testModels.js";

/** The tiny gte-reranker-modernbert layout (modern-bert), F32, seed 42, and its vocabulary as an HF tokenizer. */
export const modernBertTinyModelPath = path.join(testModelsDir, "modern-bert-tiny-f32.gguf");
export const modernBertTinyTokenizerDir = path.join(testModelsDir, "modern-bert-tiny-tokenizer");

/** Seeded generation is deterministic, so files left by an earlier run are the same model. */
export async function ensureModernBertTinyModel(): Promise<string> {
    if (!existsSync(modernBertTinyModelPath) || !existsSync(path.join(modernBertTinyTokenizerDir, "tokenizer.json")))
        await writeModernBertTestModel({ outPath: modernBertTinyModelPath, seed: 42, weightType: "f32", tokenizerDir: modernBertTinyTokenizerDir });
    return modernBertTinyModelPath;
}

/** @lenml/tokenizers (the JS port of HF tokenizers) over the generated tokenizer.json. */
export function loadModernBertHfTokenizer(): HfTokenizer {
    const read = (file: string) => JSON.parse(readFileSync(path.join(modernBertTinyTokenizerDir, file), "utf8"));
    return TokenizerLoader.fromPreTrained({ tokenizerJSON: read("tokenizer.json"), tokenizerConfig: read("tokenizer_config.json") });
}
