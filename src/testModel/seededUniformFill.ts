import type { GgufTensorFill } from "../gguf/GgufTensorSource.js";
import { SeededRandom } from "./SeededRandom.js";

/**
 * Uniform values with this mean and standard deviation (half-width sqrt(3) * sd), drawn from the
 * random stream (seed, stream name): a tensor's values then depend only on the seed and its name.
 * The stream restarts whenever the writer asks for element 0 again, so a rewrite gives the same bytes.
 */
export function seededUniformFill(seed: number, stream: string, center: number, standardDeviation: number): GgufTensorFill {
    const halfWidth = standardDeviation * Math.sqrt(3);
    let random = new SeededRandom(seed, stream);
    return (chunk, firstElement) => {
        if (firstElement === 0) random = new SeededRandom(seed, stream);
        random.fillUniform(chunk, center, halfWidth);
    };
}
