// Exporting a parsed file as record streams (format in CDCMTK.h).
#include "Boundary.hpp"

#include <cstdlib>

namespace {

struct ExportError {
    std::string reason;
};

bool isPixelDataTag(const DcmTagKey &key) {
    return key.getGroup() == 0x7FE0 &&
           (key.getElement() == 0x0010 || key.getElement() == 0x0008 || key.getElement() == 0x0009);
}

bool isStringVR(DcmEVR vr) {
    switch (vr) {
    case EVR_AE: case EVR_AS: case EVR_CS: case EVR_DA: case EVR_DS: case EVR_DT: case EVR_IS:
    case EVR_LO: case EVR_LT: case EVR_PN: case EVR_SH: case EVR_ST: case EVR_TM: case EVR_UC:
    case EVR_UI: case EVR_UR: case EVR_UT:
        return true;
    default:
        return false;
    }
}

class Exporter {
public:
    Exporter(cdcm_file &file, uint32_t threshold) : file_(file), threshold_(threshold) {}

    std::vector<uint8_t> exportItem(DcmItem &item) {
        std::vector<uint8_t> out;
        out.reserve(4096);
        writeItem(item, out);
        return out;
    }

    /// The value of one element in record stream form.
    std::vector<uint8_t> exportValue(DcmElement &element) {
        if (element.ident() == EVR_PixelData) {
            DcmPixelData &pixels = static_cast<DcmPixelData &>(element);
            E_TransferSyntax xfer = EXS_Unknown;
            const DcmRepresentationParameter *parameter = nullptr;
            pixels.getOriginalRepresentationKey(xfer, parameter);
            if (DcmXfer(xfer).isEncapsulated()) throw ExportError{"encapsulated pixel data cannot be read as one value"};
        }
        const DcmEVR ident = element.ident();
        const DcmEVR vr = DcmVR(element.getTag().getEVR()).getValidEVR();
        const DcmEVR storage = (ident == EVR_PixelData || ident == EVR_OverlayData) ? vr : ident;
        std::vector<uint8_t> out;
        out.reserve(element.getLength());
        writeValue(element, storage, out);
        return out;
    }

private:
    void writeHeader(std::vector<uint8_t> &out, char kind, const DcmTagKey &key) {
        out.push_back(static_cast<uint8_t>(kind));
        cdcm::append<uint16_t>(out, key.getGroup());
        cdcm::append<uint16_t>(out, key.getElement());
    }

    void writeVR(std::vector<uint8_t> &out, DcmEVR evr) {
        const char *name = DcmVR(evr).getVRName();
        out.push_back(static_cast<uint8_t>(name[0]));
        out.push_back(static_cast<uint8_t>(name[1]));
    }

    void writeItem(DcmItem &item, std::vector<uint8_t> &out) {
        for (DcmObject *object = item.nextInContainer(nullptr); object != nullptr;
             object = item.nextInContainer(object)) {
            writeObject(*object, out);
        }
    }

    void writeObject(DcmObject &object, std::vector<uint8_t> &out) {
        const DcmTagKey key = object.getTag().getXTag();
        const DcmEVR ident = object.ident();
        if (ident == EVR_SQ) {
            auto &sequence = static_cast<DcmSequenceOfItems &>(object);
            writeHeader(out, 'S', key);
            for (DcmObject *entry = sequence.nextInContainer(nullptr); entry != nullptr;
                 entry = sequence.nextInContainer(entry)) {
                out.push_back('I');
                writeItem(static_cast<DcmItem &>(*entry), out);
                out.push_back('i');
            }
            out.push_back('s');
            return;
        }
        auto &element = static_cast<DcmElement &>(object);
        // The VR to report: the tag's, made valid (xs -> US, ox -> OB, ...). The storage class can
        // differ from it: Pixel Data and Overlay Data are polymorphic OB/OW classes.
        const DcmEVR vr = DcmVR(element.getTag().getEVR()).getValidEVR();
        const DcmEVR storage = (ident == EVR_PixelData || ident == EVR_OverlayData) ? vr : ident;
        const bool binary = !isStringVR(storage);
        if (ident == EVR_PixelData || isPixelDataTag(key) || (binary && element.getLength() > threshold_)) {
            writeHeader(out, 'B', key);
            writeVR(out, vr);
            cdcm::append<uint32_t>(out, element.getLength());
            cdcm::append<uint32_t>(out, static_cast<uint32_t>(file_.bulk.size()));
            file_.bulk.push_back(&element);
            return;
        }
        writeHeader(out, 'E', key);
        writeVR(out, vr);
        const size_t lengthAt = out.size();
        cdcm::append<uint32_t>(out, 0);
        const size_t start = out.size();
        writeValue(element, storage, out);
        const size_t length = out.size() - start;
        for (size_t i = 0; i < 4; ++i) out[lengthAt + i] = static_cast<uint8_t>(length >> (8 * i));
    }

    template <class T>
    void appendArray(std::vector<uint8_t> &out, const T *values, size_t bytes) {
        if (values == nullptr || bytes == 0) return;
        // The host is little-endian (checked at compile time below), so host order is the
        // record stream's order.
        const auto *raw = reinterpret_cast<const uint8_t *>(values);
        out.insert(out.end(), raw, raw + bytes);
    }

    void check(const OFCondition &condition, const DcmElement &element) {
        if (condition.bad()) {
            throw ExportError{"cannot read value of " + std::string(element.getTag().toString().c_str()) + ": " +
                              condition.text()};
        }
    }

    void writeValue(DcmElement &element, DcmEVR ident, std::vector<uint8_t> &out) {
        const size_t bytes = element.getLength();
        if (bytes == 0) return;
        if (isStringVR(ident)) {
            char *text = nullptr;
            Uint32 length = 0;
            check(static_cast<DcmByteString &>(element).getString(text, length), element);
            appendArray(out, text, length);
            return;
        }
        switch (ident) {
        case EVR_US: case EVR_xs: case EVR_AT: case EVR_OW: case EVR_lt:
            return appendValues<Uint16>(element, &DcmElement::getUint16Array, bytes, out);
        case EVR_SS: return appendValues<Sint16>(element, &DcmElement::getSint16Array, bytes, out);
        case EVR_UL: case EVR_up: case EVR_OL:
            return appendValues<Uint32>(element, &DcmElement::getUint32Array, bytes, out);
        case EVR_SL: return appendValues<Sint32>(element, &DcmElement::getSint32Array, bytes, out);
        case EVR_FL: case EVR_OF: return appendValues<Float32>(element, &DcmElement::getFloat32Array, bytes, out);
        case EVR_FD: case EVR_OD: return appendValues<Float64>(element, &DcmElement::getFloat64Array, bytes, out);
        case EVR_SV: return appendValues<Sint64>(element, &DcmElement::getSint64Array, bytes, out);
        case EVR_UV: case EVR_OV: return appendValues<Uint64>(element, &DcmElement::getUint64Array, bytes, out);
        default: // OB, UN and the byte-oriented internal VRs
            return appendValues<Uint8>(element, &DcmElement::getUint8Array, bytes, out);
        }
    }

    /// Appends `bytes` bytes of the element's values, fetched in host (little-endian) order.
    template <class T>
    void appendValues(DcmElement &element, OFCondition (DcmElement::*getter)(T *&), size_t bytes,
                      std::vector<uint8_t> &out) {
        T *values = nullptr;
        check((element.*getter)(values), element);
        appendArray(out, values, bytes);
    }

    cdcm_file &file_;
    uint32_t threshold_;
};

bool toBuffer(const std::vector<uint8_t> &bytes, cdcm_buffer *buffer) {
    buffer->bytes = static_cast<uint8_t *>(std::malloc(bytes.empty() ? 1 : bytes.size()));
    if (buffer->bytes == nullptr) return false;
    if (!bytes.empty()) std::memcpy(buffer->bytes, bytes.data(), bytes.size());
    buffer->length = bytes.size();
    return true;
}

} // namespace

static_assert(sizeof(Uint16) == 2 && sizeof(Float64) == 8, "unexpected DCMTK type sizes");
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the record stream assumes a little-endian host"
#endif

extern "C" {

cdcm_status cdcm_file_export(cdcm_file *file, cdcm_buffer *meta, cdcm_buffer *dataset, char *message,
                             size_t message_capacity) {
    meta->bytes = nullptr;
    meta->length = 0;
    dataset->bytes = nullptr;
    dataset->length = 0;
    return cdcm::guarded(message, message_capacity, [&]() -> cdcm_status {
        file->bulk.clear();
        // Binary values above the threshold were left in the file by the parser; they are
        // exported as bulk records, so only small values and strings are loaded here.
        Exporter exporter(*file, file->bulkThreshold);
        std::vector<uint8_t> metaRecords;
        std::vector<uint8_t> dataRecords;
        try {
            metaRecords = exporter.exportItem(*file->format.getMetaInfo());
            dataRecords = exporter.exportItem(*file->format.getDataset());
        } catch (const ExportError &error) {
            cdcm::copyMessage(error.reason, message, message_capacity);
            return CDCM_ERROR_PARSE;
        }
        if (!toBuffer(metaRecords, meta) || !toBuffer(dataRecords, dataset)) {
            cdcm_buffer_free(meta);
            cdcm_buffer_free(dataset);
            cdcm::copyMessage("out of memory", message, message_capacity);
            return CDCM_ERROR_EXCEPTION;
        }
        return CDCM_OK;
    });
}

cdcm_status cdcm_file_read_bulk(cdcm_file *file, uint32_t bulk_id, cdcm_buffer *value, char *message,
                                size_t message_capacity) {
    value->bytes = nullptr;
    value->length = 0;
    return cdcm::guarded(message, message_capacity, [&]() -> cdcm_status {
        if (bulk_id >= file->bulk.size()) {
            cdcm::copyMessage("no such bulk value", message, message_capacity);
            return CDCM_ERROR_RECORDS;
        }
        std::vector<uint8_t> bytes;
        try {
            bytes = Exporter(*file, file->bulkThreshold).exportValue(*file->bulk[bulk_id]);
        } catch (const ExportError &error) {
            cdcm::copyMessage(error.reason, message, message_capacity);
            return CDCM_ERROR_PARSE;
        }
        if (!toBuffer(bytes, value)) {
            cdcm::copyMessage("out of memory", message, message_capacity);
            return CDCM_ERROR_EXCEPTION;
        }
        return CDCM_OK;
    });
}

} // extern "C"
