import { embedTokens, runLayers, type DecoderLayerWeights } from "./decoderBlocks.js";
import type { GgufFile } from "./GgufFile.js";
import type { OutputHead } from "./OutputHead.js";
import type { TransformerConfig } from "./TransformerConfig.js";
import { ropeInverseFrequencies } from "./transformerMath.js";

/**
 * What the float64 Qwen references share: unscaled embeddings, the layers in order, the final norm
 * and the output head, RoPE frequencies over the whole head. A subclass loads its layers' weights
 * and computes one layer (runLayer); its attention's extras (Qwen2's biases, Qwen3's QK-norm) are its own.
 */
export abstract class RopeDecoderReference<W extends DecoderLayerWeights> {
    protected readonly layers: W[] = [];
    protected readonly inverseFrequencies: Float64Array;

    protected constructor(
        readonly gguf: GgufFile,
        readonly config: TransformerConfig,
        protected readonly head: OutputHead
    ) {
        this.inverseFrequencies = ropeInverseFrequencies(config.headDim, config.ropeBase);
    }

    /** Logits of the requested vocab ids at the last position. */
    lastLogits(tokens: number[], tokenIds: number[]): number[] {
        return this.head.logits(this.lastHidden(tokens), tokenIds);
    }

    /** The final-norm hidden state at the last position: what the output projection reads. */
    lastHidden(tokens: number[]): Float64Array {
        return this.forward(tokens, true);
    }

    /** Final-norm hidden states of every position (n rows of n_embd); lets tests check causality. */
    allHidden(tokens: number[]): Float64Array {
        return this.forward(tokens, false);
    }

    private forward(tokens: number[], onlyLast: boolean): Float64Array {
        const n = tokens.length;
        const hidden = embedTokens(this.gguf, tokens, this.config);
        runLayers(this.layers, n, onlyLast, (w, firstOutput) => this.runLayer(w, hidden, n, firstOutput));
        return this.head.normalize(hidden, n, onlyLast ? n - 1 : 0);
    }

    /** Adds one layer's attention and feed-forward to rows firstOutput.. of hidden. */
    protected abstract runLayer(w: W, hidden: Float64Array, n: number, firstOutput: number): void;
}
