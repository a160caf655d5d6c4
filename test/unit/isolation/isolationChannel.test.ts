import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { forkIsolationProcess } from "../../../src/isolation/IsolationChannel.js";

describe("forkIsolationProcess", () => {
    it("a message sent to a child that just died does not end this process", async () => {
        // A stand-in child: says it listens, then idles (no llama.cpp needed to die).
        const entryPoint = path.join(mkdtempSync(path.join(tmpdir(), "llm-rerank-channel-")), "child.mjs");
        writeFileSync(entryPoint, "process.on('message', () => {}); process.send({ listening: true }); setInterval(() => {}, 1000);");
        const child = forkIsolationProcess(entryPoint);
        await new Promise<void>((resolve) => child.on("message", () => resolve()));
        const exited = new Promise<{ code: number | null; signal: string | null | undefined }>((resolve) =>
            child.on("exit", (code, signal) => resolve({ code, signal }))
        );
        child.kill();
        // Sends race the death: between the channel closing and "exit", and after it. Unhandled,
        // node reports each as an "error" event on the ChildProcess, which would throw here.
        let exitSeen = false;
        void exited.then(() => (exitSeen = true));
        for (let i = 0; i < 10_000 && !exitSeen; i++) {
            child.postMessage({ id: i, kind: "decode", args: {} });
            await new Promise((resolve) => setImmediate(resolve));
        }
        child.postMessage({ id: -1, kind: "decode", args: {} });
        expect(await exited).toEqual({ code: null, signal: "SIGKILL" });
        await new Promise((resolve) => setImmediate(resolve));
    });
});
