import type { GemmaLayerWeights, GemmaReference } from "./GemmaReference.js";
import { GgufFile } from "./GgufFile.js";

const weightByTensorName: Record<string, keyof GemmaLayerWeights> = {
    attn_q: "q",
    attn_k: "k",
    attn_v: "v",
    attn_output: "attnOutput",
    ffn_gate: "gate",
    ffn_up: "up",
    ffn_down: "down"
};

/**
 * Merges a LoRA adapter into the reference, from the adapter's definition: W' = W + s·B·A with
 * s = scale·alpha/rank, A = lora_a (rank rows of n_in), B = lora_b (n_out rows of rank).
 */
export function mergeLora(reference: GemmaReference, adapterPath: string, scale: number): void {
    const adapter = GgufFile.open(adapterPath);
    const alpha = adapter.number("adapter.lora.alpha", 0);
    for (const name of adapter.tensors.keys()) {
        const match = /^blk\.(\d+)\.(\w+)\.weight\.lora_a$/.exec(name);
        if (!match) continue;
        const weight = weightByTensorName[match[2]!];
        if (!weight) throw new Error(`the reference cannot merge a LoRA on ${name}`);
        const [inputs, rank] = adapter.tensor(name).dims as [number, number];
        const [, outputs] = adapter.tensor(name.replace(/lora_a$/, "lora_b")).dims as [number, number];
        const a = adapter.tensorFloat64(name);
        const b = adapter.tensorFloat64(name.replace(/lora_a$/, "lora_b"));
        const factor = alpha ? (scale * alpha) / rank : scale;
        const delta = new Float64Array(inputs * outputs);
        for (let row = 0; row < outputs; row++) {
            for (let k = 0; k < rank; k++) {
                const coefficient = factor * b[row * rank + k]!;
                for (let column = 0; column < inputs; column++) delta[row * inputs + column] += coefficient * a[k * inputs + column]!;
            }
        }
        reference.addToLayerWeight(Number(match[1]), weight, delta);
    }
}
