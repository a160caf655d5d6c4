import type { GgufWriter } from "../gguf/GgufWriter.js";
import { setGeneralMetadata, setTestModelProvenance, type TestModelWeightType } from "./commonMetadata.js";
import type { BpeVocabulary } from "./BpeVocabulary.js";
import type { Qwen3Shape } from "./Qwen3Shape.js";
import { setQwenGpt2Vocabulary, setRopeDecoderHyperparameters } from "./ropeDecoderMetadata.js";

// gguf-py's PoolingType.RANK
const poolingTypeRank = 4;

/**
 * The template convert_hf_to_gguf.py stores for Qwen3-Reranker models, word for word (it hard-codes
 * the model card's default instruction). llama.cpp uses it only for rank pooling.
 */
const rerankChatTemplate =
    "<|im_start|>system\nJudge whether the Document meets the requirements based on the Query and the Instruct provided. " +
    'Note that the answer can only be "yes" or "no".<|im_end|>\n' +
    "<|im_start|>user\n<Instruct>: Given a web search query, retrieve relevant passages that answer the query\n" +
    "<Query>: {query}\n<Document>: {document}<|im_end|>\n" +
    "<|im_start|>assistant\n<think>\n\n</think>\n\n";

export type Qwen3ModelDescription = {
    readonly name: string;
    readonly seed: number;
    readonly weightType: TestModelWeightType;
    /** Whether the file carries the converter's Qwen3-Reranker keys (its cls.output.weight is planned elsewhere). */
    readonly rerankHead: boolean;
    /** The preset name recorded in the file's provenance keys. Default "qwen3-tiny". */
    readonly preset?: string;
};

/**
 * The metadata convert_hf_to_gguf.py writes for a Qwen3 model (TextModel.set_gguf_parameters,
 * `_set_vocab_gpt2`, and Qwen3Model's reranker additions), plus how the test model was generated.
 * The hyperparameter keys follow TextModel.set_gguf_parameters' order, not Gemma's: GGUF keeps the
 * order keys are set in, so each architecture writes its own list.
 */
export function setQwen3Metadata(writer: GgufWriter, shape: Qwen3Shape, vocabulary: BpeVocabulary, description: Qwen3ModelDescription): void {
    setGeneralMetadata(writer, { architecture: "qwen3", name: description.name, weightType: description.weightType });
    setRopeDecoderHyperparameters(writer, "qwen3", shape)
        // Qwen3's config.json sets head_dim, which need not be n_embd / n_head
        .setUint32("qwen3.attention.key_length", shape.headDim)
        .setUint32("qwen3.attention.value_length", shape.headDim);

    if (description.rerankHead)
        writer
            .setUint32("qwen3.pooling_type", poolingTypeRank)
            .setStringArray("qwen3.classifier.output_labels", ["yes", "no"])
            .setString("tokenizer.chat_template.rerank", rerankChatTemplate)
            .setStringArray("tokenizer.chat_templates", ["rerank"]);

    setQwenGpt2Vocabulary(writer, vocabulary);
    if (vocabulary.chatTemplate != null) writer.setString("tokenizer.chat_template", vocabulary.chatTemplate);

    setTestModelProvenance(writer, { preset: description.preset ?? "qwen3-tiny", seed: description.seed, weightType: description.weightType });
}
