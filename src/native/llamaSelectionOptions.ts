import type { LlamaBuildOption } from "./HostDescription.js";
import type { LocalBuildRecord } from "./LocalBuildRecord.js";

export const cmakeOptionEnvironmentPrefix = "NODE_LLAMA_CPP_CMAKE_OPTION_";

/** A CMake option name that no build uses: with it, node-llama-cpp finds no local build and loads its prebuilt binaries. */
export const prebuiltOnlyCmakeOption = "LLM_RERANK_USE_PREBUILT";

export type LlamaSelection = { cmakeOptions?: Record<string, string>; usePrebuiltBinaries?: boolean };

/** The NODE_LLAMA_CPP_CMAKE_OPTION_* variables set, by option name. */
export function environmentCmakeOptions(environment: NodeJS.ProcessEnv): Record<string, string> {
    const options: Record<string, string> = {};
    for (const [key, value] of Object.entries(environment)) {
        if (key.startsWith(cmakeOptionEnvironmentPrefix) && key.length > cmakeOptionEnvironmentPrefix.length && value !== undefined)
            options[key.slice(cmakeOptionEnvironmentPrefix.length)] = value;
    }
    return options;
}

/**
 * What getLlama needs (besides gpu and build: "never") to load the build asked for:
 * - "prebuilt": an option no build has, so no local build matches and the prebuilt binaries load;
 * - "auto" / "local": the recorded build's options, so node-llama-cpp looks in that build's folder
 *   ("auto" falls back to the prebuilt binaries when it is not there, "local" fails).
 * NODE_LLAMA_CPP_CMAKE_OPTION_* variables win over the record: node-llama-cpp adds them to any
 * options passed here, so merging the two would name a build that does not exist; a user who sets
 * them chose a build explicitly, as before records existed.
 */
export function llamaSelectionOptions(build: LlamaBuildOption, record: LocalBuildRecord | undefined, environment: NodeJS.ProcessEnv): LlamaSelection {
    if (build === "prebuilt") return { cmakeOptions: { [prebuiltOnlyCmakeOption]: "1" } };
    const useRecord = record !== undefined && Object.keys(environmentCmakeOptions(environment)).length === 0;
    const cmakeOptions = useRecord ? { ...record.cmakeOptions } : {};
    return build === "local" ? { cmakeOptions, usePrebuiltBinaries: false } : { cmakeOptions };
}
