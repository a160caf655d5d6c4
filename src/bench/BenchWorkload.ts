import { SeededRandom } from "../testModel/SeededRandom.js";
import { benchWords } from "./benchWords.js";

export type TokenRange = { min: number; max: number };

export type WorkloadSpec = {
    queries: number;
    passagesPerQuery: number;
    /** Tokens of "A: " + query, as the reranker tokenizes it. */
    queryTokens: TokenRange;
    /** Tokens of "B: " + passage. */
    passageTokens: TokenRange;
    seed: number;
};

export type WorkloadQuery = { query: string; passages: string[] };

/** Tokenizes a text on its own, exactly as the reranker tokenizes one piece of its input. */
export type CountTokens = (text: string) => Promise<number>;

/**
 * Queries and passages of prose-like text whose token lengths are drawn uniformly from the
 * requested ranges: lengths vary as in real result lists, which decides how well the scheduler
 * packs slots. The same seed always gives the same texts.
 */
export class BenchWorkload {
    readonly spec: WorkloadSpec;
    readonly items: WorkloadQuery[];

    private constructor(spec: WorkloadSpec, items: WorkloadQuery[]) {
        this.spec = spec;
        this.items = items;
    }

    get pairCount(): number {
        return this.spec.queries * this.spec.passagesPerQuery;
    }

    static async build(spec: WorkloadSpec, countTokens: CountTokens, queryPrefix: string, passagePrefix: string): Promise<BenchWorkload> {
        const lengths = new SeededRandom(spec.seed, "lengths");
        const items: WorkloadQuery[] = [];
        for (let q = 0; q < spec.queries; q++) {
            const query = await textOfLength(
                new SeededRandom(spec.seed, `query ${q}`),
                drawLength(lengths, spec.queryTokens),
                (text) => countTokens(queryPrefix + text),
                false
            );
            const passages: string[] = [];
            for (let p = 0; p < spec.passagesPerQuery; p++) {
                const random = new SeededRandom(spec.seed, `passage ${q} ${p}`);
                passages.push(await textOfLength(random, drawLength(lengths, spec.passageTokens), (text) => countTokens(passagePrefix + text), true));
            }
            items.push({ query, passages });
        }
        return new BenchWorkload(spec, items);
    }
}

function drawLength(random: SeededRandom, range: TokenRange): number {
    return range.min + (random.nextUint32() % (range.max - range.min + 1));
}

/**
 * The shortest prefix of a seeded word stream that reaches `target` tokens. Token counts grow
 * monotonically with the number of words, so a binary search needs only a few tokenizations.
 */
async function textOfLength(random: SeededRandom, target: number, countTokens: CountTokens, sentences: boolean): Promise<string> {
    const words: string[] = [];
    while (words.length < target * 2) words.push(benchWords[random.nextUint32() % benchWords.length]!);
    const sentenceLengths = words.map(() => 8 + (random.nextUint32() % 9));
    const textOf = (count: number) => (sentences ? asSentences(words.slice(0, count), sentenceLengths) : words.slice(0, count).join(" "));
    let low = 1;
    let high = words.length;
    while (low < high) {
        const middle = (low + high) >> 1;
        if ((await countTokens(textOf(middle))) >= target) high = middle;
        else low = middle + 1;
    }
    return textOf(low);
}

function asSentences(words: string[], sentenceLengths: number[]): string {
    const parts: string[] = [];
    let sentenceStart = 0;
    let sentence = 0;
    for (let i = 0; i < words.length; i++) {
        const word = words[i]!;
        parts.push(i === sentenceStart ? word[0]!.toUpperCase() + word.slice(1) : word);
        if (i - sentenceStart + 1 === sentenceLengths[sentence] || i === words.length - 1) {
            parts[parts.length - 1] += ".";
            sentenceStart = i + 1;
            sentence++;
        }
    }
    return parts.join(" ");
}
