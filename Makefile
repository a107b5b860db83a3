# SPDX-License-Identifier: Apache-2.0
# streamload: one non-recursive Makefile.
#   make            build every binary into bin/
#   make test       ensure Debian deps, build, run bats, then again under ASan+UBSan
#   make run        ensure deps, build, start sl-httpd on 127.0.0.1:8030 and sl-mysqld on 9030 over ./sl-data
#   make quickstart the quickstart session without a server (examples/quickstart.sh)
#   make deps       install the Debian packages the build and tests need
#   make san        the ASan+UBSan build in build/san/bin
#   make fuzz       the libFuzzer targets of tests/fuzz, FUZZ_SECONDS (60) each
#   make install    binaries, man pages and systemd units under PREFIX (/usr/local); make uninstall
#   make test-deb   the Debian package built in a scratch copy, extracted and tried (make test runs it)

BINS = sl-parse sl-map sl-filter sl-txn sl-commit sl-load sl-sql sl-scan sl-dump sl-httpd sl-fsck sl-compact sl-mysqld sl-jobd

CC      ?= cc
OPT     ?= -O2
# CFLAGS, CPPFLAGS and LDFLAGS from the environment or the command line
# are used as given (dpkg-buildflags' hardening, say).
CFLAGS  ?= $(OPT) -g
# Warnings are errors unless `make WERROR=`.
WERROR  ?= -Werror
# Always applied, even when CFLAGS is given on the command line.
SL_CFLAGS = -std=gnu11 -Wall -Wextra $(WERROR) -D_GNU_SOURCE -Ilibcommon -MMD -MP
LDLIBS  += -Wl,--as-needed -ljq -lcsv -llz4 -lz -lbz2 -llzo2 -lsnappy -lroaring -lcrypt -lcrypto -lprotobuf-c -lzstd -lisal -lm

# Where the build goes: objects in BUILD, binaries in OUTDIR (BINDIR is
# where `make install` puts them).
BUILD   ?= build/rel
OUTDIR  ?= bin

# The version, in this one place; built in a git checkout, the commit is
# appended (or a vX.Y.Z tag's description used): libcommon/version.h.
VERSION = 0.9.0
GIT_DESCRIBE := $(shell test -e .git && git describe --tags --always --dirty 2> /dev/null)
SL_VERSION = $(if $(GIT_DESCRIBE),$(if $(filter v%,$(GIT_DESCRIBE)),$(GIT_DESCRIBE:v%=%),$(VERSION)+g$(GIT_DESCRIBE)),$(VERSION))

LIBSRC  := $(sort $(wildcard libcommon/*.c))
LIBOBJ  := $(LIBSRC:%.c=$(BUILD)/%.o)
# One-file binaries are cmd/NAME.c; larger ones a folder cmd/NAME/*.c.
DIRBINS := $(notdir $(patsubst %/,%,$(sort $(dir $(wildcard cmd/*/*.c)))))
CMDOBJ  := $(patsubst %,$(BUILD)/cmd/%.o,$(filter-out $(DIRBINS),$(BINS))) \
	$(patsubst %.c,$(BUILD)/%.o,$(wildcard cmd/*/*.c))
# The five stages, also compiled with main renamed (sl-map -> sl_map_main)
# and linked into the launchers, which fork them without exec (builtin.h).
STAGES   = sl-parse sl-map sl-filter sl-txn sl-commit
LAUNCHERS = sl-load sl-httpd
STAGEOBJ := $(STAGES:%=$(BUILD)/cmd/%.stage.o)
UNITSRC := $(sort $(wildcard tests/unit/*.c))
UNITS   := $(UNITSRC:%.c=$(BUILD)/%)
DEPS    := $(LIBOBJ:.o=.d) $(CMDOBJ:.o=.d) $(STAGEOBJ:.o=.d) $(UNITSRC:%.c=$(BUILD)/%.d)

DEB_PKGS = build-essential pkg-config libcsv-dev libjq-dev zlib1g-dev libbz2-dev \
	liblz4-dev liblzo2-dev libsnappy-dev libroaring-dev libcrypt-dev bats bats-support \
	bats-assert universal-ctags curl jq hyperfine mandoc tzdata gzip bzip2 lz4 lzop python3 procps time libssl-dev \
	mariadb-client python3-pymysql parallel libprotobuf-c-dev protobuf-c-compiler libzstd-dev libisal-dev valgrind
# the Debian package's build (debian/, make test-deb)
DEB_PKGS += dpkg-dev debhelper fakeroot

.DELETE_ON_ERROR:
.PHONY: unit bins all test check run quickstart deps san clean bench man-lint FORCE

all: bins unit

# the binaries alone (what install and the Debian package need)
bins: $(BINS:%=$(OUTDIR)/%)

unit: $(UNITS)

$(BUILD)/tests/unit/%: $(BUILD)/tests/unit/%.o $(BUILD)/libcommon.a
	@mkdir -p $(@D)
	$(CC) $(SL_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# objects first, then the library (the launchers add the stage objects)
LINKIN = $(filter-out %.a,$^) $(filter %.a,$^)

$(OUTDIR)/%: $(BUILD)/cmd/%.o $(BUILD)/libcommon.a
	@mkdir -p $(@D)
	$(CC) $(SL_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $(LINKIN) $(LDLIBS)

# The per-load stages that need no libjq, and sl-sql, link the libraries
# Debian ships as .a statically: on a small load or a point lookup, exec
# and the dynamic loader cost more than the work itself (about 1 ms a
# process here; libcrypto alone, for its 21,000 relocations bound at
# start, about 1 ms: of it these use SHA1 and CRYPTO_memcmp only).
# libroaring (BITMAP values) and libisal (the log's CRC) have no .a in
# Debian: they and libc stay shared, bound at start; so do the libraries
# only sl-sql's INSERT needs (libjq for the load's answer; libcurl for S3
# is opened only when used: see OBJSRC_LIBS), from $(LDLIBS) after the
# static ones (--as-needed keeps only those).
# Not with the sanitizers (SAN=1).
STATIC_STAGES = sl-filter sl-txn sl-sql
ifeq ($(SAN),)
$(STATIC_STAGES:%=$(OUTDIR)/%): $(OUTDIR)/%: $(BUILD)/cmd/%.o $(BUILD)/libcommon.a
	@mkdir -p $(@D)
	$(CC) $(SL_CFLAGS) $(CFLAGS) $(LDFLAGS) -Wl,-z,now -o $@ $^ -Wl,--as-needed \
	  -Wl,-Bstatic -lcsv -llz4 -lz -lbz2 -llzo2 -lcrypt -lcrypto -Wl,-Bdynamic -lisal -lroaring -lm \
	  $(LDLIBS)
endif

$(LAUNCHERS:%=$(OUTDIR)/%): $(STAGEOBJ)
# and bind every symbol at start, once, rather than lazily in each child;
# the libraries Debian ships as .a are linked in: fewer mappings make each
# fork cheaper (libjq has no .a: it stays shared; libsnappy is C++, its .a
# would pull in libstdc++: it stays shared too)
$(LAUNCHERS:%=$(OUTDIR)/%): LDFLAGS += -Wl,-z,now
$(LAUNCHERS:%=$(OUTDIR)/%): LDLIBS = -Wl,--as-needed -ljq \
	-Wl,-Bstatic -lcsv -llz4 -lz -lbz2 -llzo2 -lcrypt -lcrypto -Wl,-Bdynamic -lisal -lsnappy -lroaring \
	-lprotobuf-c -lzstd -lm

$(BUILD)/cmd/%.stage.o: cmd/%.c
	@mkdir -p $(@D)
	$(CC) $(SL_CFLAGS) $(CPPFLAGS) $(CFLAGS) -Dmain=$(subst -,_,$*)_main -c -o $@ $<

define dirbin_rule
$$(OUTDIR)/$(1): $$(patsubst %.c,$$(BUILD)/%.o,$$(wildcard cmd/$(1)/*.c)) $$(BUILD)/libcommon.a
	@mkdir -p $$(@D)
	$$(CC) $$(SL_CFLAGS) $$(CFLAGS) $$(LDFLAGS) -o $$@ $$(LINKIN) $$(LDLIBS)
endef
$(foreach b,$(DIRBINS),$(eval $(call dirbin_rule,$(b))))

# libcommon/version.c's SL_VERSION, rewritten only when it changes: a new
# commit rebuilds version.o and relinks, nothing else.
$(BUILD)/gen/slversion.h: FORCE
	@mkdir -p $(@D)
	@echo '#define SL_VERSION "$(SL_VERSION)"' > $@.tmp
	@if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv -f $@.tmp $@; fi
$(BUILD)/libcommon/version.o: $(BUILD)/gen/slversion.h
FORCE:

$(BUILD)/libcommon.a: $(LIBOBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(SL_CFLAGS) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

-include $(DEPS)

# Install build/test dependencies only when one is missing (apt-get once).
deps:
	@missing=""; for p in $(DEB_PKGS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "make deps: installing$$missing"; \
	  SUDO=; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

san:
	$(MAKE) SAN=1 BUILD=build/san OUTDIR=build/san/bin OPT=-O1 \
	  CFLAGS='-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined' \
	  LDFLAGS='-fsanitize=address,undefined'

man-lint:
	@for m in man/*.[1-8]; do mandoc -Tlint -W warning "$$m" || exit 1; done

# The builds use every processor, and tests/run runs the bats files that
# many at a time (GNU parallel): CI has 2 cores and a time limit.
NPROC := $(shell nproc 2> /dev/null || echo 1)
test: deps
	$(MAKE) -j$(NPROC) all
	@# a fresh parallel build leaves a few binaries older than their inputs
	@# (cause not found yet): the next make relinks them, and that must not
	@# happen under the tests (examples.bats runs make run beside others)
	$(MAKE) all
	$(MAKE) man-lint
	SL_BIN=$(CURDIR)/$(OUTDIR) SL_UNIT=$(CURDIR)/$(BUILD)/tests/unit tests/run release
	$(MAKE) test-jdbc
	$(MAKE) test-deb
	$(MAKE) -j$(NPROC) san
	@# the crash loops at a quarter of their rounds under the sanitizers:
	@# the release run above proves their counts (the whole run must stay
	@# well inside CI's 45 minutes on 2 cores)
	SL_BIN=$(CURDIR)/build/san/bin SL_UNIT=$(CURDIR)/build/san/tests/unit SL_SAN=1 \
	  SL_CRASH_ROUNDS=50 SL_CRASH_LOADS=60 \
	  ASAN_OPTIONS=detect_leaks=0:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  tests/run sanitizers

check: test

SL_DATA ?= ./sl-data
run: deps all
	@echo "make run: sl-httpd on 127.0.0.1:8030, sl-mysqld on 127.0.0.1:9030 and sl-jobd over $(SL_DATA) (Ctrl-C stops them)"
	$(OUTDIR)/sl-mysqld --data-dir $(SL_DATA) -v 2 & mysqld=$$!; \
	$(OUTDIR)/sl-jobd --data-dir $(SL_DATA) & jobd=$$!; \
	trap 'kill $$mysqld $$jobd 2> /dev/null' EXIT INT TERM; \
	$(OUTDIR)/sl-httpd --data-dir $(SL_DATA) -v 2

quickstart: deps all
	./examples/quickstart.sh

bench: deps all
	./bench/load.sh

clean:
	rm -rf build bin

# ORC's protobuf messages (libcommon/proto/orc_proto.proto): C generated by
# protoc-c into $(BUILD)/gen at build time, compiled into libcommon.a.
ORCGEN = $(BUILD)/gen/orc_proto.pb-c
SL_CFLAGS += -I$(BUILD)/gen
$(ORCGEN).c $(ORCGEN).h &: libcommon/proto/orc_proto.proto
	@mkdir -p $(@D)
	protoc-c --c_out=$(BUILD)/gen --proto_path=libcommon/proto $<
$(ORCGEN).o: $(ORCGEN).c
	$(CC) -std=gnu11 -Wall $(WERROR) -I$(BUILD)/gen $(CPPFLAGS) $(CFLAGS) -c -o $@ $<
$(BUILD)/libcommon.a: $(ORCGEN).o
$(BUILD)/libcommon/orc.o: | $(ORCGEN).h

# libFuzzer targets: make fuzz (not part of make test)
include mk/fuzz.mk

# The columnar readers' codecs (colfile.h) beyond those of the bodies:
# -lzstd (arrow bodies, orc and parquet pages; liblz4's frame API is in
# -llz4 already) and -lprotobuf-c (orc's metadata) are in LDLIBS above;
# brotli for parquet pages.
DEB_PKGS += libbrotli-dev
LDLIBS += -lbrotlidec
$(LAUNCHERS:%=$(OUTDIR)/%): LDLIBS += -lbrotlidec

# Test-only npm packages (tests/node: DuckDB, the parquet tests' oracle),
# installed from the lock file before the bats run. (nodejs only: the
# machines' nodejs package carries its npm; Debian's npm would pull
# Debian's older nodejs over it.)
DEB_PKGS += nodejs
.PHONY: node-deps
node-deps: tests/node/node_modules/.installed
tests/node/node_modules/.installed: tests/node/package.json tests/node/package-lock.json
	cd tests/node && npm ci --no-audit --no-fund
	touch $@
test: node-deps

# The parquet reader's libFuzzer target (tests/fuzz/fuzz-parquet.c).
FUZZ_TARGETS += parquet
FUZZ_LDLIBS += -lbrotlidec -lcrypto -lisal

# sl-mysqld's TLS (libcommon/tls.c over OpenSSL's libssl, libssl-dev
# above; the fuzz targets link every libcommon object); the openssl
# command makes the tests' certificates.
DEB_PKGS += openssl
LDLIBS += -lssl
FUZZ_LDLIBS += -lssl -lcrypto
# The JDBC acceptance test of sl-mysqld (tests/jdbc: Debian's MariaDB
# Connector/J on OpenJDK 17), out of tests/run because javac and the JVM
# take seconds; `make test` runs it after the release suite.
DEB_PKGS += openjdk-17-jdk-headless libmariadb-java
.PHONY: test-jdbc
test-jdbc: deps all
	SL_BIN=$(CURDIR)/$(OUTDIR) SL_UNIT=$(CURDIR)/$(BUILD)/tests/unit bats tests/jdbc/
# make install / uninstall: the binaries, man pages and systemd units.
#   PREFIX  (/usr/local)   BINDIR  ($(PREFIX)/bin)   MANDIR ($(PREFIX)/share/man)
#   UNITDIR ($(PREFIX)/lib/systemd/system, a directory systemd reads; an
#           administrator's own units go in /etc/systemd/system instead)
#   DESTDIR (a staging root prepended to every path: debian/rules)
# The units' ExecStart name the installed binaries: @BINDIR@ in
# examples/*.service is replaced by BINDIR. streamload reads no file of
# its own under /etc (sl.conf lives in the data directory), so install
# puts nothing there.
PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
MANDIR     ?= $(PREFIX)/share/man
UNITDIR    ?= $(PREFIX)/lib/systemd/system
INSTALL    ?= install
MANPAGES   := $(sort $(wildcard man/*.[1-8]))
MANDIRS     = $(sort $(foreach m,$(MANPAGES),$(MANDIR)/man$(subst .,,$(suffix $(m)))))
SYSTEMD_UNITS := $(sort $(wildcard examples/*.service examples/*.socket))
.PHONY: install uninstall
install: bins
	$(INSTALL) -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(UNITDIR) $(MANDIRS:%=$(DESTDIR)%)
	$(INSTALL) -m 755 $(BINS:%=$(OUTDIR)/%) $(DESTDIR)$(BINDIR)
	@for m in $(MANPAGES); do \
	  echo "$(INSTALL) -m 644 $$m $(DESTDIR)$(MANDIR)/man$${m##*.}"; \
	  $(INSTALL) -m 644 $$m $(DESTDIR)$(MANDIR)/man$${m##*.} || exit 1; \
	done
	@for u in $(SYSTEMD_UNITS); do \
	  t=$(DESTDIR)$(UNITDIR)/$${u##*/}; \
	  echo "sed 's|@BINDIR@|$(BINDIR)|g' $$u > $$t"; \
	  sed 's|@BINDIR@|$(BINDIR)|g' $$u > $$t.tmp && chmod 644 $$t.tmp && mv -f $$t.tmp $$t || exit 1; \
	done

# What install wrote; in a staging root (DESTDIR), also the directories
# left empty.
uninstall:
	rm -f $(BINS:%=$(DESTDIR)$(BINDIR)/%)
	rm -f $(foreach m,$(MANPAGES),$(DESTDIR)$(MANDIR)/man$(subst .,,$(suffix $(m)))/$(notdir $(m)))
	rm -f $(SYSTEMD_UNITS:examples/%=$(DESTDIR)$(UNITDIR)/%)
	$(if $(DESTDIR),@for d in $(BINDIR) $(MANDIRS) $(MANDIR) $(UNITDIR); do \
	  while [ "$$d" != / ] && [ "$$d" != . ] && rmdir "$(DESTDIR)$$d" 2> /dev/null; do d=$$(dirname "$$d"); done; \
	done)

# The Debian package built from a scratch copy of the tree, extracted into a
# scratch root, its sl-httpd started by hand and the quick start loaded
# through it (tests/deb/ops-deb.bats). A separate target: the package's
# build compiles everything again (minutes).
.PHONY: test-deb
test-deb: deps
	bats tests/deb/ops-deb.bats
# promtool (Debian prometheus) checks GET /metrics in tests/ops-metrics.bats.
# The package brings a prometheus service: a container's policy-rc.d keeps
# it stopped; on a host with systemd it starts (stop it, or mask it first).
DEB_PKGS += prometheus
# The object sources of INSERT ... FROM S3()/local() and continuous load
# (libcommon/objsrc.h: s3.c over libcurl, s3xml.c over expat): OBJSRC_LIBS
# links them into what uses them, never into the statically linked stages.
DEB_PKGS += libcurl4-openssl-dev libexpat1-dev
# libcurl is not linked: s3.c opens it at the first S3 source (dlopen), so
# that the binaries with the SQL engine do not load its thirty libraries at
# every start; expat is linked in from its .a.
OBJSRC_LIBS := -Wl,-Bstatic -lexpat -Wl,-Bdynamic
$(BUILD)/tests/unit/test-objsrc: LDLIBS += $(OBJSRC_LIBS)
# the ListObjectsV2 and <Error> parser (tests/fuzz/fuzz-s3list.c)
FUZZ_TARGETS += s3list
FUZZ_LDLIBS += -lexpat

# The INSERT statement's parser (tests/fuzz/fuzz-insert.c).
FUZZ_TARGETS += insert
# INSERT (sql.c -> sqlinsert -> insert -> objfeed -> objsrc) brings the
# object sources into every binary with the SQL engine: sl-sql, sl-httpd
# (its query route), sl-mysqld, the unit tests and fuzz targets over sql.h;
# --as-needed leaves libcurl and expat out of every other binary.
LDLIBS += $(OBJSRC_LIBS)
$(LAUNCHERS:%=$(OUTDIR)/%): LDLIBS += $(OBJSRC_LIBS)
FUZZ_LDLIBS += $(OBJSRC_LIBS)
