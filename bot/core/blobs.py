"""Named numpy arrays in one bytes blob, read back as zero-copy views.

The index snapshot is ~200 MB at 100k passages: copying it out of the blob (as np.load does)
doubled the memory touched at start-up, and fresh memory is what start-up time is made of.
"""

from __future__ import annotations

import json

import numpy as np

MAGIC = b"ARRAYS1\n"
ALIGN = 8


def _padded(data: bytes, fill: bytes = b"\0") -> bytes:
    return data + fill * (-len(data) % ALIGN)


def pack_arrays(arrays: dict[str, np.ndarray]) -> bytes:
    """Header (names, dtypes, lengths) then each 1-D array's bytes, 8-byte aligned."""
    layout = [[name, a.dtype.str, len(a)] for name, a in arrays.items()]
    header = _padded(json.dumps(layout).encode(), b" ")  # JSON allows trailing spaces
    parts = [MAGIC, len(header).to_bytes(8, "little"), header]
    parts += [_padded(np.ascontiguousarray(a).tobytes()) for a in arrays.values()]
    return b"".join(parts)


def unpack_arrays(blob: bytes) -> dict[str, np.ndarray]:
    """Read-only views into `blob` (which they keep alive); ValueError if it is not a pack."""
    if not blob.startswith(MAGIC):
        raise ValueError("not an array pack")
    start = len(MAGIC) + 8
    header_size = int.from_bytes(blob[len(MAGIC) : start], "little")
    layout = json.loads(blob[start : start + header_size])
    offset, arrays = start + header_size, {}
    for name, dtype, length in layout:
        arrays[name] = np.frombuffer(blob, dtype=np.dtype(dtype), count=length, offset=offset)
        offset += -(-arrays[name].nbytes // ALIGN) * ALIGN
    return arrays
