#!/usr/bin/python3
# A MySQL client no one here wrote (Debian's python3-pymysql) against
# sl-mysqld, for tests/mysqld.bats: mysqld-client.py PORT CHECK [ARGS...].
# Each check prints what it saw; any exception is a failure (exit 1), a
# MySQL error is printed as "ERROR code: message" (exit 2).
import socket
import struct
import sys

import pymysql


def connect(port, user="root", password="", db=None):
    return pymysql.connect(host="127.0.0.1", port=port, user=user, password=password,
                           database=db, autocommit=True)


def rows(port, user, password, n):
    # a server-side cursor: rows are read as they come, not all at once
    c = connect(port, user, password, "pydb")
    cur = c.cursor(pymysql.cursors.SSCursor)
    cur.execute("SELECT id, name FROM big")
    count = total = 0
    for r in cur:
        count += 1
        total += r[0]
    print(count, total, [d[0] for d in cur.description])
    assert count == int(n), count


def params(port, user, password):
    c = connect(port, user, password, "pydb")
    cur = c.cursor()
    cur.execute("SELECT id, name FROM big WHERE id = %s AND name = %s", (7, "n7"))
    print(cur.fetchall())
    cur.execute("SELECT count(*) FROM big WHERE name = %s", ("it's \\ quoted",))
    print(cur.fetchall())


def query(port, user, password, sql):
    c = connect(port, user, password)
    cur = c.cursor()
    cur.execute(sql)
    print(cur.fetchall())


def raw(port, data_hex):
    # raw bytes after the server's greeting: the server must close or answer
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.recv(4096)
    try:
        s.sendall(bytes.fromhex(data_hex))
        s.shutdown(socket.SHUT_WR)
    except (BrokenPipeError, ConnectionResetError):
        pass    # closed before all was sent: what it answered is read below
    got = b""
    while True:
        try:
            b = s.recv(4096)
        except ConnectionResetError:
            break
        if not b:
            break
        got += b
    print("closed", got[4:5].hex() if got else "-")


def prepare(c, sql, show):
    # COM_STMT_PREPARE: the statement id, after its parameter definitions
    c._execute_command(0x16, sql)
    p = c._read_packet()
    stmt_id, ncols, nparams = struct.unpack("<xIHH", p._data[:9])
    if show:
        print("prepared", ncols, nparams)
    for _ in range(nparams):
        c._read_packet()
    if nparams and (not (c.server_capabilities & (1 << 24)) or not (c.client_flag & (1 << 24))):
        c._read_packet()  # EOF after the parameter definitions
    return stmt_id


def longdata(port, pieces, size, param="0"):
    # COM_STMT_SEND_LONG_DATA: the first parameter sent in PIECES pieces of
    # SIZE bytes (to parameter PARAM), the second in EXECUTE; twice, to see
    # the pieces forgotten after the first EXECUTE
    c = connect(port)
    stmt_id = prepare(c, b"SELECT concat('n=', length(?), ' b=', ?) AS r", False)
    for run in range(2):
        for i in range(int(pieces) if run == 0 else 0):
            c._execute_command(0x18, struct.pack("<IH", stmt_id, int(param)) + bytes([97 + i % 26]) * int(size))
        body = struct.pack("<IBI", stmt_id, 0, 1) + (b"\x00" if run == 0 else b"\x01")
        body += b"\x01" + bytes([253, 0, 8, 0]) + struct.pack("<q", 7 + run)
        c._execute_command(0x17, body)
        c._read_packet()  # the column count
        c._read_packet()  # its definition
        p = c._read_packet()
        if p._data[0] == 0xFE:
            p = c._read_packet()
        row = p._data
        print("row", "NULL" if row[1] & (1 << 2) else row[3:3 + row[2]].decode())
        c._read_packet()  # the end of the result set


def prepared(port):
    # COM_STMT_PREPARE / EXECUTE / CLOSE as drivers that prepare send them,
    # through pymysql's packet layer
    c = connect(port)
    stmt_id = prepare(c, b"SELECT ? + 1 AS a, ? AS b, NULL AS c", True)
    body = struct.pack("<IBI", stmt_id, 0, 1) + b"\x00" + b"\x01" + bytes([8, 0, 253, 0])
    body += struct.pack("<q", 41) + bytes([5]) + b"it's"[:4] + b"!"
    c._execute_command(0x17, body)
    p = c._read_packet()
    n = p._data[0]
    names = []
    for _ in range(n):
        f = c._read_packet()
        names.append(f._data)
    p = c._read_packet()
    if p._data[0] == 0xFE:
        p = c._read_packet()
    row = p._data
    # header 0x00, NULL bitmap (3 columns + 2 bits), then a BIGINT and a string
    nulls = row[1]
    a = struct.unpack("<q", row[2:10])[0]
    blen = row[10]
    print("row", a, row[11:11 + blen].decode(), "null-c" if nulls & (1 << 4) else "c-not-null")
    end = c._read_packet()._data
    print("end", hex(end[0]))
    c._execute_command(0x19, struct.pack("<I", stmt_id))
    c._execute_command(0x17, struct.pack("<IBI", stmt_id, 0, 1))
    try:
        c._read_packet()
    except pymysql.MySQLError as e:
        print("after close", e.args[0])


def main():
    port, check, args = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
    try:
        {"rows": rows, "params": params, "query": query, "raw": raw, "prepared": prepared,
         "longdata": longdata}[check](port, *args)
    except pymysql.MySQLError as e:
        print("ERROR %d: %s" % (e.args[0], e.args[1]))
        sys.exit(2)


main()
