#!/usr/bin/env node
// npm run bench:reliability [-- --model M.gguf --rounds N --passages P --threads T]: what isolation
// costs and what the event loop feels, side by side in one run.
//  - pairs/s of the same rerank calls in-process and isolated (isolation: "process"), rounds
//    interleaved, with the scores compared (they must be equal bit for bit);
//  - the event loop's p99 delay while calls with 1 MB passages are tokenized and scored.
import { performance, monitorEventLoopDelay } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { Reranker } from "../../index.js";
import { benchWords } from "../../bench/benchWords.js";
import { SeededRandom } from "../../testModel/SeededRandom.js";

const { values } = parseArgs({
    options: {
        model: { type: "string", default: "models/tiny-gemma-f32.gguf" },
        rounds: { type: "string", default: "3" },
        passages: { type: "string", default: "64" },
        threads: { type: "string" }
    }
});
const random = new SeededRandom(3, "reliability");
const words = (count: number) => Array.from({ length: count }, () => benchWords[random.nextUint32() % benchWords.length]).join(" ");
const query = words(20);
const passages = Array.from({ length: Number(values.passages) }, () => words(40 + (random.nextUint32() % 60)));
const options = { model: values.model!, gpu: false as const, threads: values.threads ? Number(values.threads) : undefined, onWarning: () => undefined };
const median = (list: number[]) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)]!;

const inProcess = await Reranker.load(options);
const isolated = await Reranker.load({ ...options, isolation: "process" });
const rates = { inProcess: [] as number[], isolated: [] as number[] };
let maxDifference = 0;
await inProcess.rerank(query, passages.slice(0, 4));
await isolated.rerank(query, passages.slice(0, 4));
for (let round = 0; round < Number(values.rounds); round++) {
    const results: Record<string, number[]> = {};
    for (const [name, reranker] of [
        ["inProcess", inProcess],
        ["isolated", isolated]
    ] as const) {
        const started = performance.now();
        results[name] = await reranker.score(passages.map((passage) => [query, passage] as [string, string]));
        rates[name].push(passages.length / ((performance.now() - started) / 1000));
    }
    results.inProcess!.forEach((score, i) => (maxDifference = Math.max(maxDifference, Math.abs(score - results.isolated![i]!))));
}
await isolated.dispose();

const megabyte = words(200_000).slice(0, 1_000_000);
const loopDelay = monitorEventLoopDelay({ resolution: 1 });
loopDelay.enable();
const started = performance.now();
await inProcess.score([
    [query, megabyte],
    [query, megabyte.split("").reverse().join("")],
    [query, "x".repeat(1_000_000)]
]);
const megabyteMs = performance.now() - started;
loopDelay.disable();
await inProcess.dispose();

const inProcessRate = median(rates.inProcess);
const isolatedRate = median(rates.isolated);
console.log(`model ${values.model}, 1 query × ${passages.length} passages, ${values.rounds} interleaved rounds (medians)`);
console.log(`| mode | pairs/s |\n| --- | --- |\n| in-process | ${inProcessRate.toFixed(2)} |\n| isolated (child process) | ${isolatedRate.toFixed(2)} |`);
console.log(`isolated / in-process: ${(isolatedRate / inProcessRate).toFixed(3)}; max |score difference| ${maxDifference}`);
console.log(
    `3 passages of 1 MB: ${megabyteMs.toFixed(0)} ms for the call; event loop delay p99 ${(loopDelay.percentile(99) / 1e6).toFixed(1)} ms, max ${(loopDelay.max / 1e6).toFixed(1)} ms`
);
if (maxDifference !== 0) process.exitCode = 1;
