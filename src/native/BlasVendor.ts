/**
 * The BLAS libraries `llm-rerank build-llama --blas` can build ggml's BLAS backend against, and
 * the CMake options that select each (ggml/src/ggml-blas/CMakeLists.txt: GGML_BLAS_VENDOR is
 * CMake's FindBLAS vendor name; BLIS is "FLAME", Apple's Accelerate is "Apple").
 */
export const blasVendors = {
    openblas: { cmakeVendor: "OpenBLAS", name: "OpenBLAS", library: /libopenblas/i },
    blis: { cmakeVendor: "FLAME", name: "BLIS", library: /libblis/i },
    accelerate: { cmakeVendor: "Apple", name: "Accelerate", library: /Accelerate\.framework|vecLib\.framework/ }
} as const;

export type BlasVendor = keyof typeof blasVendors;

export const blasVendorNames = Object.keys(blasVendors) as BlasVendor[];

/** The custom CMake options a build with this BLAS needs, on top of node-llama-cpp's defaults. */
export function blasCmakeOptions(vendor: BlasVendor): Record<string, string> {
    return { GGML_BLAS: "ON", GGML_BLAS_VENDOR: blasVendors[vendor].cmakeVendor };
}

/** The vendor a set of custom CMake options builds with, or undefined when they leave ggml's BLAS backend off. */
export function blasVendorOfCmakeOptions(options: Readonly<Record<string, string>>): BlasVendor | undefined {
    const enabled = options.GGML_BLAS;
    if (enabled === undefined || !/^(on|1|true|yes)$/i.test(enabled)) return undefined;
    const cmakeVendor = options.GGML_BLAS_VENDOR;
    return blasVendorNames.find((vendor) => blasVendors[vendor].cmakeVendor === cmakeVendor);
}
