#pragma once

// Hot loops are compiled twice, for AVX2 and for baseline x86-64, and picked at load time,
// so one binary is fast on current CPUs and still runs on old ones.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define ROOMTONE_HOT __attribute__((target_clones("avx2", "default")))
#else
#define ROOMTONE_HOT
#endif
