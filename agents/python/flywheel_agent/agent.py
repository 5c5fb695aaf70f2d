"""A small Flywheel agent in Python: plays one seat with a simple strategy.

It shows that any language with ZeroMQ and protobuf can play, from
protocol/flywheel.proto and docs/protocol.md alone. Run it with Debian's
interpreter, which has the python3-zmq and python3-protobuf packages:

    /usr/bin/python3 -m flywheel_agent --connect tcp://HOST:5555 --seat anthropic

See agents/python/README.md.
"""

import argparse
import sys
import time

from . import bindings

PROTOCOL_VERSION = 1


# --- The strategy: one function per role, from the TickStart to the Actions. -------

def play_lab(pb, ts, actions):
    """Rent the cheapest compute on offer, as much as the customers need and the cash
    allows, in whole thousands of H100-months; pay at most the posted price."""
    quotes = [q for q in ts.market.compute_quotes if q.capacity > 0 and q.price > 0]
    if not quotes:
        return
    q = min(quotes, key=lambda q: (q.price, q.provider, q.family))
    want = min(ts.me.demand, q.capacity, ts.me.cash // q.price)
    want -= want % 1000
    if want > 0:
        actions.compute_bids.add(provider=q.provider, family=q.family, quantity=want,
                                 max_price=q.price)


def play_cloud(pb, ts, actions):
    """Rent out everything installed at a steady price; order a few chips when they are
    on sale, keeping most of the cash."""
    for h in ts.me.installed:
        if h.compute > 0:
            actions.compute_offers.add(family=h.family, price=2000, capacity=h.compute)
    for q in ts.market.chip_quotes:
        units = min(q.quantity // 10, ts.me.cash // 20 // max(q.price, 1))
        if units > 0:
            actions.chip_orders.add(family=q.family, quantity=units, max_price=q.price)


def play_vendor(pb, ts, actions):
    """Sell the whole factory output at three times its cost."""
    for c in ts.me.capacity:
        if c.units > 0:
            actions.chip_offers.add(family=c.family, price=3 * c.unit_cost, quantity=c.units)


# --- The conversation with the coordinator. ----------------------------------------

def main():
    ap = argparse.ArgumentParser(
        prog="python3 -m flywheel_agent", description="Play one seat of a Flywheel game.",
        epilog="Exit status: 0 when the game ends, 3 when refused a seat, 5 when the "
               "coordinator is silent for --idle-timeout seconds.")
    ap.add_argument("--connect", required=True, help="coordinator URL, e.g. tcp://host:5555")
    ap.add_argument("--seat", required=True, help="seat to play, e.g. anthropic")
    ap.add_argument("--resume", default="", help="resume token from an earlier Welcome")
    ap.add_argument("--proto", default=None,
                    help="generate the message code from this flywheel.proto (default: the "
                         "code installed with the package, or the source tree's .proto)")
    ap.add_argument("--idle-timeout", type=float, default=60.0,
                    help="give up after this many seconds without a message")
    ap.add_argument("--server-key", default=None,
                    help="the coordinator's public key file (NAME.key): CURVE encryption")
    ap.add_argument("--curve-secret", default=None,
                    help="this agent's key pair (NAME.key_secret; default: a new pair)")
    args = ap.parse_args()
    if args.curve_secret and not args.server_key:
        ap.error("--curve-secret needs --server-key")

    import zmq  # Debian: python3-zmq
    pb, schema_hash = bindings.load(args.proto)
    plays = {pb.ROLE_LAB: play_lab, pb.ROLE_HYPERSCALER: play_cloud, pb.ROLE_VENDOR: play_vendor}
    fatal = {pb.REFUSAL_VERSION, pb.REFUSAL_SCHEMA, pb.REFUSAL_UNKNOWN_SEAT,
             pb.REFUSAL_SEAT_TAKEN}

    sock = zmq.Context.instance().socket(zmq.DEALER)
    sock.setsockopt(zmq.LINGER, 0)
    if args.server_key:
        # The key files are ZeroMQ certificates: pyzmq reads flywheel's, and its own.
        import zmq.auth
        server_public, _ = zmq.auth.load_certificate(args.server_key)
        if args.curve_secret:
            public, secret = zmq.auth.load_certificate(args.curve_secret)
        else:
            public, secret = zmq.curve_keypair()
        sock.curve_serverkey = server_public
        sock.curve_publickey = public
        sock.curve_secretkey = secret
    sock.connect(args.connect)
    poller = zmq.Poller()
    poller.register(sock, zmq.POLLIN)
    state = {"seq": 0, "run_id": "", "role": pb.ROLE_UNSPECIFIED, "answered": 0,
             "token": args.resume, "rehello_at": 0.0}

    def send(tick, **body):
        state["seq"] += 1
        env = pb.Envelope(protocol_version=PROTOCOL_VERSION, run_id=state["run_id"],
                          tick=tick, seq=state["seq"], seat=args.seat, **body)
        sock.send(env.SerializeToString())  # one frame: the packed Envelope

    def hello():
        send(0, hello=pb.Hello(seat=args.seat, schema_hash=schema_hash,
                               agent="flywheel_agent (python)", resume_token=state["token"]))

    hello()
    while True:
        if not poller.poll(int(args.idle_timeout * 1000)):
            print(f"{args.seat}: no message from the coordinator for {args.idle_timeout} s",
                  file=sys.stderr)
            return 5  # lost the coordinator, as flywheel-agent
        # A TickStart comes in three frames (its market view apart): joined, they are
        # the Envelope's bytes.
        env = pb.Envelope.FromString(b"".join(sock.recv_multipart()))
        kind = env.WhichOneof("body")
        if kind == "welcome":
            state["run_id"], state["role"] = env.run_id, env.welcome.role
            state["token"] = env.welcome.resume_token or state["token"]
            print(f"{args.seat}: welcome to run {env.run_id} "
                  f"(resume token {env.welcome.resume_token or 'none'})", file=sys.stderr)
        elif kind == "refusal":
            print(f"{args.seat}: refused: {env.refusal.reason}", file=sys.stderr)
            if env.refusal.code in fatal:
                return 3
            # The coordinator does not know this connection: it dropped (this process
            # was stopped, or the network was cut) and ZeroMQ made a new one. Ask for
            # the seat again with its resume token, at most every two seconds.
            if (env.refusal.code == pb.REFUSAL_UNEXPECTED and state["token"]
                    and time.monotonic() - state["rehello_at"] > 2.0):
                state["rehello_at"] = time.monotonic()
                print(f"{args.seat}: asking for the seat again with its resume token",
                      file=sys.stderr)
                hello()
        elif kind == "tick_start":
            ts = env.tick_start
            if ts.tick <= state["answered"]:
                continue  # answer each tick once
            actions = pb.Actions()
            play = plays.get(state["role"])
            if play:
                play(pb, ts, actions)
            send(ts.tick, actions=actions)  # an empty Actions is "do nothing"
            state["answered"] = ts.tick
        elif kind == "tick_result":
            for r in env.tick_result.rejected:
                print(f"{args.seat}: tick {env.tick_result.tick}: {r.action}: {r.reason}",
                      file=sys.stderr)
        elif kind == "bye":
            print(f"{args.seat}: bye: {env.bye.reason}", file=sys.stderr)
            return 0

