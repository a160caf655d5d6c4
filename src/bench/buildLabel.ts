/** "prebuilt", "localBuild + OpenBLAS": which llama.cpp build a row ran on, as describe().backend reports it. */
export function buildLabel(backend: { build: string; blas: { vendor: string } | null }): string {
    return backend.build + (backend.blas ? ` + ${backend.blas.vendor}` : "");
}
