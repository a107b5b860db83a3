# SPDX-License-Identifier: Apache-2.0
# streamload: one non-recursive Makefile.
#   make            build every binary into bin/
#   make test       ensure Debian deps, build, run bats, then again under ASan+UBSan
#   make run        ensure deps, build, start sl-httpd on 127.0.0.1:8030 and sl-mysqld on 9030 over ./sl-data
#   make quickstart the quickstart session without a server (examples/quickstart.sh)
#   make deps       install the Debian packages the build and tests need
#   make san        the ASan+UBSan build in build/san/bin
#   make fuzz       the libFuzzer targets of tests/fuzz, FUZZ_SECONDS (60) each

BINS = sl-parse sl-map sl-filter sl-txn sl-commit sl-load sl-sql sl-scan sl-dump sl-httpd sl-fsck sl-compact sl-mysqld

CC      ?= cc
OPT     ?= -O2
CFLAGS  ?= $(OPT) -g
# Always applied, even when CFLAGS is given on the command line.
SL_CFLAGS = -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE -Ilibcommon -MMD -MP
LDLIBS  += -Wl,--as-needed -ljq -lcsv -llz4 -lz -lbz2 -llzo2 -lsnappy -lroaring -lcrypt -lcrypto -lprotobuf-c -lzstd -lisal -lm

BUILD   ?= build/rel
BINDIR  ?= bin
PREFIX  ?= /usr/local

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
	mariadb-client python3-pymysql libprotobuf-c-dev protobuf-c-compiler libzstd-dev libisal-dev

.DELETE_ON_ERROR:
.PHONY: unit all test check run quickstart deps san clean install bench man-lint

all: $(BINS:%=$(BINDIR)/%) unit

unit: $(UNITS)

$(BUILD)/tests/unit/%: $(BUILD)/tests/unit/%.o $(BUILD)/libcommon.a
	@mkdir -p $(@D)
	$(CC) $(SL_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# objects first, then the library (the launchers add the stage objects)
LINKIN = $(filter-out %.a,$^) $(filter %.a,$^)

$(BINDIR)/%: $(BUILD)/cmd/%.o $(BUILD)/libcommon.a
	@mkdir -p $(@D)
	$(CC) $(SL_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $(LINKIN) $(LDLIBS)

# The per-load stages that need no libjq link the libraries Debian ships
# as .a statically: on a small load, exec and the dynamic loader cost more
# than the work itself (about 1 ms a process here). libroaring (BITMAP
# values) and libisal (the log's CRC) have no .a in Debian: they and libc
# stay shared, bound at start.
# Not with the sanitizers (SAN=1).
STATIC_STAGES = sl-filter sl-txn
ifeq ($(SAN),)
$(STATIC_STAGES:%=$(BINDIR)/%): $(BINDIR)/%: $(BUILD)/cmd/%.o $(BUILD)/libcommon.a
	@mkdir -p $(@D)
	$(CC) $(SL_CFLAGS) $(CFLAGS) $(LDFLAGS) -Wl,-z,now -o $@ $^ -Wl,--as-needed \
	  -Wl,-Bstatic -lcsv -llz4 -lz -lbz2 -llzo2 -Wl,-Bdynamic -lisal -lroaring -lm
endif

$(LAUNCHERS:%=$(BINDIR)/%): $(STAGEOBJ)
# and bind every symbol at start, once, rather than lazily in each child;
# the libraries Debian ships as .a are linked in: fewer mappings make each
# fork cheaper (libjq has no .a: it stays shared; libsnappy is C++, its .a
# would pull in libstdc++: it stays shared too)
$(LAUNCHERS:%=$(BINDIR)/%): LDFLAGS += -Wl,-z,now
$(LAUNCHERS:%=$(BINDIR)/%): LDLIBS = -Wl,--as-needed -ljq \
	-Wl,-Bstatic -lcsv -llz4 -lz -lbz2 -llzo2 -lcrypt -Wl,-Bdynamic -lcrypto -lisal -lsnappy -lroaring \
	-lprotobuf-c -lzstd -lm

$(BUILD)/cmd/%.stage.o: cmd/%.c
	@mkdir -p $(@D)
	$(CC) $(SL_CFLAGS) $(CFLAGS) -Dmain=$(subst -,_,$*)_main -c -o $@ $<

define dirbin_rule
$$(BINDIR)/$(1): $$(patsubst %.c,$$(BUILD)/%.o,$$(wildcard cmd/$(1)/*.c)) $$(BUILD)/libcommon.a
	@mkdir -p $$(@D)
	$$(CC) $$(SL_CFLAGS) $$(CFLAGS) $$(LDFLAGS) -o $$@ $$(LINKIN) $$(LDLIBS)
endef
$(foreach b,$(DIRBINS),$(eval $(call dirbin_rule,$(b))))

$(BUILD)/libcommon.a: $(LIBOBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(SL_CFLAGS) $(CFLAGS) -c -o $@ $<

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
	$(MAKE) SAN=1 BUILD=build/san BINDIR=build/san/bin OPT=-O1 \
	  CFLAGS='-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined' \
	  LDFLAGS='-fsanitize=address,undefined'

man-lint:
	@for m in man/*.[1-8]; do mandoc -Tlint -W warning "$$m" || exit 1; done

test: deps
	$(MAKE) all
	$(MAKE) man-lint
	SL_BIN=$(CURDIR)/$(BINDIR) SL_UNIT=$(CURDIR)/$(BUILD)/tests/unit tests/run release
	$(MAKE) san
	SL_BIN=$(CURDIR)/build/san/bin SL_UNIT=$(CURDIR)/build/san/tests/unit SL_SAN=1 \
	  ASAN_OPTIONS=detect_leaks=0:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  tests/run sanitizers

check: test

SL_DATA ?= ./sl-data
run: deps all
	@echo "make run: sl-httpd on 127.0.0.1:8030 and sl-mysqld on 127.0.0.1:9030 over $(SL_DATA) (Ctrl-C stops both)"
	$(BINDIR)/sl-mysqld --data-dir $(SL_DATA) -v 2 & mysqld=$$!; \
	trap 'kill $$mysqld 2> /dev/null' EXIT INT TERM; \
	$(BINDIR)/sl-httpd --data-dir $(SL_DATA) -v 2

quickstart: deps all
	./examples/quickstart.sh

bench: deps all
	./bench/load.sh

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
	  $(DESTDIR)$(PREFIX)/share/man/man5 $(DESTDIR)$(PREFIX)/share/man/man7
	install -m 755 $(BINS:%=$(BINDIR)/%) $(DESTDIR)$(PREFIX)/bin
	install -m 644 man/*.1 $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 644 man/*.5 $(DESTDIR)$(PREFIX)/share/man/man5
	install -d $(DESTDIR)$(PREFIX)/share/man/man8 && install -m 644 man/*.8 $(DESTDIR)$(PREFIX)/share/man/man8
	install -m 644 man/*.7 $(DESTDIR)$(PREFIX)/share/man/man7

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
	$(CC) -std=gnu11 -Wall -Werror -I$(BUILD)/gen $(CFLAGS) -c -o $@ $<
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
$(LAUNCHERS:%=$(BINDIR)/%): LDLIBS += -lbrotlidec

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

# promtool (Debian prometheus) checks GET /metrics in tests/ops-metrics.bats.
# The package brings a prometheus service: a container's policy-rc.d keeps
# it stopped; on a host with systemd it starts (stop it, or mask it first).
DEB_PKGS += prometheus
