import { spawnSync } from "node:child_process";

/** A measured F32 GEMM rate and how it was measured. */
export type SgemmPeak = { gflops: number; source: string };

// numpy's matmul calls its bundled OpenBLAS's SGEMM: the best of a few runs of the shapes a 0.6B
// model's projections take over a 512-token ubatch ([3072 × 1024] · [1024 × 512], and square 2048).
const probe = `
import sys, time
import numpy as np
best = 0.0
for m, k, n in ((3072, 1024, 512), (1024, 3072, 512), (2048, 2048, 2048)):
    a = np.random.default_rng(1).random((m, k), dtype=np.float32)
    b = np.random.default_rng(2).random((k, n), dtype=np.float32)
    a @ b
    for _ in range(int(sys.argv[1])):
        t = time.perf_counter(); a @ b; best = max(best, 2 * m * k * n / (time.perf_counter() - t) / 1e9)
print(best, np.__version__)
`;

/**
 * The machine's F32 GEMM peak at `threads` threads, measured now through numpy's OpenBLAS (python3
 * with numpy on the PATH), the figure the bench sets its executed GFLOP/s against; undefined where
 * there is no numpy. A JavaScript loop would measure JavaScript, and llama.cpp's API runs no bare
 * matrix product, so a tuned BLAS is the honest yardstick at hand.
 */
export function measureSgemmPeak(threads: number, repeats = 5): SgemmPeak | undefined {
    const threadVariables = Object.fromEntries(["OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"].map((name) => [name, String(threads)]));
    const run = spawnSync("python3", ["-c", probe, String(repeats)], { encoding: "utf8", env: { ...process.env, ...threadVariables }, timeout: 120_000 });
    if (run.status !== 0) return undefined;
    const [gflops, version] = run.stdout.trim().split(/\s+/);
    const value = Number(gflops);
    return Number.isFinite(value) && value > 0
        ? { gflops: value, source: `numpy ${version} (its OpenBLAS) SGEMM, ${threads} threads, best of ${repeats}` }
        : undefined;
}
