/**
 * The three GELUs that matter for a converted XLM-R reranker:
 * - "erf": HF's `hidden_act = "gelu"`, x·Φ(x), what the model was trained with;
 * - "tanh": the tanh approximation, which llama.cpp's ggml_gelu computes;
 * - "ggml-cpu-f16-table": ggml_gelu as ggml's CPU backend runs it (GGML_GELU_FP16 in
 *   ggml-cpu/vec.h): x rounded to binary16, looked up in a table of binary16 tanh-GELU values;
 *   x <= -10 gives 0 and x >= 10 gives x.
 */
export type GeluForm = "erf" | "tanh" | "ggml-cpu-f16-table";

export function gelu(form: GeluForm): (x: number) => number {
    if (form === "erf") return (x) => 0.5 * x * (1 + erf(x / Math.SQRT2));
    if (form === "tanh") return geluTanh;
    return (x) => (x <= -10 ? 0 : x >= 10 ? x : roundToFloat16(geluTanh(roundToFloat16(x))));
}

function geluTanh(x: number): number {
    return 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * x * (1 + 0.044715 * x * x)));
}

/** erf to about 1e-15: its Maclaurin series below 2.5, erfc's continued fraction above. */
export function erf(x: number): number {
    if (x < 0) return -erf(-x);
    if (x < 2.5) {
        // erf(x) = 2/√π Σ (-1)^n x^(2n+1) / (n! (2n+1)); terms stay below ~20 here, so little is lost
        let term = x;
        let sum = x;
        for (let n = 1; n < 200 && Math.abs(term) > 1e-17 * Math.abs(sum); n++) {
            term *= (-x * x) / n;
            sum += term / (2 * n + 1);
        }
        return (2 / Math.sqrt(Math.PI)) * sum;
    }
    // erfc(x) = exp(-x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + ...))))), evaluated bottom-up
    let fraction = x;
    for (let k = 120; k >= 1; k--) fraction = x + k / 2 / fraction;
    return 1 - Math.exp(-x * x) / Math.sqrt(Math.PI) / fraction;
}

/** The nearest IEEE binary16 value, ties to even (the F16C conversion ggml uses on x86). */
export function roundToFloat16(x: number): number {
    if (!Number.isFinite(x) || x === 0) return x;
    const magnitude = Math.abs(x);
    if (magnitude >= 65520) return Math.sign(x) * Infinity;
    let exponent = Math.floor(Math.log2(magnitude));
    if (2 ** exponent > magnitude) exponent--;
    if (2 ** (exponent + 1) <= magnitude) exponent++;
    // below 2^-14 the spacing is that of the subnormals
    const quantum = 2 ** (Math.max(exponent, -14) - 10);
    const scaled = magnitude / quantum;
    const floor = Math.floor(scaled);
    const rest = scaled - floor;
    const rounded = rest > 0.5 || (rest === 0.5 && floor % 2 === 1) ? floor + 1 : floor;
    return Math.sign(x) * rounded * quantum;
}
