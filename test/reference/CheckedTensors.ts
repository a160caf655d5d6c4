import type { GgufFile } from "./GgufFile.js";

/**
 * Reads a reference's tensors with their dims checked and remembers which it read, so that a file
 * holding a tensor the reference does not model can be refused rather than silently misread.
 */
export class CheckedTensors {
    private readonly expected = new Set<string>();

    constructor(private readonly gguf: GgufFile) {}

    checkDims(name: string, dims: number[]): void {
        this.expected.add(name);
        const actual = this.gguf.tensor(name).dims;
        if (actual.join() !== dims.join()) throw new Error(`tensor ${name} has dims [${actual}], expected [${dims}]`);
    }

    load(name: string, dims: number[]): Float64Array {
        this.checkDims(name, dims);
        return this.gguf.tensorFloat64(name);
    }

    /**
     * A tensor not modelled (a bias, a fused QKV, rope factors) would mean another model than the one
     * computed, and the reference would be silently wrong.
     */
    rejectUnused(modelName: string): void {
        const unused = [...this.gguf.tensors.keys()].filter((name) => !this.expected.has(name));
        if (unused.length > 0) throw new Error(`GGUF has tensors the ${modelName} reference does not model: ${unused.join(", ")}`);
    }
}
