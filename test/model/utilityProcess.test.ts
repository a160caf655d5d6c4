import { fork } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { Reranker, type IsolationProcess } from "../../src/index.js";
import { stderrProgress } from "../../src/cli/progressBar.js";
import { samplePassages, sampleQuery } from "../helpers/pairs.js";
import { testModels } from "../helpers/testModels.js";

const pairs = samplePassages.map((passage) => [sampleQuery, passage] as [string, string]);
const shim = path.resolve("test/fixtures/parentPortShim.mjs");

/** The parent side of Electron's UtilityProcess: postMessage, "message" with the message itself, "exit", kill. */
function utilityProcessLike(entryPoint: string): IsolationProcess {
    const child = fork(shim, [entryPoint], { serialization: "advanced", execArgv: [] });
    return {
        postMessage: (message) => child.send(message as object),
        on: (event: "message" | "exit", listener: (...args: never[]) => void) => child.on(event, listener as (...args: unknown[]) => void),
        kill: () => child.kill()
    };
}

describe("the isolated child as an Electron utility process", () => {
    it("serves over process.parentPort, started through isolationProcess, with the in-process scores", async () => {
        let started: string | undefined;
        const isolated = await Reranker.load({
            model: testModels.tiny,
            gpu: false,
            threads: 1,
            isolation: "process",
            isolationProcess: (entryPoint) => {
                started = entryPoint;
                return utilityProcessLike(entryPoint);
            }
        });
        const inProcess = await Reranker.load({ model: testModels.tiny, gpu: false, threads: 1 });
        try {
            expect(started).toMatch(/dist[\\/]isolation[\\/]childMain\.js$/);
            expect(await isolated.score(pairs)).toEqual(await inProcess.score(pairs));
        } finally {
            await isolated.dispose();
            await inProcess.dispose();
        }
    });
});

describe("the CLI's progress bar", () => {
    const recorder = (isTTY: boolean) => {
        const written: string[] = [];
        return { written, stream: { isTTY, write: (text: string) => written.push(text) } as unknown as NodeJS.WriteStream };
    };

    it("draws on a terminal, ends at the total and clears its line", () => {
        const { written, stream } = recorder(true);
        const bar = stderrProgress("ranking", stream);
        bar.onProgress!({ done: 0, total: 4 });
        bar.onProgress!({ done: 1, total: 4 }); // throttled: within 100 ms of the last redraw
        bar.onProgress!({ done: 4, total: 4 }); // the end is always drawn
        bar.done();
        expect(written).toEqual(["\rranking [..............................] 0/4", `\rranking [${"#".repeat(30)}] 4/4`, "\r\x1b[2K"]);
    });

    it("stays quiet when stderr is not a terminal", () => {
        const { written, stream } = recorder(false);
        const bar = stderrProgress("ranking", stream);
        expect(bar.onProgress).toBeUndefined();
        bar.done();
        expect(written).toEqual([]);
    });
});
