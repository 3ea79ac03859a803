"""Volume labels, serial numbers and FAT cluster sizes, which pytsk3 does not expose.

Each comes from where ``fsstat`` reads it: NTFS from the ``$Volume`` file's
``$VOLUME_NAME`` attribute (read through TSK), FAT and exFAT from the label entry TSK
lists in the root directory (else the FAT boot sector's label field), ext from the
superblock's ``s_volume_name``; a FAT/exFAT cluster size from the boot sector's BPB
(TSK counts FAT blocks in sectors). Only these fixed, documented fields are read by hand.
"""

from __future__ import annotations

import pytsk3

from runner.evidence.disk.image import TSK_ERRORS, DiskImage, Volume

_VOLUME_NAME = 0x60  # NTFS attribute type $VOLUME_NAME
_LABEL_SUFFIX = " (Volume Label Entry)"  # how TSK names a FAT/exFAT label entry


def label_and_serial(image: DiskImage, vol: Volume, root_names: list[str]) -> tuple[str, str]:
    """The volume's label ('' if none) and serial number (hex, '' if unknown)."""
    try:
        if vol.fs_type == "ntfs":
            return _ntfs_label(vol), _read(image, vol.offset + 0x48, 8)[::-1].hex().upper()
        if vol.fs_type.startswith("fat") or vol.fs_type == "exfat":
            return _fat_label(image, vol, root_names), _fat_serial(image, vol)
        if vol.fs_type.startswith("ext"):
            raw = _read(image, vol.offset + 1024 + 120, 16)
            uuid = _read(image, vol.offset + 1024 + 104, 16).hex()
            return raw.split(b"\0", 1)[0].decode("utf-8", "replace"), uuid
    except TSK_ERRORS:
        pass  # damaged boot sector or superblock: the label is simply unknown
    return "", ""


def _read(image: DiskImage, offset: int, size: int) -> bytes:
    data: bytes = image.img.read(offset, size)
    return data


def _ntfs_label(vol: Volume) -> str:
    volume = vol.fs.open_meta(inode=3)
    for attr in volume:
        if int(attr.info.type) == _VOLUME_NAME:
            size = int(attr.info.size)
            raw = volume.read_random(
                0, size, pytsk3.TSK_FS_ATTR_TYPE_NTFS_VNAME, int(attr.info.id)
            ) if size else b""
            return bytes(raw).decode("utf-16-le", "replace")
    return ""


def _fat_label(image: DiskImage, vol: Volume, root_names: list[str]) -> str:
    for name in root_names:
        if name.endswith(_LABEL_SUFFIX):
            label = name[: -len(_LABEL_SUFFIX)].rstrip()
            return "" if label == "$EMPTY_VOLUME_LABEL" else label  # TSK's "no label"
    if vol.fs_type == "exfat":
        return ""
    at = 71 if vol.fs_type == "fat32" else 43
    label = _read(image, vol.offset + at, 11).decode("ascii", "replace").rstrip()
    return "" if label == "NO NAME" else label  # mkfs and Windows write NO NAME for none


def _fat_serial(image: DiskImage, vol: Volume) -> str:
    at = {"fat32": 67, "exfat": 100}.get(vol.fs_type, 39)
    return _read(image, vol.offset + at, 4)[::-1].hex()




def cluster_size(image: DiskImage, vol: Volume) -> int:
    """Bytes per cluster (FAT/exFAT from the boot sector; others: TSK's block size)."""
    block = int(vol.fs.info.block_size)
    try:
        if vol.fs_type.startswith("fat"):
            bpb = _read(image, vol.offset + 11, 3)
            return int.from_bytes(bpb[:2], "little") * bpb[2]
        if vol.fs_type == "exfat":
            shifts = _read(image, vol.offset + 108, 2)
            return int(1 << (shifts[0] + shifts[1]))
    except (OSError, RuntimeError, IndexError):
        pass  # damaged boot sector: fall back to TSK's unit
    return block


__all__ = ["cluster_size", "label_and_serial"]
