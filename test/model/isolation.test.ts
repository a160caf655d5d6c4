import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BackendCrashedError, DisposedError, GpuUnavailableError, InvalidArgumentError, RerankError, Reranker, isRerankError } from "../../src/index.js";
import { samplePassages, sampleQuery } from "../helpers/pairs.js";
import { testModels } from "../helpers/testModels.js";
import { packingTolerance } from "../helpers/packingTolerance.js";

// isolation: "process" runs llama.cpp in a child started from dist/isolation/childMain.js
// (npm test builds dist/ first). The child is real: a real fork, real IPC, a real abort.

const pairs = samplePassages.map((passage) => [sampleQuery, passage] as [string, string]);

describe('isolation: "process"', () => {
    let inProcess: Reranker;
    let isolated: Reranker;

    beforeAll(async () => {
        inProcess = await Reranker.load({ model: testModels.tiny, gpu: false, slots: 4, batchSize: 64, threads: 1 });
        isolated = await Reranker.load({ model: testModels.tiny, gpu: false, slots: 4, batchSize: 64, threads: 1, isolation: "process" });
    });

    afterAll(async () => {
        await inProcess?.dispose();
        await isolated?.dispose();
    });

    it("scores bit for bit as the in-process mode, through the same engine", async () => {
        expect(isolated.describe().backend.isolation).toBe("process");
        expect(inProcess.describe().backend.isolation).toBe("in-process");
        expect(await isolated.score(pairs)).toEqual(await inProcess.score(pairs));
        expect(await isolated.buildInput(sampleQuery, samplePassages[0]!)).toEqual(await inProcess.buildInput(sampleQuery, samplePassages[0]!));
        const sequences = await Promise.all(pairs.map(([query, passage]) => inProcess.buildInput(query, passage)));
        expect(await isolated.scoreTokens(sequences)).toEqual(await inProcess.scoreTokens(sequences));
        expect(isolated.describe().scoreTokens).toEqual(inProcess.describe().scoreTokens);
    });

    it("reports where llama.cpp placed the model, read in the child, as the in-process mode does", () => {
        const isolatedPlacement = isolated.describe().placement;
        const inProcessPlacement = inProcess.describe().placement;
        expect(isolatedPlacement).not.toBeNull();
        expect(isolatedPlacement.layerCount).toBe(inProcessPlacement.layerCount);
        expect(isolatedPlacement).toMatchObject({ devices: [], layersOffloaded: 0 });
        // The same context settings give the same allocations, whichever process made them.
        expect(isolatedPlacement.memory).toEqual(inProcessPlacement.memory);
        expect(isolated.describe().backend.childPid).toEqual(expect.any(Number));
        expect(isolated.describe().backend.childPid).not.toBe(process.pid);
    });

    it("revives the child's errors with their class, code and fields", async () => {
        // No CUDA here: the child's InProcessHost throws GpuUnavailableError, which must arrive whole.
        const error = await Reranker.load({ model: testModels.tiny, gpu: "cuda", isolation: "process" }).then(
            () => undefined,
            (failure: unknown) => failure
        );
        expect(error).toBeInstanceOf(GpuUnavailableError);
        expect(error).toBeInstanceOf(RerankError);
        expect(isRerankError(error, "ERR_GPU_UNAVAILABLE")).toBe(true);
        expect(error).toMatchObject({ name: "GpuUnavailableError", code: "ERR_GPU_UNAVAILABLE", gpu: "cuda" });
        expect((error as Error).stack).toMatch(/across the process boundary/);
    });

    it("refuses a bad option before any child process starts", async () => {
        const started: string[] = [];
        const load = Reranker.load({
            model: testModels.tiny,
            isolation: "process",
            isolationProcess: (entryPoint: string) => {
                started.push(entryPoint);
                throw new Error("must not be called");
            },
            threads: 0
        });
        await expect(load).rejects.toBeInstanceOf(InvalidArgumentError);
        await expect(Reranker.load({ model: testModels.tiny, isolation: "process", gpu: "tpu" as never })).rejects.toBeInstanceOf(InvalidArgumentError);
        expect(started).toEqual([]);
    });

    it("serves concurrent calls and disposes like the in-process mode", async () => {
        const results = await Promise.all(pairs.map((pair) => isolated.score([pair])));
        const alone = await inProcess.score(pairs);
        results.forEach(([score], i) => expect(Math.abs(score! - alone[i]!)).toBeLessThanOrEqual(packingTolerance));
        const other = await Reranker.load({ model: testModels.tiny, gpu: false, isolation: "process" });
        const running = expect(other.score(pairs)).rejects.toBeInstanceOf(DisposedError);
        await other.dispose();
        await running;
    });

    it("survives the child aborting mid-call: calls in flight get BackendCrashedError, a reload scores again", async () => {
        // Test hook read only by the child: abort() at its 2nd decode, as a failed GGML_ASSERT does.
        process.env.LLM_RERANK_TEST_ABORT_AT_DECODE = "2";
        let doomed: Reranker;
        try {
            doomed = await Reranker.load({ model: testModels.tiny, gpu: false, slots: 2, batchSize: 32, threads: 1, isolation: "process" });
        } finally {
            delete process.env.LLM_RERANK_TEST_ABORT_AT_DECODE;
        }
        const calls = [doomed.score(pairs), doomed.score(pairs.slice(0, 2))];
        for (const call of calls) {
            const error = await call.then(
                () => undefined,
                (failure: unknown) => failure
            );
            expect(error).toBeInstanceOf(BackendCrashedError);
            expect((error as BackendCrashedError).code).toBe("ERR_BACKEND_CRASHED");
            expect((error as BackendCrashedError).signal).toBe("SIGABRT");
        }
        await expect(doomed.score(pairs)).rejects.toBeInstanceOf(BackendCrashedError);
        await doomed.dispose();

        const reloaded = await Reranker.load({ model: testModels.tiny, gpu: false, slots: 4, batchSize: 64, threads: 1, isolation: "process" });
        try {
            expect(await reloaded.score(pairs)).toEqual(await inProcess.score(pairs));
        } finally {
            await reloaded.dispose();
        }
    });
});
