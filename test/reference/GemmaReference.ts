import { GemmaConfig } from "./GemmaConfig.js";
import { GgufFile } from "./GgufFile.js";
import {
    applyNeoxRope, geluTanh, kvHeadForQueryHead, matMulRows, rmsNorm, ropeInverseFrequencies, softmaxInPlace,
} from "./gemmaMath.js";

export interface GemmaLayerWeights {
    attnNorm: Float64Array;
    q: Float64Array;
    k: Float64Array;
    v: Float64Array;
    attnOutput: Float64Array;
    ffnNorm: Float64Array;
    gate: Float64Array;
    up: Float64Array;
    down: Float64Array;
}

/**
 * Float64 Gemma-1 forward pass written from the model's definition (HF
 * modeling_gemma semantics), sharing no code with llama.cpp, so tests can hold
 * llama.cpp's logits against it.
 */
export class GemmaReference {
    readonly config: GemmaConfig;
    private readonly layers: GemmaLayerWeights[] = [];
    private readonly outputNorm: Float64Array;
    /** Tied to token_embd unless the file carries its own output matrix. */
    private readonly outputTensorName: string;
    private readonly inverseFrequencies: Float64Array;

    static open(path: string): GemmaReference {
        return new GemmaReference(GgufFile.open(path));
    }

    constructor(readonly gguf: GgufFile) {
        const config = GemmaConfig.fromGguf(gguf);
        this.config = config;
        const { nEmbd, nHead, nHeadKv, headDim, valueDim, nFf, nVocab } = config;
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
        this.outputNorm = load("output_norm.weight", [nEmbd]);
        for (let l = 0; l < config.nLayer; l++) {
            const name = (suffix: string) => `blk.${l}.${suffix}.weight`;
            this.layers.push({
                attnNorm: load(name("attn_norm"), [nEmbd]),
                q: load(name("attn_q"), [nEmbd, nHead * headDim]),
                k: load(name("attn_k"), [nEmbd, nHeadKv * headDim]),
                v: load(name("attn_v"), [nEmbd, nHeadKv * valueDim]),
                attnOutput: load(name("attn_output"), [nHead * valueDim, nEmbd]),
                ffnNorm: load(name("ffn_norm"), [nEmbd]),
                gate: load(name("ffn_gate"), [nEmbd, nFf]),
                up: load(name("ffn_up"), [nEmbd, nFf]),
                down: load(name("ffn_down"), [nFf, nEmbd]),
            });
        }
        // A tensor we do not use (a bias, a fused QKV, rope factors) would mean the file is a
        // different model than the one written here, and the reference would silently be wrong.
        const unused = [...gguf.tensors.keys()].filter((name) => !expected.has(name));
        if (unused.length > 0) throw new Error(`GGUF has tensors the Gemma reference does not model: ${unused.join(", ")}`);
        this.inverseFrequencies = ropeInverseFrequencies(headDim, config.ropeBase);
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
        const hidden = this.lastHidden(tokens);
        const row = new Float64Array(this.config.nEmbd);
        return tokenIds.map((id) => dot(this.gguf.readRow(this.outputTensorName, id, row), hidden));
    }

    /** Logits of the whole vocabulary at the last position. */
    allLastLogits(tokens: number[]): Float64Array {
        const hidden = this.lastHidden(tokens);
        const logits = new Float64Array(this.config.nVocab);
        const row = new Float64Array(this.config.nEmbd);
        for (let id = 0; id < logits.length; id++) logits[id] = dot(this.gguf.readRow(this.outputTensorName, id, row), hidden);
        return logits;
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
        const { nEmbd, nLayer, nVocab } = this.config;
        const n = tokens.length;
        if (n === 0) throw new Error("need at least one token");
        const hidden = new Float64Array(n * nEmbd);
        const embedScale = Math.sqrt(nEmbd);
        const row = new Float64Array(nEmbd);
        for (let t = 0; t < n; t++) {
            const id = tokens[t];
            if (!Number.isInteger(id) || id < 0 || id >= nVocab) throw new Error(`token id ${id} outside vocab of ${nVocab}`);
            this.gguf.readRow("token_embd.weight", id, row);
            for (let i = 0; i < nEmbd; i++) hidden[t * nEmbd + i] = row[i] * embedScale;
        }
        for (let l = 0; l < nLayer; l++) {
            // When only the last position is wanted, the last layer's residual updates are
            // computed for that position alone (its keys and values still cover all positions).
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

    private runLayer(w: GemmaLayerWeights, hidden: Float64Array, n: number, firstOutput: number): void {
        const { nEmbd, nHead, nHeadKv, headDim, valueDim, nFf, rmsEps } = this.config;
        const outputs = n - firstOutput;
        const qWidth = nHead * headDim;
        const kWidth = nHeadKv * headDim;
        const vWidth = nHeadKv * valueDim;
        const attnWidth = nHead * valueDim;

        const normed = new Float64Array(n * nEmbd);
        for (let t = 0; t < n; t++) rmsNorm(hidden, t * nEmbd, nEmbd, w.attnNorm, rmsEps, normed, t * nEmbd);
        const q = new Float64Array(n * qWidth);
        const k = new Float64Array(n * kWidth);
        const v = new Float64Array(n * vWidth);
        matMulRows(w.q, nEmbd, qWidth, normed, nEmbd, firstOutput, outputs, q, qWidth);
        matMulRows(w.k, nEmbd, kWidth, normed, nEmbd, 0, n, k, kWidth);
        matMulRows(w.v, nEmbd, vWidth, normed, nEmbd, 0, n, v, vWidth);
        for (let t = 0; t < n; t++) {
            for (let h = 0; h < nHeadKv; h++) applyNeoxRope(k, t * kWidth + h * headDim, headDim, t, this.inverseFrequencies);
            if (t < firstOutput) continue;
            for (let h = 0; h < nHead; h++) applyNeoxRope(q, t * qWidth + h * headDim, headDim, t, this.inverseFrequencies);
        }

        const attn = new Float64Array(n * attnWidth);
        const scores = new Float64Array(n);
        const scale = 1 / Math.sqrt(headDim);
        for (let t = firstOutput; t < n; t++) {
            for (let h = 0; h < nHead; h++) {
                const kvHead = kvHeadForQueryHead(h, nHead, nHeadKv);
                const qo = t * qWidth + h * headDim;
                // Causal: position t attends to positions 0..t only.
                for (let s = 0; s <= t; s++) {
                    const ko = s * kWidth + kvHead * headDim;
                    let dotQk = 0;
                    for (let i = 0; i < headDim; i++) dotQk += q[qo + i] * k[ko + i];
                    scores[s] = dotQk * scale;
                }
                softmaxInPlace(scores, t + 1);
                const ao = t * attnWidth + h * valueDim;
                for (let s = 0; s <= t; s++) {
                    const p = scores[s];
                    const vo = s * vWidth + kvHead * valueDim;
                    for (let i = 0; i < valueDim; i++) attn[ao + i] += p * v[vo + i];
                }
            }
        }
        const projected = new Float64Array(n * nEmbd);
        matMulRows(w.attnOutput, attnWidth, nEmbd, attn, attnWidth, firstOutput, outputs, projected, nEmbd);
        for (let i = firstOutput * nEmbd; i < n * nEmbd; i++) hidden[i] += projected[i];

        for (let t = firstOutput; t < n; t++) rmsNorm(hidden, t * nEmbd, nEmbd, w.ffnNorm, rmsEps, normed, t * nEmbd);
        const gate = new Float64Array(n * nFf);
        const up = new Float64Array(n * nFf);
        matMulRows(w.gate, nEmbd, nFf, normed, nEmbd, firstOutput, outputs, gate, nFf);
        matMulRows(w.up, nEmbd, nFf, normed, nEmbd, firstOutput, outputs, up, nFf);
        for (let i = firstOutput * nFf; i < n * nFf; i++) gate[i] = geluTanh(gate[i]) * up[i];
        matMulRows(w.down, nFf, nEmbd, gate, nFf, firstOutput, outputs, projected, nEmbd);
        for (let i = firstOutput * nEmbd; i < n * nEmbd; i++) hidden[i] += projected[i];
    }
}

function dot(a: Float64Array, b: Float64Array): number {
    let sum = 0;
    for (let i = 0; i < b.length; i++) sum += a[i] * b[i];
    return sum;
}
