import DICOMCore
import Testing

@testable import DICOMIO

/// The structure check on files written out byte by byte.
@Suite struct StructureCheckTests {
    typealias E = ElementBytes

    static let explicitLittle = "1.2.840.10008.1.2.1"

    func check(_ bytes: [UInt8]) -> StructureReport {
        bytes.withUnsafeBytes { StructureCheck.check($0) }
    }

    @Test func wellFormedExplicitVRFile() throws {
        let pixels = E.explicit(0x7FE0, 0x0010, "OW", [0x01, 0x02, 0x03, 0x04])
        let dataSet = E.sopIdentifiers + E.explicit(0x0010, 0x0010, "PN", E.text("Doe^Jane", vr: "PN")) + pixels
        let file = E.part10(transferSyntax: Self.explicitLittle, dataSet)
        let report = check(file)
        #expect(report.problem == nil)
        #expect(report.hasMetaHeader)
        #expect(report.namesSOPInstance)
        let encoding = try #require(report.transferSyntax)
        #expect(encoding.isExplicitVR && !encoding.isBigEndian && !encoding.isEncapsulated && !encoding.isDeflated)
        let location = PixelDataLocation(start: file.count - pixels.count, end: file.count, valueLength: 4)
        #expect(report.pixelData == location)
    }

    @Test func wellFormedImplicitVRBareDataSet() throws {
        // (0010,0010) Patient's Name, Implicit VR: tag, 32-bit length, value.
        let name: [UInt8] = [0x10, 0x00, 0x10, 0x00, 0x04, 0x00, 0x00, 0x00, 0x41, 0x5E, 0x42, 0x20]
        let report = check(E.implicitSOPIdentifiers + name)
        #expect(report.problem == nil)
        #expect(!report.hasMetaHeader)
        #expect(report.namesSOPInstance)
        #expect(report.transferSyntax == .implicitVRLittleEndian)
        #expect(report.pixelData == nil)
    }

    /// In Implicit VR only the dictionary tells a sequence: the same bytes are walked as items
    /// under Referenced Image Sequence, and skipped as a value under Study Description.
    @Test func implicitVRSequencesComeFromTheDictionary() {
        let notAnItem = E.implicit(0x0008, 0x1150, E.text("1.2", vr: "UI"))
        let asSequence = check(E.implicitSOPIdentifiers + E.implicit(0x0008, 0x1140, notAnItem))
        #expect(asSequence.problem == "an element where a sequence item should be, (0008,1150)")
        let asText = check(E.implicitSOPIdentifiers + E.implicit(0x0008, 0x1030, notAnItem))
        #expect(asText.problem == nil)
        let items = check(E.implicitSOPIdentifiers + E.implicit(0x0008, 0x1140, E.item(notAnItem)))
        #expect(items.problem == nil)
    }

    @Test func nestedSequencesOfDefinedAndUndefinedLength() {
        let leaf = E.explicit(0x0008, 0x1150, "UI", E.text("1.2.3", vr: "UI"))
        let defined = E.explicit(0x0008, 0x1140, "SQ", E.item(leaf) + E.item(leaf))
        let undefined =
            E.explicit(0x0040, 0xA730, "SQ", length: E.undefined)
            + E.item(defined, undefinedLength: true) + E.item(defined + leaf) + E.sequenceDelimiter
        #expect(check(E.sopIdentifiers + undefined).problem == nil)
        // The same without its sequence delimiter, and an item without its item delimiter.
        let noSequenceDelimiter = E.explicit(0x0040, 0xA730, "SQ", length: E.undefined) + E.item(leaf)
        #expect(check(E.sopIdentifiers + noSequenceDelimiter).problem == "sequence without its delimiter")
        let noItemDelimiter =
            E.explicit(0x0040, 0xA730, "SQ", length: E.undefined)
            + [0xFE, 0xFF, 0x00, 0xE0, 0xFF, 0xFF, 0xFF, 0xFF] + leaf
        #expect(check(E.sopIdentifiers + noItemDelimiter).problem == "item without its delimiter")
        // A defined-length item that claims more than its sequence holds.
        let longItem = E.explicit(0x0008, 0x1140, "SQ", [0xFE, 0xFF, 0x00, 0xE0, 0x40, 0x00, 0x00, 0x00] + leaf)
        #expect(check(E.sopIdentifiers + longItem).problem == "item runs past its sequence")
    }

    /// Items inside UN of undefined length are Implicit VR (PS3.5 6.2.2), whatever the data set's.
    @Test func unknownVRSequenceItemsAreImplicit() {
        let implicitLeaf = E.implicit(0x0008, 0x1150, E.text("1.2.3", vr: "UI"))
        let un = E.explicit(0x0008, 0x1140, "UN", length: E.undefined) + E.item(implicitLeaf) + E.sequenceDelimiter
        #expect(check(E.sopIdentifiers + un).problem == nil)
        let ob = E.explicit(0x0008, 0x1140, "OB", length: E.undefined) + E.item(implicitLeaf) + E.sequenceDelimiter
        #expect(check(E.sopIdentifiers + ob).problem == "undefined length on a OB element (0008,1140)")
    }

    @Test func nestingIsLimitedTo64Sequences() {
        func nested(_ depth: Int) -> [UInt8] {
            var content = E.explicit(0x0010, 0x0010, "PN", E.text("A^B", vr: "PN"))
            for _ in 0..<depth {
                content =
                    E.explicit(0x0040, 0xA730, "SQ", length: E.undefined)
                    + E.item(content, undefinedLength: true) + E.sequenceDelimiter
            }
            return E.sopIdentifiers + content
        }
        #expect(StructureCheck.maximumDepth == 64)
        #expect(check(nested(64)).problem == nil)
        #expect(check(nested(65)).problem == "sequences nested deeper than 64 levels")
        #expect(check(nested(10_000)).problem == "sequences nested deeper than 64 levels")
    }

    @Test func oddLengthsAreRefusedInPublicGroupsOnly() {
        // (0010,0010) PN of length 3, and (0011,1001) LO of length 3 in a private block.
        let publicOdd: [UInt8] = [0x10, 0x00, 0x10, 0x00, 0x50, 0x4E, 0x03, 0x00, 0x41, 0x42, 0x43]
        let privateOdd: [UInt8] = [0x11, 0x00, 0x01, 0x10, 0x4C, 0x4F, 0x03, 0x00, 0x41, 0x42, 0x43]
        let creator = E.explicit(0x0011, 0x0010, "LO", E.text("ACME"))
        #expect(check(E.sopIdentifiers + publicOdd).problem == "odd value length in (0010,0010)")
        #expect(check(E.sopIdentifiers + creator + privateOdd).problem == nil)
        let oddItem: [UInt8] = [0xFE, 0xFF, 0x00, 0xE0, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00]
        #expect(check(E.sopIdentifiers + E.explicit(0x0008, 0x1140, "SQ", oddItem)).problem == "item of odd length")
    }

    @Test func truncatedValuesAndHeaders() {
        // (0010,0010) PN declares 10 bytes; 4 follow.
        let truncated: [UInt8] = [0x10, 0x00, 0x10, 0x00, 0x50, 0x4E, 0x0A, 0x00, 0x44, 0x6F, 0x65, 0x5E]
        let file = E.part10(transferSyntax: Self.explicitLittle, E.sopIdentifiers + truncated)
        #expect(check(file).problem == "value of (0010,0010) runs past the end of the file")
        #expect(check(E.sopIdentifiers + truncated.prefix(5)).problem == "element header cut short")
        let inItem =
            E.explicit(0x0008, 0x1140, "SQ", E.item(truncated))
            + E.explicit(0x0010, 0x0020, "LO", E.text("ID"))
        #expect(check(E.sopIdentifiers + inItem).problem == "value of (0010,0010) runs past its container")
        // Meta header cut inside its Transfer Syntax UID.
        #expect(check(Array(file.prefix(160))).problem == "File Meta Information cut short")
    }

    @Test func orderVRsAndDelimiters() {
        let name = E.explicit(0x0010, 0x0010, "PN", E.text("A^B", vr: "PN"))
        let id = E.explicit(0x0010, 0x0020, "LO", E.text("ID"))
        #expect(check(E.sopIdentifiers + id + name).problem == "elements out of order at (0010,0010)")
        #expect(check(E.sopIdentifiers + name + name).problem == "duplicate element (0010,0010)")
        let invalidVR = E.explicit(0x0010, 0x0010, "XY", [0x41, 0x42])
        #expect(check(E.sopIdentifiers + invalidVR).problem == "invalid VR in (0010,0010)")
        #expect(check(E.sopIdentifiers + E.itemDelimiter).problem == "item or delimiter tag in the data set")
        let delimiterWithLength =
            E.explicit(0x0040, 0xA730, "SQ", length: E.undefined)
            + [0xFE, 0xFF, 0xDD, 0xE0, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00]
        #expect(check(E.sopIdentifiers + delimiterWithLength).problem == "sequence delimiter with a length")
    }

    @Test func encapsulatedPixelDataFragments() throws {
        let jpegBaseline = "1.2.840.10008.1.2.4.50"
        let fragments =
            E.explicit(0x7FE0, 0x0010, "OB", length: E.undefined)
            + E.item([]) + E.item([0xFF, 0xD8, 0xFF, 0xD9]) + E.sequenceDelimiter
        let file = E.part10(transferSyntax: jpegBaseline, E.sopIdentifiers + fragments)
        let report = check(file)
        #expect(report.problem == nil)
        #expect(report.transferSyntax?.isEncapsulated == true)
        #expect(
            report.pixelData
                == PixelDataLocation(
                    start: file.count - fragments.count, end: file.count,
                    valueLength: E.undefined))
        let native = E.part10(transferSyntax: Self.explicitLittle, E.sopIdentifiers + fragments)
        #expect(check(native).problem == "Pixel Data of undefined length in a native transfer syntax")
        let unterminated = E.part10(transferSyntax: jpegBaseline, E.sopIdentifiers + fragments.dropLast(8))
        #expect(check(unterminated).problem == "encapsulated Pixel Data without its sequence delimiter")
    }

    @Test func deflatedDataSetIsInflatedAndWalked() throws {
        let deflated = "1.2.840.10008.1.2.1.99"
        let dataSet = E.sopIdentifiers + E.explicit(0x0010, 0x0010, "PN", E.text("Doe^Jane", vr: "PN"))
        let report = check(E.part10(transferSyntax: deflated, E.storedDeflateBlock(dataSet)))
        #expect(report.problem == nil)
        #expect(report.transferSyntax?.isDeflated == true)
        #expect(report.namesSOPInstance)
        #expect(report.pixelData == nil, "offsets in inflated bytes mean nothing in the file")

        let odd = E.sopIdentifiers + [0x10, 0x00, 0x10, 0x00, 0x50, 0x4E, 0x01, 0x00, 0x41]
        #expect(
            check(E.part10(transferSyntax: deflated, E.storedDeflateBlock(odd))).problem
                == "odd value length in (0010,0010)")
        // Block type 3 does not exist (RFC 1951 3.2.3); an empty stream does not end.
        let blockType3: [UInt8] = [0x07, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00]
        #expect(
            check(E.part10(transferSyntax: deflated, blockType3)).problem
                == "the deflated data set does not inflate")
        #expect(check(E.part10(transferSyntax: deflated, [])).problem == "the deflated data set does not inflate")
    }

    @Test func withoutDICMTheFileIsABareDataSet() {
        let dataSet = E.sopIdentifiers + E.explicit(0x0010, 0x0010, "PN", E.text("A^B", vr: "PN"))
        var file = E.part10(transferSyntax: Self.explicitLittle, dataSet)
        file[131] = UInt8(ascii: "X")  // "DICX"
        let report = check(file)
        #expect(!report.hasMetaHeader)
        // The zero preamble reads as (0000,0000) elements of length 0, twice.
        #expect(report.problem == "duplicate element (0000,0000)")
        #expect(!report.namesSOPInstance)
        #expect(check(Array("not DICOM at all\n".utf8)).namesSOPInstance == false)
    }

    @Test func unknownTransferSyntaxStopsTheCheck() {
        let report = check(E.part10(transferSyntax: "1.2.3.4.5.6", E.sopIdentifiers))
        #expect(report.unknownTransferSyntax)
        #expect(report.problem == nil)
        #expect(report.declaredTransferSyntax == Array("1.2.3.4.5.6".utf8))
        #expect(report.transferSyntax == nil)
    }

    @Test func fileMetaInformationDefects() {
        var file = E.part10(transferSyntax: Self.explicitLittle, E.sopIdentifiers)
        file[140] &+= 2  // the group length value
        #expect(check(file).problem == "File Meta Information Group Length does not match its elements")
        let noMeta = [UInt8](repeating: 0, count: 128) + Array("DICM".utf8) + E.sopIdentifiers
        #expect(check(noMeta).problem == "no File Meta Information after the DICM prefix")
        let noSyntax =
            [UInt8](repeating: 0, count: 128) + Array("DICM".utf8) + E.explicit(0x0002, 0x0001, "OB", [0, 1])
            + E.sopIdentifiers
        #expect(check(noSyntax).problem == "no Transfer Syntax UID in the File Meta Information")
    }

    /// The limit counts elements at every depth; a million zero-length private elements pass.
    @Test func elementCountIsLimited() {
        func elements(_ count: Int) -> [UInt8] {
            var bytes = E.implicitSOPIdentifiers
            bytes.reserveCapacity(bytes.count + 8 * count)
            for index in 0..<count {
                // Private groups (odd) ascend by 0x10000 tags each; Implicit VR, length 0.
                bytes += E.u16(UInt16(0x0009 + 2 * (index >> 16))) + E.u16(UInt16(index & 0xFFFF)) + [0, 0, 0, 0]
            }
            return bytes
        }
        #expect(StructureCheck.maximumElements == 1_000_000)
        #expect(check(elements(1_000_000 - 2)).problem == nil)
        #expect(check(elements(1_000_000 - 1)).problem == "more than 1,000,000 elements")
    }

    /// What the walk learnt before a problem is kept: a damaged bare data set that named its SOP
    /// Instance is malformed DICOM, not something else.
    @Test func sopIdentifiersBeforeAProblemCount() {
        let report = check(E.sopIdentifiers + [0x10, 0x00, 0x10, 0x00, 0x50, 0x4E, 0x03, 0x00, 0x41, 0x42, 0x43])
        #expect(report.problem != nil && report.namesSOPInstance)
        let padded =
            E.explicit(0x0008, 0x0016, "UI", Array("1.2 ".utf8))
            + E.explicit(0x0008, 0x0018, "UI", Array("12\0\0".utf8))
        #expect(check(padded).namesSOPInstance)
        let letters =
            E.explicit(0x0008, 0x0016, "UI", Array("1.2a".utf8))
            + E.explicit(0x0008, 0x0018, "UI", Array("12".utf8))
        #expect(!check(letters).namesSOPInstance)
    }

    /// The VR table agrees with DICOMCore's list of PS3.5 VRs, code for code.
    @Test func standardVRsAreDICOMCoresVRs() {
        let codes = Set(VRAll.codes)
        #expect(codes.count == 34)
        #expect((0...UInt16.max).filter { VRCode.isStandard($0) != codes.contains($0) } == [])
        let long: Set<String> = ["OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV", "UC", "UN", "UR", "UT", "UV"]
        for (name, code) in zip(VRAll.names, VRAll.codes) {
            #expect(VRCode.hasLongLength(code) == long.contains(name), "\(name)")
        }
    }
}

/// DICOMCore's VRs as two-byte codes.
private enum VRAll {
    static let names = VR.allCases.map(\.rawValue)
    static let codes = names.map { name in
        let bytes = Array(name.utf8)
        return UInt16(bytes[0]) << 8 | UInt16(bytes[1])
    }
}
