import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InvalidArgumentError, Reranker, UnsupportedModelError } from "../../../src/index.js";
import { bgeRerankerV2Gemma } from "../../../src/profiles/builtin/bgeRerankerV2Gemma.js";
import { qwen3Reranker } from "../../../src/profiles/builtin/qwen3Reranker.js";
import { samplePassages, sampleQuery } from "../../helpers/pairs.js";
import { testModels } from "../../helpers/testModels.js";
import { qwen3Pairs } from "../../qwen3/qwen3Pairs.js";
import { ensureQwen3TinyModel } from "../../qwen3/qwen3TestModel.js";

// The shipped causal profiles, written as users write profile files (docs/profiles.md): the
// generic "template" format must reproduce them token for token and score for score.
const directory = mkdtempSync(path.join(tmpdir(), "llm-rerank-profiles-"));

function writeProfile(name: string, profile: unknown): string {
    const file = path.join(directory, name);
    writeFileSync(file, typeof profile === "string" ? profile : JSON.stringify(profile, null, 2));
    return file;
}

const qwen3File = writeProfile("my-qwen3.json", {
    name: "my-qwen3",
    description: "Qwen3-Reranker as its model card builds the input: prefix + tokenizer(message)[:budget] + suffix.",
    architectures: ["qwen3"],
    nameHints: [],
    format: "template",
    template: [qwen3Reranker.templatePrefix, qwen3Reranker.userTemplate, qwen3Reranker.templateSuffix],
    tokenize: "parts",
    truncation: { budget: "input" },
    textNormalization: "NFC",
    prompt: qwen3Reranker.prompt,
    maxLength: qwen3Reranker.maxLength,
    score: { kind: "softmax", token: "yes", against: "no" },
    normalize: "none"
});

const gemmaFile = writeProfile("my-gemma.json", {
    name: "my-bge-gemma",
    description: "bge-reranker-v2-gemma as FlagEmbedding builds its input.",
    architectures: ["gemma"],
    nameHints: [],
    format: "template",
    template: ["A: {query}", "\n", "B: {document}", "\n", "{instruction}"],
    tokenize: "parts",
    bos: true,
    truncation: { queryShare: 0.75, budget: "query-to-document+tail" },
    prompt: bgeRerankerV2Gemma.prompt,
    maxLength: bgeRerankerV2Gemma.maxLength,
    score: { kind: "logit", token: "Yes" },
    normalize: "sigmoid"
});

const longQuery = "which tides come twice a day and why does the moon pull the water ".repeat(12);
const gemmaPairs: [string, string][] = [
    ...samplePassages.map((passage) => [sampleQuery, passage] as [string, string]),
    [longQuery, samplePassages[2]!.repeat(8)],
    [longQuery, ""],
    ["", samplePassages[0]!]
];

async function compare(model: string, file: string, builtin: string, pairs: [string, string][], options: Record<string, unknown>, queryIsCut: boolean) {
    const shipped = await Reranker.load({ model, gpu: false, profile: builtin, ...options });
    const user = await Reranker.load({ model, gpu: false, profile: file, ...options });
    try {
        for (const [query, passage] of pairs) expect(await user.buildInput(query, passage)).toEqual(await shipped.buildInput(query, passage));
        const [expected, actual] = [await shipped.score(pairs), await user.score(pairs)];
        expect(actual).toEqual(expected);
        expect(await user.score(pairs, { normalize: true })).toEqual(await shipped.score(pairs, { normalize: true }));
        expect(user.describe().profile).not.toBe(shipped.describe().profile);
        // a query far over maxLength: cut alike, or (where the query is never cut) refused by both
        const tooLong: [string, string] = [longQuery.repeat(4), "a document"];
        if (queryIsCut) expect(await user.score([tooLong])).toEqual(await shipped.score([tooLong]));
        else {
            await expect(shipped.score([tooLong])).rejects.toThrow(InvalidArgumentError);
            await expect(user.score([tooLong])).rejects.toThrow(InvalidArgumentError);
            expect(await user.score(pairs.slice(0, 2))).toEqual(await shipped.score(pairs.slice(0, 2)));
        }
        return actual;
    } finally {
        await Promise.all([shipped.dispose(), user.dispose()]);
    }
}

describe("a shipped profile written as a user's profile file scores bit for bit alike", () => {
    it("qwen3-reranker on the tiny Qwen3 model, maxLength 120 (long documents cut)", async () => {
        const scores = await compare(await ensureQwen3TinyModel(), qwen3File, "qwen3-reranker", qwen3Pairs, { maxLength: 120 }, false);
        expect(new Set(scores).size).toBeGreaterThan(qwen3Pairs.length / 2);
    });

    it("bge-reranker-v2-gemma on the tiny Gemma model, maxLength 64 (query cut to 48 tokens, passages cut)", async () => {
        await compare(testModels.tiny, gemmaFile, "bge-reranker-v2-gemma", gemmaPairs, { maxLength: 64 }, true);
    });
});

describe("malformed profile files get typed errors that name the file and field", () => {
    let reranker: Reranker;
    beforeAll(async () => {
        reranker = await Reranker.load({ model: testModels.tiny, gpu: false, profile: gemmaFile });
    });
    afterAll(() => reranker?.dispose());

    const base = JSON.parse(JSON.stringify({ ...bgeRerankerV2Gemma }));
    it.each([
        ["a missing file", () => path.join(directory, "absent.json"), InvalidArgumentError, /absent\.json does not exist/],
        ["bad JSON", () => writeProfile("bad.json", '{\n  "name": "x",\n}'), InvalidArgumentError, /bad\.json is not valid JSON.*line 3, column 1/],
        [
            "a misspelt field",
            () => writeProfile("typo.json", { ...base, normalise: "sigmoid" }),
            InvalidArgumentError,
            /typo\.json has unknown field "normalise" \(did you mean "normalize"/
        ],
        ["a wrong type", () => writeProfile("type.json", { ...base, maxLength: "512" }), InvalidArgumentError, /type\.json\.maxLength/],
        ["an unknown score kind", () => writeProfile("kind.json", { ...base, score: { kind: "entropy" } }), UnsupportedModelError, /kind\.json\.score\.kind/],
        [
            "a template without {document}",
            () => writeProfile("nodoc.json", { ...readGemmaProfile(), template: ["A: {query}"] }),
            InvalidArgumentError,
            /nodoc\.json\.template/
        ],
        [
            "a {document} that does not end its part",
            () => writeProfile("docend.json", { ...readGemmaProfile(), template: ["A: {query}", "B: {document} end"] }),
            InvalidArgumentError,
            /docend\.json\.template/
        ],
        [
            "a template profile for another architecture",
            () => writeProfile("arch.json", { ...readGemmaProfile(), architectures: ["qwen3"] }),
            UnsupportedModelError,
            /profile my-bge-gemma serves qwen3/
        ]
    ])("%s", async (_, file, ErrorClass, message) => {
        const error = await Reranker.load({ model: testModels.tiny, gpu: false, profile: file() }).catch((caught: unknown) => caught);
        expect(error).toBeInstanceOf(ErrorClass);
        expect((error as Error).message).toMatch(message);
        // the failed load leaves the loaded reranker working
        expect(await reranker.score([[sampleQuery, samplePassages[0]!]])).toHaveLength(1);
    });

    it("reads a name without .json as a built-in profile, and says which exist", async () => {
        await expect(Reranker.load({ model: testModels.tiny, gpu: false, profile: "my-gemma" })).rejects.toThrow(/unknown profile "my-gemma"; known profiles/);
    });
});

function readGemmaProfile(): Record<string, unknown> {
    return JSON.parse(readFileSync(gemmaFile, "utf8")) as Record<string, unknown>;
}
