import { GgmlType, GgufWriter } from "../../src/gguf/index.js";

/**
 * A rank-4 LoRA adapter for the tiny model (n_embd 64, two layers) on attn_q and ffn_up, in the
 * layout llama.cpp's convert_lora_to_gguf writes: lora_a [n_in, rank], lora_b [rank, n_out].
 */
export async function writeTestLora(path: string, options: { embedding: number; feedForward: number; layers: number }): Promise<void> {
    const rank = 4;
    const writer = new GgufWriter()
        .setString("general.architecture", "gemma")
        .setString("general.type", "adapter")
        .setString("adapter.type", "lora")
        .setFloat32("adapter.lora.alpha", 8);
    const deterministic = (salt: number) => (chunk: Float32Array, first: number) => {
        for (let i = 0; i < chunk.length; i++) chunk[i] = 0.15 * Math.sin(1.7 * (first + i) + salt);
    };
    for (let layer = 0; layer < options.layers; layer++) {
        for (const [tensor, inputs, outputs] of [
            ["attn_q", options.embedding, options.embedding],
            ["ffn_up", options.embedding, options.feedForward]
        ] as const) {
            const base = `blk.${layer}.${tensor}.weight`;
            writer.addTensor({ name: `${base}.lora_a`, shape: [inputs, rank], type: GgmlType.F32, fill: deterministic(layer * 10 + 1) });
            writer.addTensor({ name: `${base}.lora_b`, shape: [rank, outputs], type: GgmlType.F32, fill: deterministic(layer * 10 + 2) });
        }
    }
    await writer.writeToFile(path);
}
