"""Reads a run's events.log: one flywheel.v1.Envelope per record, each preceded by its
length as a base-128 varint (protobuf's delimited framing; docs/outputs.md).

    from flywheel_agent import events
    for env in events.read("runs/x/events.log"):
        print(env.tick, env.WhichOneof("body"))

Only protobuf's public API is used: the varint is read here, in a few lines, and each
record is parsed with Envelope.FromString. `python3 -m flywheel_agent.events FILE`
prints one line per record.
"""

import sys

from . import bindings

# The coordinator never writes a record over 4 MiB (FW_PROTO_MAX_FRAME); anything
# bigger is a damaged file, not a reason to allocate.
MAX_RECORD = 4 * 1024 * 1024


class EventsError(ValueError):
    """The file is not a well-formed events.log (or its last record is cut short)."""


def _varint(f, offset):
    """The varint at the file's position, or None at a clean end of file."""
    value = shift = 0
    while True:
        b = f.read(1)
        if not b:
            if shift == 0:
                return None
            raise EventsError(f"byte {offset}: the file ends inside a record's length")
        value |= (b[0] & 0x7F) << shift
        if not b[0] & 0x80:
            return value
        shift += 7
        if shift >= 35:
            raise EventsError(f"byte {offset}: a record length longer than 5 bytes")


def records(f):
    """Yields (offset, bytes) of each record of the binary file object f."""
    offset = f.tell()
    while True:
        size = _varint(f, offset)
        if size is None:
            return
        if size > MAX_RECORD:
            raise EventsError(f"byte {offset}: a record of {size} bytes (at most {MAX_RECORD})")
        data = f.read(size)
        if len(data) != size:
            raise EventsError(f"byte {offset}: the file ends inside a record "
                              f"({len(data)} of {size} bytes; is the run still writing?)")
        yield offset, data
        offset = f.tell()


def read(path, pb=None):
    """Yields each Envelope of the events.log at path, in order. pb is the flywheel_pb2
    module (default: bindings.load()). Raises EventsError on a damaged file and
    google.protobuf.message.DecodeError on a record that is not an Envelope."""
    if pb is None:
        pb, _ = bindings.load()
    with open(path, "rb") as f:
        for _, data in records(f):
            yield pb.Envelope.FromString(data)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1 or argv[0] in ("-h", "--help"):
        print("usage: python3 -m flywheel_agent.events RUN_DIR/events.log\n"
              "Prints one line per record: tick, seat and kind.",
              file=sys.stdout if argv[:1] in (["-h"], ["--help"]) else sys.stderr)
        return 0 if argv[:1] in (["-h"], ["--help"]) else 2
    from google.protobuf.message import DecodeError
    try:
        for env in read(argv[0]):
            print(env.tick, env.seat or "-", env.WhichOneof("body"))
    except (OSError, EventsError, DecodeError) as e:
        print(f"{argv[0]}: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
