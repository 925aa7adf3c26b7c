/*
 * CDCMTK: the C interface to DCMTK's dcmdata that Veil's Swift code calls.
 *
 * Mechanism only: parse a DICOM file, export it as a flat record stream, and write a record
 * stream back as a DICOM file. Which files are parsed (the structure check, StructureCheck.swift)
 * and which attributes change are decided in Swift.
 *
 * Conventions
 *  - Every symbol starts with `cdcm_`. Handles are opaque. No C++ type or exception crosses this
 *    header: every entry point catches all exceptions and reports CDCM_ERROR_EXCEPTION.
 *  - Strings and buffers handed out are copies owned by the caller (free buffers with
 *    cdcm_buffer_free). Messages are copied into a caller-supplied buffer, NUL-terminated and
 *    truncated to fit; they never contain attribute values.
 *
 * Record stream (little-endian), used for both directions:
 *    'E' u16 group, u16 element, char[2] VR, u32 length, length bytes   element with its value
 *    'B' u16 group, u16 element, char[2] VR, u32 length, u32 bulk id     bulk value left in the file
 *    'S' u16 group, u16 element                                          sequence starts
 *    'I'                                                                 item starts
 *    'i'                                                                 item ends
 *    's'                                                                 sequence ends
 *  Values of binary VRs (AT, FD, FL, OB, OD, OF, OL, OV, OW, SL, SS, SV, UL, UN, US, UV) are in
 *  little-endian byte order whatever the transfer syntax; string VRs carry their bytes as stored.
 *  A bulk element (Pixel Data, and any other binary value longer than the bulk threshold) is not
 *  copied: its id refers to the element in the opened file, and writing copies it unchanged.
 */
#ifndef CDCMTK_H
#define CDCMTK_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#pragma clang assume_nonnull begin

typedef enum {
    CDCM_OK = 0,
    /* 1 (not DICOM) and 7 (malformed) are decided in Swift now (FileOpening.swift). */
    /** The file looks like DICOM but could not be parsed completely (truncated, corrupt). */
    CDCM_ERROR_PARSE = 2,
    /** The file could not be opened, read or written. */
    CDCM_ERROR_IO = 3,
    /** The transfer syntax is unknown to DCMTK or cannot be written. */
    CDCM_ERROR_TRANSFER_SYNTAX = 4,
    /** A record stream handed to cdcm_write is malformed, or a value does not fit its VR. */
    CDCM_ERROR_RECORDS = 5,
    /** A C++ exception (including std::bad_alloc) was caught at the boundary. */
    CDCM_ERROR_EXCEPTION = 6,
    /** Writing failed because the output file system is full (or the file too large for it). */
    CDCM_ERROR_NO_SPACE = 8,
    /** DCMTK's parse ended early: the data ran out before an element or a sequence did. */
    CDCM_ERROR_TRUNCATED = 9,
} cdcm_status;

/** An opened DICOM file: its File Meta Information and data set. */
typedef struct cdcm_file cdcm_file;

/** A byte buffer allocated by the shim; release it with cdcm_buffer_free. */
typedef struct {
    uint8_t *_Nullable bytes;
    size_t length;
} cdcm_buffer;

/** Silences DCMTK's own logging and sets the parser options Veil relies on. Call once, early. */
void cdcm_initialize(void);

/** The DCMTK version string, e.g. "3.6.7". Static storage. */
const char *cdcm_dcmtk_version(void);

/** 1 when DCMTK's data dictionary is loaded (it is read from /usr/share/libdcmtk17 at start). */
int cdcm_dictionary_is_loaded(void);

/** How DCMTK reads a transfer syntax (see cdcm_transfer_syntax_find). */
typedef struct {
    /** DCMTK's number for it, to hand back to cdcm_file_load; CDCM_TRANSFER_SYNTAX_UNKNOWN when
     *  DCMTK does not know the name. */
    int32_t id;
    uint8_t explicit_vr;
    uint8_t big_endian;
    /** Pixel Data may be a sequence of fragments. */
    uint8_t encapsulated;
    /** The data set after the meta header is one deflate stream (PS3.5 A.5). */
    uint8_t deflated;
} cdcm_transfer_syntax;

#define CDCM_TRANSFER_SYNTAX_UNKNOWN (-1)

/**
 * Looks up a transfer syntax by UID, or by DCMTK's name for it, as DCMTK does when it reads a
 * File Meta Information (the string ends at its first NUL).
 */
void cdcm_transfer_syntax_find(const char *uid, cdcm_transfer_syntax *out);

/**
 * 1 when DCMTK's data dictionary gives the public attribute (group, element) the VR SQ: what
 * DCMTK parses as a sequence in Implicit VR. Private creators are not looked at.
 */
int cdcm_dictionary_is_sequence(uint16_t group, uint16_t element);

/** What Swift learnt about a file before asking DCMTK to parse it (cdcm_file_load). */
typedef struct {
    /** 1: a Part 10 file, whose meta header names the transfer syntax; 0: a bare data set. */
    uint8_t has_meta_header;
    /** For a bare data set: the transfer syntax to read it in (cdcm_transfer_syntax.id). */
    int32_t transfer_syntax;
    /** Binary values longer than this stay in the file until written. */
    uint32_t bulk_threshold;
    /** The file as opened (fstat): a write refuses to go on when it has changed since. */
    uint64_t device;
    uint64_t inode;
    int64_t size;
    int64_t modified_seconds;
    int64_t modified_nanoseconds;
    /** Where the top-level Pixel Data element lies, header included: [start, end). Unknown
     *  (pixel_data_found 0) for deflated data sets. */
    uint8_t pixel_data_found;
    int64_t pixel_data_start;
    int64_t pixel_data_end;
    /** As in the element's header: 0xFFFFFFFF when encapsulated. */
    uint32_t pixel_data_value_length;
} cdcm_load_request;

/**
 * Parses `path` with DCMTK, which the caller has already checked (StructureCheck.swift): DCMTK
 * repairs or accepts some defects silently and its parser is recursive. Values of binary VRs
 * longer than the bulk threshold, and Pixel Data, stay in the file until they are written. On
 * success `*out` owns the parsed file; close it with cdcm_file_close. On failure DCMTK's reason
 * is copied to `message`: CDCM_ERROR_TRUNCATED, CDCM_ERROR_TRANSFER_SYNTAX (an encoding DCMTK
 * cannot read) or CDCM_ERROR_PARSE.
 */
cdcm_status cdcm_file_load(const char *path, const cdcm_load_request *request, cdcm_file *_Nullable *_Nonnull out,
                           char *message, size_t message_capacity);

/** Frees the handle. Safe to call with NULL. */
void cdcm_file_close(cdcm_file *_Nullable file);

/** The transfer syntax DCMTK read the data set in (cdcm_transfer_syntax.id), or CDCM_TRANSFER_SYNTAX_UNKNOWN. */
int32_t cdcm_file_original_transfer_syntax(const cdcm_file *file);

/**
 * Copies the text DCMTK gives for the top-level attribute (group, element) into `buffer`
 * (NUL-terminated, truncated to fit) and its full length, embedded NULs included, to `length`.
 * CDCM_ERROR_PARSE when the data set has no such attribute or it has no text.
 */
cdcm_status cdcm_file_find_string(const cdcm_file *file, uint16_t group, uint16_t element, char *buffer,
                                  size_t capacity, size_t *length);

/**
 * Copies the UID of the transfer syntax the data set was read in into `buffer` (NUL-terminated).
 * Returns CDCM_ERROR_TRANSFER_SYNTAX when it is unknown.
 */
cdcm_status cdcm_file_transfer_syntax(const cdcm_file *file, char *buffer, size_t capacity);

/** Exports the File Meta Information and the data set as two record streams. */
cdcm_status cdcm_file_export(cdcm_file *file, cdcm_buffer *meta, cdcm_buffer *dataset,
                             char *message, size_t message_capacity);

/**
 * Copies the value of bulk element `bulk_id` (as numbered by the last cdcm_file_export) into
 * `value`, in the record stream's byte order. Reads it from the file if it was not loaded.
 * Encapsulated Pixel Data (a sequence of fragments) cannot be read this way.
 */
cdcm_status cdcm_file_read_bulk(cdcm_file *file, uint32_t bulk_id, cdcm_buffer *value,
                                char *message, size_t message_capacity);

/**
 * Writes a new Part 10 file at `path`: a zeroed 128-byte preamble, "DICM", File Meta Information
 * built from `meta` (group length computed here), and the data set built from `dataset`, encoded
 * in `transfer_syntax_uid`. Bulk records copy the corresponding element of `source` unchanged.
 * The file at `path` is created or truncated; the caller writes to a temporary path and renames.
 * Fails with CDCM_ERROR_IO if the source file changed on disk since it was opened.
 */
cdcm_status cdcm_file_write(cdcm_file *source,
                            const uint8_t *meta, size_t meta_length,
                            const uint8_t *dataset, size_t dataset_length,
                            const char *transfer_syntax_uid, const char *path,
                            char *message, size_t message_capacity);

/** Decoded Pixel Data: stored values (no rescale), every frame, native little-endian. */
typedef struct {
    uint32_t rows;
    uint32_t columns;
    uint32_t frames;
    uint32_t samples_per_pixel;
    uint32_t bits_allocated;
    uint32_t bits_stored;
    /** 0 unsigned, 1 two's complement. */
    uint32_t pixel_representation;
    /** 0: samples interleaved (R G B R G B), 1: one plane per sample. */
    uint32_t planar_configuration;
    /** After decoding: JPEG and JPEG 2000 colour comes out as RGB. */
    char photometric_interpretation[24];
    /** frames x rows x columns x samples, each bits_allocated / 8 bytes. Free with cdcm_buffer_free. */
    cdcm_buffer pixels;
} cdcm_pixels;

/**
 * Decodes the Pixel Data of `file` (native, RLE, JPEG baseline/extended/lossless, JPEG-LS,
 * deflated, JPEG 2000), reading the file again: `file` itself is not changed. Fails with
 * CDCM_ERROR_TRANSFER_SYNTAX for encodings that cannot be decoded, never with made-up pixels.
 */
cdcm_status cdcm_file_decode_pixels(cdcm_file *file, cdcm_pixels *out, char *message, size_t message_capacity);

/**
 * Writes `<root>/DICOMDIR` (General Purpose profile) referencing `count` files given relative to
 * `root`, whose path components must be media file IDs (up to 8 of A-Z, 0-9 and _). Missing
 * required record values are filled in (DCMTK's invent mode); the transfer syntax is not
 * restricted, so compressed files are listed too. Files DCMTK cannot list (an instance without
 * Modality or Series Instance UID) are left out and counted in `*skipped`.
 */
cdcm_status cdcm_dicomdir_write(const char *root, const char *const _Nonnull *_Nonnull files, size_t count,
                                size_t *skipped, char *message, size_t message_capacity);

/** Frees a buffer's bytes and zeroes it. Safe to call twice. */
void cdcm_buffer_free(cdcm_buffer *buffer);

#pragma clang assume_nonnull end

#ifdef __cplusplus
}
#endif

/* The network side: associations, C-ECHO, C-FIND, C-MOVE, C-GET, C-STORE. */
#include "CDCMTKNetwork.h"

#endif /* CDCMTK_H */
