/// Places buffers with known lifetimes in one arena so that buffers alive at the same
/// time never overlap, reusing memory otherwise (as TFLite Micro's greedy planner does).
///
/// Buffers are placed largest first; each goes into the smallest gap between the
/// already placed buffers whose lifetimes overlap its own (best fit), or above them all
/// when no gap is big enough. Sizes and offsets are multiples of `tensorAlignment`.

/// One buffer to place; `first`/`last` are operator indices (inclusive).
struct PlannedBuffer {
    let size: Int
    let first: Int
    let last: Int

    func overlapsInTime(_ other: PlannedBuffer) -> Bool {
        first <= other.last && other.first <= last
    }
}

struct ArenaPlan {
    /// Offset of each buffer, in the order they were given.
    let offsets: [Int]
    /// Bytes the arena needs (a multiple of `tensorAlignment`).
    let size: Int
}

/// `limit` caps the arena; a plan needing more fails with the size it would need.
func planArena(_ buffers: [PlannedBuffer], limit: Int) throws(ModelError) -> ArenaPlan {
    var aligned: [Int] = []
    aligned.reserveCapacity(buffers.count)
    for buffer in buffers {
        guard let size = alignUp(buffer.size), size <= limit else {
            throw ModelError.inconsistent("a tensor of \(buffer.size) bytes exceeds the arena limit of \(limit) bytes")
        }
        aligned.append(size)
    }

    // Largest first; ties in order of first use, then index, so plans are deterministic.
    let order = buffers.indices.sorted { a, b in
        if aligned[a] != aligned[b] { return aligned[a] > aligned[b] }
        if buffers[a].first != buffers[b].first { return buffers[a].first < buffers[b].first }
        return a < b
    }

    var offsets = [Int](repeating: 0, count: buffers.count)
    var placed: [Int] = []          // indices of buffers already placed
    var arenaSize = 0
    var neighbours: [(offset: Int, end: Int)] = []
    for index in order {
        let size = aligned[index]
        // Memory ranges of placed buffers alive at the same time, by offset.
        neighbours.removeAll(keepingCapacity: true)
        for other in placed where buffers[other].overlapsInTime(buffers[index]) {
            neighbours.append((offsets[other], offsets[other] + aligned[other]))
        }
        neighbours.sort { $0.offset < $1.offset }

        var bestOffset = -1
        var bestGap = Int.max
        var cursor = 0
        for range in neighbours {
            let gap = range.offset - cursor
            if gap >= size && gap < bestGap {
                bestGap = gap
                bestOffset = cursor
            }
            cursor = max(cursor, range.end)
        }
        if bestOffset < 0 { bestOffset = cursor }

        offsets[index] = bestOffset
        placed.append(index)
        // Both terms are <= limit, so the sum cannot overflow.
        arenaSize = max(arenaSize, bestOffset + size)
        guard arenaSize <= limit else {
            throw ModelError.inconsistent("the tensors need an arena of more than \(limit) bytes (the arena limit)")
        }
    }
    return ArenaPlan(offsets: offsets, size: arenaSize)
}
