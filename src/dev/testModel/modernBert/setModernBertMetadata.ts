import type { GgufWriter } from "../../../gguf/GgufWriter.js";
import { setGeneralMetadata, setTestModelProvenance, type TestModelWeightType } from "../../../testModel/commonMetadata.js";
import type { ModernBertVocabulary } from "./buildModernBertVocabulary.js";
import type { ModernBertShape } from "./ModernBertShape.js";

/**
 * The metadata convert_hf_to_gguf.py writes for ModernBertForSequenceClassification (conversion/
 * bert.py ModernBertModel over BertModel and TextModel), in its order: the classifier's one label
 * (config.json's id2label {"0": "LABEL_0"}), no pooling_type (no sentence-transformers pooling
 * config: the caller asks for rank pooling, which llama.cpp computes as a mean for modern-bert),
 * the sliding window and its pattern, both RoPE thetas, the FFN activation, and `_set_vocab_gpt2`
 * with pre-tokenizer "modern-bert" and BOS, EOS and SEP added.
 */
export function setModernBertMetadata(
    writer: GgufWriter,
    shape: ModernBertShape,
    vocabulary: ModernBertVocabulary,
    description: {
        readonly name: string;
        readonly seed: number;
        readonly weightType: TestModelWeightType;
        /** config.json's hidden_activation ("gelu" for gte-reranker-modernbert-base). */
        readonly hiddenActivation: string;
        readonly labels: readonly string[];
    }
): void {
    const arch = "modern-bert";
    setGeneralMetadata(writer, { architecture: arch, name: description.name, weightType: description.weightType });
    writer
        .setUint32(`${arch}.context_length`, shape.contextLength)
        .setUint32(`${arch}.embedding_length`, shape.embeddingLength)
        .setUint32(`${arch}.feed_forward_length`, shape.feedForwardLength)
        .setUint32(`${arch}.attention.head_count`, shape.headCount)
        .setFloat32(`${arch}.rope.freq_base`, shape.ropeFreqBase)
        .setFloat32(`${arch}.rope.freq_base_swa`, shape.ropeFreqBaseSwa)
        .setFloat32(`${arch}.attention.layer_norm_rms_epsilon`, shape.layerNormEpsilon)
        .setFloat32(`${arch}.attention.layer_norm_epsilon`, shape.layerNormEpsilon)
        .setUint32(`${arch}.block_count`, shape.blockCount)
        .setBool(`${arch}.attention.causal`, false);
    if (description.labels.length > 0) writer.setStringArray(`${arch}.classifier.output_labels`, description.labels);
    writer
        .setUint32(`${arch}.attention.sliding_window`, shape.slidingWindow)
        .setUint32(`${arch}.attention.sliding_window_pattern`, shape.slidingWindowPattern)
        .setString(`${arch}.rope.scaling.type`, "none")
        .setUint32(`${arch}.vocab_size`, vocabulary.tokens.length)
        .setString(`${arch}.hidden_activation`, description.hiddenActivation)
        .setBool("tokenizer.ggml.add_bos_token", true)
        .setBool("tokenizer.ggml.add_eos_token", true)
        .setBool("tokenizer.ggml.add_sep_token", true)
        .setString("tokenizer.ggml.model", "gpt2")
        .setString("tokenizer.ggml.pre", "modern-bert")
        .setStringArray("tokenizer.ggml.tokens", vocabulary.tokens)
        .setInt32Array("tokenizer.ggml.token_type", vocabulary.tokenTypes)
        .setStringArray("tokenizer.ggml.merges", vocabulary.merges)
        .setUint32("tokenizer.ggml.bos_token_id", vocabulary.clsTokenId)
        .setUint32("tokenizer.ggml.eos_token_id", vocabulary.sepTokenId)
        .setUint32("tokenizer.ggml.unknown_token_id", vocabulary.unknownTokenId)
        .setUint32("tokenizer.ggml.seperator_token_id", vocabulary.sepTokenId)
        .setUint32("tokenizer.ggml.padding_token_id", vocabulary.paddingTokenId)
        .setUint32("tokenizer.ggml.cls_token_id", vocabulary.clsTokenId)
        .setUint32("tokenizer.ggml.mask_token_id", vocabulary.maskTokenId);
    setTestModelProvenance(writer, { preset: "modern-bert-tiny", seed: description.seed, weightType: description.weightType });
}
