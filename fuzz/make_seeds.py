#!/usr/bin/python3
"""Writes the seed corpora of fuzz_envelope and fuzz_delimited (fuzz/corpus/).

Run once, by hand, when the protocol changes; its outputs are committed:
    fuzz/make_seeds.py
Uses Debian's python3-protobuf and protoc (scripts/deps installs both), so it runs
with /usr/bin/python3. The seeds are what an agent sends (Hello, Actions with each
list, Bye) and a few frames that are almost right, so the fuzzer starts from the
shapes the coordinator really takes; the delimited seeds are small events.log files.
"""
import math
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
PROTO_DIR = os.path.join(HERE, "..", "protocol")


def load_pb2(tmp):
    subprocess.run(["protoc", "--python_out=" + tmp, "-I" + PROTO_DIR, "flywheel.proto"],
                   check=True)
    sys.path.insert(0, tmp)
    import flywheel_pb2  # noqa: E402 (generated just above)
    return flywheel_pb2


def envelope(pb, seq=1, seat="openai", tick=0, version=1):
    return pb.Envelope(protocol_version=version, run_id="run-1", tick=tick, seq=seq, seat=seat)


def agent_envelopes(pb):
    """name -> Envelope: what agents send, each body kind and each Actions list."""
    out = {}
    e = envelope(pb, seat="")
    e.hello.seat = "openai"
    e.hello.schema_hash = "0" * 64
    e.hello.agent = "flywheel-agent 0.1.0"
    out["hello_seat"] = e
    e = envelope(pb, seat="")
    e.hello.role = pb.ROLE_LAB
    e.hello.agent = "player \x1b[2J name\n"
    out["hello_role"] = e
    e = envelope(pb, seat="")
    e.hello.seat = "openai"
    e.hello.resume_token = "a" * 32
    out["hello_resume"] = e

    e = envelope(pb, seq=2, seat="nvidia", tick=1)
    e.actions.chip_offers.add(family="h100", price=25000, quantity=1000)
    e.actions.chip_offers.add(family="b200", price=40000, quantity=10)
    out["actions_chip_offers"] = e
    e = envelope(pb, seq=2, seat="azure", tick=1)
    e.actions.chip_orders.add(family="h100", quantity=500, max_price=30000)
    e.actions.compute_offers.add(family="h100", price=2, capacity=100000)
    out["actions_cloud"] = e
    e = envelope(pb, seq=2, seat="openai", tick=1)
    e.actions.compute_bids.add(provider="azure", family="h100", quantity=5000, max_price=3)
    e.actions.answers.add(proposal_id=7, accept=True)
    e.actions.answers.add(proposal_id=8, counter=True, credit_fraction=0.5,
                          min_cloud_share=0.8, min_chip_share=0.0)
    out["actions_lab"] = e
    e = envelope(pb, seq=3, seat="azure", tick=2)
    p = e.actions.proposals.add(lab="openai")
    t = p.terms
    t.amount, t.credit_fraction, t.valuation = 10_000_000_000, 0.5, 150_000_000_000
    t.min_cloud_share, t.chip_family, t.min_chip_share = 0.9, "h100", 0.5
    t.exclusive, t.duration, t.penalty, t.min_spend = True, 24, 1_000_000_000, 1000
    t.credit_fraction_slack, t.cloud_share_slack, t.chip_share_slack = 0.1, 0.05, 0.05
    out["actions_proposal"] = e
    e = envelope(pb, seq=4, seat="openai", tick=3)
    e.actions.SetInParent()
    out["actions_empty"] = e

    e = envelope(pb, seq=9, seat="openai", tick=12)
    e.bye.reason = "done for today"
    out["bye"] = e

    # Refused by fw_validate, each for a different reason.
    e = envelope(pb, seq=2, seat="nvidia", tick=1)
    e.actions.chip_offers.add(family="h100", price=-1, quantity=10)
    out["bad_negative"] = e
    e = envelope(pb, seq=2, seat="nvidia", tick=1)
    e.actions.chip_offers.add(family="h100", price=2**62, quantity=4)
    out["bad_overflow"] = e
    e = envelope(pb, seq=2, seat="openai", tick=1)
    e.actions.answers.add(proposal_id=1, counter=True, credit_fraction=math.nan)
    out["bad_nan"] = e
    e = envelope(pb, seat="")
    e.hello.role = 42
    out["bad_role"] = e
    e = envelope(pb, seq=2, seat="openai", version=2)
    e.bye.reason = "from the future"
    out["bad_version"] = e
    return out


def coordinator_envelopes(pb):
    """What an events.log holds besides agents' messages."""
    out = {}
    e = envelope(pb, seat="")
    h = e.run_header
    h.scenario_path, h.scenario_text, h.seed, h.ticks = "s.yaml", "run: {}\n", 7, 12
    h.flywheel_version, h.schema_hash, h.started_utc = "0.1.0", "0" * 64, "2026-12-01T00:00:00Z"
    h.seats.extend(["openai", "azure", "nvidia"])
    out["run_header"] = e
    e = envelope(pb, seq=5, seat="openai", tick=1)
    e.tick_start.tick, e.tick_start.month = 1, "2024-01"
    out["tick_start"] = e
    return out


def delimited(msgs):
    def varint(n):
        b = bytearray()
        while True:
            byte = n & 0x7F
            n >>= 7
            b.append(byte | (0x80 if n else 0))
            if not n:
                return bytes(b)
    return b"".join(varint(len(m)) + m for m in msgs)


def write(dirname, name, data):
    os.makedirs(dirname, exist_ok=True)
    with open(os.path.join(dirname, name), "wb") as f:
        f.write(data)


def main():
    with tempfile.TemporaryDirectory() as tmp:
        pb = load_pb2(tmp)
        agents = {k: v.SerializeToString() for k, v in agent_envelopes(pb).items()}
        coord = {k: v.SerializeToString() for k, v in coordinator_envelopes(pb).items()}

    env_dir = os.path.join(HERE, "corpus", "envelope")
    for name, data in agents.items():
        write(env_dir, name + ".pb", data)
    # Frames that are not Envelopes, or not quite.
    hello = agents["hello_seat"]
    write(env_dir, "bad_truncated.pb", hello[: len(hello) // 2])
    write(env_dir, "bad_no_body.pb", envelope_header_only())
    write(env_dir, "bad_huge_length.pb", bytes([0x2A, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F]) + b"openai")
    write(env_dir, "bad_varint.pb", bytes([0x20]) + b"\xff" * 11)
    write(env_dir, "empty.pb", b"")

    log_dir = os.path.join(HERE, "corpus", "delimited")
    write(log_dir, "log_whole.bin", delimited([coord["run_header"], coord["tick_start"],
                                               agents["actions_lab"], agents["bye"]]))
    write(log_dir, "log_header_only.bin", delimited([coord["run_header"]]))
    whole = delimited([coord["run_header"], agents["actions_cloud"]])
    write(log_dir, "log_cut.bin", whole[:-5])
    write(log_dir, "log_bad_record.bin", delimited([coord["run_header"], b"\xff\xff\xff"]))
    write(log_dir, "log_huge_length.bin", b"\xff\xff\xff\xff\x0f")
    write(log_dir, "empty.bin", b"")


def envelope_header_only():
    """protocol_version 1, seq 1, and no body: unpacks, but is not a message."""
    return bytes([0x08, 0x01, 0x20, 0x01])


if __name__ == "__main__":
    main()
