import CPerchSystem

/// Whether the linked `swift_bridgeObjectRetain` gives its argument back, as the compiler
/// assumes. CPerchSystem/embedded_runtime.c replaces the Embedded Swift 6.3 runtime's, which
/// cleared a small string's discriminator bits. Host mode links the full runtime: true.
public func bridgeObjectRetainReturnsItsArgument() -> Bool {
    #if hasFeature(Embedded)
    // The second word of a one-byte small string: immortal, nothing is retained.
    let smallString = unsafeBitCast("3", to: (UInt64, UInt64).self)
    return perch_bridge_object_retain_returns_argument(smallString.1) != 0
    #else
    return true
    #endif
}
