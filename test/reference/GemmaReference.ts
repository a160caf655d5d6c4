import { CheckedTensors } from "./CheckedTensors.js";
import { addGatedFeedForward, addSelfAttention, embedTokens, loadDecoderLayerWeights, runLayers, type DecoderLayerWeights } from "./decoderBlocks.js";
import { GgufFile } from "./GgufFile.js";
import { OutputHead } from "./OutputHead.js";
import { TransformerConfig } from "./TransformerConfig.js";
import { applyNeoxRope, ropeInverseFrequencies } from "./transformerMath.js";

/** Gemma-1 has exactly the layer weights every decoder here has: no biases, no QK-norm. */
export type GemmaLayerWeights = DecoderLayerWeights;

/**
 * Float64 Gemma-1 forward pass written from the model's definition (HF
 * modeling_gemma semantics), sharing no code with llama.cpp, so tests can hold
 * llama.cpp's logits against it. What is Gemma's own: embeddings scaled by
 * sqrt(n_embd), plain NEOX RoPE on queries and keys, and a GeGLU (tanh-GELU) MLP.
 */
export class GemmaReference {
    readonly config: TransformerConfig;
    private readonly layers: GemmaLayerWeights[] = [];
    /** Tied to token_embd unless the file carries its own output matrix. */
    private readonly head: OutputHead;
    private readonly inverseFrequencies: Float64Array;

    static open(path: string): GemmaReference {
        return new GemmaReference(GgufFile.open(path));
    }

    constructor(readonly gguf: GgufFile) {
        const config = TransformerConfig.fromGguf(gguf, "gemma");
        this.config = config;
        const tensors = new CheckedTensors(gguf);
        this.head = OutputHead.load(gguf, tensors, config);
        for (let l = 0; l < config.nLayer; l++) this.layers.push(loadDecoderLayerWeights(tensors, l, config));
        tensors.rejectUnused("Gemma");
        this.inverseFrequencies = ropeInverseFrequencies(config.headDim, config.ropeBase);
    }

    /**
     * Adds delta (same ggml layout: n_out rows of n_in values) to one layer weight — how a merged
     * LoRA adapter changes the model.
     */
    addToLayerWeight(layer: number, weight: keyof GemmaLayerWeights, delta: Float64Array): void {
        const target = this.layers[layer]?.[weight];
        if (!target || target.length !== delta.length) throw new Error(`cannot add ${delta.length} values to blk.${layer} ${weight}`);
        for (let i = 0; i < target.length; i++) target[i] += delta[i]!;
    }

    /** Logits of the requested vocab ids at the last position. */
    lastLogits(tokens: number[], tokenIds: number[]): number[] {
        return this.head.logits(this.lastHidden(tokens), tokenIds);
    }

    /** Logits of the whole vocabulary at the last position. */
    allLastLogits(tokens: number[]): Float64Array {
        return this.head.allLogits(this.lastHidden(tokens));
    }

    /** The final-norm hidden state at the last position, i.e. what the output matrix is applied to. */
    lastHidden(tokens: number[]): Float64Array {
        return this.forward(tokens, true);
    }

    /**
     * Final-norm hidden states of every position (n rows of n_embd). Slower than
     * lastHidden; exists so tests can check that position t ignores later tokens.
     */
    allHidden(tokens: number[]): Float64Array {
        return this.forward(tokens, false);
    }

    private forward(tokens: number[], onlyLast: boolean): Float64Array {
        const n = tokens.length;
        const hidden = embedTokens(this.gguf, tokens, this.config);
        // Gemma multiplies the embeddings by sqrt(n_embd) (HF's "normalizer").
        const embedScale = Math.sqrt(this.config.nEmbd);
        for (let i = 0; i < hidden.length; i++) hidden[i] *= embedScale;
        runLayers(this.layers, n, onlyLast, (w, firstOutput) => this.runLayer(w, hidden, n, firstOutput));
        return this.head.normalize(hidden, n, onlyLast ? n - 1 : 0);
    }

    private runLayer(w: GemmaLayerWeights, hidden: Float64Array, n: number, firstOutput: number): void {
        const { headDim } = this.config;
        addSelfAttention(w, hidden, n, firstOutput, this.config, (vector, offset, position) =>
            applyNeoxRope(vector, offset, headDim, position, this.inverseFrequencies)
        );
        addGatedFeedForward(w, hidden, n, firstOutput, this.config, geluTanh);
    }
}

/** tanh approximation of GELU, which is what Gemma's `gelu_pytorch_tanh` activation means. */
export function geluTanh(x: number): number {
    return 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
}
