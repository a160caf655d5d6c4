import type { AddonContext, AddonContextOptions, AddonModel, ModelHost } from "../native/AddonTypes.js";

/**
 * Where tooling that ships with the library (the bench) may watch a load, instead of patching the
 * addon: not part of the public API. observeContext receives the context the engine would use and
 * returns the one it will use (a forwarding wrapper that records decodes).
 */
export type LoadSeams = {
    /** The host the load goes through, once it has started (the bench reads device memory from it). */
    observeHost?: (host: ModelHost) => void;
    observeContext?: (context: AddonContext, model: AddonModel, options: AddonContextOptions) => AddonContext;
};
