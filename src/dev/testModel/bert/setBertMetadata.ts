import type { GgufWriter } from "../../../gguf/GgufWriter.js";
import { setGeneralMetadata, setTestModelProvenance, type TestModelWeightType } from "../../../testModel/commonMetadata.js";
import type { BertShape } from "./BertShape.js";
import type { UnigramVocabulary } from "./UnigramVocabulary.js";

/**
 * The metadata convert_hf_to_gguf.py writes for XLMRobertaForSequenceClassification (BertModel's
 * set_gguf_parameters and XLMRobertaModel's sentencepiece vocabulary), in its order. Like the real
 * rerankers' files it has no bert.pooling_type (the caller asks for rank pooling) and no
 * classifier.output_labels (one label, llama.cpp's default n_cls_out). Unlike them it has no
 * precompiled_charsmap: without one, llama.cpp's UGM tokenizer applies no NFKC mapping.
 * addSpacePrefix false is what the converter's tokenizer.json branch writes for jina-reranker-v2
 * (add_space_prefix from transformers' fast tokenizer's add_prefix_space, False unless
 * tokenizer_config.json sets it); llama.cpp still prepends "▁" to every word run, the first
 * included, because remove_extra_whitespaces is true (llm_tokenizer_ugm_session::normalize).
 */
export function setBertMetadata(
    writer: GgufWriter,
    shape: BertShape,
    vocabulary: UnigramVocabulary,
    description: { readonly name: string; readonly preset: string; readonly seed: number; readonly weightType: TestModelWeightType },
    addSpacePrefix = true
): void {
    setGeneralMetadata(writer, { architecture: "bert", name: description.name, weightType: description.weightType });
    writer
        .setUint32("bert.block_count", shape.blockCount)
        .setUint32("bert.context_length", shape.contextLength)
        .setUint32("bert.embedding_length", shape.embeddingLength)
        .setUint32("bert.feed_forward_length", shape.feedForwardLength)
        .setUint32("bert.attention.head_count", shape.headCount)
        .setFloat32("bert.attention.layer_norm_epsilon", shape.layerNormEpsilon)
        .setBool("bert.attention.causal", false)
        .setString("tokenizer.ggml.model", "t5")
        .setString("tokenizer.ggml.pre", "default")
        .setStringArray("tokenizer.ggml.tokens", vocabulary.pieces)
        .setFloat32Array("tokenizer.ggml.scores", vocabulary.scores)
        .setInt32Array("tokenizer.ggml.token_type", vocabulary.tokenTypes)
        .setBool("tokenizer.ggml.add_space_prefix", addSpacePrefix)
        .setUint32("tokenizer.ggml.token_type_count", shape.tokenTypeCount)
        .setBool("tokenizer.ggml.remove_extra_whitespaces", true)
        .setUint32("tokenizer.ggml.bos_token_id", vocabulary.bosTokenId)
        .setUint32("tokenizer.ggml.eos_token_id", vocabulary.eosTokenId)
        .setUint32("tokenizer.ggml.unknown_token_id", vocabulary.unknownTokenId)
        .setUint32("tokenizer.ggml.seperator_token_id", vocabulary.eosTokenId)
        .setUint32("tokenizer.ggml.padding_token_id", vocabulary.paddingTokenId)
        .setUint32("tokenizer.ggml.cls_token_id", vocabulary.bosTokenId)
        .setUint32("tokenizer.ggml.mask_token_id", vocabulary.maskTokenId)
        .setBool("tokenizer.ggml.add_bos_token", true)
        .setBool("tokenizer.ggml.add_eos_token", true);
    setTestModelProvenance(writer, { preset: description.preset, seed: description.seed, weightType: description.weightType });
}
