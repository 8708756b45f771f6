// swift-tools-version:6.1
// Perch: one source tree, two build modes.
//
// Host mode (default): ordinary SwiftPM on x86_64 for development and tests.
// Embedded mode (PERCH_EMBEDDED=1, set by cross/build.sh): the same sources compiled as
// Embedded Swift for aarch64/x86_64 Linux; test targets are left out because XCTest and
// Foundation do not exist there.
import PackageDescription
import Foundation

let environment = ProcessInfo.processInfo.environment
let embedded = environment["PERCH_EMBEDDED"] == "1"
// The architecture built for: cross/build.sh sets PERCH_TARGET_ARCH; a host build is for this machine.
#if arch(arm64)
let hostArch = "aarch64"
#else
let hostArch = "x86_64"
#endif
let targetArch = environment["PERCH_TARGET_ARCH"] ?? hostArch

var swiftSettings: [SwiftSetting] = []
if embedded {
    swiftSettings += [
        .enableExperimentalFeature("Embedded"),
        .unsafeFlags(["-wmo", "-Xcc", "-fPIC"]),
    ]
}

// Modules whose speed is not the inference's (configuration, JSON, HTTP, the API, MQTT, device
// set-up, commands) are optimized for size in embedded mode: the board's binaries are mostly
// their code (issue 13: stripped aarch64 perchd 1.2 MB). The runtime, its micro-kernels, the
// frontends, PerchMedia and PerchSystem (the worker pool) keep -O.
var sizeSettings = swiftSettings
if embedded {
    sizeSettings += [.unsafeFlags(["-Osize"])]
}

// The runtime's kernels. On x86_64 they are compiled for x86-64-v2 (SSE4.2: `pmulld` and
// `pmovsx`, which the portable int8 paths need; SSE2 alone costs the GEMM a factor of 6), so
// the binary runs on CPUs without AVX2; the AVX2 and AVX-512 micro-kernels live in their own
// modules below, chosen at run time. Swift has no per-function target attribute.
// PERCH_X86_MARCH overrides it (cross/build.sh x86_64 uses baseline x86-64).
var runtimeSettings = swiftSettings
if targetArch == "x86_64" {
    let march = environment["PERCH_X86_MARCH"] ?? "x86-64-v2"
    if !march.isEmpty && march != "none" { runtimeSettings += [.unsafeFlags(["-Xcc", "-march=" + march])] }
}
// aarch64 micro-kernels: PerchNEON is baseline Armv8 NEON (smull/smlal2/sadalp); PerchSDot is
// the only module compiled with the dot-product extension, chosen at run time from AT_HWCAP.
var sdotSettings = swiftSettings
if embedded && targetArch == "aarch64" {
    sdotSettings += [.unsafeFlags(["-Xcc", "-march=armv8.2-a+dotprod"]),
                     .define("PERCH_SDOT")]
}

// x86_64 micro-kernels for AVX-512 VNNI (vpdpbusd): the only module compiled for x86-64-v4,
// chosen at run time from CPUID.
var vnniSettings = swiftSettings
if targetArch == "x86_64" {
    vnniSettings += [.unsafeFlags(["-Xcc", "-march=x86-64-v4", "-Xcc", "-mavx512vnni"]), .define("PERCH_VNNI")]
}
// x86_64 micro-kernels for AVX2 (`vpmaddwd` on sign-extended int16): the only module compiled
// for x86-64-v3, chosen at run time from CPUID when AVX-512 VNNI is missing.
// The name matters: in embedded mode every module carries weak copies of the Swift runtime
// (swift_allocObject, swift_release...) built with its own -march, and the linker keeps the
// first, in the objects' order, which is the targets' names sorted. PerchVNNI and PerchX86AVX2
// sort after the baseline modules; a name sorting before PerchDaemon put BMI2 instructions in
// the runtime and the x86_64 build died on CPUs without AVX2 (Nehalem under qemu). Modules
// sorting after them (PerchdCommands: a lowercase d sorts after X) are harmless: baseline
// modules (CPerch*, PerchCommandLine...) come first.
var avx2Settings = swiftSettings
if targetArch == "x86_64" {
    avx2Settings += [.unsafeFlags(["-Xcc", "-march=x86-64-v3"]), .define("PERCH_AVX2")]
}

// Each C library has its own C module, imported only by the Swift files that wrap it
// (tools/check-imports.py checks this), with its link line on it: in embedded mode module-map
// link lines are not autolinked, so they are named here for both modes.
var targets: [Target] = [
    // libc and Linux system headers, wrappers for variadic C calls, constants for function-like
    // macros; PerchSystem is its one wrapper.
    // In embedded mode it also corrects two functions of the embedded runtime (embedded_runtime.c).
    .target(name: "CPerchSystem", cSettings: embedded ? [.define("PERCH_EMBEDDED_RUNTIME")] : [],
            linkerSettings: [.linkedLibrary("pthread"), .linkedLibrary("m")]),
    // The device libraries, wrapped by PerchDevices' Camera/, Microphone/ and GPIO/GpiodV1.swift.
    .target(name: "CPerchV4L2", linkerSettings: [.linkedLibrary("v4l2")]),
    .target(name: "CPerchALSA", linkerSettings: [.linkedLibrary("asound")]),
    .target(name: "CPerchGPIO", linkerSettings: [.linkedLibrary("gpiod")]),
    // Typed syscalls, errno, logging, threads, argument access.
    .target(name: "PerchSystem", dependencies: ["CPerchSystem"], swiftSettings: swiftSettings),
    // GEMM micro-kernels in NEON intrinsics (arm_neon.h, a compiler builtin; empty elsewhere).
    .target(name: "PerchNEON", swiftSettings: swiftSettings),
    .target(name: "PerchSDot", swiftSettings: sdotSettings),
    .target(name: "PerchVNNI", swiftSettings: vnniSettings),
    .target(name: "PerchX86AVX2", swiftSettings: avx2Settings),
    // The int8 TFLite runtime: flatbuffer reader, planner, interpreter, kernels. Stdlib only
    // (plus the micro-kernel modules above, which are too).
    .target(name: "PerchRuntime", dependencies: ["PerchNEON", "PerchSDot", "PerchVNNI", "PerchX86AVX2"],
            swiftSettings: runtimeSettings),
    // What devices hand to frontends: pixel formats, images, and the WAV/BMP/PGM/PPM file
    // readers. Stdlib only; both sides depend on it, neither on the other.
    .target(name: "PerchMedia", swiftSettings: swiftSettings),
    // libjpeg-turbo (TurboJPEG API) and its one Swift wrapper: JPEG encoding for the live
    // view and snapshots. The link is named here too: embedded mode does not autolink.
    .systemLibrary(name: "CPerchJPEG"),
    .target(name: "PerchJPEG", dependencies: ["CPerchJPEG", "PerchMedia"], swiftSettings: swiftSettings,
            linkerSettings: [.linkedLibrary("turbojpeg")]),
    // How perchd and perch set the runtime up on this machine: the kernel path from the CPU's
    // features (or PERCH_KERNEL_PATH), the inference threads over PerchSystem's WorkerPool.
    .target(name: "PerchRuntimeSetup", dependencies: ["PerchRuntime", "PerchSystem"], swiftSettings: swiftSettings),
    // Signal frontends: fixed-point audio features, resampling, image preprocessing.
    .target(name: "PerchFrontends", dependencies: ["PerchRuntime", "PerchMedia"], swiftSettings: swiftSettings),
    // Devices: V4L2 camera, ALSA capture, GPIO, and synthetic sources with the same interfaces.
    .target(name: "PerchDevices", dependencies: ["PerchSystem", "CPerchV4L2", "CPerchALSA", "CPerchGPIO", "PerchMedia"], swiftSettings: sizeSettings),
    // The daemon's pure core: configuration, rules and events, results, bounded queues.
    .target(name: "PerchDaemonCore", dependencies: ["PerchSystem", "PerchJSON", "PerchMedia"], swiftSettings: sizeSettings),
    // JSON values, a strict RFC 8259 parser and a compact writer. Stdlib only.
    .target(name: "PerchJSON", swiftSettings: sizeSettings),
    // HTTP/1.1 request and response parsers, response encoder, router. Bytes in, bytes out.
    .target(name: "PerchHTTP", dependencies: ["PerchJSON"], swiftSettings: sizeSettings),
    // The epoll HTTP server on a Unix socket: listener, systemd socket activation, streams.
    .target(name: "PerchServer", dependencies: ["PerchSystem", "PerchHTTP"], swiftSettings: sizeSettings),
    // libmosquitto (its own C module: only PerchMQTT/Mosquitto.swift imports it).
    .systemLibrary(name: "CPerchMQTT", path: "Sources/CPerchMQTT"),
    // MQTT and Home Assistant discovery: the client thread, bounded outbox, topics, discovery.
    .target(name: "PerchMQTT", dependencies: ["CPerchMQTT", "PerchSystem", "PerchJSON", "PerchDaemonCore", "PerchMedia", "PerchJPEG"],
            swiftSettings: sizeSettings, linkerSettings: [.linkedLibrary("mosquitto")]),
    // The running daemon: capture and inference threads, GPIO actions, the socket API, lifecycle.
    .target(name: "PerchDaemon", dependencies: ["PerchSystem", "PerchRuntime", "PerchRuntimeSetup", "PerchMedia", "PerchJPEG", "PerchFrontends",
                                                "PerchDevices", "PerchDaemonCore", "PerchJSON", "PerchHTTP", "PerchServer", "PerchMQTT"],
            swiftSettings: sizeSettings),
    // The executables' commands, one module per executable, over a shared argument parser.
    // Argument parsing, usage errors, the version.
    .target(name: "PerchCommandLine", swiftSettings: sizeSettings),
    // perchd: its options, --check-config, --demo; the daemon itself is PerchDaemon.
    .target(name: "PerchdCommands", dependencies: ["PerchCommandLine", "PerchSystem", "PerchDaemonCore", "PerchDaemon"],
            swiftSettings: sizeSettings),
    // perch: the socket client (status, watch, record, infer, view), model tools, frontends,
    // devices, benchmarks. The daemon only through its socket: no PerchDaemon.
    .target(name: "PerchCommands", dependencies: ["PerchCommandLine", "PerchSystem", "PerchRuntime", "PerchRuntimeSetup", "PerchMedia",
                                                  "PerchFrontends", "PerchDevices", "PerchDaemonCore", "PerchJSON", "PerchHTTP", "PerchServer"],
            swiftSettings: sizeSettings),
    // perch-selfcheck: the checks that must run on the target architecture, module by module.
    .target(name: "PerchSelfChecks", dependencies: ["PerchCommandLine", "PerchSystem", "PerchRuntime", "PerchRuntimeSetup", "PerchMedia",
                                                    "PerchJPEG", "PerchFrontends", "PerchDevices", "PerchDaemonCore", "PerchJSON",
                                                    "PerchHTTP", "PerchServer", "PerchDaemon"],
            swiftSettings: swiftSettings),
    .executableTarget(name: "perchd", dependencies: ["PerchSystem", "PerchdCommands"], swiftSettings: sizeSettings),
    .executableTarget(name: "perch", dependencies: ["PerchSystem", "PerchCommands"], swiftSettings: sizeSettings),
    .executableTarget(name: "perch-selfcheck", dependencies: ["PerchSystem", "PerchSelfChecks"], swiftSettings: swiftSettings),
]

if !embedded {
    targets += [
        // A tool, not shipped: what one job of the inference pool costs (tools/bench/poolbench).
        .executableTarget(name: "perch-poolbench", dependencies: ["PerchSystem"], path: "tools/bench/poolbench"),
        .testTarget(name: "PerchSystemTests", dependencies: ["PerchSystem"]),
        // OpModels/ holds generated single-operator models and TFLite Micro's outputs (data, not resources).
        .testTarget(name: "PerchRuntimeTests", dependencies: ["PerchRuntime", "PerchRuntimeSetup"], exclude: ["OpModels"]),
        .testTarget(name: "PerchMediaTests", dependencies: ["PerchMedia"]),
        .testTarget(name: "PerchJPEGTests", dependencies: ["PerchJPEG", "PerchMedia"]),
        .testTarget(name: "PerchFrontendsTests", dependencies: ["PerchFrontends", "PerchMedia", "PerchRuntime"]),
        .testTarget(name: "PerchDevicesTests", dependencies: ["PerchDevices", "PerchMedia", "PerchSystem"]),
        .testTarget(name: "PerchCLITests", dependencies: ["PerchCommandLine", "PerchCommands", "PerchJSON"]),
        .testTarget(name: "PerchDaemonCoreTests", dependencies: ["PerchDaemonCore", "PerchSystem"]),
        .testTarget(name: "PerchJSONTests", dependencies: ["PerchJSON", "PerchSystem"]),
        .testTarget(name: "PerchHTTPTests", dependencies: ["PerchHTTP", "PerchJSON", "PerchSystem"]),
        .testTarget(name: "PerchServerTests", dependencies: ["PerchServer", "PerchHTTP", "PerchJSON", "PerchSystem"]),
        .testTarget(name: "PerchMQTTTests", dependencies: ["PerchMQTT", "PerchDaemonCore", "PerchJSON", "PerchSystem"]),
        // Yams (test-only): OpenAPITests reads docs/openapi.yaml with a real YAML parser.
        .testTarget(name: "PerchDaemonTests", dependencies: ["PerchDaemon", "PerchRuntime", "PerchDevices", "PerchServer", "PerchHTTP", "PerchJSON", "PerchSystem",
                                                             .product(name: "Yams", package: "Yams")]),
    ]
}

// Packages for the test targets only: nothing that ships depends on one, and embedded mode
// (no test targets) resolves none.
let testPackages: [Package.Dependency] = embedded ? [] : [.package(url: "https://github.com/jpsim/Yams", from: "5.0.1")]

let package = Package(
    name: "Perch",
    products: [
        .executable(name: "perchd", targets: ["perchd"]),
        .executable(name: "perch", targets: ["perch"]),
        .executable(name: "perch-selfcheck", targets: ["perch-selfcheck"]),
    ],
    dependencies: testPackages,
    targets: targets
)
