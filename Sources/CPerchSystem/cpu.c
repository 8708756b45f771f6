// CPU features the kernel paths depend on, read once per call from CPUID and XGETBV on
// x86_64 (the compiler's __builtin_cpu_supports hides which OS-state check it makes; here it
// is explicit) and from AT_HWCAP on aarch64.
#define _GNU_SOURCE
#include <sched.h>
#include "CPerchSystem.h"

#if defined(__x86_64__)
#include <cpuid.h>

// XCR0: which register files the OS saves on a context switch. The instruction is spelled
// out so this file needs no -mxsave.
static uint64_t perch_xcr0(void) {
    uint32_t eax, edx;
    __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
    return ((uint64_t)edx << 32) | eax;
}

unsigned perch_x86_features(void) {
    unsigned eax, ebx, ecx, edx;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return 0;
    int osxsave = (ecx >> 27) & 1, avx = (ecx >> 28) & 1;
    if (!osxsave || !avx) return 0;
    uint64_t xcr0 = perch_xcr0();
    int ymm = (xcr0 & 0x6) == 0x6;            // SSE and AVX state
    int zmm = ymm && (xcr0 & 0xe0) == 0xe0;   // opmask, ZMM0-15 upper halves, ZMM16-31
    if (!ymm) return 0;
    if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx)) return 0;
    unsigned features = 0;
    if ((ebx >> 5) & 1) features |= PERCH_X86_AVX2;
    int avx512 = ((ebx >> 16) & 1) && ((ebx >> 30) & 1) && ((ebx >> 31) & 1);  // F, BW, VL
    if (zmm && avx512 && ((ecx >> 11) & 1)) features |= PERCH_X86_AVX512VNNI;
    return features;
}
#else
unsigned perch_x86_features(void) { return 0; }
#endif

int perch_available_cpus(void) {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof set, &set) != 0) return 1;
    int count = CPU_COUNT(&set);
    return count > 0 ? count : 1;
}
