#!/usr/bin/env python3
"""Writes the shared test vectors (signature.json, parse.json, construct.json).

Expected digests come from Python's hmac module and expected events are written from the
same source data as the bodies, never by running this project's code, so the vectors are
an independent statement of the behaviour every host must reproduce.
Run: python3 tests/vectors/generate.py
"""
import decimal
import hashlib
import hmac
import json
import math
import os

HERE = os.path.dirname(os.path.abspath(__file__))
SECRET = "whsec_Kq8sT2vXw9yZ3bC5dF7gH1jL4mN6pR0t"


def utf8(text):
    return {"utf8": text}


def hexb(data):
    return {"hex": data.hex()}


def digest(key, body):
    return hmac.new(key, body, hashlib.sha256).hexdigest()


# ---------------------------------------------------------------- signatures
def signature_cases():
    cases = []

    def case(name, body, key, signature, expected, body_spec=None, key_spec=None):
        entry = {
            "name": name,
            "body": body_spec or (utf8(body.decode()) if is_text(body) else hexb(body)),
            "secret": key_spec or (utf8(key.decode()) if is_text(key) else hexb(key)),
            "signature": signature,
            "expected": expected,
        }
        if key:
            entry["digest"] = digest(key, body)
        cases.append(entry)

    rfc4231 = [
        ("1", b"\x0b" * 20, b"Hi There", "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
        ("2", b"Jefe", b"what do ya want for nothing?", "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
        ("3", b"\xaa" * 20, b"\xdd" * 50, "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"),
        ("4", bytes(range(1, 26)), b"\xcd" * 50, "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"),
        ("6", b"\xaa" * 131, b"Test Using Larger Than Block-Size Key - Hash Key First", "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"),
        ("7", b"\xaa" * 131, b"This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.", "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"),
    ]
    for number, key, data, expected in rfc4231:
        assert digest(key, data) == expected, number
        case(f"RFC 4231 test case {number}", data, key, expected, "valid", key_spec=hexb(key), body_spec=hexb(data))
    # RFC 4231 case 5 truncates the output to 128 bits: a short signature is never accepted.
    key5, data5 = b"\x0c" * 20, b"Test With Truncation"
    case("RFC 4231 test case 5 (128-bit truncation is refused)", data5, key5, digest(key5, data5)[:32], "invalid_signature_format", key_spec=hexb(key5), body_spec=hexb(data5))

    key = SECRET.encode()
    body = b'{"id":"evt_123","type":"payment.completed","created":1640000000,"data":{"payment":{"id":"pay_123","amount":100000000000,"currency":"CSPR","status":"completed","metadata":{"orderId":"order_456"}}}}'
    good = digest(key, body)
    case("CasPay secret, documented body", body, key, good, "valid")
    case("whsec_ prefix is part of the key", body, key, digest(SECRET[6:].encode(), body), "signature_mismatch")
    case("uppercase hex", body, key, good.upper(), "valid")
    case("sha256= prefix", body, key, "sha256=" + good, "valid")
    case("surrounding whitespace", body, key, " \t" + good + " \r\n", "valid")
    case("one flipped bit in the body", body.replace(b"100000000000", b"100000000001"), key, good, "signature_mismatch")
    case("wrong secret", body, key, digest(b"whsec_wrong0000000000000000000000000", body), "signature_mismatch")
    case("dashboard test button", body, key, "test_signature", "invalid_signature_format")
    case("truncated to 63 characters", body, key, good[:63], "invalid_signature_format")
    case("truncated to 62 characters", body, key, good[:62], "invalid_signature_format")
    case("one character too long", body, key, good + "0", "invalid_signature_format")
    case("non-hex character", body, key, good[:-1] + "g", "invalid_signature_format")
    case("base64 instead of hex", body, key, "sD4SxYW0gBxJjdtM7Xqm3Mia9MwXyI86SN8xSYD0LVs=", "invalid_signature_format")
    case("prefix without digest", body, key, "sha256=", "invalid_signature_format")
    case("empty signature", body, key, "", "missing_signature")
    case("whitespace-only signature", body, key, "   ", "missing_signature")
    case("absent signature", body, key, None, "missing_signature")
    case("empty secret", body, b"", good, "invalid_secret")
    case("empty body", b"", key, digest(key, b""), "valid")
    multibyte = '{"type":"test.webhook","data":{"note":"Zahlung für Bestellung № 42 — 東京 🚀"}}'.encode()
    case("multi-byte UTF-8 body", multibyte, key, digest(key, multibyte), "valid")
    case("multi-byte UTF-8 secret", body, "whsec_clé_秘密".encode(), digest("whsec_clé_秘密".encode(), body), "valid")
    latin1 = multibyte.decode().encode("utf-16-le")
    case("same text in another encoding does not match", latin1, key, digest(key, multibyte), "signature_mismatch")

    pattern = '{"pad":"0123456789abcdef"}'
    length = 1024 * 1024 + 7
    big = (pattern.encode() * (length // len(pattern) + 1))[:length]
    cases.append({
        "name": "1 MiB + 7 body from a generator rule",
        "body": {"repeat": pattern, "length": length},
        "secret": utf8(SECRET),
        "signature": digest(key, big),
        "expected": "valid",
        "digest": digest(key, big),
    })
    return cases


def is_text(data):
    try:
        data.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False


# ---------------------------------------------------------------- parse
SEED = "9d41e2"
TX = hashlib.sha256(b"tx" + SEED.encode()).hexdigest()
ACCOUNT = "01" + hashlib.sha256(b"acct" + SEED.encode()).hexdigest()
CREATED = 1795773600  # 2026-11-27T10:00:00Z
ISO = "2026-11-27T10:00:00.000Z"

KINDS = {
    "payment.completed": ("payment.completed", "payment", "completed"),
    "payment.failed": ("payment.failed", "payment", "failed"),
    "payment.pending": ("payment.pending", "payment", "pending"),
    "payment.received": ("payment.received", "payment", "received"),
    "payment.confirmed": ("payment.confirmed", "payment", "confirmed"),
    "subscription.created": ("subscription.created", "subscription", "active"),
    "subscription.updated": ("subscription.updated", "subscription", "active"),
    "subscription.canceled": ("subscription.canceled", "subscription", "canceled"),
    "subscription.cancelled": ("subscription.canceled", "subscription", "canceled"),
    "subscription.payment_succeeded": ("subscription.payment_succeeded", "subscription", "active"),
    "subscription.payment_failed": ("subscription.payment_failed", "subscription", "past_due"),
    "subscription.renewed": ("subscription.renewed", "subscription", "active"),
    "subscription.expired": ("subscription.expired", "subscription", "expired"),
    "invoice.created": ("invoice.created", "invoice", "open"),
    "invoice.paid": ("invoice.paid", "invoice", "paid"),
    "payout.initiated": ("payout.initiated", "payout", "pending"),
    "payout.completed": ("payout.completed", "payout", "completed"),
    "payout.failed": ("payout.failed", "payout", "failed"),
    "contract.deployed": ("contract.deployed", "contract", "deployed"),
    "contract.error": ("contract.error", "contract", "error"),
    "test.webhook": ("test.webhook", "test", None),
}


class Num:
    """A JSON number written exactly as given (Python would otherwise reformat it)."""

    def __init__(self, text):
        self.text = text


def dumps(value):
    """JSON text with Num written raw; key order as given, compact like CasPay's server."""
    if isinstance(value, Num):
        return value.text
    if isinstance(value, dict):
        return "{" + ",".join(json.dumps(k, ensure_ascii=False) + ":" + dumps(v) for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ",".join(dumps(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


MAX_SAFE_INTEGER = 2**53 - 1


def exact(value, amount_key=False):
    """What a host returns for `data` and `metadata`: numbers under amount keys become their
    exact text, and so does every number no host could hold exactly (integers beyond
    2^53 - 1, values beyond the float range, negative zero); other numbers stay numbers."""
    if isinstance(value, Num):
        text = value.text
        if amount_key or (text.startswith("-") and decimal.Decimal(text) == 0):
            return text
        if not any(c in text for c in ".eE"):
            return int(text) if abs(int(text)) <= MAX_SAFE_INTEGER else text
        return float(text) if math.isfinite(float(text)) else text
    if isinstance(value, dict):
        return {k: exact(v, k == "amount" or k.endswith("_amount") or k.endswith("Amount")) for k, v in value.items()}
    if isinstance(value, list):
        return [exact(v) for v in value]
    return value


# ---------------------------------------------------------------- content keys
def json_string(text):
    """A string with the fewest escapes, as JSON.stringify and PostgreSQL write it."""
    short = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}
    out = []
    for ch in text:
        if ch in short:
            out.append(short[ch])
        elif ord(ch) < 0x20:
            out.append("\\u%04x" % ord(ch))
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def canonical_number(text):
    """One spelling per value: 0, or [-]d[.ddd]e<power of ten>; exponents of more than 15
    digits as written."""
    mantissa, _, exponent = text.lower().partition("e")
    if len(exponent.lstrip("+-").lstrip("0")) > 15:
        digits = mantissa.lstrip("-").replace(".", "").strip("0")
        if not digits:
            return "0"
        return text[: len(mantissa)] + "e" + text[len(mantissa) + 1:]
    value = decimal.Decimal(text)
    if value == 0:
        return "0"
    sign, digits, power = value.as_tuple()
    digits = "".join(map(str, digits)).rstrip("0")
    trimmed = len("".join(map(str, value.as_tuple()[1]))) - len(digits)
    scientific = power + trimmed + len(digits) - 1
    return ("-" if sign else "") + digits[0] + ("." + digits[1:] if len(digits) > 1 else "") + "e" + str(scientific)


def canonical(value):
    if isinstance(value, Num):
        return canonical_number(value.text)
    if isinstance(value, dict):
        items = sorted(value.items(), key=lambda kv: kv[0].encode("utf-8"))
        return "{" + ",".join(json_string(k) + ":" + canonical(v) for k, v in items) + "}"
    if isinstance(value, list):
        return "[" + ",".join(canonical(v) for v in value) + "]"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return "null"
    return json_string(value)


def load_exact(text):
    """JSON text into Python values with every number kept as Num (a repeated key keeps its
    last value), the way the hosts read a body."""
    return json.loads(text, parse_int=Num, parse_float=Num, parse_constant=lambda c: 1 / 0,
                      object_pairs_hook=dict)


def content_key(body_bytes):
    return "sha256:" + hashlib.sha256(canonical(load_exact(body_bytes.decode("utf-8"))).encode("utf-8")).hexdigest()


def event(body_obj, body_bytes, **fields):
    base = {
        "id": None, "type": None, "kind": None, "category": None, "shape": None, "created": None,
        "merchantId": None, "livemode": None, "idempotencyKey": None, "payment": None,
        "subscription": None, "data": exact(body_obj.get("data")),
    }
    base.update(fields)
    if base["idempotencyKey"] is None:
        base["idempotencyKey"] = base["id"] or content_key(body_bytes)
    return base


def motes(value):
    """An amount in integer motes (shapes A and B)."""
    return {"value": value, "unit": "motes", "motes": value}


def cspr(value, in_motes):
    """An amount in CSPR (shape C) and the same amount in motes, written out by hand."""
    return {"value": value, "unit": "cspr", "motes": in_motes}


def payment_expected(pid, amount, status, metadata, tx, payer, product, currency="CSPR"):
    return {"id": pid, "amount": amount, "currency": currency, "status": status, "metadata": metadata,
            "transactionHash": tx, "payer": payer, "productId": product}


def subscription_expected(sid, plan, subscriber, status, amount, payment_id, tx, metadata=None):
    return {"id": sid, "planId": plan, "subscriber": subscriber, "status": status, "amount": amount,
            "currency": "CSPR" if amount is not None else None, "paymentId": payment_id, "transactionHash": tx,
            "metadata": metadata}


def typed_case(event_type, shape, seed=SEED):
    kind, category, status = KINDS.get(event_type, ("unknown", "unknown", None))
    evt_id = f"evt_{seed}_{event_type.replace('.', '_')}_{shape}"
    payment = subscription = None
    if category == "payment":
        if shape == "c":
            details = {"payment_id": f"pay_{seed}", "product_id": f"prod_{seed}", "transaction_hash": TX,
                       "payer": ACCOUNT, "amount": Num("100"), "currency": "CSPR"}
            payment = payment_expected(f"pay_{seed}", cspr("100", "100000000000"), None, None, TX, ACCOUNT, f"prod_{seed}")
        else:
            details = {"id": f"pay_{seed}", "amount": Num("100000000000"), "currency": "CSPR", "status": status,
                       "metadata": {"orderId": "order_456"}, "transactionHash": TX, "payer": ACCOUNT, "productId": f"prod_{seed}"}
            payment = payment_expected(f"pay_{seed}", motes("100000000000"), status, {"orderId": "order_456"}, TX, ACCOUNT, f"prod_{seed}")
    elif category == "subscription":
        if shape == "c":
            details = {"subscription_id": f"sub_{seed}", "plan_id": "plan_monthly", "payment_id": f"pay_{seed}",
                       "transaction_hash": TX, "subscriber": ACCOUNT, "amount": Num("25"), "currency": "CSPR"}
            subscription = subscription_expected(f"sub_{seed}", "plan_monthly", ACCOUNT, None, cspr("25", "25000000000"), f"pay_{seed}", TX)
        else:
            details = {"id": f"sub_{seed}", "plan_id": "plan_monthly", "subscriber": ACCOUNT, "status": status,
                       "amount": Num("25000000000"), "currency": "CSPR", "payment_id": f"pay_{seed}"}
            subscription = subscription_expected(f"sub_{seed}", "plan_monthly", ACCOUNT, status, motes("25000000000"), f"pay_{seed}", None)
    elif category == "test":
        details = {"message": "This is a test webhook from CasPay"}
    else:
        details = {"id": f"{category[:3]}_{seed}", "status": status, "amount": Num("250.50"), "currency": "CSPR"}

    if shape == "c":
        body_obj = {"event": event_type, "data": details, "timestamp": ISO, "merchant_id": f"MERCH_{seed}"}
        fields = dict(created=CREATED, merchantId=f"MERCH_{seed}")
    else:
        container = "object" if shape == "b" else (category if category in ("payment", "subscription") else category)
        data = {container: details}
        body_obj = {"id": evt_id, "type": event_type, "created": CREATED, "livemode": False, "data": data}
        fields = dict(id=evt_id, created=CREATED, livemode=False)
    body = dumps(body_obj).encode()
    expected = event(body_obj, body, type=event_type, kind=kind, category=category, shape=shape,
                     payment=payment, subscription=subscription, **fields)
    return {"name": f"{event_type} in shape {shape.upper()}", "body": utf8(body.decode()), "expected": {"event": expected}}


def documented_case():
    body = '{"id":"evt_123","type":"payment.completed","created":1640000000,"data":{"payment":{"id":"pay_123","amount":100000000000,"currency":"CSPR","status":"completed","metadata":{"orderId":"order_456"}}}}'
    obj = {"data": {"payment": {"id": "pay_123", "amount": Num("100000000000"), "currency": "CSPR", "status": "completed", "metadata": {"orderId": "order_456"}}}}
    return {"name": "the documented example", "body": utf8(body), "expected": {"event": event(
        obj, body.encode(), id="evt_123", type="payment.completed", kind="payment.completed", category="payment",
        shape="a", created=1640000000,
        payment=payment_expected("pay_123", motes("100000000000"), "completed", {"orderId": "order_456"}, None, None, None))}}


def amount_case(name, amount_json, expected_amount, shape="a", currency="CSPR"):
    if shape == "c":
        obj = {"event": "payment.received", "data": {"payment_id": "pay_amt", "amount": amount_json, "currency": currency}, "timestamp": ISO}
        fields = dict(created=CREATED, shape="c")
    else:
        obj = {"id": "evt_amt", "type": "payment.completed", "created": CREATED, "data": {"payment": {"id": "pay_amt", "amount": amount_json, "currency": currency}}}
        fields = dict(id="evt_amt", created=CREATED, shape="a")
    body = dumps(obj).encode()
    etype = obj.get("type") or obj.get("event")
    return {"name": name, "body": utf8(body.decode()), "expected": {"event": event(
        obj, body, type=etype, kind=etype, category="payment",
        payment=payment_expected("pay_amt", expected_amount, None, None, None, None, None, currency), **fields)}}


def amount_error_case(name, amount_json, shape="a"):
    if shape == "c":
        obj = {"event": "payment.received", "data": {"payment_id": "pay_amt", "amount": amount_json, "currency": "CSPR"}, "timestamp": ISO}
        field = "data.amount"
    else:
        obj = {"id": "evt_amt", "type": "payment.completed", "created": CREATED, "data": {"payment": {"id": "pay_amt", "amount": amount_json, "currency": "CSPR"}}}
        field = "data.payment.amount"
    return error_case(name, dumps(obj), "invalid_event", field)


def error_case(name, body, code, field=None, options=None):
    spec = utf8(body) if isinstance(body, str) else hexb(body)
    expected = {"error": {"code": code}}
    if field is not None:
        expected["error"]["field"] = field
    case = {"name": name, "body": spec, "expected": expected}
    if options:
        case["options"] = options
    return case


def nested(depth):
    """A test.webhook body whose objects nest exactly `depth` levels (root included)."""
    inner = "{}"
    for _ in range(depth - 2):
        inner = '{"x":' + inner + "}"
    return '{"type":"test.webhook","data":' + inner + "}"


def parse_cases():
    cases = [documented_case()]
    for event_type in KINDS:
        for shape in "abc":
            cases.append(typed_case(event_type, shape))
    for shape in "abc":
        case = typed_case("refund.created", shape)
        case["name"] = f"unknown type in shape {shape.upper()} parses as a generic event"
        cases.append(case)

    cases += [
        amount_case("amount above 2^64 stays exact", Num("123456789012345678901234567890"), motes("123456789012345678901234567890")),
        amount_case("amount above 2^53 stays exact", Num("9007199254740993"), motes("9007199254740993")),
        amount_case("amount sent as a string", "100000000000", motes("100000000000")),
        amount_case("zero amount", Num("0"), motes("0")),
        amount_case("motes written with an exponent, as JSON.stringify writes 1e21", Num("1e+21"), {"value": "1e+21", "unit": "motes", "motes": "1" + "0" * 21}),
        amount_case("motes with a zero fraction are whole motes", Num("1.50E+3"), {"value": "1.50E+3", "unit": "motes", "motes": "1500"}),
        amount_case("the largest amount a U512 of motes holds in digits", Num("9" * 155), motes("9" * 155)),
        amount_case("shape C: whole CSPR in motes", Num("100"), cspr("100", "100000000000"), shape="c"),
        amount_case("shape C: a fraction of a CSPR", Num("12.5"), cspr("12.5", "12500000000"), shape="c"),
        amount_case("shape C: the trailing zero is kept as sent", Num("12.50"), cspr("12.50", "12500000000"), shape="c"),
        amount_case("shape C: one mote", Num("0.000000001"), cspr("0.000000001", "1"), shape="c"),
        amount_case("shape C: JSON.stringify's spelling of 0.0000001", Num("1e-7"), cspr("1e-7", "100"), shape="c"),
        amount_case("shape C: the payment API's maximum, 1,000,000 CSPR", Num("1000000"), cspr("1000000", "1000000000000000"), shape="c"),
        amount_case("shape C: amount as a string", "0.25", cspr("0.25", "250000000"), shape="c"),
        amount_case("shape C: currency in lower case is still CSPR", Num("2"), cspr("2", "2000000000"), shape="c", currency="cspr"),
        amount_case("another currency keeps its text and an unknown unit", Num("19.99"), {"value": "19.99", "unit": "unknown", "motes": None}, shape="c", currency="USD"),
        amount_case("another currency in shape A is not read as motes", Num("1999"), {"value": "1999", "unit": "unknown", "motes": None}, currency="USD"),
        amount_error_case("fractions of a mote (shape A)", Num("1.5")),
        amount_error_case("fractions of a mote sent as a string (shape A)", "100.25"),
        amount_error_case("more than 9 decimal places of CSPR (shape C)", Num("0.0000000001"), shape="c"),
        amount_error_case("more than 9 decimal places through an exponent (shape C)", Num("1e-10"), shape="c"),
        amount_error_case("negative amount (shape C)", Num("-12.5"), shape="c"),
        amount_error_case("negative zero amount", Num("-0")),
        amount_error_case("more motes than a U512 holds", Num("1" + "0" * 155)),
        amount_error_case("more CSPR than a U512 of motes holds", Num("1e147"), shape="c"),
        amount_error_case("an exponent no arithmetic needs", Num("1e1000000000000000000000")),
    ]
    sub_no_currency = '{"id":"evt_snc","type":"subscription.updated","created":1795773600,"data":{"subscription":{"id":"sub_snc","amount":5}}}'
    cases.append({"name": "subscription amount without a currency has an unknown unit", "body": utf8(sub_no_currency),
                  "expected": {"event": event(load_exact(sub_no_currency), sub_no_currency.encode(), id="evt_snc", type="subscription.updated",
                                              kind="subscription.updated", category="subscription", shape="a", created=CREATED,
                                              subscription={"id": "sub_snc", "planId": None, "subscriber": None, "status": None,
                                                            "amount": {"value": "5", "unit": "unknown", "motes": None}, "currency": None,
                                                            "paymentId": None, "transactionHash": None, "metadata": None})}})

    base = '{"id":"evt_e","type":"payment.completed","created":1795773600,"data":{"payment":%s}}'
    good_payment = '{"id":"pay_e","amount":100,"currency":"CSPR"}'
    cases += [
        error_case("no type and no event", '{"id":"evt_e","data":{}}', "invalid_event", "type"),
        error_case("empty type", '{"type":"","data":{}}', "invalid_event", "type"),
        error_case("type is a number", '{"type":42,"data":{}}', "invalid_event", "type"),
        error_case("event is a number (shape C)", '{"event":42,"data":{}}', "invalid_event", "event"),
        error_case("data missing", '{"type":"test.webhook"}', "invalid_event", "data"),
        error_case("data is an array", '{"type":"test.webhook","data":[]}', "invalid_event", "data"),
        error_case("payment event without data.payment", '{"type":"payment.completed","data":{}}', "invalid_event", "data.payment"),
        error_case("payment without amount", base % '{"id":"pay_e","currency":"CSPR"}', "invalid_event", "data.payment.amount"),
        error_case("payment without id", base % '{"amount":1,"currency":"CSPR"}', "invalid_event", "data.payment.id"),
        error_case("payment without currency", base % '{"id":"pay_e","amount":1}', "invalid_event", "data.payment.currency"),
        error_case("amount is a boolean", base % '{"id":"pay_e","amount":true,"currency":"CSPR"}', "invalid_event", "data.payment.amount"),
        error_case("negative amount", base % '{"id":"pay_e","amount":-5,"currency":"CSPR"}', "invalid_event", "data.payment.amount"),
        error_case("amount string that is not a number", base % '{"id":"pay_e","amount":"ten","currency":"CSPR"}', "invalid_event", "data.payment.amount"),
        error_case("amount string with leading zeros", base % '{"id":"pay_e","amount":"007","currency":"CSPR"}', "invalid_event", "data.payment.amount"),
        error_case("currency is a number", base % '{"id":"pay_e","amount":1,"currency":5}', "invalid_event", "data.payment.currency"),
        error_case("metadata is a string", base % '{"id":"pay_e","amount":1,"currency":"CSPR","metadata":"x"}', "invalid_event", "data.payment.metadata"),
        error_case("shape C payment without payment_id", '{"event":"payment.received","data":{"amount":1,"currency":"CSPR"}}', "invalid_event", "data.id"),
        error_case("shape B subscription without id", '{"id":"evt_e","type":"subscription.created","data":{"object":{"plan_id":"p"}}}', "invalid_event", "data.object.id"),
        error_case("created is a string", '{"type":"test.webhook","created":"yesterday","data":{}}', "invalid_event", "created"),
        error_case("created in milliseconds", '{"type":"test.webhook","created":1795773600000,"data":{}}', "invalid_event", "created"),
        error_case("negative created", '{"type":"test.webhook","created":-1,"data":{}}', "invalid_event", "created"),
        error_case("timestamp not ISO-8601", '{"event":"test.webhook","timestamp":"27/11/2026","data":{}}', "invalid_event", "timestamp"),
        error_case("timestamp on an impossible date", '{"event":"test.webhook","timestamp":"2026-02-30T10:00:00Z","data":{}}', "invalid_event", "timestamp"),
        error_case("id is a number", '{"id":123,"type":"test.webhook","data":{}}', "invalid_event", "id"),
        error_case("empty id", '{"id":"","type":"test.webhook","data":{}}', "invalid_event", "id"),
        error_case("livemode is a string", '{"type":"test.webhook","livemode":"yes","data":{}}', "invalid_event", "livemode"),
        error_case("merchant_id is a number", '{"event":"test.webhook","merchant_id":7,"data":{}}', "invalid_event", "merchant_id"),
        error_case("body is null", "null", "invalid_event"),
        error_case("body is an array", "[]", "invalid_event"),
        error_case("body is a string", '"payment.completed"', "invalid_event"),
        error_case("body is a number beyond the float range", "1e400", "invalid_event"),
        error_case("body is negative zero", " -0 ", "invalid_event"),
        error_case("body is a number that is not JSON", "01", "invalid_json"),
        error_case("empty body", "", "invalid_json"),
        error_case("truncated JSON", '{"type":"test.webhook","data":{', "invalid_json"),
        error_case("body ends inside a string after a backslash", '{"type":"test.webhook","data":{"note":"abc\\', "invalid_json"),
        error_case("body ends right after a \\u", '{"type":"test.webhook","data":{"note":"\\u', "invalid_json"),
        error_case("body ends inside a surrogate pair", '{"type":"test.webhook","data":{"note":"\\ud83d\\u', "invalid_json"),
        error_case("trailing garbage", '{"type":"test.webhook","data":{}} x', "invalid_json"),
        error_case("single quotes", "{'type':'test.webhook'}", "invalid_json"),
        error_case("trailing comma", '{"type":"test.webhook","data":{},}', "invalid_json"),
        error_case("byte order mark before the JSON", b"\xef\xbb\xbf" + b'{"type":"test.webhook","data":{}}', "invalid_json"),
        error_case("invalid UTF-8 inside a string", b'{"type":"test.webhook","data":{"note":"\xff\xfe"}}', "invalid_json"),
        error_case("overlong UTF-8 encoding", b'{"type":"test.webhook","data":{"note":"\xc0\xaf"}}', "invalid_json"),
        error_case("lone surrogate escape", '{"type":"test.webhook","data":{"note":"\\ud800"}}', "invalid_json"),
        error_case("33 levels of nesting", nested(33), "invalid_json"),
        error_case("nesting far beyond the limit", '{"type":"test.webhook","data":' + "[" * 5000 + "]" * 5000 + "}", "invalid_json"),
        error_case("body over the configured limit", base % good_payment, "payload_too_large", options={"maxPayloadBytes": 64}),
    ]

    deep = nested(32)
    deep_obj = json.loads(deep)
    cases.append({"name": "32 levels of nesting is accepted", "body": utf8(deep), "expected": {"event": event(
        deep_obj, deep.encode(), type="test.webhook", kind="test.webhook", category="test", shape="a")}})

    dup = '{"id":"evt_dup","type":"payment.completed","type":"test.webhook","data":{"k":1,"k":2}}'
    cases.append({"name": "duplicate keys: the last one wins, as in JSON.parse and json_decode", "body": utf8(dup),
                  "expected": {"event": event({"data": {"k": 2}}, dup.encode(), id="evt_dup", type="test.webhook",
                                              kind="test.webhook", category="test", shape="a")}})

    esc = '{"id":"evt_esc","type":"test.webhook","data":{"note":"caf\\u00e9 \\ud83d\\ude80 \\"quoted\\"","big":12345678901234567890,"ratio":0.1}}'
    cases.append({"name": "escapes and non-amount numbers are kept", "body": utf8(esc), "expected": {"event": event(
        {"data": {"note": "café 🚀 \"quoted\"", "big": Num("12345678901234567890"), "ratio": Num("0.1")}}, esc.encode(),
        id="evt_esc", type="test.webhook", kind="test.webhook", category="test", shape="a")}})

    bom = '{"id":"\ufeffevt_bom","type":"test.webhook","data":{"note":"\ufeff"}}'
    cases.append({"name": "a string may start with U+FEFF: inside JSON it is text, not a byte order mark",
                  "body": utf8(bom), "expected": {"event": event(
        {"data": {"note": "\ufeff"}}, bom.encode(), id="\ufeffevt_bom", type="test.webhook", kind="test.webhook",
        category="test", shape="a")}})

    ws = ' \n\t{"type":"test.webhook","data":{}}\r\n '
    cases.append({"name": "whitespace around the JSON is allowed", "body": utf8(ws), "expected": {"event": event(
        {"data": {}}, ws.encode(), type="test.webhook", kind="test.webhook", category="test", shape="a")}})

    nested_amount = '{"id":"evt_n","type":"invoice.paid","data":{"invoice":{"lines":[{"amount":1.10}],"total_amount":99999999999999999999,"fee":{"amount":"3"}}}}'
    cases.append({"name": "amount keys inside data become exact strings", "body": utf8(nested_amount), "expected": {"event": event(
        {"data": {"invoice": {"lines": [{"amount": Num("1.10")}], "total_amount": Num("99999999999999999999"), "fee": {"amount": "3"}}}},
        nested_amount.encode(), id="evt_n", type="invoice.paid", kind="invoice.paid", category="invoice", shape="a")}})

    fresh = typed_case("payment.completed", "a")
    fresh_c = typed_case("payment.received", "c")
    cases += [
        dict(fresh, name="fresh event inside the tolerance", options={"toleranceSeconds": 300, "now": CREATED + 300}),
        dict(fresh, name="event from the future inside the tolerance", options={"toleranceSeconds": 300, "now": CREATED - 300}),
        dict(fresh_c, name="shape C timestamp inside the tolerance", options={"toleranceSeconds": 60, "now": CREATED + 59}),
        {"name": "stale event outside the tolerance", "body": fresh["body"], "options": {"toleranceSeconds": 300, "now": CREATED + 301},
         "expected": {"error": {"code": "timestamp_outside_tolerance"}}},
        {"name": "shape C timestamp outside the tolerance", "body": fresh_c["body"], "options": {"toleranceSeconds": 60, "now": CREATED + 3600},
         "expected": {"error": {"code": "timestamp_outside_tolerance"}}},
        error_case("tolerance asked but the event has no timestamp", '{"type":"test.webhook","data":{}}', "timestamp_outside_tolerance",
                   options={"toleranceSeconds": 300, "now": CREATED}),
    ]
    portable = ('{"id":"evt_num","type":"test.webhook","data":{"huge":1e400,"tiny":1e-400,"safe":9007199254740991,'
                '"unsafe":9007199254740992,"negative":-9007199254740992,"negative_zero":-0.0,"negative_integer_zero":-0,"exponent":1E+2,'
                '"astronomic":1e1000000000000000000000,"list":[1,18446744073709551616,0.5],'
                '"largest_double":1.7976931348623157e308,"just_below_overflow":1.797693134862315807e308,'
                '"just_at_overflow":1.797693134862315808e308,"overflow_by_exponent":0.1797693134862315808e309}}')
    cases.append({"name": "numbers no host holds exactly stay text inside data", "body": utf8(portable), "expected": {"event": event(
        load_exact(portable), portable.encode(), id="evt_num", type="test.webhook", kind="test.webhook", category="test", shape="a")}})
    # Spellings longer than PHP's own parser reads right (it caps a written exponent at
    # 19999, reading the first as 10, the second as 0.01 and the third as 10): the value
    # decides, not the spelling.
    spelled = ('{"id":"evt_long","type":"test.webhook","data":{"one":1' + "0" * 20000 + 'e-20000,'
               '"beyond_the_float_range":0.' + "0" * 20000 + '1e20400,'
               '"underflow":1' + "0" * 20000 + 'e-1000000000000000000}}')
    cases.append({"name": "numbers spelled with 20,000 digits keep their value", "body": utf8(spelled), "expected": {"event": event(
        load_exact(spelled), spelled.encode(), id="evt_long", type="test.webhook", kind="test.webhook", category="test", shape="a")}})
    cases += content_key_cases()
    cases += key_order_cases()
    offset = '{"event":"test.webhook","data":{},"timestamp":"2026-11-27T11:30:00+01:30"}'
    cases.append({"name": "timestamp with a UTC offset", "body": utf8(offset), "expected": {"event": event(
        {"data": {}}, offset.encode(), type="test.webhook", kind="test.webhook", category="test", shape="c", created=CREATED)}})
    return cases


def jsonb_order(value):
    """Keys as PostgreSQL's jsonb returns them: shorter first, then bytewise, at every depth."""
    if isinstance(value, dict):
        return {k: jsonb_order(value[k]) for k in sorted(value, key=lambda k: (len(k.encode()), k.encode()))}
    if isinstance(value, list):
        return [jsonb_order(v) for v in value]
    return value


def reversed_order(value):
    if isinstance(value, dict):
        return {k: reversed_order(value[k]) for k in reversed(list(value))}
    if isinstance(value, list):
        return [reversed_order(v) for v in value]
    return value


def respelled(value, spellings):
    """The same values with the numbers PostgreSQL's numeric prints for JavaScript's."""
    if isinstance(value, Num):
        return Num(spellings.get(value.text, value.text))
    if isinstance(value, dict):
        return {k: respelled(v, spellings) for k, v in value.items()}
    if isinstance(value, list):
        return [respelled(v, spellings) for v in value]
    return value


def pretty(value, indent=""):
    inner = indent + "  "
    if isinstance(value, dict) and value:
        return "{\n" + ",\n".join(inner + json.dumps(k, ensure_ascii=False) + ": " + pretty(v, inner) for k, v in value.items()) + "\n" + indent + "}"
    if isinstance(value, list) and value:
        return "[\n" + ",\n".join(inner + pretty(v, inner) for v in value) + "\n" + indent + "]"
    return dumps(value)


def content_key_cases():
    """One shape-C event as CasPay posts it and as it re-sends it from its jsonb row (other
    key order, other number spellings), pretty-printed, reordered and re-escaped: one key.
    Then the same event with any one thing changed: a different key each."""
    event_obj = {
        "event": "payment.received",
        "data": {"payment_id": "pay_ck", "product_id": "prod_ck", "transaction_hash": TX, "payer": ACCOUNT,
                 "amount": Num("1e-7"), "currency": "CSPR",
                 "metadata": {"order": {"id": "ord_é/1", "lines": [{"sku": "a", "qty": Num("2"), "fee": Num("1e+21")}]}}},
        "timestamp": ISO,
        "merchant_id": "MERCH_ck",
    }
    numeric = {"1e-7": "0.0000001", "1e+21": "1000000000000000000000"}
    as_sent = dumps(event_obj)
    copies = [
        ("as CasPay's server posts it", as_sent),
        ("re-sent from its jsonb row (key order, numeric spellings)", dumps(respelled(jsonb_order(event_obj), numeric))),
        ("pretty-printed", pretty(event_obj)),
        ("keys reversed at every depth", dumps(reversed_order(event_obj))),
        ("escaped differently", as_sent.replace("é", "\\u00e9").replace("/", "\\/").replace("MERCH", "\\u004dERCH")),
    ]
    key = content_key(as_sent.encode())
    cases = []
    for label, text in copies:
        assert content_key(text.encode()) == key, label
        obj = load_exact(text)
        amount_text = obj["data"]["amount"].text
        cases.append({"name": f"content key: one event {label}", "body": utf8(text), "expected": {"event": event(
            obj, text.encode(), type="payment.received", kind="payment.received", category="payment", shape="c", created=CREATED,
            merchantId="MERCH_ck", payment=payment_expected("pay_ck", cspr(amount_text, "100"), None, exact(obj["data"]["metadata"]),
                                                            TX, ACCOUNT, "prod_ck"))}})

    def changed(label, edit):
        obj = json.loads(json.dumps(event_obj, default=lambda n: {"__num": n.text}),
                         object_hook=lambda d: Num(d["__num"]) if "__num" in d else d)
        edit(obj)
        return label, dumps(obj)

    variants = [
        changed("a millisecond later", lambda o: o.__setitem__("timestamp", "2026-11-27T10:00:00.001Z")),
        changed("another payer", lambda o: o["data"].__setitem__("payer", ACCOUNT[:-1] + "0")),
        changed("another amount", lambda o: o["data"].__setitem__("amount", Num("2e-7"))),
        changed("a nested number changed", lambda o: o["data"]["metadata"]["order"]["lines"][0].__setitem__("qty", Num("3"))),
        changed("a number sent as a string", lambda o: o["data"]["metadata"]["order"]["lines"][0].__setitem__("qty", "2")),
        changed("a field added", lambda o: o["data"].__setitem__("note", "gift")),
        changed("a null field added", lambda o: o["data"].__setitem__("note", None)),
        changed("list items swapped", lambda o: o["data"]["metadata"]["order"].__setitem__("lines", [{"sku": "b"}, {"sku": "a"}])),
        changed("list items in the other order", lambda o: o["data"]["metadata"]["order"].__setitem__("lines", [{"sku": "a"}, {"sku": "b"}])),
    ]
    keys = {key}
    for label, text in variants:
        variant_key = content_key(text.encode())
        assert variant_key not in keys, label
        keys.add(variant_key)
        obj = load_exact(text)
        cases.append({"name": f"content key: one event with {label}", "body": utf8(text), "expected": {"event": event(
            obj, text.encode(), type="payment.received", kind="payment.received", category="payment", shape="c",
            created=CREATED, merchantId="MERCH_ck",
            payment=payment_expected("pay_ck", cspr(obj["data"]["amount"].text, str(int(decimal.Decimal(obj["data"]["amount"].text) * 10**9))),
                                     None, exact(obj["data"]["metadata"]), TX, obj["data"]["payer"], "prod_ck"))}})
    return cases


def key_order_cases():
    """Content keys where hosts could drift apart (checked by the fuzz targets' oracles): keys
    sort by their UTF-8 bytes (U+FFFF before U+1F600, the reverse of UTF-16 order, which
    JavaScript's default sort uses), and a key spelled with an escape is the same key, so
    the last one wins."""
    cases = []
    bodies = [
        ("content key: keys sorted by UTF-8 bytes, not UTF-16 units",
         '{"event":"test.webhook","data":{"\U0001F600":1,"\uffff":2,"\u00e9":3,"z":4},"timestamp":"2026-11-27T10:00:00.000Z"}'),
        ("content key: a key written with an escape is the same key (the last one wins)",
         '{"event":"test.webhook","data":{"a":1,"\\u0061":2},"timestamp":"2026-11-27T10:00:00.000Z"}'),
    ]
    for name, text in bodies:
        obj = load_exact(text)
        cases.append({"name": name, "body": utf8(text), "expected": {"event": event(
            obj, text.encode(), type="test.webhook", kind="test.webhook", category="test", shape="c", created=CREATED)}})
    # The two orders really differ for the first body, and the escape really repeats a key.
    assert sorted(["\U0001F600", "\uffff"], key=lambda k: k.encode("utf-8")) == ["\uffff", "\U0001F600"]
    assert sorted(["\U0001F600", "\uffff"], key=lambda k: k.encode("utf-16-be")) == ["\U0001F600", "\uffff"]
    data = load_exact(bodies[1][1])["data"]
    assert list(data) == ["a"] and data["a"].text == "2"
    return cases


def construct_cases():
    key = SECRET.encode()
    body = typed_case("payment.completed", "a")["body"]["utf8"].encode()
    bad_json = b'{"type":"payment.completed",'
    not_event = b'{"type":"payment.completed","data":{}}'
    return [
        {"name": "valid delivery", "body": utf8(body.decode()), "secrets": [SECRET], "signature": digest(key, body), "expected": {"secretIndex": 0}},
        {"name": "previous secret during a rotation", "body": utf8(body.decode()), "secrets": ["whsec_new000000000000000000000000000", SECRET],
         "signature": digest(key, body), "expected": {"secretIndex": 1}},
        {"name": "size is checked before the signature", "body": utf8(body.decode()), "secrets": [SECRET], "signature": "test_signature",
         "options": {"maxPayloadBytes": 16}, "expected": {"error": {"code": "payload_too_large"}}},
        {"name": "signature is checked before the JSON", "body": hexb(bad_json), "secrets": [SECRET], "signature": digest(b"whsec_other", bad_json),
         "expected": {"error": {"code": "signature_mismatch"}}},
        {"name": "signed invalid JSON", "body": hexb(bad_json), "secrets": [SECRET], "signature": digest(key, bad_json), "expected": {"error": {"code": "invalid_json"}}},
        {"name": "signed JSON that is not an event", "body": hexb(not_event), "secrets": [SECRET], "signature": digest(key, not_event),
         "expected": {"error": {"code": "invalid_event", "field": "data.payment"}}},
        {"name": "test button", "body": utf8(body.decode()), "secrets": [SECRET], "signature": "test_signature", "expected": {"error": {"code": "invalid_signature_format"}}},
        {"name": "stale but signed", "body": utf8(body.decode()), "secrets": [SECRET], "signature": digest(key, body),
         "options": {"toleranceSeconds": 300, "now": CREATED + 10000}, "expected": {"error": {"code": "timestamp_outside_tolerance"}}},
    ]


def write(name, cases, description):
    with open(os.path.join(HERE, name), "w", encoding="utf-8") as f:
        json.dump({"description": description, "cases": cases}, f, indent=1, ensure_ascii=False)
        f.write("\n")


if __name__ == "__main__":
    write("signature.json", signature_cases(), "sign(body, secret) must equal digest; verify(body, signature, secret) must give expected.")
    write("parse.json", parse_cases(), "parseEvent(body, options) must give expected.event exactly, or an error with expected.error.code (and .field when given).")
    write("construct.json", construct_cases(), "constructEvent(body, signature, secrets, options): expected.secretIndex, or expected.error.")
