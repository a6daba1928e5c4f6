#!/usr/bin/python3
"""h5edit.py: makes the damaged, doctored and foreign result files of the bad-input catalogue.

Run with Debian's python3 and its h5py and numpy (tests/bad_inputs/lib.sh calls it as h5edit);
every command edits FILE in place (copy the pristine file first). Each one prints nothing and
exits 0 on success, or prints why and exits 1, so a case whose input cannot be made fails at its
setup rather than passing by accident.

  attr FILE NAME VALUE         set root attribute NAME, keeping its HDF5 type (VALUE parsed as a
                               number for a numeric attribute); if the file has the root attribute
                               attributes_sha256, it is recomputed (see rehash_attributes), so that
                               what disagrees is the attribute and /scenario, not the checksum
  attr FILE NAME VALUE --no-rehash   the same, attributes_sha256 left as it was
  attr-str FILE NAME VALUE     replace root attribute NAME by a variable-length string VALUE
  del-attr FILE NAME           delete root attribute NAME
  set FILE DATASET INDEX VALUE write VALUE (nan, inf, -inf or a number) at INDEX, e.g. 0,0 or
                               0,0,100 (() for a scalar dataset)
  del FILE DATASET             unlink DATASET
  retype FILE DATASET          replace a float dataset by an int32 one of the same shape
  scenario-sub FILE OLD NEW    replace OLD by NEW in /scenario; with --rehash also fix its sha256
                               attribute (then the text and its hash agree, the attributes do not)
  flip FILE WHERE DELTA [MASK] XOR the byte at WHERE + DELTA with MASK (default 0xff), WHERE one
                               of: an integer offset; sig:TEXT[#N] (the N-th occurrence, from 0,
                               of the bytes TEXT; TEXT may list alternatives A|B, the first one
                               present is used: the HDF5 structures differ between the file
                               format versions a writer may choose); ohdr:PATH (the object
                               header of PATH); data:DATASET (the first byte of its raw data or
                               first chunk)
  plain FILE                   create FILE: an HDF5 file with one dataset and no fleetmc marks
"""
import hashlib
import re
import sys

import h5py
import numpy as np


def fail(message):
    print("h5edit: " + message, file=sys.stderr)
    sys.exit(1)


def parse_number(text):
    low = text.lower()
    if low in ("nan", "inf", "+inf", "-inf"):
        return float(low)
    try:
        return int(text, 0)
    except ValueError:
        return float(text)


# The root attributes that attributes_sha256 covers, in fleetmc's order (engine/schema.h,
# FLEET_ROOT_ATTRS): its value is the SHA-256 of one "name=value\n" line each, integers in
# decimal, doubles as %.17g, strings as they are.
HASHED_ATTRIBUTES = ["fleetmc_version", "git_commit", "created", "command_line", "scenario_file", "model_sha256",
                     "seed", "first_replica", "replicas", "years", "vehicles", "first_year", "discount_rate",
                     "lease_years", "stopped_by"]
OPTIONAL_ATTRIBUTES = ["stopped_by"]  # hashed only when present and not empty (FLEET_ROOT_ATTR_OPTIONAL)


def rehash_attributes(f):
    if "attributes_sha256" not in f.attrs:
        return
    lines = []
    for name in HASHED_ATTRIBUTES:
        if name in OPTIONAL_ATTRIBUTES and not f.attrs.get(name, b""):
            continue
        value = f.attrs[name]
        if isinstance(value, bytes):
            value = value.decode("utf-8")
        elif isinstance(value, (float, np.floating)):
            value = "%.17g" % value
        elif isinstance(value, (int, np.integer)):
            value = "%d" % value
        lines.append(f"{name}={value}\n")
    f.attrs.modify("attributes_sha256", hashlib.sha256("".join(lines).encode("utf-8")).hexdigest())


def cmd_attr(path, name, value, *flags):
    with h5py.File(path, "r+") as f:
        if name not in f.attrs:
            fail(f"{path}: no root attribute {name}")
        old = f.attrs[name]
        dtype = f.attrs.get_id(name).dtype
        if dtype.kind in "iuf":
            f.attrs.modify(name, np.array(parse_number(value)).astype(dtype))
        else:
            f.attrs.modify(name, value)
        new = f.attrs[name]
        if new == old or (isinstance(new, float) and np.isnan(new) and np.isnan(old)):
            fail(f"{path}: attribute {name} unchanged ({old!r})")
        if "--no-rehash" not in flags:
            rehash_attributes(f)


def cmd_attr_str(path, name, value):
    with h5py.File(path, "r+") as f:
        if name in f.attrs:
            del f.attrs[name]
        f.attrs.create(name, value, dtype=h5py.string_dtype("utf-8"))


def cmd_del_attr(path, name):
    with h5py.File(path, "r+") as f:
        del f.attrs[name]


def cmd_set(path, dataset, index, value):
    with h5py.File(path, "r+") as f:
        ds = f[dataset]
        key = () if index in ("()", "") else tuple(int(i) for i in index.split(","))
        ds[key] = parse_number(value)


def cmd_del(path, dataset):
    with h5py.File(path, "r+") as f:
        del f[dataset]


def cmd_retype(path, dataset):
    with h5py.File(path, "r+") as f:
        shape = f[dataset].shape
        del f[dataset]
        f.create_dataset(dataset, shape=shape, dtype="int32")


def cmd_scenario_sub(path, old, new, *flags):
    with h5py.File(path, "r+") as f:
        ds = f["scenario"]
        text = ds[()].decode("utf-8")
        if old not in text:
            fail(f"{path}: /scenario has no {old!r}")
        text = text.replace(old, new, 1)
        ds[()] = text
        if "--rehash" in flags:
            ds.attrs.modify("sha256", hashlib.sha256(text.encode("utf-8")).hexdigest())


def locate(path, where):
    if re.fullmatch(r"-?\d+", where):
        return int(where)
    kind, _, arg = where.partition(":")
    if kind == "sig":
        texts, _, nth = arg.partition("#")
        data = open(path, "rb").read()
        n = int(nth or 0)
        for text in texts.split("|"):
            starts = [m.start() for m in re.finditer(re.escape(text.encode()), data)]
            if starts:
                if n >= len(starts):
                    fail(f"{path}: fewer than {n + 1} occurrences of {text!r}")
                return starts[n]
        fail(f"{path}: none of {texts!r} occurs")
    with h5py.File(path, "r") as f:
        if kind == "ohdr":
            return h5py.h5o.get_info(f[arg].id).addr
        if kind == "data":
            ds = f[arg]
            if ds.chunks:
                return ds.id.get_chunk_info(0).byte_offset
            offset = ds.id.get_offset()
            if offset is None:
                fail(f"{path}: {arg} has no raw data")
            return offset
    fail(f"unknown location {where!r}")


def cmd_flip(path, where, delta, mask="0xff"):
    offset = locate(path, where) + int(delta, 0)
    with open(path, "r+b") as f:
        f.seek(offset)
        byte = f.read(1)
        if len(byte) != 1:
            fail(f"{path}: offset {offset} is beyond the end")
        f.seek(offset)
        f.write(bytes([byte[0] ^ int(mask, 0)]))


def cmd_plain(path):
    with h5py.File(path, "w") as f:
        f.create_dataset("data", data=np.arange(10.0))
        f.attrs["title"] = "a plain HDF5 file"


COMMANDS = {
    "attr": cmd_attr,
    "attr-str": cmd_attr_str,
    "del-attr": cmd_del_attr,
    "set": cmd_set,
    "del": cmd_del,
    "retype": cmd_retype,
    "scenario-sub": cmd_scenario_sub,
    "flip": cmd_flip,
    "plain": cmd_plain,
}

if __name__ == "__main__":
    if len(sys.argv) < 3 or sys.argv[1] not in COMMANDS:
        fail("usage: h5edit.py COMMAND FILE ARGS... (see the docstring)")
    try:
        COMMANDS[sys.argv[1]](*sys.argv[2:])
    except TypeError as e:
        fail(f"{sys.argv[1]}: wrong arguments: {e}")
    except (OSError, KeyError, ValueError) as e:
        fail(f"{sys.argv[1]} {' '.join(sys.argv[2:])}: {e}")
