/// Binary-mask operations on a grid of `size` voxels (i fastest), 6-connected.
enum MaskOperations {
    /// The largest 6-connected component of `mask`.
    static func largestComponent(_ mask: [Bool], size: (i: Int, j: Int, k: Int)) -> [Bool] {
        let (labels, count) = components(mask, size: size)
        guard count > 0 else { return mask }
        var sizes = [Int](repeating: 0, count: count + 1)
        for label in labels { sizes[Int(label)] += 1 }
        sizes[0] = 0
        let best = Int32(sizes.indices.max { sizes[$0] < sizes[$1] }!)
        return labels.map { $0 == best }
    }

    /// Labels of the 6-connected components of `mask` (0 outside it, 1… inside), and how many there are.
    static func components(_ mask: [Bool], size: (i: Int, j: Int, k: Int)) -> (labels: [Int32], count: Int) {
        var label = [Int32](repeating: 0, count: mask.count)
        var next: Int32 = 0
        var stack: [Int] = []
        for seed in mask.indices where mask[seed] && label[seed] == 0 {
            next += 1
            label[seed] = next
            stack.append(seed)
            while let p = stack.popLast() {
                forEachNeighbour(p, size: size) { q in
                    if mask[q] && label[q] == 0 {
                        label[q] = next
                        stack.append(q)
                    }
                }
            }
        }
        return (label, Int(next))
    }

    /// `mask` with every region not reachable from the grid's border through non-mask voxels
    /// filled in: cavities inside the head become head.
    static func fillHoles(_ mask: [Bool], size: (i: Int, j: Int, k: Int)) -> [Bool] {
        var outside = [Bool](repeating: false, count: mask.count)
        var stack: [Int] = []
        for k in 0..<size.k {
            for j in 0..<size.j {
                for i in 0..<size.i
                where i == 0 || j == 0 || k == 0 || i == size.i - 1 || j == size.j - 1 || k == size.k - 1 {
                    let p = i + size.i * (j + size.j * k)
                    if !mask[p] && !outside[p] {
                        outside[p] = true
                        stack.append(p)
                    }
                }
            }
        }
        while let p = stack.popLast() {
            forEachNeighbour(p, size: size) { q in
                if !mask[q] && !outside[q] {
                    outside[q] = true
                    stack.append(q)
                }
            }
        }
        return outside.map { !$0 }
    }

    /// Voxels of `mask` with a 6-neighbour outside it.
    static func boundary(_ mask: [Bool], size: (i: Int, j: Int, k: Int)) -> [Bool] {
        var result = [Bool](repeating: false, count: mask.count)
        for p in mask.indices where mask[p] {
            var edge = false
            forEachNeighbour(p, size: size) { q in if !mask[q] { edge = true } }
            result[p] = edge
        }
        return result
    }

    /// `mask` shrunk by one voxel (6-neighbourhood); the grid's border counts as outside.
    static func erode(_ mask: [Bool], size: (i: Int, j: Int, k: Int)) -> [Bool] {
        step(mask, size: size, growing: false, within: nil)
    }

    /// `mask` grown by one voxel (6-neighbourhood), kept inside `within` when given.
    static func dilate(_ mask: [Bool], size: (i: Int, j: Int, k: Int), within: [Bool]? = nil) -> [Bool] {
        step(mask, size: size, growing: true, within: within)
    }

    /// One erosion or dilation step, with raw pointers: masks of a few million voxels go
    /// through a dozen of these per volume.
    private static func step(_ mask: [Bool], size: (i: Int, j: Int, k: Int), growing: Bool, within: [Bool]?) -> [Bool] {
        let (ni, nj, nk) = (size.i, size.j, size.k)
        let plane = ni * nj
        var out = mask
        let allowed = within ?? []
        mask.withUnsafeBufferPointer { m in
            allowed.withUnsafeBufferPointer { w in
                out.withUnsafeMutableBufferPointer { o in
                    for k in 0..<nk {
                        for j in 0..<nj {
                            let row = ni * (j + nj * k)
                            let edgeRow = j == 0 || j == nj - 1 || k == 0 || k == nk - 1
                            for i in 0..<ni {
                                let p = row + i
                                if growing {
                                    // An outside voxel with an inside neighbour joins.
                                    guard !m[p], w.isEmpty || w[p] else { continue }
                                    if (i > 0 && m[p - 1]) || (i < ni - 1 && m[p + 1]) || (j > 0 && m[p - ni])
                                        || (j < nj - 1 && m[p + ni]) || (k > 0 && m[p - plane])
                                        || (k < nk - 1 && m[p + plane])
                                    {
                                        o[p] = true
                                    }
                                } else {
                                    // An inside voxel with an outside neighbour, or on the border, leaves.
                                    guard m[p] else { continue }
                                    if edgeRow || i == 0 || i == ni - 1 || !m[p - 1] || !m[p + 1] || !m[p - ni]
                                        || !m[p + ni] || !m[p - plane] || !m[p + plane]
                                    {
                                        o[p] = false
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return out
    }

    @inline(__always)
    static func forEachNeighbour(_ p: Int, size: (i: Int, j: Int, k: Int), _ body: (Int) -> Void) {
        let plane = size.i * size.j
        let i = p % size.i
        let j = (p / size.i) % size.j
        let k = p / plane
        if i > 0 { body(p - 1) }
        if i < size.i - 1 { body(p + 1) }
        if j > 0 { body(p - size.i) }
        if j < size.j - 1 { body(p + size.i) }
        if k > 0 { body(p - plane) }
        if k < size.k - 1 { body(p + plane) }
    }
}
