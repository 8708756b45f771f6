// A correction to the Embedded Swift 6.3 runtime, compiled into embedded builds only.
//
// The compiler treats swift_bridgeObjectRetain as returning its argument, and may use the
// returned value in place of the one it passed (ARC contraction). The embedded runtime of
// this toolchain returns the *untagged* pointer instead: for an immortal bridge object such as
// a small string's second word (0xE1... for "3") it hands back 0x81..., and the string read
// from that copy is no longer small; comparing it ends in a fault. perch-selfcheck died this
// way on aarch64 once the argument parser moved into its own module (issue 19). Upstream fixed
// the runtime after 6.3 (swiftlang/swift pull request 91151, "Don't corrupt the pointer
// returned from swift_bridgeObjectRetain_n").
//
// Every Swift module carries a weak copy of the runtime; these strong definitions replace them
// all at link time. They retain what the runtime retains and return the argument unchanged.
#ifdef PERCH_EMBEDDED_RUNTIME
#include <stdint.h>

// The runtime's own retain: it ignores null and values with the top bit set (immortal or
// tagged bridge objects), and objects whose refcount is immortal.
extern void *swift_retain_n(void *object, uint32_t n);

// HeapObject.bridgeObjectToPlainObjectMask of the embedded runtime on 64-bit targets: the
// spare bits 60-62 and the low three tag bits are cleared; bit 63 is kept so the retain above
// still sees an immortal value as one.
#define PERCH_BRIDGE_OBJECT_TO_PLAIN_OBJECT_MASK UINT64_C(0x8FFFFFFFFFFFFFF8)

void *swift_bridgeObjectRetain_n(void *object, uint32_t n) {
    uintptr_t bits = (uintptr_t)object;
    (void)swift_retain_n((void *)(bits & PERCH_BRIDGE_OBJECT_TO_PLAIN_OBJECT_MASK), n);
    return object;
}

void *swift_bridgeObjectRetain(void *object) {
    return swift_bridgeObjectRetain_n(object, 1);
}

// For perch-selfcheck: does the linked swift_bridgeObjectRetain give its argument back? Takes
// the second word of a small string (immortal: nothing to retain or release).
int perch_bridge_object_retain_returns_argument(uint64_t small_string_bits) {
    void *object = (void *)(uintptr_t)small_string_bits;
    return swift_bridgeObjectRetain(object) == object;
}
#endif
