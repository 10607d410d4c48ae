# metanet-controller (controller/).  Its pure parts (admission and
# allocation, flow compilation) form a library that the daemon and the unit
# tests link.
noinst_LTLIBRARIES += controller/libcontroller.la
controller_libcontroller_la_SOURCES = \
	controller/allocator.c \
	controller/allocator.h \
	controller/demand.c \
	controller/demand.h \
	controller/flow-compiler.c \
	controller/flow-compiler.h \
	controller/lan.c \
	controller/lan.h \
	controller/switch-flows.c \
	controller/switch-flows.h
controller_libcontroller_la_LIBADD = lib/libmetanet.la -lm
