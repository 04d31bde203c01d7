"""A zip archive written straight into a seekable file, each part deflated as it is written:
the container of every XLSX the app makes (``core.exports``).

zipfile would deflate a sheet's XML with zlib, which was the slowest step of a large download.
ISA-L's deflate (the ``isal`` package) writes the same DEFLATE format several times faster and
a little smaller: on the sheet of 80,000 risks (about 90 MB of XML), 33 ms against zlib's 194 ms
at its fastest level, checksums included (bench/results.md, the fourth round).
The archive is laid out as zipfile lays one out in a seekable file: each part's local header,
its deflated bytes, then its checksum and sizes filled into the header once the part is
written, and the central directory at the end. Every part is dated 1 January 1980, as
zipfile's ``ZipInfo`` dates a part it is not given a date for, so the same workbook is the
same bytes. No part may reach 4 GiB (there is no ZIP64 here), where zipfile refuses a streamed
part of 2 GiB unless told to write ZIP64."""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import IO

from isal import isal_zlib

LEVEL = 1  # ISA-L's levels run 0 to 3; 1 is its fastest with Huffman tables fitted to the data
_DEFLATED = 8  # the compression method's number in a zip archive
_VERSION = 20  # 2.0: the version of the zip format a deflated part needs
_DOS_DATE = 1 << 5 | 1  # 1 January 1980, the earliest date a zip archive holds
_LARGEST = 0xFFFFFFFF  # a size without ZIP64
_LOCAL = struct.Struct("<IHHHHHIIIHH")
_SIZES = struct.Struct("<III")  # the checksum and sizes in a local header, 14 bytes in
_SIZES_AT = 14
_CENTRAL = struct.Struct("<IHHHHHHIIIHHHHHII")
_END = struct.Struct("<IHHHHIIH")


class Archive:
    """A zip archive written into ``target`` (seekable; its central directory is written when
    the ``with`` block ends without an error)."""

    def __init__(self, target: IO[bytes]) -> None:
        self._target = target
        self._parts: list[tuple[bytes, int, int, int, int]] = []  # name, crc, sizes, offset

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, kind: object, error: object, traceback: object) -> None:
        if kind is None:
            self._close()

    @contextmanager
    def part(self, name: str) -> Iterator[Callable[[bytes], None]]:
        """A part of the archive, written a piece at a time by the function given."""
        target, encoded = self._target, name.encode("ascii")
        offset = target.tell()
        unknown = (0, 0, 0)  # the checksum and sizes: filled in once the part is written
        local = _LOCAL.pack(
            0x04034B50, _VERSION, 0, _DEFLATED, 0, _DOS_DATE, *unknown, len(encoded), 0
        )
        target.write(local + encoded)
        compressor = isal_zlib.compressobj(LEVEL, isal_zlib.DEFLATED, -15)  # raw DEFLATE
        crc = size = written = 0

        def write(data: bytes) -> None:
            nonlocal crc, size, written
            crc = isal_zlib.crc32(data, crc)
            size += len(data)
            deflated = compressor.compress(data)
            written += len(deflated)
            target.write(deflated)

        yield write
        rest = compressor.flush()
        written += len(rest)
        target.write(rest)
        if max(size, written) > _LARGEST:
            raise ValueError(f"{name} is larger than a zip archive without ZIP64 holds")
        end = target.tell()
        target.seek(offset + _SIZES_AT)
        target.write(_SIZES.pack(crc, written, size))
        target.seek(end)
        self._parts.append((encoded, crc, written, size, offset))

    def write(self, name: str, data: bytes | str) -> None:
        """A whole part at once."""
        with self.part(name) as write:
            write(data.encode() if isinstance(data, str) else data)

    def _close(self) -> None:
        target = self._target
        start = target.tell()
        if start > _LARGEST:
            raise ValueError("The archive is larger than a zip archive without ZIP64 holds.")
        for encoded, crc, written, size, offset in self._parts:
            central = _CENTRAL.pack(
                0x02014B50, _VERSION, _VERSION, 0, _DEFLATED, 0, _DOS_DATE, crc, written, size,
                len(encoded), 0, 0, 0, 0, 0, offset,
            )  # fmt: skip
            target.write(central + encoded)
        directory = target.tell() - start
        count = len(self._parts)
        target.write(_END.pack(0x06054B50, 0, 0, count, count, directory, start, 0))
