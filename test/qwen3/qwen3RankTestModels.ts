import { existsSync } from "node:fs";
import path from "node:path";
import { writeQwen3TestModel } from "../../src/dev/testModel/qwen3/writeQwen3TestModel.js";
import { testModelsDir } from "../helpers/testModels.js";
import { ensureQwen3TinyModel } from "./qwen3TestModel.js";

/** qwen3-rank-untied-tiny: the converter's untied layout (own cls.output rows, no output.weight). */
export const qwen3UntiedModelPath = path.join(testModelsDir, "qwen3-rank-untied-tiny-f32.gguf");

/** The tied rank-head model is the existing qwen3 test model (qwen3-tiny = qwen3-rank-tiny). */
export const ensureQwen3TiedRankModel = ensureQwen3TinyModel;

export async function ensureQwen3UntiedRankModel(): Promise<string> {
    if (!existsSync(qwen3UntiedModelPath)) await writeQwen3TestModel({ outPath: qwen3UntiedModelPath, seed: 42, weightType: "f32", rerankHeadRows: "untied" });
    return qwen3UntiedModelPath;
}
