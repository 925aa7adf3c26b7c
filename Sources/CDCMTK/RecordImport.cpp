// Building a new file from record streams (format in CDCMTK.h) and writing it.
#include "Boundary.hpp"
#include "OutputFile.hpp"

#include "dcmtk/dcmdata/dcvrsv.h"
#include "dcmtk/dcmdata/dcvruv.h"

namespace {

struct RecordError {
    std::string reason;
};

class Importer {
public:
    Importer(const uint8_t *bytes, size_t length, cdcm_file &source)
        : cursor_(bytes), end_(bytes + length), source_(source) {}

    /// Reads records up to the end of the stream into `item`.
    void readTopLevel(DcmItem &item) {
        topLevel_ = &item;
        readItemContent(item, /*nested=*/false);
        if (cursor_ != end_) fail("trailing bytes after the last record");
    }

private:
    [[noreturn]] void fail(const std::string &reason) { throw RecordError{reason}; }

    void need(size_t count) {
        if (static_cast<size_t>(end_ - cursor_) < count) fail("record stream ends inside a record");
    }

    template <class Integer>
    Integer read() {
        need(sizeof(Integer));
        Integer value = 0;
        for (size_t i = 0; i < sizeof(Integer); ++i) value |= static_cast<Integer>(cursor_[i]) << (8 * i);
        cursor_ += sizeof(Integer);
        return value;
    }

    DcmTag readTagAndVR() {
        const uint16_t group = read<uint16_t>();
        const uint16_t element = read<uint16_t>();
        need(2);
        const DcmEVR evr = standardVR(cursor_[0], cursor_[1]);
        cursor_ += 2;
        if (evr == EVR_UNKNOWN) fail("record with an unknown VR");
        return DcmTag(group, element, DcmVR(evr));
    }

    /// The standard VR named by two characters, or EVR_UNKNOWN. A table: DcmVR(const char *)
    /// compares the name against every VR, and this runs for every element written.
    static DcmEVR standardVR(uint8_t first, uint8_t second) {
        static const std::vector<DcmEVR> table = [] {
            std::vector<DcmEVR> byName(1 << 16, EVR_UNKNOWN);
            for (int value = 0; value <= static_cast<int>(EVR_UNKNOWN2B); ++value) {
                const DcmEVR evr = static_cast<DcmEVR>(value);
                const DcmVR vr(evr);
                const char *name = vr.getVRName();
                if (evr == EVR_UNKNOWN || evr == EVR_UNKNOWN2B || !vr.isStandard() || name == nullptr ||
                    std::strlen(name) != 2)
                    continue;
                DcmEVR &slot = byName[static_cast<uint8_t>(name[0]) << 8 | static_cast<uint8_t>(name[1])];
                if (slot == EVR_UNKNOWN) slot = evr;
            }
            return byName;
        }();
        return table[first << 8 | second];
    }

    void insert(DcmItem &item, DcmElement *element) {
        // Records arrive in ascending tag order, so the ordered insert appends at the end.
        const OFCondition condition = item.insert(element, /*replaceOld=*/false, /*checkInsertOrder=*/false);
        if (condition.bad()) {
            delete element;
            fail("duplicate or misplaced element in record stream");
        }
    }

    void readItemContent(DcmItem &item, bool nested) {
        while (cursor_ < end_) {
            const char kind = static_cast<char>(*cursor_++);
            switch (kind) {
            case 'E': readElement(item); break;
            case 'B': readBulk(item); break;
            case 'S': readSequence(item); break;
            case 'i':
                if (!nested) fail("item end outside an item");
                return;
            default: fail("unknown record kind");
            }
        }
        if (nested) fail("item not terminated");
    }

    void readSequence(DcmItem &parent) {
        const uint16_t group = read<uint16_t>();
        const uint16_t element = read<uint16_t>();
        auto *sequence = new DcmSequenceOfItems(DcmTag(group, element, EVR_SQ));
        try {
            for (;;) {
                need(1);
                const char kind = static_cast<char>(*cursor_++);
                if (kind == 's') break;
                if (kind != 'I') fail("expected an item in a sequence");
                auto *item = new DcmItem();
                sequence->append(item);
                readItemContent(*item, /*nested=*/true);
            }
        } catch (...) {
            delete sequence;
            throw;
        }
        insert(parent, sequence);
    }

    void readBulk(DcmItem &item) {
        readTagAndVR();
        read<uint32_t>(); // the length is informational
        const uint32_t id = read<uint32_t>();
        if (id >= source_.bulk.size()) fail("bulk record refers to an unknown element");
        DcmElement *origin = source_.bulk[id];
        // Only an unmodified copy of the source's own top-level Pixel Data may later be streamed
        // from the input file (PixelDataStream): never pixels the records changed or moved.
        if (&item == topLevel_ && origin->getTag() == DCM_PixelData &&
            origin == findTopLevelPixelData(*source_.format.getDataset()))
            copiedPixelData_ = origin;
        // A copy: values not yet loaded stay in the source file and are streamed when written.
        insert(item, static_cast<DcmElement *>(origin->clone()));
    }

    static DcmElement *findTopLevelPixelData(DcmDataset &dataset) {
        DcmElement *element = nullptr;
        return dataset.findAndGetElement(DCM_PixelData, element, /*searchIntoSub=*/false).good() ? element : nullptr;
    }

public:
    /// The source's top-level Pixel Data, when the records copied it unchanged to the top level.
    const DcmElement *copiedPixelData() const { return copiedPixelData_; }

private:

    void readElement(DcmItem &item) {
        DcmTag tag = readTagAndVR();
        const uint32_t length = read<uint32_t>();
        need(length);
        const uint8_t *value = cursor_;
        cursor_ += length;
        DcmElement *element = nullptr;
        if (DcmItem::newDicomElementWithVR(element, tag).bad() || element == nullptr)
            fail("cannot create element " + std::string(tag.toString().c_str()));
        try {
            setValue(*element, value, length);
        } catch (...) {
            delete element;
            throw;
        }
        insert(item, element);
    }

    template <class T>
    const T *typed(const uint8_t *value) {
        return reinterpret_cast<const T *>(value);
    }

    void setValue(DcmElement &element, const uint8_t *value, uint32_t length) {
        OFCondition condition = EC_Normal;
        auto count = [&](size_t width) -> unsigned long {
            if (length % width != 0) fail("value length does not fit the VR of " +
                                          std::string(element.getTag().toString().c_str()));
            return length / width;
        };
        // Values are copied into aligned storage: the record stream gives no alignment guarantee.
        std::vector<uint64_t> aligned((length + 7) / 8);
        if (length > 0) std::memcpy(aligned.data(), value, length);
        const uint8_t *data = reinterpret_cast<const uint8_t *>(aligned.data());
        DcmEVR storage = element.ident();
        if (storage == EVR_PixelData || storage == EVR_OverlayData) storage = element.getTag().getEVR();
        switch (storage) {
        case EVR_AE: case EVR_AS: case EVR_CS: case EVR_DA: case EVR_DS: case EVR_DT: case EVR_IS:
        case EVR_LO: case EVR_LT: case EVR_PN: case EVR_SH: case EVR_ST: case EVR_TM: case EVR_UC:
        case EVR_UI: case EVR_UR: case EVR_UT:
            condition = element.putString(reinterpret_cast<const char *>(data), length);
            break;
        case EVR_US: case EVR_OW:
            condition = element.putUint16Array(typed<Uint16>(data), count(2));
            break;
        case EVR_AT:
            // DcmAttributeTag counts tags (group and element pairs), not 16-bit words.
            condition = element.putUint16Array(typed<Uint16>(data), count(4));
            break;
        case EVR_SS: condition = element.putSint16Array(typed<Sint16>(data), count(2)); break;
        case EVR_UL: case EVR_OL: condition = element.putUint32Array(typed<Uint32>(data), count(4)); break;
        case EVR_SL: condition = element.putSint32Array(typed<Sint32>(data), count(4)); break;
        case EVR_FL: case EVR_OF: condition = element.putFloat32Array(typed<Float32>(data), count(4)); break;
        case EVR_FD: case EVR_OD: condition = element.putFloat64Array(typed<Float64>(data), count(8)); break;
        case EVR_SV: {
            auto *typedElement = dynamic_cast<DcmSigned64bitVeryLong *>(&element);
            if (typedElement == nullptr) fail("unexpected element class for SV");
            condition = typedElement->putSint64Array(typed<Sint64>(data), count(8));
            break;
        }
        case EVR_UV: case EVR_OV: {
            auto *typedElement = dynamic_cast<DcmUnsigned64bitVeryLong *>(&element);
            if (typedElement == nullptr) fail("unexpected element class for UV/OV");
            condition = typedElement->putUint64Array(typed<Uint64>(data), count(8));
            break;
        }
        default:
            condition = element.putUint8Array(data, length);
            break;
        }
        if (condition.bad())
            fail("cannot set value of " + std::string(element.getTag().toString().c_str()) + ": " +
                 condition.text());
    }

    const uint8_t *cursor_;
    const uint8_t *end_;
    cdcm_file &source_;
    const DcmItem *topLevel_ = nullptr;
    const DcmElement *copiedPixelData_ = nullptr;
};

} // namespace

extern "C" {

cdcm_status cdcm_file_write(cdcm_file *source, const uint8_t *meta, size_t meta_length, const uint8_t *dataset,
                            size_t dataset_length, const char *transfer_syntax_uid, const char *path,
                            char *message, size_t message_capacity) {
    return cdcm::guarded(message, message_capacity, [&]() -> cdcm_status {
        const E_TransferSyntax xfer = DcmXfer(transfer_syntax_uid).getXfer();
        if (xfer == EXS_Unknown) {
            cdcm::copyMessage("cannot write unknown transfer syntax", message, message_capacity);
            return CDCM_ERROR_TRANSFER_SYNTAX;
        }
        // A fresh DcmFileFormat has a zeroed preamble and an empty meta header: nothing of the
        // source's preamble or meta can reach the output unless it is in the records.
        DcmFileFormat output;
        const DcmElement *copiedPixelData = nullptr;
        try {
            Importer(meta, meta_length, *source).readTopLevel(*output.getMetaInfo());
            Importer datasetImporter(dataset, dataset_length, *source);
            datasetImporter.readTopLevel(*output.getDataset());
            copiedPixelData = datasetImporter.copiedPixelData();
        } catch (const RecordError &error) {
            cdcm::copyMessage(error.reason, message, message_capacity);
            return CDCM_ERROR_RECORDS;
        }
        // The meta header is written as given (EWM_dontUpdateMeta keeps DCMTK from stamping its
        // own Implementation Class UID), so its group length is computed here.
        DcmMetaInfo *metaInfo = output.getMetaInfo();
        metaInfo->findAndDeleteElement(DCM_FileMetaInformationGroupLength);
        if (metaInfo->computeGroupLengthAndPadding(EGL_withGL, EPD_noChange, EXS_LittleEndianExplicit,
                                                   EET_ExplicitLength).bad()) {
            cdcm::copyMessage("cannot compute the meta header group length", message, message_capacity);
            return CDCM_ERROR_RECORDS;
        }
        // Pixel Data, when it is the last element and an unchanged copy of the source's, is streamed
        // from the input file after DCMTK has written everything before it.
        DcmDataset *dataset = output.getDataset();
        DcmObject *last = dataset->card() > 0 ? dataset->getElement(dataset->card() - 1) : nullptr;
        const cdcm_pixel_data_span &span = source->pixelData;
        const bool stream = copiedPixelData != nullptr && last != nullptr && last->getTag() == DCM_PixelData &&
                            xfer == source->format.getDataset()->getOriginalXfer() && span.found &&
                            span.valueLength == copiedPixelData->getLengthField();
        if (!cdcm::isUnchanged(*source)) {
            cdcm::copyMessage("the input file changed while it was being processed", message, message_capacity);
            return CDCM_ERROR_IO;
        }
        if (stream) delete dataset->remove(last);
        cdcm::WriteFailure failure;
        if (!cdcm::writeOutputFile(output, xfer, path, source->path.c_str(), stream ? &span : nullptr, failure)) {
            cdcm::copyMessage(failure.message, message, message_capacity);
            return failure.outOfSpace ? CDCM_ERROR_NO_SPACE : CDCM_ERROR_IO;
        }
        return CDCM_OK;
    });
}

} // extern "C"
