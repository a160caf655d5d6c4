import type { GgufWriter } from "../gguf/GgufWriter.js";
import type { BpeVocabulary } from "./BpeVocabulary.js";
import type { TransformerShape } from "./TransformerShape.js";

/** TextModel.set_gguf_parameters' hyperparameters of a RoPE decoder (qwen2, qwen3), in its order. */
export function setRopeDecoderHyperparameters(writer: GgufWriter, architecture: string, shape: TransformerShape): GgufWriter {
    return writer
        .setUint32(`${architecture}.block_count`, shape.blockCount)
        .setUint32(`${architecture}.context_length`, shape.contextLength)
        .setUint32(`${architecture}.embedding_length`, shape.embeddingLength)
        .setUint32(`${architecture}.feed_forward_length`, shape.feedForwardLength)
        .setUint32(`${architecture}.attention.head_count`, shape.headCount)
        .setUint32(`${architecture}.attention.head_count_kv`, shape.headCountKv)
        .setFloat32(`${architecture}.rope.freq_base`, shape.ropeFreqBase)
        .setFloat32(`${architecture}.attention.layer_norm_rms_epsilon`, shape.rmsNormEpsilon);
}

/** What convert_hf_to_gguf.py's `_set_vocab_gpt2` writes for a Qwen tokenizer (pre-tokenizer "qwen2"). */
export function setQwenGpt2Vocabulary(writer: GgufWriter, vocabulary: BpeVocabulary): GgufWriter {
    return writer
        .setString("tokenizer.ggml.model", "gpt2")
        .setString("tokenizer.ggml.pre", "qwen2")
        .setStringArray("tokenizer.ggml.tokens", vocabulary.tokens)
        .setInt32Array("tokenizer.ggml.token_type", vocabulary.tokenTypes)
        .setStringArray("tokenizer.ggml.merges", vocabulary.merges)
        .setUint32("tokenizer.ggml.eos_token_id", vocabulary.eosTokenId)
        .setUint32("tokenizer.ggml.padding_token_id", vocabulary.paddingTokenId)
        .setUint32("tokenizer.ggml.bos_token_id", vocabulary.bosTokenId)
        .setBool("tokenizer.ggml.add_bos_token", vocabulary.addBosToken);
}
