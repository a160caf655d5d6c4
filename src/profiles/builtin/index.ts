import type { ModelProfile } from "../ModelProfile.js";
import { bgeRerankerV2Gemma } from "./bgeRerankerV2Gemma.js";
import { bgeRerankerV2M3 } from "./bgeRerankerV2M3.js";
import { gteRerankerModernBert } from "./gteRerankerModernBert.js";
import { jinaRerankerV2 } from "./jinaRerankerV2.js";
import { mxbaiRerankV2 } from "./mxbaiRerankV2.js";
import { qwen3Reranker } from "./qwen3Reranker.js";
import { zerank } from "./zerank.js";

/**
 * The profiles built into the library, one a family, in name order (detectProfile takes the first
 * profile of an architecture when no name hint matches). Typed here, so the build checks their
 * shape; test/profiles.test.ts runs validateProfile over each, which checks what types cannot.
 */
export const builtinProfiles: readonly ModelProfile[] = [
    bgeRerankerV2Gemma,
    bgeRerankerV2M3,
    gteRerankerModernBert,
    jinaRerankerV2,
    mxbaiRerankV2,
    qwen3Reranker,
    zerank
];
