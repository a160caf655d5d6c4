import { GgmlType, GgufWriter } from "../../src/gguf/index.js";

export type MiniGemmaOptions = {
    architecture?: string;
    tokens?: string[];
    headCount?: number;
    /** Drop this tensor from the file. */
    omitTensor?: string;
    /** Leave out SentencePiece's 256 byte tokens <0x00>..<0xFF>, which every real Gemma vocabulary has. */
    omitByteTokens?: boolean;
};

const byteTokens = Array.from({ length: 256 }, (_, byte) => `<0x${byte.toString(16).toUpperCase().padStart(2, "0")}>`);

/**
 * A structurally complete but minute model (n_embd 8, one layer) for the error paths: each option
 * breaks one thing the library must catch before llama.cpp sees the file.
 */
export async function writeMiniGemma(path: string, options: MiniGemmaOptions = {}): Promise<void> {
    const architecture = options.architecture ?? "gemma";
    const tokens = [
        ...(options.tokens ?? ["<pad>", "<eos>", "<bos>", "<unk>", "Yes", "No", "A", ":", "▁", "\n"]),
        ...(options.omitByteTokens ? [] : byteTokens)
    ];
    const embedding = 8;
    const feedForward = 16;
    const writer = new GgufWriter()
        .setString("general.architecture", architecture)
        .setString("general.name", "mini")
        .setUint32(`${architecture}.context_length`, 256)
        .setUint32(`${architecture}.embedding_length`, embedding)
        .setUint32(`${architecture}.block_count`, 1)
        .setUint32(`${architecture}.feed_forward_length`, feedForward)
        .setUint32(`${architecture}.attention.head_count`, options.headCount ?? 2)
        .setUint32(`${architecture}.attention.head_count_kv`, 1)
        .setUint32(`${architecture}.attention.key_length`, 4)
        .setUint32(`${architecture}.attention.value_length`, 4)
        .setFloat32(`${architecture}.attention.layer_norm_rms_epsilon`, 1e-6)
        .setString("tokenizer.ggml.model", "llama")
        .setStringArray("tokenizer.ggml.tokens", tokens)
        .setFloat32Array(
            "tokenizer.ggml.scores",
            tokens.map((_, i) => -i)
        )
        .setInt32Array(
            "tokenizer.ggml.token_type",
            tokens.map((_, i) => (i < 4 ? 3 : 1))
        )
        .setUint32("tokenizer.ggml.bos_token_id", 2)
        .setUint32("tokenizer.ggml.eos_token_id", 1);
    const shapes: [string, number[]][] = [
        ["token_embd.weight", [embedding, tokens.length]],
        ["output_norm.weight", [embedding]],
        ["blk.0.attn_norm.weight", [embedding]],
        ["blk.0.attn_q.weight", [embedding, 8]],
        ["blk.0.attn_k.weight", [embedding, 4]],
        ["blk.0.attn_v.weight", [embedding, 4]],
        ["blk.0.attn_output.weight", [8, embedding]],
        ["blk.0.ffn_norm.weight", [embedding]],
        ["blk.0.ffn_gate.weight", [embedding, feedForward]],
        ["blk.0.ffn_up.weight", [embedding, feedForward]],
        ["blk.0.ffn_down.weight", [feedForward, embedding]]
    ];
    for (const [name, shape] of shapes) {
        if (name === options.omitTensor) continue;
        writer.addTensor({ name, shape, type: GgmlType.F32, fill: (chunk, first) => chunk.forEach((_, i) => (chunk[i] = Math.sin(first + i) * 0.1)) });
    }
    await writer.writeToFile(path);
}
