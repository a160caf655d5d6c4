import { existsSync } from "node:fs";
import path from "node:path";
import { writeQwen3TestModel } from "../../src/dev/testModel/qwen3/writeQwen3TestModel.js";
import { testModelsDir } from "../helpers/testModels.js";

/** The tiny Qwen3-Reranker test model (F32, seed 42), kept between runs like the Gemma ones. */
export const qwen3TinyModelPath = path.join(testModelsDir, "qwen3-tiny-f32.gguf");

/** Seeded generation is deterministic, so a file left by an earlier run is the same model. */
export async function ensureQwen3TinyModel(): Promise<string> {
    if (!existsSync(qwen3TinyModelPath)) await writeQwen3TestModel({ outPath: qwen3TinyModelPath, seed: 42, weightType: "f32" });
    return qwen3TinyModelPath;
}
