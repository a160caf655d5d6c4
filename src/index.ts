export { Reranker, type RerankerDescription } from "./Reranker.js";
export type { RerankerLoadOptions, RerankOptions, RerankResult, RerankWarning, ScoreOptions, ScoreProgress, StreamedScore } from "./RerankerOptions.js";
export type { GpuOption, BackendDescription } from "./native/LlamaBackend.js";
export type { ModelProfile } from "./profiles/ModelProfile.js";
export { listProfiles } from "./profiles/loadProfiles.js";
export { RerankError, type RerankErrorCode } from "./errors/RerankError.js";
export * from "./errors/errors.js";
