# The Metanet database schema, its documentation and its man page.
#
# schemas/metanet.xml documents every table and column of
# schemas/metanet.ovsschema; OVS's ovsdb-doc renders the two into
# metanet(5) and fails, failing the build, when a table or column is
# undocumented or a documented one does not exist.  OVS's
# cksum-schema-check fails the build when the schema's "cksum" is stale.

dist_pkgdata_DATA += schemas/metanet.ovsschema
EXTRA_DIST += schemas/metanet.xml
man_MANS += schemas/metanet.5
CLEANFILES += \
	schemas/metanet.5 schemas/metanet.5.tmp schemas/metanet.5.tmp2 \
	schemas/metanet.ovsschema.stamp

SCHEMAS_OVSDB_DOC = \
	PYTHONPATH=$(OVS_SRCDIR)/python PYTHONDONTWRITEBYTECODE=yes \
	$(PYTHON3) $(OVS_SRCDIR)/ovsdb/ovsdb-doc

schemas/metanet.ovsschema.stamp: schemas/metanet.ovsschema
	$(AM_V_GEN)$(MKDIR_P) $(@D) && \
	$(OVS_SRCDIR)/build-aux/cksum-schema-check \
		$(srcdir)/schemas/metanet.ovsschema $@

# ovsdb-doc says "Open vSwitch" in the page footer; this is metanet's.
schemas/metanet.5: schemas/metanet.xml schemas/metanet.ovsschema \
		schemas/metanet.ovsschema.stamp $(OVS_SRCDIR)/ovsdb/ovsdb-doc
	$(AM_V_GEN)$(SCHEMAS_OVSDB_DOC) --version=$(VERSION) \
		$(srcdir)/schemas/metanet.ovsschema \
		$(srcdir)/schemas/metanet.xml > $@.tmp && \
	sed '/^\.TH /s/"Open vSwitch \([^"]*\)" "Open vSwitch Manual"/"metanet \1" "metanet Manual"/' \
		$@.tmp > $@.tmp2 && \
	rm -f $@.tmp && mv $@.tmp2 $@
