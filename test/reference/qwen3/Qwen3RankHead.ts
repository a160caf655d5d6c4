import { GgufFile } from "../GgufFile.js";
import { Qwen3Reference } from "./Qwen3Reference.js";

/**
 * The converter's Qwen3-Reranker head on the float64 Qwen3 reference: cls.output.weight's rows
 * (labels "yes", "no") applied to the last position's final-norm hidden state, then a softmax over
 * the two, as llama.cpp's rank pooling does. On a tied file the rows are token_embd's, and the
 * result equals the model card's softmax over the yes/no logits.
 */
export class Qwen3RankHead {
    private readonly rows: Float64Array[];

    constructor(readonly reference: Qwen3Reference) {
        const gguf: GgufFile = reference.gguf;
        const [width, labels] = gguf.tensor("cls.output.weight").dims as [number, number];
        if (width !== reference.config.nEmbd || labels !== 2)
            throw new Error(`cls.output.weight is [${width}, ${labels}], expected [${reference.config.nEmbd}, 2]`);
        this.rows = [0, 1].map((row) => gguf.readRow("cls.output.weight", row));
    }

    static open(path: string): Qwen3RankHead {
        return new Qwen3RankHead(Qwen3Reference.open(path));
    }

    /** [P(yes), P(no)] and the head's raw logits for one sequence. */
    scores(tokens: number[]): { probabilities: [number, number]; logits: [number, number] } {
        const hidden = this.reference.lastHidden(tokens);
        const [yes, no] = this.rows.map((row) => row.reduce((sum, value, i) => sum + value * hidden[i]!, 0)) as [number, number];
        const yesProbability = 1 / (1 + Math.exp(no - yes));
        return { probabilities: [yesProbability, 1 - yesProbability], logits: [yes, no] };
    }
}
