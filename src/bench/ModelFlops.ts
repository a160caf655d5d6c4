import { readGgufFileInfo } from "node-llama-cpp";
import type { DecodeTally } from "./RecordingContext.js";

/**
 * FLOPs of a decoder-only transformer's forward pass, counted as llama.cpp executes it:
 * every evaluated token goes through each layer's attention projections and, except in the last
 * layer, its feed-forward network; only tokens whose logits are wanted (outputs) go through the
 * last layer's feed-forward network and the output matrix (llama.cpp drops the other rows before
 * them). Attention itself costs 2·n_head·(d_k + d_v) per key attended, counted causally
 * (position + 1 keys), not the masked cells llama.cpp also multiplies. Norms, RoPE and softmax
 * are left out: they are well under 1% here.
 */
export class ModelFlops {
    /** Per evaluated token: attention projections of all layers, FFN of all but the last. */
    readonly perToken: number;
    /** Per output row: the last layer's FFN and the output (vocabulary) matrix. */
    readonly perOutput: number;
    /** Per (token, attended key) pair, over all layers. */
    readonly perAttendedKey: number;
    /** Parameters outside the token embedding (and a tied output matrix): the usual "2·N" base. */
    readonly nonEmbeddingParameters: number;
    /** The last layer's FFN, per token: what a rank-pooling context (every token an output) adds per token. */
    readonly lastLayerFeedForward: number;

    private constructor(perToken: number, perOutput: number, perAttendedKey: number, nonEmbeddingParameters: number, lastLayerFeedForward: number) {
        this.lastLayerFeedForward = lastLayerFeedForward;
        this.perToken = perToken;
        this.perOutput = perOutput;
        this.perAttendedKey = perAttendedKey;
        this.nonEmbeddingParameters = nonEmbeddingParameters;
    }

    static async fromModelFile(path: string): Promise<ModelFlops> {
        const info = await readGgufFileInfo(path, {
            readTensorInfo: true,
            logWarnings: false,
            sourceType: "filesystem",
            ignoreKeys: ["tokenizer.ggml.tokens", "tokenizer.ggml.scores", "tokenizer.ggml.token_type", "tokenizer.ggml.merges"]
        });
        const metadata = info.metadata as unknown as Record<string, Record<string, unknown>>;
        const architecture = String(metadata.general?.architecture);
        const hyper = (metadata[architecture] ?? {}) as Record<string, unknown>;
        const attention = (hyper.attention ?? {}) as Record<string, unknown>;
        const layerCount = Number(hyper.block_count);
        const headCount = Number(attention.head_count);
        const embedding = Number(hyper.embedding_length);
        const keyLength = Number(attention.key_length ?? embedding / headCount);
        const valueLength = Number(attention.value_length ?? keyLength);

        const elements = new Map<string, number>();
        for (const tensor of info.tensorInfo ?? [])
            elements.set(
                tensor.name,
                tensor.dimensions.reduce<number>((product, dimension) => product * Number(dimension), 1)
            );
        const layerTensors = (layer: number, kinds: string[]) => kinds.reduce((total, kind) => total + (elements.get(`blk.${layer}.${kind}.weight`) ?? 0), 0);
        const attentionKinds = ["attn_q", "attn_k", "attn_v", "attn_qkv", "attn_output"];
        const ffnKinds = ["ffn_gate", "ffn_up", "ffn_down"];

        let perToken = 0;
        let nonEmbedding = 0;
        for (let layer = 0; layer < layerCount; layer++) {
            perToken += 2 * layerTensors(layer, attentionKinds);
            if (layer < layerCount - 1) perToken += 2 * layerTensors(layer, ffnKinds);
            nonEmbedding += layerTensors(layer, attentionKinds) + layerTensors(layer, ffnKinds);
        }
        const outputMatrix = elements.get("output.weight") ?? elements.get("token_embd.weight") ?? 0;
        const perOutput = 2 * layerTensors(layerCount - 1, ffnKinds) + 2 * outputMatrix;
        const perAttendedKey = layerCount * 2 * headCount * (keyLength + valueLength);
        return new ModelFlops(perToken, perOutput, perAttendedKey, nonEmbedding, 2 * layerTensors(layerCount - 1, ffnKinds));
    }

    readonly explanation =
        "FLOPs llama.cpp executes: 2 × the attention projections for every token, 2 × the FFN of all layers but the last for every token, " +
        "2 × (last layer's FFN + output matrix) for output tokens only (llama.cpp drops the other rows before them), plus causal attention " +
        "(2·n_head·(d_k + d_v) per attended key); the textbook 2·N·tokens figure is in the JSON as nominalGflopPerSecond.";

    /** What llama.cpp computed for the decodes in the tally. */
    executed(tally: DecodeTally): number {
        return tally.tokens * this.perToken + tally.outputs * this.perOutput + tally.attendedKeys * this.perAttendedKey;
    }

    /** The textbook figure: 2 · non-embedding parameters per token, plus causal attention. */
    nominal(tally: DecodeTally): number {
        return tally.tokens * 2 * this.nonEmbeddingParameters + tally.attendedKeys * this.perAttendedKey;
    }
}
