import { describe, expectTypeOf, it } from "vitest";
import {
    NonFiniteScoreError,
    RerankError,
    Reranker,
    type ModelHealthReport,
    type ModelHealthWarning,
    type RerankerLoadOptions,
    type RerankResult,
    type RerankErrorCode,
    type RerankWarning,
    type PassageWindow,
    type ScoreOptions
} from "../../src/index.js";

// Checked by `npm run lint` (tsc over the tests): the public surface other code is written against.
describe("public API types", () => {
    it("has the documented signatures", () => {
        expectTypeOf(Reranker.load).parameter(0).toEqualTypeOf<RerankerLoadOptions>();
        expectTypeOf(Reranker.load).returns.resolves.toEqualTypeOf<Reranker>();
        expectTypeOf<Reranker["score"]>().returns.resolves.toEqualTypeOf<number[]>();
        expectTypeOf<Reranker["rerank"]>().returns.resolves.toEqualTypeOf<RerankResult[]>();
        expectTypeOf<Reranker["scoreTokens"]>().parameter(0).toEqualTypeOf<number[][]>();
        expectTypeOf<Reranker["buildInput"]>().returns.toEqualTypeOf<Promise<number[]>>();
        expectTypeOf<Reranker["dispose"]>().returns.toEqualTypeOf<Promise<void>>();
        expectTypeOf<Reranker>().toHaveProperty(Symbol.asyncDispose);
        expectTypeOf<RerankResult>().toEqualTypeOf<{ index: number; score: number; passage: string; window?: PassageWindow }>();
        expectTypeOf<ScoreOptions["overflow"]>().toEqualTypeOf<"truncate" | "max-window" | undefined>();
        expectTypeOf<PassageWindow>().toEqualTypeOf<{ start: number; end: number; tokenStart: number; tokenEnd: number; index: number; count: number }>();
        expectTypeOf<RerankerLoadOptions["gpu"]>().toEqualTypeOf<"auto" | "cuda" | "metal" | "vulkan" | false | undefined>();
        expectTypeOf<NonFiniteScoreError>().toMatchTypeOf<RerankError>();
        expectTypeOf<RerankError["code"]>().toEqualTypeOf<RerankErrorCode>();
        expectTypeOf<Reranker["checkHealth"]>().returns.resolves.toEqualTypeOf<ModelHealthReport>();
        expectTypeOf<RerankerLoadOptions["healthCheck"]>().toEqualTypeOf<boolean | undefined>();
        // A health finding is a RerankWarning that also carries its cause and fix.
        expectTypeOf<ModelHealthWarning>().toMatchTypeOf<RerankWarning>();
        expectTypeOf<Extract<RerankWarning, { code: "HEALTH_SATURATED_SCORES" }>>().toHaveProperty("fix");
    });
});
