import { InvalidArgumentError } from "../errors/errors.js";
import type { PassageWindow } from "../RerankerOptions.js";
import type { InputBuilder, PassageWindowing, TokenLookup } from "./InputBuilder.js";
import { nextSplitPoint } from "./textSplitRule.js";
import type { TextTokenizer } from "./TextTokenizer.js";

/** The sizes asked for; each undefined one takes its default (see PassageWindower). */
export type WindowSettings = { windowTokens: number | undefined; windowOverlap: number | undefined };

/**
 * Cuts passages that do not fit the profile's budget into windows for overflow "max-window", each
 * window a passage of its own that build() keeps whole.
 *
 * Windows are cut only at the tokenizer's split points (textSplitRule.ts: a single space between two
 * ASCII letters, where tok(a + b) = tok(a) ++ tok(b)), so every count below is exact, not estimated.
 * A passage's words are its segments: the text up to the first split point, then each split point's
 * space with the word after it. A window is segments i..j-1; the text it scores is the passage from
 * the first letter of its first word (the space before it left out, so that a window reads as a
 * passage that starts there) to the end of segment j-1. In the builder's piece,
 *   tok(normalize(lead + window)) = tok(normalize(lead + word_i)) ++ tok(seg_i+1) ++ … ++ tok(seg_j-1)
 * because every later segment starts at a split point of that text too. Normalization (NFC for
 * Qwen3) commutes with the cut: NFC never composes anything with U+0020, and ASCII letters are
 * starters, so NFC(a + b) = NFC(a) + NFC(b) at a split point.
 *
 * Sizes: windowTokens counts a window's tokens in the passage's own tokenization,
 * tok(normalize(passage)), whose offsets the windows report; by default a window takes as many as
 * fit after the query and template. A window starts as late as lets it share at least windowOverlap
 * of those tokens with the one before (whole words; default a quarter of the window size), and never
 * before that one's second word, so the windows always move on. Every window also keeps its whole
 * input within the budget, counted exactly as above.
 */
export class PassageWindower {
    private readonly tokenizer: TextTokenizer;
    private readonly windowing: PassageWindowing | undefined;
    private readonly profileName: string;
    private readonly splitRuleReason: () => string;

    /** splitRuleReason: why the tokenizer has no split rule, asked only when a call needs to say it. */
    constructor(tokenizer: TextTokenizer, builder: InputBuilder, profileName: string, splitRuleReason: () => string) {
        this.tokenizer = tokenizer;
        this.windowing = builder.windowing;
        this.profileName = profileName;
        this.splitRuleReason = splitRuleReason;
    }

    /** Why this model cannot window, when it cannot. */
    private unsupportedReason(): string | undefined {
        if (!this.windowing) {
            return `profile ${this.profileName} tokenizes the passage on its own with a tokenizer whose cut points are not proven (no split rule), so windows cannot be cut exactly`;
        }
        if (!this.tokenizer.splitRule) return `this model's tokenizer has no proven cut points (${this.splitRuleReason()}), so windows cannot be cut exactly`;
        return undefined;
    }

    /**
     * The windows of every pair's passage, in passage order: one window (the whole passage) where it
     * fits. Rejects with an InvalidArgumentError when a window cannot hold what it must, with an
     * AbortedError when the signal fires.
     */
    plan(pairs: readonly (readonly [string, string])[], settings: WindowSettings, signal: AbortSignal | undefined): Promise<PassageWindow[][]> {
        const work = this.planNow(pairs, settings, signal);
        this.inFlight.add(work);
        const forget = () => this.inFlight.delete(work);
        work.then(forget, forget);
        return work;
    }

    private readonly inFlight = new Set<Promise<unknown>>();

    /** Resolves once no plan() is running: the model must outlive its tokenizations (as PairEncoder.idle). */
    async idle(): Promise<void> {
        while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
    }

    private async planNow(
        pairs: readonly (readonly [string, string])[],
        settings: WindowSettings,
        signal: AbortSignal | undefined
    ): Promise<PassageWindow[][]> {
        const unsupported = this.unsupportedReason();
        if (unsupported !== undefined) throw new InvalidArgumentError(`overflow "max-window" is not available: ${unsupported}`);
        const windowing = this.windowing!;
        const rooms = await this.lookup(
            pairs.flatMap(([query]) => [...windowing.roomTexts(query), { text: windowing.normalize(windowing.lead(query)) }]),
            signal
        );
        const wholes = await this.lookup(
            pairs.map(([query, passage]) => ({ text: windowing.normalize(windowing.lead(query) + passage), limit: windowing.room(query, rooms) })),
            signal
        );
        // Settled, all of them, before the call ends: no tokenization outlives a failed plan.
        const planned = await Promise.allSettled(
            pairs.map(async ([query, passage], index) => {
                const room = windowing.room(query, rooms);
                const lead = windowing.lead(query);
                const leadLength = rooms(windowing.normalize(lead)).length;
                const wholeText = windowing.normalize(lead + passage);
                if (!wholes.isPartial!(wholeText) && wholes(wholeText).length <= room) {
                    const [own] = await this.tokenizer.tokenizeEach([windowing.normalize(passage)], signal);
                    return [{ start: 0, end: passage.length, tokenStart: 0, tokenEnd: own!.length, index: 0, count: 1 }];
                }
                return this.windowsOf(passage, index, { lead, room, leadLength }, settings, signal);
            })
        );
        const failed = planned.find((outcome) => outcome.status === "rejected");
        if (failed) throw failed.reason;
        return planned.map((outcome) => (outcome as PromiseFulfilledResult<PassageWindow[]>).value);
    }

    private async lookup(requests: { text: string; limit?: number }[], signal: AbortSignal | undefined): Promise<TokenLookup> {
        const { tokens, partial } = await this.tokenizer.tokenizeAll(requests, signal);
        return Object.assign((text: string) => tokens.get(text)!, { isPartial: (text: string) => partial.has(text) });
    }

    private async windowsOf(
        passage: string,
        passageIndex: number,
        fit: { lead: string; room: number; leadLength: number },
        settings: WindowSettings,
        signal: AbortSignal | undefined
    ): Promise<PassageWindow[]> {
        const windowing = this.windowing!;
        const size = fit.room - fit.leadLength;
        if (size <= 0) {
            throw new InvalidArgumentError(
                `the query and template take the whole budget (${fit.room} tokens): there is no room for a window of passages[${passageIndex}]`
            );
        }
        if (settings.windowTokens !== undefined && settings.windowTokens > size) {
            throw new InvalidArgumentError(
                `windowTokens ${settings.windowTokens} does not fit: after this query and the template a window holds at most ${size} tokens`
            );
        }
        const windowTokens = settings.windowTokens ?? size;
        const overlap = settings.windowOverlap ?? Math.floor(windowTokens / 4);
        if (overlap >= windowTokens) throw new InvalidArgumentError(`windowOverlap ${overlap} must be less than the window size, ${windowTokens} tokens`);
        // Segment k is passage[cuts[k], cuts[k + 1]); offsets[k] is the token offset of cuts[k].
        const cuts = [0];
        for (let c = nextSplitPoint(passage, 1); c !== undefined; c = nextSplitPoint(passage, c + 1)) cuts.push(c);
        cuts.push(passage.length);
        const segmentCount = cuts.length - 1;
        const segments = await this.tokenizer.tokenizeEach(
            Array.from({ length: segmentCount }, (_, k) => windowing.normalize(passage.slice(cuts[k], cuts[k + 1]))),
            signal
        );
        const offsets = [0];
        for (const tokens of segments) offsets.push(offsets[offsets.length - 1]! + tokens.length);
        const textStart = (k: number) => (k === 0 ? 0 : cuts[k]! + 1);
        const windows: { first: number; end: number }[] = [];
        for (let first = 0; ;) {
            const [leadAndWord] = await this.tokenizer.tokenizeEach([windowing.normalize(fit.lead + passage.slice(textStart(first), cuts[first + 1]))], signal);
            // The input's passage piece for segments first..end-1: the lead with the first word, then whole segments.
            const pieceLength = (end: number) => leadAndWord!.length + offsets[end]! - offsets[first + 1]!;
            if (pieceLength(first + 1) > fit.room) {
                throw new InvalidArgumentError(
                    `passages[${passageIndex}] has a stretch of ${segments[first]!.length} tokens with no cut point (a space between two ASCII letters) at characters ${textStart(first)}..${cuts[first + 1]}: ` +
                        `it does not fit a window of ${size} tokens after this query, and cutting it elsewhere would change its tokens`
                );
            }
            let end = first + 1;
            while (end < segmentCount && pieceLength(end + 1) <= fit.room && offsets[end + 1]! - offsets[first]! <= windowTokens) end++;
            windows.push({ first, end });
            if (end === segmentCount) break;
            // The latest start that still overlaps by at least `overlap` tokens; always past `first`.
            let next = end;
            while (next > first + 1 && offsets[end]! - offsets[next]! < overlap) next--;
            first = next;
        }
        return windows.map(({ first, end }, index) => ({
            start: textStart(first),
            end: cuts[end]!,
            tokenStart: offsets[first]!,
            tokenEnd: offsets[end]!,
            index,
            count: windows.length
        }));
    }
}
