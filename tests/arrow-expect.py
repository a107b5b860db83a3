#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# arrow-expect.py -- the rows an Arrow IPC stream holds, from the Arrow
# integration JSON of the same batches (NAME.json.gz of the corpus), as
# `sl-parse -H format:arrow -H timezone:UTC | sl-dump` prints them: a TSV
# header line of the column names, then one line per row, each value's
# Doris text (colfile.h's table; nested values as JSON), NULL as \N.
# Usage: arrow-expect.py NAME.json.gz > expected.tsv
import datetime, gzip, json, math, struct, sys

def f32(x):
    return struct.unpack('<f', struct.pack('<f', x))[0]

def digits(p, v):
    s = '%.*g' % (p, v)
    if 'e' in s:
        x = int(s.split('e')[1])
        if 0 <= x < 17:
            s = '%.*g' % (max(p, x + 1), v)
    return s

def float_text(v, single):
    if math.isnan(v): return 'NaN'
    if math.isinf(v): return '-Infinity' if v < 0 else 'Infinity'
    if single:
        v = f32(v)
        for p in range(1, 10):
            s = digits(p, v)
            if f32(float(s)) == v: return s
    for p in range(1, 18):
        s = digits(p, v)
        if float(s) == v: return s
    return s

def json_string(b):
    out, i = ['"'], 0
    while i < len(b):
        c = b[i]
        if c == 0x22 or c == 0x5c: out.append('\\' + chr(c)); i += 1; continue
        if c < 0x20:
            out.append({10: '\\n', 9: '\\t', 13: '\\r'}.get(c, '\\u%04x' % c)); i += 1; continue
        if c < 0x80: out.append(chr(c)); i += 1; continue
        for n in (2, 3, 4):
            try:
                out.append(b[i:i + n].decode('utf-8')); i += n; break
            except UnicodeDecodeError:
                pass
        else:
            out.append('\\ufffd'); i += 1
    out.append('"')
    return ''.join(out)

def decimal_text(u, scale):
    neg, d = u < 0, str(abs(u))
    if scale:
        d = d.rjust(scale + 1, '0')
        d = d[:-scale] + '.' + d[-scale:]
    return ('-' if neg else '') + d

EPOCH = datetime.datetime(1970, 1, 1)
PER = {'SECOND': 1, 'MILLISECOND': 1000, 'MICROSECOND': 1000000, 'NANOSECOND': 1000000000}
DIG = {'SECOND': 0, 'MILLISECOND': 3, 'MICROSECOND': 6, 'NANOSECOND': 9}

def frac(n, d):
    return '.' + str(n).rjust(9, '0')[:d] if d else ''

def ts_text(v, unit):
    per = PER[unit]
    q, r = divmod(v, per)
    t = EPOCH + datetime.timedelta(seconds=q)
    return '%04d-%02d-%02d %02d:%02d:%02d' % (t.year, t.month, t.day, t.hour, t.minute, t.second) + \
        frac(r * (1000000000 // per), DIG[unit])

def scalar(ty, v, js):
    n = ty['name']
    if n == 'bool': return ('true' if v else 'false') if js else ('1' if v else '0')
    if n in ('int', 'duration'): return str(int(v))
    if n == 'floatingpoint':
        s = float_text(float(v), ty['precision'] != 'DOUBLE')
        return json_string(s.encode()) if js and s[-1] in 'Ny' else s
    if n == 'decimal': return decimal_text(int(v), ty.get('scale', 0))
    if n in ('utf8', 'largeutf8'):
        b = v.encode('utf-8')
    elif n in ('binary', 'largebinary', 'fixedsizebinary'):
        b = bytes.fromhex(v)
    else:
        if n == 'date':
            d = int(v) if ty['unit'] == 'DAY' else int(v) // 86400000
            s = (datetime.date(1970, 1, 1) + datetime.timedelta(days=d)).isoformat()
        elif n == 'time':
            per = PER[ty['unit']]
            q, r = divmod(int(v), per)
            s = '%02d:%02d:%02d' % (q // 3600, q // 60 % 60, q % 60) + frac(r * (1000000000 // per), DIG[ty['unit']])
        elif n == 'timestamp':
            s = ts_text(int(v), ty['unit'])
        else:
            raise SystemExit('arrow-expect: type %s is not handled' % n)
        return json_string(s.encode()) if js else s
    return json_string(b) if js else b.decode('utf-8', 'surrogateescape')

class Col:
    def __init__(self, field, col, dicts):
        self.f, self.c, self.dicts = field, col, dicts
        self.kids = [Col(f, c, dicts) for f, c in zip(field.get('children', []), col.get('children', []))]

def value(f, c, i, js, dicts):
    """the text of value i, or None for NULL"""
    ty = f['type']
    if ty['name'] == 'null': return None
    if ty['name'] != 'union' and 'VALIDITY' in c and not c['VALIDITY'][i]: return None
    if 'dictionary' in f:
        d = dicts[f['dictionary']['id']]
        vf = dict(f); del vf['dictionary']
        return value(vf, d, int(c['DATA'][i]), js, dicts)
    kids = f.get('children', [])
    ck = c.get('children', [])
    n = ty['name']
    if n in ('list', 'largelist', 'fixedsizelist', 'map'):
        if n == 'fixedsizelist':
            s, e = i * ty['listSize'], (i + 1) * ty['listSize']
        else:
            s, e = int(c['OFFSET'][i]), int(c['OFFSET'][i + 1])
        items = []
        for k in range(s, e):
            if n == 'map':
                ef, ec = kids[0], ck[0]
                key = value(ef['children'][0], ec['children'][0], k, False, dicts)
                kt = json_string((key if key is not None else 'null').encode('utf-8', 'surrogateescape'))
                items.append(kt + ':' + or_null(value(ef['children'][1], ec['children'][1], k, True, dicts)))
            else:
                items.append(or_null(value(kids[0], ck[0], k, True, dicts)))
        return ('{%s}' if n == 'map' else '[%s]') % ','.join(items)
    if n == 'struct':
        return '{' + ','.join(json_string(kf['name'].encode()) + ':' + or_null(value(kf, kc, i, True, dicts))
                              for kf, kc in zip(kids, ck)) + '}'
    if n == 'union':
        tid = c['TYPE_ID'][i]
        ids = ty.get('typeIds') or list(range(len(kids)))
        k = ids.index(tid)
        at = int(c['OFFSET'][i]) if ty['mode'] == 'DENSE' else i
        return value(kids[k], ck[k], at, js, dicts)
    return scalar(ty, c['DATA'][i], js)

def or_null(v):
    return 'null' if v is None else v

def tsv(s):
    return s.replace('\\', '\\\\').replace('\t', '\\t').replace('\n', '\\n').replace('\r', '\\r')

def main():
    doc = json.load(gzip.open(sys.argv[1], 'rt', encoding='utf-8'))
    fields = doc['schema']['fields']
    dicts = {d['id']: d['data']['columns'][0] for d in doc.get('dictionaries', [])}
    out = sys.stdout.buffer
    out.write(('\t'.join(tsv(f['name']) for f in fields) + '\n').encode('utf-8', 'surrogateescape'))
    for b in doc.get('batches', []):
        for i in range(b['count']):
            vals = []
            for f, c in zip(fields, b['columns']):
                v = value(f, c, i, False, dicts)
                vals.append('\\N' if v is None else tsv(v))
            out.write(('\t'.join(vals) + '\n').encode('utf-8', 'surrogateescape'))

main()
