// safetensors_io.py, written beside train.py: safetensors.torch's load_file and save_file when
// the package is installed, else a reader and writer of the format in a few lines of struct and
// torch.frombuffer (Debian, for one, packages torch but not safetensors). Fixed text: it is a
// helper module, the same for every export.

export const SAFETENSORS_IO_PY = `"""load_file and save_file for safetensors files, with or without the safetensors package.

safetensors.torch is used when it is installed. Otherwise the format is read and written here:
an 8-byte little-endian header length, a JSON header naming each tensor's dtype, shape and byte
range (and string metadata), then the raw little-endian data.
"""

import json
import struct

import torch

__all__ = ["load_file", "save_file"]

DTYPES = {
    "F64": torch.float64,
    "F32": torch.float32,
    "F16": torch.float16,
    "BF16": torch.bfloat16,
    "I64": torch.int64,
    "I32": torch.int32,
    "I16": torch.int16,
    "I8": torch.int8,
    "U8": torch.uint8,
    "BOOL": torch.bool,
}
NAMES = {dtype: name for name, dtype in DTYPES.items()}


def _load_file(path):
    """The tensors of a safetensors file, by name."""
    with open(path, "rb") as f:
        blob = f.read()
    (length,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8 : 8 + length])
    header.pop("__metadata__", None)
    data = memoryview(blob)[8 + length :]
    tensors = {}
    for name, info in header.items():
        begin, end = info["data_offsets"]
        dtype = DTYPES[info["dtype"]]
        if begin == end:
            tensors[name] = torch.empty(info["shape"], dtype=dtype)
            continue
        flat = torch.frombuffer(bytearray(data[begin:end]), dtype=dtype)
        tensors[name] = flat.reshape(info["shape"])
    return tensors


def _save_file(tensors, path, metadata=None):
    """Writes tensors (by name, in name order) and string metadata as a safetensors file."""
    header = {"__metadata__": metadata} if metadata else {}
    blobs = []
    offset = 0
    for name in sorted(tensors):
        tensor = tensors[name].detach().contiguous().cpu()
        raw = tensor.reshape(-1).view(torch.uint8).numpy().tobytes()
        end = offset + len(raw)
        header[name] = {
            "dtype": NAMES[tensor.dtype],
            "shape": list(tensor.shape),
            "data_offsets": [offset, end],
        }
        blobs.append(raw)
        offset = end
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text)
        for raw in blobs:
            f.write(raw)


try:
    from safetensors.torch import load_file, save_file
except ImportError:
    load_file, save_file = _load_file, _save_file
`;
