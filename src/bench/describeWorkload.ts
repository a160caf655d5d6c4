import type { Reranker } from "../Reranker.js";
import type { BenchWorkload, CountTokens } from "./BenchWorkload.js";

type Range = { min: number; max: number; mean: number };

export type WorkloadShape = {
    summary: {
        queries: number;
        passagesPerQuery: number;
        /** Tokens of the query and passage pieces (with their profile prefixes); NaN where the format has none. */
        queryTokens: Range;
        passageTokens: Range;
        inputTokens: Range;
        /** Per query: the tokens all its inputs start with. */
        sharedPrefixTokens: Range;
    };
    totalInputTokens: number;
    /** Σ over queries of (P − 1) × the tokens its P inputs share: what prefix sharing must save. */
    expectedPrefixSaving: number;
};

/**
 * Lengths of the workload as the reranker will score it, from its public buildInput(): the inputs
 * themselves, and the prefix each query's inputs share, found by comparing the inputs rather than
 * by asking the code under test.
 */
export async function describeWorkload(workload: BenchWorkload, reranker: Reranker, countTokens: CountTokens): Promise<WorkloadShape> {
    const profile = reranker.profile;
    const queryLengths: number[] = [];
    const passageLengths: number[] = [];
    const inputLengths: number[] = [];
    const prefixLengths: number[] = [];
    let expectedPrefixSaving = 0;
    for (const { query, passages } of workload.items) {
        const inputs = await Promise.all(passages.map((passage) => reranker.buildInput(query, passage)));
        for (const input of inputs) inputLengths.push(input.length);
        const prefixLength = commonPrefixLength(inputs);
        prefixLengths.push(prefixLength);
        expectedPrefixSaving += (passages.length - 1) * prefixLength;
        if (profile.format === "flag-embedding") {
            queryLengths.push(await countTokens(profile.queryPrefix + query));
            for (const passage of passages) passageLengths.push(await countTokens(profile.passagePrefix + passage));
        }
    }
    return {
        summary: {
            queries: workload.spec.queries,
            passagesPerQuery: workload.spec.passagesPerQuery,
            queryTokens: range(queryLengths),
            passageTokens: range(passageLengths),
            inputTokens: range(inputLengths),
            sharedPrefixTokens: range(prefixLengths)
        },
        totalInputTokens: inputLengths.reduce((total, length) => total + length, 0),
        expectedPrefixSaving
    };
}

/** Leading tokens all inputs have in common, leaving each at least its last token (whose logits are the score). */
function commonPrefixLength(inputs: number[][]): number {
    if (inputs.length < 2) return 0;
    let length = Math.min(...inputs.map((input) => input.length)) - 1;
    for (const input of inputs) {
        let i = 0;
        while (i < length && input[i] === inputs[0]![i]) i++;
        length = i;
    }
    return length;
}

function range(values: number[]): Range {
    if (values.length === 0) return { min: Number.NaN, max: Number.NaN, mean: Number.NaN };
    return { min: Math.min(...values), max: Math.max(...values), mean: values.reduce((a, b) => a + b, 0) / values.length };
}
