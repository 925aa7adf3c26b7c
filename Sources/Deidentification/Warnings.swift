import DICOMCore

/// Risks that metadata de-identification leaves in place, reported with the instance.
enum Warnings {
    static func collect(
        _ dataSet: DataSet, original: DataSet, profile: DeidentificationProfile
    ) -> [DeidentificationWarning] {
        var warnings: [DeidentificationWarning] = []
        let hasPixels = dataSet[.pixelData] != nil
        let burnedIn = dataSet.string(.burnedInAnnotation)?.uppercased()
        if hasPixels, burnedIn != "NO", !profile.options.contains(.cleanPixelData), ImageTextRisk.mayCarryText(dataSet)
        {
            warnings.append(
                DeidentificationWarning(
                    kind: .burnedInTextPossible,
                    message: "image type often carries burned-in text and Burned In Annotation is not NO"))
        }
        if hasPixels, hasOverlayInPixelData(original) {
            warnings.append(
                DeidentificationWarning(
                    kind: .overlayInPixelData,
                    message: "overlay bits are stored in Pixel Data and remain there"))
        }
        if hasPixels, dataSet.string(.recognizableVisualFeatures)?.uppercased() == "YES",
            !profile.options.contains(.cleanRecognizableVisualFeatures)
        {
            warnings.append(
                DeidentificationWarning(
                    kind: .recognizableVisualFeatures,
                    message: "Recognizable Visual Features is YES: a face may be reconstructed from the pixels"))
        }
        if profile.options.contains(.cleanGraphics),
            original.elements.contains(where: { (0x6000...0x601E).contains($0.tag.group) && $0.tag.element == 0x3000 })
        {
            warnings.append(
                DeidentificationWarning(
                    kind: .overlayKept,
                    message: "overlay bitmaps were kept (Clean Graphics): drawn text in them is not cleaned"))
        }
        return warnings
    }

    /// Overlay Bits Allocated equal to Bits Allocated with a non-zero bit position: the retired
    /// encoding of overlays in unused high bits of Pixel Data.
    private static func hasOverlayInPixelData(_ dataSet: DataSet) -> Bool {
        guard let bitsAllocated = dataSet.int(.bitsAllocated) else { return false }
        for group in stride(from: UInt16(0x6000), through: 0x601E, by: 2) {
            if let overlayBits = dataSet.int(DICOMTag(group, 0x0100)),
                let position = dataSet.int(DICOMTag(group, 0x0102)),
                overlayBits == bitsAllocated, position != 0
            {
                return true
            }
        }
        return false
    }
}
