import Foundation

/// Series made by Scripts/fixtures/make-volume-cases.py into TestData/volumes (by
/// Scripts/prepare-test-data.sh): one folder per case, each with the generator's truth.json.
public enum VolumeCases {
    public static func folder(_ name: String) throws -> URL {
        try TestPaths.fixture("volumes/\(name)", completeWhen: "volumes/complete-v2")
    }
}
