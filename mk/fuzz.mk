# SPDX-License-Identifier: Apache-2.0
# mk/fuzz.mk -- the libFuzzer targets, one per parser of untrusted input. Included from the
# Makefile; also usable alone: `make -f mk/fuzz.mk fuzz FUZZ_SECONDS=10`.
#
#   make fuzz                  build and run every target for FUZZ_SECONDS (60) each
#   make fuzz-build            only build them (build/fuzz/fuzz-csv, build/fuzz/fuzz-json, ...)
#   make fuzz FUZZ_TARGETS=csv one target
#
# Targets: csv, json (the body
# readers), sql (sl-sql's statements over a temporary store), expr (the
# expression engine: where, columns), httpstream (the http_stream `sql`
# header, linked with cmd/sl-httpd/httpstream.c), frame (the row-stream
# reader sl_frame_read and the terminal printer), httphead (sl-httpd's
# request head and chunked-body parser, cmd/sl-httpd/httphead.c), sketch
# (the BITMAP and HLL decoders, hll_from_base64's text), partition (the
# partition clauses and the store's VALUES texts), partroute (the
# __SL_PARTITION__ field sl-txn reads, and the router that writes it),
# mysqlproto (sl-mysqld's packets and handshake), arrow (the Arrow IPC
# stream reader, format: arrow), orc (the ORC reader).
#
# The targets are tests/fuzz/fuzz-NAME.c, linked with every libcommon source
# compiled by clang with -fsanitize=fuzzer-no-link,address,undefined into
# build/fuzz/ (never the normal build). Each run starts from the committed
# seeds in tests/fuzz/corpus-NAME/ (read only) and keeps what it finds in
# build/fuzz/corpus-NAME/; a crash leaves build/fuzz/crash-NAME-* and makes
# `make fuzz` exit non-zero (after running the other targets). clang is
# installed with apt-get when missing. Leaks inside libjq 1.6 itself are
# suppressed (tests/fuzz/lsan.supp); leaks of our own allocations are not. FUZZ_FLAGS adds libFuzzer options
# (e.g. FUZZ_FLAGS=-detect_leaks=0). Not part of `make test`.

# Included from the Makefile, this fragment must not become its default goal.
fuzz_saved_goal := $(.DEFAULT_GOAL)

FUZZ_SECONDS ?= 60
FUZZ_CC      ?= clang
FUZZ_DIR     ?= build/fuzz
FUZZ_FLAGS   ?=
FUZZ_SAN      = -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
# No -Werror here: clang warns about things gcc does not, and this build
# must not fail on another compiler's opinion of the tree (make keeps -Werror).
FUZZ_CFLAGS   = -std=gnu11 -Wall -Wextra -D_GNU_SOURCE -Ilibcommon -g -O1 -MMD -MP $(FUZZ_SAN)
FUZZ_LDLIBS   = -ljq -lcsv -llz4 -lz -lbz2 -llzo2 -lsnappy -lroaring -lcrypt -lzstd -lm
FUZZ_LIBSRC  := $(sort $(wildcard libcommon/*.c))
FUZZ_LIBOBJ  := $(FUZZ_LIBSRC:%.c=$(FUZZ_DIR)/%.o)
FUZZ_TARGETS ?= csv json sql expr httpstream frame httphead sketch partition partroute mysqlproto arrow
FUZZ_BINS     = $(FUZZ_TARGETS:%=$(FUZZ_DIR)/fuzz-%)

.PHONY: fuzz fuzz-build fuzz-deps

fuzz: fuzz-build
	@status=0; \
	for t in $(FUZZ_TARGETS); do \
	  mkdir -p $(FUZZ_DIR)/corpus-$$t; \
	  echo "== fuzz-$$t: $(FUZZ_SECONDS) s"; \
	  LSAN_OPTIONS=suppressions=$(CURDIR)/tests/fuzz/lsan.supp:print_suppressions=0 \
	  $(FUZZ_DIR)/fuzz-$$t -max_total_time=$(FUZZ_SECONDS) -max_len=16384 -timeout=20 \
	    -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix=$(FUZZ_DIR)/crash-$$t- \
	    $(FUZZ_FLAGS) $(FUZZ_DIR)/corpus-$$t tests/fuzz/corpus-$$t \
	    > $(FUZZ_DIR)/fuzz-$$t.log 2>&1; \
	  rc=$$?; \
	  grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb|Done )' $(FUZZ_DIR)/fuzz-$$t.log; \
	  if [ $$rc -ne 0 ]; then \
	    status=1; echo "fuzz-$$t: FAILED (exit $$rc); log: $(FUZZ_DIR)/fuzz-$$t.log"; \
	    grep -E 'ERROR|check failed|SUMMARY|Test unit written' $(FUZZ_DIR)/fuzz-$$t.log | head -20; \
	  else \
	    echo "fuzz-$$t: no crash"; \
	  fi; \
	done; \
	$(if $(wildcard libcommon/input.c),,echo "fuzz-json: skipped (libcommon/input.c is not there yet)";) \
	exit $$status

fuzz-build: $(FUZZ_BINS)

# clang (with its sanitizer and libFuzzer runtimes) once, when missing.
fuzz-deps:
	@if ! command -v $(FUZZ_CC) > /dev/null 2>&1; then \
	  echo "make fuzz: installing clang"; \
	  SUDO=; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq clang; \
	fi

$(FUZZ_DIR)/libcommon/%.o: libcommon/%.c | fuzz-deps
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

$(FUZZ_DIR)/libcommon.a: $(FUZZ_LIBOBJ)
	@rm -f $@
	ar rcs $@ $^

$(FUZZ_DIR)/fuzz-%.o: tests/fuzz/fuzz-%.c | fuzz-deps
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

$(FUZZ_DIR)/fuzz-%: $(FUZZ_DIR)/fuzz-%.o $(FUZZ_DIR)/libcommon.a
	$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $(filter %.o,$^) $(filter %.a,$^) $(FUZZ_LDLIBS)

# The http_stream parser lives in sl-httpd: its one file joins that target.
$(FUZZ_DIR)/cmd/sl-httpd/%.o: cmd/sl-httpd/%.c | fuzz-deps
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -Icmd/sl-httpd -fsanitize=fuzzer-no-link -c -o $@ $<

$(FUZZ_DIR)/fuzz-httpstream.o: FUZZ_CFLAGS += -Icmd/sl-httpd
$(FUZZ_DIR)/fuzz-httpstream: $(FUZZ_DIR)/cmd/sl-httpd/httpstream.o

# The temporary store of the targets over SQL.
$(FUZZ_DIR)/fuzzstore.o: tests/fuzz/fuzzstore.c | fuzz-deps
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<
$(FUZZ_DIR)/fuzz-sql $(FUZZ_DIR)/fuzz-insert: $(FUZZ_DIR)/fuzzstore.o

.SECONDARY: $(FUZZ_TARGETS:%=$(FUZZ_DIR)/fuzz-%.o)

-include $(FUZZ_LIBOBJ:.o=.d) $(FUZZ_TARGETS:%=$(FUZZ_DIR)/fuzz-%.d) $(FUZZ_DIR)/cmd/sl-httpd/httpstream.d

# The ORC reader: its protobuf-c code, generated from
# libcommon/proto/orc_proto.proto, joins the fuzzed library.
FUZZ_TARGETS += orc
FUZZ_CFLAGS  += -I$(FUZZ_DIR)/gen
FUZZ_LDLIBS  += -lprotobuf-c -lzstd
$(FUZZ_DIR)/gen/orc_proto.pb-c.c $(FUZZ_DIR)/gen/orc_proto.pb-c.h &: libcommon/proto/orc_proto.proto
	@mkdir -p $(@D)
	protoc-c --c_out=$(FUZZ_DIR)/gen --proto_path=libcommon/proto $<
$(FUZZ_DIR)/gen/orc_proto.pb-c.o: $(FUZZ_DIR)/gen/orc_proto.pb-c.c | fuzz-deps
	$(FUZZ_CC) -std=gnu11 -g -O1 $(FUZZ_SAN) -fsanitize=fuzzer-no-link -I$(FUZZ_DIR)/gen -c -o $@ $<
$(FUZZ_DIR)/libcommon.a: $(FUZZ_DIR)/gen/orc_proto.pb-c.o
$(FUZZ_DIR)/libcommon/orc.o: | $(FUZZ_DIR)/gen/orc_proto.pb-c.h

ifneq ($(firstword $(MAKEFILE_LIST)),$(lastword $(MAKEFILE_LIST)))
.DEFAULT_GOAL := $(fuzz_saved_goal)
endif

# libcommon/version.c's header, which the Makefile writes for its builds:
# here a fixed text (the fuzz targets never print a version).
$(FUZZ_DIR)/gen/slversion.h:
	@mkdir -p $(@D)
	echo '#define SL_VERSION "0.0.0+fuzz"' > $@
$(FUZZ_DIR)/libcommon/version.o: | $(FUZZ_DIR)/gen/slversion.h
