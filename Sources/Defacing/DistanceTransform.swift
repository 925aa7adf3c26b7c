import Volumes

/// Exact Euclidean distance (mm) from every voxel to the nearest voxel of a mask, on a grid with
/// different spacings along i, j, k (Felzenszwalb & Huttenlocher's lower envelope of parabolas,
/// one axis at a time). Affine grids that are not orthogonal (gantry tilt) are treated as if
/// they were: distances are then approximate, which the margins allow for.
enum DistanceTransform {
    static func distances(to mask: [Bool], size: (i: Int, j: Int, k: Int), spacing: Vector3) -> [Float] {
        let infinity = Float.greatestFiniteMagnitude / 4
        var squared = mask.map { $0 ? Float(0) : infinity }
        let lengths = [size.i, size.j, size.k]
        let strides = [1, size.i, size.i * size.j]
        let steps = [Float(spacing.x), Float(spacing.y), Float(spacing.z)]
        let longest = lengths.max() ?? 0
        var line = [Float](repeating: 0, count: longest)
        var output = [Float](repeating: 0, count: longest)
        var vertices = [Int](repeating: 0, count: longest)
        var bounds = [Float](repeating: 0, count: longest + 1)
        for axis in 0..<3 {
            let (n, stride, step) = (lengths[axis], strides[axis], steps[axis] * steps[axis])
            let others = (0..<3).filter { $0 != axis }
            for b in 0..<lengths[others[1]] {
                for a in 0..<lengths[others[0]] {
                    let start = a * strides[others[0]] + b * strides[others[1]]
                    for x in 0..<n { line[x] = squared[start + x * stride] }
                    envelope(n, step, &line, &output, &vertices, &bounds, infinity)
                    for x in 0..<n { squared[start + x * stride] = output[x] }
                }
            }
        }
        return squared.map { $0.squareRoot() }
    }

    /// One dimension: output[x] = min over q of line[q] + step·(x − q)².
    private static func envelope(
        _ n: Int, _ step: Float, _ line: inout [Float], _ output: inout [Float],
        _ vertices: inout [Int], _ bounds: inout [Float], _ infinity: Float
    ) {
        var k = -1
        for q in 0..<n where line[q] < infinity {
            let fq = line[q] + step * Float(q * q)
            var s: Float = 0
            while k >= 0 {
                let v = vertices[k]
                s = (fq - (line[v] + step * Float(v * v))) / (2 * step * Float(q - v))
                if s <= bounds[k] { k -= 1 } else { break }
            }
            k += 1
            vertices[k] = q
            bounds[k] = k == 0 ? -infinity : s
            bounds[k + 1] = infinity
        }
        guard k >= 0 else {
            for x in 0..<n { output[x] = infinity }
            return
        }
        var j = 0
        for x in 0..<n {
            while bounds[j + 1] < Float(x) { j += 1 }
            let d = Float(x - vertices[j])
            output[x] = step * d * d + line[vertices[j]]
        }
    }
}
