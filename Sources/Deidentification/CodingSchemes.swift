import DICOMCore

/// Coding scheme designators registered in PS3.16 Table 8-1 (and the retired ones still met in
/// files). The Code Meaning of a code under one of these is the scheme's vocabulary, not text a
/// person typed; under anything else — "99…" designators, "L", a vendor's own — it is local free
/// text, which can hold anything a site typed into its code table.
enum CodingSchemes {
    static func isRegistered(_ designator: String) -> Bool {
        let upper = designator.uppercased()
        if upper.hasPrefix("99") || upper == "L" || upper.isEmpty { return false }
        return registered.contains(upper)
    }

    private static let registered: Set<String> = [
        "DCM", "SCT", "SRT", "SNM3", "LN", "UCUM", "FMA", "RADLEX", "NCIT", "NCI", "MDC", "UMLS", "NEU", "ACR",
        "BARI", "UBERON", "NICIP", "HPC", "MSH", "NDC", "RXNORM", "ATC", "PUBCHEM_CID", "ICD10", "I10", "I10P",
        "ICD10PCS", "I9", "I9C", "ICD9CM", "I11", "ICDO3", "C4", "C5", "CD2", "CPT4", "MA", "ISO3166_1", "ISO639_1",
        "ISO639_2", "RFC5646", "RFC3066", "HL7", "DC", "HGNC", "NEWT", "ITIS_TSN", "MGI", "RGD", "ZFIN", "PATO",
        "NYUMCCG", "MAYOASRG", "ASTM-SIGPURPOSE", "IBSI", "CAS", "ACRTIS", "AAMI", "DCMUID", "GO", "ENSEMBL",
        "IEEE", "NCDR", "SNOMED", "POS", "WHOATC", "ADA", "IHE", "IHERADTF", "CTP", "DICOM",
    ]
}
