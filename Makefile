# faceaudit: plain Makefile over pkg-config.
# Sources are picked up by directory, so a new module or detector is a new file:
#   src/<module>/*.c      -> build/libfaceaudit.a   (the scanning library: never prints, never exits)
#   src/shim/*.cpp        -> build/faceaudit-opencv.so: the only C++ (the OpenCV shim), a plugin
#                            the scanner opens on first use, so OpenCV loads only for images
#   src/cli/*.c           -> build/faceaudit        (one file per subcommand)
#   tests/unit/test_*.c   -> build/tests/test_*     (Criterion, one binary per module)
#   tests/e2e/*.sh        -> run against build/faceaudit by tests/run-e2e.sh

BUILD    ?= build
PREFIX   ?= /usr/local
DESTDIR  ?=
CC       ?= gcc
CXX      ?= g++
SANITIZE ?=
NPROC    := $(shell nproc 2>/dev/null || echo 2)

PKGS_C   := libarchive jansson libpcre2-8 yaml-0.1 sqlite3
PKGS_CXX := $(shell pkg-config --exists opencv4 2>/dev/null && echo opencv4)
EXTRA_PKGS_FILE := $(wildcard mk/*.mk)
-include $(EXTRA_PKGS_FILE)

WARN     := -Wall -Wextra -Wformat=2 -Wshadow
CFLAGS   ?= -O2 -g
CXXFLAGS ?= -O2 -g
SANFLAGS := $(if $(SANITIZE),-fsanitize=$(SANITIZE) -fno-omit-frame-pointer,)
VERSION  := $(shell cat VERSION 2>/dev/null || echo 0.0.0)
DATADIR  := $(PREFIX)/share/faceaudit
LIBDIR   := $(PREFIX)/lib/faceaudit
DOCDIR   := $(PREFIX)/share/doc/faceaudit
INFO_URI ?= file://$(DOCDIR)/README.md

ALL_CFLAGS   = -std=c11 -D_GNU_SOURCE $(WARN) $(CFLAGS) $(SANFLAGS) -Iinclude \
               -DFA_VERSION='"$(VERSION)"' -DFA_DATADIR='"$(DATADIR)"' -DFA_LIBDIR='"$(LIBDIR)"' -DFA_INFO_URI='"$(INFO_URI)"' \
               $(shell pkg-config --cflags $(PKGS_C)) -MMD -MP
ALL_CXXFLAGS = -std=c++17 -fPIC $(WARN) $(CXXFLAGS) $(SANFLAGS) -Iinclude \
               $(if $(PKGS_CXX),$(shell pkg-config --cflags $(PKGS_CXX)),) -MMD -MP
LIBS     = $(shell pkg-config --libs $(PKGS_C)) -lm -lpthread -ldl
LINK     = $(CC) -Wl,--as-needed
# Criterion (unit tests only; evaluated when a test is built).
CRITERION_CFLAGS = $(shell pkg-config --cflags criterion)
CRITERION_LIBS   = $(shell pkg-config --libs criterion)

LIB_SRC     := $(sort $(wildcard src/core/*.c src/source/*.c src/archive/*.c src/sniff/*.c \
                 src/rules/*.c src/parse/*.c src/detect/*.c src/sink/*.c src/scan/*.c src/compliance/*.c))
PLUGIN_SRC  := $(if $(PKGS_CXX),$(sort $(wildcard src/shim/*.cpp)),)
CLI_SRC     := $(sort $(wildcard src/cli/*.c))
TEST_SRC    := $(sort $(wildcard tests/unit/test_*.c))

LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
# The plugin carries its own copy of the header probe it calls (compiled position-independent).
PLUGIN_OBJ := $(PLUGIN_SRC:%.cpp=$(BUILD)/obj/%.o) $(if $(PLUGIN_SRC),$(BUILD)/obj/pic/src/detect/imagesize.o,)
PLUGIN   := $(if $(PLUGIN_SRC),$(BUILD)/faceaudit-opencv.so,)
CLI_OBJ  := $(CLI_SRC:%.c=$(BUILD)/obj/%.o)
TEST_BIN := $(TEST_SRC:tests/unit/%.c=$(BUILD)/tests/%)
LIBFA    := $(BUILD)/libfaceaudit.a
BIN      := $(BUILD)/faceaudit

FUZZ_SECONDS ?= 10

.PHONY: all deps check unit e2e demo bench eval install clean fuzz valgrind
all: $(BIN) $(PLUGIN)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c $< -o $@
$(BUILD)/obj/pic/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -fPIC -c $< -o $@
$(BUILD)/obj/%.o: %.cpp
	@mkdir -p $(dir $@)
	$(CXX) $(ALL_CXXFLAGS) -c $< -o $@

$(LIBFA): $(LIB_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(BIN): $(CLI_OBJ) $(LIBFA)
	$(LINK) $(SANFLAGS) -o $@ $(CLI_OBJ) $(LIBFA) $(LIBS)

$(PLUGIN): $(PLUGIN_OBJ)
	$(CXX) -shared -Wl,-Bsymbolic -Wl,--as-needed -Wl,-z,defs $(SANFLAGS) -o $@ $(PLUGIN_OBJ) \
	    $(shell pkg-config --libs $(PKGS_CXX)) -lm -lpthread

$(BUILD)/tests/%: tests/unit/%.c $(LIBFA) $(wildcard tests/unit/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(CRITERION_CFLAGS) -MF $@.d -Itests/unit $< -o $@ -Wl,--as-needed $(LIBFA) $(LIBS) $(CRITERION_LIBS)

# deps: exactly the Debian 12 packages the build, tests, demo and bench need; idempotent.
deps:
	@tools/deps.sh

unit: $(TEST_BIN)
	@tools/run-unit.sh $(BUILD) $(TEST_BIN)

e2e: $(BIN)
	@BUILD=$(BUILD) tests/run-e2e.sh

check: deps
	@$(MAKE) --no-print-directory -j$(NPROC) all $(TEST_BIN)
	@BUILD=$(BUILD) tools/check.sh $(TEST_BIN)

demo: deps
	@$(MAKE) --no-print-directory -j$(NPROC) all
	@BUILD=$(BUILD) tools/demo.sh

bench: deps
	@$(MAKE) --no-print-directory -j$(NPROC) all
	@BUILD=$(BUILD) tools/bench.sh

eval: deps
	@$(MAKE) --no-print-directory -j$(NPROC) all
	@BUILD=$(BUILD) tools/eval.sh

# valgrind: memcheck over the unit tests and the CLI on samples/ (a few minutes; not in check).
valgrind: deps
	@$(MAKE) --no-print-directory -j$(NPROC) all $(TEST_BIN)
	@BUILD=$(BUILD) tools/valgrind.sh

# fuzz: every libFuzzer target in tests/fuzz/ for FUZZ_SECONDS each (clang; make deps installs it).
fuzz: deps
	@FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_BUILD=$(BUILD)/fuzz tools/fuzz.sh

install: $(BIN)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(DATADIR)/rules $(DESTDIR)$(DATADIR)/templates \
	           $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/man/man5
	install -m 0755 $(BIN) $(DESTDIR)$(PREFIX)/bin/faceaudit
	$(if $(PLUGIN),install -d $(DESTDIR)$(LIBDIR) && install -m 0755 $(PLUGIN) $(DESTDIR)$(LIBDIR)/,)
	install -d $(DESTDIR)$(DOCDIR) && install -m 0644 README.md $(DESTDIR)$(DOCDIR)/
	install -m 0644 rules/*.yaml $(DESTDIR)$(DATADIR)/rules/
	cp -R rules/examples $(DESTDIR)$(DATADIR)/rules/ 2>/dev/null; chmod -R u=rwX,go=rX $(DESTDIR)$(DATADIR)/rules
	for f in templates/*; do [ -f "$$f" ] && install -m 0644 "$$f" $(DESTDIR)$(DATADIR)/templates/; done; true
	install -m 0644 man/*.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	for f in man/*.5; do [ -f "$$f" ] && install -m 0644 "$$f" $(DESTDIR)$(PREFIX)/share/man/man5/; done; true
	install -d $(DESTDIR)$(PREFIX)/share/man/man7 && install -m 0644 man/*.7 $(DESTDIR)$(PREFIX)/share/man/man7/

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
