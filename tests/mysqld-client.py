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
    s.sendall(bytes.fromhex(data_hex))
    s.shutdown(socket.SHUT_WR)
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


def main():
    port, check, args = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
    try:
        {"rows": rows, "params": params, "query": query, "raw": raw}[check](port, *args)
    except pymysql.MySQLError as e:
        print("ERROR %d: %s" % (e.args[0], e.args[1]))
        sys.exit(2)


main()
