import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { testModels } from "../helpers/testModels.js";

// These run the compiled library (dist/) the way an app does, in a fresh process each time.
const entry = path.resolve("dist/index.js");

const scriptDir = mkdtempSync(path.join(tmpdir(), "llm-rerank-lifecycle-"));
let scriptCount = 0;

// A script file, not `node -e`: node-llama-cpp forks test processes that inherit execArgv, and an
// inherited -e would run this script again in them instead of their own.
function runScript(source: string): { stdout: string; status: number } {
    const scriptPath = path.join(scriptDir, `script-${scriptCount++}.mjs`);
    writeFileSync(scriptPath, source);
    try {
        const stdout = execFileSync(process.execPath, [scriptPath], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 120_000 });
        return { stdout, status: 0 };
    } catch (error) {
        const failed = error as { stdout?: string; stderr?: string; status?: number };
        throw new Error(`child exited with ${failed.status}: ${failed.stderr ?? ""}`);
    }
}

describe("lifecycle", () => {
    it("exits cleanly when the app never calls dispose()", () => {
        const { stdout } = runScript(`
            import { Reranker } from ${JSON.stringify(entry)};
            const reranker = await Reranker.load({ model: ${JSON.stringify(testModels.tiny)}, gpu: false });
            const [score] = await reranker.score([["q", "p"]]);
            console.log(Number.isFinite(score) ? "scored" : "not finite");
        `);
        expect(stdout.trim()).toBe("scored");
    });

    it("loads the prebuilt llama.cpp when asked, whether or not a local build exists", () => {
        const { stdout } = runScript(`
            import { Reranker } from ${JSON.stringify(entry)};
            const reranker = await Reranker.load({ model: ${JSON.stringify(testModels.tiny)}, gpu: false, llamaBuild: "prebuilt" });
            console.log(reranker.describe().backend.build);
            await reranker.dispose();
        `);
        expect(stdout.trim()).toBe("prebuilt");
    });

    it("works inside a worker thread, and the main thread's reranker alongside it", () => {
        const { stdout } = runScript(`
            import { Worker } from "node:worker_threads";
            import { Reranker } from ${JSON.stringify(entry)};
            const model = ${JSON.stringify(testModels.tiny)};
            const workerSource = \`
                import { parentPort } from "node:worker_threads";
                const { Reranker } = await import(${JSON.stringify(entry)});
                const reranker = await Reranker.load({ model: ${JSON.stringify(testModels.tiny)}, gpu: false });
                const scores = await reranker.score([["q", "p"]]);
                await reranker.dispose();
                parentPort.postMessage(scores[0]);
            \`;
            const mainReranker = await Reranker.load({ model, gpu: false });
            const [mainScore] = await mainReranker.score([["q", "p"]]);
            const workerScore = await new Promise((resolve, reject) => {
                const worker = new Worker(workerSource, { eval: true, type: "module" });
                worker.once("message", resolve);
                worker.once("exit", (code) => code !== 0 && reject(new Error("worker exit " + code)));
                worker.once("error", reject);
            });
            await mainReranker.dispose();
            console.log(workerScore === mainScore ? "same" : "different " + workerScore + " " + mainScore);
        `);
        expect(stdout.trim()).toBe("same");
    });

    it("keeps the event loop free while scoring", () => {
        const { stdout } = runScript(`
            import { Reranker } from ${JSON.stringify(entry)};
            const reranker = await Reranker.load({ model: ${JSON.stringify(testModels.mid)}, gpu: false, slots: 2, batchSize: 64 });
            let ticks = 0;
            const timer = setInterval(() => ticks++, 1);
            const passages = Array.from({ length: 24 }, (_, i) => "passage number " + i + " about tides and the moon. ".repeat(8));
            let decodes = 0;
            await reranker.rerank("how do tides work?", passages, { onUsage: (usage) => (decodes = usage.decodes) });
            clearInterval(timer);
            console.log(JSON.stringify({ ticks, decodes }));
            await reranker.dispose();
        `);
        const { ticks, decodes } = JSON.parse(stdout) as { ticks: number; decodes: number };
        // Timers fire between decodes only if each decode runs off the main thread; a blocking decode
        // loop would starve them. No timing bound: only that the loop turned while work was pending.
        expect(decodes).toBeGreaterThan(5);
        expect(ticks).toBeGreaterThanOrEqual(decodes);
    });
});
