import type { PassageWindower, WindowSettings } from "../input/PassageWindower.js";
import type { CallUsage, PassageWindow, PassageWindows } from "../RerankerOptions.js";
import type { PairScorer, ScoringCallbacks } from "./PairScorer.js";
import { emptySchedulerStats } from "./ScoringGroup.js";

/** Each passage's best score, and all its windows with their scores. */
export type WindowedScores = { scores: number[]; windows: PassageWindows[] };

/** ScoringCallbacks, with each passage's score given with the window it comes from. */
export type WindowedCallbacks = Omit<ScoringCallbacks, "onScore"> & { onScore?: (index: number, score: number, window?: PassageWindow) => void };

/**
 * Overflow "max-window": every passage cut into windows (PassageWindower), every window scored as
 * a pair of its own through the one PairScorer (so windows of one passage and of others pack into
 * the same decodes and share the query's prefix), and each passage given its best window's score.
 * Progress and cancellation count windows; a passage's onScore comes once its last window is scored.
 */
export class WindowedScorer {
    constructor(
        private readonly scorer: PairScorer,
        private readonly windower: PassageWindower
    ) {}

    /** Resolves once no window plan is tokenizing (see Reranker.dispose). */
    idle(): Promise<void> {
        return this.windower.idle();
    }

    async scorePairs(pairs: readonly (readonly [string, string])[], settings: WindowSettings, callbacks: WindowedCallbacks): Promise<WindowedScores> {
        const planStart = performance.now();
        let plans: PassageWindow[][];
        try {
            plans = await this.windower.plan(pairs, settings, callbacks.signal);
        } catch (error) {
            const tokenizeMs = performance.now() - planStart;
            callbacks.onUsage?.({ items: pairs.length, windows: 0, cachedItems: 0, inputTokens: 0, tokenizeMs, ...emptySchedulerStats() });
            throw error;
        }
        const planMs = performance.now() - planStart;
        const windowPairs: [string, string][] = [];
        const owners: number[] = [];
        const firstWindow: number[] = [];
        plans.forEach((windows, index) => {
            firstWindow.push(windowPairs.length);
            const [query, passage] = pairs[index]!;
            for (const window of windows) {
                windowPairs.push([query, passage.slice(window.start, window.end)]);
                owners.push(index);
            }
        });
        const windowScores = new Array<number>(windowPairs.length);
        const remaining = plans.map((windows) => windows.length);
        // The first window with the highest score: ties go to the earlier window.
        const best = (index: number): number => {
            let winner = 0;
            for (let k = 1; k < plans[index]!.length; k++) if (windowScores[firstWindow[index]! + k]! > windowScores[firstWindow[index]! + winner]!) winner = k;
            return winner;
        };
        const scores = await this.scorer.scorePairs(windowPairs, {
            signal: callbacks.signal,
            onProgress: callbacks.onProgress,
            onScore: (k, score) => {
                windowScores[k] = score;
                const index = owners[k]!;
                if (--remaining[index] !== 0) return;
                const winner = best(index);
                callbacks.onScore?.(index, windowScores[firstWindow[index]! + winner]!, plans[index]![winner]!);
            },
            onUsage: (usage: CallUsage) =>
                callbacks.onUsage?.({ ...usage, items: pairs.length, windows: windowPairs.length, tokenizeMs: usage.tokenizeMs + planMs })
        });
        scores.forEach((score, k) => (windowScores[k] = score));
        const winners = plans.map((_, index) => best(index));
        return {
            scores: winners.map((winner, index) => windowScores[firstWindow[index]! + winner]!),
            windows: plans.map((windows, index) => ({
                windows: windows.map((window, k) => ({ ...window, score: windowScores[firstWindow[index]! + k]! })),
                best: winners[index]!
            }))
        };
    }
}
