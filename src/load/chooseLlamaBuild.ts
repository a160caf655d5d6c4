import type { GpuOption, LlamaBuildOption } from "../native/HostDescription.js";
import type { LocalBuildRecord } from "../native/LocalBuildRecord.js";
import type { RerankWarning } from "../RerankerOptions.js";

export type LlamaBuildChoice = { build: LlamaBuildOption; warning?: RerankWarning };

/** Whether the recorded local build is a CPU build with ggml's BLAS backend (build-llama --blas). */
export function isCpuBlasBuild(record: LocalBuildRecord | undefined): boolean {
    return record !== undefined && record.gpu === false && /^(on|1|true|yes)$/i.test(record.cmakeOptions.GGML_BLAS ?? "");
}

/**
 * Which llama.cpp build a load asks for, decided from the file before anything native runs.
 *
 * ggml's BLAS backend hands every large product to the BLAS and converts any weight type to F32
 * first: it doubles F32 on a laptop CPU, but takes Q8_0 (AMX / VNNI int8 kernels) and BF16
 * (AVX512_BF16) back to F32 speed. So with `llamaBuild: "auto"`, a CPU load (gpu false or "auto")
 * and a recorded local BLAS build, a file whose weights are not F32 asks for the prebuilt
 * binaries; an F32 file keeps "auto", which finds the local build. Nothing changes for an explicit
 * build, an explicit GPU, or NODE_LLAMA_CPP_CMAKE_OPTION_* variables (an explicit choice of build).
 * One process holds one libllama: when this process already runs a build (an earlier in-process
 * load), a later load uses that one, with a warning when it is the slower choice for the file. A
 * child process (isolation "process") starts fresh, so it gets its own file's build.
 */
export function chooseLlamaBuild(input: {
    asked: LlamaBuildOption;
    gpu: GpuOption;
    weightType: string;
    record: LocalBuildRecord | undefined;
    /** Whether NODE_LLAMA_CPP_CMAKE_OPTION_* variables are set: they name a build themselves. */
    environmentNamesBuild: boolean;
    /** The build this process already loaded in process, if any (ignored for a child process). */
    loadedInProcess: "prebuilt" | "local" | undefined;
    isolated: boolean;
}): LlamaBuildChoice {
    const { asked, weightType, record, isolated } = input;
    const loaded = isolated ? undefined : input.loadedInProcess;
    const onCpu = input.gpu === false || input.gpu === "auto";
    if (asked !== "auto" || !onCpu || input.environmentNamesBuild || !isCpuBlasBuild(record)) return { build: asked };
    const f32 = weightType === "F32";
    if (loaded === undefined) return { build: f32 ? "auto" : "prebuilt" };
    if (loaded === "prebuilt") {
        if (!f32) return { build: "prebuilt" };
        const message = `this process already runs the prebuilt llama.cpp (loaded first for a file that is not F32), so this F32 file runs without the local BLAS build (about half its speed on a CPU); load it with isolation: "process" to get the BLAS build`;
        return { build: "prebuilt", warning: { code: "SLOWER_LLAMA_BUILD", message } };
    }
    if (f32) return { build: "auto" };
    const message = `this process already runs the local BLAS build of llama.cpp, whose BLAS backend converts ${weightType} weights to F32 before each large product (the prebuilt binaries' ${weightType} kernels are about 1.5× faster on a CPU); load this file first in a new process, or with isolation: "process", to get them`;
    return { build: "auto", warning: { code: "SLOWER_LLAMA_BUILD", message } };
}
