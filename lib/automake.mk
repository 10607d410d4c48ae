# libmetanet: what every metanet program shares.  The Metanet database's C
# IDL (generated from schemas/metanet.ovsschema, as OVN generates its IDLs),
# the parsing and formatting of rates and of the identifiers operators type
# (names, MNIs and MLIs, datapath ids, MACs), and where the database lives.
# Programs link it before libopenvswitch.

noinst_LTLIBRARIES += lib/libmetanet.la
lib_libmetanet_la_SOURCES = \
	lib/metanet-db.c \
	lib/metanet-db.h \
	lib/metanet-ids.c \
	lib/metanet-ids.h \
	lib/metanet-rate.c \
	lib/metanet-rate.h
nodist_lib_libmetanet_la_SOURCES = \
	lib/metanet-idl.c \
	lib/metanet-idl.h

# The IDL: "ovsdb-idlc annotate" combines the schema with lib/metanet-idl.ann
# into lib/metanet-idl.ovsidl, from which ovsdb-idlc writes the C source and
# header.  All three are build products.
METANET_IDLC = PYTHONPATH=$(OVS_SRCDIR)/python PYTHONDONTWRITEBYTECODE=yes \
	$(PYTHON3) $(OVS_SRCDIR)/ovsdb/ovsdb-idlc.in
METANET_IDL_FILES = \
	$(srcdir)/schemas/metanet.ovsschema \
	$(srcdir)/lib/metanet-idl.ann
EXTRA_DIST += lib/metanet-idl.ann schemas/metanet.ovsschema

lib/metanet-idl.ovsidl: $(METANET_IDL_FILES) ovs/.ovs-meta-prepared
	$(AM_V_GEN)$(MKDIR_P) lib && \
	$(METANET_IDLC) annotate $(METANET_IDL_FILES) > $@.tmp && mv $@.tmp $@
lib/metanet-idl.c: lib/metanet-idl.ovsidl
	$(AM_V_GEN)$(METANET_IDLC) c-idl-source $< > $@.tmp && mv $@.tmp $@
lib/metanet-idl.h: lib/metanet-idl.ovsidl
	$(AM_V_GEN)$(METANET_IDLC) c-idl-header $< > $@.tmp && mv $@.tmp $@

METANET_IDL_BUILT = \
	lib/metanet-idl.c \
	lib/metanet-idl.h \
	lib/metanet-idl.ovsidl
BUILT_SOURCES += $(METANET_IDL_BUILT)
CLEANFILES += $(METANET_IDL_BUILT)
