import type { GgufTensorFill } from "../../gguf/GgufTensorSource.js";
import { SeededRandom } from "../SeededRandom.js";
import type { Qwen3TensorSpec, UniformValues } from "./Qwen3TensorSpec.js";

/**
 * The values of `spec`, one random stream per tensor name (as writeTestModel draws them: uniform,
 * half-width sqrt(3) * sd), so a tensor's values depend only on the seed and its name.
 */
export function seededTensorFill(seed: number, spec: Qwen3TensorSpec, specs: readonly Qwen3TensorSpec[]): GgufTensorFill {
    if (spec.values.kind === "uniform")
        return uniformFill(seed, spec.name, spec.values);

    const { tensor, rows } = spec.values;
    const source = specs.find((candidate) => candidate.name === tensor);
    if (source == null || source.values.kind !== "uniform")
        throw new Error(`${spec.name} copies rows of ${tensor}, which is not a uniform tensor of this model`);
    const copied = copyRows(seed, source.name, source.values, source.shape[0]!, rows);
    return (chunk, firstElement) => chunk.set(copied.subarray(firstElement, firstElement + chunk.length));
}

function uniformFill(seed: number, stream: string, values: UniformValues): GgufTensorFill {
    const halfWidth = values.standardDeviation * Math.sqrt(3);
    let random = new SeededRandom(seed, stream);
    return (chunk, firstElement) => {
        if (firstElement === 0)
            random = new SeededRandom(seed, stream);
        random.fillUniform(chunk, values.center, halfWidth);
    };
}

/** Replays the source tensor's stream up to its last wanted row: cheap for a few rows near the start. */
function copyRows(seed: number, stream: string, values: UniformValues, rowLength: number, rows: readonly number[]): Float32Array {
    const prefix = new Float32Array((Math.max(...rows) + 1) * rowLength);
    uniformFill(seed, stream, values)(prefix, 0);
    const copied = new Float32Array(rows.length * rowLength);
    rows.forEach((row, i) => copied.set(prefix.subarray(row * rowLength, (row + 1) * rowLength), i * rowLength));
    return copied;
}
