/** What happened to one hostile file, in the order the report lists the classes. */
export const outcomeClasses = [
    ["validation", "refused by our validation (typed error)"],
    ["llama", "refused by llama.cpp (ModelLoadError)"],
    ["scored", "loaded and scored finite"],
    ["scoringError", "loaded, scoring refused (typed error)"],
    ["otherTyped", "other typed error"],
    ["untyped", "untyped error (a library bug)"],
    ["nonFinite", "non-finite score returned"],
    ["abort", "process abort"],
    ["hang", "hang (timeout)"]
] as const;

export type OutcomeClass = (typeof outcomeClasses)[number][0];

export type HostileCaseOutcome = {
    outcome: OutcomeClass;
    /** The error code and message, the scores, or the exit signal with llama.cpp's last words. */
    detail: string;
};

/** Messages between the suite (parent) and a case runner (child). */
/**
 * `fault` makes the runner itself abort or stop answering on that case: the suite's own test
 * checks with it that a dying or hanging runner is counted and replaced.
 */
export type CaseRequest = { index: number; path: string; fault?: "abort" | "hang" };
export type CaseReply = { index: number } & HostileCaseOutcome;
export type ChildReady = { ready: true };
