import { realpathSync } from "node:fs";
import { blasVendorOfCmakeOptions, blasVendors } from "./BlasVendor.js";

export type BlasDescription = {
    /** "OpenBLAS", "BLIS" or "Accelerate"; the raw GGML_BLAS_VENDOR for a vendor llm-rerank does not name. */
    vendor: string;
    /** The BLAS library mapped into this process (symlinks resolved, so it usually names the version), or null when none is found. */
    libraryPath: string | null;
};

/**
 * The BLAS ggml's BLAS backend multiplies with, for a build made with these custom CMake options,
 * or null when the build has no BLAS backend. The vendor comes from the options (the BLAS backend
 * registers no features that llama_print_system_info would list); the library from the shared
 * objects the OS reports loaded. Prebuilt binaries are described by their (empty) options, which
 * is exact on Linux and Windows; on macOS ggml enables Accelerate by default, which this reports
 * only for builds that name it.
 */
export function describeBlas(cmakeOptions: Readonly<Record<string, string>>, sharedObjects: readonly string[] = loadedSharedObjects()): BlasDescription | null {
    const vendor = blasVendorOfCmakeOptions(cmakeOptions);
    if (vendor === undefined) {
        const enabled = /^(on|1|true|yes)$/i.test(cmakeOptions.GGML_BLAS ?? "");
        return enabled ? { vendor: cmakeOptions.GGML_BLAS_VENDOR ?? "Generic", libraryPath: null } : null;
    }
    const library = sharedObjects.find((file) => blasVendors[vendor].library.test(file));
    return { vendor: blasVendors[vendor].name, libraryPath: library === undefined ? null : resolveLink(library) };
}

function loadedSharedObjects(): string[] {
    const report = process.report.getReport() as unknown as { sharedObjects?: string[] };
    return report.sharedObjects ?? [];
}

function resolveLink(file: string): string {
    try {
        return realpathSync(file);
    } catch {
        return file;
    }
}
