import Foundation

/// One volume's worth of frames, in order along the slice direction, with its geometry.
public struct StackLayout: Sendable {
    /// Slice k of the volume; nil for a slice missing from the acquisition.
    public var slices: [SliceHeader?]
    public var affine: AffineTransform
    public var warnings: [VolumeWarning]
    public var rows: Int { slices.lazy.compactMap { $0 }.first?.rows ?? 0 }

    public init(slices: [SliceHeader?], affine: AffineTransform, warnings: [VolumeWarning]) {
        self.slices = slices
        self.affine = affine
        self.warnings = warnings
    }
    public var columns: Int { slices.lazy.compactMap { $0 }.first?.columns ?? 0 }
}

/// Sorts frames into volumes: series, then sub-stacks (orientation, size, spacing, echo, stack,
/// temporal position, repeated positions), ordered by position along the slice normal — never by
/// Instance Number, which scanners and PACS renumber freely.
public enum SeriesAssembler {
    /// Positions closer than this along the normal are the same position (mm).
    static let samePosition = 0.01
    /// Steps may differ by this fraction before the spacing counts as non-uniform.
    static let spacingTolerance = 0.01
    /// Smallest angle between slice direction and image normal reported as tilt (degrees).
    static let tiltThreshold = 0.1

    public static func assemble(_ headers: [SliceHeader]) -> [StackLayout] {
        var localizers: [String: Int] = [:]
        var groups: [String: [SliceHeader]] = [:]
        for header in headers {
            if header.isLocalizer {
                localizers[header.seriesInstanceUID, default: 0] += 1
                continue
            }
            groups[groupKey(header), default: []].append(header)
        }
        return groups.keys.sorted().flatMap { key -> [StackLayout] in
            let group = groups[key]!
            let excluded = localizers[group[0].seriesInstanceUID] ?? 0
            return splitRepeatedPositions(group).map { stack, duplicates in
                var layout = lay(out: stack)
                if duplicates > 0 { layout.warnings.append(.duplicatePositions(count: duplicates)) }
                if excluded > 0 { layout.warnings.append(.localizersExcluded(count: excluded)) }
                return layout
            }
        }
    }

    static func groupKey(_ h: SliceHeader) -> String {
        func rounded(_ value: Double, _ step: Double) -> String { String(Int((value / step).rounded())) }
        let orientation = [h.rowDirection, h.columnDirection].flatMap { [$0.x, $0.y, $0.z] }.map { rounded($0, 1e-3) }
        return
            ([
                h.seriesInstanceUID, h.stackKey, h.timeKey, String(h.rows), String(h.columns),
                rounded(h.rowSpacing, 1e-3),
                rounded(h.columnSpacing, 1e-3),
            ] + orientation).joined(separator: "/")
    }

    /// Frames sharing positions: when every position repeats the same number of times, one
    /// sub-stack per repetition (acquisition order); otherwise the first frame at each position,
    /// and how many were left out.
    static func splitRepeatedPositions(_ group: [SliceHeader]) -> [([SliceHeader], Int)] {
        let normal = group[0].normal
        let sorted = group.sorted {
            let (a, b) = ($0.position.dot(normal), $1.position.dot(normal))
            return abs(a - b) > samePosition
                ? a < b : ($0.acquisitionNumber, $0.instanceNumber) < ($1.acquisitionNumber, $1.instanceNumber)
        }
        var positions: [[SliceHeader]] = []
        for header in sorted {
            if let last = positions.last?.first,
                abs(last.position.dot(normal) - header.position.dot(normal)) <= samePosition
            {
                positions[positions.count - 1].append(header)
            } else {
                positions.append([header])
            }
        }
        let repeats = positions[0].count
        if repeats > 1, positions.count > 1, positions.allSatisfy({ $0.count == repeats }) {
            return (0..<repeats).map { index in (positions.map { $0[index] }, 0) }
        }
        return [(positions.map { $0[0] }, positions.reduce(0) { $0 + $1.count - 1 })]
    }

    /// The regular grid through ordered, distinct positions.
    static func lay(out stack: [SliceHeader]) -> StackLayout {
        let first = stack[0]
        let columnStep = first.rowDirection * first.columnSpacing
        let rowStep = first.columnDirection * first.rowSpacing
        let normal = first.normal
        guard stack.count > 1 else {
            return StackLayout(
                slices: stack,
                affine: AffineTransform(
                    columnStep: columnStep, rowStep: rowStep,
                    sliceStep: normal * first.rowSpacing, origin: first.position), warnings: [])
        }
        let steps = zip(stack, stack.dropFirst()).map { ($1.position - $0.position).dot(normal) }
        let median = steps.sorted()[steps.count / 2]
        var warnings: [VolumeWarning] = []
        var slices: [SliceHeader?] = [first]
        var uniform = true
        var missing = 0
        for (step, header) in zip(steps, stack.dropFirst()) {
            let multiple = (step / median).rounded()
            if multiple >= 2, abs(step - multiple * median) <= spacingTolerance * median * multiple {
                missing += Int(multiple) - 1
                slices += Array(repeating: nil, count: Int(multiple) - 1)
            } else if abs(step - median) > spacingTolerance * median {
                uniform = false
            }
            slices.append(header)
        }
        if missing > 0 { warnings.append(.missingSlices(count: missing)) }
        if !uniform { warnings.append(.nonUniformSpacing(minimum: steps.min()!, maximum: steps.max()!)) }
        let last = stack[stack.count - 1]
        let sliceStep =
            uniform
            ? (last.position - first.position) / Double(slices.count - 1)
            : normal * median + (last.position - first.position - normal * (last.position - first.position).dot(normal))
                / Double(slices.count - 1)
        let tilt = acos(min(1, abs(sliceStep.normalized.dot(normal)))) * 180 / .pi
        if tilt > tiltThreshold { warnings.append(.gantryTilt(degrees: tilt)) }
        return StackLayout(
            slices: slices,
            affine: AffineTransform(
                columnStep: columnStep, rowStep: rowStep,
                sliceStep: sliceStep, origin: first.position), warnings: warnings)
    }
}
