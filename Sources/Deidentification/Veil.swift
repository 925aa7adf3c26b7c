/// Facts about this build of Veil that end up in the files it writes.
public enum Veil {
    public static let version = "0.1.0"

    /// Implementation Class UID (0002,0012) of files Veil writes: a UUID-derived UID (PS3.5 B.2),
    /// fixed for the implementation.
    public static let implementationClassUID = "2.25.273287732880663326615967227246045513957"

    /// Implementation Version Name (0002,0013): at most 16 characters.
    public static let implementationVersionName = "VEIL_\(version)"
}
