import { GgufFile } from "../GgufFile.js";
import { applyNeoxRope, kvHeadForQueryHead, matMulRows, rmsNorm, ropeInverseFrequencies, softmaxInPlace } from "../gemmaMath.js";
import { Qwen3Config } from "./Qwen3Config.js";

interface Qwen3LayerWeights {
    attnNorm: Float64Array;
    q: Float64Array;
    k: Float64Array;
    v: Float64Array;
    qNorm: Float64Array;
    kNorm: Float64Array;
    attnOutput: Float64Array;
    ffnNorm: Float64Array;
    gate: Float64Array;
    up: Float64Array;
    down: Float64Array;
}

/**
 * Float64 Qwen3 forward pass written from the model's definition (HF modeling_qwen3): unscaled
 * embeddings; RMSNorm with the stored weight as is; per-head RMSNorm of queries and keys before
 * NEOX RoPE; grouped-query causal attention scaled by 1/sqrt(head_dim); SwiGLU MLP; final norm
 * and an output projection tied to token_embd unless the file has output.weight. It shares no
 * code with llama.cpp, so tests can hold llama.cpp's logits against it.
 */
export class Qwen3Reference {
    readonly config: Qwen3Config;
    private readonly layers: Qwen3LayerWeights[] = [];
    private readonly outputNorm: Float64Array;
    private readonly outputTensorName: string;
    private readonly inverseFrequencies: Float64Array;

    static open(path: string): Qwen3Reference {
        return new Qwen3Reference(GgufFile.open(path));
    }

    constructor(readonly gguf: GgufFile) {
        const config = Qwen3Config.fromGguf(gguf);
        this.config = config;
        const { nEmbd, nHead, nHeadKv, headDim, nFf, nVocab } = config;
        this.outputTensorName = gguf.hasTensor("output.weight") ? "output.weight" : "token_embd.weight";

        const expected = new Set<string>();
        const checkDims = (name: string, dims: number[]) => {
            expected.add(name);
            const actual = gguf.tensor(name).dims;
            if (actual.join() !== dims.join()) throw new Error(`tensor ${name} has dims [${actual}], expected [${dims}]`);
        };
        const load = (name: string, dims: number[]): Float64Array => {
            checkDims(name, dims);
            return gguf.tensorFloat64(name);
        };
        checkDims("token_embd.weight", [nEmbd, nVocab]);
        if (this.outputTensorName === "output.weight") checkDims("output.weight", [nEmbd, nVocab]);
        // The converter's Qwen3-Reranker head: llama.cpp applies it only when pooling embeddings,
        // never to the logits this reference computes. Its shape is still checked.
        if (gguf.hasTensor("cls.output.weight")) checkDims("cls.output.weight", [nEmbd, gguf.tensor("cls.output.weight").dims[1]]);
        this.outputNorm = load("output_norm.weight", [nEmbd]);
        for (let l = 0; l < config.nLayer; l++) {
            const name = (suffix: string) => `blk.${l}.${suffix}.weight`;
            this.layers.push({
                attnNorm: load(name("attn_norm"), [nEmbd]),
                q: load(name("attn_q"), [nEmbd, nHead * headDim]),
                k: load(name("attn_k"), [nEmbd, nHeadKv * headDim]),
                v: load(name("attn_v"), [nEmbd, nHeadKv * headDim]),
                qNorm: load(name("attn_q_norm"), [headDim]),
                kNorm: load(name("attn_k_norm"), [headDim]),
                attnOutput: load(name("attn_output"), [nHead * headDim, nEmbd]),
                ffnNorm: load(name("ffn_norm"), [nEmbd]),
                gate: load(name("ffn_gate"), [nEmbd, nFf]),
                up: load(name("ffn_up"), [nEmbd, nFf]),
                down: load(name("ffn_down"), [nFf, nEmbd]),
            });
        }
        // A tensor not modelled here (a bias, a fused QKV, rope factors) would mean another model
        // than the one computed, and the reference would be silently wrong.
        const unused = [...gguf.tensors.keys()].filter((name) => !expected.has(name));
        if (unused.length > 0) throw new Error(`GGUF has tensors the Qwen3 reference does not model: ${unused.join(", ")}`);
        this.inverseFrequencies = ropeInverseFrequencies(headDim, config.ropeBase);
    }

    /** Logits of the requested vocab ids at the last position. */
    lastLogits(tokens: number[], tokenIds: number[]): number[] {
        const hidden = this.lastHidden(tokens);
        const row = new Float64Array(this.config.nEmbd);
        return tokenIds.map((id) => dot(this.gguf.readRow(this.outputTensorName, id, row), hidden));
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
        const { nEmbd, nLayer, nVocab } = this.config;
        const n = tokens.length;
        if (n === 0) throw new Error("need at least one token");
        const hidden = new Float64Array(n * nEmbd);
        for (let t = 0; t < n; t++) {
            const id = tokens[t];
            if (!Number.isInteger(id) || id < 0 || id >= nVocab) throw new Error(`token id ${id} outside vocab of ${nVocab}`);
            this.gguf.readRow("token_embd.weight", id, hidden.subarray(t * nEmbd, (t + 1) * nEmbd));
        }
        for (let l = 0; l < nLayer; l++) {
            // With only the last position wanted, the last layer updates that position alone;
            // its keys and values still cover every position.
            const firstOutput = onlyLast && l === nLayer - 1 ? n - 1 : 0;
            this.runLayer(this.layers[l], hidden, n, firstOutput);
        }
        const firstOut = onlyLast ? n - 1 : 0;
        const out = new Float64Array((n - firstOut) * nEmbd);
        for (let t = firstOut; t < n; t++) {
            rmsNorm(hidden, t * nEmbd, nEmbd, this.outputNorm, this.config.rmsEps, out, (t - firstOut) * nEmbd);
        }
        return out;
    }

    private runLayer(w: Qwen3LayerWeights, hidden: Float64Array, n: number, firstOutput: number): void {
        const { nEmbd, nHead, nHeadKv, headDim, nFf, rmsEps } = this.config;
        const outputs = n - firstOutput;
        const qWidth = nHead * headDim;
        const kvWidth = nHeadKv * headDim;

        const normed = new Float64Array(n * nEmbd);
        for (let t = 0; t < n; t++) rmsNorm(hidden, t * nEmbd, nEmbd, w.attnNorm, rmsEps, normed, t * nEmbd);
        const q = new Float64Array(n * qWidth);
        const k = new Float64Array(n * kvWidth);
        const v = new Float64Array(n * kvWidth);
        matMulRows(w.q, nEmbd, qWidth, normed, nEmbd, firstOutput, outputs, q, qWidth);
        matMulRows(w.k, nEmbd, kvWidth, normed, nEmbd, 0, n, k, kvWidth);
        matMulRows(w.v, nEmbd, kvWidth, normed, nEmbd, 0, n, v, kvWidth);
        // Qwen3's QK-norm: every query and key head is RMS-normalized on its own, then rotated.
        for (let t = 0; t < n; t++) {
            for (let h = 0; h < nHeadKv; h++) {
                const at = t * kvWidth + h * headDim;
                rmsNorm(k, at, headDim, w.kNorm, rmsEps, k, at);
                applyNeoxRope(k, at, headDim, t, this.inverseFrequencies);
            }
            if (t < firstOutput) continue;
            for (let h = 0; h < nHead; h++) {
                const at = t * qWidth + h * headDim;
                rmsNorm(q, at, headDim, w.qNorm, rmsEps, q, at);
                applyNeoxRope(q, at, headDim, t, this.inverseFrequencies);
            }
        }

        const attn = new Float64Array(n * qWidth);
        const scores = new Float64Array(n);
        const scale = 1 / Math.sqrt(headDim);
        for (let t = firstOutput; t < n; t++) {
            for (let h = 0; h < nHead; h++) {
                const kvHead = kvHeadForQueryHead(h, nHead, nHeadKv);
                const qo = t * qWidth + h * headDim;
                // Causal: position t attends to positions 0..t only.
                for (let s = 0; s <= t; s++) {
                    const ko = s * kvWidth + kvHead * headDim;
                    let dotQk = 0;
                    for (let i = 0; i < headDim; i++) dotQk += q[qo + i] * k[ko + i];
                    scores[s] = dotQk * scale;
                }
                softmaxInPlace(scores, t + 1);
                for (let s = 0; s <= t; s++) {
                    const p = scores[s];
                    const vo = s * kvWidth + kvHead * headDim;
                    for (let i = 0; i < headDim; i++) attn[qo + i] += p * v[vo + i];
                }
            }
        }
        const projected = new Float64Array(n * nEmbd);
        matMulRows(w.attnOutput, qWidth, nEmbd, attn, qWidth, firstOutput, outputs, projected, nEmbd);
        for (let i = firstOutput * nEmbd; i < n * nEmbd; i++) hidden[i] += projected[i];

        for (let t = firstOutput; t < n; t++) rmsNorm(hidden, t * nEmbd, nEmbd, w.ffnNorm, rmsEps, normed, t * nEmbd);
        const gate = new Float64Array(n * nFf);
        const up = new Float64Array(n * nFf);
        matMulRows(w.gate, nEmbd, nFf, normed, nEmbd, firstOutput, outputs, gate, nFf);
        matMulRows(w.up, nEmbd, nFf, normed, nEmbd, firstOutput, outputs, up, nFf);
        for (let i = firstOutput * nFf; i < n * nFf; i++) gate[i] = silu(gate[i]) * up[i];
        matMulRows(w.down, nFf, nEmbd, gate, nFf, firstOutput, outputs, projected, nEmbd);
        for (let i = firstOutput * nEmbd; i < n * nEmbd; i++) hidden[i] += projected[i];
    }
}

/** x * sigmoid(x): the "silu" hidden_act of Qwen3's MLP. */
export function silu(x: number): number {
    return x / (1 + Math.exp(-x));
}

function dot(a: Float64Array, b: Float64Array): number {
    let sum = 0;
    for (let i = 0; i < b.length; i++) sum += a[i] * b[i];
    return sum;
}
