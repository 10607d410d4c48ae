bin_PROGRAMS += utilities/meta-packet
utilities_meta_packet_SOURCES = utilities/meta-packet.c
utilities_meta_packet_LDADD = $(OVS_LIBOPENVSWITCH)
dist_man_MANS += utilities/meta-packet.8

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
