import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { TokenizerLoader } from "@lenml/tokenizers";
import { writeBertTestModel } from "../../src/dev/testModel/bert/writeBertTestModel.js";
import { testModelsDir } from "../helpers/testModels.js";

/** The tiny XLM-R (bert) reranker test model, F32, seed 42, and its vocabulary as an HF tokenizer. */
export const bertTinyModelPath = path.join(testModelsDir, "bert-tiny-f32.gguf");
export const bertTinyTokenizerDir = path.join(testModelsDir, "bert-tiny-tokenizer");

/** Seeded generation is deterministic, so files left by an earlier run are the same model. */
export async function ensureBertTinyModel(): Promise<string> {
    if (!existsSync(bertTinyModelPath) || !existsSync(path.join(bertTinyTokenizerDir, "tokenizer.json")))
        await writeBertTestModel({ outPath: bertTinyModelPath, seed: 42, weightType: "f32", tokenizerDir: bertTinyTokenizerDir });
    return bertTinyModelPath;
}

export type HfTokenizer = ReturnType<typeof TokenizerLoader.fromPreTrained>;

/**
 * The tiny jina-reranker-v2 layout (fused QKV, 1024 positions), F32, seed 42, same vocabulary. Its
 * general.name is neutral: the library must tell it from bge-reranker-v2-m3 by its tensors.
 */
export const jinaTinyModelPath = path.join(testModelsDir, "jina-reranker-v2-tiny-f32.gguf");
export const jinaTinyTokenizerDir = path.join(testModelsDir, "jina-reranker-v2-tiny-tokenizer");

export async function ensureJinaTinyModel(): Promise<string> {
    if (!existsSync(jinaTinyModelPath) || !existsSync(path.join(jinaTinyTokenizerDir, "tokenizer.json")))
        await writeBertTestModel({
            outPath: jinaTinyModelPath,
            seed: 42,
            weightType: "f32",
            family: "jina-reranker-v2",
            nameless: true,
            tokenizerDir: jinaTinyTokenizerDir
        });
    return jinaTinyModelPath;
}

/** @lenml/tokenizers (the JS port of HF tokenizers) over the generated tokenizer.json. */
export function loadBertHfTokenizer(tokenizerDir: string = bertTinyTokenizerDir): HfTokenizer {
    const read = (file: string) => JSON.parse(readFileSync(path.join(tokenizerDir, file), "utf8"));
    return TokenizerLoader.fromPreTrained({ tokenizerJSON: read("tokenizer.json"), tokenizerConfig: read("tokenizer_config.json") });
}
