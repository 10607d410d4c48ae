bin_PROGRAMS += utilities/meta-packet
utilities_meta_packet_SOURCES = utilities/meta-packet.c
utilities_meta_packet_LDADD = lib/libmetanet.la $(OVS_LIBOPENVSWITCH)
dist_man_MANS += utilities/meta-packet.8

# The service script; the build fills in the installed and the build tree's
# directories (see its header).
bin_SCRIPTS += utilities/metanet-ctl
dist_man_MANS += utilities/metanet-ctl.8
EXTRA_DIST += utilities/metanet-ctl.in
CLEANFILES += utilities/metanet-ctl utilities/metanet-ctl.tmp
utilities/metanet-ctl: utilities/metanet-ctl.in Makefile
	$(AM_V_GEN)$(MKDIR_P) $(@D) && sed \
		-e 's|[@]pkgdatadir[@]|$(pkgdatadir)|g' \
		-e 's|[@]rundir[@]|$(localstatedir)/run/metanet|g' \
		-e 's|[@]logdir[@]|$(localstatedir)/log/metanet|g' \
		-e 's|[@]dbdir[@]|$(sysconfdir)/metanet|g' \
		-e 's|[@]abs_top_srcdir[@]|$(abs_top_srcdir)|g' \
		-e 's|[@]abs_top_builddir[@]|$(abs_top_builddir)|g' \
		$(srcdir)/utilities/metanet-ctl.in > $@.tmp && \
	chmod +x $@.tmp && mv $@.tmp $@

EXTRA_DIST += \
	utilities/metanet-setup \
	utilities/metanet-demo \
	utilities/meta-lib.sh

# The README's main job (until meta-sandbox exists): the patched switch
# between two namespace hosts, forwarding metaframes.
demo: all
	@OVS_BUILDDIR=$(abs_builddir)/ovs METANET_BUILDDIR=$(abs_builddir) \
		sh $(srcdir)/utilities/metanet-demo
.PHONY: demo

# metactl: the operator's CLI for the Metanet database.
bin_PROGRAMS += utilities/metactl
utilities_metactl_SOURCES = utilities/metactl.c
utilities_metactl_CPPFLAGS = $(AM_CPPFLAGS) -DMETANET_VERSION='"$(VERSION)"'
utilities_metactl_LDADD = lib/libmetanet.la $(OVS_LIBOPENVSWITCH)
dist_man_MANS += utilities/metactl.8
