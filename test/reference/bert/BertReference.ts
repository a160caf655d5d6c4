import { CheckedTensors } from "../CheckedTensors.js";
import { GgufFile } from "../GgufFile.js";
import { gelu, type GeluForm } from "./gelu.js";

type Linear = { weight: Float64Array; bias: Float64Array; inputs: number; outputs: number };
type LayerNorm = { weight: Float64Array; bias: Float64Array };

interface BertLayer {
    query: Linear;
    key: Linear;
    value: Linear;
    attentionOutput: Linear;
    attentionNorm: LayerNorm;
    up: Linear;
    down: Linear;
    outputNorm: LayerNorm;
}

// XLM-R's padding_idx: HF numbers the positions of a sequence padding_idx + 1, padding_idx + 2, ...
const xlmRobertaPaddingIdx = 1;
// conversion/bert.py drops the first 1 + pad_token_id rows of position_embeddings.
const rowsDroppedByConverter = xlmRobertaPaddingIdx + 1;

/**
 * Float64 forward pass of XLMRobertaForSequenceClassification written from HF's modeling_roberta
 * (RobertaEmbeddings, RobertaLayer, RobertaClassificationHead), reading a converted GGUF. It is
 * also jina-reranker-v2's (its modeling_xlm_roberta.py: the same embeddings with
 * create_position_ids_from_input_ids, post-norm Blocks of MHA + Mlp(fc1, gelu, fc2), the same
 * classification head), whose fused Wqkv the reader splits:
 * - embeddings: word + position (HF id padding_idx + 1 + i, i.e. GGUF row i once the converter's
 *   2 dropped rows are accounted for) + token type 0, then LayerNorm;
 * - post-LayerNorm layers: h = LN(h + Wo·attn(h) + bo), h = LN(h + W2·gelu(W1·h + b1) + b2), with
 *   bidirectional attention over the sequence scaled by 1/sqrt(head_dim);
 * - head at the first token (<s>): out_proj(tanh(dense(h_0))), one raw logit, no sigmoid.
 * The GELU form is a parameter: HF's erf form is the model's definition; llama.cpp's CPU backend
 * computes another (see gelu.ts), and tests measure both gaps.
 */
export class BertReference {
    readonly nEmbd: number;
    readonly nHead: number;
    readonly positions: number;
    private readonly eps: number;
    private readonly tokenEmbeddings: string = "token_embd.weight";
    private readonly typeRow: Float64Array;
    private readonly embeddingNorm: LayerNorm;
    private readonly layers: BertLayer[] = [];
    private readonly dense: Linear;
    private readonly outProj: Linear;

    static open(path: string): BertReference {
        return new BertReference(GgufFile.open(path));
    }

    constructor(private readonly gguf: GgufFile) {
        if (gguf.string("general.architecture") !== "bert") throw new Error("not a bert GGUF");
        const nEmbd = gguf.number("bert.embedding_length");
        const nFf = gguf.number("bert.feed_forward_length");
        const nLayer = gguf.number("bert.block_count");
        this.nEmbd = nEmbd;
        this.nHead = gguf.number("bert.attention.head_count");
        this.eps = gguf.number("bert.attention.layer_norm_epsilon");
        this.positions = gguf.number("bert.context_length");
        const tensors = new CheckedTensors(gguf);
        const vocabulary = gguf.tensor(this.tokenEmbeddings).dims[1]!;
        tensors.checkDims(this.tokenEmbeddings, [nEmbd, vocabulary]);
        tensors.checkDims("position_embd.weight", [nEmbd, this.positions]);
        const typeCount = gguf.tensor("token_types.weight").dims[1]!;
        this.typeRow = tensors.load("token_types.weight", [nEmbd, typeCount]).slice(0, nEmbd);
        const linear = (name: string, inputs: number, outputs: number): Linear => ({
            weight: tensors.load(`${name}.weight`, [inputs, outputs]),
            bias: tensors.load(`${name}.bias`, [outputs]),
            inputs,
            outputs
        });
        const norm = (name: string): LayerNorm => ({ weight: tensors.load(`${name}.weight`, [nEmbd]), bias: tensors.load(`${name}.bias`, [nEmbd]) });
        this.embeddingNorm = norm("token_embd_norm");
        // jina-reranker-v2: one fused projection, HF's mixer.Wqkv with rows ordered (three, heads,
        // head_dim) as the flash implementation's rearrange reads them: Q's n_embd rows, K's, V's
        const fused = gguf.hasTensor("blk.0.attn_qkv.weight");
        const split = (name: string): [Linear, Linear, Linear] => {
            const all = linear(name, nEmbd, 3 * nEmbd);
            const part = (i: number): Linear => ({
                weight: all.weight.slice(i * nEmbd * nEmbd, (i + 1) * nEmbd * nEmbd),
                bias: all.bias.slice(i * nEmbd, (i + 1) * nEmbd),
                inputs: nEmbd,
                outputs: nEmbd
            });
            return [part(0), part(1), part(2)];
        };
        for (let l = 0; l < nLayer; l++) {
            const block = `blk.${l}`;
            const [query, key, value] = fused
                ? split(`${block}.attn_qkv`)
                : [linear(`${block}.attn_q`, nEmbd, nEmbd), linear(`${block}.attn_k`, nEmbd, nEmbd), linear(`${block}.attn_v`, nEmbd, nEmbd)];
            this.layers.push({
                query,
                key,
                value,
                attentionOutput: linear(`${block}.attn_output`, nEmbd, nEmbd),
                attentionNorm: norm(`${block}.attn_output_norm`),
                up: linear(`${block}.ffn_up`, nEmbd, nFf),
                down: linear(`${block}.ffn_down`, nFf, nEmbd),
                outputNorm: norm(`${block}.layer_output_norm`)
            });
        }
        this.dense = linear("cls", nEmbd, nEmbd);
        const labels = gguf.tensor("cls.output.weight").dims[1]!;
        this.outProj = linear("cls.output", nEmbd, labels);
        tensors.rejectUnused("XLM-RoBERTa");
    }

    /** The classifier's logits (one for a reranker) for one sequence of token ids. */
    logits(tokens: readonly number[], geluForm: GeluForm = "erf"): number[] {
        const hidden = this.encode(tokens, geluForm);
        const pooled = applyLinear(this.dense, hidden.subarray(0, this.nEmbd)).map(Math.tanh);
        return Array.from(applyLinear(this.outProj, pooled));
    }

    /** Final hidden states, tokens.length rows of n_embd. */
    encode(tokens: readonly number[], geluForm: GeluForm = "erf"): Float64Array {
        const n = tokens.length;
        const d = this.nEmbd;
        if (n > this.positions) throw new Error(`${n} tokens exceed ${this.positions} positions`);
        const hidden = new Float64Array(n * d);
        const word = new Float64Array(d);
        const position = new Float64Array(d);
        for (let i = 0; i < n; i++) {
            this.gguf.readRow(this.tokenEmbeddings, tokens[i]!, word);
            const hfPositionId = xlmRobertaPaddingIdx + 1 + i;
            this.gguf.readRow("position_embd.weight", hfPositionId - rowsDroppedByConverter, position);
            for (let j = 0; j < d; j++) hidden[i * d + j] = word[j]! + position[j]! + this.typeRow[j]!;
            layerNormInPlace(hidden, i * d, d, this.embeddingNorm, this.eps);
        }
        const activation = gelu(geluForm);
        for (const layer of this.layers) this.runLayer(layer, hidden, n, activation);
        return hidden;
    }

    private runLayer(layer: BertLayer, hidden: Float64Array, n: number, activation: (x: number) => number): void {
        const d = this.nEmbd;
        const headDim = d / this.nHead;
        const rows = (i: number) => hidden.subarray(i * d, (i + 1) * d);
        // flat n × d matrices: the attention loops below run n² · d times
        const project = (linear: Linear) => {
            const out = new Float64Array(n * d);
            for (let i = 0; i < n; i++) out.set(applyLinear(linear, rows(i)), i * d);
            return out;
        };
        const q = project(layer.query);
        const k = project(layer.key);
        const v = project(layer.value);
        const scale = 1 / Math.sqrt(headDim);
        const context = Array.from({ length: n }, () => new Float64Array(d));
        const weights = new Float64Array(n);
        for (let h = 0; h < this.nHead; h++) {
            const o = h * headDim;
            for (let i = 0; i < n; i++) {
                let max = -Infinity;
                const qi = i * d + o;
                for (let j = 0; j < n; j++) {
                    const kj = j * d + o;
                    let s = 0;
                    for (let t = 0; t < headDim; t++) s += q[qi + t]! * k[kj + t]!;
                    weights[j] = s * scale;
                    if (weights[j]! > max) max = weights[j]!;
                }
                let sum = 0;
                for (let j = 0; j < n; j++) sum += weights[j] = Math.exp(weights[j]! - max);
                const out = context[i]!;
                for (let j = 0; j < n; j++) {
                    const w = weights[j]! / sum;
                    const vj = j * d + o;
                    for (let t = 0; t < headDim; t++) out[o + t] += w * v[vj + t]!;
                }
            }
        }
        for (let i = 0; i < n; i++) {
            const attended = applyLinear(layer.attentionOutput, context[i]!);
            for (let j = 0; j < d; j++) hidden[i * d + j] += attended[j]!;
            layerNormInPlace(hidden, i * d, d, layer.attentionNorm, this.eps);
            const inner = applyLinear(layer.up, rows(i)).map(activation);
            const out = applyLinear(layer.down, inner);
            for (let j = 0; j < d; j++) hidden[i * d + j] += out[j]!;
            layerNormInPlace(hidden, i * d, d, layer.outputNorm, this.eps);
        }
    }
}

/** y = W x + b, with W stored as ggml does: `outputs` rows of `inputs` values. */
function applyLinear(linear: Linear, x: Float64Array): Float64Array {
    const y = new Float64Array(linear.outputs);
    for (let o = 0; o < linear.outputs; o++) {
        let s = linear.bias[o]!;
        const row = o * linear.inputs;
        for (let i = 0; i < linear.inputs; i++) s += linear.weight[row + i]! * x[i]!;
        y[o] = s;
    }
    return y;
}

/** HF's LayerNorm: biased variance, eps inside the square root. */
export function layerNormInPlace(x: Float64Array, offset: number, n: number, norm: LayerNorm, eps: number): void {
    let mean = 0;
    for (let i = 0; i < n; i++) mean += x[offset + i]!;
    mean /= n;
    let variance = 0;
    for (let i = 0; i < n; i++) variance += (x[offset + i]! - mean) ** 2;
    variance /= n;
    const inverse = 1 / Math.sqrt(variance + eps);
    for (let i = 0; i < n; i++) x[offset + i] = (x[offset + i]! - mean) * inverse * norm.weight[i]! + norm.bias[i]!;
}
