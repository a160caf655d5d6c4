import { describe, expect, it } from "vitest";
import { chooseLlamaBuild, isCpuBlasBuild } from "../../../src/load/chooseLlamaBuild.js";
import type { LocalBuildRecord } from "../../../src/native/LocalBuildRecord.js";

const record = (cmakeOptions: Record<string, string>, gpu: LocalBuildRecord["gpu"] = false): LocalBuildRecord => ({
    format: 1,
    cmakeOptions,
    gpu,
    nodeLlamaCppVersion: "3.21.1",
    builtAt: "2026-12-06T00:00:00Z"
});
const openblas = record({ GGML_BLAS: "ON", GGML_BLAS_VENDOR: "OpenBLAS" });
const plainLocal = record({ GGML_NATIVE: "ON" });
const fresh = { asked: "auto", gpu: false, record: openblas, environmentNamesBuild: false, loadedInProcess: undefined, isolated: false } as const;

describe("chooseLlamaBuild", () => {
    it("reads a CPU BLAS build from its record, and nothing else as one", () => {
        expect(isCpuBlasBuild(openblas)).toBe(true);
        expect(isCpuBlasBuild(plainLocal)).toBe(false);
        expect(isCpuBlasBuild(record({ GGML_BLAS: "ON" }, "cuda"))).toBe(false);
        expect(isCpuBlasBuild(undefined)).toBe(false);
    });

    it("sends every weight type but F32 to the prebuilt binaries in a fresh process; F32 keeps auto (the BLAS build)", () => {
        for (const gpu of [false, "auto"] as const) {
            expect(chooseLlamaBuild({ ...fresh, gpu, weightType: "F32" })).toEqual({ build: "auto" });
            for (const type of ["Q8_0", "BF16", "F16", "Q4_K"]) expect(chooseLlamaBuild({ ...fresh, gpu, weightType: type })).toEqual({ build: "prebuilt" });
        }
    });

    it("changes nothing without a BLAS build, for an explicit build or GPU, or when NODE_LLAMA_CPP_CMAKE_OPTION_* names one", () => {
        expect(chooseLlamaBuild({ ...fresh, weightType: "Q8_0", record: plainLocal })).toEqual({ build: "auto" });
        expect(chooseLlamaBuild({ ...fresh, weightType: "Q8_0", record: undefined })).toEqual({ build: "auto" });
        expect(chooseLlamaBuild({ ...fresh, weightType: "Q8_0", asked: "local", loadedInProcess: "prebuilt" })).toEqual({ build: "local" });
        expect(chooseLlamaBuild({ ...fresh, weightType: "F32", asked: "prebuilt" })).toEqual({ build: "prebuilt" });
        for (const gpu of ["cuda", "vulkan", "metal"] as const) expect(chooseLlamaBuild({ ...fresh, gpu, weightType: "Q8_0" })).toEqual({ build: "auto" });
        expect(chooseLlamaBuild({ ...fresh, weightType: "Q8_0", environmentNamesBuild: true })).toEqual({ build: "auto" });
    });

    it("keeps the build this process already loaded, warning when it is the slower one for the file", () => {
        const quantizedAfterBlas = chooseLlamaBuild({ ...fresh, weightType: "Q8_0", loadedInProcess: "local" });
        expect(quantizedAfterBlas.build).toBe("auto");
        expect(quantizedAfterBlas.warning?.code).toBe("SLOWER_LLAMA_BUILD");
        expect(quantizedAfterBlas.warning?.message).toMatch(/Q8_0/);
        const f32AfterPrebuilt = chooseLlamaBuild({ ...fresh, weightType: "F32", loadedInProcess: "prebuilt" });
        expect(f32AfterPrebuilt.build).toBe("prebuilt");
        expect(f32AfterPrebuilt.warning?.code).toBe("SLOWER_LLAMA_BUILD");
        expect(chooseLlamaBuild({ ...fresh, weightType: "BF16", loadedInProcess: "prebuilt" })).toEqual({ build: "prebuilt" });
        expect(chooseLlamaBuild({ ...fresh, weightType: "F32", loadedInProcess: "local" })).toEqual({ build: "auto" });
    });

    it("gives a child process (isolation: process) the file's build whatever this process loaded", () => {
        expect(chooseLlamaBuild({ ...fresh, weightType: "Q8_0", loadedInProcess: "local", isolated: true })).toEqual({ build: "prebuilt" });
        expect(chooseLlamaBuild({ ...fresh, weightType: "F32", loadedInProcess: "prebuilt", isolated: true })).toEqual({ build: "auto" });
    });
});
