import { rmSync } from "node:fs";
import { it } from "vitest";
import { Reranker } from "../../src/index.js";
import { Qwen3Reference } from "../reference/qwen3/Qwen3Reference.js";
import { qwen3Pairs } from "./qwen3Pairs.js";
import { ensureQwen3TinyModel, qwen3TinyModelPath } from "./qwen3TestModel.js";

it("scratch", async () => {
    rmSync(qwen3TinyModelPath, { force: true });
    const model = await ensureQwen3TinyModel();
    const reranker = await Reranker.load({ model, gpu: false });
    const reference = Qwen3Reference.open(model);
    const scores = await reranker.score(qwen3Pairs);
    const ids = reranker.describe().scoreTokens.map((t) => t.id);
    let maxErr = 0;
    const diffs: number[] = [];
    for (let i = 0; i < qwen3Pairs.length; i++) {
        const tokens = reranker.buildInput(...qwen3Pairs[i]!);
        const [yes, no] = reference.lastLogits(tokens, ids);
        diffs.push(yes! - no!);
        const p = 1 / (1 + Math.exp(-(yes! - no!)));
        maxErr = Math.max(maxErr, Math.abs(scores[i]! - p));
    }
    const mean = diffs.reduce((a, b) => a + b) / diffs.length;
    const sd = Math.sqrt(diffs.reduce((a, b) => a + (b - mean) ** 2, 0) / diffs.length);
    console.log(`QG=${process.env.QG} EG=${process.env.EG} diff mean ${mean.toFixed(3)} sd ${sd.toFixed(3)} P ${scores.map((s) => s.toFixed(2)).join(" ")} maxErr ${maxErr.toExponential(2)}`);
    await reranker.dispose();
});
