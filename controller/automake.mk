# metanet-controller (controller/).  Its parts (admission and allocation,
# flow compilation, the OpenFlow connections to the switches) form a library
# that the daemon and the tests link.
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
	controller/ofctrl.c \
	controller/ofctrl.h \
	controller/switch-flows.c \
	controller/switch-flows.h
controller_libcontroller_la_LIBADD = lib/libmetanet.la -lm

bin_PROGRAMS += controller/metanet-controller
controller_metanet_controller_SOURCES = controller/metanet-controller.c
controller_metanet_controller_LDADD = \
	controller/libcontroller.la lib/libmetanet.la $(OVS_LIBOPENVSWITCH)
dist_man_MANS += controller/metanet-controller.8
