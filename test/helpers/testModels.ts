import path from "node:path";
import { fileURLToPath } from "node:url";

// Generated once by test/setup/generateModels.ts and kept between runs (gitignored).
export const testModelsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", ".models");

export const testModels = {
    /** n_embd 64, 2 layers, multi-query attention. */
    tiny: path.join(testModelsDir, "tiny-gemma-f32.gguf"),
    /** n_embd 256, 4 layers, 4 heads over 2 KV heads (grouped-query attention). */
    mid: path.join(testModelsDir, "mid-gemma-f32.gguf"),
    /** The tiny model with F16 weights. */
    tinyF16: path.join(testModelsDir, "tiny-gemma-f16.gguf"),
    /** F16 weights scaled by 1000: activations overflow F16 and the logits come out NaN. */
    /** F16 cannot store its weights (|w| > 65504 becomes ±Infinity): non-finite logits on every CPU and GPU path. */
    tinyOverflow: path.join(testModelsDir, "tiny-gemma-f16-storage-overflow.gguf"),
    /** F32 weights scaled by 1e20: activations overflow F32 itself, on every backend (a GPU computing in F32 too). */
    tinyOverflowF32: path.join(testModelsDir, "tiny-gemma-f32-overflow.gguf"),
    /** The tiny model with BF16 weights. */
    tinyBf16: path.join(testModelsDir, "tiny-gemma-bf16.gguf"),
    /** The overflowing model's weights (scaled by 1000) in BF16, which has F32's exponent range. */
    tinyBf16Scaled: path.join(testModelsDir, "tiny-gemma-bf16-scaled.gguf")
} as const;
