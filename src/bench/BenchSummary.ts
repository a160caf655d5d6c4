import type { ContenderRun } from "./BenchRunner.js";
import type { ContenderSetup } from "./Contender.js";
import type { ModelFlops } from "./ModelFlops.js";
import { median, percentile, sum } from "./BenchStatistics.js";

export type ContenderSummary = {
    key: string;
    label: string;
    setup: ContenderSetup;
    rounds: number;
    pairsPerRound: number;
    /** Medians over rounds of (pairs or tokens) ÷ the round's time. */
    pairsPerSecond: number;
    tokensPerSecond: number;
    /** Per round, as the library counts them (lastRunStats); raw: tokens replayed. */
    tokensEvaluated: number;
    decodes: number;
    outputs: number;
    latencyP50Ms: number;
    latencyP95Ms: number;
    /** Share of the wall time spent inside decode() calls. */
    decodeShare: number;
    executedGflopPerSecond: number;
    nominalGflopPerSecond: number;
    peakRssBytes: number;
    peakPrivateBytes: number | null;
    /** Worst round's 99th percentile, and the largest delay seen (ms); null where not measured here. */
    loopDelayP99Ms: number | null;
    loopDelayMaxMs: number | null;
    /** Median over rounds of CPU seconds ÷ wall seconds: the cores it actually got. */
    coresUsed: number;
    involuntaryContextSwitches: number[];
    /** Each round's wall time (s), for judging the spread behind the medians. */
    roundSeconds: number[];
};

/** Throughput figures of one contender's rounds. Each round runs the whole workload once. */
export function summarize(run: ContenderRun, pairsPerRound: number, flops: ModelFlops, measuresLoopHere: boolean): ContenderSummary {
    const rounds = run.rounds;
    const roundSeconds = rounds.map((round) => sum(round.callMs) / 1000);
    const last = rounds[rounds.length - 1]!;
    return {
        key: run.contender.key,
        label: run.contender.label,
        setup: run.contender.setup,
        rounds: rounds.length,
        pairsPerRound,
        pairsPerSecond: median(roundSeconds.map((seconds) => pairsPerRound / seconds)),
        tokensPerSecond: median(rounds.map((round, i) => round.tally.tokens / roundSeconds[i]!)),
        tokensEvaluated: last.tokensEvaluated,
        decodes: last.tally.decodes,
        outputs: last.tally.outputs,
        latencyP50Ms: percentile(
            rounds.flatMap((round) => round.callMs),
            0.5
        ),
        latencyP95Ms: percentile(
            rounds.flatMap((round) => round.callMs),
            0.95
        ),
        decodeShare: sum(rounds.map((round) => round.tally.decodeMs)) / sum(rounds.map((round) => sum(round.callMs))),
        executedGflopPerSecond: median(rounds.map((round, i) => flops.executed(round.tally) / roundSeconds[i]! / 1e9)),
        nominalGflopPerSecond: median(rounds.map((round, i) => flops.nominal(round.tally) / roundSeconds[i]! / 1e9)),
        peakRssBytes: Math.max(...rounds.map((round) => round.rssBytes)),
        peakPrivateBytes: rounds.every((round) => round.privateBytes !== null) ? Math.max(...rounds.map((round) => round.privateBytes!)) : null,
        loopDelayP99Ms: measuresLoopHere ? Math.max(...run.loopDelayP99Ms) : null,
        loopDelayMaxMs: measuresLoopHere ? Math.max(...run.loopDelayMaxMs) : null,
        coresUsed: median(rounds.map((round, i) => round.cpu.cpuSeconds / roundSeconds[i]!)),
        involuntaryContextSwitches: rounds.map((round) => round.cpu.involuntaryContextSwitches),
        roundSeconds
    };
}

/**
 * How many times faster `faster` ran than `slower`: the median over rounds of the ratio within
 * each round, so drift between rounds cancels.
 */
export function speedRatio(faster: ContenderRun, slower: ContenderRun): number {
    const count = Math.min(faster.rounds.length, slower.rounds.length);
    const ratios: number[] = [];
    for (let i = 0; i < count; i++) {
        // Pairs per second: both ran the same pairs, so the ratio of times is the ratio of rates.
        ratios.push(sum(slower.rounds[i]!.callMs) / sum(faster.rounds[i]!.callMs));
    }
    return median(ratios);
}

/** Same as speedRatio, in evaluated tokens per second (for builds or threads doing equal work). */
export function tokenRateRatio(faster: ContenderRun, slower: ContenderRun): number {
    const count = Math.min(faster.rounds.length, slower.rounds.length);
    const ratios: number[] = [];
    for (let i = 0; i < count; i++) {
        const fasterRate = faster.rounds[i]!.tally.tokens / sum(faster.rounds[i]!.callMs);
        const slowerRate = slower.rounds[i]!.tally.tokens / sum(slower.rounds[i]!.callMs);
        ratios.push(fasterRate / slowerRate);
    }
    return median(ratios);
}

/** Largest |x − y| over the scores two contenders gave the same pairs, over all rounds. */
export function maxScoreDifference(first: ContenderRun, second: ContenderRun): number {
    let largest = Number.NaN;
    const count = Math.min(first.rounds.length, second.rounds.length);
    for (let i = 0; i < count; i++) {
        const a = first.rounds[i]!.scores;
        const b = second.rounds[i]!.scores;
        if (!a || !b) continue;
        if (Number.isNaN(largest)) largest = 0;
        a.forEach((scores, q) => scores.forEach((score, p) => (largest = Math.max(largest, Math.abs(score - b[q]![p]!)))));
    }
    return largest;
}
