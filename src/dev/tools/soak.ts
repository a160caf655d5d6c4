#!/usr/bin/env node
// npm run soak [-- --calls N --model M.gguf --isolation none|process --threads T]: many calls of mixed sizes,
// concurrent, with aborts and periodic disposes and reloads, printing memory at start and end and
// the event loop's p99 delay. It checks that memory stays flat: what one call allocates must be
// freed again, across thousands of calls and reloads.
// npm run soak -- --http [--requests N --kills K --max-seconds S]: the same against `serve --isolation
// process` over HTTP, with disconnects, oversized bodies and the llama.cpp child killed (soakHttp.ts).
import { monitorEventLoopDelay } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { AbortedError, DisposedError, Reranker } from "../../index.js";
import { SeededRandom } from "../../testModel/SeededRandom.js";

const { values } = parseArgs({
    options: {
        calls: { type: "string", default: "2000" },
        model: { type: "string", default: "models/tiny-gemma-f32.gguf" },
        isolation: { type: "string", default: "none" },
        seed: { type: "string", default: "7" },
        "rss-bound-mb": { type: "string" },
        threads: { type: "string" },
        http: { type: "boolean" },
        requests: { type: "string", default: "400" },
        kills: { type: "string", default: "2" },
        "max-seconds": { type: "string", default: "300" }
    }
});
if (values.http) {
    const { soakHttp } = await import("./soakHttp.js");
    process.exit(
        await soakHttp({
            model: values.model!,
            requests: Number(values.requests),
            kills: Number(values.kills),
            seed: Number(values.seed),
            threads: values.threads ? Number(values.threads) : undefined,
            rssBoundMB: Number(values["rss-bound-mb"] ?? 16),
            maxSeconds: Number(values["max-seconds"])
        })
    );
}
const totalCalls = Number(values.calls);
const random = new SeededRandom(Number(values.seed), "soak");
const words = ["tide", "moon", "ocean", "gravity", "潮汐", "🌊", "banana", "pull", "water", "<bos>", "\u0000", "e\u0301"];
const text = (length: number) => Array.from({ length }, () => words[random.nextUint32() % words.length]).join(" ");
const load = () =>
    Reranker.load({
        model: values.model!,
        gpu: false,
        threads: values.threads ? Number(values.threads) : undefined,
        isolation: values.isolation as "none" | "process",
        onWarning: () => undefined
    });

const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(1);
const memory = () => {
    const usage = process.memoryUsage();
    return { rss: usage.rss, external: usage.external + usage.arrayBuffers };
};

let reranker = await load();
// Warm up before the first reading: the first calls grow caches and allocator pools once.
await reranker.score(Array.from({ length: 32 }, () => [text(4), text(60)] as [string, string]));
global.gc?.();
const start = memory();
const loopDelay = monitorEventLoopDelay({ resolution: 5 });
loopDelay.enable();
const outcomes = { scored: 0, aborted: 0, disposed: 0, reloads: 0 };
const rssSamples: number[] = [];

for (let done = 0; done < totalCalls;) {
    const wave = Math.min(20, totalCalls - done);
    const calls: Promise<unknown>[] = [];
    for (let i = 0; i < wave; i++) {
        const size = [1, 3, 10, 40][random.nextUint32() % 4]!;
        const pairs = Array.from({ length: size }, () => [text(1 + (random.nextUint32() % 8)), text(5 + (random.nextUint32() % 120))] as [string, string]);
        const controller = new AbortController();
        if (random.nextUint32() % 5 === 0) setTimeout(() => controller.abort(), random.nextUint32() % 20);
        calls.push(
            reranker.score(pairs, { signal: controller.signal }).then(
                (scores) => {
                    if (!scores.every(Number.isFinite)) throw new Error("a non-finite score was returned");
                    outcomes.scored++;
                },
                (error: unknown) => {
                    if (error instanceof AbortedError) outcomes.aborted++;
                    else if (error instanceof DisposedError) outcomes.disposed++;
                    else throw error;
                }
            )
        );
    }
    done += wave;
    // Every 10th wave: dispose with calls in flight, then load again.
    if ((done / wave) % 10 === 0) {
        await reranker.dispose();
        reranker = await load();
        outcomes.reloads++;
    }
    await Promise.all(calls);
    if (done % 200 === 0) {
        global.gc?.();
        rssSamples.push(memory().rss);
    }
}
await reranker.dispose();
loopDelay.disable();
global.gc?.();
const end = memory();
const boundMB = values["rss-bound-mb"] ?? "64";
const bound = Number(boundMB) * 2 ** 20;
// Flat: the second half of the run grows RSS by less than the bound (the first half settles pools).
const half = rssSamples.slice(Math.floor(rssSamples.length / 2));
const growth = half.length > 1 ? Math.max(...half) - half[0]! : 0;
console.log(
    JSON.stringify(
        {
            calls: totalCalls,
            isolation: values.isolation,
            ...outcomes,
            rssStartMB: mb(start.rss),
            rssEndMB: mb(end.rss),
            externalStartMB: mb(start.external),
            externalEndMB: mb(end.external),
            rssSamplesMB: rssSamples.map(mb),
            secondHalfGrowthMB: mb(growth),
            boundMB,
            eventLoopP99Ms: (loopDelay.percentile(99) / 1e6).toFixed(1)
        },
        null,
        2
    )
);
if (growth > bound) {
    console.error(`RSS grew ${mb(growth)} MB over the second half of the run, more than the ${boundMB} MB bound`);
    process.exit(1);
}
