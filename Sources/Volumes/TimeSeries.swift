/// The 3-D volumes of one series that are the same grid at different times — temporal
/// positions, dynamic repetitions, the files of a Siemens mosaic series (time points, diffusion
/// directions) — in acquisition order: what dcm2niix writes as one 4-D NIfTI. Echoes and stacks
/// stay apart, as in dcm2niix's `_e2` files.
public enum TimeSeries {
    /// Grids closer than this (mm, any corner's axis step or origin) are the same grid.
    static let sameGrid = 1e-3

    /// `volumes` (as `VolumeLoader` gives them) grouped into images: one element per 3-D or 4-D
    /// image, its time points in order; groups in the order their first volume came.
    public static func group(_ volumes: [Volume]) -> [[Volume]] {
        var groups: [[Volume]] = []
        for volume in volumes {
            if let index = groups.firstIndex(where: { belong($0[0], volume) }) {
                groups[index].append(volume)
            } else {
                groups.append([volume])
            }
        }
        return groups.map { group in group.sorted { order($0).lexicographicallyPrecedes(order($1)) } }
    }

    /// The first acquired slice of `volume`.
    static func firstSlice(_ volume: Volume) -> SliceHeader? { volume.layout.slices.lazy.compactMap { $0 }.first }

    static func belong(_ a: Volume, _ b: Volume) -> Bool {
        guard let first = firstSlice(a), let other = firstSlice(b), first.seriesInstanceUID == other.seriesInstanceUID,
            first.stackKey == other.stackKey, a.size == b.size
        else { return false }
        return [
            a.affine.columnStep - b.affine.columnStep, a.affine.rowStep - b.affine.rowStep,
            a.affine.sliceStep - b.affine.sliceStep, a.affine.origin - b.affine.origin,
        ].allSatisfy { $0.length < sameGrid }
    }

    /// Time order: Temporal Position, then Acquisition Number, then Instance Number.
    static func order(_ volume: Volume) -> [Int] {
        guard let slice = firstSlice(volume) else { return [] }
        return [slice.timeIndex, slice.acquisitionNumber, slice.instanceNumber]
    }
}
