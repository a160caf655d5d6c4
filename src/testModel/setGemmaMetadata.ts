import type { GgufWriter } from "../gguf/GgufWriter.js";
import { setGeneralMetadata, setTestModelProvenance, type TestModelWeightType } from "./commonMetadata.js";
import type { GemmaVocabulary } from "./GemmaVocabulary.js";
import type { GemmaShape, TestModelPresetName } from "./TestModelPreset.js";

export type TestModelDescription = {
    readonly preset: TestModelPresetName;
    readonly seed: number;
    readonly weightType: TestModelWeightType;
    readonly weightScale: number;
};

/**
 * The metadata convert_hf_to_gguf.py writes for a Gemma 1 model, plus how the test model was generated.
 * The hyperparameter keys follow the converter's Gemma order (GGUF keeps the order they are set in).
 */
export function setGemmaMetadata(writer: GgufWriter, shape: GemmaShape, vocabulary: GemmaVocabulary, description: TestModelDescription): void {
    setGeneralMetadata(writer, { architecture: "gemma", name: `llm-rerank test gemma ${description.preset}`, weightType: description.weightType });
    writer
        .setUint32("gemma.context_length", shape.contextLength)
        .setUint32("gemma.embedding_length", shape.embeddingLength)
        .setUint32("gemma.block_count", shape.blockCount)
        .setUint32("gemma.feed_forward_length", shape.feedForwardLength)
        .setUint32("gemma.attention.head_count", shape.headCount)
        .setUint32("gemma.attention.head_count_kv", shape.headCountKv)
        .setUint32("gemma.attention.key_length", shape.headDim)
        .setUint32("gemma.attention.value_length", shape.headDim)
        .setFloat32("gemma.attention.layer_norm_rms_epsilon", shape.rmsNormEpsilon)
        .setFloat32("gemma.rope.freq_base", shape.ropeFreqBase)
        .setString("tokenizer.ggml.model", "llama")
        .setString("tokenizer.ggml.pre", "default")
        .setStringArray("tokenizer.ggml.tokens", vocabulary.tokens)
        .setFloat32Array("tokenizer.ggml.scores", vocabulary.scores)
        .setInt32Array("tokenizer.ggml.token_type", vocabulary.tokenTypes)
        .setUint32("tokenizer.ggml.bos_token_id", vocabulary.bosTokenId)
        .setUint32("tokenizer.ggml.eos_token_id", vocabulary.eosTokenId)
        .setUint32("tokenizer.ggml.unknown_token_id", vocabulary.unknownTokenId)
        .setUint32("tokenizer.ggml.padding_token_id", vocabulary.paddingTokenId)
        .setUint32("tokenizer.ggml.eot_token_id", vocabulary.endOfTurnTokenId)
        .setBool("tokenizer.ggml.add_bos_token", vocabulary.addBosToken)
        .setBool("tokenizer.ggml.add_eos_token", vocabulary.addEosToken)
        // Gemma's tokenizer does not prepend a space to the text (convert_hf_to_gguf.py writes false too)
        .setBool("tokenizer.ggml.add_space_prefix", false);

    if (vocabulary.chatTemplate != null) writer.setString("tokenizer.chat_template", vocabulary.chatTemplate);

    setTestModelProvenance(writer, description);
    writer.setFloat32("llm_rerank.test_model.weight_scale", description.weightScale);
}
