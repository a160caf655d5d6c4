import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { blasCmakeOptions, blasVendorOfCmakeOptions } from "../../src/native/BlasVendor.js";
import { describeBlas } from "../../src/native/describeBlas.js";
import { llamaSelectionOptions, prebuiltOnlyCmakeOption } from "../../src/native/llamaSelectionOptions.js";
import { localBuildRecordFileName, readLocalBuildRecord, writeLocalBuildRecord, type LocalBuildRecord } from "../../src/native/LocalBuildRecord.js";

const record: LocalBuildRecord = {
    format: 1,
    cmakeOptions: { GGML_BLAS: "ON", GGML_BLAS_VENDOR: "OpenBLAS" },
    gpu: false,
    nodeLlamaCppVersion: "3.21.1",
    builtAt: "2026-01-01T00:00:00.000Z"
};

describe("the local build record", () => {
    it("reads back what build-llama wrote, and nothing is a problem when there is no record", () => {
        const directory = mkdtempSync(path.join(tmpdir(), "llm-rerank-record-"));
        expect(readLocalBuildRecord(directory, "3.21.1")).toEqual({ problem: undefined });
        const file = writeLocalBuildRecord(record, directory);
        expect(path.basename(file)).toBe(localBuildRecordFileName);
        expect(readLocalBuildRecord(directory, "3.21.1")).toEqual({ record });
    });

    it("refuses a malformed record or one from another node-llama-cpp, saying why", () => {
        const directory = mkdtempSync(path.join(tmpdir(), "llm-rerank-record-"));
        const file = path.join(directory, localBuildRecordFileName);
        writeFileSync(file, "{ not json");
        expect(readLocalBuildRecord(directory, "3.21.1").problem).toMatch(/is not JSON; run llm-rerank build-llama again/);
        writeFileSync(file, JSON.stringify({ ...record, cmakeOptions: { GGML_BLAS: 1 } }));
        expect(readLocalBuildRecord(directory, "3.21.1").problem).toMatch(/is not a build record/);
        writeFileSync(file, JSON.stringify(record));
        expect(readLocalBuildRecord(directory, "3.22.0")).toEqual({
            problem: `${file} records a build by node-llama-cpp 3.21.1, this is 3.22.0; run llm-rerank build-llama again`
        });
    });
});

describe("which llama.cpp build getLlama is asked for", () => {
    it("passes the recorded options, so the recorded build's folder is the one looked in", () => {
        expect(llamaSelectionOptions("auto", record, {})).toEqual({ cmakeOptions: record.cmakeOptions });
        expect(llamaSelectionOptions("local", record, {})).toEqual({ cmakeOptions: record.cmakeOptions, usePrebuiltBinaries: false });
        expect(llamaSelectionOptions("auto", undefined, {})).toEqual({ cmakeOptions: {} });
    });

    it("asks for the prebuilt binaries with an option no build has, record or not", () => {
        expect(llamaSelectionOptions("prebuilt", record, {})).toEqual({ cmakeOptions: { [prebuiltOnlyCmakeOption]: "1" } });
        expect(llamaSelectionOptions("prebuilt", undefined, {})).toEqual({ cmakeOptions: { [prebuiltOnlyCmakeOption]: "1" } });
    });

    it("leaves the choice to NODE_LLAMA_CPP_CMAKE_OPTION_* variables when any is set", () => {
        const environment = { NODE_LLAMA_CPP_CMAKE_OPTION_GGML_NATIVE: "OFF", PATH: "/bin" };
        expect(llamaSelectionOptions("auto", record, environment)).toEqual({ cmakeOptions: {} });
        expect(llamaSelectionOptions("local", record, environment)).toEqual({ cmakeOptions: {}, usePrebuiltBinaries: false });
        expect(llamaSelectionOptions("auto", record, { PATH: "/bin", NODE_LLAMA_CPP_CMAKE_OPTION_: "x" })).toEqual({ cmakeOptions: record.cmakeOptions });
    });
});

describe("BLAS vendors", () => {
    it("map to ggml's CMake options and back", () => {
        expect(blasCmakeOptions("openblas")).toEqual({ GGML_BLAS: "ON", GGML_BLAS_VENDOR: "OpenBLAS" });
        expect(blasCmakeOptions("blis")).toEqual({ GGML_BLAS: "ON", GGML_BLAS_VENDOR: "FLAME" });
        expect(blasCmakeOptions("accelerate")).toEqual({ GGML_BLAS: "ON", GGML_BLAS_VENDOR: "Apple" });
        for (const vendor of ["openblas", "blis", "accelerate"] as const) expect(blasVendorOfCmakeOptions(blasCmakeOptions(vendor))).toBe(vendor);
        expect(blasVendorOfCmakeOptions({ GGML_BLAS: "OFF", GGML_BLAS_VENDOR: "OpenBLAS" })).toBeUndefined();
        expect(blasVendorOfCmakeOptions({})).toBeUndefined();
    });

    it("are described from the build's options and the library the process loaded", () => {
        const loaded = ["/usr/lib/libc.so.6", "/no/such/dir/libopenblas.so.0"];
        expect(describeBlas({}, loaded)).toBeNull();
        expect(describeBlas(blasCmakeOptions("openblas"), loaded)).toEqual({ vendor: "OpenBLAS", libraryPath: "/no/such/dir/libopenblas.so.0" });
        expect(describeBlas(blasCmakeOptions("blis"), loaded)).toEqual({ vendor: "BLIS", libraryPath: null });
        expect(describeBlas({ GGML_BLAS: "ON", GGML_BLAS_VENDOR: "Intel10_64lp" }, loaded)).toEqual({ vendor: "Intel10_64lp", libraryPath: null });
    });
});

describe("llm-rerank build-llama", () => {
    const cli = path.resolve("dist/cli/cli.js");
    const run = (args: string[]) => {
        try {
            execFileSync(process.execPath, [cli, "build-llama", ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
            return { status: 0, stderr: "" };
        } catch (error) {
            const failed = error as { status: number; stderr: string };
            return { status: failed.status, stderr: failed.stderr };
        }
    };

    it("refuses a BLAS it does not know, and Accelerate off macOS, before building anything", () => {
        const unknown = run(["--blas", "mkl"]);
        expect(unknown.status).not.toBe(0);
        expect(unknown.stderr).toMatch(/--blas expects one of openblas, blis, accelerate, got mkl/);
        if (process.platform !== "darwin") expect(run(["--blas", "accelerate"]).stderr).toMatch(/--blas accelerate needs macOS/);
    });
});
