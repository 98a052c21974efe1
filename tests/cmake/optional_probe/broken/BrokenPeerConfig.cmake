# Stands in for Debian's dnnl-config.cmake on a machine without OpenCL: a REQUIRED dependency
# that is missing, which would abort any configure that loads this package directly.
find_package(NoSuchDependencyOfBrokenPeer REQUIRED)
set(BrokenPeer_FOUND TRUE)
