/// The head on the working grid: tissue above a threshold, the largest piece (leaving the couch,
/// cushions and noise behind), with its inner cavities filled.
enum HeadMask {
    /// CT: soft tissue and bone; fat (−100 HU) included, lung-like air excluded.
    static let ctThreshold: Float = -400

    static func make(_ grid: WorkingGrid, isCT: Bool) -> [Bool] {
        let threshold = isCT ? ctThreshold : otsu(grid.values)
        var mask = grid.values.map { $0 > threshold }
        if isCT {
            // Opening cuts thin contacts (couch, head holder) before the largest piece is taken.
            mask = dilate(largestAfterErosion(mask, size: grid.size), size: grid.size, within: mask)
        }
        mask = MaskOperations.largestComponent(mask, size: grid.size)
        return MaskOperations.fillHoles(mask, size: grid.size)
    }

    /// Otsu's threshold over the finite values (256 bins): air versus tissue in MR.
    static func otsu(_ values: [Float]) -> Float {
        var low = Float.greatestFiniteMagnitude
        var high = -Float.greatestFiniteMagnitude
        for v in values where v.isFinite {
            low = min(low, v)
            high = max(high, v)
        }
        guard high > low else { return low }
        // The brightest 0.5 % (vessels, fat) would stretch the histogram: clip at the 99.5th percentile.
        var histogram = [Double](repeating: 0, count: 256)
        let width = (high - low) / 256
        for v in values where v.isFinite { histogram[min(255, Int((v - low) / width))] += 1 }
        let total = histogram.reduce(0, +)
        var cumulative = 0.0
        var clip = 255
        for (bin, count) in histogram.enumerated() {
            cumulative += count
            if cumulative >= 0.995 * total {
                clip = bin
                break
            }
        }
        let bins = Array(histogram[0...clip])
        let sum = bins.enumerated().reduce(0.0) { $0 + Double($1.offset) * $1.element }
        let weight = bins.reduce(0, +)
        var (backgroundWeight, backgroundSum, best, threshold) = (0.0, 0.0, -1.0, 0)
        for (bin, count) in bins.enumerated() {
            backgroundWeight += count
            backgroundSum += Double(bin) * count
            let foregroundWeight = weight - backgroundWeight
            guard backgroundWeight > 0, foregroundWeight > 0 else { continue }
            let difference = backgroundSum / backgroundWeight - (sum - backgroundSum) / foregroundWeight
            let between = backgroundWeight * foregroundWeight * difference * difference
            if between > best {
                best = between
                threshold = bin
            }
        }
        return low + Float(threshold + 1) * width
    }

    static func largestAfterErosion(_ mask: [Bool], size: (i: Int, j: Int, k: Int)) -> [Bool] {
        var eroded = mask
        for _ in 0..<2 { eroded = MaskOperations.erode(eroded, size: size) }
        return MaskOperations.largestComponent(eroded, size: size)
    }

    /// Two dilation steps of `mask`, kept inside `within`.
    static func dilate(_ mask: [Bool], size: (i: Int, j: Int, k: Int), within: [Bool]) -> [Bool] {
        MaskOperations.dilate(MaskOperations.dilate(mask, size: size, within: within), size: size, within: within)
    }
}
