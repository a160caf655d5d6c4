import { GgufWriter } from "../gguf/GgufWriter.js";
import { testModelWeightTypes, type TestModelWeightType } from "./commonMetadata.js";
import type { GemmaVocabulary } from "./GemmaVocabulary.js";
import { planGemmaTensors } from "./planGemmaTensors.js";
import { seededUniformFill } from "./seededUniformFill.js";
import { setGemmaMetadata } from "./setGemmaMetadata.js";
import { testModelPresets, type TestModelPresetName } from "./TestModelPreset.js";
import { writeGgufAtomically, type WrittenTestModel } from "./writeGgufAtomically.js";

export type { WrittenTestModel } from "./writeGgufAtomically.js";

export type WriteGemmaModelOptions = {
    readonly outPath: string;
    readonly preset: TestModelPresetName;
    /** Any uint32; the same seed (and options) always produce a byte-identical file. Default 42. */
    readonly seed?: number;
    /** "f16" or "bf16" stores token_embd and the projection matrices as F16 or BF16; norms stay F32. Default "f32". */
    readonly weightType?: TestModelWeightType;
    /**
     * Multiplies every projection matrix. Default 1. With "f16", llama.cpp's CPU matmuls convert
     * activations to F16, and the FFN activations grow like weightScale^2 past 65504. Observed on
     * CPU (node-llama-cpp 3.21.1): 1000 gave NaN logits for every input tried (tiny and mid),
     * 300 likewise (tiny), 100 for some inputs only, 50 for none.
     */
    readonly weightScale?: number;
};

export type CheckedGemmaModelOptions = Required<WriteGemmaModelOptions>;

/** The options with their defaults, checked: a preset that exists, a uint32 seed, a known weight type. */
export function checkGemmaModelOptions(options: WriteGemmaModelOptions): CheckedGemmaModelOptions {
    const { outPath, preset, seed = 42, weightType = "f32", weightScale = 1 } = options;
    if (testModelPresets[preset] == null) throw new RangeError(`Unknown test model preset "${preset}"; use one of ${Object.keys(testModelPresets).join(", ")}`);
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new RangeError(`seed must be an integer in [0, 2^32), got ${seed}`);
    if (!testModelWeightTypes.includes(weightType))
        throw new RangeError(`weightType must be one of ${testModelWeightTypes.join(", ")}, got "${String(weightType)}"`);
    if (!Number.isFinite(weightScale) || weightScale <= 0) throw new RangeError(`weightScale must be a positive finite number, got ${weightScale}`);
    return { outPath, preset, seed, weightType, weightScale };
}

/** The writer, with every metadata entry set and every tensor planned, ready to stream to a file. */
export function planGemmaModel(options: WriteGemmaModelOptions, vocabulary: GemmaVocabulary): GgufWriter {
    const { preset, seed, weightType, weightScale } = checkGemmaModelOptions(options);
    const shape = testModelPresets[preset];
    const writer = new GgufWriter();
    setGemmaMetadata(writer, shape, vocabulary, { preset, seed, weightType, weightScale });
    for (const spec of planGemmaTensors(shape, vocabulary.tokens.length, { weightType, weightScale }))
        writer.addTensor({
            name: spec.name,
            shape: spec.shape,
            type: spec.type,
            fill: seededUniformFill(seed, spec.name, spec.center, spec.standardDeviation)
        });
    return writer;
}

/**
 * Writes a Gemma 1 architecture GGUF with seeded random weights and the given vocabulary, which
 * llama.cpp loads and tokenizes like a converted Gemma model. The tensors are generated chunk by
 * chunk as they are written: no tensor, let alone the file, is ever held in memory.
 */
export function writeGemmaModel(
    options: WriteGemmaModelOptions,
    vocabulary: GemmaVocabulary,
    onProgress?: (writtenBytes: number, totalBytes: number) => void
): Promise<WrittenTestModel> {
    return writeGgufAtomically(planGemmaModel(options, vocabulary), options.outPath, onProgress);
}
