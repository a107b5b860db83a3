#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# orc-compare.py ROWS EXPECTED.jsn.gz -- the ORC reader's rows (test-orc FILE:
# a header of [name, Doris type] pairs, then one JSON array a row of hex
# fields or null) against the ORC project's own printing of the same file
# (one JSON value a row). Values are compared by meaning, not by spelling:
# numbers as decimals, FLOAT at single precision, timestamps without
# trailing zeros of the fraction, BINARY as the list of its bytes, MAP as
# the list of {key, value}, nested values as JSON. Exit 0 when every row
# and the row count match; else the first differences on stdout, exit 1.
import gzip, json, re, struct, sys
from decimal import Decimal

TS = re.compile(r'^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d*)?$')


def norm_ts(s):
    if isinstance(s, str) and TS.match(s) and '.' in s:
        s = s.rstrip('0').rstrip('.')
    return s


def f32_near(a, b):
    # the expected texts of FLOAT columns are printed with 7 significant
    # digits by some of the ORC tools: equal within one single-precision step
    # (C++ std::ostream's default precision)
    return f32(a) == f32(b) or float('%.7g' % f32(a)) == float(b)


def f32(x):
    return struct.unpack('<f', struct.pack('<f', float(x)))[0]


def num(x):
    return Decimal(str(x)) if not isinstance(x, Decimal) else x


def nested_eq(e, m):
    if e is None or m is None:
        return e is None and m is None
    if isinstance(e, bool):
        return m is e or m == int(e)
    if isinstance(e, (int, Decimal)):
        if isinstance(m, bool) or not isinstance(m, (int, Decimal, float)):
            return False
        return num(e) == num(m) or f32(e) == f32(m)
    if isinstance(e, str):
        return isinstance(m, str) and norm_ts(e) == norm_ts(m)
    if isinstance(e, list):
        if isinstance(m, dict):
            if len(e) != len(m):
                return False
            return all(isinstance(kv, dict) and str(kv.get('key')) == k and nested_eq(kv.get('value'), v)
                       for kv, (k, v) in zip(e, m.items()))
        if isinstance(m, str):
            return bytes(e) == m.encode('utf-8', 'surrogateescape')
        return isinstance(m, list) and len(e) == len(m) and all(nested_eq(a, b) for a, b in zip(e, m))
    if isinstance(e, dict):
        return isinstance(m, dict) and set(e) == set(m) and all(nested_eq(e[k], m[k]) for k in e)
    return False


def field_eq(e, raw, typ):
    if e is None or raw is None:
        return e is None and raw is None
    text = raw.decode('utf-8', 'surrogateescape')
    if typ == 'BOOLEAN':
        return text == ('1' if e else '0')
    if typ in ('TINYINT', 'SMALLINT', 'INT', 'BIGINT'):
        return int(text) == e
    if typ == 'FLOAT':
        return f32_near(text, e) if text not in ('NaN', 'Infinity', '-Infinity') else text == str(e)
    if typ == 'DOUBLE':
        return float(text) == float(e)
    if typ.startswith('DECIMAL'):
        return Decimal(text) == num(e)
    if typ.startswith(('ARRAY', 'MAP', 'STRUCT', 'JSON')):
        return nested_eq(e, json.loads(text, parse_float=Decimal))
    if isinstance(e, list):
        return bytes(e) == raw
    if typ.startswith('DATETIME'):
        return norm_ts(text) == norm_ts(e)
    return text == e


def main():
    rows = open(sys.argv[1], encoding='ascii').read().splitlines()
    cols = json.loads(rows[0])
    with gzip.open(sys.argv[2], 'rt', encoding='utf-8') as f:
        exp = [json.loads(l, parse_float=Decimal) for l in f if l.strip()]
    bad = 0
    if len(exp) != len(rows) - 1:
        print('rows: expected %d, got %d' % (len(exp), len(rows) - 1))
        bad += 1
    for n, (e, line) in enumerate(zip(exp, rows[1:]), 1):
        got = [None if v is None else bytes.fromhex(v) for v in json.loads(line)]
        if not (isinstance(e, dict) and len(cols) > 1 or
                isinstance(e, dict) and len(cols) == 1 and cols[0][0] in e):
            e = {cols[0][0]: e}
        for (name, typ), raw in zip(cols, got):
            if not field_eq(e.get(name), raw, typ):
                print('row %d column %s (%s): expected %r, got %r' % (n, name, typ, e.get(name), raw))
                bad += 1
                if bad > 5:
                    sys.exit(1)
        if set(e) != set(c[0] for c in cols):
            print('row %d: expected columns %s, got %s' % (n, sorted(e), [c[0] for c in cols]))
            bad += 1
    if bad:
        sys.exit(1)
    print('ok %d rows' % len(exp))


main()
