/// Uneven slice steps (a CT whose table moved 4.2, 1.1, 7.4 mm) cannot be described by one affine:
/// laid on the median step, voxels end up millimetres away from where they were acquired. For the
/// representations the volume is resampled onto an even grid through the first and last acquired
/// slices (linear interpolation between the two acquired slices around each new one), so every
/// voxel's value belongs to the place the affine gives it, as dcm2niix's equalised (`_Eq`) output.
extension Volume {
    /// This volume on evenly spaced slices when its acquired steps are uneven; itself otherwise.
    /// The resampled volume's layout no longer maps slices to source frames.
    public func evenlySpaced() -> Volume {
        guard warnings.contains(where: { if case .nonUniformSpacing = $0 { true } else { false } }) else { return self }
        let acquired = layout.slices.enumerated().compactMap { k, slice in slice.map { (k: k, position: $0.position) } }
        guard acquired.count >= 2 else { return self }
        let origin = acquired[0].position
        let axis = acquired[acquired.count - 1].position - origin
        let length = axis.length
        guard length > 0 else { return self }
        // Where each acquired slice lies along the line from the first to the last, from 0 to 1.
        let fractions = acquired.map { ($0.position - origin).dot(axis) / (length * length) }
        let steps = zip(fractions, fractions.dropFirst()).map { ($1 - $0) * length }.sorted()
        let step = steps[steps.count / 2]
        guard step > 0 else { return self }
        let count = max(2, Int((length / step).rounded()) + 1)
        let sliceSize = size.i * size.j
        var resampled = [Float](repeating: .nan, count: sliceSize * count)
        var lower = 0
        for k in 0..<count {
            let fraction = Double(k) / Double(count - 1)
            while lower + 2 < fractions.count && fractions[lower + 1] < fraction { lower += 1 }
            let (a, b) = (fractions[lower], fractions[lower + 1])
            let weight = Float(b > a ? min(1, max(0, (fraction - a) / (b - a))) : 0)
            let below = acquired[lower].k * sliceSize
            let above = acquired[lower + 1].k * sliceSize
            for voxel in 0..<sliceSize {
                resampled[k * sliceSize + voxel] =
                    voxels[below + voxel] * (1 - weight) + voxels[above + voxel] * weight
            }
        }
        var resampledAffine = affine
        resampledAffine.origin = origin
        resampledAffine.sliceStep = axis / Double(count - 1)
        let resampledStep = length / Double(count - 1)
        return Volume(
            size: (size.i, size.j, count), voxels: resampled, affine: resampledAffine,
            warnings: warnings + [.resampledToEvenSpacing(step: resampledStep)],
            layout: StackLayout(
                slices: Array(repeating: nil, count: count), affine: resampledAffine,
                warnings: layout.warnings))
    }
}
