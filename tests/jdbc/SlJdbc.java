// SPDX-License-Identifier: Apache-2.0
//
// SlJdbc.java -- sl-mysqld through a JDBC driver no one here wrote (Debian's
// MariaDB Connector/J): metadata, a prepared statement with parameters of
// several types, a result set of 10,000 rows, a wrong password, and a
// parameter sent in pieces (COM_STMT_SEND_LONG_DATA). Run by
// tests/mysqld-jdbc.bats:
//
//   java -cp mariadb-java-client.jar:DIR SlJdbc PORT USER PASSWORD MODE
//
// MODE: meta | params | rows | wrongpw | longdata. Prints what it read; the
// bats file compares. Exit 2 on an SQLException (code and SQLSTATE printed).
import java.io.ByteArrayInputStream;
import java.io.StringReader;
import java.math.BigDecimal;
import java.sql.*;

public class SlJdbc {
	static Connection connect(String port, String user, String pw, String extra) throws SQLException {
		return DriverManager.getConnection("jdbc:mariadb://127.0.0.1:" + port + "/jdb" + extra, user, pw);
	}

	static void meta(Connection c) throws SQLException {
		DatabaseMetaData md = c.getMetaData();
		System.out.println("product " + md.getDatabaseProductName() + " " + md.getDatabaseProductVersion());
		try (ResultSet rs = md.getTables("jdb", null, "%", new String[] { "TABLE" })) {
			while (rs.next())
				System.out.println("table " + rs.getString("TABLE_CAT") + "." + rs.getString("TABLE_NAME") +
					" " + rs.getString("TABLE_TYPE"));
		}
		try (ResultSet rs = md.getColumns("jdb", null, "typed", "%")) {
			while (rs.next())
				System.out.println("column " + rs.getString("COLUMN_NAME") + " " + rs.getInt("DATA_TYPE") + " " +
					rs.getString("TYPE_NAME") + " " + rs.getInt("COLUMN_SIZE") + " " +
					rs.getString("IS_NULLABLE") + " " + rs.getInt("ORDINAL_POSITION"));
		}
	}

	// The rows of typed that ps selects (with its column types first).
	static void typedRows(PreparedStatement ps, boolean types) throws SQLException {
		try (ResultSet rs = ps.executeQuery()) {
			ResultSetMetaData m = rs.getMetaData();
			for (int i = 1; types && i <= m.getColumnCount(); i++)
				System.out.println("col " + m.getColumnName(i) + " " + m.getColumnType(i));
			while (rs.next())
				System.out.println("row " + rs.getInt(1) + " " + rs.getString(2) + " " + rs.getDate(3) +
					" " + rs.getBigDecimal(4));
		}
	}

	// One execution of ps with its five parameters set.
	static void execute(PreparedStatement ps, int id, String name, String d, String amount, int nullType,
		boolean types) throws SQLException {
		ps.setInt(1, id);
		ps.setString(2, name);
		ps.setDate(3, Date.valueOf(d));
		ps.setBigDecimal(4, new BigDecimal(amount));
		ps.setNull(5, nullType);
		typedRows(ps, types);
	}

	static void params(Connection c) throws SQLException {
		String q = "SELECT id, name, d, amount FROM typed WHERE id = ? AND name = ? AND d = ? AND amount = ? " +
			"AND note IS NULL AND ? IS NULL";
		try (PreparedStatement ps = c.prepareStatement(q)) {
			execute(ps, 2, "it's b", "2024-02-29", "-0.50", Types.VARCHAR, true);
			execute(ps, 3, "c", "1999-12-31", "12345.67", Types.INTEGER, false);
		}
	}

	static void rows(Connection c) throws SQLException {
		long sum = 0;
		int got = 0;
		try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT id, name FROM big ORDER BY id")) {
			while (rs.next()) {
				got++;
				long id = rs.getLong(1);
				if (id != got || !rs.getString(2).equals("n" + id))
					throw new IllegalStateException("row " + got + ": " + id + " " + rs.getString(2));
				sum += id;
			}
		}
		System.out.println(got + " " + sum);
	}

	static void longData(Connection c) throws SQLException {
		StringBuilder sb = new StringBuilder();
		for (int i = 0; i < 100000; i++)
			sb.append((char) ('a' + i % 26));
		String big = sb.toString();
		try (PreparedStatement ps = c.prepareStatement("SELECT length(?), substr(?, 99990), ?")) {
			ps.setCharacterStream(1, new StringReader(big));
			ps.setBinaryStream(2, new ByteArrayInputStream(big.getBytes()));
			ps.setInt(3, 5);
			try (ResultSet rs = ps.executeQuery()) {
				while (rs.next())
					System.out.println("long " + rs.getLong(1) + " " + rs.getString(2) + " " + rs.getInt(3));
			}
		}
	}

	public static void main(String[] a) throws Exception {
		String mode = a[3];
		String extra = mode.equals("longdata") ? "?useServerPrepStmts=true" : "";
		try (Connection c = connect(a[0], a[1], a[2], extra)) {
			switch (mode) {
			case "meta": meta(c); break;
			case "params": params(c); break;
			case "rows": rows(c); break;
			case "longdata": longData(c); break;
			case "wrongpw": System.out.println("connected"); break;
			default: throw new IllegalArgumentException(mode);
			}
		} catch (SQLException e) {
			System.out.println("SQLException " + e.getErrorCode() + " " + e.getSQLState() + ": " + e.getMessage());
			System.exit(2);
		}
	}
}
