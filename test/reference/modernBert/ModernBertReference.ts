import { CheckedTensors } from "../CheckedTensors.js";
import { GgufFile } from "../GgufFile.js";
import { gelu, type GeluForm } from "../bert/gelu.js";

type Matrix = { weight: Float64Array; inputs: number; outputs: number };

interface ModernBertLayer {
    /** undefined in layer 0, where HF's attn_norm is nn.Identity. */
    attentionNorm: Float64Array | undefined;
    qkv: Matrix;
    attentionOutput: Matrix;
    mlpNorm: Float64Array;
    wi: Matrix;
    wo: Matrix;
    /** sliding_attention: a token attends to those within local_attention / 2 positions. */
    local: boolean;
    ropeTheta: number;
}

/**
 * Float64 forward pass of ModernBertForSequenceClassification written from HF's modeling_modernbert
 * (transformers' modular_modernbert.py), reading a converted GGUF; no biases (attention_bias,
 * mlp_bias, norm_bias false), LayerNorms with HF's biased variance:
 * - embeddings: tok_embeddings, then LayerNorm; positions 0 … n − 1;
 * - pre-norm layers: h += Wo·attn(attn_norm(h)) (attn_norm the identity in layer 0), h +=
 *   Wo·(act(x₁) · x₂) with [x₁, x₂] = Wi·mlp_norm(h) split in halves (ModernBertMLP);
 * - attention: Wqkv's rows are (3, heads, head_dim); RoPE by rotate_half on q and k with
 *   θ = global_rope_theta, or local_rope_theta in sliding layers (layer_idx % global_attn_every_n_layers ≠ 0),
 *   where a token attends only to keys with |i − j| ≤ local_attention // 2 (the bidirectional
 *   sliding-window overlay is inclusive); scaled by head_dim^-½;
 * - final_norm; classifier_pooling "mean": the average of every token's final hidden state;
 * - head: norm(act(dense(pooled))) (ModernBertPredictionHead, classifier_activation "gelu"), then
 *   the classifier's logits (with its bias); no sigmoid.
 * The GELU form is a parameter, as in BertReference: HF's erf form is the model's definition.
 */
export class ModernBertReference {
    readonly nEmbd: number;
    readonly nHead: number;
    private readonly eps: number;
    private readonly embeddingNorm: Float64Array;
    private readonly finalNorm: Float64Array;
    private readonly layers: ModernBertLayer[] = [];
    private readonly dense: Matrix;
    private readonly headNorm: Float64Array;
    private readonly classifier: Matrix;
    private readonly classifierBias: Float64Array;
    private readonly halfWindow: number;

    static open(path: string): ModernBertReference {
        return new ModernBertReference(GgufFile.open(path));
    }

    constructor(private readonly gguf: GgufFile) {
        const arch = "modern-bert";
        if (gguf.string("general.architecture") !== arch) throw new Error("not a modern-bert GGUF");
        const nEmbd = gguf.number(`${arch}.embedding_length`);
        const nFf = gguf.number(`${arch}.feed_forward_length`);
        const nLayer = gguf.number(`${arch}.block_count`);
        const every = gguf.number(`${arch}.attention.sliding_window_pattern`);
        this.nEmbd = nEmbd;
        this.nHead = gguf.number(`${arch}.attention.head_count`);
        this.eps = gguf.number(`${arch}.attention.layer_norm_epsilon`);
        this.halfWindow = Math.floor(gguf.number(`${arch}.attention.sliding_window`) / 2);
        const globalTheta = gguf.number(`${arch}.rope.freq_base`);
        const localTheta = gguf.number(`${arch}.rope.freq_base_swa`);
        const tensors = new CheckedTensors(gguf);
        tensors.checkDims("token_embd.weight", [nEmbd, gguf.tensor("token_embd.weight").dims[1]!]);
        const matrix = (name: string, inputs: number, outputs: number): Matrix => ({ weight: tensors.load(name, [inputs, outputs]), inputs, outputs });
        const norm = (name: string) => tensors.load(`${name}.weight`, [nEmbd]);
        this.embeddingNorm = norm("token_embd_norm");
        for (let l = 0; l < nLayer; l++) {
            const block = `blk.${l}`;
            const local = l % every !== 0;
            this.layers.push({
                attentionNorm: l === 0 ? undefined : norm(`${block}.attn_norm`),
                qkv: matrix(`${block}.attn_qkv.weight`, nEmbd, 3 * nEmbd),
                attentionOutput: matrix(`${block}.attn_output.weight`, nEmbd, nEmbd),
                mlpNorm: norm(`${block}.ffn_norm`),
                wi: matrix(`${block}.ffn_up.weight`, nEmbd, 2 * nFf),
                wo: matrix(`${block}.ffn_down.weight`, nFf, nEmbd),
                local,
                ropeTheta: local ? localTheta : globalTheta
            });
        }
        this.finalNorm = norm("output_norm");
        this.dense = matrix("cls.weight", nEmbd, nEmbd);
        this.headNorm = norm("cls.norm");
        const labels = gguf.tensor("cls.output.weight").dims[1]!;
        this.classifier = matrix("cls.output.weight", nEmbd, labels);
        this.classifierBias = tensors.load("cls.output.bias", [labels]);
        tensors.rejectUnused("ModernBERT");
    }

    /** The classifier's logits (one for a reranker) for one sequence of token ids. */
    logits(tokens: readonly number[], geluForm: GeluForm = "erf"): number[] {
        const n = tokens.length;
        const d = this.nEmbd;
        const hidden = this.encode(tokens, geluForm);
        const pooled = new Float64Array(d);
        for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) pooled[j] += hidden[i * d + j]!;
        for (let j = 0; j < d; j++) pooled[j] /= n;
        const activation = gelu(geluForm);
        const transformed = multiply(this.dense, pooled).map(activation);
        layerNormInPlace(transformed, 0, d, this.headNorm, this.eps);
        return Array.from(multiply(this.classifier, transformed), (value, i) => value + this.classifierBias[i]!);
    }

    /** Final hidden states (after final_norm), tokens.length rows of n_embd. */
    encode(tokens: readonly number[], geluForm: GeluForm = "erf"): Float64Array {
        const n = tokens.length;
        const d = this.nEmbd;
        const hidden = new Float64Array(n * d);
        const row = new Float64Array(d);
        for (let i = 0; i < n; i++) {
            this.gguf.readRow("token_embd.weight", tokens[i]!, row);
            hidden.set(row, i * d);
            layerNormInPlace(hidden, i * d, d, this.embeddingNorm, this.eps);
        }
        const activation = gelu(geluForm);
        for (const layer of this.layers) this.runLayer(layer, hidden, n, activation);
        for (let i = 0; i < n; i++) layerNormInPlace(hidden, i * d, d, this.finalNorm, this.eps);
        return hidden;
    }

    private runLayer(layer: ModernBertLayer, hidden: Float64Array, n: number, activation: (x: number) => number): void {
        const d = this.nEmbd;
        const headDim = d / this.nHead;
        const half = headDim / 2;
        const q = new Float64Array(n * d);
        const k = new Float64Array(n * d);
        const v = new Float64Array(n * d);
        for (let i = 0; i < n; i++) {
            const x = hidden.slice(i * d, (i + 1) * d);
            if (layer.attentionNorm) layerNormInPlace(x, 0, d, layer.attentionNorm, this.eps);
            const qkv = multiply(layer.qkv, x);
            q.set(qkv.subarray(0, d), i * d);
            k.set(qkv.subarray(d, 2 * d), i * d);
            v.set(qkv.subarray(2 * d), i * d);
            // RoPE, rotate_half: the pair (t, t + head_dim/2) turns by position · θ^(−2t/head_dim)
            for (let h = 0; h < this.nHead; h++) {
                const o = i * d + h * headDim;
                for (let t = 0; t < half; t++) {
                    const angle = i * Math.pow(layer.ropeTheta, (-2 * t) / headDim);
                    const [cos, sin] = [Math.cos(angle), Math.sin(angle)];
                    for (const m of [q, k]) {
                        const [a, b] = [m[o + t]!, m[o + t + half]!];
                        m[o + t] = a * cos - b * sin;
                        m[o + t + half] = b * cos + a * sin;
                    }
                }
            }
        }
        const scale = 1 / Math.sqrt(headDim);
        const attended = new Float64Array(n * d);
        const weights = new Float64Array(n);
        for (let h = 0; h < this.nHead; h++) {
            const o = h * headDim;
            for (let i = 0; i < n; i++) {
                const [from, to] = layer.local ? [Math.max(0, i - this.halfWindow), Math.min(n - 1, i + this.halfWindow)] : [0, n - 1];
                let max = -Infinity;
                for (let j = from; j <= to; j++) {
                    let s = 0;
                    for (let t = 0; t < headDim; t++) s += q[i * d + o + t]! * k[j * d + o + t]!;
                    weights[j] = s * scale;
                    if (weights[j]! > max) max = weights[j]!;
                }
                let sum = 0;
                for (let j = from; j <= to; j++) sum += weights[j] = Math.exp(weights[j]! - max);
                for (let j = from; j <= to; j++) {
                    const w = weights[j]! / sum;
                    for (let t = 0; t < headDim; t++) attended[i * d + o + t] += w * v[j * d + o + t]!;
                }
            }
        }
        const nFf = layer.wo.inputs;
        for (let i = 0; i < n; i++) {
            const out = multiply(layer.attentionOutput, attended.subarray(i * d, (i + 1) * d));
            for (let j = 0; j < d; j++) hidden[i * d + j] += out[j]!;
            const x = hidden.slice(i * d, (i + 1) * d);
            layerNormInPlace(x, 0, d, layer.mlpNorm, this.eps);
            const inner = multiply(layer.wi, x);
            const gated = new Float64Array(nFf);
            for (let j = 0; j < nFf; j++) gated[j] = activation(inner[j]!) * inner[nFf + j]!;
            const mlp = multiply(layer.wo, gated);
            for (let j = 0; j < d; j++) hidden[i * d + j] += mlp[j]!;
        }
    }
}

/** y = W x, with W stored as ggml does: `outputs` rows of `inputs` values. */
function multiply(matrix: Matrix, x: Float64Array): Float64Array {
    const y = new Float64Array(matrix.outputs);
    for (let o = 0; o < matrix.outputs; o++) {
        let s = 0;
        const row = o * matrix.inputs;
        for (let i = 0; i < matrix.inputs; i++) s += matrix.weight[row + i]! * x[i]!;
        y[o] = s;
    }
    return y;
}

/** HF's LayerNorm without bias (norm_bias false): biased variance, eps inside the square root. */
function layerNormInPlace(x: Float64Array, offset: number, n: number, weight: Float64Array, eps: number): void {
    let mean = 0;
    for (let i = 0; i < n; i++) mean += x[offset + i]!;
    mean /= n;
    let variance = 0;
    for (let i = 0; i < n; i++) variance += (x[offset + i]! - mean) ** 2;
    variance /= n;
    const inverse = 1 / Math.sqrt(variance + eps);
    for (let i = 0; i < n; i++) x[offset + i] = (x[offset + i]! - mean) * inverse * weight[i]!;
}
