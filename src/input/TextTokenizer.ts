import { AbortedError } from "../errors/AbortedError.js";
import type { AddonModel } from "../native/AddonTypes.js";
import { entryOverheadBytes, LruCache, stringBytes, type CacheStats } from "../utils/LruCache.js";
import { concatTokens } from "./InputBuilder.js";
import { splitAtLiterals } from "./splitAtLiterals.js";
import { splitLongSpaceRuns } from "./splitLongSpaceRuns.js";
import { nextSplitPoint, type TextSplitRule } from "./textSplitRule.js";

export type TextTokenizerOptions = {
    cacheEntries: number;
    /** Byte budget of the token cache (see LruCache; an entry is its text, its ids and 128 bytes). Default: no bound. */
    cacheBytes?: number;
    /** Split runs of 32+ spaces as the HF Gemma tokenizer does (see splitLongSpaceRuns). */
    matchHfSpaceRuns: boolean;
    /**
     * Tokens the GGUF types USER_DEFINED but llama.cpp re-flags as control when it loads the
     * vocabulary (Gemma's "</s>", an HTML tag to HF). They are matched in user text as the file
     * and HF define them; a token the file itself types CONTROL never is.
     */
    userDefinedLiterals: { text: string; id: number }[];
    /**
     * Where texts may be cut without changing their tokens (textSplitRuleFor). Without one, every
     * text is tokenized whole, in one piece of a native job.
     */
    splitRule?: TextSplitRule;
    /** UTF-16 code units per native job, when texts can be split there (default 65,536). */
    jobChars?: number;
};

/** Texts longer than this are tokenized every time: one 1 MB passage would push out thousands of others. */
const longestCachedText = 65_536;

const defaultJobChars = 65_536;

/** A piece of a text: plain text for llama.cpp, a fixed token id, or a run of 16-space tokens. */
type Piece = string | { id: number; count: number };

/** A text to tokenize; with a limit, only the ids the caller will read are needed (see tokenizeAll). */
export type TextRequest = { text: string; limit?: number };

export type TokenizedTexts = {
    /** Ids by text: all of them, or for a text in `partial`, a prefix of them longer than its limit. */
    tokens: Map<string, Int32Array>;
    /** Texts whose ids were cut after more than their limit. */
    partial: Set<string>;
};

type CacheEntry = { tokens: Int32Array; complete: boolean };

/** A text in progress: its tail from `position` is still to tokenize. */
type Progress = { text: string; limit: number | undefined; position: number; parts: Int32Array[]; count: number; chunkChars: number };

/**
 * llama.cpp's tokenizer over the GGUF's own vocabulary, with special-token parsing off: text a user
 * typed ("<bos>", "<start_of_turn>") always stays text. Tokenization runs off the JS thread. Desktop
 * apps rerank the same documents against many queries, so token ids are cached by text.
 *
 * Cost is bounded by the ids a caller reads. With a split rule, a text is tokenized a chunk at a
 * time, chunks ending at split points (where tok(a + b) = tok(a) ++ tok(b)), and a text with a limit
 * stops once it has more ids than the limit: those ids are exactly the first ones of the whole
 * text, and the rest could only be cut away by truncation. Chunks of all texts of a round go to
 * native jobs of at most `jobChars` code units (a text with no split point is one piece, whatever
 * its length), and the call's signal is checked before every job.
 */
export class TextTokenizer {
    private readonly model: AddonModel;
    private readonly cache: LruCache<string, CacheEntry>;
    /** The 16-space token, when the vocabulary needs HF's split of long space runs (Gemma's does). */
    private readonly sixteenSpacesToken: number | undefined;
    private readonly userDefinedLiterals: { text: string; id: number }[];
    readonly splitRule: TextSplitRule | undefined;
    private readonly jobChars: number;

    private constructor(model: AddonModel, options: TextTokenizerOptions, sixteenSpacesToken: number | undefined) {
        this.model = model;
        // Accounting: 2 bytes per code unit of the key, the ids' bytes, and a fixed overhead.
        this.cache = new LruCache(options.cacheEntries, options.cacheBytes, (text, entry) => stringBytes(text) + entry.tokens.byteLength + entryOverheadBytes);
        this.sixteenSpacesToken = sixteenSpacesToken;
        this.userDefinedLiterals = [...options.userDefinedLiterals].sort((a, b) => b.text.length - a.text.length);
        this.splitRule = options.splitRule;
        this.jobChars = options.jobChars ?? defaultJobChars;
    }

    static async create(model: AddonModel, options: TextTokenizerOptions): Promise<TextTokenizer> {
        const [sixteen] = options.matchHfSpaceRuns ? await model.tokenize([" ".repeat(16)], false) : [];
        return new TextTokenizer(model, options, sixteen?.length === 1 ? sixteen[0] : undefined);
    }

    /** Token ids of one text, without BOS/EOS. The returned array is shared: do not modify it. */
    async tokenize(text: string): Promise<Int32Array> {
        return (await this.tokenizeAll([{ text }])).tokens.get(text)!;
    }

    /**
     * Token ids of every text. A text with a limit may come back cut: then it is in `partial`, and
     * its ids are the first ids of the whole text, more than `limit` of them. A text listed twice
     * gets the larger limit (none if either has none). Arrays are shared: do not modify them.
     * Rejects with an AbortedError when the signal fires; the tokenizer stays usable.
     */
    async tokenizeAll(requests: Iterable<TextRequest>, signal?: AbortSignal): Promise<TokenizedTexts> {
        throwIfAborted(signal);
        const limits = new Map<string, number | undefined>();
        for (const { text, limit } of requests) {
            if (!limits.has(text)) limits.set(text, limit);
            else {
                const known = limits.get(text);
                limits.set(text, known === undefined || limit === undefined ? undefined : Math.max(known, limit));
            }
        }
        const result: TokenizedTexts = { tokens: new Map(), partial: new Set() };
        let pending: Progress[] = [];
        for (const [text, limit] of limits) {
            const cached = this.cache.get(text);
            if (cached && (cached.complete || (limit !== undefined && cached.tokens.length > limit))) {
                result.tokens.set(text, cached.tokens);
                if (!cached.complete) result.partial.add(text);
            } else {
                const firstChunk = limit !== undefined && this.splitRule ? Math.max(256, (limit + 1) * 8) : this.jobChars;
                pending.push({ text, limit, position: 0, parts: [], count: 0, chunkChars: Math.min(firstChunk, this.jobChars) });
            }
        }
        while (pending.length > 0) {
            const chunks = pending.map((progress) => this.nextChunk(progress));
            const pieces = chunks.map((chunk) => this.split(chunk));
            const plainTokens = await this.tokenizePlain(pieces.flat(), signal);
            pending.forEach((progress, i) => {
                const tokens = assemble(pieces[i]!, plainTokens);
                progress.parts.push(tokens);
                progress.count += tokens.length;
                progress.position += chunks[i]!.length;
                progress.chunkChars = Math.min(progress.chunkChars * 2, this.jobChars);
            });
            pending = pending.filter((progress) => {
                const complete = progress.position === progress.text.length;
                const enough = progress.limit !== undefined && progress.count > progress.limit;
                if (!complete && !enough) return true;
                const tokens = progress.parts.length === 1 ? progress.parts[0]! : concatTokens(progress.parts);
                result.tokens.set(progress.text, tokens);
                if (!complete) result.partial.add(progress.text);
                if (progress.text.length <= longestCachedText) this.cache.set(progress.text, { tokens, complete });
                return false;
            });
        }
        return result;
    }

    /**
     * Token ids of each text, tokenized whole and never cached: for many small pieces (a passage's
     * words, see PassageWindower) that would push whole passages out of the cache. The signal is
     * checked before every native job.
     */
    async tokenizeEach(texts: readonly string[], signal?: AbortSignal): Promise<Int32Array[]> {
        throwIfAborted(signal);
        const pieces = texts.map((text) => this.split(text));
        const plainTokens = await this.tokenizePlain(pieces.flat(), signal);
        return pieces.map((textPieces) => assemble(textPieces, plainTokens));
    }

    /**
     * For a profile's own template text only, never user text: parses special-token markers such
     * as <|im_start|> into their control tokens.
     */
    async tokenizeTemplate(text: string): Promise<Int32Array> {
        const [tokens] = await this.model.tokenize([text], true);
        return tokens!;
    }

    get cacheStats(): CacheStats {
        return this.cache.stats;
    }

    /** The text's next chunk: to the first split point past chunkChars, else the rest of the text. */
    private nextChunk(progress: Progress): string {
        const { text, position } = progress;
        if (!this.splitRule || text.length - position <= progress.chunkChars) return text.slice(position);
        const end = nextSplitPoint(text, position + progress.chunkChars);
        return text.slice(position, end ?? text.length);
    }

    /** Plain pieces in native jobs of at most jobChars code units (a longer piece alone); the signal is checked before each. */
    private async tokenizePlain(pieces: Piece[], signal: AbortSignal | undefined): Promise<Map<string, Int32Array>> {
        const plain = [...new Set(pieces.filter((piece): piece is string => typeof piece === "string"))];
        const tokens = new Map<string, Int32Array>();
        for (let start = 0; start < plain.length;) {
            let end = start + 1;
            let chars = plain[start]!.length;
            while (end < plain.length && chars + plain[end]!.length <= this.jobChars) chars += plain[end++]!.length;
            throwIfAborted(signal);
            const job = plain.slice(start, end);
            const ids = await this.model.tokenize(job, false);
            job.forEach((piece, i) => tokens.set(piece, ids[i]!));
            start = end;
        }
        throwIfAborted(signal);
        return tokens;
    }

    private split(text: string): Piece[] {
        const literalPieces: Piece[] = this.userDefinedLiterals.some((literal) => text.includes(literal.text))
            ? splitAtLiterals(text, this.userDefinedLiterals).map((piece) => (typeof piece === "string" ? piece : { id: piece.id, count: 1 }))
            : [text];
        const sixteenSpacesToken = this.sixteenSpacesToken;
        if (sixteenSpacesToken === undefined) return literalPieces;
        return literalPieces.flatMap((piece) =>
            typeof piece !== "string" || !piece.includes(" ".repeat(32))
                ? [piece]
                : splitLongSpaceRuns(piece).map((part) => (typeof part === "number" ? { id: sixteenSpacesToken, count: part } : part))
        );
    }
}

function assemble(pieces: Piece[], plainTokens: Map<string, Int32Array>): Int32Array {
    if (pieces.length === 1 && typeof pieces[0] === "string") return plainTokens.get(pieces[0])!;
    return concatTokens(pieces.map((piece) => (typeof piece === "string" ? plainTokens.get(piece)! : new Int32Array(piece.count).fill(piece.id))));
}

function throwIfAborted(signal: AbortSignal | undefined): void {
    if (signal?.aborted) throw new AbortedError(signal.reason);
}
