import type { GgufTensorFill } from "../gguf/GgufTensorSource.js";
import { seededUniformFill } from "./seededUniformFill.js";
import type { Qwen3TensorSpec, UniformValues } from "./Qwen3TensorSpec.js";

/**
 * The values of `spec`: seeded uniform values drawn as writeTestModel draws them, or rows copied
 * from such a tensor by replaying its stream.
 */
export function seededTensorFill(seed: number, spec: Qwen3TensorSpec, specs: readonly Qwen3TensorSpec[]): GgufTensorFill {
    if (spec.values.kind === "uniform") return uniformFill(seed, spec.name, spec.values);

    const { tensor, rows } = spec.values;
    const source = specs.find((candidate) => candidate.name === tensor);
    if (source == null || source.values.kind !== "uniform")
        throw new Error(`${spec.name} copies rows of ${tensor}, which is not a uniform tensor of this model`);
    const copied = copyRows(seed, source.name, source.values, source.shape[0]!, rows);
    return (chunk, firstElement) => chunk.set(copied.subarray(firstElement, firstElement + chunk.length));
}

function uniformFill(seed: number, stream: string, values: UniformValues): GgufTensorFill {
    return seededUniformFill(seed, stream, values.center, values.standardDeviation);
}

/** Replays the source tensor's stream up to its last wanted row: cheap for a few rows near the start. */
function copyRows(seed: number, stream: string, values: UniformValues, rowLength: number, rows: readonly number[]): Float32Array {
    const prefix = new Float32Array((Math.max(...rows) + 1) * rowLength);
    uniformFill(seed, stream, values)(prefix, 0);
    const copied = new Float32Array(rows.length * rowLength);
    rows.forEach((row, i) => copied.set(prefix.subarray(row * rowLength, (row + 1) * rowLength), i * rowLength));
    return copied;
}
