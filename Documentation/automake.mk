EXTRA_DIST += \
	Documentation/metaframe.rst \
	Documentation/build.rst
