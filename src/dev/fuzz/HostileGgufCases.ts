import { flipCase, hugeValueCase, randomBytesCase, truncationCase, type CaseFile } from "./byteMutations.js";
import { deriveCompactGemma } from "./deriveCompactGemma.js";
import { FuzzRandom } from "./FuzzRandom.js";
import { cloneImage, encodeImage, readGgufImage, type EncodedImage, type GgufImage } from "./GgufImage.js";
import { otherArchitecture, ruleMutations, tensorEdit, vocabularyOnly, wrongValueType, type ImageMutation } from "./imageMutations.js";

export type BaseName = "gemma-compact" | "gemma" | "qwen3";

export type HostileCase = {
    index: number;
    family: string;
    base: BaseName;
    description: string;
    file: CaseFile;
};

type Base = { image: GgufImage; encoded: EncodedImage };

const families = [
    ["truncation", 12],
    ["flipped header byte", 5],
    ["flipped metadata byte", 14],
    ["flipped tensor-info byte", 10],
    ["huge count or length", 10],
    ["random header bytes", 6],
    ["wrong value type", 10],
    ["validation rule broken", 22],
    ["tensor missing or mis-shaped", 10],
    ["another architecture", 3],
    ["vocabulary only", 2],
    ["unmodified (control)", 2]
] as const;

export type FamilyName = (typeof families)[number][0];
export const familyNames: readonly FamilyName[] = families.map(([name]) => name);

const imageFamilies: Partial<Record<FamilyName, ImageMutation>> = {
    "wrong value type": wrongValueType,
    "tensor missing or mis-shaped": tensorEdit,
    "another architecture": otherArchitecture,
    "vocabulary only": vocabularyOnly,
    "unmodified (control)": () => "the base model as it is"
};
const ruleNames = Object.keys(ruleMutations);
const qwen3OnlyRules = new Set(["rope.dimension_count below the head size", "classifier labels that do not match cls.output.weight"]);

/**
 * The deterministic hostile-GGUF generator: case i of seed s is always the same file. Each case
 * takes one base model (the tiny Gemma model, its compact-vocabulary variant, or the tiny Qwen3
 * model) and breaks one thing, byte by byte or through an edited GgufImage.
 */
export class HostileGgufCases {
    private constructor(
        private readonly seed: number,
        private readonly bases: Map<BaseName, Base>,
        private readonly baseWeights: readonly (readonly [BaseName, number])[]
    ) {}

    static async load(options: {
        seed: number;
        gemmaPath: string;
        qwen3Path?: string;
        baseWeights: Partial<Record<BaseName, number>>;
    }): Promise<HostileGgufCases> {
        const bases = new Map<BaseName, Base>();
        const add = (name: BaseName, image: GgufImage) => bases.set(name, { image, encoded: encodeImage(image) });
        const gemma = await readGgufImage(options.gemmaPath);
        if ((options.baseWeights.gemma ?? 0) > 0) add("gemma", gemma);
        if ((options.baseWeights["gemma-compact"] ?? 0) > 0) add("gemma-compact", deriveCompactGemma(gemma));
        if (options.qwen3Path !== undefined && (options.baseWeights.qwen3 ?? 0) > 0) add("qwen3", await readGgufImage(options.qwen3Path));
        const weights = [...bases.keys()].map((name) => [name, options.baseWeights[name] ?? 0] as const);
        if (weights.length === 0) throw new Error("no base model for the hostile GGUF cases");
        return new HostileGgufCases(options.seed, bases, weights);
    }

    /** Builds case `index` (its file in memory; the tensor data is shared with the base). */
    build(index: number): HostileCase {
        const random = new FuzzRandom(this.seed, `hostile-gguf-case-${index}`);
        const family = random.weighted(families);
        let baseName = random.weighted(this.baseWeights);
        const rule = family === "validation rule broken" ? random.pick(ruleNames) : undefined;
        if (rule !== undefined && qwen3OnlyRules.has(rule) && this.bases.has("qwen3")) baseName = "qwen3";
        const base = this.bases.get(baseName)!;
        const { description, file } = this.mutate(family, rule, base, random);
        return { index, family: rule !== undefined ? `rule: ${rule}` : family, base: baseName, description, file };
    }

    private mutate(family: FamilyName, rule: string | undefined, base: Base, random: FuzzRandom): { description: string; file: CaseFile } {
        switch (family) {
            case "truncation":
                return truncationCase(base.encoded, random);
            case "flipped header byte":
                return flipCase(base.encoded, random, "fixed header");
            case "flipped metadata byte":
                return flipCase(base.encoded, random, "metadata");
            case "flipped tensor-info byte":
                return flipCase(base.encoded, random, "tensor infos");
            case "huge count or length":
                return hugeValueCase(base.encoded, random);
            case "random header bytes":
                return randomBytesCase(base.encoded, random);
            default: {
                const image = cloneImage(base.image);
                const mutation = rule !== undefined ? ruleMutations[rule]! : imageFamilies[family]!;
                const description = mutation(image, random);
                const encoded = encodeImage(image);
                return { description, file: { chunks: encoded.chunks, totalBytes: encoded.totalBytes } };
            }
        }
    }
}
