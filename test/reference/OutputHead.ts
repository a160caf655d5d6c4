import type { CheckedTensors } from "./CheckedTensors.js";
import type { GgufFile } from "./GgufFile.js";
import type { TransformerConfig } from "./TransformerConfig.js";
import { dot, rmsNorm } from "./transformerMath.js";

/**
 * The final RMSNorm and the output projection of a decoder-only model. The projection is
 * output.weight when the file has one, else token_embd (tied, as in Gemma and Qwen3-0.6B); its rows
 * are read one at a time, so the 256000-row Gemma vocabulary is never widened to float64 at once.
 */
export class OutputHead {
    private constructor(
        private readonly gguf: GgufFile,
        private readonly config: TransformerConfig,
        private readonly norm: Float64Array,
        private readonly projectionName: string
    ) {}

    static load(gguf: GgufFile, tensors: CheckedTensors, config: TransformerConfig): OutputHead {
        const { nEmbd, nVocab } = config;
        const projectionName = gguf.hasTensor("output.weight") ? "output.weight" : "token_embd.weight";
        // token_embd is checked here for the embedding lookup too, which reads it row by row.
        tensors.checkDims("token_embd.weight", [nEmbd, nVocab]);
        if (projectionName === "output.weight") tensors.checkDims("output.weight", [nEmbd, nVocab]);
        return new OutputHead(gguf, config, tensors.load("output_norm.weight", [nEmbd]), projectionName);
    }

    /** Final-norm hidden states of positions firstOut..n-1 (rows of n_embd in `hidden`). */
    normalize(hidden: Float64Array, n: number, firstOut: number): Float64Array {
        const { nEmbd, rmsEps } = this.config;
        const out = new Float64Array((n - firstOut) * nEmbd);
        for (let t = firstOut; t < n; t++) {
            rmsNorm(hidden, t * nEmbd, nEmbd, this.norm, rmsEps, out, (t - firstOut) * nEmbd);
        }
        return out;
    }

    /** Logits of the requested vocab ids for one final-norm hidden state. */
    logits(hidden: Float64Array, tokenIds: number[]): number[] {
        const row = new Float64Array(this.config.nEmbd);
        return tokenIds.map((id) => dot(this.gguf.readRow(this.projectionName, id, row), hidden));
    }

    /** Logits of the whole vocabulary for one final-norm hidden state. */
    allLogits(hidden: Float64Array): Float64Array {
        const logits = new Float64Array(this.config.nVocab);
        const row = new Float64Array(this.config.nEmbd);
        for (let id = 0; id < logits.length; id++) logits[id] = dot(this.gguf.readRow(this.projectionName, id, row), hidden);
        return logits;
    }
}
