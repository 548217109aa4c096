#!/usr/bin/env python3
"""Seeds fuzz/corpus/<target>/ from the shared vectors (tests/vectors/*.json).

Each seed is named by the SHA-1 of its bytes, so running this again adds nothing twice and
leaves the inputs libFuzzer found since in place. The corpus is generated, never committed.
Run: python3 fuzz/seed.py
"""
import hashlib
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
VECTORS = os.path.join(HERE, "..", "tests", "vectors")
# Bodies beyond this are left out (the 1 MiB generator rule): libFuzzer's inputs stay small.
MAX_SEED = 16 * 1024


def load(name):
    with open(os.path.join(VECTORS, name), encoding="utf-8") as f:
        return json.load(f)["cases"]


def spec_bytes(spec):
    if "utf8" in spec:
        return spec["utf8"].encode("utf-8")
    if "hex" in spec:
        return bytes.fromhex(spec["hex"])
    pattern = spec["repeat"].encode("utf-8")
    return (pattern * (spec["length"] // len(pattern) + 1))[: spec["length"]]


def lp(part):
    """[length byte][bytes], as the abi target reads its parts."""
    part = part[:255]
    return bytes([len(part)]) + part


def main():
    signature_cases = load("signature.json")
    parse_cases = load("parse.json")
    construct_cases = load("construct.json")

    bodies = []
    for case in parse_cases + construct_cases + signature_cases:
        body = spec_bytes(case["body"])
        if len(body) <= MAX_SEED and body not in bodies:
            bodies.append(body)
    headers = [c["signature"].encode() for c in signature_cases + construct_cases if c["signature"] is not None]

    seeds = {t: [] for t in ("parse", "content_key", "construct", "signature_header", "abi")}
    for body in bodies:
        seeds["parse"].append(body)
        seeds["content_key"].append(body)
        # Control byte: low nibble the signature mode, high nibble the options.
        for control in (0x00, 0x06, 0x0a, 0x30):
            seeds["construct"].append(bytes([control]) + body)
        seeds["abi"].append(b"\x00\x00\x00\x00\x00" + body)
        seeds["abi"].append(b"\x02\x00\x00\x00\x00" + lp(b"whsec_Kq8sT2vXw9yZ3bC5dF7gH1jL4mN6pR0t") + body)
    seeds["signature_header"] += headers + [b"", b" sha256=" + b"ab" * 32 + b"\r\n", b"\x0b" + b"0" * 64]
    for case in signature_cases:
        body, secret = spec_bytes(case["body"]), spec_bytes(case["secret"])
        if len(body) <= MAX_SEED and case["signature"] is not None:
            seeds["abi"].append(b"\x01\x00\x00\x00\x00" + lp(case["signature"].encode()) + lp(secret) + body)
    seeds["abi"] += [b"\x03\x10\x00\x00\x00{}", b"\x04\x00\x00\x00\x00{}", b"\x04\x01\x00\x00\x00[]"]

    added = 0
    for target, items in seeds.items():
        folder = os.path.join(HERE, "corpus", target)
        os.makedirs(folder, exist_ok=True)
        for item in items:
            path = os.path.join(folder, hashlib.sha1(item).hexdigest())
            if not os.path.exists(path):
                with open(path, "wb") as f:
                    f.write(item)
                added += 1
    print(f"fuzz/seed.py: {added} new seeds from the shared vectors")


if __name__ == "__main__":
    main()
