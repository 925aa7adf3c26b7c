"""Minimal NIfTI-1 reader shared by the generator scripts (no nibabel needed at generation time)."""
import struct

import numpy as np

# NIfTI-1 datatype codes the templates we read use.
_DTYPES = {2: np.uint8, 4: np.int16, 16: np.float32, 64: np.float64}


def load_nifti(raw):
    """(voxels as float32 indexed [x, y, z], srow affine 3x4) from an uncompressed .nii byte string."""
    header = raw[:348]
    dim = struct.unpack('<8h', header[40:56])
    datatype = struct.unpack('<h', header[70:72])[0]
    offset = int(struct.unpack('<f', header[108:112])[0])
    srow = np.array(struct.unpack('<12f', header[280:328])).reshape(3, 4)
    dtype = _DTYPES[datatype]
    n = dim[1] * dim[2] * dim[3]
    data = np.frombuffer(raw[offset:offset + n * np.dtype(dtype).itemsize], dtype=dtype)
    return data.reshape(dim[3], dim[2], dim[1]).transpose(2, 1, 0).astype(np.float32), srow
