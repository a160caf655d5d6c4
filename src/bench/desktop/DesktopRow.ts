import type { DecodeTally } from "../RecordingContext.js";

/** Which contender a desktop-bench row runs, each alone in a child process of its own. */
export const desktopRowKinds = ["in-process", "isolated", "peer-1", "peer-4"] as const;
export type DesktopRowKind = (typeof desktopRowKinds)[number];

/** The library's settings a row may override (undefined: the library's default). */
export type DesktopLibrarySettings = {
    slots?: number;
    batchSize?: number;
    ubatchSize?: number;
    flashAttention?: boolean;
    /** Tokens of the longest input: set above the longest chunk plus template, so no chunk is truncated (the profile's default is 1,024). */
    maxLength?: number;
};

/** What the parent sends a row's child process. */
export type DesktopRowRequest = {
    kind: DesktopRowKind;
    model: string;
    query: string;
    documents: string[];
    threads: number;
    settings: DesktopLibrarySettings;
    /** A short pair scored first, untimed: first-decode allocations and weight repacking stay out of the timing. */
    warmUp: [string, string];
};

/** What a row's child process answers. */
export type DesktopRowResult = {
    kind: DesktopRowKind;
    loadSeconds: number;
    seconds: number;
    /**
     * CPU seconds this process's threads spent in the timed query (user + system); on a machine
     * other processes share, seconds / cores understates how fast the query would run alone, this
     * does not. The isolated row's work runs in its host process: none.
     */
    cpuSeconds?: number;
    scores: number[];
    /** The library's rows: what its decodes held (the isolated row's host is out of reach: none). */
    tally?: DecodeTally;
    /** The library's settings as loaded: slots, batch and ubatch size, flash attention. */
    setup?: string;
    /** Peak resident memory of the row's process, and of any child process it started (isolation's host). */
    peakRssBytes: number;
    /** The CPU backend variant and llama.cpp build the row ran on. */
    backend: string;
};
