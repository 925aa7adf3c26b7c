/// Binary-mask operations on a grid of `size` voxels (i fastest), 6-connected.
enum MaskOperations {
    /// The largest 6-connected component of `mask`.
    static func largestComponent(_ mask: [Bool], size: (i: Int, j: Int, k: Int)) -> [Bool] {
        var label = [Int32](repeating: 0, count: mask.count)
        var best: (label: Int32, count: Int) = (0, 0)
        var next: Int32 = 0
        var stack: [Int] = []
        for seed in mask.indices where mask[seed] && label[seed] == 0 {
            next += 1
            label[seed] = next
            stack.append(seed)
            var count = 0
            while let p = stack.popLast() {
                count += 1
                forEachNeighbour(p, size: size) { q in
                    if mask[q] && label[q] == 0 {
                        label[q] = next
                        stack.append(q)
                    }
                }
            }
            if count > best.count { best = (next, count) }
        }
        return label.map { $0 == best.label && best.label != 0 }
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
