#!/usr/bin/python3
# pymysql (Debian's python3-pymysql) over TLS against sl-mysqld, for
# tests/mysqld-tls.bats: mysqld-tls.py PORT CA USER PASSWORD N. It connects
# verifying the server's certificate with CA, reads N rows of pydb.big
# through a streaming cursor, and prints the TLS version, @@have_ssl, the
# rows' count and sum. A MySQL error is printed as "ERROR code: message"
# (exit 2).
import sys

import pymysql


def main():
    port, ca, user, password, n = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
    try:
        c = pymysql.connect(host="127.0.0.1", port=port, user=user, password=password,
                            ssl={"ca": ca}, autocommit=True)
        cur = c.cursor(pymysql.cursors.SSCursor)
        cur.execute("SELECT @@have_ssl")
        have = cur.fetchall()[0][0]
        cur.execute("SELECT id FROM pydb.big LIMIT %d" % n)
        count = total = 0
        for r in cur:
            count += 1
            total += r[0]
    except pymysql.MySQLError as e:
        print("ERROR %d: %s" % (e.args[0], e.args[1]))
        sys.exit(2)
    print(c._sock.version().startswith("TLSv1."), have, count, total)


main()
