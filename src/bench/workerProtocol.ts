import type { WorkloadQuery } from "./BenchWorkload.js";
import type { ContenderSetup, RoundResult } from "./Contender.js";

/** How the bench asks a child process, which holds another libllama, to run configuration (c). */
export type WorkerRequest =
    | {
          type: "load";
          model: string;
          gpu: "auto" | "cuda" | "metal" | "vulkan" | false;
          llamaBuild: "prebuilt" | "local";
          threads?: number;
          slots?: number;
          batchSize?: number;
      }
    | { type: "warmUp"; workload: WorkloadQuery[] }
    | { type: "round"; workload: WorkloadQuery[] }
    | { type: "dispose" };

export type WorkerReply =
    { type: "loaded"; setup: ContenderSetup } | { type: "done" } | { type: "round"; result: RoundResult } | { type: "error"; message: string };

/** A CMake option name that no real build uses. node-llama-cpp looks for a local build under a
 * name derived from all NODE_LLAMA_CPP_CMAKE_OPTION_* variables, so with this one set it finds
 * none and falls back to its prebuilt binaries, which it matches without custom options. */
export const preferPrebuiltEnvironmentVariable = "NODE_LLAMA_CPP_CMAKE_OPTION_LLM_RERANK_BENCH_PREBUILT";
