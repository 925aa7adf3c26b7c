import ArgumentParser

/// `veil deface`: `veil anonymize --deface` for inputs that are all head scans.
struct DefaceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deface",
        abstract: "De-identify head CT or MR series and remove their faces.",
        discussion: """
            Like `veil anonymize --deface`, except that every CT and MR series is taken to be a head: \
            a series whose face cannot be removed and checked fails as a whole (and goes to \
            --quarantine), whatever its Body Part Examined says. Other files are de-identified as usual.

            Each series is assembled into a volume, the Colin27 head atlas is fitted to its skin, the \
            face (eyes, nose, mouth, chin; not the ears) is set to air, keeping a margin around the \
            fitted brain, and the result is checked: nothing removed near the brain, a good fit, and \
            no skin left where a frontal rendering met the face. Changed slices are written as \
            Explicit VR Little Endian with Recognizable Visual Features (0028,0302) NO.
            """)

    @OptionGroup var options: AnonymizeCommand

    func run() throws { try options.execute(defaceRequiresHead: true) }
}
