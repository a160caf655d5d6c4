import { GgufValueType as T } from "../../gguf/GgufValueType.js";
import { tensorByteSize } from "../../gguf/ggmlTypeSizes.js";
import type { GgufScalar } from "../../gguf/readGgufHeader.js";
import type { FuzzRandom } from "./FuzzRandom.js";
import { findEntry, removeEntry, setEntry, type GgufImage, type ImageTensor } from "./GgufImage.js";

/** Edits the image in place and says what it did. */
export type ImageMutation = (image: GgufImage, random: FuzzRandom) => string;

const arch = (image: GgufImage) => String(findEntry(image, "general.architecture")?.value);
const hp = (image: GgufImage, key: string) => `${arch(image)}.${key}`;
const numberOf = (image: GgufImage, key: string) => Number(findEntry(image, key)?.value);
const tokensOf = (image: GgufImage) => findEntry(image, "tokenizer.ggml.tokens")!.value as string[];
const oneD = (image: GgufImage) => image.tensors.filter((tensor) => tensor.dimensions.length === 1);
const twoD = (image: GgufImage) => image.tensors.filter((tensor) => tensor.dimensions.length === 2);

function setUint32(image: GgufImage, key: string, value: number): string {
    setEntry(image, key, T.uint32, value);
    return `${key} = ${value}`;
}

/** A tensor retyped, with data of the new type's size so that the layout stays valid. */
function retype(tensor: ImageTensor, type: number, random: FuzzRandom): void {
    const elements = tensor.dimensions.reduce((product, dimension) => product * dimension, 1);
    const bytes = tensorByteSize(type, elements) ?? elements;
    const data = Buffer.alloc(bytes);
    for (let i = 0; i < bytes; i++) data[i] = random.int(256);
    tensor.ggmlType = type;
    tensor.data = data;
}

/** Every validation rule of the library broken one at a time, plus hyper-parameters llama.cpp checks itself. */
export const ruleMutations: Record<string, ImageMutation> = {
    "block_count out of [1, 512]": (image, random) => setUint32(image, hp(image, "block_count"), random.pick([0, 513, 4096, 0xffffffff])),
    "block_count disagrees with the tensors": (image, random) => setUint32(image, hp(image, "block_count"), random.pick([1, 3, 512])),
    "nextn_predict_layers above block_count": (image, random) =>
        setUint32(image, hp(image, "nextn_predict_layers"), numberOf(image, hp(image, "block_count")) + random.pick([1, 100])),
    "expert counts out of range": (image, random) => {
        const [count, used, groups] = random.pick([
            [2000, 2, 0],
            [4, 0, 0],
            [4, 5, 0],
            [0, 2, 0],
            [0, 0, 1],
            [8, 2, 3],
            [8, 2, 8]
        ] as const);
        setUint32(image, hp(image, "expert_count"), count);
        setUint32(image, hp(image, "expert_used_count"), used);
        if (groups > 0) setUint32(image, hp(image, "expert_group_count"), groups);
        return `expert_count ${count}, expert_used_count ${used}, expert_group_count ${groups}`;
    },
    "unknown rope.scaling.type": (image, random) => {
        const value = random.pick(["bogus", "", "LINEAR", "yarn2"]);
        setEntry(image, hp(image, "rope.scaling.type"), T.string, value);
        return `rope.scaling.type = ${JSON.stringify(value)}`;
    },
    "pooling_type out of 0..4": (image, random) => setUint32(image, hp(image, "pooling_type"), random.pick([5, 6, 255, 0xffffffff])),
    "tokenizer.ggml.model not served": (image, random) => {
        const value = random.pick(["no_vocab", "none", "bert", "t5", "rwkv", "plamo2", "gemma4", "bogus", arch(image) === "gemma" ? "gpt2" : "llama"]);
        setEntry(image, "tokenizer.ggml.model", T.string, value);
        return `tokenizer.ggml.model = ${JSON.stringify(value)}`;
    },
    "tokenizer.ggml.pre not listed": (image, random) => {
        const value = random.pick(["bogus", "llama3", arch(image) === "gemma" ? "qwen2" : "default", "gpt-4o"]);
        setEntry(image, "tokenizer.ggml.pre", T.string, value);
        return `tokenizer.ggml.pre = ${JSON.stringify(value)}`;
    },
    "duplicate token strings": (image, random) => {
        const tokens = tokensOf(image);
        const from = random.int(tokens.length);
        let to = random.int(tokens.length);
        if (to === from) to = (to + 1) % tokens.length;
        tokens[to] = tokens[from]!;
        return `tokens[${to}] = tokens[${from}] = ${JSON.stringify(tokens[from])}`;
    },
    "empty token next to its [EMPTY_i] name": (image, random) => {
        const tokens = tokensOf(image);
        const id = random.between(1, tokens.length);
        tokens[id] = "";
        tokens[(id + 7) % tokens.length] = `[EMPTY_${id}]`;
        return `tokens[${id}] = "" and another token = "[EMPTY_${id}]"`;
    },
    "a byte token missing": (image, random) => {
        const tokens = tokensOf(image);
        const byte = random.int(256).toString(16).toUpperCase().padStart(2, "0");
        const id = tokens.indexOf(`<0x${byte}>`);
        if (id < 0) return "no byte token to remove (BPE vocabulary): unchanged";
        tokens[id] = `<0x${byte}>?`;
        return `byte token <0x${byte}> renamed`;
    },
    "value head size differs from key head size": (image, random) =>
        setUint32(image, hp(image, "attention.value_length"), numberOf(image, hp(image, "attention.key_length")) * random.pick([2, 0.5])),
    "rope.dimension_count odd, zero or above the head size": (image, random) => {
        const head = numberOf(image, hp(image, "attention.key_length"));
        return setUint32(image, hp(image, "rope.dimension_count"), random.pick([head - 1, head + 2, head * 2, 0, 1]));
    },
    "rope.dimension_count below the head size": (image) =>
        setUint32(image, hp(image, "rope.dimension_count"), numberOf(image, hp(image, "attention.key_length")) / 2),
    "general.alignment not a power of two >= 32": (image, random) => {
        const value = random.pick([1, 2, 8, 16, 3, 48, 0]);
        setEntry(image, "general.alignment", T.uint32, value);
        image.alignment = Math.max(1, value);
        return `general.alignment = ${value}, tensors laid out to it`;
    },
    "general.alignment valid but unusual": (image, random) => {
        const value = random.pick([64, 256, 4096]);
        setEntry(image, "general.alignment", T.uint32, value);
        image.alignment = value;
        return `general.alignment = ${value}`;
    },
    "general.alignment of another type": (image, random) => {
        const type = random.pick([T.uint64, T.int32, T.uint16, T.string]);
        setEntry(image, "general.alignment", type, type === T.string ? "32" : 32);
        return `general.alignment written as GGUF type ${type}`;
    },
    "norm tensor in a non-F32 type": (image, random) => {
        const tensor = random.pick(oneD(image));
        const type = random.pick([1, 2, 8, 30, 20]);
        retype(tensor, type, random);
        return `${tensor.name} retyped to ggml type ${type}`;
    },
    "weight tensor in a non-weight type": (image, random) => {
        const tensor = random.pick(twoD(image));
        const type = random.pick([9, 15, 24, 26, 28]);
        retype(tensor, type, random);
        return `${tensor.name} retyped to ggml type ${type}`;
    },
    "weight tensor quantized with random bytes": (image, random) => {
        const tensor = random.pick(twoD(image));
        const type = random.pick([1, 2, 3, 8, 30]);
        retype(tensor, type, random);
        return `${tensor.name} retyped to ggml type ${type}, random data`;
    },
    "too many metadata keys": (image, random) => {
        const count = random.pick([4097, 20000]);
        for (let i = 0; i < count; i++) image.entries.push({ key: `fuzz.padding.${i}`, type: T.uint8, value: 0 });
        return `${count} extra metadata keys`;
    },
    "many metadata keys within the limit": (image) => {
        for (let i = 0; i < 3000; i++) image.entries.push({ key: `fuzz.padding.${i}`, type: T.uint8, value: 0 });
        return "3000 extra metadata keys";
    },
    "too many tensors": (image, random) => {
        const count = random.pick([16385, 40000]);
        for (let i = 0; i < count; i++) image.tensors.push({ name: `fuzz.${i}`, dimensions: [8], ggmlType: 0, data: Buffer.alloc(32) });
        return `${count} extra tensors`;
    },
    "extra tensors within the limit": (image, random) => {
        const count = random.pick([1, 2000]);
        for (let i = 0; i < count; i++) image.tensors.push({ name: `fuzz.${i}`, dimensions: [8], ggmlType: 0, data: Buffer.alloc(32) });
        return `${count} extra tensors`;
    },
    "token_type longer or shorter than the vocabulary": (image, random) => {
        const entry = findEntry(image, "tokenizer.ggml.token_type")!;
        const values = entry.value as GgufScalar[];
        const delta = random.pick([-1, -100, 1, 50]);
        entry.value = delta < 0 ? values.slice(0, delta) : [...values, ...Array<number>(delta).fill(4)];
        return `token_type has ${delta > 0 ? "+" : ""}${delta} entries`;
    },
    "token_type values out of range": (image, random) => {
        const values = findEntry(image, "tokenizer.ggml.token_type")!.value as GgufScalar[];
        const value = random.pick([0, 6, 7, -1, 1000]);
        for (let i = 0; i < 64; i++) values[random.int(values.length)] = value;
        return `64 token types set to ${value}`;
    },
    "special token ids out of range": (image, random) => {
        const key = random.pick(["bos_token_id", "eos_token_id", "unknown_token_id", "padding_token_id", "eot_token_id"]);
        return setUint32(image, `tokenizer.ggml.${key}`, random.pick([tokensOf(image).length, 1e9, 0xffffffff]));
    },
    "scores shorter than the vocabulary": (image) => {
        const entry = findEntry(image, "tokenizer.ggml.scores");
        if (!entry) return "no scores: unchanged";
        entry.value = (entry.value as GgufScalar[]).slice(0, 10);
        return "scores cut to 10 entries";
    },
    "more tokens than embedding rows": (image) => {
        tokensOf(image).push("fuzz-extra-token-1", "fuzz-extra-token-2");
        return "2 tokens appended";
    },
    "classifier labels that do not match cls.output.weight": (image) => {
        setEntry(image, hp(image, "classifier.output_labels"), T.array, ["yes", "no", "maybe"], T.string);
        return "classifier.output_labels = yes, no, maybe";
    },
    "head counts that do not divide": (image, random) => {
        const key = random.pick(["attention.head_count", "attention.head_count_kv", "attention.key_length", "embedding_length", "feed_forward_length"]);
        return setUint32(image, hp(image, key), random.pick([0, 3, 7, 0x7fffffff]));
    },
    "non-finite or extreme floats": (image, random) => {
        const key = random.pick(["attention.layer_norm_rms_epsilon", "rope.freq_base", "rope.scaling.factor"]);
        const value = random.pick([Number.NaN, Number.POSITIVE_INFINITY, -1, 0, 1e30]);
        setEntry(image, hp(image, key), T.float32, value);
        return `${key} = ${value}`;
    },
    "no architecture key": (image) => {
        removeEntry(image, "general.architecture");
        return "general.architecture removed";
    },
    "a required key removed": (image, random) => {
        const key = random.pick(image.entries.filter((entry) => entry.key !== "general.architecture")).key;
        removeEntry(image, key);
        return `${key} removed`;
    }
};

const retypeTargets: [number, GgufScalar | GgufScalar[], number?][] = [
    [T.string, "7"],
    [T.float32, 2.5],
    [T.int32, -2],
    [T.uint64, 2],
    [T.bool, true],
    [T.uint8, 255],
    [T.int64, -1],
    [T.float64, 1e300],
    [T.array, [1, 2], T.uint32],
    [T.array, ["a", "b"], T.string]
];

/** One entry rewritten with another GGUF type (and a plausible value of that type). */
export const wrongValueType: ImageMutation = (image, random) => {
    const important = image.entries.filter((entry) =>
        /block_count|head_count|embedding_length|key_length|feed_forward|context_length|tokenizer\.ggml|alignment|epsilon|freq_base/.test(entry.key)
    );
    const entry = random.pick(important.length > 0 ? important : image.entries);
    if (entry.type === T.array && random.chance(0.5)) {
        const elementType = random.pick([T.uint8, T.int32, T.float32, T.string, T.uint64, T.bool, T.float64]);
        entry.elementType = elementType;
        entry.value = (entry.value as GgufScalar[]).map((value) =>
            elementType === T.string ? String(value) : typeof value === "string" ? value.length : value
        );
        return `${entry.key} rewritten as an array of GGUF type ${elementType}`;
    }
    const [type, value, elementType] = random.pick(retypeTargets);
    Object.assign(entry, { type, value, elementType });
    return `${entry.key} rewritten as GGUF type ${type}${elementType !== undefined ? `[${elementType}]` : ""}`;
};

/** Tensors removed, duplicated, reshaped or moved. */
export const tensorEdit: ImageMutation = (image, random) => {
    const tensor = random.pick(image.tensors);
    switch (random.int(7)) {
        case 0:
            image.tensors = image.tensors.filter((t) => t !== tensor);
            return `${tensor.name} removed`;
        case 1: {
            const other = random.pick(image.tensors.filter((t) => t !== tensor));
            tensor.name = other.name;
            return `${tensor.name} appears twice`;
        }
        case 2:
            tensor.dimensions = [...tensor.dimensions].reverse();
            if (tensor.dimensions.length === 1) tensor.dimensions = [tensor.dimensions[0]! / 2, 2];
            return `${tensor.name} reshaped to [${tensor.dimensions.join(", ")}]`;
        case 3: {
            const i = random.int(tensor.dimensions.length);
            tensor.dimensions[i] = random.pick([0, 1, tensor.dimensions[i]! + 1, tensor.dimensions[i]! * 2]);
            return `${tensor.name} dimension ${i} set to ${tensor.dimensions[i]}`;
        }
        case 4:
            tensor.dimensions = random.chance(0.5) ? [...tensor.dimensions, 1, 1, 1] : [...tensor.dimensions, 2];
            return `${tensor.name} given ${tensor.dimensions.length} dimensions`;
        case 5:
            tensor.offsetOverride = random.pick([32, 64, 1 << 30, 2 ** 52]);
            return `${tensor.name} data offset set to ${tensor.offsetOverride}`;
        default:
            tensor.name = random.pick(["", "x".repeat(64), `${tensor.name}.extra`, tensor.name.replace("blk.0", "blk.9")]);
            return `a tensor renamed ${JSON.stringify(tensor.name.slice(0, 70))}`;
    }
};

/** The file claims another architecture (with its keys renamed or not). */
export const otherArchitecture: ImageMutation = (image, random) => {
    const from = arch(image);
    const to = random.pick(["llama", "qwen2", "gemma2", "gemma3", "bert", from === "gemma" ? "qwen3" : "gemma", "", "unknown-arch"]);
    setEntry(image, "general.architecture", T.string, to);
    const rename = random.chance(0.6);
    if (rename) for (const entry of image.entries) if (entry.key.startsWith(`${from}.`)) entry.key = `${to}.${entry.key.slice(from.length + 1)}`;
    return `general.architecture = ${JSON.stringify(to)}${rename ? ", keys renamed" : ""}`;
};

/** A vocabulary without the model: no tensors, or only the embedding. */
export const vocabularyOnly: ImageMutation = (image, random) => {
    const keepEmbedding = random.chance(0.3);
    image.tensors = keepEmbedding ? image.tensors.filter((tensor) => tensor.name === "token_embd.weight") : [];
    if (random.chance(0.5)) setEntry(image, "general.type", T.string, "vocab");
    return keepEmbedding ? "only token_embd.weight kept" : "no tensors at all";
};
