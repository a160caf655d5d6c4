import { existsSync } from "node:fs";
import path from "node:path";
import { writeQwen2TestModel } from "../../src/dev/testModel/qwen2/writeQwen2TestModel.js";
import { testModelsDir } from "../helpers/testModels.js";

/** The tiny mxbai-rerank-v2 (Qwen2) test model: F32, seed 42, tied output, kept between runs like the others. */
export const qwen2TinyModelPath = path.join(testModelsDir, "qwen2-mxbai-tiny-f32.gguf");

/** Seeded generation is deterministic, so a file left by an earlier run is the same model. */
export async function ensureQwen2TinyModel(): Promise<string> {
    if (!existsSync(qwen2TinyModelPath)) await writeQwen2TestModel({ outPath: qwen2TinyModelPath, seed: 42, weightType: "f32" });
    return qwen2TinyModelPath;
}
