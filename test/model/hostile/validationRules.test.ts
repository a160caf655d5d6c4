import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InvalidModelFileError, Reranker, UnsupportedModelError } from "../../../src/index.js";
import { deriveCompactGemma } from "../../../src/dev/fuzz/deriveCompactGemma.js";
import { cloneImage, encodeImage, findEntry, readGgufImage, setEntry, type GgufImage } from "../../../src/dev/fuzz/GgufImage.js";
import { GgufValueType as T } from "../../../src/gguf/GgufValueType.js";
import { inspectModelFile } from "../../../src/gguf/inspectModelFile.js";
import { FlagEmbeddingInputBuilder } from "../../../src/input/FlagEmbeddingInputBuilder.js";
import { getProfile } from "../../../src/profiles/loadProfiles.js";
import type { FlagEmbeddingProfile } from "../../../src/profiles/ModelProfile.js";
import { testModels } from "../../helpers/testModels.js";
import { ensureQwen3TinyModel } from "../../qwen3/qwen3TestModel.js";

// One test per validation rule: each breaks the rule in an otherwise valid model and expects the
// typed error. Without the rule, llama.cpp 0.4.0 aborts the process on these files (the rules'
// comments name the assert), so they are checked here without ever handing them to llama.cpp.
const workDir = mkdtempSync(path.join(tmpdir(), "llm-rerank-rules-"));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));
let gemma: GgufImage;
let qwen3: GgufImage;
let fileNumber = 0;

function write(image: GgufImage): string {
    const file = path.join(workDir, `rule-${fileNumber++}.gguf`);
    const fd = openSync(file, "w");
    for (const chunk of encodeImage(image).chunks) writeSync(fd, chunk);
    closeSync(fd);
    return file;
}

function edited(base: GgufImage, edit: (image: GgufImage) => void): string {
    const image = cloneImage(base);
    edit(image);
    return write(image);
}

async function refusal(file: string): Promise<unknown> {
    return inspectModelFile(file).then(
        () => undefined,
        (error: unknown) => error
    );
}

async function expectRefused(file: string, errorClass: typeof InvalidModelFileError | typeof UnsupportedModelError, message: RegExp) {
    const error = await refusal(file);
    expect(error).toBeInstanceOf(errorClass);
    expect((error as Error).message).toMatch(message);
}

const u32 = (key: string, value: number) => (image: GgufImage) => setEntry(image, key, T.uint32, value);

beforeAll(async () => {
    gemma = deriveCompactGemma(await readGgufImage(testModels.tiny));
    qwen3 = await readGgufImage(await ensureQwen3TinyModel());
});

describe("the unmodified bases pass", () => {
    it("compact Gemma and Qwen3", async () => {
        expect(await refusal(write(gemma))).toBeUndefined();
        expect(await refusal(write(qwen3))).toBeUndefined();
    });
});

describe("hyper-parameters llama.cpp asserts on", () => {
    it.each([0, 513, 0xffffffff])("block_count %d (llama-model.cpp:1226)", async (count) => {
        await expectRefused(edited(gemma, u32("gemma.block_count", count)), InvalidModelFileError, /block_count is \d+; llama.cpp takes 1 to 512/);
    });
    it("nextn_predict_layers above block_count (llama-model.cpp:1228)", async () => {
        await expectRefused(edited(gemma, u32("gemma.nextn_predict_layers", 3)), InvalidModelFileError, /nextn_predict_layers is 3, more than block_count 2/);
    });
    it.each([
        [2000, 2, /at most 1024/],
        [4, 5, /expert_used_count 5 is more than expert_count 4/],
        [4, 0, /expert_used_count is 0/]
    ] as const)("expert_count %d with expert_used_count %d (llama-model.cpp:1259-1271)", async (count, used, message) => {
        const file = edited(gemma, (image) => {
            u32("gemma.expert_count", count)(image);
            u32("gemma.expert_used_count", used)(image);
        });
        await expectRefused(file, InvalidModelFileError, message);
    });
    it("rope.scaling.type outside none, linear, yarn, longrope (llama-model.cpp:1294)", async () => {
        await expectRefused(
            edited(gemma, (image) => setEntry(image, "gemma.rope.scaling.type", T.string, "bogus")),
            InvalidModelFileError,
            /rope.scaling.type is "bogus"/
        );
        expect(await refusal(edited(gemma, (image) => setEntry(image, "gemma.rope.scaling.type", T.string, "yarn")))).toBeUndefined();
    });
    it.each([-1, Number.NaN, Number.POSITIVE_INFINITY])("layer_norm_rms_epsilon %d (ops.cpp:3949, rms_norm: eps >= 0)", async (epsilon) => {
        const file = edited(gemma, (image) => setEntry(image, "gemma.attention.layer_norm_rms_epsilon", T.float32, epsilon));
        await expectRefused(file, InvalidModelFileError, /layer_norm_rms_epsilon is .*; it must be finite and not negative/);
    });
    it("pooling_type outside 0..4 (llama-graph.cpp:3699)", async () => {
        await expectRefused(edited(gemma, u32("gemma.pooling_type", 5)), InvalidModelFileError, /pooling_type is 5/);
    });
    it("a value head size other than the key head size (qwen3.cpp:56, gemma.cpp's Q reshape)", async () => {
        await expectRefused(edited(gemma, u32("gemma.attention.value_length", 32)), InvalidModelFileError, /value_length 32 differs from key_length 16/);
    });
    it.each([15, 18, 0])("rope.dimension_count %d: odd, above the head size or zero (ops.cpp:6126-6127)", async (dims) => {
        await expectRefused(edited(gemma, u32("gemma.rope.dimension_count", dims)), InvalidModelFileError, /must be even and at most the head size 16/);
    });
    it("a Qwen3 rope.dimension_count other than its head size (qwen3.cpp:57)", async () => {
        await expectRefused(
            edited(qwen3, u32("qwen3.rope.dimension_count", 8)),
            InvalidModelFileError,
            /qwen3.rope.dimension_count 8 differs from the head size 16/
        );
        // the same value is fine for Gemma, whose graph ropes part of each head
        expect(await refusal(edited(gemma, u32("gemma.rope.dimension_count", 8)))).toBeUndefined();
    });
    it("classifier labels that do not match the rows of cls.output.weight", async () => {
        const file = edited(qwen3, (image) => setEntry(image, "qwen3.classifier.output_labels", T.array, ["yes", "no", "maybe"], T.string));
        await expectRefused(file, InvalidModelFileError, /3 labels for 2 rows/);
    });
});

describe("the vocabulary", () => {
    it('tokenizer.ggml.model "no_vocab" or "none" (llama-vocab.cpp:3171, :3571)', async () => {
        for (const model of ["no_vocab", "none"]) {
            await expectRefused(
                edited(gemma, (image) => setEntry(image, "tokenizer.ggml.model", T.string, model)),
                UnsupportedModelError,
                /no usable vocabulary/
            );
        }
    });
    it("duplicate token strings (llama-vocab.cpp:2501)", async () => {
        const file = edited(gemma, (image) => {
            const tokens = findEntry(image, "tokenizer.ggml.tokens")!.value as string[];
            tokens[1000] = tokens[999]!;
        });
        await expectRefused(file, InvalidModelFileError, /tokens 999 and 1000 of tokenizer.ggml.tokens hold the same text/);
    });
    it('an empty token and a token named after it, "[EMPTY_<id>]" (llama-vocab.cpp load())', async () => {
        const file = edited(gemma, (image) => {
            const tokens = findEntry(image, "tokenizer.ggml.tokens")!.value as string[];
            tokens[1000] = "";
            tokens[2000] = "[EMPTY_1000]";
        });
        await expectRefused(file, InvalidModelFileError, /tokens 1000 and 2000 .* "\[EMPTY_1000\]"/);
    });
    it("a SentencePiece vocabulary without a byte token (llama-vocab.cpp byte_to_token:3913)", async () => {
        const file = edited(gemma, (image) => {
            const tokens = findEntry(image, "tokenizer.ggml.tokens")!.value as string[];
            tokens[tokens.indexOf("<0x41>")] = "<0x41>?";
        });
        await expectRefused(file, InvalidModelFileError, /no token for byte <0x41>/);
    });
    it("a tokenizer or pre-tokenizer the profile does not serve", async () => {
        const load = (file: string) =>
            Reranker.load({ model: file, gpu: false }).then(
                async (reranker) => reranker.dispose(),
                (error: unknown) => error
            );
        for (const [key, value, message] of [
            ["tokenizer.ggml.model", "bert", /uses the tokenizer "bert"; profile bge-reranker-v2-gemma serves "llama"/],
            ["tokenizer.ggml.pre", "qwen2", /uses the pre-tokenizer "qwen2"; profile bge-reranker-v2-gemma serves "default"/]
        ] as const) {
            const error = await load(edited(gemma, (image) => setEntry(image, key, T.string, value)));
            expect(error).toBeInstanceOf(UnsupportedModelError);
            expect((error as Error).message).toMatch(message);
        }
        const error = await load(edited(qwen3, (image) => setEntry(image, "tokenizer.ggml.pre", T.string, "llama3")));
        expect((error as Error).message).toMatch(/pre-tokenizer "llama3"; profile qwen3-reranker serves "qwen2"/);
    });
    it("a profile that starts inputs with BOS refuses a model without one", () => {
        const profile = getProfile("bge-reranker-v2-gemma") as FlagEmbeddingProfile;
        expect(() => new FlagEmbeddingInputBuilder(-1, profile, 512, Int32Array.of(5), Int32Array.of(6))).toThrow(UnsupportedModelError);
    });
});

describe("layout and tensor types", () => {
    it.each([1, 16, 3, 48])("general.alignment %d: below 32 or not a power of two (ggml-backend.cpp:2515)", async (alignment) => {
        const file = edited(gemma, (image) => {
            setEntry(image, "general.alignment", T.uint32, alignment);
            image.alignment = alignment;
        });
        await expectRefused(file, InvalidModelFileError, /general.alignment is \d+; ggml needs a power of two of at least 32/);
    });
    it("general.alignment 64 is fine", async () => {
        const file = edited(gemma, (image) => {
            setEntry(image, "general.alignment", T.uint32, 64);
            image.alignment = 64;
        });
        expect(await refusal(file)).toBeUndefined();
    });
    it.each([
        [1, "F16"],
        [30, "BF16"],
        [2, "Q4_0"]
    ] as const)("a norm tensor in type %d (%s) (binary-ops.cpp:135)", async (type, name) => {
        const file = edited(gemma, (image) => {
            const norm = image.tensors.find((tensor) => tensor.name === "blk.0.attn_norm.weight")!;
            norm.ggmlType = type;
            norm.data = Buffer.alloc(type === 2 ? 36 : 128);
        });
        await expectRefused(file, UnsupportedModelError, new RegExp(`blk.0.attn_norm.weight is ${name}; .* in F32`));
    });
    it("a weight in an integer type no matrix kernel takes", async () => {
        const file = edited(gemma, (image) => {
            image.tensors.find((tensor) => tensor.name === "blk.0.attn_q.weight")!.ggmlType = 26; // I32: same size as F32
        });
        await expectRefused(file, UnsupportedModelError, /blk.0.attn_q.weight is I32/);
    });
});

describe("the reader bounds what it allocates", () => {
    it("more metadata keys or tensors than the duplicate checks can take (gguf.cpp: quadratic)", async () => {
        const keys = edited(gemma, (image) => {
            for (let i = 0; i < 4097; i++) image.entries.push({ key: `padding.${i}`, type: T.uint8, value: 0 });
        });
        await expectRefused(keys, InvalidModelFileError, /\d+ metadata keys, more than the 4096 allowed/);
        const tensors = edited(gemma, (image) => {
            for (let i = 0; i < 16385; i++) image.tensors.push({ name: `padding.${i}`, dimensions: [8], ggmlType: 0, data: Buffer.alloc(32) });
        });
        await expectRefused(tensors, InvalidModelFileError, /\d+ tensors, more than the 16384 allowed/);
    });
    it("declared counts and lengths larger than the file, refused before anything is allocated", async () => {
        await expectRefused(
            edited(gemma, (image) => (image.declaredKeyCount = 2n ** 40n)),
            InvalidModelFileError,
            /metadata keys, more than/
        );
        await expectRefused(
            edited(gemma, (image) => (image.declaredTensorCount = 2n ** 63n)),
            InvalidModelFileError,
            /tensor count is \d+, beyond any file/
        );
        const encoded = encodeImage(gemma);
        const tokensLength = encoded.layout.structuralFields.find((field) => field.what === "length of tokenizer.ggml.tokens")!;
        const header = Buffer.from(encoded.chunks[0]!);
        header.writeBigUInt64LE(2n ** 24n - 1n, tokensLength.offset);
        const file = path.join(workDir, "huge-array.gguf");
        const fd = openSync(file, "w");
        for (const chunk of [header, ...encoded.chunks.slice(1)]) writeSync(fd, chunk);
        closeSync(fd);
        await expectRefused(file, InvalidModelFileError, /tokenizer.ggml.tokens \(16777215 elements\) runs past the end of the file/);
    });
    it("tensors laid out as gguf.cpp requires: each where the previous one ends", async () => {
        const file = edited(gemma, (image) => (image.tensors[3]!.offsetOverride = 32));
        await expectRefused(file, InvalidModelFileError, /starts at data offset 32, expected \d+/);
    });
});

describe("token ids reaching native code", () => {
    it("a token_type array longer than the vocabulary loads, and only ids below n_vocab are looked up", async () => {
        const file = edited(gemma, (image) => {
            const types = findEntry(image, "tokenizer.ggml.token_type")!;
            types.value = [...(types.value as number[]), ...Array<number>(100).fill(4)];
        });
        await using reranker = await Reranker.load({ model: file, gpu: false, onWarning: () => undefined });
        const [score] = await reranker.score([["how do tides work?", "The moon pulls on the oceans."]]);
        expect(Number.isFinite(score)).toBe(true);
        await expect(reranker.scoreTokens([[1, 4096]])).rejects.toThrow(/token id in \[0, 4096\)/);
    });
});
