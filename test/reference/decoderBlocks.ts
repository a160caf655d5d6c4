/**
 * The blocks of the forward pass Gemma-1, Qwen2 and Qwen3 share: pre-norm residual layers of grouped-query
 * causal self-attention and a gated MLP. Activations are flat arrays with one row per position;
 * rows before `firstOutput` are read (as keys and values) but not updated.
 */
import type { CheckedTensors } from "./CheckedTensors.js";
import type { GgufFile } from "./GgufFile.js";
import type { TransformerConfig } from "./TransformerConfig.js";
import { attendCausally, matMulRows, rmsNorm } from "./transformerMath.js";

/** The weights of one layer that every architecture here has, named after their GGUF tensors. */
export interface DecoderLayerWeights {
    attnNorm: Float64Array;
    q: Float64Array;
    k: Float64Array;
    v: Float64Array;
    attnOutput: Float64Array;
    ffnNorm: Float64Array;
    gate: Float64Array;
    up: Float64Array;
    down: Float64Array;
    /** Qwen2's q_proj, k_proj and v_proj biases, added to each projection before RoPE. */
    qBias?: Float64Array;
    kBias?: Float64Array;
    vBias?: Float64Array;
}

/** Turns one projected query or key head, in place, into what attention compares (RoPE, perhaps after a norm). */
export type PrepareHead = (vector: Float64Array, offset: number, position: number, role: "query" | "key") => void;

export function loadDecoderLayerWeights(tensors: CheckedTensors, layer: number, config: TransformerConfig): DecoderLayerWeights {
    const { nEmbd, nHead, nHeadKv, headDim, valueDim, nFf } = config;
    const name = (suffix: string) => `blk.${layer}.${suffix}.weight`;
    return {
        attnNorm: tensors.load(name("attn_norm"), [nEmbd]),
        q: tensors.load(name("attn_q"), [nEmbd, nHead * headDim]),
        k: tensors.load(name("attn_k"), [nEmbd, nHeadKv * headDim]),
        v: tensors.load(name("attn_v"), [nEmbd, nHeadKv * valueDim]),
        attnOutput: tensors.load(name("attn_output"), [nHead * valueDim, nEmbd]),
        ffnNorm: tensors.load(name("ffn_norm"), [nEmbd]),
        gate: tensors.load(name("ffn_gate"), [nEmbd, nFf]),
        up: tensors.load(name("ffn_up"), [nEmbd, nFf]),
        down: tensors.load(name("ffn_down"), [nFf, nEmbd])
    };
}

/** The token_embd rows of `tokens` as stored (any embedding scale is the architecture's to apply). */
export function embedTokens(gguf: GgufFile, tokens: number[], config: TransformerConfig): Float64Array {
    const { nEmbd, nVocab } = config;
    const n = tokens.length;
    if (n === 0) throw new Error("need at least one token");
    const hidden = new Float64Array(n * nEmbd);
    for (let t = 0; t < n; t++) {
        const id = tokens[t];
        if (!Number.isInteger(id) || id < 0 || id >= nVocab) throw new Error(`token id ${id} outside vocab of ${nVocab}`);
        gguf.readRow("token_embd.weight", id, hidden.subarray(t * nEmbd, (t + 1) * nEmbd));
    }
    return hidden;
}

/** Runs `runLayer` on every layer in order, telling each from which position on its outputs are needed. */
export function runLayers<W>(layers: readonly W[], n: number, onlyLast: boolean, runLayer: (weights: W, firstOutput: number) => void): void {
    for (let l = 0; l < layers.length; l++) {
        // When only the last position is wanted, the last layer's residual updates are
        // computed for that position alone (its keys and values still cover all positions).
        runLayer(layers[l], onlyLast && l === layers.length - 1 ? n - 1 : 0);
    }
}

/** hidden += attn_output · attention(norm(hidden)), with `prepareHead` applied to every query and key head. */
export function addSelfAttention(
    w: DecoderLayerWeights,
    hidden: Float64Array,
    n: number,
    firstOutput: number,
    config: TransformerConfig,
    prepareHead: PrepareHead
): void {
    const { nEmbd, nHead, nHeadKv, headDim, valueDim, rmsEps } = config;
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
    addBias(q, qWidth, w.qBias, firstOutput, n);
    addBias(k, kWidth, w.kBias, 0, n);
    addBias(v, vWidth, w.vBias, 0, n);
    for (let t = 0; t < n; t++) {
        for (let h = 0; h < nHeadKv; h++) prepareHead(k, t * kWidth + h * headDim, t, "key");
        if (t < firstOutput) continue;
        for (let h = 0; h < nHead; h++) prepareHead(q, t * qWidth + h * headDim, t, "query");
    }

    const attn = new Float64Array(n * attnWidth);
    const scores = new Float64Array(n);
    for (let t = firstOutput; t < n; t++) attendCausally(config, q, k, v, t, scores, attn);
    addProjection(w.attnOutput, attnWidth, attn, hidden, n, firstOutput, nEmbd);
}

/** hidden += down · (activation(gate · norm(hidden)) ⊙ (up · norm(hidden))): GeGLU or SwiGLU by `activation`. */
export function addGatedFeedForward(
    w: DecoderLayerWeights,
    hidden: Float64Array,
    n: number,
    firstOutput: number,
    config: TransformerConfig,
    activation: (x: number) => number
): void {
    const { nEmbd, nFf, rmsEps } = config;
    const outputs = n - firstOutput;
    const normed = new Float64Array(n * nEmbd);
    for (let t = firstOutput; t < n; t++) rmsNorm(hidden, t * nEmbd, nEmbd, w.ffnNorm, rmsEps, normed, t * nEmbd);
    const gate = new Float64Array(n * nFf);
    const up = new Float64Array(n * nFf);
    matMulRows(w.gate, nEmbd, nFf, normed, nEmbd, firstOutput, outputs, gate, nFf);
    matMulRows(w.up, nEmbd, nFf, normed, nEmbd, firstOutput, outputs, up, nFf);
    for (let i = firstOutput * nFf; i < n * nFf; i++) gate[i] = activation(gate[i]) * up[i];
    addProjection(w.down, nFf, gate, hidden, n, firstOutput, nEmbd);
}

/** rows[t] += bias for positions from..n-1, when the projection has a bias. */
function addBias(rows: Float64Array, width: number, bias: Float64Array | undefined, from: number, n: number): void {
    if (bias === undefined) return;
    for (let t = from; t < n; t++) for (let i = 0; i < width; i++) rows[t * width + i] += bias[i]!;
}

/** The residual update hidden[t] += W x[t] for positions firstOutput..n-1. */
function addProjection(weight: Float64Array, inWidth: number, x: Float64Array, hidden: Float64Array, n: number, firstOutput: number, nEmbd: number): void {
    const projected = new Float64Array(n * nEmbd);
    matMulRows(weight, inWidth, nEmbd, x, inWidth, firstOutput, n - firstOutput, projected, nEmbd);
    for (let i = firstOutput * nEmbd; i < n * nEmbd; i++) hidden[i] += projected[i];
}
