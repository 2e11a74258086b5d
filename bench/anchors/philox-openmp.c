/* C + OpenMP random-number anchor: Philox4x32-10 of our own (the same streams
 * as numbat's random: key = seed, counter = [block, 0, stream, 0]) and the same
 * word -> float mappings, so its uniform and normal draws are the ones numbat's
 * random.uniformF32 / normalF32 make. Three jobs: uniform f32 draws, normal f32
 * draws (Box-Muller, both outputs), and the option-pricing example's European
 * call (one normal per path). Built by build-c.sh philox-openmp.c with
 * cc -O3 -march=native -fopenmp (no -ffast-math: libm's logf/sinf/cosf, as numbat's
 * cpu target calls them); prints ONE JSON line. Threads run in blocks of 256
 * with the thread loop innermost, the shape GCC vectorises across threads. */
#include <math.h>
#include <omp.h>
#include <stdint.h>
#include <stdio.h>

#define THREADS 16384
#define BLOCK 256
#define WORDS_PER_THREAD 4096 /* uniform job: draws per thread */
#define NORMALS_PER_THREAD 1024
#define PATHS_PER_THREAD 1024
#define RUNS 5
#define SEED 20261124u

static inline void philox(uint32_t k0, uint32_t k1, uint32_t c0, uint32_t c1, uint32_t c2, uint32_t c3, uint32_t out[4]) {
  for (int r = 0; r < 10; r++) {
    uint64_t p0 = (uint64_t)0xd2511f53u * c0, p1 = (uint64_t)0xcd9e8d57u * c2;
    uint32_t n0 = (uint32_t)(p1 >> 32) ^ c1 ^ k0, n2 = (uint32_t)(p0 >> 32) ^ c3 ^ k1;
    c1 = (uint32_t)p1; c3 = (uint32_t)p0; c0 = n0; c2 = n2;
    k0 += 0x9e3779b9u; k1 += 0xbb67ae85u;
  }
  out[0] = c0; out[1] = c1; out[2] = c2; out[3] = c3;
}

static inline float uniform(uint32_t w) { return (float)(w >> 8) * 5.9604644775390625e-8f; }
/* numbat's Box-Muller pair from two words: u1 in (0, 1], theta = 2 pi u2. */
static inline void boxMuller(uint32_t w1, uint32_t w2, float *z0, float *z1) {
  float u1 = (float)(16777216u - (w1 >> 8)) * 5.9604644775390625e-8f;
  float r = sqrtf(0.0f - 2.0f * logf(u1));
  float theta = (float)(w2 >> 8) * 3.7450702829239290e-7f;
  *z0 = r * cosf(theta); *z1 = r * sinf(theta);
}

static double uniformJob(double *sum) {
  double total = 0;
#pragma omp parallel for reduction(+ : total) schedule(static)
  for (int b = 0; b < THREADS / BLOCK; b++) {
    float acc[BLOCK] = {0};
    for (uint32_t c = 0; c < WORDS_PER_THREAD / 4; c++) {
      for (int t = 0; t < BLOCK; t++) {
        uint32_t w[4];
        philox(SEED, 0, c, 0, (uint32_t)(b * BLOCK + t), 0, w);
        acc[t] += uniform(w[0]) + uniform(w[1]) + uniform(w[2]) + uniform(w[3]);
      }
    }
    for (int t = 0; t < BLOCK; t++) total += acc[t];
  }
  *sum = total;
  return (double)THREADS * WORDS_PER_THREAD;
}

static double normalJob(double *sum) {
  double total = 0;
#pragma omp parallel for reduction(+ : total) schedule(static)
  for (int b = 0; b < THREADS / BLOCK; b++) {
    float acc[BLOCK] = {0};
    for (uint32_t c = 0; c < NORMALS_PER_THREAD / 4; c++) {
      for (int t = 0; t < BLOCK; t++) {
        uint32_t w[4];
        float z0, z1, z2, z3;
        philox(SEED, 0, c, 0, (uint32_t)(b * BLOCK + t), 0, w);
        boxMuller(w[0], w[1], &z0, &z1);
        boxMuller(w[2], w[3], &z2, &z3);
        acc[t] += z0 + z1 + z2 + z3;
      }
    }
    for (int t = 0; t < BLOCK; t++) total += acc[t];
  }
  *sum = total;
  return (double)THREADS * NORMALS_PER_THREAD;
}

/* The option-pricing example's market: S0 100, K 105, r 0.05, sigma 0.2, T 1. */
static double optionJob(double *price) {
  const float s0 = 100, strike = 105, rate = 0.05f, sigma = 0.2f;
  const float drift = rate - sigma * sigma / 2, vol = sigma;
  double total = 0;
#pragma omp parallel for reduction(+ : total) schedule(static)
  for (int b = 0; b < THREADS / BLOCK; b++) {
    float acc[BLOCK] = {0};
    for (uint32_t c = 0; c < PATHS_PER_THREAD / 4; c++) {
      for (int t = 0; t < BLOCK; t++) {
        uint32_t w[4];
        float z[4];
        philox(SEED, 0, c, 0, (uint32_t)(b * BLOCK + t), 0, w);
        boxMuller(w[0], w[1], &z[0], &z[1]);
        boxMuller(w[2], w[3], &z[2], &z[3]);
        for (int k = 0; k < 4; k++) acc[t] += fmaxf(s0 * expf(drift + vol * z[k]) - strike, 0.0f);
      }
    }
    for (int t = 0; t < BLOCK; t++) total += acc[t];
  }
  double paths = (double)THREADS * PATHS_PER_THREAD;
  *price = exp(-0.05) * total / paths;
  return paths;
}

static double best(double (*job)(double *), double *out) {
  double bestS = 1e30, work = 0;
  for (int r = 0; r < RUNS; r++) {
    double t0 = omp_get_wtime();
    work = job(out);
    double s = omp_get_wtime() - t0;
    if (s < bestS) bestS = s;
  }
  return work / bestS;
}

int main(void) {
  double usum, nsum, price;
  double u = best(uniformJob, &usum), n = best(normalJob, &nsum), o = best(optionJob, &price);
  printf("{\"anchor\":\"c-openmp-philox\",\"threads\":%d,\"uniform\":{\"draws_per_s\":%.6g,\"mean\":%.6f},"
         "\"normal\":{\"draws_per_s\":%.6g,\"mean\":%.6f},\"option\":{\"paths_per_s\":%.6g,\"price\":%.4f}}\n",
         omp_get_max_threads(), u, usum / ((double)THREADS * WORDS_PER_THREAD), n, nsum / ((double)THREADS * NORMALS_PER_THREAD), o, price);
  return 0;
}
