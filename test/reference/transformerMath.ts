/**
 * The numeric building blocks that Gemma-1 and Qwen3 layers share, in float64, as free functions
 * so the self-test can check each against hand-computed values. Architecture-specific pieces
 * (Gemma's tanh-GELU, Qwen3's SiLU) live with their references.
 * Vectors live inside larger flat arrays (one row per position), hence the offsets.
 */

/**
 * x / sqrt(mean(x^2) + eps) * w, used as stored: Gemma's "(1 + w)" is already folded into w by the
 * GGUF conversion, Qwen3's w is plain.
 */
export function rmsNorm(x: Float64Array, xOffset: number, n: number, weight: Float64Array, eps: number, out: Float64Array, outOffset: number): void {
    let sumSquares = 0;
    for (let i = 0; i < n; i++) sumSquares += x[xOffset + i] * x[xOffset + i];
    const scale = 1 / Math.sqrt(sumSquares / n + eps);
    for (let i = 0; i < n; i++) out[outOffset + i] = x[xOffset + i] * scale * weight[i];
}

/** Per-pair inverse frequencies base^(-2i/headDim), i < headDim/2. */
export function ropeInverseFrequencies(headDim: number, base: number): Float64Array {
    const half = headDim / 2;
    const inv = new Float64Array(half);
    for (let i = 0; i < half; i++) inv[i] = Math.pow(base, (-2 * i) / headDim);
    return inv;
}

/**
 * NEOX / "rotate_half" RoPE in place on one head vector: element i is paired
 * with element i + headDim/2 (not with its neighbour, as in the GPT-J layout).
 */
export function applyNeoxRope(vec: Float64Array, offset: number, headDim: number, position: number, inverseFrequencies: Float64Array): void {
    const half = headDim / 2;
    for (let i = 0; i < half; i++) {
        const theta = position * inverseFrequencies[i];
        const cos = Math.cos(theta);
        const sin = Math.sin(theta);
        const a = vec[offset + i];
        const b = vec[offset + i + half];
        vec[offset + i] = a * cos - b * sin;
        vec[offset + i + half] = b * cos + a * sin;
    }
}

/**
 * Y[t] = W X[t] for positions firstRow..firstRow+rowCount, with W stored as nOut
 * rows of nIn contiguous values (ggml dims [nIn, nOut]). Four positions share
 * each load of a weight, which roughly halves the time of this, the hot loop.
 */
export function matMulRows(
    weight: Float64Array,
    nIn: number,
    nOut: number,
    x: Float64Array,
    xStride: number,
    firstRow: number,
    rowCount: number,
    y: Float64Array,
    yStride: number
): void {
    const end = firstRow + rowCount;
    for (let j = 0; j < nOut; j++) {
        const w = j * nIn;
        let t = firstRow;
        for (; t + 3 < end; t += 4) {
            const x0 = t * xStride,
                x1 = x0 + xStride,
                x2 = x1 + xStride,
                x3 = x2 + xStride;
            let s0 = 0,
                s1 = 0,
                s2 = 0,
                s3 = 0;
            for (let i = 0; i < nIn; i++) {
                const wi = weight[w + i];
                s0 += wi * x[x0 + i];
                s1 += wi * x[x1 + i];
                s2 += wi * x[x2 + i];
                s3 += wi * x[x3 + i];
            }
            y[t * yStride + j] = s0;
            y[(t + 1) * yStride + j] = s1;
            y[(t + 2) * yStride + j] = s2;
            y[(t + 3) * yStride + j] = s3;
        }
        for (; t < end; t++) {
            const xo = t * xStride;
            let sum = 0;
            for (let i = 0; i < nIn; i++) sum += weight[w + i] * x[xo + i];
            y[t * yStride + j] = sum;
        }
    }
}

/** Numerically stable softmax of values[0..n) in place. */
export function softmaxInPlace(values: Float64Array, n: number): void {
    let max = -Infinity;
    for (let i = 0; i < n; i++) if (values[i] > max) max = values[i];
    let sum = 0;
    for (let i = 0; i < n; i++) {
        values[i] = Math.exp(values[i] - max);
        sum += values[i];
    }
    for (let i = 0; i < n; i++) values[i] /= sum;
}

/** Which KV head a query head reads under grouped-query attention. */
export function kvHeadForQueryHead(queryHead: number, nHead: number, nHeadKv: number): number {
    if (nHead % nHeadKv !== 0) throw new Error(`n_head ${nHead} not a multiple of n_head_kv ${nHeadKv}`);
    return Math.floor(queryHead / (nHead / nHeadKv));
}

/** The dimensions attention works with: keys and queries of headDim, values of valueDim. */
export interface AttentionShape {
    readonly nHead: number;
    readonly nHeadKv: number;
    readonly headDim: number;
    readonly valueDim: number;
}

/**
 * Causal grouped-query attention for one position t over the cached keys and values of positions
 * 0..t, every query head: out[t, h] += Σ_s softmax_s(q[t, h]·k[s, g] / sqrt(headDim)) v[s, g], g the
 * KV head of h. Rows are positions: q holds nHead * headDim values a row, k nHeadKv * headDim, v
 * nHeadKv * valueDim and out nHead * valueDim. `scores` is scratch space for t + 1 values.
 */
export function attendCausally(
    shape: AttentionShape,
    q: Float64Array,
    k: Float64Array,
    v: Float64Array,
    t: number,
    scores: Float64Array,
    out: Float64Array
): void {
    const { nHead, nHeadKv, headDim, valueDim } = shape;
    const qWidth = nHead * headDim;
    const kWidth = nHeadKv * headDim;
    const vWidth = nHeadKv * valueDim;
    const outWidth = nHead * valueDim;
    const scale = 1 / Math.sqrt(headDim);
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
        const oo = t * outWidth + h * valueDim;
        for (let s = 0; s <= t; s++) {
            const p = scores[s];
            const vo = s * vWidth + kvHead * valueDim;
            for (let i = 0; i < valueDim; i++) out[oo + i] += p * v[vo + i];
        }
    }
}

/** Σ a[i] b[i] over b's length. */
export function dot(a: Float64Array, b: Float64Array): number {
    let sum = 0;
    for (let i = 0; i < b.length; i++) sum += a[i] * b[i];
    return sum;
}
