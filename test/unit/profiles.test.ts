import { describe, expect, it } from "vitest";
import { InvalidArgumentError, UnsupportedModelError } from "../../src/errors/errors.js";
import { listProfiles } from "../../src/index.js";
import { builtinProfiles } from "../../src/profiles/builtin/index.js";
import { detectProfile, getProfile } from "../../src/profiles/loadProfiles.js";
import type { ModelProfile } from "../../src/profiles/ModelProfile.js";
import { validateProfile } from "../../src/profiles/validateProfile.js";

// Profiles are typed data in src/profiles/builtin (the build checks their types); validateProfile
// checks what types cannot, and is the check a user's profile file will go through.
const gemma = getProfile("bge-reranker-v2-gemma");

function withField(profile: ModelProfile, field: string, value: unknown): unknown {
    const copy = structuredClone(profile) as unknown as Record<string, unknown>;
    const [head, tail] = field.split(".");
    if (tail !== undefined) (copy[head!] as Record<string, unknown>)[tail] = value;
    else if (value === undefined) delete copy[head!];
    else copy[head!] = value;
    return copy;
}

function failure(value: unknown, source?: string): Error {
    try {
        validateProfile(value, source);
    } catch (error) {
        return error as Error;
    }
    throw new Error("validateProfile accepted it");
}

describe("the built-in profiles", () => {
    it.each(builtinProfiles.map((profile) => [profile.name, profile] as const))("%s passes validateProfile", (_, profile) => {
        expect(validateProfile(profile)).toBe(profile);
        // JSON-clean data: what a user's profile file can hold too
        expect(validateProfile(JSON.parse(JSON.stringify(profile)))).toEqual(profile);
    });

    it("are listed by name, once each, and found by name and by architecture", () => {
        const names = listProfiles().map((profile) => profile.name);
        expect(names).toEqual(["bge-reranker-v2-gemma", "bge-reranker-v2-m3", "mxbai-rerank-v2", "qwen3-reranker"]);
        expect(new Set(names).size).toBe(names.length);
        expect(getProfile("qwen3-reranker").format).toBe("chat-template");
        expect(detectProfile("gemma", ["some gemma"])?.name).toBe("bge-reranker-v2-gemma");
        expect(detectProfile("bert", ["bge-reranker-v2-m3"])?.name).toBe("bge-reranker-v2-m3");
        // the converter's general.name (the model's directory) and general.basename of both sizes
        for (const names of [
            ["mxbai-rerank-base-v2", "mxbai-rerank-base"],
            ["Mxbai Rerank Large V2", "mxbai-rerank"]
        ])
            expect(detectProfile("qwen2", names)?.name).toBe("mxbai-rerank-v2");
        // the name alone does not pick it: mxbai-rerank-base-v1 is a DeBERTa-v2 (llama.cpp serves none)
        expect(detectProfile("deberta-v2", ["mxbai-rerank-base-v1"])).toBeUndefined();
        expect(detectProfile("llama", [])).toBeUndefined();
        expect(() => getProfile("nope")).toThrow(UnsupportedModelError);
    });

    it("cannot be changed through listProfiles", () => {
        const listed = listProfiles();
        listed.pop();
        expect(listProfiles()).toHaveLength(builtinProfiles.length);
    });
});

describe("validateProfile names the field that is wrong", () => {
    it.each([
        ["name", 7, /profile\.name/],
        ["name", "", /profile\.name/],
        ["description", undefined, /\.description/],
        ["architectures", [], /\.architectures/],
        ["architectures", ["gemma", 3], /\.architectures\[1\]/],
        ["tokenizerModels", "llama", /\.tokenizerModels/],
        ["nameHints", ["BGE-Reranker"], /lower-case.*\.nameHints\[0\]/],
        ["prompt", null, /\.prompt/],
        ["maxLength", 0, /\.maxLength/],
        ["maxLength", 1.5, /\.maxLength/],
        ["normalize", "softmax", /\.normalize/],
        ["score", "Yes", /\.score\b/],
        ["score.token", "", /\.score\.token/],
        ["queryPrefix", undefined, /\.queryPrefix/],
        ["separator", 10, /\.separator/]
    ] as const)("%s = %j: an InvalidArgumentError", (field, value, message) => {
        const error = failure(withField(gemma, field, value));
        expect(error).toBeInstanceOf(InvalidArgumentError);
        expect(error.message).toMatch(message);
    });

    it("names the profile, or the file it came from", () => {
        expect(failure(withField(gemma, "maxLength", -1)).message).toContain('profile "bge-reranker-v2-gemma".maxLength');
        expect(failure(withField(gemma, "maxLength", -1), "my-profile.json").message).toContain("my-profile.json.maxLength");
        expect(failure(null).message).toMatch(/profile/);
        expect(failure(null)).toBeInstanceOf(InvalidArgumentError);
    });

    it("refuses a format or score kind the library cannot run with an UnsupportedModelError", () => {
        const format = failure(withField(gemma, "format", "colbert"));
        expect(format).toBeInstanceOf(UnsupportedModelError);
        expect(format.message).toMatch(/\.format is "colbert"/);
        const kind = failure(withField(gemma, "score", { kind: "probability", token: "Yes" }));
        expect(kind).toBeInstanceOf(UnsupportedModelError);
        expect(kind.message).toMatch(/\.score\.kind/);
    });

    it("checks each format's own fields", () => {
        const qwen3 = getProfile("qwen3-reranker");
        expect(failure(withField(qwen3, "userTemplate", "{query} {document}")).message).toMatch(/\.userTemplate/);
        expect(failure(withField(qwen3, "userTemplate", "{instruction} {document} {query}")).message).toMatch(/\.userTemplate/);
        expect(failure(withField(qwen3, "textNormalization", "NFKC")).message).toMatch(/\.textNormalization/);
        expect(failure(withField(qwen3, "score", { kind: "softmax", token: "yes", against: "yes" })).message).toMatch(/\.score\.against/);
        const m3 = getProfile("bge-reranker-v2-m3");
        expect(failure(withField(m3, "pairSeparator", ["</s>", ""])).message).toMatch(/\.pairSeparator\[1\]/);
        expect(failure(withField(m3, "endToken", undefined)).message).toMatch(/\.endToken/);
    });

    it("refuses unknown fields, usually misspelt ones", () => {
        const error = failure({ ...gemma, queryPrefx: "A: " });
        expect(error).toBeInstanceOf(InvalidArgumentError);
        expect(error.message).toMatch(/unknown field "queryPrefx"/);
        // a field of another format is unknown to this one
        expect(failure({ ...gemma, userTemplate: "{instruction}{query}{document}" }).message).toMatch(/"userTemplate"/);
        expect(failure(withField(gemma, "score", { kind: "logit", token: "Yes", against: "No" })).message).toMatch(/score has unknown field "against"/);
    });
});
