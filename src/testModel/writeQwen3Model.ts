import { GgufWriter } from "../gguf/GgufWriter.js";
import type { BpeVocabulary } from "./BpeVocabulary.js";
import { testModelWeightTypes, type TestModelWeightType } from "./commonMetadata.js";
import { planQwen3Tensors } from "./planQwen3Tensors.js";
import type { Qwen3Shape } from "./Qwen3Shape.js";
import { seededTensorFill } from "./seededTensorFill.js";
import { setQwen3Metadata } from "./setQwen3Metadata.js";
import { writeGgufAtomically, type WrittenTestModel } from "./writeGgufAtomically.js";

export type Qwen3ModelOptions = {
    readonly outPath: string;
    readonly shape: Qwen3Shape;
    /** general.name: a name with "Qwen3-Reranker" in it makes the library pick the qwen3-reranker profile. */
    readonly name: string;
    /** Recorded in the file's llm_rerank.test_model.preset key. */
    readonly preset: string;
    /** Any uint32; the same seed (and options) always produce a byte-identical file. */
    readonly seed: number;
    readonly weightType: TestModelWeightType;
    /** Add convert_hf_to_gguf.py's Qwen3-Reranker keys: rank pooling, the yes/no labels, cls.output.weight, the rerank template. */
    readonly rerankHead: boolean;
    /** "matching": cls.output's rows are token_embd's rows of "yes" and "no" (a tied model); "swapped" or "untied": see writeQwen3TestModel. */
    readonly rerankHeadRows?: "matching" | "swapped" | "untied";
};

/**
 * The GgufWriter of a Qwen3 model with seeded random weights over `vocabulary` (the real Qwen3
 * vocabulary in tests, a synthetic one for the bench), planned but not written: its size is known
 * without generating a weight.
 */
export function planQwen3Model(options: Qwen3ModelOptions, vocabulary: BpeVocabulary): GgufWriter {
    const { seed, weightType, rerankHead } = options;
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new RangeError(`seed must be an integer in [0, 2^32), got ${seed}`);
    if (!testModelWeightTypes.includes(weightType))
        throw new RangeError(`weightType must be one of ${testModelWeightTypes.join(", ")}, got "${String(weightType)}"`);
    const writer = new GgufWriter();
    setQwen3Metadata(writer, options.shape, vocabulary, { name: options.name, seed, weightType, rerankHead, preset: options.preset });
    const yes = requireToken(vocabulary.tokens, "yes");
    const no = requireToken(vocabulary.tokens, "no");
    const rows = options.rerankHeadRows ?? "matching";
    const rerankRows = rerankHead ? (rows === "swapped" ? ([no, yes] as const) : ([yes, no] as const)) : undefined;
    const specs = planQwen3Tensors(options.shape, { weightType, vocabularySize: vocabulary.tokens.length, rerankRows, untiedHead: rows === "untied" });
    for (const spec of specs) writer.addTensor({ name: spec.name, shape: spec.shape, type: spec.type, fill: seededTensorFill(seed, spec, specs) });
    return writer;
}

/** Writes planQwen3Model's file, to a ".partial" file renamed into place when whole. */
export function writeQwen3Model(
    options: Qwen3ModelOptions,
    vocabulary: BpeVocabulary,
    onProgress?: (writtenBytes: number, totalBytes: number) => void
): Promise<WrittenTestModel> {
    return writeGgufAtomically(planQwen3Model(options, vocabulary), options.outPath, onProgress);
}

/** The converter's convert_tokens_to_ids: the id of the vocabulary entry spelled exactly so. */
function requireToken(tokens: readonly string[], text: string): number {
    const id = tokens.indexOf(text);
    if (id < 0) throw new Error(`The Qwen3 vocabulary has no "${text}" token`);
    return id;
}
