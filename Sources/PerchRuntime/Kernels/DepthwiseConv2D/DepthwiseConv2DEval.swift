#if arch(arm64)
import PerchNEON
#endif

/// DEPTHWISE_CONV_2D's three ways to run (chosen at prepare, DepthwiseConv2DPrepare.swift)
/// and TFLite Micro's reference loop they are tested against.
extension DepthwiseConv2DKernel {
    /// Every window through the in-image kernel: the input copied into the zero-point-padded
    /// buffer first when windows leave the image, then the output rows, cut over the
    /// interpreter's threads when the layer is large enough (the copy when it is large too).
    func invokeWindows(_ windows: DepthwiseWindows) {
        for b in 0..<g.batches {
            if let runner {
                currentBatch = b
                // A large copy is split as well (by input rows, then a barrier: a part's
                // windows reach into its neighbours' rows); serial, person_detect's first
                // one is a 72 KB memcpy between two halves of a split layer.
                if splitsCopy {
                    copying = true
                    runner.run(self, parts: parts)
                    copying = false
                } else {
                    copyIntoPadded(windows, batch: b, rows: 0..<g.inHeight)
                }
                runner.run(self, parts: parts)
            } else {
                copyIntoPadded(windows, batch: b, rows: 0..<g.inHeight)
                windowRows(windows, batch: b, rows: 0..<g.outHeight)
            }
        }
    }

    /// Input rows `rows` of batch `batch` into the zero-point-padded image (its border was
    /// filled at prepare and is never written); nothing when the windows need no padding.
    func copyIntoPadded(_ windows: DepthwiseWindows, batch b: Int, rows: Range<Int>) {
        guard let padded = windows.padded else { return }
        let cin = g.inChannels
        let rowIn = g.inWidth &* cin
        let image = input + b &* g.inHeight &* rowIn
        for y in rows {
            // Raw copyMemory is a memcpy; typed update(from:) is an element loop in
            // Embedded Swift (a value-witness call per byte).
            UnsafeMutableRawPointer(padded.base + ((y &+ g.padTop) &* windows.width &+ g.padLeft) &* cin)
                .copyMemory(from: image + y &* rowIn, byteCount: rowIn)
        }
    }

    /// Output rows `rows` of batch `batch` (its padded copy already made).
    func windowRows(_ windows: DepthwiseWindows, batch b: Int, rows: Range<Int>) {
        let cin = g.inChannels, cout = g.outChannels, dm = g.depthMultiplier
        let vectorChannels = cout & ~7
        let taps = g.filterHeight &* g.filterWidth
        let tapOffsets = UnsafePointer(windows.tapOffsets.base)
        let offsets = UnsafePointer(windows.offsets.base)
        let stage = windows.stage
        let parameters = stage.parameters
        let pairs = windows.pairs
        let imageBytes = g.inHeight &* g.inWidth &* cin
        let width = windows.width
        let rowBytes = width &* cin
        let pixelStep = g.strideW &* cin
        let image: UnsafePointer<Int8> = windows.padded.map { UnsafePointer($0.base) } ?? input + b &* imageBytes
        var out = output + (b &* g.outHeight &+ rows.lowerBound) &* g.outWidth &* cout
        // One output row; `m` is the depth multiplier, a literal at the call sites below so
        // the multiplier-1 loops compile without its branches (and pair into smull/smlal).
        @inline(__always) func outputRow(_ oy: Int, _ m: Int) {
            var origin = image + oy &* g.strideH &* rowBytes
            var ox = 0
            if cout == 8 {
                // Eight channels: two pixels share one 16-lane step.
                while ox &+ 2 <= g.outWidth {
                    depthwiseTwoPixels8(origin: origin, pixelStep: pixelStep, out: out, dm: m, taps: taps,
                                        tapOffsets: tapOffsets, filter: filter, offsets: offsets,
                                        stage: parameters, pairs: pairs)
                    origin += 2 &* pixelStep
                    out += 16
                    ox &+= 2
                }
            }
            while ox < g.outWidth {
                ox &+= 1
                depthwiseInteriorPixel(origin: origin, out: out, channels: vectorChannels, cout: cout, dm: m,
                                       taps: taps, tapOffsets: tapOffsets, filter: filter, offsets: offsets,
                                       stage: parameters, pairs: pairs)
                var c = vectorChannels
                while c < cout {
                    var a = offsets[c] &- stage.offsets[c]
                    let x = origin + c / dm
                    for t in 0..<taps { a &+= Int32(filter[t &* cout &+ c]) &* Int32(x[tapOffsets[t]]) }
                    out[c] = stage.requantize(a, channel: c)
                    c &+= 1
                }
                origin += pixelStep
                out += cout
            }
        }
        var base = image + rows.lowerBound &* g.strideH &* rowBytes
        switch windows.rowKernel {
        case .neon:
            #if arch(arm64)
            for _ in rows {
                perchNEONDepthwiseRow(origin: base, pixelStep: pixelStep, pixels: g.outWidth, out: out,
                                      channels: cout, broadcastInput: dm != 1, taps: taps, tapOffsets: tapOffsets,
                                      filter: filter, offsets: offsets, table: UnsafePointer(stage.table.base),
                                      stride: stage.stride, outputZeroPoint: stage.outputZeroPoint,
                                      min: stage.min, max: stage.max, pairs: pairs,
                                      rightShiftsOnly: stage.rightShiftsOnly)
                base += g.strideH &* rowBytes
                out += g.outWidth &* cout
            }
            #endif
        case .avx2(let avx2):
            let table = UnsafePointer(avx2.stage.table.base)
            for _ in rows {
                perchAVX2DepthwiseRow(origin: base, pixelStep: pixelStep, pixels: g.outWidth, out: out,
                                      channels: cout, broadcastInput: dm != 1, taps: taps, tapOffsets: tapOffsets,
                                      filter: UnsafePointer(avx2.filter.base), table: table,
                                      stride: avx2.stage.stride, outputZeroPoint: stage.outputZeroPoint,
                                      min: stage.min, max: stage.max)
                base += g.strideH &* rowBytes
                out += g.outWidth &* cout
            }
        case .vnniPairs8(let filter16, let offsets16, let stage16):
            for _ in rows {
                perchVNNIDepthwisePairs8(origin: base, pixelStep: pixelStep, pixels: g.outWidth, out: out,
                                         broadcastInput: dm != 1, taps: taps, tapOffsets: tapOffsets,
                                         filter16: UnsafePointer(filter16.base),
                                         offsets16: UnsafePointer(offsets16.base),
                                         table: UnsafePointer(stage16.table.base), stride: stage16.stride,
                                         outputZeroPoint: stage.outputZeroPoint, min: stage.min, max: stage.max,
                                         pairs: pairs)
                base += g.strideH &* rowBytes
                out += g.outWidth &* 8
            }
        case .vnniRows:
            for _ in rows {
                perchVNNIDepthwiseRow(origin: base, pixelStep: pixelStep, pixels: g.outWidth, out: out,
                                      channels: cout, taps: taps, tapOffsets: tapOffsets, filter: filter,
                                      offsets: offsets, table: UnsafePointer(stage.table.base),
                                      stride: stage.stride, outputZeroPoint: stage.outputZeroPoint,
                                      min: stage.min, max: stage.max, pairs: pairs)
                base += g.strideH &* rowBytes
                out += g.outWidth &* cout
            }
        case .pixels:
            if dm == 1 {
                for oy in rows { outputRow(oy, 1) }
            } else {
                for oy in rows { outputRow(oy, dm) }
            }
        }
    }

    /// Eight output channels at a time, their accumulators in registers across every tap of
    /// the window; taps outside the image are skipped as in the reference. Depth multiplier 1
    /// reads 8 input channels, a multiple of 8 broadcasts one input channel over them.
    func invokeVector(_ stage: GemmOutputStage) {
        let cout = g.outChannels
        let vectorChannels = cout & ~7
        let dm = g.depthMultiplier
        let offset = SIMD8<Int32>(repeating: inputOffset)
        let zp = SIMD8<Int32>(repeating: quantization.outputZeroPoint)
        let lo = SIMD8<Int32>(repeating: quantization.activation.min)
        let hi = SIMD8<Int32>(repeating: quantization.activation.max)
        let rowStride = g.inWidth &* g.inChannels
        var out = output
        for b in 0..<g.batches {
            let inBatch = input + b &* g.inHeight &* rowStride
            for oy in 0..<g.outHeight {
                let iy0 = oy &* g.strideH &- g.padTop
                // Valid filter rows for this output row.
                var fy0 = 0, fy1 = g.filterHeight
                while fy0 < fy1 && iy0 &+ fy0 &* g.dilationH < 0 { fy0 &+= 1 }
                while fy1 > fy0 && iy0 &+ (fy1 &- 1) &* g.dilationH >= g.inHeight { fy1 &-= 1 }
                for ox in 0..<g.outWidth {
                    let ix0 = ox &* g.strideW &- g.padLeft
                    var fx0 = 0, fx1 = g.filterWidth
                    while fx0 < fx1 && ix0 &+ fx0 &* g.dilationW < 0 { fx0 &+= 1 }
                    while fx1 > fx0 && ix0 &+ (fx1 &- 1) &* g.dilationW >= g.inWidth { fx1 &-= 1 }
                    var c = 0
                    while c < vectorChannels {
                        var acc = loadInt32x8(stage.offsets + c)
                        let inChannel = dm == 1 ? c : c / dm
                        var fy = fy0
                        while fy < fy1 {
                            let inRow = inBatch + ((iy0 &+ fy &* g.dilationH) &* rowStride &+ inChannel)
                            let tapRow = filter + (fy &* g.filterWidth &* cout &+ c)
                            var fx = fx0
                            while fx < fx1 {
                                let pixel = inRow + (ix0 &+ fx &* g.dilationW) &* g.inChannels
                                let x: SIMD8<Int32>
                                if dm == 1 {
                                    x = widenToInt32(loadInt8x8(pixel)) &+ offset
                                } else {
                                    x = SIMD8<Int32>(repeating: Int32(pixel[0]) &+ inputOffset)
                                }
                                acc &+= widenToInt32(loadInt8x8(tapRow + fx &* cout)) &* x
                                fx &+= 1
                            }
                            fy &+= 1
                        }
                        let v = requantize8(acc, stage, c) &+ zp
                        UnsafeMutableRawPointer(out + c).storeBytes(
                            of: truncateToInt8(clampLanes(v, lo, hi)), as: SIMD8<Int8>.self)
                        c &+= 8
                    }
                    // Channels past the last multiple of 8.
                    while c < cout {
                        let inChannel = c / dm
                        var a: Int32 = 0
                        for fy in fy0..<fy1 {
                            for fx in fx0..<fx1 {
                                let iy = iy0 &+ fy &* g.dilationH, ix = ix0 &+ fx &* g.dilationW
                                let x = Int32(inBatch[iy &* rowStride &+ ix &* g.inChannels &+ inChannel])
                                a &+= Int32(filter[(fy &* g.filterWidth &+ fx) &* cout &+ c]) &* (x &+ inputOffset)
                            }
                        }
                        out[c] = stage.requantize(a, channel: c)
                        c &+= 1
                    }
                    out += cout
                }
            }
        }
    }

    /// Accumulators in memory, 16 channels at a time per tap (any depth multiplier).
    func invokeRows(_ acc: UnsafeMutablePointer<Int32>) {
        let cout = g.outChannels
        var out = output
        for b in 0..<g.batches {
            let inBatch = input + b &* g.inHeight &* g.inWidth &* g.inChannels
            for oy in 0..<g.outHeight {
                let iy0 = oy &* g.strideH &- g.padTop
                for ox in 0..<g.outWidth {
                    let ix0 = ox &* g.strideW &- g.padLeft
                    acc.update(repeating: 0, count: cout)
                    for fy in 0..<g.filterHeight {
                        let iy = iy0 &+ fy &* g.dilationH
                        if iy < 0 || iy >= g.inHeight { continue }
                        for fx in 0..<g.filterWidth {
                            let ix = ix0 &+ fx &* g.dilationW
                            if ix < 0 || ix >= g.inWidth { continue }
                            let pixel = inBatch + (iy &* g.inWidth &+ ix) &* g.inChannels
                            let tap = filter + (fy &* g.filterWidth &+ fx) &* cout
                            accumulateTap(pixel, tap, acc)
                        }
                    }
                    for oc in 0..<cout { out[oc] = quantization.output(acc[oc], channel: oc) }
                    out += cout
                }
            }
        }
    }

    /// acc[ic·dm + m] += filter[ic·dm + m] · (pixel[ic] - zp) for one filter tap.
    @inline(__always)
    private func accumulateTap(_ pixel: UnsafePointer<Int8>, _ tap: UnsafePointer<Int8>,
                               _ acc: UnsafeMutablePointer<Int32>) {
        let dm = g.depthMultiplier
        if dm == 1 {
            let offset = SIMD16<Int32>(repeating: inputOffset)
            let count = g.inChannels
            var c = 0
            while c &+ 16 <= count {
                let x = widenToInt32(loadInt8x16(pixel + c)) &+ offset
                let f = widenToInt32(loadInt8x16(tap + c))
                storeInt32x16(loadInt32x16(acc + c) &+ f &* x, acc + c)
                c &+= 16
            }
            while c < count {
                acc[c] &+= Int32(tap[c]) &* (Int32(pixel[c]) &+ inputOffset)
                c &+= 1
            }
            return
        }
        for ic in 0..<g.inChannels {
            let x = Int32(pixel[ic]) &+ inputOffset
            let xs = SIMD16<Int32>(repeating: x)
            let base = ic &* dm
            var m = 0
            while m &+ 16 <= dm {
                let f = widenToInt32(loadInt8x16(tap + (base &+ m)))
                storeInt32x16(loadInt32x16(acc + (base &+ m)) &+ f &* xs, acc + (base &+ m))
                m &+= 16
            }
            while m < dm {
                acc[base &+ m] &+= Int32(tap[base &+ m]) &* x
                m &+= 1
            }
        }
    }

    /// TFLite Micro's reference loop, transcribed.
    func invokeReference() {
        for b in 0..<g.batches {
            for oy in 0..<g.outHeight {
                for ox in 0..<g.outWidth {
                    for ic in 0..<g.inChannels {
                        for m in 0..<g.depthMultiplier {
                            let oc = m + ic * g.depthMultiplier
                            let ix0 = ox * g.strideW - g.padLeft
                            let iy0 = oy * g.strideH - g.padTop
                            var acc: Int32 = 0
                            for fy in 0..<g.filterHeight {
                                for fx in 0..<g.filterWidth {
                                    let ix = ix0 + g.dilationW * fx
                                    let iy = iy0 + g.dilationH * fy
                                    if ix >= 0 && ix < g.inWidth && iy >= 0 && iy < g.inHeight {
                                        let x = Int32(input[((b * g.inHeight + iy) * g.inWidth + ix) * g.inChannels + ic])
                                        let f = Int32(filter[(fy * g.filterWidth + fx) * g.outChannels + oc])
                                        acc &+= f &* (x &+ inputOffset)
                                    }
                                }
                            }
                            output[((b * g.outHeight + oy) * g.outWidth + ox) * g.outChannels + oc] =
                                quantization.output(acc, channel: oc)
                        }
                    }
                }
            }
        }
    }
}
