/*
 * The machine's F32 matrix-multiply (SGEMM) rate through a CBLAS library, to set the bench's
 * executed GFLOP/s against. Each shape runs `repeats` times after one warm-up call; the best time
 * counts (the peak is the question, and other processes only ever slow a call down).
 *
 *   cc -O2 -o /tmp/sgemm-peak tools/sgemm-peak.c $(pkg-config --cflags --libs openblas)
 *   /tmp/sgemm-peak [threads] [repeats]
 *
 * Shapes: square 2048 and 4096, and the bench model's (n_embd 2048, n_ff 16384) projections over a
 * 512-token batch: [16384 x 2048] x [2048 x 512] (FFN gate/up) and [2048 x 16384] x [16384 x 512] (down).
 */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now_seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static float *filled(size_t count) {
    float *values = malloc(count * sizeof(float));
    if (!values) {
        perror("malloc");
        exit(1);
    }
    for (size_t i = 0; i < count; i++) values[i] = (float)((i * 2654435761u) % 1000) / 1000.0f - 0.5f;
    return values;
}

/* C[m x n] = A[m x k] * B[k x n], row-major, as ggml-blas calls it (B transposed in memory). */
static double best_gflops(int m, int n, int k, int repeats) {
    float *a = filled((size_t)m * k), *b = filled((size_t)n * k), *c = filled((size_t)m * n);
    double best = 1e30;
    for (int r = 0; r <= repeats; r++) {
        double start = now_seconds();
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, n, k, 1.0f, a, k, b, k, 0.0f, c, n);
        double seconds = now_seconds() - start;
        if (r > 0 && seconds < best) best = seconds; /* r == 0 warms caches and threads */
    }
    free(a);
    free(b);
    free(c);
    return 2.0 * m * n * k / best / 1e9;
}

int main(int argc, char **argv) {
    int threads = argc > 1 ? atoi(argv[1]) : 2;
    int repeats = argc > 2 ? atoi(argv[2]) : 5;
    openblas_set_num_threads(threads);
    printf("%s\nthreads %d, best of %d\n", openblas_get_config(), openblas_get_num_threads(), repeats);
    const int shapes[][3] = {{2048, 2048, 2048}, {4096, 4096, 4096}, {16384, 512, 2048}, {2048, 512, 16384}};
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        int m = shapes[s][0], n = shapes[s][1], k = shapes[s][2];
        printf("m %5d n %5d k %5d: %7.1f GFLOP/s\n", m, n, k, best_gflops(m, n, k, repeats));
    }
    return 0;
}
