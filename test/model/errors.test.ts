import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
    DisposedError,
    InvalidArgumentError,
    InvalidModelFileError,
    ModelNotFoundError,
    RerankError,
    Reranker,
    SequenceTooLongError,
    UnsupportedModelError
} from "../../src/index.js";
import { testModels } from "../helpers/testModels.js";
import { writeMiniGemma } from "../helpers/writeMiniGemma.js";

const workDir = mkdtempSync(path.join(tmpdir(), "llm-rerank-errors-"));
const file = (name: string) => path.join(workDir, name);

async function loadError(model: string): Promise<unknown> {
    return Reranker.load({ model, gpu: false }).then(
        async (reranker) => {
            await reranker.dispose();
            return undefined;
        },
        (error: unknown) => error
    );
}

describe("bad model files get a typed error and the process lives on", () => {
    beforeAll(async () => {
        writeFileSync(file("notes.txt"), "these are not the weights you are looking for\n".repeat(10));
        const tiny = readFileSync(testModels.tiny);
        writeFileSync(file("truncated.gguf"), tiny.subarray(0, Math.floor(tiny.length / 2)));
        writeFileSync(file("header-only.gguf"), tiny.subarray(0, 64));
        await writeMiniGemma(file("llama-arch.gguf"), { architecture: "llama" });
        await writeMiniGemma(file("no-yes.gguf"), { tokens: ["<pad>", "<eos>", "<bos>", "<unk>", "yes", "No", "A", ":"] });
        await writeMiniGemma(file("zero-heads.gguf"), { headCount: 0 });
        await writeMiniGemma(file("missing-tensor.gguf"), { omitTensor: "blk.0.ffn_down.weight" });
    });

    it.each([
        ["a missing file", "does-not-exist.gguf", ModelNotFoundError, /not found/],
        ["a directory", ".", ModelNotFoundError, /not found/],
        ["a text file", "notes.txt", InvalidModelFileError, /not a valid GGUF/],
        ["a truncated GGUF", "truncated.gguf", InvalidModelFileError, /truncated/],
        ["a GGUF cut inside its header", "header-only.gguf", InvalidModelFileError, /not a valid GGUF/],
        ["a GGUF of another architecture", "llama-arch.gguf", UnsupportedModelError, /"llama" model/],
        ['a vocabulary without "Yes"', "no-yes.gguf", UnsupportedModelError, /no "Yes" token/],
        ["zero attention heads", "zero-heads.gguf", InvalidModelFileError, /head_count must be a positive integer/],
        ["a missing tensor", "missing-tensor.gguf", InvalidModelFileError, /blk\.0\.ffn_down\.weight is missing/]
    ])("%s", async (_case, name, errorClass, message) => {
        const error = await loadError(file(name));
        expect(error).toBeInstanceOf(errorClass);
        expect(error).toBeInstanceOf(RerankError);
        expect((error as Error).message).toMatch(message);
        expect((error as RerankError).code).toMatch(/^ERR_/);
    });

    it("still loads and scores a good model afterwards", async () => {
        const reranker = await Reranker.load({ model: testModels.tiny, gpu: false });
        const [score] = await reranker.score([["q", "p"]]);
        expect(Number.isFinite(score)).toBe(true);
        await reranker.dispose();
    });
});

describe("bad arguments get a typed error and leave the reranker usable", () => {
    let reranker: Reranker;
    beforeAll(async () => {
        reranker = await Reranker.load({ model: testModels.tiny, gpu: false, slots: 2 });
    });
    afterAll(() => reranker.dispose());

    it.each([
        ["slots 0", { slots: 0 }, /Expected an integer between 1 and 256 for slots but received 0/],
        ["a non-string prompt", { prompt: 7 }, /Expected a string for prompt/],
        ["an unknown kvType", { kvType: "q4" }, /Expected one of "f32", "f16" for kvType/],
        ["an unknown profile", { profile: "nope" }, /unknown profile "nope"/],
        ["a typo in an option's name", { threds: 2 }, /Unknown option "threds" in Reranker.load options; did you mean "threads"\?/],
        ["a gpu this version does not know", { gpu: "rocm" }, /Expected one of "auto", "cuda", "metal", "vulkan", false for gpu/]
    ])("load with %s", async (_case, extra, message) => {
        await expect(Reranker.load({ model: testModels.tiny, gpu: false, ...(extra as object) })).rejects.toThrow(message);
    });

    it("rejects malformed pairs, sequences and options", async () => {
        await expect(reranker.score("nope" as never)).rejects.toBeInstanceOf(InvalidArgumentError);
        await expect(reranker.score([["q"]] as never)).rejects.toThrow(/pairs\[0\]/);
        await expect(reranker.score([["q", 5]] as never)).rejects.toThrow(/pairs\[0\]/);
        await expect(reranker.scoreTokens([[]])).rejects.toThrow(/sequences\[0\]/);
        await expect(reranker.scoreTokens([[2, 999999999]])).rejects.toThrow(/token id/);
        await expect(reranker.scoreTokens([[2, -1]])).rejects.toThrow(/token id/);
        await expect(reranker.scoreTokens([[2, 1.5]])).rejects.toThrow(/token id/);
        await expect(reranker.scoreTokens([new Array(100_000).fill(5)])).rejects.toBeInstanceOf(SequenceTooLongError);
        await expect(reranker.rerank("q", ["p"], { topN: -1 })).rejects.toThrow(/topN/);
        await expect(reranker.score([["q", "p"]], { normalize: "yes" } as never)).rejects.toThrow(/normalize/);
        await expect(reranker.buildInput(1 as never, "p")).rejects.toThrow(InvalidArgumentError);
        // An option this version does not have is refused by name, never ignored.
        await expect(reranker.rerank("q", ["p"], { chunking: "max" } as never)).rejects.toThrow(/Unknown option "chunking"/);
        await expect(reranker.rerank("q", ["p"], { overflow: "max-chunk" } as never)).rejects.toThrow(/"truncate", "max-window"/);
        await expect(reranker.score([["q", "p"]], { normalise: true } as never)).rejects.toThrow(/did you mean "normalize"\?/);
        await expect(reranker.rerank("q", ["p"], { topn: 1 } as never)).rejects.toThrow(/did you mean "topN"\?/);
        await expect(reranker.scoreTokens([[2, 5]], { normalize: true } as never)).rejects.toThrow(/Unknown option "normalize"/);
        const streamed = async () => {
            for await (const item of reranker.scoreStream([["q", "p"]], { sginal: undefined, onprogress: () => undefined } as never)) void item;
        };
        await expect(streamed()).rejects.toThrow(/did you mean "onProgress"\?/);
        const scores = await reranker.score([
            ["q", "p"],
            ["q", "another passage"]
        ]);
        expect(scores.every(Number.isFinite)).toBe(true);
    });

    it("empty input gives empty output", async () => {
        expect(await reranker.score([])).toEqual([]);
        expect(await reranker.rerank("q", [])).toEqual([]);
        expect(await reranker.scoreTokens([])).toEqual([]);
    });
});

describe("disposal", () => {
    it("rejects the call it interrupts, is idempotent, and refuses later calls", async () => {
        const reranker = await Reranker.load({ model: testModels.tiny, gpu: false });
        const inFlight = reranker.score([
            ["q", "a passage"],
            ["q", "another"]
        ]);
        const disposed = reranker.dispose();
        expect(reranker.disposed).toBe(true);
        // Still tokenizing when dispose() came: it never reaches a decode (see test/engine.test.ts).
        await expect(inFlight).rejects.toBeInstanceOf(DisposedError);
        await disposed;
        await reranker.dispose();
        await expect(reranker.score([["q", "p"]])).rejects.toBeInstanceOf(DisposedError);
        expect(() => reranker.describe()).toThrow(DisposedError);
    });

    it("supports await using", async () => {
        let outside: Reranker | undefined;
        {
            await using reranker = await Reranker.load({ model: testModels.tiny, gpu: false });
            outside = reranker;
            expect(reranker.disposed).toBe(false);
        }
        expect(outside.disposed).toBe(true);
    });
});
