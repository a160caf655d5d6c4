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

describe("chooseLlamaBuild", () => {
    it("reads a CPU BLAS build from its record, and nothing else as one", () => {
        expect(isCpuBlasBuild(openblas)).toBe(true);
        expect(isCpuBlasBuild(plainLocal)).toBe(false);
        expect(isCpuBlasBuild(record({ GGML_BLAS: "ON" }, "cuda"))).toBe(false);
        expect(isCpuBlasBuild(undefined)).toBe(false);
    });

    it("gives a fresh process the BLAS build for F32 and the prebuilt binaries for every other weight type", () => {
        const choose = (weightType: string) => chooseLlamaBuild({ asked: "auto", weightType, record: openblas, loadedInProcess: undefined, isolated: false });
        expect(choose("F32")).toEqual({ build: "local" });
        for (const type of ["Q8_0", "BF16", "F16", "Q4_K"]) expect(choose(type)).toEqual({ build: "prebuilt" });
    });

    it("leaves auto as it is without a BLAS build, and never overrides an explicit build", () => {
        expect(chooseLlamaBuild({ asked: "auto", weightType: "Q8_0", record: plainLocal, loadedInProcess: undefined, isolated: false })).toEqual({
            build: "auto"
        });
        expect(chooseLlamaBuild({ asked: "auto", weightType: "Q8_0", record: undefined, loadedInProcess: undefined, isolated: false })).toEqual({
            build: "auto"
        });
        expect(chooseLlamaBuild({ asked: "local", weightType: "Q8_0", record: openblas, loadedInProcess: "prebuilt", isolated: false })).toEqual({
            build: "local"
        });
        expect(chooseLlamaBuild({ asked: "prebuilt", weightType: "F32", record: openblas, loadedInProcess: undefined, isolated: false })).toEqual({
            build: "prebuilt"
        });
    });

    it("keeps the build this process already loaded, warning when it is the slower one for the file", () => {
        const quantizedAfterBlas = chooseLlamaBuild({ asked: "auto", weightType: "Q8_0", record: openblas, loadedInProcess: "local", isolated: false });
        expect(quantizedAfterBlas.build).toBe("local");
        expect(quantizedAfterBlas.warning?.code).toBe("SLOWER_LLAMA_BUILD");
        expect(quantizedAfterBlas.warning?.message).toMatch(/Q8_0/);
        const f32AfterPrebuilt = chooseLlamaBuild({ asked: "auto", weightType: "F32", record: openblas, loadedInProcess: "prebuilt", isolated: false });
        expect(f32AfterPrebuilt.build).toBe("prebuilt");
        expect(f32AfterPrebuilt.warning?.code).toBe("SLOWER_LLAMA_BUILD");
        expect(chooseLlamaBuild({ asked: "auto", weightType: "BF16", record: openblas, loadedInProcess: "prebuilt", isolated: false })).toEqual({
            build: "prebuilt"
        });
    });

    it("gives a child process (isolation: process) the file's build whatever this process loaded", () => {
        expect(chooseLlamaBuild({ asked: "auto", weightType: "Q8_0", record: openblas, loadedInProcess: "local", isolated: true })).toEqual({
            build: "prebuilt"
        });
        expect(chooseLlamaBuild({ asked: "auto", weightType: "F32", record: openblas, loadedInProcess: "prebuilt", isolated: true })).toEqual({
            build: "local"
        });
    });
});
