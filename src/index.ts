export { Reranker, type CacheStats, type RerankerDescription } from "./Reranker.js";
export type {
    CallUsage,
    RerankerLoadOptions,
    RerankOptions,
    RerankResult,
    RerankWarning,
    ScoreOptions,
    PassageWindow,
    PassageWindows,
    ScoredWindow,
    ScoreProgress,
    StreamedScore
} from "./RerankerOptions.js";
export type { ModelHealthReport, ModelHealthWarning, ModelHealthCode, Canary, CanaryScores } from "./health/ModelHealth.js";
export type { GpuOption, LlamaBuildOption, HostDescription, BackendDescription } from "./native/HostDescription.js";
export type { BlasDescription } from "./native/describeBlas.js";
export type { AddonBinary } from "./native/loadAddon.js";
export type { ModelProfile } from "./profiles/ModelProfile.js";
export { listProfiles } from "./profiles/loadProfiles.js";
export { RerankError, type RerankErrorCode } from "./errors/RerankError.js";
export * from "./errors/errors.js";
export { isRerankError, serializeError, reviveError, type SerializedError } from "./errors/errorTransport.js";
export type { Scorer, ScorerDescription, ScorerReadiness } from "./Scorer.js";
export type { ModelDownloadOptions, ModelDownloadProgress } from "./model/ModelDownloadOptions.js";
export { pullModel } from "./model/pullModel.js";
export type { IsolationProcess } from "./isolation/IsolationChannel.js";
export { isolationEntryPoint } from "./isolation/childEntryPoint.js";
export { RemoteReranker } from "./remote/RemoteReranker.js";
export type { RemoteRerankerOptions } from "./remote/RemoteRerankerOptions.js";
export { RerankServer, type RerankServerOptions } from "./server/RerankServer.js";
export { SupervisedReranker, type SupervisionOptions, type SupervisorStatus, type BackendLoader, type BackendExit } from "./server/SupervisedReranker.js";
export { defaultServerLimits, type ServerLimits } from "./server/ServerLimits.js";
